//! `docker ofelia logs`.

use crate::app::App;
use crate::cli::LogsArgs;
use crate::error::Result;

pub async fn run(_app: &App, _args: LogsArgs) -> Result<()> {
    Err(super::not_yet("logs"))
}
