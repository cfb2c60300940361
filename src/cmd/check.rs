//! `docker ofelia check`.

use crate::app::App;
use crate::cli::CheckArgs;
use crate::error::Result;

pub async fn run(_app: &App, _args: CheckArgs) -> Result<()> {
    Err(super::not_yet("check"))
}
