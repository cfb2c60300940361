//! docker-ofelia: a Docker CLI plugin for the Ofelia cron scheduler.
//!
//! Layout (one concern per module):
//! - [`plugin`]: handshake, docker's global flags, cancellation;
//! - [`cli`]: the clap definitions;
//! - [`app`]: what every command gets (globals, output, cancellation, the engine);
//! - [`context`]: which engine, exactly as docker chooses it;
//! - [`docker`]: the one adapter over the Docker Engine API (bollard);
//! - [`schedule`], [`labels`], [`compose`]: pure models (no I/O; clock and zone passed in);
//! - [`render`]: tables, JSON, colours and sanitising;
//! - [`cmd`]: one module per subcommand.

#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod app;
pub mod check;
pub mod cli;
pub mod cmd;
pub mod compose;
pub mod context;
pub mod docker;
pub mod error;
pub mod labels;
pub mod ofelia_log;
pub mod plugin;
pub mod render;
pub mod schedule;
pub mod sources;

use std::ffi::OsString;
use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

pub use error::{Error, Result};

/// The whole program: argv in, exit status out.
pub fn main_entry(argv: Vec<OsString>) -> ExitCode {
    // The handshake first: no parsing, no runtime, no engine.
    if argv.len() == 2 && argv[1] == plugin::METADATA_COMMAND {
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(plugin::METADATA.as_bytes());
        let _ = out.write_all(b"\n");
        return ExitCode::SUCCESS;
    }
    match run(argv) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => report(e),
    }
}

fn report(e: Error) -> ExitCode {
    if e.is_broken_pipe() {
        return ExitCode::SUCCESS;
    }
    match &e {
        Error::Exit(_) | Error::Interrupted => {}
        // Usage errors are our own text and may hold a "See '…--help'." line.
        Error::Usage(text) => {
            let msg = render::sanitize_keep_newlines(text);
            let _ = writeln!(std::io::stderr(), "{msg}");
        }
        _ => {
            let msg = render::sanitize(&e.to_string());
            let _ = writeln!(std::io::stderr(), "{msg}");
        }
    }
    ExitCode::from(e.exit_code())
}

fn run(argv: Vec<OsString>) -> Result<()> {
    let invocation = plugin::parse_invocation(argv)?;
    let (globals, args) = match invocation {
        plugin::Invocation::Version => {
            let mut out = std::io::stdout().lock();
            writeln!(out, "docker-ofelia version {}", env!("CARGO_PKG_VERSION"))?;
            return Ok(());
        }
        plugin::Invocation::Complete { words } => return cmd::complete::run(&words),
        plugin::Invocation::Run { globals, args } => (globals, args),
    };
    let cli = match cli::Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => return clap_error(e),
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::msg(format!("cannot start the async runtime: {e}")))?;
    let result = runtime.block_on(async move {
        let app = app::App::new(globals);
        app::watch_cancellation(&app);
        cmd::dispatch(&app, cli.command).await
    });
    // Don't wait for background tasks (a blocked stdin read, a signal task).
    runtime.shutdown_background();
    result
}

/// clap's own errors: help and version go to stdout with status 0; usage
/// errors get docker's wording where it has one, and exit 125.
fn clap_error(e: clap::Error) -> Result<()> {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    match e.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let mut out = std::io::stdout().lock();
            write!(out, "{}", e.render())?;
            Ok(())
        }
        ErrorKind::UnknownArgument => {
            let arg = match e.get(ContextKind::InvalidArg) {
                Some(ContextValue::String(s)) => s.clone(),
                _ => String::new(),
            };
            let msg = if let Some(long) = arg.strip_prefix("--") {
                format!("unknown flag: --{long}")
            } else if let Some(short) = arg.strip_prefix('-') {
                format!(
                    "unknown shorthand flag: '{}' in -{short}",
                    short.chars().next().unwrap_or('-')
                )
            } else {
                format!("unexpected argument '{arg}'")
            };
            Err(Error::usage(format!("{msg}\nSee 'docker ofelia --help'.")))
        }
        ErrorKind::MissingRequiredArgument => {
            // clap puts the missing arguments on the lines after the first.
            let missing = match e.get(ContextKind::InvalidArg) {
                Some(ContextValue::Strings(v)) => v.join(", "),
                _ => String::new(),
            };
            Err(Error::usage(format!(
                "the following required arguments were not provided: {missing}\nSee 'docker ofelia --help'."
            )))
        }
        _ => {
            let rendered = e.render().to_string();
            let first = rendered
                .lines()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("invalid arguments")
                .trim_start_matches("error: ")
                .to_string();
            Err(Error::usage(format!(
                "{first}\nSee 'docker ofelia --help'."
            )))
        }
    }
}
