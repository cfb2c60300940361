//! `docker ofelia up`: create and start the scheduler container, detached or
//! in the foreground, idempotently (same configuration → nothing to do).

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::time::Duration;

use futures_util::StreamExt;

use crate::app::App;
use crate::cli::{PullPolicy, UpArgs};
use crate::docker::scheduler::{self, Spec, Startup};
use crate::docker::Engine;
use crate::error::{Error, Result};
use crate::ofelia_log;
use crate::render;
use crate::schedule::Flavor;

/// How long a detached scheduler has to prove it started.
const STARTUP_GRACE: Duration = Duration::from_secs(2);
/// How long a stopping scheduler gets before SIGKILL.
const STOP_GRACE: Duration = Duration::from_secs(10);

/// The validated request, before any engine call.
#[derive(Debug)]
struct Plan {
    name: String,
    flavor: Flavor,
    image: String,
    zone: String,
    zone_source: &'static str,
    cmd: Vec<String>,
    env: Vec<String>,
    labels: BTreeMap<String, String>,
    network: Option<String>,
    detach: bool,
}

pub async fn run(app: &App, args: UpArgs) -> Result<()> {
    let plan = plan(&args, &HostEnv::from_process())?;
    let engine = app.engine().await?;
    if plan.zone_source == "--tz" {
        eprintln!("Time zone: {} (--tz)", render::sanitize(&plan.zone));
    } else {
        eprintln!(
            "Time zone: {} ({}; change it with --tz)",
            render::sanitize(&plan.zone),
            plan.zone_source
        );
    }
    let image_id = app
        .cancellable(ensure_image(engine, &plan.image, args.pull))
        .await?;
    let spec = Spec {
        name: plan.name.clone(),
        image: plan.image.clone(),
        cmd: plan.cmd.clone(),
        env: plan.env.clone(),
        labels: plan.labels.clone(),
        network: plan.network.clone(),
        socket: scheduler::engine_socket_path(engine),
        restart: plan.detach,
    };
    let hash = spec.config_hash(&image_id);
    let id = match reconcile(engine, &spec, &hash).await? {
        Reconciled::Running(id) => {
            app.out.line(&format!(
                "{} ({}) is already running with this configuration",
                plan.name,
                short(&id)
            ))?;
            return Ok(());
        }
        Reconciled::Ready(id) => id,
    };
    if app.cancel.is_cancelled() {
        scheduler::remove(engine, &id).await?;
        return Err(Error::Interrupted);
    }
    warn_overlaps(engine, &plan, args.project.as_deref()).await;
    if let Err(e) = scheduler::start(engine, &id).await {
        // Leave nothing half-made behind (e.g. a socket path the engine lacks).
        let _ = scheduler::remove(engine, &id).await;
        return Err(e);
    }
    if plan.detach {
        detached(app, engine, &plan, &id).await
    } else {
        foreground(app, engine, &plan, &id).await
    }
}

/// Warns when another running scheduler takes the same jobs (they would
/// fire twice): an unscoped one, or one scoped to the same project. Best
/// effort: a failure to list is not an error.
async fn warn_overlaps(engine: &Engine, plan: &Plan, project: Option<&str>) {
    let Ok(services) = scheduler::list_services(engine).await else {
        return;
    };
    for s in services {
        if s.name == plan.name || s.state != "running" {
            continue;
        }
        let filters = s.filters();
        let theirs = s.project_scope();
        let overlap = match (project, theirs.as_deref()) {
            (_, None) => filters.is_empty(),
            (None, Some(_)) => true,
            (Some(ours), Some(t)) => ours == t,
        };
        if overlap {
            eprintln!(
                "Warning: scheduler {} ({}) is running too: the jobs both take will fire twice (see `docker ofelia ps`)",
                render::sanitize(&s.name),
                theirs.map_or_else(|| "all projects".to_string(), |p| format!("project {}", render::sanitize(&p)))
            );
        }
    }
}

fn short(id: &str) -> &str {
    &id[..id.len().min(12)]
}

enum Reconciled {
    /// The same configuration is already running.
    Running(String),
    /// A container of this configuration exists, not running yet: start it.
    Ready(String),
}

/// Makes the container named `spec.name` have configuration `hash`: creates
/// it, recreates a different one of ours, refuses a foreign one. A name
/// conflict from the engine means a concurrent `up` created it: look again.
async fn reconcile(engine: &Engine, spec: &Spec, hash: &str) -> Result<Reconciled> {
    for attempt in 0..40u64 {
        match scheduler::find(engine, &spec.name).await? {
            None => {
                if let Some(id) = scheduler::create(engine, spec, hash).await? {
                    return Ok(Reconciled::Ready(id));
                }
                // 409: someone else is creating it; the engine reserves the
                // name before the container can be inspected, so wait a
                // little, then re-check its hash.
                tokio::time::sleep(Duration::from_millis(20 + 10 * attempt.min(8))).await;
            }
            Some(found) if !found.managed => {
                return Err(Error::msg(format!(
                    "the container name \"/{}\" is already in use by container \"{}\", which docker-ofelia did not create; it was left untouched: remove or rename it, or choose another name with --name",
                    spec.name,
                    short(&found.id)
                )));
            }
            Some(found) if found.config_hash.as_deref() == Some(hash) => {
                return Ok(if found.running {
                    Reconciled::Running(found.id)
                } else {
                    Reconciled::Ready(found.id)
                });
            }
            Some(found) => {
                eprintln!("Recreating {}: its configuration changed", spec.name);
                scheduler::stop_and_remove(engine, &found.id, STOP_GRACE).await?;
            }
        }
    }
    Err(Error::msg(format!(
        "the container \"{}\" keeps changing under concurrent `docker ofelia up` runs; try again",
        spec.name
    )))
}

async fn detached(app: &App, engine: &Engine, plan: &Plan, id: &str) -> Result<()> {
    let outcome = tokio::select! {
        r = scheduler::watch_startup(engine, id, STARTUP_GRACE) => r?,
        _ = app.cancel.cancelled() => {
            scheduler::stop_and_remove(engine, id, STOP_GRACE).await?;
            return Err(Error::Interrupted);
        }
    };
    match outcome {
        Startup::Started | Startup::Running => {
            app.out.line(&format!(
                "Started {} ({}): {}, flavour {}",
                plan.name,
                short(id),
                render::sanitize(&plan.image),
                plan.flavor
            ))?;
            Ok(())
        }
        Startup::Exited { code, last } => {
            show_last_lines(&last);
            scheduler::remove(engine, id).await?;
            Err(Error::msg(format!(
                "the scheduler {} exited with code {code} right after starting and was removed; check the jobs' labels with `docker ofelia check`",
                plan.name
            )))
        }
    }
}

fn show_last_lines(lines: &[String]) {
    if lines.is_empty() {
        return;
    }
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "Last lines of the scheduler's log:");
    for l in lines {
        let _ = writeln!(err, "  {}", clean_line(l));
    }
}

/// A scheduler log line made safe for a terminal: colour codes removed, the
/// trailing `\r` dropped, control characters escaped.
pub(crate) fn clean_line(line: &str) -> String {
    let stripped = ofelia_log::strip_ansi(line);
    render::sanitize(stripped.trim_end_matches(['\r', '\n']))
}

/// A log line for the terminal: job lines highlighted when colours are on.
pub(crate) fn highlight(app: &App, line: &str) -> String {
    let clean = clean_line(line);
    if !app.out.color {
        return clean;
    }
    match ofelia_log::parse_line(line).map(|e| e.kind) {
        Some(ofelia_log::EventKind::Finished { failed: true, .. }) => app.out.paint("31", &clean),
        Some(ofelia_log::EventKind::Finished { skipped: true, .. }) => app.out.paint("33", &clean),
        Some(ofelia_log::EventKind::Finished { .. }) => app.out.paint("32", &clean),
        Some(ofelia_log::EventKind::Started { .. }) => app.out.paint("1", &clean),
        Some(_) => clean,
        None => app.out.paint("2", &clean),
    }
}

async fn foreground(app: &App, engine: &Engine, plan: &Plan, id: &str) -> Result<()> {
    eprintln!(
        "Started {} ({}) in the foreground; Ctrl-C stops and removes it",
        plan.name,
        short(id)
    );
    let req = scheduler::LogsRequest {
        follow: true,
        tail: None,
        since: None,
    };
    let mut lines = scheduler::log_lines(engine, id, &req);
    loop {
        tokio::select! {
            biased;
            _ = app.cancel.cancelled() => {
                drop(lines);
                scheduler::stop_and_remove(engine, id, STOP_GRACE).await?;
                eprintln!("Stopped and removed {}", plan.name);
                return Err(Error::Interrupted);
            }
            next = lines.next() => match next {
                Some(Ok(line)) => app.out.line(&highlight(app, &line))?,
                Some(Err(e)) => {
                    drop(lines);
                    scheduler::stop_and_remove(engine, id, STOP_GRACE).await?;
                    return Err(e);
                }
                None => break,
            }
        }
    }
    drop(lines);
    // The log ended: the scheduler stopped by itself.
    let code = scheduler::wait_exit(engine, id).await?;
    scheduler::remove(engine, id).await?;
    Err(Error::msg(format!(
        "the scheduler {} exited with code {code} and was removed; check the jobs' labels with `docker ofelia check`",
        plan.name
    )))
}

/// The image's ID, pulling it as `policy` says.
async fn ensure_image(engine: &Engine, image: &str, policy: PullPolicy) -> Result<String> {
    if policy != PullPolicy::Always {
        if let Some(id) = scheduler::image_id(engine, image).await? {
            return Ok(id);
        }
        if policy == PullPolicy::Never {
            return Err(Error::msg(format!(
                "image \"{image}\" is not on the engine and --pull never forbids pulling it: load it with `docker load -i FILE`, or choose an image the engine has with --image"
            )));
        }
        eprintln!("Unable to find image '{image}' locally");
    }
    if let Err(e) = pull_with_progress(engine, image).await {
        let reason = match e {
            Error::Daemon(m) => m,
            other => other.to_string(),
        };
        return Err(Error::msg(format!(
            "cannot pull image \"{image}\": {reason}; load it with `docker load -i FILE`, or choose an image the engine has with --image"
        )));
    }
    match scheduler::image_id(engine, image).await? {
        Some(id) => Ok(id),
        None => Err(Error::msg(format!(
            "image \"{image}\" is still missing after the pull; load it with `docker load -i FILE`, or choose an image the engine has with --image"
        ))),
    }
}

/// Pulls, showing progress on stderr (see [`PullView`]).
async fn pull_with_progress(engine: &Engine, image: &str) -> Result<()> {
    let mut view = PullView::new(std::io::stderr().is_terminal());
    let mut stream = scheduler::pull(engine, image);
    while let Some(p) = stream.next().await {
        let text = view.update(&p?);
        let mut err = std::io::stderr().lock();
        let _ = err.write_all(text.as_bytes());
        let _ = err.flush();
    }
    Ok(())
}

/// The pull display: on a terminal, one line per layer rewritten in place
/// (as docker shows it); otherwise plain lines, without the per-chunk
/// Downloading/Extracting updates.
struct PullView {
    tty: bool,
    layers: Vec<(String, String)>,
    printed: usize,
    last_plain: Option<(String, String)>,
}

impl PullView {
    fn new(tty: bool) -> Self {
        PullView {
            tty,
            layers: Vec::new(),
            printed: 0,
            last_plain: None,
        }
    }

    /// What to write for one progress message.
    fn update(&mut self, p: &scheduler::PullProgress) -> String {
        let id = render::sanitize(&p.id);
        let status = render::sanitize(&p.status);
        let mut out = String::new();
        if self.tty && !id.is_empty() && !status.starts_with("Pulling from") {
            let text = match (p.current, p.total) {
                (Some(c), Some(t)) if t > 0 => {
                    let width = 30usize;
                    let done = (((c.max(0) as f64 / t as f64) * width as f64) as usize).min(width);
                    format!(
                        "{id}: {status} [{}>{}] {}/{}",
                        "=".repeat(done),
                        " ".repeat(width - done),
                        human(c),
                        human(t)
                    )
                }
                _ => format!("{id}: {status}"),
            };
            match self.layers.iter_mut().find(|(l, _)| *l == id) {
                Some(entry) => entry.1 = text,
                None => self.layers.push((id, text)),
            }
            if self.printed > 0 {
                out.push_str(&format!("\x1b[{}A", self.printed));
            }
            for (_, t) in &self.layers {
                out.push_str(&format!("\x1b[2K{t}\n"));
            }
            self.printed = self.layers.len();
            return out;
        }
        if status.starts_with("Downloading") || status.starts_with("Extracting") {
            return out;
        }
        let key = (id.clone(), status.clone());
        if self.last_plain.as_ref() == Some(&key) {
            return out;
        }
        if id.is_empty() {
            out.push_str(&format!("{status}\n"));
        } else {
            out.push_str(&format!("{id}: {status}\n"));
        }
        self.printed = 0;
        self.layers.clear();
        self.last_plain = Some(key);
        out
    }
}

fn human(bytes: i64) -> String {
    let b = bytes.max(0) as f64;
    if b >= 1e9 {
        format!("{:.2}GB", b / 1e9)
    } else if b >= 1e6 {
        format!("{:.2}MB", b / 1e6)
    } else if b >= 1e3 {
        format!("{:.2}kB", b / 1e3)
    } else {
        format!("{b}B")
    }
}

/// What `up` reads from the host (for tests: passed in).
struct HostEnv {
    tz: Option<String>,
    localtime: Option<std::path::PathBuf>,
    env: Vec<(String, String)>,
}

impl HostEnv {
    fn from_process() -> Self {
        HostEnv {
            tz: std::env::var("TZ").ok(),
            localtime: std::fs::read_link("/etc/localtime").ok(),
            env: std::env::vars().collect(),
        }
    }
}

/// The host's zone: TZ, else the /etc/localtime link target under zoneinfo,
/// else UTC. Returns the zone and where it came from.
fn host_zone(host: &HostEnv) -> (String, &'static str) {
    let link = host
        .localtime
        .as_ref()
        .map(|p| p.to_string_lossy().into_owned());
    crate::schedule::host_zone(host.tz.as_deref(), link.as_deref())
        .unwrap_or_else(|| ("UTC".to_string(), "the host's zone could not be told"))
}

/// An IANA zone name chrono-tz knows (as written), from a name or a path.
fn zone_name(s: &str) -> Option<String> {
    crate::schedule::known_zone_name(s)
}

/// The scheduler's flavour told from its image (the label model's rule);
/// an image it doesn't know is taken for what `up` starts by default.
fn flavor_from_image(image: &str) -> Flavor {
    crate::labels::flavor_from_image(image, &std::collections::BTreeMap::new())
        .unwrap_or(crate::sources::DEFAULT_FLAVOR)
}

fn default_image(flavor: Flavor) -> &'static str {
    match flavor {
        Flavor::Ofelia03 => "mcuadros/ofelia:latest",
        Flavor::Ofelia04 => "mcuadros/ofelia:development",
        Flavor::Netresearch => "ghcr.io/netresearch/ofelia:latest",
    }
}

/// docker compose's rule for project names.
fn valid_project(p: &str) -> bool {
    let mut chars = p.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

fn plan(args: &UpArgs, host: &HostEnv) -> Result<Plan> {
    if let Some(p) = &args.project {
        if !valid_project(p) {
            return Err(Error::usage(format!(
                "invalid project name \"{p}\": must consist only of lowercase alphanumeric characters, hyphens, and underscores as well as start with a letter or number"
            )));
        }
    }
    let flavor = match (args.flavor, &args.image) {
        (Some(f), _) => f.into(),
        (None, Some(image)) => flavor_from_image(image),
        (None, None) => Flavor::Ofelia03,
    };
    let image = args
        .image
        .clone()
        .unwrap_or_else(|| default_image(flavor).to_string());
    if image.is_empty() {
        return Err(Error::usage(
            "invalid argument \"\" for \"--image\" flag: empty image",
        ));
    }
    let (zone, zone_source) = match &args.tz {
        Some(z) if z == "local" => host_zone(host),
        Some(z) => match zone_name(z) {
            Some(n) => (n, "--tz"),
            None => {
                return Err(Error::usage(format!(
                    "invalid argument \"{z}\" for \"--tz\" flag: unknown time zone (use an IANA name such as Europe/Paris, or 'local')"
                )))
            }
        },
        None => host_zone(host),
    };
    let name = match (&args.name, &args.project) {
        (Some(n), _) => n.clone(),
        (None, Some(p)) => format!("ofelia-{p}"),
        (None, None) => "ofelia".to_string(),
    };
    let mut cmd: Vec<String> = match flavor {
        Flavor::Ofelia03 | Flavor::Ofelia04 => vec!["daemon".into(), "--docker".into()],
        Flavor::Netresearch => vec!["daemon".into()],
    };
    if let Some(p) = &args.project {
        cmd.push("-f".into());
        cmd.push(format!("label=com.docker.compose.project={p}"));
    }
    let mut env = vec![format!("TZ={zone}")];
    for e in &args.env {
        let kv = match e.split_once('=') {
            Some(("", _)) => {
                return Err(Error::usage(format!(
                    "invalid argument \"{e}\" for \"-e, --env\" flag: variable name is empty"
                )))
            }
            Some(_) => e.clone(),
            // `-e NAME` takes the host's value, as docker run does.
            None => match host.env.iter().find(|(k, _)| k == e) {
                Some((k, v)) => format!("{k}={v}"),
                None => continue,
            },
        };
        if kv.starts_with("TZ=") {
            return Err(Error::usage("set the time zone with --tz, not --env TZ=…"));
        }
        env.push(kv);
    }
    let mut labels = BTreeMap::new();
    for l in &args.labels {
        let (k, v) = l.split_once('=').unwrap_or((l.as_str(), ""));
        if k.is_empty() {
            return Err(Error::usage(format!(
                "invalid argument \"{l}\" for \"-l, --label\" flag: label name is empty"
            )));
        }
        if k.starts_with("io.docker-ofelia.") {
            return Err(Error::usage(format!(
                "label {k} is reserved for docker-ofelia's own bookkeeping"
            )));
        }
        labels.insert(k.to_string(), v.to_string());
    }
    for (k, v) in [
        (scheduler::LABEL_SERVICE, "true"),
        (scheduler::LABEL_ENABLED, "true"),
        (scheduler::LABEL_MANAGED, "true"),
        (
            scheduler::LABEL_PROJECT,
            args.project.as_deref().unwrap_or(""),
        ),
        (scheduler::LABEL_FLAVOR, flavor.as_str()),
    ] {
        labels.insert(k.to_string(), v.to_string());
    }
    Ok(Plan {
        name,
        flavor,
        image,
        zone,
        zone_source,
        cmd,
        env,
        labels,
        network: args.network.clone(),
        detach: args.detach,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::FlavorArg;

    fn args() -> UpArgs {
        UpArgs {
            detach: true,
            project: None,
            image: None,
            flavor: None,
            tz: None,
            network: None,
            name: None,
            pull: PullPolicy::Missing,
            env: vec![],
            labels: vec![],
        }
    }

    fn host() -> HostEnv {
        HostEnv {
            tz: None,
            localtime: Some("/usr/share/zoneinfo/Europe/Paris".into()),
            env: vec![("FOO".into(), "bar".into())],
        }
    }

    #[test]
    fn flavours_from_images() {
        assert_eq!(
            flavor_from_image("mcuadros/ofelia:latest"),
            Flavor::Ofelia03
        );
        assert_eq!(flavor_from_image("mcuadros/ofelia"), Flavor::Ofelia03);
        assert_eq!(
            flavor_from_image("mcuadros/ofelia:0.3.21"),
            Flavor::Ofelia03
        );
        assert_eq!(
            flavor_from_image("mcuadros/ofelia:0.4.0-beta.1"),
            Flavor::Ofelia04
        );
        assert_eq!(
            flavor_from_image("ghcr.io/netresearch/ofelia:0.29.0"),
            Flavor::Netresearch
        );
        assert_eq!(flavor_from_image("example/other"), Flavor::Ofelia03);
    }

    #[test]
    fn default_plan() {
        let p = plan(&args(), &host()).unwrap();
        assert_eq!(p.name, "ofelia");
        assert_eq!(p.image, "mcuadros/ofelia:latest");
        assert_eq!(p.cmd, ["daemon", "--docker"]);
        assert_eq!(p.env, ["TZ=Europe/Paris"]);
        assert_eq!(p.labels["io.docker-ofelia.project"], "");
        assert_eq!(p.labels["io.docker-ofelia.flavor"], "ofelia-0.3");
        assert_eq!(p.labels["ofelia.service"], "true");
        assert_eq!(p.labels["ofelia.enabled"], "true");
        assert_eq!(p.labels["io.docker-ofelia.managed"], "true");
    }

    #[test]
    fn scoped_netresearch_plan() {
        let mut a = args();
        a.project = Some("shop".into());
        a.flavor = Some(FlavorArg::Netresearch);
        a.tz = Some("America/New_York".into());
        a.env = vec!["FOO".into(), "A=1".into(), "MISSING".into()];
        let p = plan(&a, &host()).unwrap();
        assert_eq!(p.name, "ofelia-shop");
        assert_eq!(p.image, "ghcr.io/netresearch/ofelia:latest");
        assert_eq!(
            p.cmd,
            ["daemon", "-f", "label=com.docker.compose.project=shop"]
        );
        assert_eq!(p.env, ["TZ=America/New_York", "FOO=bar", "A=1"]);
        assert_eq!(p.labels["io.docker-ofelia.project"], "shop");
    }

    #[test]
    fn bad_inputs_are_usage_errors() {
        let mut a = args();
        a.project = Some("Shop".into());
        assert!(matches!(plan(&a, &host()), Err(Error::Usage(_))));
        let mut a = args();
        a.tz = Some("Mars/Olympus".into());
        assert!(matches!(plan(&a, &host()), Err(Error::Usage(_))));
        let mut a = args();
        a.labels = vec!["io.docker-ofelia.managed=false".into()];
        assert!(matches!(plan(&a, &host()), Err(Error::Usage(_))));
    }

    fn progress(
        id: &str,
        status: &str,
        cur: Option<i64>,
        total: Option<i64>,
    ) -> scheduler::PullProgress {
        scheduler::PullProgress {
            id: id.into(),
            status: status.into(),
            current: cur,
            total,
        }
    }

    #[test]
    fn pull_progress_plain_and_tty() {
        let mut plain = PullView::new(false);
        assert_eq!(
            plain.update(&progress(
                "latest",
                "Pulling from mcuadros/ofelia",
                None,
                None
            )),
            "latest: Pulling from mcuadros/ofelia\n"
        );
        assert_eq!(
            plain.update(&progress("a1", "Pulling fs layer", None, None)),
            "a1: Pulling fs layer\n"
        );
        assert_eq!(
            plain.update(&progress("a1", "Downloading", Some(1), Some(2))),
            ""
        );
        assert_eq!(
            plain.update(&progress("a1", "Pull complete", None, None)),
            "a1: Pull complete\n"
        );
        let mut tty = PullView::new(true);
        assert_eq!(
            tty.update(&progress("a1", "Pulling fs layer", None, None)),
            "\x1b[2Ka1: Pulling fs layer\n"
        );
        assert_eq!(
            tty.update(&progress("b2", "Pulling fs layer", None, None)),
            "\x1b[1A\x1b[2Ka1: Pulling fs layer\n\x1b[2Kb2: Pulling fs layer\n"
        );
        let t = tty.update(&progress(
            "a1",
            "Downloading",
            Some(1_500_000),
            Some(3_000_000),
        ));
        assert!(
            t.starts_with(
                "\x1b[2A\x1b[2Ka1: Downloading [===============>               ] 1.50MB/3.00MB\n"
            ),
            "{t:?}"
        );
    }

    #[test]
    fn host_zones() {
        let h = HostEnv {
            tz: Some(":Asia/Tokyo".into()),
            localtime: None,
            env: vec![],
        };
        assert_eq!(host_zone(&h).0, "Asia/Tokyo");
        let h = HostEnv {
            tz: None,
            localtime: None,
            env: vec![],
        };
        assert_eq!(host_zone(&h).0, "UTC");
        assert_eq!(host_zone(&host()).0, "Europe/Paris");
    }
}
