//! `docker __complete ofelia …`: shell completion, in cobra's protocol
//! (`value\tdescription` lines, then `:4` for "no file completion").

use std::io::Write;

use clap::CommandFactory;

use crate::cli::Cli;
use crate::error::Result;

pub fn run(words: &[String]) -> Result<()> {
    let cmd = Cli::command();
    let mut out = std::io::stdout().lock();
    let current = words.last().map(String::as_str).unwrap_or("");
    let sub = words
        .iter()
        .take(words.len().saturating_sub(1))
        .find(|w| !w.starts_with('-'));
    match sub.and_then(|name| cmd.find_subcommand(name)) {
        None => {
            for s in cmd
                .get_subcommands()
                .filter(|s| !s.is_hide_set() && s.get_name().starts_with(current))
            {
                let about = s.get_about().map(|a| a.to_string()).unwrap_or_default();
                writeln!(out, "{}\t{}", s.get_name(), about)?;
            }
        }
        Some(s) => {
            if current.starts_with('-') {
                for a in s.get_arguments() {
                    if let Some(long) = a.get_long() {
                        let flag = format!("--{long}");
                        if flag.starts_with(current) {
                            let help = a.get_help().map(|h| h.to_string()).unwrap_or_default();
                            writeln!(out, "{flag}\t{help}")?;
                        }
                    }
                }
            }
        }
    }
    writeln!(out, ":4")?;
    Ok(())
}
