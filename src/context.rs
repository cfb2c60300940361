//! Which Docker engine to talk to, chosen exactly as the docker CLI chooses it:
//! `--context` > `-H` > `DOCKER_HOST` > `DOCKER_CONTEXT` > `currentContext` in
//! config.json > the default socket; named contexts come from the context store
//! with their TLS material.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::plugin::GlobalOpts;

pub const DEFAULT_UNIX_HOST: &str = "unix:///var/run/docker.sock";
pub const DEFAULT_TLS_HOST: &str = "tcp://localhost:2376";

/// The environment as docker reads it (a snapshot, so resolution is testable).
#[derive(Debug, Clone, Default)]
pub struct Env {
    pub vars: HashMap<String, String>,
    pub home: Option<PathBuf>,
}

impl Env {
    pub fn from_process() -> Self {
        Env {
            vars: std::env::vars().collect(),
            home: dirs::home_dir(),
        }
    }

    /// A variable that is set and not empty (docker treats empty as unset).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.vars
            .get(key)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }
}

/// TLS settings for a tcp endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Tls {
    pub ca: Option<PathBuf>,
    pub cert: Option<PathBuf>,
    pub key: Option<PathBuf>,
    /// Verify the server's certificate (`--tlsverify`, `DOCKER_TLS_VERIFY`, or a
    /// context without SkipTLSVerify).
    pub verify: bool,
}

/// A resolved engine endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// The context name ("default" when none is used).
    pub context: String,
    /// `unix:///…`, `tcp://host:port` or `ssh://…`.
    pub host: String,
    pub tls: Option<Tls>,
    /// `DOCKER_API_VERSION`, when set.
    pub api_version: Option<String>,
}

/// docker's configuration directory: `--config`, else `DOCKER_CONFIG`, else `~/.docker`.
pub fn config_dir(globals: &GlobalOpts, env: &Env) -> PathBuf {
    if let Some(c) = &globals.config {
        return c.clone();
    }
    if let Some(c) = env.get("DOCKER_CONFIG") {
        return PathBuf::from(c);
    }
    env.home
        .clone()
        .unwrap_or_else(|| PathBuf::from("/"))
        .join(".docker")
}

fn sha256_hex(s: &str) -> String {
    let digest = Sha256::digest(s.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The context name docker would use (`resolveContextName`).
pub fn context_name(globals: &GlobalOpts, env: &Env, config_dir: &Path) -> Result<String> {
    if let Some(c) = &globals.context {
        if !globals.hosts.is_empty() {
            return Err(Error::usage(
                "conflicting options: cannot specify both --host and --context",
            ));
        }
        return Ok(c.clone());
    }
    if !globals.hosts.is_empty() || env.get("DOCKER_HOST").is_some() {
        return Ok("default".into());
    }
    if let Some(c) = env.get("DOCKER_CONTEXT") {
        return Ok(c.to_string());
    }
    let path = config_dir.join("config.json");
    match std::fs::read(&path) {
        Ok(bytes) => {
            let v: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| {
                Error::Endpoint(format!("loading config file: {}: {e}", path.display()))
            })?;
            if let Some(c) = v
                .get("currentContext")
                .and_then(|c| c.as_str())
                .filter(|c| !c.is_empty())
            {
                return Ok(c.to_string());
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => {
            return Err(Error::Endpoint(format!(
                "loading config file: {}: {e}",
                path.display()
            )))
        }
    }
    Ok("default".into())
}

/// Resolves the endpoint for this invocation.
pub fn resolve(globals: &GlobalOpts, env: &Env) -> Result<Endpoint> {
    let dir = config_dir(globals, env);
    let name = context_name(globals, env, &dir)?;
    let api_version = env.get("DOCKER_API_VERSION").map(str::to_string);
    if name == "default" {
        let mut ep = default_endpoint(globals, env, &dir)?;
        ep.api_version = api_version;
        return Ok(ep);
    }
    let mut ep = named_endpoint(&name, &dir)?;
    ep.api_version = api_version;
    Ok(ep)
}

fn default_endpoint(globals: &GlobalOpts, env: &Env, dir: &Path) -> Result<Endpoint> {
    if globals.hosts.len() > 1 {
        return Err(Error::usage("Specify only one -H"));
    }
    let tlsverify = globals
        .tlsverify
        .unwrap_or_else(|| env.get("DOCKER_TLS_VERIFY").is_some());
    let tls_on =
        globals.tls || globals.tlsverify.is_some() || tlsverify || env.get("DOCKER_TLS").is_some();
    let raw = globals
        .hosts
        .first()
        .map(String::as_str)
        .or_else(|| env.get("DOCKER_HOST"));
    let host = match raw {
        Some(h) => parse_host(h)?,
        None if tls_on => DEFAULT_TLS_HOST.to_string(),
        None => DEFAULT_UNIX_HOST.to_string(),
    };
    let tls = if tls_on {
        let cert_dir = env
            .get("DOCKER_CERT_PATH")
            .map(PathBuf::from)
            .unwrap_or_else(|| dir.to_path_buf());
        let pick = |flag: &Option<PathBuf>, file: &str, optional: bool| -> Option<PathBuf> {
            match flag {
                Some(p) => Some(p.clone()),
                None => {
                    let p = cert_dir.join(file);
                    if optional && !p.exists() {
                        None
                    } else {
                        Some(p)
                    }
                }
            }
        };
        Some(Tls {
            ca: pick(&globals.tlscacert, "ca.pem", !tlsverify),
            cert: pick(&globals.tlscert, "cert.pem", true),
            key: pick(&globals.tlskey, "key.pem", true),
            verify: tlsverify,
        })
    } else {
        None
    };
    Ok(Endpoint {
        context: "default".into(),
        host,
        tls,
        api_version: None,
    })
}

fn named_endpoint(name: &str, dir: &Path) -> Result<Endpoint> {
    let id = sha256_hex(name);
    let meta_path = dir
        .join("contexts")
        .join("meta")
        .join(&id)
        .join("meta.json");
    let bytes = std::fs::read(&meta_path).map_err(|e| {
        let detail = if e.kind() == std::io::ErrorKind::NotFound {
            "no such file or directory".to_string()
        } else {
            e.to_string()
        };
        Error::Endpoint(format!(
            "unable to resolve docker endpoint: context \"{name}\": context not found: open {}: {detail}",
            meta_path.display()
        ))
    })?;
    let meta: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| {
        Error::Endpoint(format!(
            "unable to resolve docker endpoint: context \"{name}\": {}: {e}",
            meta_path.display()
        ))
    })?;
    let docker = meta.pointer("/Endpoints/docker").ok_or_else(|| {
        Error::Endpoint(format!(
            "unable to resolve docker endpoint: context \"{name}\" has no docker endpoint"
        ))
    })?;
    let host = docker
        .get("Host")
        .and_then(|h| h.as_str())
        .unwrap_or(DEFAULT_UNIX_HOST);
    let host = parse_host(host)?;
    let skip_verify = docker
        .get("SkipTLSVerify")
        .and_then(|v| v.as_bool())
        .unwrap_or(false);
    let tls_dir = dir.join("contexts").join("tls").join(&id).join("docker");
    let file = |f: &str| Some(tls_dir.join(f)).filter(|p| p.exists());
    let (ca, cert, key) = (file("ca.pem"), file("cert.pem"), file("key.pem"));
    let tls = if host.starts_with("tcp://")
        && (ca.is_some() || cert.is_some() || key.is_some() || skip_verify)
    {
        Some(Tls {
            ca,
            cert,
            key,
            verify: !skip_verify,
        })
    } else {
        None
    };
    Ok(Endpoint {
        context: name.to_string(),
        host,
        tls,
        api_version: None,
    })
}

/// Normalises a `-H`/`DOCKER_HOST` value as docker does: `host:port` means tcp,
/// a tcp address without a port gets 2375.
pub fn parse_host(raw: &str) -> Result<String> {
    let h = raw.trim();
    if h.is_empty() {
        return Ok(DEFAULT_UNIX_HOST.to_string());
    }
    let (scheme, rest) = match h.split_once("://") {
        Some((s, r)) => (s.to_ascii_lowercase(), r.to_string()),
        None => ("tcp".to_string(), h.to_string()),
    };
    match scheme.as_str() {
        "unix" => {
            if rest.is_empty() {
                Ok(DEFAULT_UNIX_HOST.to_string())
            } else {
                Ok(format!("unix://{rest}"))
            }
        }
        "tcp" | "http" | "https" => {
            let hostport = rest.split('/').next().unwrap_or("");
            if hostport.is_empty() {
                return Err(Error::Endpoint(format!(
                    "invalid bind address ({raw}): empty host"
                )));
            }
            let has_port = match hostport.rsplit_once(':') {
                Some((_, p)) => !p.contains(']'),
                None => false,
            };
            let hp = if has_port {
                hostport.to_string()
            } else {
                format!("{hostport}:2375")
            };
            Ok(format!("tcp://{hp}"))
        }
        "ssh" => Ok(h.to_string()),
        "npipe" | "fd" => Err(Error::Endpoint(format!(
            "{scheme}:// hosts are not supported by docker-ofelia: {raw}"
        ))),
        _ => Err(Error::Endpoint(format!(
            "Invalid bind address format: {raw}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Env {
        Env {
            vars: pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            home: Some("/nonexistent-home".into()),
        }
    }

    #[test]
    fn host_forms() {
        assert_eq!(
            parse_host("unix:///x.sock").ok(),
            Some("unix:///x.sock".into())
        );
        assert_eq!(parse_host("tcp://h").ok(), Some("tcp://h:2375".into()));
        assert_eq!(parse_host("h:1234").ok(), Some("tcp://h:1234".into()));
        assert!(parse_host("bogus://x").is_err());
    }

    #[test]
    fn precedence_without_contexts() {
        let g = GlobalOpts::default();
        assert_eq!(
            resolve(&g, &env(&[])).map(|e| e.host).ok(),
            Some(DEFAULT_UNIX_HOST.into())
        );
        let e = env(&[("DOCKER_HOST", "unix:///a"), ("DOCKER_CONTEXT", "nope")]);
        assert_eq!(
            resolve(&g, &e).map(|e| e.host).ok(),
            Some("unix:///a".into())
        );
        let g2 = GlobalOpts {
            hosts: vec!["unix:///b".into()],
            ..Default::default()
        };
        assert_eq!(
            resolve(&g2, &e).map(|e| e.host).ok(),
            Some("unix:///b".into())
        );
    }

    #[test]
    fn unknown_context_uses_dockers_words() {
        let g = GlobalOpts {
            context: Some("nope".into()),
            config: Some("/nonexistent-cfg".into()),
            ..Default::default()
        };
        let err = resolve(&g, &env(&[])).expect_err("unknown").to_string();
        assert!(
            err.contains(
                "context \"nope\": context not found: open /nonexistent-cfg/contexts/meta/"
            ),
            "{err}"
        );
        assert!(
            err.ends_with("meta.json: no such file or directory"),
            "{err}"
        );
    }

    #[test]
    fn context_and_host_conflict() {
        let g = GlobalOpts {
            context: Some("x".into()),
            hosts: vec!["unix:///y".into()],
            ..Default::default()
        };
        assert!(matches!(resolve(&g, &env(&[])), Err(Error::Usage(_))));
    }

    #[test]
    fn tls_defaults() {
        let g = GlobalOpts {
            tlsverify: Some(true),
            ..Default::default()
        };
        let ep = resolve(&g, &env(&[("DOCKER_CERT_PATH", "/certs")])).expect("resolves");
        assert_eq!(ep.host, DEFAULT_TLS_HOST);
        let tls = ep.tls.expect("tls");
        assert!(tls.verify);
        assert_eq!(tls.ca, Some(PathBuf::from("/certs/ca.pem")));
        assert_eq!(tls.cert, None);
    }
}
