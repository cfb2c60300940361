//! Engine calls for the scheduler's lifecycle (`up`, `down`, `ps`, `logs`).
//! Every bollard call of these commands lives here; the commands decide.

use std::collections::{BTreeMap, HashMap};
use std::pin::Pin;
use std::time::Duration;

use bollard::errors::Error as BollardError;
use bollard::models::{
    ContainerCreateBody, HostConfig, Mount, MountType, RestartPolicy, RestartPolicyNameEnum,
};
use bollard::query_parameters::{
    CreateContainerOptions, CreateImageOptions, ListContainersOptions, LogsOptions,
    RemoveContainerOptions, StopContainerOptions, WaitContainerOptions,
};
use futures_util::{Stream, StreamExt};
use sha2::{Digest, Sha256};

use super::{Engine, REQUEST_TIMEOUT_SECS};
use crate::error::{Error, Result};

/// Labels Ofelia itself reads.
pub const LABEL_SERVICE: &str = "ofelia.service";
pub const LABEL_ENABLED: &str = "ofelia.enabled";
/// Ownership labels of docker-ofelia (a contract other commands rely on).
pub const LABEL_MANAGED: &str = "io.docker-ofelia.managed";
pub const LABEL_PROJECT: &str = "io.docker-ofelia.project";
pub const LABEL_FLAVOR: &str = crate::labels::OWN_FLAVOR_LABEL;
pub const LABEL_HASH: &str = "io.docker-ofelia.config-hash";
/// Where the scheduler finds the engine, inside its container.
pub const SOCKET_IN_CONTAINER: &str = "/var/run/docker.sock";

/// Everything `up` asks the engine to create.
#[derive(Debug, Clone)]
pub struct Spec {
    pub name: String,
    pub image: String,
    /// The scheduler's arguments (the image's entrypoint is kept).
    pub cmd: Vec<String>,
    pub env: Vec<String>,
    /// All labels, ours included, except the config hash (added at creation).
    pub labels: BTreeMap<String, String>,
    pub network: Option<String>,
    /// The engine's socket on the engine's host, bind-mounted read-only.
    pub socket: String,
    /// Restart policy unless-stopped (detached) or none (foreground).
    pub restart: bool,
}

impl Spec {
    /// sha256 of the normalised configuration (sorted keys, the image's ID).
    pub fn config_hash(&self, image_id: &str) -> String {
        let mut env = self.env.clone();
        env.sort();
        let normal = serde_json::json!({
            "name": self.name,
            "image": self.image,
            "image_id": image_id,
            "cmd": self.cmd,
            "env": env,
            "labels": self.labels,
            "network": self.network,
            "socket": self.socket,
            "restart": if self.restart { "unless-stopped" } else { "no" },
        });
        let digest = Sha256::digest(normal.to_string().as_bytes());
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// A container found by name.
#[derive(Debug, Clone)]
pub struct Found {
    pub id: String,
    pub managed: bool,
    pub config_hash: Option<String>,
    pub running: bool,
}

/// A scheduler container (`ofelia.service=true`) for `ps` and `logs`.
#[derive(Debug, Clone)]
pub struct Service {
    pub id: String,
    pub name: String,
    pub image: String,
    pub labels: HashMap<String, String>,
    /// Entrypoint arguments then command, as run.
    pub args: Vec<String>,
    pub env: Vec<String>,
    /// created, running, exited…
    pub state: String,
    /// docker's own status text ("Up 5 minutes").
    pub status: String,
    pub started_at: Option<String>,
}

impl Service {
    pub fn managed(&self) -> bool {
        self.labels.get(LABEL_MANAGED).map(String::as_str) == Some("true")
    }

    /// Its `-f/--docker-filter` values (approximate: from its arguments).
    pub fn filters(&self) -> Vec<String> {
        docker_filters(&self.args)
    }

    /// The compose project its filters scope it to, if any.
    pub fn project_scope(&self) -> Option<String> {
        self.filters().iter().find_map(|f| {
            f.strip_prefix("label=com.docker.compose.project=")
                .map(str::to_string)
        })
    }
}

/// A scheduler's `-f/--docker-filter` values, from its arguments.
pub fn docker_filters(args: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "-f" || a == "--docker-filter" {
            if let Some(v) = it.next() {
                out.push(v.clone());
            }
        } else if let Some(v) = a
            .strip_prefix("--docker-filter=")
            .or_else(|| a.strip_prefix("-f="))
        {
            out.push(v.to_string());
        }
    }
    out
}

/// One update of an image pull.
#[derive(Debug, Clone)]
pub struct PullProgress {
    /// The layer (or empty for the image's own lines).
    pub id: String,
    pub status: String,
    pub current: Option<i64>,
    pub total: Option<i64>,
}

/// How a freshly started scheduler is doing.
#[derive(Debug)]
pub enum Startup {
    /// It logged that its scheduler started.
    Started,
    /// Still running when the grace period ended.
    Running,
    /// It exited: code and last lines.
    Exited { code: i64, last: Vec<String> },
}

/// Runs a call; `Ok(Err(status))` for the HTTP statuses in `pass`.
pub(crate) async fn call_status<T>(
    engine: &Engine,
    fut: impl std::future::Future<Output = std::result::Result<T, BollardError>>,
    pass: &[u16],
) -> Result<std::result::Result<T, (u16, String)>> {
    match tokio::time::timeout(Duration::from_secs(REQUEST_TIMEOUT_SECS), fut).await {
        Err(_) => Err(Error::Timeout {
            host: engine.endpoint.host.clone(),
            secs: REQUEST_TIMEOUT_SECS,
        }),
        Ok(Ok(v)) => Ok(Ok(v)),
        Ok(Err(BollardError::DockerResponseServerError {
            status_code,
            message,
        })) if pass.contains(&status_code) => Ok(Err((status_code, message))),
        Ok(Err(e)) => Err(engine.err(e)),
    }
}

/// The engine's socket path on its own host: the path of a unix endpoint;
/// for tcp and ssh endpoints the conventional /var/run/docker.sock (the
/// path on the remote host cannot be told from here).
pub fn engine_socket_path(engine: &Engine) -> String {
    match engine.endpoint.host.strip_prefix("unix://") {
        Some(p) if !p.is_empty() => p.to_string(),
        _ => SOCKET_IN_CONTAINER.to_string(),
    }
}

/// The image's ID, or `None` when the engine does not have it.
pub async fn image_id(engine: &Engine, image: &str) -> Result<Option<String>> {
    match call_status(engine, engine.docker.inspect_image(image), &[404]).await? {
        Ok(i) => Ok(Some(i.id.unwrap_or_default())),
        Err(_) => Ok(None),
    }
}

/// Pulls `image`, reporting progress; returns when done.
pub fn pull<'a>(
    engine: &'a Engine,
    image: &str,
) -> Pin<Box<dyn Stream<Item = Result<PullProgress>> + 'a>> {
    let (repo, tag) = split_ref(image);
    let opts = CreateImageOptions {
        from_image: Some(repo),
        tag: Some(tag),
        ..Default::default()
    };
    let s = engine
        .docker
        .create_image(Some(opts), None, None)
        .map(move |r| match r {
            Ok(info) => {
                if let Some(detail) = info.error_detail {
                    return Err(Error::Daemon(detail.message.unwrap_or_default()));
                }
                let (current, total) = info
                    .progress_detail
                    .map(|p| (p.current, p.total))
                    .unwrap_or((None, None));
                Ok(PullProgress {
                    id: info.id.unwrap_or_default(),
                    status: info.status.unwrap_or_default(),
                    current,
                    total,
                })
            }
            Err(e) => Err(engine.err(e)),
        });
    Box::pin(s)
}

/// `repo[:tag][@digest]` → (repo, tag or digest), `latest` by default.
fn split_ref(image: &str) -> (String, String) {
    if let Some((repo, digest)) = image.split_once('@') {
        return (repo.to_string(), digest.to_string());
    }
    let slash = image.rfind('/').map_or(0, |i| i + 1);
    match image[slash..].rfind(':') {
        Some(i) => (
            image[..slash + i].to_string(),
            image[slash + i + 1..].to_string(),
        ),
        None => (image.to_string(), "latest".to_string()),
    }
}

/// The container called `name`, if any.
pub async fn find(engine: &Engine, name: &str) -> Result<Option<Found>> {
    let c = match call_status(engine, engine.docker.inspect_container(name, None), &[404]).await? {
        Ok(c) => c,
        Err(_) => return Ok(None),
    };
    let labels = c
        .config
        .as_ref()
        .and_then(|c| c.labels.clone())
        .unwrap_or_default();
    Ok(Some(Found {
        id: c.id.unwrap_or_default(),
        managed: labels.get(LABEL_MANAGED).map(String::as_str) == Some("true"),
        config_hash: labels.get(LABEL_HASH).cloned(),
        running: c.state.and_then(|s| s.running).unwrap_or(false),
    }))
}

/// Creates the container; `Ok(None)` when the name is already taken (409).
pub async fn create(engine: &Engine, spec: &Spec, hash: &str) -> Result<Option<String>> {
    let mut labels: HashMap<String, String> = spec
        .labels
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    labels.insert(LABEL_HASH.to_string(), hash.to_string());
    let host_config = HostConfig {
        mounts: Some(vec![Mount {
            target: Some(SOCKET_IN_CONTAINER.to_string()),
            source: Some(spec.socket.clone()),
            typ: Some(MountType::BIND),
            read_only: Some(true),
            ..Default::default()
        }]),
        restart_policy: Some(RestartPolicy {
            name: Some(if spec.restart {
                RestartPolicyNameEnum::UNLESS_STOPPED
            } else {
                RestartPolicyNameEnum::NO
            }),
            maximum_retry_count: None,
        }),
        network_mode: spec.network.clone(),
        ..Default::default()
    };
    let body = ContainerCreateBody {
        image: Some(spec.image.clone()),
        cmd: Some(spec.cmd.clone()),
        env: Some(spec.env.clone()),
        labels: Some(labels),
        host_config: Some(host_config),
        ..Default::default()
    };
    let opts = CreateContainerOptions {
        name: Some(spec.name.clone()),
        ..Default::default()
    };
    match call_status(
        engine,
        engine.docker.create_container(Some(opts), body),
        &[409],
    )
    .await?
    {
        Ok(r) => Ok(Some(r.id)),
        Err(_) => Ok(None),
    }
}

/// Starts the container; one already running (304, a concurrent `up`) is fine.
pub async fn start(engine: &Engine, id: &str) -> Result<()> {
    call_status(engine, engine.docker.start_container(id, None), &[304])
        .await?
        .ok();
    Ok(())
}

/// Stops (SIGTERM, then SIGKILL after `grace`) and removes; a container
/// already gone is fine.
pub async fn stop_and_remove(engine: &Engine, id: &str, grace: Duration) -> Result<()> {
    let opts = StopContainerOptions {
        t: Some(i32::try_from(grace.as_secs()).unwrap_or(10)),
        signal: None,
    };
    call_status(
        engine,
        engine.docker.stop_container(id, Some(opts)),
        &[304, 404],
    )
    .await?
    .ok();
    remove(engine, id).await
}

/// Removes (forcefully); a container already gone is fine.
pub async fn remove(engine: &Engine, id: &str) -> Result<()> {
    let opts = RemoveContainerOptions {
        force: true,
        v: false,
        link: false,
    };
    // 409: removal already in progress (a concurrent `down`).
    call_status(
        engine,
        engine.docker.remove_container(id, Some(opts)),
        &[404, 409],
    )
    .await?
    .ok();
    Ok(())
}

/// Containers labelled `key=value` (or just `key` when `value` is None).
async fn list_by_label(
    engine: &Engine,
    filters: &[String],
    all: bool,
) -> Result<Vec<bollard::models::ContainerSummary>> {
    let mut f = HashMap::new();
    f.insert("label".to_string(), filters.to_vec());
    let opts = ListContainersOptions {
        all,
        filters: Some(f),
        ..Default::default()
    };
    engine.call(engine.docker.list_containers(Some(opts))).await
}

fn name_of(c: &bollard::models::ContainerSummary) -> String {
    c.names
        .as_ref()
        .and_then(|n| n.first())
        .map(|n| n.trim_start_matches('/').to_string())
        .unwrap_or_default()
}

/// docker-ofelia's own schedulers: (id, name, project label).
pub async fn list_managed(engine: &Engine) -> Result<Vec<(String, String, String)>> {
    let list = list_by_label(engine, &[format!("{LABEL_MANAGED}=true")], true).await?;
    Ok(list
        .into_iter()
        .map(|c| {
            let project = c
                .labels
                .as_ref()
                .and_then(|l| l.get(LABEL_PROJECT).cloned())
                .unwrap_or_default();
            (c.id.clone().unwrap_or_default(), name_of(&c), project)
        })
        .collect())
}

/// Every scheduler container on the engine (`ofelia.service=true`), ours or not.
pub async fn list_services(engine: &Engine) -> Result<Vec<Service>> {
    let list = list_by_label(engine, &[format!("{LABEL_SERVICE}=true")], true).await?;
    let inspections =
        futures_util::future::join_all(
            list.iter().map(|c| {
                let id = c.id.clone().unwrap_or_default();
                async move {
                    call_status(engine, engine.docker.inspect_container(&id, None), &[404]).await
                }
            }),
        )
        .await;
    let mut out = Vec::new();
    for (c, ins) in list.into_iter().zip(inspections) {
        // Removed meanwhile: skip it.
        let Ok(ins) = ins? else { continue };
        let config = ins.config.unwrap_or_default();
        let mut args = config.entrypoint.unwrap_or_default();
        args.extend(config.cmd.unwrap_or_default());
        let state = ins.state.unwrap_or_default();
        out.push(Service {
            id: c.id.clone().unwrap_or_default(),
            name: name_of(&c),
            image: c.image.clone().unwrap_or_default(),
            labels: c.labels.clone().unwrap_or_default(),
            args,
            env: config.env.unwrap_or_default(),
            state: state.status.map(|s| s.to_string()).unwrap_or_default(),
            status: c.status.clone().unwrap_or_default(),
            started_at: state.started_at,
        });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// What `logs` asks for.
#[derive(Debug, Clone, Default)]
pub struct LogsRequest {
    pub follow: bool,
    /// "all" or a number.
    pub tail: Option<String>,
    /// Unix seconds.
    pub since: Option<i32>,
}

/// The container's log, line by line (stdout and stderr merged, line endings
/// removed except a `\r` the scheduler wrote).
pub fn log_lines<'a>(
    engine: &'a Engine,
    id: &str,
    req: &LogsRequest,
) -> Pin<Box<dyn Stream<Item = Result<String>> + 'a>> {
    let opts = LogsOptions {
        follow: req.follow,
        stdout: true,
        stderr: true,
        since: req.since.unwrap_or(0),
        until: 0,
        timestamps: false,
        tail: req.tail.clone().unwrap_or_else(|| "all".to_string()),
    };
    let chunks = engine.docker.logs(id, Some(opts));
    let lines = futures_util::stream::unfold(
        (Box::pin(chunks), Vec::<u8>::new(), false),
        move |(mut chunks, mut buf, mut done)| async move {
            loop {
                if let Some(pos) = buf.iter().position(|b| *b == b'\n') {
                    let line: Vec<u8> = buf.drain(..=pos).collect();
                    let text = String::from_utf8_lossy(&line[..line.len() - 1]).into_owned();
                    return Some((Ok(text), (chunks, buf, done)));
                }
                if done {
                    if buf.is_empty() {
                        return None;
                    }
                    let text = String::from_utf8_lossy(&buf).into_owned();
                    buf.clear();
                    return Some((Ok(text), (chunks, buf, done)));
                }
                match chunks.next().await {
                    Some(Ok(out)) => buf.extend_from_slice(out.as_ref()),
                    Some(Err(e)) => {
                        done = true;
                        buf.clear();
                        return Some((Err(engine.err(e)), (chunks, buf, done)));
                    }
                    None => done = true,
                }
            }
        },
    );
    Box::pin(lines)
}

/// The last `n` lines of the container's log.
pub async fn last_lines(engine: &Engine, id: &str, n: usize) -> Result<Vec<String>> {
    let req = LogsRequest {
        follow: false,
        tail: Some(n.to_string()),
        since: None,
    };
    let mut s = log_lines(engine, id, &req);
    let mut out = Vec::new();
    while let Some(l) = s.next().await {
        out.push(l?);
    }
    Ok(out)
}

/// The container's exit code once it is not running.
pub async fn wait_exit(engine: &Engine, id: &str) -> Result<i64> {
    let opts = WaitContainerOptions {
        condition: "not-running".to_string(),
    };
    let mut s = engine.docker.wait_container(id, Some(opts));
    match s.next().await {
        Some(Ok(r)) => Ok(r.status_code),
        // bollard reports a non-zero exit as an error carrying the code.
        Some(Err(BollardError::DockerContainerWaitError { code, .. })) => Ok(code),
        Some(Err(e)) => Err(engine.err(e)),
        None => Ok(0),
    }
}

/// Watches a started scheduler for up to `grace`: did it log that it started,
/// is it still running, or did it exit?
pub async fn watch_startup(engine: &Engine, id: &str, grace: Duration) -> Result<Startup> {
    let req = LogsRequest {
        follow: true,
        tail: None,
        since: None,
    };
    let started = async {
        let mut lines = log_lines(engine, id, &req);
        while let Some(line) = lines.next().await {
            let line = line?;
            if let Some(rec) = crate::ofelia_log::parse_record(&line) {
                if crate::ofelia_log::is_scheduler_started(&rec.message) {
                    return Ok::<bool, Error>(true);
                }
            }
        }
        Ok(false)
    };
    let exited = wait_exit(engine, id);
    tokio::select! {
        r = started => {
            if r? {
                return Ok(Startup::Started);
            }
            // The log ended: it stopped.
            let code = wait_exit(engine, id).await?;
            Ok(Startup::Exited { code, last: last_lines(engine, id, 10).await? })
        }
        code = exited => {
            let code = code?;
            Ok(Startup::Exited { code, last: last_lines(engine, id, 10).await? })
        }
        _ = tokio::time::sleep(grace) => Ok(Startup::Running),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_references() {
        assert_eq!(
            split_ref("mcuadros/ofelia"),
            ("mcuadros/ofelia".into(), "latest".into())
        );
        assert_eq!(
            split_ref("ghcr.io/netresearch/ofelia:0.29.0"),
            ("ghcr.io/netresearch/ofelia".into(), "0.29.0".into())
        );
        assert_eq!(
            split_ref("localhost:5000/ofelia"),
            ("localhost:5000/ofelia".into(), "latest".into())
        );
        assert_eq!(
            split_ref("a/b@sha256:00"),
            ("a/b".into(), "sha256:00".into())
        );
    }

    #[test]
    fn hash_is_stable_and_sensitive() {
        let spec = Spec {
            name: "ofelia".into(),
            image: "mcuadros/ofelia:latest".into(),
            cmd: vec!["daemon".into(), "--docker".into()],
            env: vec!["TZ=UTC".into(), "A=1".into()],
            labels: BTreeMap::from([("ofelia.service".into(), "true".into())]),
            network: None,
            socket: "/var/run/docker.sock".into(),
            restart: true,
        };
        let h = spec.config_hash("sha256:1");
        assert_eq!(h.len(), 64);
        let mut reordered = spec.clone();
        reordered.env.reverse();
        assert_eq!(reordered.config_hash("sha256:1"), h);
        let mut other = spec.clone();
        other.env.push("B=2".into());
        assert_ne!(other.config_hash("sha256:1"), h);
        assert_ne!(spec.config_hash("sha256:2"), h);
    }
}
