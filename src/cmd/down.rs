//! `docker ofelia down`.

use crate::app::App;
use crate::cli::DownArgs;
use crate::error::Result;

pub async fn run(_app: &App, _args: DownArgs) -> Result<()> {
    Err(super::not_yet("down"))
}
