//! `docker ofelia run`.

use crate::app::App;
use crate::cli::RunArgs;
use crate::error::Result;

pub async fn run(_app: &App, _args: RunArgs) -> Result<()> {
    Err(super::not_yet("run"))
}
