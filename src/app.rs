//! What every command gets: docker's global flags, the output, the
//! cancellation token and (lazily, only for commands that need it) the engine.

use tokio::sync::OnceCell;
use tokio_util::sync::CancellationToken;

use crate::docker::Engine;
use crate::error::Result;
use crate::plugin::GlobalOpts;
use crate::render::Output;

pub struct App {
    pub globals: GlobalOpts,
    pub cancel: CancellationToken,
    pub out: Output,
    engine: OnceCell<Engine>,
}

impl App {
    pub fn new(globals: GlobalOpts) -> Self {
        App {
            globals,
            cancel: CancellationToken::new(),
            out: Output::stdout(),
            engine: OnceCell::new(),
        }
    }

    /// The Docker engine, connected on first use exactly as docker would
    /// choose it (`--context`, `-H`, `DOCKER_HOST`, contexts, TLS).
    pub async fn engine(&self) -> Result<&Engine> {
        self.engine
            .get_or_try_init(|| async {
                let endpoint =
                    crate::context::resolve(&self.globals, &crate::context::Env::from_process())?;
                Engine::connect(endpoint).await
            })
            .await
    }

    /// Runs `fut` unless the command is cancelled first (then `Error::Interrupted`).
    pub async fn cancellable<T>(
        &self,
        fut: impl std::future::Future<Output = Result<T>>,
    ) -> Result<T> {
        tokio::select! {
            r = fut => r,
            _ = self.cancel.cancelled() => Err(crate::Error::Interrupted),
        }
    }
}

/// Starts watching the plugin socket and signals.
pub fn watch_cancellation(app: &App) {
    crate::plugin::watch_cancellation(app.cancel.clone());
}
