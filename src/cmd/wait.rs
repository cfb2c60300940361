//! `docker ofelia __wait` (hidden): waits until the command is cancelled, so
//! the tests can check cancellation (signals, the plugin socket) end to end
//! without depending on a long-running real command.

use std::time::Duration;

use crate::app::App;
use crate::cli::WaitArgs;
use crate::error::Result;

pub async fn run(app: &App, args: WaitArgs) -> Result<()> {
    if args.engine {
        app.cancellable(app.engine()).await?;
    }
    app.out.line("waiting")?;
    app.cancellable(async {
        tokio::time::sleep(Duration::from_secs(args.timeout)).await;
        Ok(())
    })
    .await
}
