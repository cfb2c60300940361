//! One module per subcommand. Each takes the App and its parsed arguments.

use crate::app::App;
use crate::cli::Command;
use crate::error::Result;

pub mod check;
pub mod complete;
pub mod down;
pub mod explain;
pub mod history;
pub mod logs;
pub mod ls;
pub mod next;
pub mod ps;
pub mod run;
pub mod up;
pub mod version;
pub mod wait;

pub async fn dispatch(app: &App, command: Command) -> Result<()> {
    match command {
        Command::Ls(a) => ls::run(app, a).await,
        Command::Next(a) => next::run(app, a).await,
        Command::Explain(a) => explain::run(app, a).await,
        Command::Check(a) => check::run(app, a).await,
        Command::Up(a) => up::run(app, a).await,
        Command::Down(a) => down::run(app, a).await,
        Command::Ps(a) => ps::run(app, a).await,
        Command::Logs(a) => logs::run(app, a).await,
        Command::Run(a) => run::run(app, a).await,
        Command::History(a) => history::run(app, a).await,
        Command::Version(a) => version::run(app, a).await,
        Command::Wait(a) => wait::run(app, a).await,
    }
}

/// Prints warnings to stderr in docker's style (`WARNING: …`), sanitised.
pub(crate) fn print_warnings(warnings: &[String]) {
    use std::io::{IsTerminal, Write};
    let color = std::io::stderr().is_terminal() && crate::render::color_allowed();
    let mut err = std::io::stderr().lock();
    for w in warnings {
        let w = crate::render::sanitize(w);
        let _ = if color {
            writeln!(err, "\x1b[33mWARNING:\x1b[0m {w}")
        } else {
            writeln!(err, "WARNING: {w}")
        };
    }
}
