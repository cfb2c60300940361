//! `docker ofelia ps`.

use crate::app::App;
use crate::cli::PsArgs;
use crate::error::Result;

pub async fn run(_app: &App, _args: PsArgs) -> Result<()> {
    Err(super::not_yet("ps"))
}
