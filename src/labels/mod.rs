//! The label model: which Ofelia jobs a set of containers declares, and what
//! each flavour's scheduler will actually do with them. Pure: inputs are
//! plain data, no I/O, no clock.
//!
//! The rules follow Ofelia's `buildFromDockerLabels` (mcuadros/ofelia
//! `cli/docker_labels.go`, netresearch's fork of it); the facts are in
//! shared/spec/ofelia.md §1–3.

mod keys;
mod scheduler;
mod values;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;

use chrono::{DateTime, Utc};

use crate::schedule::Flavor;

pub use keys::{
    edit_distance, is_json_list_key, known_keys, lookup_key, nearest_job_type, nearest_key,
    normalize_param, prefix_typo, KeyKind, KeySpec,
};
pub use scheduler::{
    flavor_from_image, flavor_with_reason, scheduler_info, selects, SchedulerInfo, OWN_FLAVOR_LABEL,
};
pub use values::{
    display_value, is_secret_key, list_value, parse_go_bool, parse_go_duration, parse_go_int,
    quoted_value, shell_syntax, split_command,
};

/// The discovery label: Ofelia lists containers with `label=ofelia.enabled=true`.
pub const ENABLED_LABEL: &str = "ofelia.enabled";
/// The "itself" label: exactly `"true"` (`hasServiceLabel`).
pub const SERVICE_LABEL: &str = "ofelia.service";
pub const COMPOSE_PROJECT_LABEL: &str = "com.docker.compose.project";
pub const COMPOSE_SERVICE_LABEL: &str = "com.docker.compose.service";

/// A bind or volume mount of a carrier.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Mount {
    pub source: String,
    pub target: String,
    pub read_only: bool,
}

/// A container (live) or a compose service (offline) that may carry Ofelia
/// labels. Offline callers leave `id` empty; `build` then treats the service
/// as the running container it becomes once deployed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Carrier {
    /// Container ID, or "" for compose services.
    pub id: String,
    /// Container name without '/', e.g. "mystack-app-1".
    pub name: String,
    /// com.docker.compose.project
    pub project: Option<String>,
    /// com.docker.compose.service
    pub service: Option<String>,
    /// Image reference as given ("mcuadros/ofelia:latest").
    pub image: String,
    /// Labels of the image (empty offline).
    pub image_labels: BTreeMap<String, String>,
    pub labels: BTreeMap<String, String>,
    /// Label key → (file, line) when read from compose files.
    pub label_lines: BTreeMap<String, (String, usize)>,
    /// Container environment (TZ lives here).
    pub env: BTreeMap<String, String>,
    /// The container's command (Cmd) / compose `command`.
    pub command: Vec<String>,
    pub mounts: Vec<Mount>,
    pub running: bool,
    /// Unix seconds (0 offline).
    pub created: i64,
    pub started_at: Option<DateTime<Utc>>,
}

/// The job types, as their label spells them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum JobType {
    Exec,
    Run,
    Local,
    ServiceRun,
    /// netresearch only.
    Compose,
}

impl JobType {
    pub const ALL: [JobType; 5] = [
        JobType::Exec,
        JobType::Run,
        JobType::Local,
        JobType::ServiceRun,
        JobType::Compose,
    ];

    pub fn label(self) -> &'static str {
        match self {
            JobType::Exec => "job-exec",
            JobType::Run => "job-run",
            JobType::Local => "job-local",
            JobType::ServiceRun => "job-service-run",
            JobType::Compose => "job-compose",
        }
    }

    /// The type must match exactly (Ofelia's `switch jobType`).
    pub fn from_label(s: &str) -> Option<JobType> {
        JobType::ALL.into_iter().find(|t| t.label() == s)
    }
}

impl fmt::Display for JobType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

impl serde::Serialize for JobType {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.label())
    }
}

/// Why the scheduler ignores or alters a job, or something worth knowing
/// about a carrier. Codes: placement, duplicate, dropped-key-parts,
/// empty-schedule, blocked, stopped, target-overwritten, no-target,
/// bad-value, aborted, unsupported, duplicate-key, not-selected (jobs); not-enabled,
/// prefix-typo, unknown-type, ignored-key, blocked-global, unknown-global,
/// crash, aborted (model).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Note {
    pub code: &'static str,
    pub message: String,
}

impl Note {
    fn new(code: &'static str, message: impl Into<String>) -> Note {
        Note {
            code,
            message: message.into(),
        }
    }
}

/// One job as the scheduler sees it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Job {
    /// As the scheduler names it (netresearch: `<service-or-container>.<name>` for job-exec).
    pub name: String,
    /// The name in the label.
    pub label_name: String,
    pub job_type: JobType,
    /// Container (or compose service container) declaring it.
    pub carrier: String,
    pub project: Option<String>,
    pub service: Option<String>,
    pub schedule: Option<String>,
    pub command: Option<String>,
    /// Every key (normalised, lower-case) → raw value.
    pub params: BTreeMap<String, String>,
    /// Normalised key → the label key it came from (for `check`'s line numbers).
    pub sources: BTreeMap<String, String>,
    /// exec: the container it runs in; run: image or container.
    pub target: Option<String>,
    /// Why the scheduler ignores or alters this job (empty = runs as declared).
    pub notes: Vec<Note>,
    /// False when the scheduler will ignore it.
    pub runs: bool,
}

impl Job {
    /// A list param as Ofelia decodes it (JSON array, else one item).
    pub fn list(&self, key: &str) -> Vec<String> {
        self.params
            .get(key)
            .map(|v| list_value(v))
            .unwrap_or_default()
    }

    /// The params as shown to users: secret values masked.
    pub fn display_params(&self) -> BTreeMap<String, String> {
        self.params
            .iter()
            .map(|(k, v)| (k.clone(), display_value(k, v)))
            .collect()
    }

    pub fn has_note(&self, code: &str) -> bool {
        self.notes.iter().any(|n| n.code == code)
    }

    fn ignore(&mut self, note: Note) {
        self.runs = false;
        self.notes.push(note);
    }
}

/// All jobs of a set of carriers under one flavour.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Model {
    pub jobs: Vec<Job>,
    /// Global settings from the scheduler container's short keys.
    pub globals: BTreeMap<String, String>,
    /// (carrier, note) for things that are not one job's.
    pub notes: Vec<(String, Note)>,
}

/// How netresearch prefixes job-exec names (`[global] job-exec-label-scope`, INI only).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ExecScope {
    /// The compose service name, else the container name (the default).
    #[default]
    Service,
    Container,
}

/// Everything `build` depends on besides the carriers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BuildOptions {
    pub flavor: Flavor,
    /// netresearch `--docker-include-stopped`: job-run on stopped containers count.
    pub include_stopped: bool,
    /// netresearch INI `allow-host-jobs-from-labels` (off by default).
    pub allow_host_jobs: bool,
    pub exec_scope: ExecScope,
}

impl BuildOptions {
    pub fn new(flavor: Flavor) -> BuildOptions {
        BuildOptions {
            flavor,
            include_stopped: false,
            allow_host_jobs: false,
            exec_scope: ExecScope::Service,
        }
    }
}

/// The labels Ofelia sees on a carrier: the image's labels under the
/// container's (the engine already merges them for live containers), the
/// compose project and service labels, and offline, for an official Ofelia
/// image, the `ofelia.service=true ofelia.enabled=true` its Dockerfile sets.
pub fn effective_labels(c: &Carrier) -> BTreeMap<String, String> {
    let mut m = c.image_labels.clone();
    if c.id.is_empty() && c.image_labels.is_empty() {
        let (_, _, official) = flavor_with_reason(&c.image, &c.image_labels);
        if official {
            m.insert(SERVICE_LABEL.to_string(), "true".to_string());
            m.insert(ENABLED_LABEL.to_string(), "true".to_string());
        }
    }
    m.extend(c.labels.iter().map(|(k, v)| (k.clone(), v.clone())));
    if let Some(p) = &c.project {
        m.entry(COMPOSE_PROJECT_LABEL.to_string())
            .or_insert_with(|| p.clone());
    }
    if let Some(s) = &c.service {
        m.entry(COMPOSE_SERVICE_LABEL.to_string())
            .or_insert_with(|| s.clone());
    }
    m
}

/// Offline carriers (compose services, `id` empty) are modelled as the
/// running containers they become once deployed.
fn is_running(c: &Carrier) -> bool {
    c.running || c.id.is_empty()
}

fn is_mcuadros(f: Flavor) -> bool {
    matches!(f, Flavor::Ofelia03 | Flavor::Ofelia04)
}

/// netresearch's allow-list of label globals (everything else is blocked
/// with "SECURITY: Blocked global config key").
fn netresearch_global_allowed(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    const EXACT: &[&str] = &[
        "log-level",
        "max-runtime",
        "notification-cooldown",
        "enable-strict-validation",
        "mail-only-on-error",
        "save-only-on-error",
        "webhook-webhooks",
        "webhook-preset-cache-ttl",
        "webhook-default-preset",
    ];
    const PREFIXES: &[&str] = &["slack-", "smtp-", "email-", "restore-history"];
    EXACT.contains(&k.as_str()) || PREFIXES.iter().any(|p| k.starts_with(p))
}

/// Global keys mcuadros decodes into `Global` (the middlewares' settings).
fn mcuadros_global_spec(key: &str) -> Option<&'static KeySpec> {
    let spec = lookup_key(JobType::Exec, Flavor::Ofelia03, key)?;
    let middleware = ["slack-", "save-", "smtp-", "email-", "mail-"];
    middleware
        .iter()
        .any(|p| spec.name.starts_with(p))
        .then_some(spec)
}

/// One job's labels on one carrier, before placement and merging.
struct Entry {
    carrier: usize,
    job_type: JobType,
    label_name: String,
    params: BTreeMap<String, String>,
    sources: BTreeMap<String, String>,
    notes: Vec<Note>,
}

/// Build the model with the defaults of `flavor` (no host jobs from labels,
/// service-scoped exec names).
pub fn build(carriers: &[Carrier], flavor: Flavor, include_stopped: bool) -> Model {
    build_with(
        carriers,
        &BuildOptions {
            include_stopped,
            ..BuildOptions::new(flavor)
        },
    )
}

/// Build the model: discovery, key split, placement, targets, names and
/// duplicates, values, globals.
pub fn build_with(carriers: &[Carrier], opts: &BuildOptions) -> Model {
    let flavor = opts.flavor;
    let mut model = Model::default();
    // A deterministic order (Ofelia's own is Go map order, i.e. random).
    let mut order: Vec<usize> = (0..carriers.len()).collect();
    order.sort_by(|a, b| carriers[*a].name.cmp(&carriers[*b].name));

    let labels: Vec<BTreeMap<String, String>> = carriers.iter().map(effective_labels).collect();
    let is_service: Vec<bool> = labels
        .iter()
        .map(|l| l.get(SERVICE_LABEL).map(String::as_str) == Some("true"))
        .collect();

    let mut entries: Vec<Entry> = Vec::new();
    // (carrier, type, label name) → position in `entries`
    let mut index: HashMap<(usize, JobType, &str), usize> = HashMap::new();
    for &ci in &order {
        let c = &carriers[ci];
        let l = &labels[ci];
        for key in l.keys() {
            if let Some(fixed) = prefix_typo(key) {
                model.notes.push((
                    c.name.clone(),
                    Note::new(
                        "prefix-typo",
                        format!("label {key:?} is not read by Ofelia (it keeps keys starting with exactly \"ofelia\" and splits them on '.'); did you mean {fixed:?}? (MO#167)"),
                    ),
                ));
            }
        }
        // Discovery: `label=ofelia.enabled=true`, an exact match.
        if l.get(ENABLED_LABEL).map(String::as_str) != Some("true") {
            not_enabled_notes(&mut model, c, l);
            continue;
        }
        for (key, value) in l {
            if !key.starts_with("ofelia") || key == ENABLED_LABEL || key == SERVICE_LABEL {
                continue;
            }
            let parts: Vec<&str> = key.split('.').collect();
            if parts.len() < 4 {
                short_key(&mut model, flavor, c, is_service[ci], key, &parts, value);
                continue;
            }
            let (ty, name, param) = (parts[1], parts[2], parts[3]);
            let Some(job_type) = JobType::from_label(ty) else {
                if flavor == Flavor::Netresearch && ty == "webhook" {
                    if is_service[ci] {
                        model
                            .globals
                            .insert(format!("webhook.{name}.{param}"), value.clone());
                    } else {
                        model.notes.push((
                            c.name.clone(),
                            Note::new("ignored-key", format!("label {key:?}: webhooks are read only on the scheduler container (ofelia.service=true)")),
                        ));
                    }
                    continue;
                }
                let hint = nearest_job_type(flavor, ty)
                    .map(|t| format!("; did you mean {t:?}? (MO#187)"))
                    .unwrap_or_default();
                model.notes.push((
                    c.name.clone(),
                    Note::new(
                        "unknown-type",
                        format!("label {key:?}: {ty:?} is not a job type of {flavor}, so Ofelia ignores it silently{hint}"),
                    ),
                ));
                continue;
            };
            let pos = match index.get(&(ci, job_type, name)) {
                Some(p) => *p,
                None => {
                    index.insert((ci, job_type, name), entries.len());
                    entries.push(Entry {
                        carrier: ci,
                        job_type,
                        label_name: name.to_string(),
                        params: BTreeMap::new(),
                        sources: BTreeMap::new(),
                        notes: Vec::new(),
                    });
                    entries.len() - 1
                }
            };
            let e = &mut entries[pos];
            if parts.len() > 4 {
                e.notes.push(Note::new(
                    "dropped-key-parts",
                    format!(
                        "label {key:?}: Ofelia splits keys on '.' and keeps job {name:?}, key {param:?}; {:?} is dropped silently (job names cannot contain dots)",
                        parts[4..].join(".")
                    ),
                ));
            }
            let norm = canonical_param(job_type, flavor, param);
            if let Some(old) = e.params.get(&norm) {
                if old != value {
                    e.notes.push(Note::new(
                        "duplicate-key",
                        format!("{norm:?} is set twice on this container (keys match case-insensitively); Ofelia takes either value"),
                    ));
                }
            }
            e.params.insert(norm.clone(), value.clone());
            e.sources.insert(norm, key.clone());
        }
    }

    let mut jobs: Vec<Job> = entries
        .into_iter()
        .map(|e| entry_to_job(e, carriers, &is_service, opts))
        .collect();

    if is_mcuadros(flavor) {
        jobs = merge_mcuadros(jobs);
    } else {
        first_wins_netresearch(&mut jobs, carriers);
    }

    for job in &mut jobs {
        finish_job(job, flavor);
    }

    // mcuadros decodes every map with mapstructure; one bad value aborts the
    // whole label build and the daemon exits with "can't start the app".
    if is_mcuadros(flavor) {
        let bad: Vec<String> = jobs
            .iter()
            .filter(|j| j.has_note("bad-value") && honoured_placement(j))
            .map(|j| format!("{} ({})", j.name, j.carrier))
            .chain(
                model
                    .notes
                    .iter()
                    .filter(|(_, n)| n.code == "bad-value")
                    .map(|(c, _)| format!("globals ({c})")),
            )
            .collect();
        if !bad.is_empty() {
            let msg = format!(
                "a bad value in {} makes mcuadros/ofelia abort reading labels: the daemon exits with \"can't start the app\" and no job runs",
                bad.join(", ")
            );
            for job in &mut jobs {
                if !job.has_note("bad-value") {
                    job.ignore(Note::new("aborted", msg.clone()));
                }
            }
            model.notes.push((String::new(), Note::new("aborted", msg)));
        }
    }

    jobs.sort_by(|a, b| {
        (&a.project, &a.name, &a.carrier, a.job_type)
            .cmp(&(&b.project, &b.name, &b.carrier, b.job_type))
    });
    model.jobs = jobs;
    model
}

/// The params of a job that its type does not have under the flavour
/// (Ofelia ignores them silently), each with the nearest real key.
pub fn unknown_params(job: &Job, flavor: Flavor) -> Vec<(String, Option<&'static str>)> {
    job.params
        .keys()
        .filter(|k| lookup_key(job.job_type, flavor, k).is_none())
        .map(|k| (k.clone(), nearest_key(job.job_type, flavor, k)))
        .collect()
}

/// The model as one scheduler sees it: only the carriers its `-f` filters
/// select (MO#84, #156). Its own container, when its filters leave it out,
/// is kept with every job marked `not-selected`: Ofelia never reads its
/// labels then (its job-local labels and globals included).
pub fn build_for_scheduler(carriers: &[Carrier], s: &SchedulerInfo, opts: &BuildOptions) -> Model {
    let opts = BuildOptions {
        include_stopped: opts.include_stopped || s.include_stopped,
        ..*opts
    };
    let selected: Vec<Carrier> = carriers.iter().filter(|c| selects(s, c)).cloned().collect();
    let mut model = build_with(&selected, &opts);
    let own = carriers.iter().find(|c| c.name == s.name && !selects(s, c));
    if let Some(own) = own {
        let msg = format!(
            "the scheduler's own -f filters ({}) do not select its container {:?}, so Ofelia never reads its labels",
            s.filters
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(" ")
        , own.name);
        let own_model = build_with(std::slice::from_ref(own), &opts);
        for mut job in own_model.jobs {
            job.ignore(Note::new("not-selected", msg.clone()));
            model.jobs.push(job);
        }
        if !own_model.globals.is_empty() {
            model
                .notes
                .push((own.name.clone(), Note::new("not-selected", msg)));
        }
    }
    model
}

/// The param name a job stores: mcuadros lower-cases; netresearch maps to the
/// known key it normalises to (`HistoryLimit` → `history-limit`).
fn canonical_param(job_type: JobType, flavor: Flavor, param: &str) -> String {
    match lookup_key(job_type, flavor, param) {
        Some(spec) if flavor == Flavor::Netresearch => spec.name.to_string(),
        _ => param.to_lowercase(),
    }
}

/// Notes for a carrier that is not discovered but looks as if it meant to be.
fn not_enabled_notes(model: &mut Model, c: &Carrier, l: &BTreeMap<String, String>) {
    if let Some(v) = l.get("ofelia.enable") {
        model.notes.push((
            c.name.clone(),
            Note::new(
                "not-enabled",
                format!("label \"ofelia.enable={v}\" is not \"ofelia.enabled=true\": Ofelia does not see this container (MO#126)"),
            ),
        ));
    } else if let Some(v) = l.get(ENABLED_LABEL) {
        model.notes.push((
            c.name.clone(),
            Note::new(
                "not-enabled",
                format!("ofelia.enabled={v:?}: Ofelia lists only containers with ofelia.enabled=true exactly, so none of its jobs run"),
            ),
        ));
    } else if l.keys().any(|k| k.starts_with("ofelia.job-")) {
        model.notes.push((
            c.name.clone(),
            Note::new(
                "not-enabled",
                "this container carries ofelia.job-* labels but not ofelia.enabled=true: Ofelia does not see it",
            ),
        ));
    }
}

/// A key with fewer than 4 parts: a global on the scheduler container
/// (`parts[1]`), ignored elsewhere.
fn short_key(
    model: &mut Model,
    flavor: Flavor,
    c: &Carrier,
    is_service: bool,
    key: &str,
    parts: &[&str],
    value: &str,
) {
    if !is_service {
        if parts.get(1).is_some_and(|p| p.starts_with("job-")) {
            model.notes.push((
                c.name.clone(),
                Note::new(
                    "ignored-key",
                    format!("label {key:?} has fewer than 4 dot-separated parts (ofelia.<type>.<job>.<key>): ignored"),
                ),
            ));
        }
        return;
    }
    let Some(global) = parts.get(1).copied() else {
        // Go indexes parts[1] unconditionally: the label "ofelia" alone on
        // the service container panics the label reader.
        model.notes.push((
            c.name.clone(),
            Note::new(
                "crash",
                format!("label {key:?} on the scheduler container has no '.': Ofelia's label reader indexes past the end and crashes"),
            ),
        ));
        return;
    };
    if is_mcuadros(flavor) {
        // Every short key goes into Global; mapstructure ignores unknown ones.
        match mcuadros_global_spec(global) {
            Some(spec) => {
                if let Err(why) = check_value(spec.kind, value) {
                    model.notes.push((
                        c.name.clone(),
                        Note::new("bad-value", format!("global {key:?}: {why}")),
                    ));
                }
            }
            None => model.notes.push((
                c.name.clone(),
                Note::new(
                    "unknown-global",
                    format!("global {key:?} is not a setting mcuadros/ofelia knows: ignored"),
                ),
            )),
        }
        model.globals.insert(global.to_string(), value.to_string());
    } else if netresearch_global_allowed(global) {
        model.globals.insert(global.to_string(), value.to_string());
    } else {
        model.notes.push((
            c.name.clone(),
            Note::new(
                "blocked-global",
                format!("netresearch blocks global {key:?} from labels (\"SECURITY: Blocked global config key\"); set it in the INI file"),
            ),
        ));
    }
}

/// Is a value acceptable for its kind, as Ofelia decodes it?
pub fn check_value(kind: KeyKind, value: &str) -> Result<(), String> {
    match kind {
        KeyKind::Bool => parse_go_bool(value).map(|_| ()),
        KeyKind::Int => parse_go_int(value).map(|_| ()),
        KeyKind::Duration if !value.is_empty() => parse_go_duration(value).map(|_| ()),
        _ => Ok(()),
    }
}

fn honoured_placement(j: &Job) -> bool {
    !j.has_note("placement") && !j.has_note("unsupported")
}

/// Placement, target, stopped containers, blocked host jobs, the name.
fn entry_to_job(e: Entry, carriers: &[Carrier], is_service: &[bool], opts: &BuildOptions) -> Job {
    let flavor = opts.flavor;
    let c = &carriers[e.carrier];
    let service_container = is_service[e.carrier];
    let mut job = Job {
        name: e.label_name.clone(),
        label_name: e.label_name,
        job_type: e.job_type,
        carrier: c.name.clone(),
        project: c.project.clone(),
        service: c.service.clone(),
        schedule: None,
        command: None,
        params: e.params,
        sources: e.sources,
        target: None,
        notes: e.notes,
        runs: true,
    };
    let t = job.job_type;

    // Placement (spec §1 table).
    if is_mcuadros(flavor) {
        if t == JobType::Compose {
            job.ignore(Note::new(
                "unsupported",
                "job-compose exists only in netresearch/ofelia; mcuadros/ofelia ignores it",
            ));
        } else if t != JobType::Exec && !service_container {
            job.ignore(Note::new(
                "placement",
                format!("mcuadros/ofelia reads {t} labels only on the scheduler container (ofelia.service=true); ignored here (MO#109, #167). netresearch honours job-run on any container (N#461)"),
            ));
        }
    } else {
        let service_only = matches!(t, JobType::Local | JobType::ServiceRun | JobType::Compose);
        if service_only && !service_container {
            job.ignore(Note::new(
                "placement",
                format!("netresearch reads {t} labels only on the scheduler container (ofelia.service=true); ignored here"),
            ));
        } else if matches!(t, JobType::Local | JobType::Compose) && !opts.allow_host_jobs {
            job.ignore(Note::new(
                "blocked",
                format!("netresearch runs {t} jobs from labels only with `allow-host-jobs-from-labels` in its INI [global] section; blocked"),
            ));
        }
    }

    // Stopped containers: Ofelia lists running containers only (netresearch
    // with --docker-include-stopped also reads stopped ones, for job-run).
    if !is_running(c) {
        let allowed = flavor == Flavor::Netresearch && opts.include_stopped && t == JobType::Run;
        if !allowed {
            let why = if flavor == Flavor::Netresearch && t == JobType::Run {
                "the container is stopped: netresearch reads it only with --docker-include-stopped"
            } else {
                "the container is not running: Ofelia reads labels of running containers only"
            };
            job.ignore(Note::new("stopped", why));
        }
    }

    // Targets.
    let explicit_container = job
        .params
        .get("container")
        .cloned()
        .filter(|s| !s.is_empty());
    let explicit_image = job.params.get("image").cloned().filter(|s| !s.is_empty());
    match t {
        JobType::Exec => {
            if service_container {
                job.target = explicit_container.clone();
                if explicit_container.is_none() {
                    job.notes.push(Note::new(
                        "no-target",
                        "a job-exec on the scheduler container needs a `container` key; Ofelia will fail to exec it",
                    ));
                }
            } else if is_mcuadros(flavor) {
                // mcuadros sets `container` to the declaring container on every
                // label it reads, overwriting an explicit one (N#356, upstream #227).
                if let Some(other) = explicit_container.as_ref().filter(|x| **x != c.name) {
                    job.notes.push(Note::new(
                        "target-overwritten",
                        format!("container={other:?} is overwritten: mcuadros/ofelia always execs in the container carrying the labels ({:?}) (N#356)", c.name),
                    ));
                }
                job.params.insert("container".to_string(), c.name.clone());
                job.target = Some(c.name.clone());
            } else if explicit_container.is_none() && explicit_image.is_none() {
                job.params.insert("container".to_string(), c.name.clone());
                job.target = Some(c.name.clone());
            } else {
                job.target = explicit_container.clone();
            }
        }
        JobType::Run => {
            if flavor == Flavor::Netresearch
                && !service_container
                && explicit_container.is_none()
                && explicit_image.is_none()
            {
                // netresearch: a job-run without image starts the labelled container.
                job.params.insert("container".to_string(), c.name.clone());
                job.target = Some(c.name.clone());
            } else {
                // Both set: the existing container is started, the image ignored.
                job.target = explicit_container.clone().or(explicit_image.clone());
            }
            if job.target.is_none() && job.runs {
                job.notes.push(Note::new(
                    "no-target",
                    "a job-run needs an `image` or a `container`",
                ));
            }
        }
        JobType::ServiceRun => {
            job.target = explicit_image.clone();
            if job.target.is_none() && job.runs {
                job.notes
                    .push(Note::new("no-target", "a job-service-run needs an `image`"));
            }
        }
        JobType::Compose => job.target = job.params.get("service").cloned(),
        JobType::Local => {}
    }

    // netresearch blocks label run/service-run jobs with host bind mounts or
    // volumes-from unless allow-host-jobs-from-labels is set (#462).
    if flavor == Flavor::Netresearch
        && matches!(t, JobType::Run | JobType::ServiceRun)
        && !opts.allow_host_jobs
        && job.runs
    {
        let host_bind = job.list("volume").into_iter().find(|v| {
            let src = v.split(':').next().unwrap_or("");
            src.starts_with('/') || src.starts_with('.') || src.starts_with('~')
        });
        let volumes_from = !job.list("volumes-from").is_empty();
        if let Some(bind) = host_bind {
            job.ignore(Note::new(
                "blocked",
                format!("netresearch blocks {t} jobs from labels with a host bind mount ({bind:?}) unless `allow-host-jobs-from-labels` is set in its INI (#462)"),
            ));
        } else if volumes_from {
            job.ignore(Note::new(
                "blocked",
                format!("netresearch blocks {t} jobs from labels with volumes-from unless `allow-host-jobs-from-labels` is set in its INI (#462)"),
            ));
        }
    }

    // netresearch names job-exec jobs `<prefix>.<name>`, on the ofelia
    // container too (#734).
    if flavor == Flavor::Netresearch && t == JobType::Exec {
        let prefix = match opts.exec_scope {
            ExecScope::Service => c.service.clone().unwrap_or_else(|| c.name.clone()),
            ExecScope::Container => c.name.clone(),
        };
        job.name = format!("{prefix}.{}", job.label_name);
    }
    job
}

/// mcuadros: the same (type, name) on several containers is one map entry;
/// both param sets merge in random order (N#86). Ignored entries never get
/// into the maps.
fn merge_mcuadros(jobs: Vec<Job>) -> Vec<Job> {
    let mut out: Vec<Job> = Vec::new();
    let mut groups: BTreeMap<(JobType, String), Vec<Job>> = BTreeMap::new();
    for job in jobs {
        if honoured_placement(&job) && !job.has_note("stopped") {
            groups
                .entry((job.job_type, job.name.clone()))
                .or_default()
                .push(job);
        } else {
            out.push(job);
        }
    }
    for (_, mut group) in groups {
        if group.len() == 1 {
            out.extend(group);
            continue;
        }
        let names: Vec<String> = group.iter().map(|j| j.carrier.clone()).collect();
        let mut conflicts: BTreeSet<String> = BTreeSet::new();
        let mut merged = group.remove(0);
        for other in group {
            for (k, v) in other.params {
                match merged.params.get(&k) {
                    Some(existing) if *existing != v => {
                        conflicts.insert(k);
                    }
                    Some(_) => {}
                    None => {
                        if let Some(src) = other.sources.get(&k) {
                            merged.sources.insert(k.clone(), src.clone());
                        }
                        merged.params.insert(k, v);
                    }
                }
            }
            for n in other.notes {
                if !merged.notes.contains(&n) {
                    merged.notes.push(n);
                }
            }
        }
        let conflict_text = if conflicts.is_empty() {
            String::new()
        } else {
            format!(
                "; conflicting keys ({}) take a random container's value",
                conflicts.into_iter().collect::<Vec<_>>().join(", ")
            )
        };
        merged.notes.push(Note::new(
            "duplicate",
            format!(
                "{} {:?} is declared on {}: mcuadros/ofelia merges them into one job, in random order, so only one runs, in one of these containers (N#86){conflict_text}",
                merged.job_type,
                merged.label_name,
                names.join(", ")
            ),
        ));
        out.push(merged);
    }
    out
}

/// netresearch: on a name clash the first container wins (running, then
/// newest, then by name) and a warning is logged (#734, NR#86).
fn first_wins_netresearch(jobs: &mut [Job], carriers: &[Carrier]) {
    let by_name: BTreeMap<&str, &Carrier> = carriers.iter().map(|c| (c.name.as_str(), c)).collect();
    let rank = |j: &Job| {
        let c = by_name.get(j.carrier.as_str());
        (
            !c.is_some_and(|c| is_running(c)),
            std::cmp::Reverse(c.map_or(0, |c| c.created)),
            j.carrier.clone(),
        )
    };
    let mut groups: BTreeMap<(JobType, String), Vec<usize>> = BTreeMap::new();
    for (i, j) in jobs.iter().enumerate() {
        if j.runs {
            groups
                .entry((j.job_type, j.name.clone()))
                .or_default()
                .push(i);
        }
    }
    for (_, mut idx) in groups {
        if idx.len() < 2 {
            continue;
        }
        idx.sort_by_key(|i| rank(&jobs[*i]));
        let winner = jobs[idx[0]].carrier.clone();
        let all: Vec<String> = idx.iter().map(|i| jobs[*i].carrier.clone()).collect();
        for &i in &idx[1..] {
            let j = &mut jobs[i];
            let msg = format!(
                "{} {:?} is also declared on {}: netresearch keeps the first (running, then newest, then by name), {winner:?}, and ignores this one (NR#86, #734)",
                j.job_type,
                j.name,
                all.iter().filter(|c| **c != j.carrier).cloned().collect::<Vec<_>>().join(", ")
            );
            j.ignore(Note::new("duplicate", msg));
        }
    }
}

/// Schedule, command and value checks on the (merged) job.
fn finish_job(job: &mut Job, flavor: Flavor) {
    job.schedule = job.params.get("schedule").cloned();
    job.command = job.params.get("command").cloned();
    if !honoured_placement(job) {
        return;
    }
    for (key, value) in &job.params {
        let Some(spec) = lookup_key(job.job_type, flavor, key) else {
            continue;
        };
        if let Err(why) = check_value(spec.kind, value) {
            let consequence = if is_mcuadros(flavor) {
                "mcuadros/ofelia aborts reading all labels"
            } else {
                "netresearch cannot decode this job"
            };
            let note = Note::new("bad-value", format!("{key}: {why}; {consequence}"));
            job.runs = false;
            job.notes.push(note);
        }
    }
    if job.schedule.as_deref().is_none_or(str::is_empty) {
        let msg = if is_mcuadros(flavor) {
            "no schedule: mcuadros/ofelia drops the job without a word (ErrEmptySchedule)"
        } else {
            "no schedule: netresearch does not register the job"
        };
        job.ignore(Note::new("empty-schedule", msg));
    }
}

#[cfg(test)]
mod tests;
