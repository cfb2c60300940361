//! `docker ofelia history`.

use crate::app::App;
use crate::cli::HistoryArgs;
use crate::error::Result;

pub async fn run(_app: &App, _args: HistoryArgs) -> Result<()> {
    Err(super::not_yet("history"))
}
