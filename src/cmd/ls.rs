//! `docker ofelia ls`.

use crate::app::App;
use crate::cli::LsArgs;
use crate::error::Result;

pub async fn run(_app: &App, _args: LsArgs) -> Result<()> {
    Err(super::not_yet("ls"))
}
