//! `docker ofelia up`.

use crate::app::App;
use crate::cli::UpArgs;
use crate::error::Result;

pub async fn run(_app: &App, _args: UpArgs) -> Result<()> {
    Err(super::not_yet("up"))
}
