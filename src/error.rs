//! One error type for the whole program. Every variant renders as one line
//! that a user can act on; Debug output never reaches the terminal.

use std::path::PathBuf;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A usage error (bad flag value, conflicting flags). Exit 125, as docker's builtins.
    #[error("{0}")]
    Usage(String),
    /// The engine could not be reached. The message is docker's own wording.
    #[error("Cannot connect to the Docker daemon at {host}. Is the docker daemon running?")]
    DockerUnreachable { host: String },
    #[error(
        "permission denied while trying to connect to the Docker daemon socket at {host}: {detail}"
    )]
    DockerPermission { host: String, detail: String },
    /// Engine endpoint selection failed (unknown context, bad host, TLS files).
    #[error("{0}")]
    Endpoint(String),
    /// The engine answered with an error.
    #[error("Error response from daemon: {0}")]
    Daemon(String),
    /// A Docker engine call that timed out.
    #[error("timed out after {secs} s waiting for the Docker daemon at {host}")]
    Timeout { host: String, secs: u64 },
    /// An invalid cron expression.
    #[error("{0}")]
    Schedule(String),
    /// A compose file could not be used.
    #[error("{0}")]
    Compose(String),
    /// Anything else the user did wrong or that went wrong, already worded.
    #[error("{0}")]
    Message(String),
    #[error("{path}: {source}")]
    File {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The command was cancelled (SIGINT, SIGTERM or the plugin socket closed).
    #[error("interrupted")]
    Interrupted,
    /// The command finished and wants this exit status (e.g. `check` with findings,
    /// `run` with the job's status) without printing anything more.
    #[error("exit status {0}")]
    Exit(u8),
}

impl Error {
    pub fn msg(s: impl Into<String>) -> Self {
        Error::Message(s.into())
    }

    pub fn usage(s: impl Into<String>) -> Self {
        Error::Usage(s.into())
    }

    /// The process exit status for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Usage(_) => 125,
            Error::Interrupted => 130,
            Error::Exit(code) => *code,
            _ => 1,
        }
    }

    /// True when the error is a closed stdout (`docker ofelia ls | head -1`):
    /// the program then exits quietly.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Io(e) if e.kind() == std::io::ErrorKind::BrokenPipe)
    }
}
