//! `ssh://[user@]host[:port]` engines, the way docker reaches them: run
//! `ssh … HOST docker system dial-stdio` and speak HTTP/1.1 over its stdin and
//! stdout, one ssh process per request (the connection is not reused).

use std::process::Stdio;
use std::time::Duration;

use bollard::Docker;
use hyper_util::rt::TokioIo;
use tokio::io::AsyncReadExt;
use tokio::process::Command;

use crate::error::{Error, Result};

/// The program to run (`ssh`; `DOCKER_OFELIA_SSH` overrides it, for tests).
fn ssh_program() -> String {
    std::env::var("DOCKER_OFELIA_SSH")
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "ssh".to_string())
}

/// The ssh arguments for an `ssh://` URL, as docker's connhelper builds them.
pub fn ssh_args(url: &str) -> Result<Vec<String>> {
    let bad = |why: &str| Error::Endpoint(format!("invalid ssh URL {url}: {why}"));
    let rest = url
        .strip_prefix("ssh://")
        .ok_or_else(|| bad("no ssh:// scheme"))?;
    let (authority, path) = match rest.split_once('/') {
        Some((a, p)) => (a, p),
        None => (rest, ""),
    };
    if !path.is_empty() {
        return Err(bad("extra path after the host"));
    }
    let (user, hostport) = match authority.rsplit_once('@') {
        Some((u, h)) => (Some(u), h),
        None => (None, authority),
    };
    if user.is_some_and(|u| u.contains(':')) {
        return Err(bad("plain-text password is not supported"));
    }
    let (host, port) = if let Some(v6) = hostport.strip_prefix('[') {
        match v6.split_once(']') {
            Some((h, p)) => (h, p.strip_prefix(':')),
            None => return Err(bad("unclosed [")),
        }
    } else {
        match hostport.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (hostport, None),
        }
    };
    if host.is_empty() {
        return Err(bad("no host"));
    }
    if host.starts_with('-') {
        return Err(bad("host must not start with -"));
    }
    let mut args = vec![
        "-o".to_string(),
        "ConnectTimeout=30".to_string(),
        "-T".to_string(),
    ];
    if let Some(u) = user.filter(|u| !u.is_empty()) {
        args.extend(["-l".to_string(), u.to_string()]);
    }
    if let Some(p) = port.filter(|p| !p.is_empty()) {
        if p.parse::<u16>().is_err() {
            return Err(bad("invalid port"));
        }
        args.extend(["-p".to_string(), p.to_string()]);
    }
    args.extend(
        ["--", host, "docker", "system", "dial-stdio"]
            .iter()
            .map(|s| s.to_string()),
    );
    Ok(args)
}

/// An error from the ssh helper, already in docker's words.
#[derive(Debug)]
pub struct DialError(pub String);

impl std::fmt::Display for DialError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DialError {}

fn dial_error(msg: String) -> bollard::errors::Error {
    bollard::errors::Error::from(std::io::Error::other(DialError(msg)))
}

/// A bollard client whose every request runs over a fresh `ssh … dial-stdio`.
pub fn connect(url: &str, timeout: u64, version: &bollard::ClientVersion) -> Result<Docker> {
    let program = ssh_program();
    let args = ssh_args(url)?;
    let transport = move |req: bollard::BollardRequest| {
        let program = program.clone();
        let args = args.clone();
        async move { request(&program, &args, req).await }
    };
    Docker::connect_with_custom_transport(
        transport,
        Some("http://docker.example.com"),
        timeout,
        version,
    )
    .map_err(|e| Error::Endpoint(format!("ssh setup failed: {e}")))
}

async fn request(
    program: &str,
    args: &[String],
    mut req: bollard::BollardRequest,
) -> std::result::Result<hyper::Response<hyper::body::Incoming>, bollard::errors::Error> {
    let shown = format!("[{program} {}]", args.join(" "));
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| dial_error(format!("error during connect: command {shown}: {e}")))?;
    let (Some(stdin), Some(stdout), Some(stderr)) =
        (child.stdin.take(), child.stdout.take(), child.stderr.take())
    else {
        return Err(dial_error(format!(
            "error during connect: command {shown}: no pipes"
        )));
    };
    // Drain ssh's stderr at once (a full or closed pipe would stop ssh);
    // keep it for the error message.
    let stderr = tokio::spawn(async move {
        let mut stderr = stderr;
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text).await;
        text
    });
    let io = TokioIo::new(tokio::io::join(stdout, stdin));
    // Origin-form request line and a Host header, as an HTTP/1.1 server expects.
    let path = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "/".to_string());
    if let Ok(uri) = path.parse() {
        *req.uri_mut() = uri;
    }
    req.headers_mut().entry(hyper::header::HOST).or_insert(
        hyper::header::HeaderValue::from_static("docker.example.com"),
    );

    let (mut sender, conn) = match hyper::client::conn::http1::handshake(io).await {
        Ok(x) => x,
        Err(_) => return Err(dial_failure(&shown, Some(child), stderr).await),
    };
    // The connection task owns the ssh process: it ends (and ssh is killed)
    // when the response body has been read or dropped.
    tokio::spawn(async move {
        let _ = conn.await;
        drop(child);
    });
    match sender.send_request(req).await {
        Ok(resp) => Ok(resp),
        Err(e) if e.is_closed() || e.is_incomplete_message() => {
            Err(dial_failure(&shown, None, stderr).await)
        }
        Err(e) => Err(bollard::errors::Error::from(e)),
    }
}

/// docker's words for an ssh helper that failed, with what it said on stderr.
async fn dial_failure(
    shown: &str,
    child: Option<tokio::process::Child>,
    stderr: tokio::task::JoinHandle<String>,
) -> bollard::errors::Error {
    let text = match tokio::time::timeout(Duration::from_secs(1), stderr).await {
        Ok(Ok(t)) => t,
        _ => String::new(),
    };
    let status = match child {
        Some(mut child) => match tokio::time::timeout(Duration::from_secs(1), child.wait()).await {
            Ok(Ok(s)) => format!(" with {s}"),
            _ => {
                let _ = child.kill().await;
                String::new()
            }
        },
        None => String::new(),
    };
    dial_error(format!(
        "error during connect: command {shown} has exited{status}, make sure the URL is valid, and Docker 18.09 or later is installed on the remote host: stderr={}",
        text.trim().replace('\n', " ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ssh_urls() {
        let a = ssh_args("ssh://me@host:2222").expect("args");
        assert_eq!(
            a.join(" "),
            "-o ConnectTimeout=30 -T -l me -p 2222 -- host docker system dial-stdio"
        );
        let a = ssh_args("ssh://host").expect("args");
        assert_eq!(
            a.join(" "),
            "-o ConnectTimeout=30 -T -- host docker system dial-stdio"
        );
        let a = ssh_args("ssh://[::1]:22").expect("args");
        assert!(a.join(" ").contains("-p 22 -- ::1 docker"));
        assert!(ssh_args("ssh://u:pw@host").is_err());
        assert!(ssh_args("ssh://-oProxyCommand=x").is_err());
        assert!(ssh_args("ssh://host/path").is_err());
        assert!(ssh_args("ssh://host:notaport").is_err());
    }
}
