//! `docker ofelia explain`.

use crate::app::App;
use crate::cli::ExplainArgs;
use crate::error::Result;

pub async fn run(_app: &App, _args: ExplainArgs) -> Result<()> {
    Err(super::not_yet("explain"))
}
