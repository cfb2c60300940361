//! `docker ofelia next`.

use crate::app::App;
use crate::cli::NextArgs;
use crate::error::Result;

pub async fn run(_app: &App, _args: NextArgs) -> Result<()> {
    Err(super::not_yet("next"))
}
