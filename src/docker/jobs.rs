//! Engine calls for `run` (a job now, as Ofelia runs it) and `history`
//! (the scheduler's save folder). Requests are plain data with their Engine
//! API body and an equivalent docker command line, so `--dry-run` prints
//! exactly what would be sent.

use std::collections::HashMap;
use std::io::Write;
use std::time::Duration;

use bollard::exec::{StartExecOptions, StartExecResults};
use bollard::models::{ContainerCreateBody, ExecConfig, HostConfig};
use bollard::query_parameters::{
    CreateContainerOptions, DownloadFromContainerOptions, LogsOptions, StopContainerOptions,
};
use futures_util::StreamExt;
use serde_json::json;
use tokio_util::sync::CancellationToken;

use super::scheduler::{self, call_status};
use super::Engine;
use crate::error::{Error, Result};

/// Label put on every container `run` creates (value: the job's name), so
/// that leftovers can be found.
pub const LABEL_RUN: &str = "io.docker-ofelia.run";

/// An exec in a running container (job-exec, and job-local in the scheduler).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExecSpec {
    pub container: String,
    pub cmd: Vec<String>,
    /// None: the image's user.
    pub user: Option<String>,
    pub tty: bool,
    pub env: Vec<String>,
    pub working_dir: Option<String>,
    pub privileged: bool,
}

impl ExecSpec {
    fn config(&self) -> ExecConfig {
        ExecConfig {
            attach_stdin: Some(false),
            attach_stdout: Some(true),
            attach_stderr: Some(true),
            tty: Some(self.tty),
            env: (!self.env.is_empty()).then(|| self.env.clone()),
            cmd: Some(self.cmd.clone()),
            privileged: self.privileged.then_some(true),
            user: self.user.clone(),
            working_dir: self.working_dir.clone(),
            ..Default::default()
        }
    }

    /// `POST /containers/{id}/exec` and its body.
    pub fn request(&self) -> (String, serde_json::Value) {
        let body = serde_json::to_value(self.config()).unwrap_or_default();
        (format!("POST /containers/{}/exec", self.container), body)
    }

    /// The equivalent `docker exec` command line.
    pub fn command_line(&self) -> String {
        let mut a: Vec<String> = vec!["docker".into(), "exec".into()];
        if let Some(u) = &self.user {
            a.extend(["--user".into(), u.clone()]);
        }
        if self.tty {
            a.push("--tty".into());
        }
        if self.privileged {
            a.push("--privileged".into());
        }
        if let Some(w) = &self.working_dir {
            a.extend(["--workdir".into(), w.clone()]);
        }
        for e in &self.env {
            a.extend(["--env".into(), e.clone()]);
        }
        a.push(self.container.clone());
        a.extend(self.cmd.iter().cloned());
        shell_join(&a)
    }
}

/// A container created for a job-run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ContainerSpec {
    pub name: Option<String>,
    pub image: String,
    /// Empty: the image's command.
    pub cmd: Vec<String>,
    pub entrypoint: Option<Vec<String>>,
    pub user: Option<String>,
    pub tty: bool,
    pub env: Vec<String>,
    pub network: Option<String>,
    pub hostname: Option<String>,
    pub binds: Vec<String>,
    pub volumes_from: Vec<String>,
    pub working_dir: Option<String>,
    pub labels: Vec<(String, String)>,
    /// Removed once it exits (`delete`).
    pub delete: bool,
}

impl ContainerSpec {
    fn body(&self) -> ContainerCreateBody {
        let host_config = HostConfig {
            binds: (!self.binds.is_empty()).then(|| self.binds.clone()),
            volumes_from: (!self.volumes_from.is_empty()).then(|| self.volumes_from.clone()),
            network_mode: self.network.clone(),
            ..Default::default()
        };
        ContainerCreateBody {
            image: Some(self.image.clone()),
            cmd: (!self.cmd.is_empty()).then(|| self.cmd.clone()),
            entrypoint: self.entrypoint.clone(),
            user: self.user.clone(),
            tty: Some(self.tty),
            attach_stdin: Some(false),
            attach_stdout: Some(true),
            attach_stderr: Some(true),
            env: (!self.env.is_empty()).then(|| self.env.clone()),
            hostname: self.hostname.clone(),
            working_dir: self.working_dir.clone(),
            labels: Some(self.labels.iter().cloned().collect::<HashMap<_, _>>()),
            host_config: Some(host_config),
            ..Default::default()
        }
    }

    /// `POST /containers/create[?name=…]` and its body.
    pub fn request(&self) -> (String, serde_json::Value) {
        let mut body = serde_json::to_value(self.body()).unwrap_or_default();
        // Stable key order in the printed labels.
        if let Some(l) = body.get_mut("Labels") {
            let sorted: std::collections::BTreeMap<String, String> =
                self.labels.iter().cloned().collect();
            *l = json!(sorted);
        }
        let q = self
            .name
            .as_ref()
            .map(|n| format!("?name={n}"))
            .unwrap_or_default();
        (format!("POST /containers/create{q}"), body)
    }

    /// The equivalent `docker run` command line.
    pub fn command_line(&self) -> String {
        let mut a: Vec<String> = vec!["docker".into(), "run".into()];
        if self.delete {
            a.push("--rm".into());
        }
        if let Some(n) = &self.name {
            a.extend(["--name".into(), n.clone()]);
        }
        push_common_flags(
            &mut a,
            &CommonFlags {
                labels: &self.labels,
                user: self.user.as_deref(),
                tty: self.tty,
                network: self.network.as_deref(),
                hostname: self.hostname.as_deref(),
                workdir: self.working_dir.as_deref(),
            },
        );
        for v in &self.binds {
            a.extend(["--volume".into(), v.clone()]);
        }
        for v in &self.volumes_from {
            a.extend(["--volumes-from".into(), v.clone()]);
        }
        for e in &self.env {
            a.extend(["--env".into(), e.clone()]);
        }
        let mut rest: Vec<String> = Vec::new();
        if let Some(ep) = &self.entrypoint {
            if let Some((first, more)) = ep.split_first() {
                a.extend(["--entrypoint".into(), first.clone()]);
                rest.extend(more.iter().cloned());
            }
        }
        a.push(self.image.clone());
        a.extend(rest);
        a.extend(self.cmd.iter().cloned());
        shell_join(&a)
    }
}

/// The flags `docker run` and `docker service create` spell the same way.
struct CommonFlags<'a> {
    labels: &'a [(String, String)],
    user: Option<&'a str>,
    tty: bool,
    network: Option<&'a str>,
    hostname: Option<&'a str>,
    workdir: Option<&'a str>,
}

fn push_common_flags(a: &mut Vec<String>, f: &CommonFlags<'_>) {
    fn opt(a: &mut Vec<String>, flag: &str, value: Option<&str>) {
        if let Some(v) = value {
            a.extend([flag.to_string(), v.to_string()]);
        }
    }
    for (k, v) in f.labels {
        a.extend(["--label".into(), format!("{k}={v}")]);
    }
    opt(a, "--user", f.user);
    if f.tty {
        a.push("--tty".into());
    }
    opt(a, "--network", f.network);
    opt(a, "--hostname", f.hostname);
    opt(a, "--workdir", f.workdir);
}

/// A one-off swarm service for a job-service-run (restart condition none,
/// one replica), as Ofelia's RunServiceJob creates it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ServiceSpec {
    pub name: String,
    pub image: String,
    /// Ofelia puts the command (split on single spaces) into the container
    /// spec's `Command`, which replaces the image's entrypoint.
    pub cmd: Vec<String>,
    pub user: Option<String>,
    pub tty: bool,
    pub env: Vec<String>,
    pub network: Option<String>,
    pub hostname: Option<String>,
    pub dir: Option<String>,
    pub binds: Vec<String>,
    pub labels: Vec<(String, String)>,
    pub delete: bool,
}

impl ServiceSpec {
    fn body(&self) -> bollard::models::ServiceSpec {
        use bollard::models::{
            Mount, MountType, NetworkAttachmentConfig, ServiceSpecMode, ServiceSpecModeReplicated,
            TaskSpec, TaskSpecContainerSpec, TaskSpecRestartPolicy,
            TaskSpecRestartPolicyConditionEnum,
        };
        let labels: HashMap<String, String> = self.labels.iter().cloned().collect();
        let mounts: Vec<Mount> = self
            .binds
            .iter()
            .filter_map(|b| {
                let mut parts = b.split(':');
                let source = parts.next()?.to_string();
                let target = parts.next()?.to_string();
                let ro = parts
                    .next()
                    .is_some_and(|o| o.split(',').any(|x| x == "ro"));
                Some(Mount {
                    source: Some(source),
                    target: Some(target),
                    typ: Some(MountType::BIND),
                    read_only: ro.then_some(true),
                    ..Default::default()
                })
            })
            .collect();
        bollard::models::ServiceSpec {
            name: Some(self.name.clone()),
            labels: Some(labels.clone()),
            task_template: Some(TaskSpec {
                container_spec: Some(TaskSpecContainerSpec {
                    image: Some(self.image.clone()),
                    labels: Some(labels),
                    command: (!self.cmd.is_empty()).then(|| self.cmd.clone()),
                    user: self.user.clone(),
                    tty: self.tty.then_some(true),
                    env: (!self.env.is_empty()).then(|| self.env.clone()),
                    hostname: self.hostname.clone(),
                    dir: self.dir.clone(),
                    mounts: (!mounts.is_empty()).then_some(mounts),
                    ..Default::default()
                }),
                restart_policy: Some(TaskSpecRestartPolicy {
                    condition: Some(TaskSpecRestartPolicyConditionEnum::NONE),
                    max_attempts: Some(1),
                    ..Default::default()
                }),
                networks: self.network.as_ref().map(|n| {
                    vec![NetworkAttachmentConfig {
                        target: Some(n.clone()),
                        ..Default::default()
                    }]
                }),
                ..Default::default()
            }),
            mode: Some(ServiceSpecMode {
                replicated: Some(ServiceSpecModeReplicated { replicas: Some(1) }),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    /// `POST /services/create` and its body.
    pub fn request(&self) -> (String, serde_json::Value) {
        (
            "POST /services/create".to_string(),
            serde_json::to_value(self.body()).unwrap_or_default(),
        )
    }

    /// The equivalent `docker service create` command line.
    pub fn command_line(&self) -> String {
        let mut a: Vec<String> = vec!["docker".into(), "service".into(), "create".into()];
        a.extend([
            "--name".into(),
            self.name.clone(),
            "--restart-condition".into(),
            "none".into(),
        ]);
        a.extend([
            "--restart-max-attempts".into(),
            "1".into(),
            "--replicas".into(),
            "1".into(),
        ]);
        push_common_flags(
            &mut a,
            &CommonFlags {
                labels: &self.labels,
                user: self.user.as_deref(),
                tty: self.tty,
                network: self.network.as_deref(),
                hostname: self.hostname.as_deref(),
                workdir: self.dir.as_deref(),
            },
        );
        for b in &self.binds {
            a.extend(["--mount".into(), format!("type=bind,{b}")]);
        }
        for e in &self.env {
            a.extend(["--env".into(), e.clone()]);
        }
        let mut rest = Vec::new();
        if let Some((first, more)) = self.cmd.split_first() {
            a.extend(["--entrypoint".into(), first.clone()]);
            rest.extend(more.iter().cloned());
        }
        a.push(self.image.clone());
        a.extend(rest);
        shell_join(&a)
    }
}

/// Runs a job-service-run on a swarm manager: creates the service, waits for
/// its task to end, prints the service's logs, removes it (`delete`, or on
/// cancel); the task's exit code (255 when rejected), as Ofelia reads it.
pub async fn run_service(
    engine: &Engine,
    spec: &ServiceSpec,
    cancel: &CancellationToken,
    sink: &Sink,
) -> Result<Outcome> {
    use bollard::models::TaskState;
    use bollard::query_parameters::ListTasksOptions;
    let created = engine
        .call(engine.docker.create_service(spec.body(), None))
        .await?;
    let id = created.id.unwrap_or_else(|| spec.name.clone());
    let wait = async {
        loop {
            let filters = HashMap::from([("service".to_string(), vec![id.clone()])]);
            let tasks = engine
                .call(engine.docker.list_tasks(Some(ListTasksOptions {
                    filters: Some(filters),
                })))
                .await?;
            for t in &tasks {
                let status = t.status.clone().unwrap_or_default();
                let state = status.state;
                if matches!(
                    state,
                    Some(TaskState::COMPLETE | TaskState::FAILED | TaskState::REJECTED)
                ) {
                    let code = status
                        .container_status
                        .and_then(|c| c.exit_code)
                        .unwrap_or(1);
                    let code = if code == 0 && state == Some(TaskState::REJECTED) {
                        255
                    } else {
                        code
                    };
                    return Ok::<i64, Error>(code);
                }
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    };
    let outcome = tokio::select! {
        r = wait => Outcome::Exited(r?),
        _ = cancel.cancelled() => Outcome::Cancelled,
    };
    if let Outcome::Exited(_) = outcome {
        let opts = LogsOptions {
            stdout: true,
            stderr: true,
            tail: "all".into(),
            ..Default::default()
        };
        let mut logs = engine.docker.service_logs(&id, Some(opts));
        while let Some(chunk) = logs.next().await {
            match chunk {
                Ok(c) => sink.output(c)?,
                Err(e) => return Err(engine.err(e)),
            }
        }
    }
    if spec.delete || outcome == Outcome::Cancelled {
        call_status(engine, engine.docker.delete_service(&id), &[404])
            .await?
            .ok();
    }
    Ok(outcome)
}

/// Quotes words for a POSIX shell where needed.
pub fn shell_join(words: &[String]) -> String {
    words
        .iter()
        .map(|w| {
            let plain = !w.is_empty()
                && w.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_./:=@%+,".contains(c));
            if plain {
                w.clone()
            } else {
                format!("'{}'", w.replace('\'', r"'\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// How a job ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Exited(i64),
    Cancelled,
}

/// Writes a job's output as it arrives: verbatim into a pipe or file; on a
/// terminal, control characters other than newline, carriage return, tab
/// and backspace are shown as escapes (no cursor moves or recolouring).
pub struct Sink {
    terminal_out: bool,
    terminal_err: bool,
}

impl Sink {
    pub fn new() -> Self {
        use std::io::IsTerminal;
        Sink {
            terminal_out: std::io::stdout().is_terminal(),
            terminal_err: std::io::stderr().is_terminal(),
        }
    }

    fn write(&self, stderr: bool, bytes: &[u8]) -> Result<()> {
        let terminal = if stderr {
            self.terminal_err
        } else {
            self.terminal_out
        };
        let data = if terminal {
            escape_controls(bytes)
        } else {
            bytes.to_vec()
        };
        if stderr {
            let mut e = std::io::stderr().lock();
            e.write_all(&data)?;
            e.flush()?;
        } else {
            let mut o = std::io::stdout().lock();
            o.write_all(&data)?;
            o.flush()?;
        }
        Ok(())
    }

    fn output(&self, out: bollard::container::LogOutput) -> Result<()> {
        use bollard::container::LogOutput;
        match out {
            LogOutput::StdErr { message } => self.write(true, &message),
            LogOutput::StdOut { message } | LogOutput::Console { message } => {
                self.write(false, &message)
            }
            LogOutput::StdIn { .. } => Ok(()),
        }
    }
}

impl Default for Sink {
    fn default() -> Self {
        Self::new()
    }
}

/// Control bytes (except `\n`, `\r`, `\t`, backspace) as `\u{1b}` escapes.
pub fn escape_controls(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    for &b in bytes {
        if (b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x08)) || b == 0x7f {
            out.extend_from_slice(format!("\\u{{{b:x}}}").as_bytes());
        } else {
            out.push(b);
        }
    }
    out
}

/// Runs an exec, streaming its output; the exec's exit code. On cancel the
/// session is dropped (the Engine API cannot signal an exec's process).
pub async fn exec(
    engine: &Engine,
    spec: &ExecSpec,
    cancel: &CancellationToken,
    sink: &Sink,
) -> Result<Outcome> {
    let created = engine
        .call(engine.docker.create_exec(&spec.container, spec.config()))
        .await?;
    let opts = StartExecOptions {
        detach: false,
        tty: spec.tty,
        output_capacity: None,
    };
    let started = engine
        .call(engine.docker.start_exec(&created.id, Some(opts)))
        .await?;
    let StartExecResults::Attached {
        mut output,
        input: _input,
    } = started
    else {
        return Err(Error::msg(
            "docker ofelia run: the engine detached the exec",
        ));
    };
    loop {
        let next = tokio::select! {
            n = output.next() => n,
            _ = cancel.cancelled() => return Ok(Outcome::Cancelled),
        };
        match next {
            None => break,
            Some(Ok(chunk)) => sink.output(chunk)?,
            Some(Err(e)) => return Err(engine.err(e)),
        }
    }
    // The stream ends a moment before the engine records the exit code.
    for _ in 0..50 {
        let i = engine.call(engine.docker.inspect_exec(&created.id)).await?;
        if i.running != Some(true) {
            return Ok(Outcome::Exited(i.exit_code.unwrap_or(0)));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Err(Error::msg(
        "docker ofelia run: the exec did not report its exit code",
    ))
}

/// Makes sure `image` is there, as Ofelia's job-run does: with `pull`, try
/// pulling first and fall back to the local image; without, use the local
/// image and pull only when it is missing. Returns warnings.
pub async fn ensure_image(engine: &Engine, image: &str, pull: bool) -> Result<Vec<String>> {
    let mut warnings = Vec::new();
    if !pull && scheduler::image_id(engine, image).await?.is_some() {
        return Ok(warnings);
    }
    let pulled = {
        let mut s = scheduler::pull(engine, image);
        let mut res = Ok(());
        while let Some(p) = s.next().await {
            if let Err(e) = p {
                res = Err(e);
                break;
            }
        }
        res
    };
    match pulled {
        Ok(()) => Ok(warnings),
        Err(e) => {
            if scheduler::image_id(engine, image).await?.is_some() {
                if pull {
                    warnings.push(format!(
                        "cannot pull {image} ({e}); using the local image, as Ofelia does"
                    ));
                }
                Ok(warnings)
            } else {
                Err(Error::msg(format!(
                    "docker ofelia run: error pulling image \"{image}\": {e}"
                )))
            }
        }
    }
}

/// Creates the job's container; its ID.
pub async fn create_container(engine: &Engine, spec: &ContainerSpec) -> Result<String> {
    let opts = CreateContainerOptions {
        name: spec.name.clone(),
        ..Default::default()
    };
    let r = engine
        .call(engine.docker.create_container(Some(opts), spec.body()))
        .await?;
    Ok(r.id)
}

/// Starts a container and streams its output (from `since`, Unix seconds;
/// 0 = everything) until it exits; its exit code.
pub async fn start_and_follow(
    engine: &Engine,
    id: &str,
    since: i32,
    cancel: &CancellationToken,
    sink: &Sink,
) -> Result<Outcome> {
    let start = async {
        scheduler::start(engine, id).await?;
        let opts = LogsOptions {
            follow: true,
            stdout: true,
            stderr: true,
            since,
            until: 0,
            timestamps: false,
            tail: "all".to_string(),
        };
        let mut logs = engine.docker.logs(id, Some(opts));
        while let Some(chunk) = logs.next().await {
            match chunk {
                Ok(c) => sink.output(c)?,
                Err(e) => return Err(engine.err(e)),
            }
        }
        scheduler::wait_exit(engine, id).await
    };
    tokio::select! {
        r = start => Ok(Outcome::Exited(r?)),
        _ = cancel.cancelled() => Ok(Outcome::Cancelled),
    }
}

/// Removes a container (forcefully; gone already is fine).
pub async fn remove(engine: &Engine, id: &str) -> Result<()> {
    scheduler::remove(engine, id).await
}

/// Stops a container that `run` started but did not create.
pub async fn stop(engine: &Engine, id: &str) -> Result<()> {
    let opts = StopContainerOptions {
        t: Some(2),
        signal: None,
    };
    call_status(
        engine,
        engine.docker.stop_container(id, Some(opts)),
        &[304, 404],
    )
    .await?
    .ok();
    Ok(())
}

/// The container's ID and whether it runs; None when there is no such container.
pub async fn container_state(engine: &Engine, name: &str) -> Result<Option<(String, bool)>> {
    Ok(scheduler::find(engine, name)
        .await?
        .map(|f| (f.id, f.running)))
}

/// Whether the engine is a swarm manager, and its swarm state for messages.
pub async fn swarm_manager(engine: &Engine) -> Result<(bool, String)> {
    let info = engine.call(engine.docker.info()).await?;
    let swarm = info.swarm.unwrap_or_default();
    let state = swarm
        .local_node_state
        .map(|s| s.to_string())
        .unwrap_or_else(|| "inactive".to_string());
    Ok((swarm.control_available.unwrap_or(false), state))
}

/// One file of a downloaded folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveFile {
    /// Path inside the archive (the folder's own name first).
    pub path: String,
    pub data: Vec<u8>,
}

/// The regular files of `path` in the container (`GET /containers/{id}/archive`),
/// at most `limit` bytes in all. None when the folder does not exist.
pub async fn download_folder(
    engine: &Engine,
    id: &str,
    path: &str,
    limit: usize,
) -> Result<Option<Vec<ArchiveFile>>> {
    let opts = DownloadFromContainerOptions {
        path: path.to_string(),
    };
    let mut s = engine.docker.download_from_container(id, Some(opts));
    let mut buf: Vec<u8> = Vec::new();
    let fetch = async {
        while let Some(chunk) = s.next().await {
            match chunk {
                Ok(b) => {
                    buf.extend_from_slice(&b);
                    if buf.len() > limit {
                        return Err(Error::msg(format!(
                            "the save folder {path} is larger than {} MB: only the logs are read",
                            limit / 1_000_000
                        )));
                    }
                }
                Err(bollard::errors::Error::DockerResponseServerError {
                    status_code: 404, ..
                }) => return Ok(false),
                Err(e) => return Err(engine.err(e)),
            }
        }
        Ok(true)
    };
    let found = tokio::time::timeout(Duration::from_secs(super::REQUEST_TIMEOUT_SECS), fetch)
        .await
        .map_err(|_| Error::Timeout {
            host: engine.endpoint.host.clone(),
            secs: super::REQUEST_TIMEOUT_SECS,
        })??;
    if !found {
        return Ok(None);
    }
    Ok(Some(untar(&buf)))
}

/// The regular files of a tar archive (ustar, with GNU and PAX long names).
pub fn untar(data: &[u8]) -> Vec<ArchiveFile> {
    let mut out = Vec::new();
    let mut pos = 0;
    let mut long_name: Option<String> = None;
    while pos + 512 <= data.len() {
        let h = &data[pos..pos + 512];
        if h.iter().all(|b| *b == 0) {
            break;
        }
        let field = |a: usize, b: usize| -> String {
            let f = &h[a..b];
            let end = f.iter().position(|c| *c == 0).unwrap_or(f.len());
            String::from_utf8_lossy(&f[..end]).into_owned()
        };
        let size_text = field(124, 136);
        let size = usize::from_str_radix(size_text.trim(), 8).unwrap_or(0);
        let kind = h[156];
        let mut name = field(0, 100);
        let prefix = field(345, 500);
        if h[257..262] == *b"ustar" && !prefix.is_empty() {
            name = format!("{prefix}/{name}");
        }
        let body_start = pos + 512;
        let body_end = (body_start + size).min(data.len());
        let body = &data[body_start..body_end];
        match kind {
            b'L' => {
                let end = body.iter().position(|c| *c == 0).unwrap_or(body.len());
                long_name = Some(String::from_utf8_lossy(&body[..end]).into_owned());
            }
            b'x' => {
                // PAX records: "<len> key=value\n"
                let text = String::from_utf8_lossy(body);
                for rec in text.lines() {
                    if let Some((_, kv)) = rec.split_once(' ') {
                        if let Some(p) = kv.strip_prefix("path=") {
                            long_name = Some(p.to_string());
                        }
                    }
                }
            }
            b'0' | 0 => {
                let path = long_name.take().unwrap_or(name);
                out.push(ArchiveFile {
                    path,
                    data: body.to_vec(),
                });
            }
            _ => {
                long_name = None;
            }
        }
        pos = body_start + size.div_ceil(512) * 512;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(name: &str, size: usize, kind: u8) -> Vec<u8> {
        let mut h = vec![0u8; 512];
        h[..name.len()].copy_from_slice(name.as_bytes());
        let s = format!("{size:011o}");
        h[124..135].copy_from_slice(s.as_bytes());
        h[156] = kind;
        h[257..262].copy_from_slice(b"ustar");
        h
    }

    fn entry(name: &str, body: &[u8], kind: u8) -> Vec<u8> {
        let mut v = header(name, body.len(), kind);
        v.extend_from_slice(body);
        v.resize(v.len() + (512 - body.len() % 512) % 512, 0);
        v
    }

    #[test]
    fn untar_reads_files_and_long_names() {
        let mut t = entry("logs/", b"", b'5');
        t.extend(entry("logs/a.json", b"{\"x\":1}", b'0'));
        t.extend(entry(
            "././@LongLink",
            b"logs/a-very-long-name.json\0",
            b'L',
        ));
        t.extend(entry("logs/a-very-lo", b"hi", b'0'));
        t.extend(vec![0u8; 1024]);
        let files = untar(&t);
        assert_eq!(files.len(), 2);
        assert_eq!(files[0].path, "logs/a.json");
        assert_eq!(files[0].data, b"{\"x\":1}");
        assert_eq!(files[1].path, "logs/a-very-long-name.json");
        assert_eq!(files[1].data, b"hi");
    }

    #[test]
    fn command_lines_quote_only_what_needs_it() {
        let e = ExecSpec {
            container: "app".into(),
            cmd: vec!["sh".into(), "-c".into(), "echo $A && exit 3".into()],
            user: Some("nobody".into()),
            env: vec!["A=b c".into()],
            ..Default::default()
        };
        assert_eq!(
            e.command_line(),
            "docker exec --user nobody --env 'A=b c' app sh -c 'echo $A && exit 3'"
        );
        let (path, body) = e.request();
        assert_eq!(path, "POST /containers/app/exec");
        assert_eq!(body["User"], "nobody");
        assert_eq!(body["Cmd"], json!(["sh", "-c", "echo $A && exit 3"]));
        assert_eq!(body["Tty"], false);
    }

    #[test]
    fn controls_are_escaped_for_terminals() {
        assert_eq!(
            escape_controls(b"a\x1b[31mb\r\n"),
            b"a\\u{1b}[31mb\r\n".to_vec()
        );
    }
}
