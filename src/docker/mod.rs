//! The one adapter over the Docker Engine API (bollard). Everything that
//! talks to the engine goes through [`Engine`]; errors are rewritten into
//! docker's own wording here, once.

pub mod scheduler;

use std::time::Duration;

pub mod containers;
pub mod jobs;

use bollard::Docker;

pub mod ssh;
pub mod tls;

use crate::context::Endpoint;
use crate::error::{Error, Result};

/// How long a dead or unreachable endpoint may take to answer the first call:
/// short enough that the whole command reports it within 2 s.
pub const CONNECT_TIMEOUT: Duration = Duration::from_millis(1800);
/// The same for ssh:// engines, where ssh itself must connect and log in first.
pub const SSH_CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
/// The request timeout for every non-streaming engine call (response headers).
pub const REQUEST_TIMEOUT_SECS: u64 = 30;

/// A connected engine.
pub struct Engine {
    pub docker: Docker,
    pub endpoint: Endpoint,
    /// What the engine said to GET /version at connection time.
    pub version: bollard::models::SystemVersion,
}

impl Engine {
    /// Connects and checks the engine answers (GET /version, under
    /// [`CONNECT_TIMEOUT`]), negotiating the API version as docker does.
    pub async fn connect(endpoint: Endpoint) -> Result<Engine> {
        let docker = client_for(&endpoint)?;
        let host = endpoint.host.clone();
        let limit = if host.starts_with("ssh://") {
            SSH_CONNECT_TIMEOUT
        } else {
            CONNECT_TIMEOUT
        };
        let version = match tokio::time::timeout(limit, docker.version()).await {
            Err(_) => return Err(Error::DockerUnreachable { host }),
            Ok(Err(e)) => return Err(map_err(&host, e)),
            Ok(Ok(v)) => v,
        };
        Ok(Engine {
            docker,
            endpoint,
            version,
        })
    }

    /// Rewrites a bollard error for this engine.
    pub fn err(&self, e: bollard::errors::Error) -> Error {
        map_err(&self.endpoint.host, e)
    }

    /// The API version used: `DOCKER_API_VERSION`, else the lower of the
    /// engine's and ours (negotiation).
    pub fn api_version(&self) -> String {
        if let Some(v) = &self.endpoint.api_version {
            return v.clone();
        }
        let ours = bollard::API_DEFAULT_VERSION;
        let theirs = self.version.api_version.clone().unwrap_or_default();
        let parse = |s: &str| -> (usize, usize) {
            let mut it = s.split('.').map(|p| p.parse::<usize>().unwrap_or(0));
            (it.next().unwrap_or(0), it.next().unwrap_or(0))
        };
        let t = parse(&theirs);
        if t.0 == 0 && t.1 == 0 {
            return format!("{}.{}", ours.major_version, ours.minor_version);
        }
        if (ours.major_version, ours.minor_version) < t {
            format!("{}.{}", ours.major_version, ours.minor_version)
        } else {
            theirs
        }
    }

    /// Runs one engine call with the request timeout, mapping its error.
    pub async fn call<T>(
        &self,
        fut: impl std::future::Future<Output = Result<T, bollard::errors::Error>>,
    ) -> Result<T> {
        match tokio::time::timeout(Duration::from_secs(REQUEST_TIMEOUT_SECS), fut).await {
            Err(_) => Err(Error::Timeout {
                host: self.endpoint.host.clone(),
                secs: REQUEST_TIMEOUT_SECS,
            }),
            Ok(r) => r.map_err(|e| self.err(e)),
        }
    }
}

fn client_version(endpoint: &Endpoint) -> bollard::ClientVersion {
    if let Some(v) = &endpoint.api_version {
        let mut it = v.split('.').map(|p| p.parse::<usize>().ok());
        if let (Some(Some(major)), Some(Some(minor))) = (it.next(), it.next()) {
            return bollard::ClientVersion {
                major_version: major,
                minor_version: minor,
            };
        }
    }
    *bollard::API_DEFAULT_VERSION
}

fn client_for(endpoint: &Endpoint) -> Result<Docker> {
    let host = endpoint.host.as_str();
    let version = client_version(endpoint);
    if let Some(path) = host.strip_prefix("unix://") {
        return Docker::connect_with_unix(path, REQUEST_TIMEOUT_SECS, &version)
            .map_err(|e| map_err(host, e));
    }
    if let Some(addr) = host.strip_prefix("tcp://") {
        return match &endpoint.tls {
            None => {
                Docker::connect_with_http(&format!("http://{addr}"), REQUEST_TIMEOUT_SECS, &version)
                    .map_err(|e| map_err(host, e))
            }
            Some(tls) => tls::connect(addr, tls, REQUEST_TIMEOUT_SECS, &version),
        };
    }
    if host.starts_with("ssh://") {
        return ssh::connect(host, REQUEST_TIMEOUT_SECS, &version);
    }
    Err(Error::Endpoint(format!("unsupported Docker host: {host}")))
}

/// docker's wording for the errors users meet.
pub fn map_err(host: &str, e: bollard::errors::Error) -> Error {
    use bollard::errors::Error as B;
    match e {
        B::SocketNotFoundError(_) => Error::DockerUnreachable {
            host: host.to_string(),
        },
        B::DockerResponseServerError { message, .. } => Error::Daemon(message),
        B::IOError { err } if err.get_ref().is_some_and(|i| i.is::<ssh::DialError>()) => {
            Error::msg(err.to_string())
        }
        B::RequestTimeoutError => Error::Timeout {
            host: host.to_string(),
            secs: REQUEST_TIMEOUT_SECS,
        },
        other => {
            // Walk the source chain for the io error underneath hyper.
            let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&other);
            while let Some(s) = source {
                if std::env::var_os("DOCKER_OFELIA_DEBUG").is_some() {
                    eprintln!("docker-ofelia: engine error: {s:?}");
                }
                if let Some(tls) = s.downcast_ref::<rustls::Error>() {
                    return tls_error(host, tls);
                }
                if let Some(mut io) = s.downcast_ref::<std::io::Error>() {
                    // io::Error's source() skips the wrapped error itself, and
                    // hyper-rustls wraps io errors in io errors: unwrap by hand.
                    while let Some(inner) = io.get_ref() {
                        if let Some(tls) = inner.downcast_ref::<rustls::Error>() {
                            return tls_error(host, tls);
                        }
                        match inner.downcast_ref::<std::io::Error>() {
                            Some(i) => io = i,
                            None => break,
                        }
                    }
                    match io.kind() {
                        std::io::ErrorKind::PermissionDenied => {
                            let path = host.strip_prefix("unix://").unwrap_or(host);
                            return Error::DockerPermission {
                                host: host.to_string(),
                                detail: format!("dial unix {path}: connect: permission denied"),
                            };
                        }
                        std::io::ErrorKind::ConnectionRefused
                        | std::io::ErrorKind::NotFound
                        | std::io::ErrorKind::ConnectionReset
                        | std::io::ErrorKind::TimedOut
                        | std::io::ErrorKind::AddrNotAvailable => {
                            return Error::DockerUnreachable {
                                host: host.to_string(),
                            };
                        }
                        _ => {}
                    }
                }
                source = s.source();
            }
            let text = other.to_string();
            if text.contains("client error (Connect)") {
                return Error::DockerUnreachable {
                    host: host.to_string(),
                };
            }
            Error::msg(format!("error during connect: {text}"))
        }
    }
}

fn tls_error(host: &str, e: &rustls::Error) -> Error {
    let url = host.replacen("tcp://", "https://", 1);
    Error::msg(format!(
        "error during connect: Get \"{url}/version\": tls: {e}"
    ))
}
