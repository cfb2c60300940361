//! Which jobs a command looks at, and which scheduler will run them.
//!
//! Jobs come from the containers on the engine (one list call, filtered by
//! label and project) or from compose files read offline. They are grouped by
//! the scheduler container whose filters select them; each group carries the
//! flavour, time zone and `@every` origin its scheduler uses, so previews are
//! computed exactly as that scheduler will compute them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::app::App;
use crate::cli::{SchedulerArgs, SelectArgs};
use crate::compose::{self, Project};
use crate::docker::containers::{
    carrier_from_inspect, carrier_from_summary, PROJECT_LABEL, SERVICE_LABEL,
};
use crate::error::{Error, Result};
use crate::labels::{self, Carrier, Mount, SchedulerInfo};
use crate::schedule::{self, Flavor};

/// What `up` starts by default, and so what a preview assumes without a scheduler.
pub const DEFAULT_FLAVOR: Flavor = Flavor::Ofelia03;

/// Where the jobs were read from.
#[derive(Debug, Clone)]
pub enum Origin {
    Engine { host: String },
    Files { files: Vec<PathBuf> },
}

/// Jobs run by one scheduler (or by none).
#[derive(Debug, Clone)]
pub struct Group {
    pub scheduler: Option<SchedulerInfo>,
    pub flavor: Flavor,
    /// Why this flavour: "--flavor", "image mcuadros/ofelia:latest", "default: no scheduler".
    pub flavor_source: String,
    pub tz: Tz,
    pub tz_source: String,
    /// The scheduler's start, from which `@every` counts (None: "if started now").
    pub every_origin: Option<DateTime<Utc>>,
    pub carriers: Vec<Carrier>,
}

/// The selected jobs' carriers, grouped by scheduler.
#[derive(Debug, Clone)]
pub struct Scope {
    pub origin: Origin,
    /// The compose project selected (None: every project).
    pub project: Option<String>,
    pub groups: Vec<Group>,
    /// Things the user must know (no scheduler running, several schedulers…).
    pub warnings: Vec<String>,
}

/// What the command needs beyond the selection flags.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub include_stopped: bool,
    pub flavor: Option<Flavor>,
    pub tz: Option<String>,
    /// Every container of the project, not only `ofelia.enabled=true` ones (for `check`).
    pub all_labelled: bool,
}

impl Options {
    pub fn from_args(s: &SchedulerArgs, include_stopped: bool) -> Self {
        Options {
            include_stopped,
            flavor: s.flavor.map(Into::into),
            tz: s.tz.clone(),
            all_labelled: false,
        }
    }
}

/// The process environment as a map.
pub fn process_env() -> BTreeMap<String, String> {
    std::env::vars().collect()
}

/// The host's zone name: `TZ`, else the /etc/localtime link target.
pub fn host_zone_name() -> Option<String> {
    let tz = std::env::var("TZ").ok();
    let link = std::fs::read_link("/etc/localtime")
        .ok()
        .map(|p| p.to_string_lossy().into_owned());
    schedule::host_zone(tz.as_deref(), link.as_deref()).map(|(name, _)| name)
}

/// Resolves a `--tz` value (`local` allowed).
pub fn zone(name: &str) -> Result<Tz> {
    schedule::parse_zone(name, host_zone_name().as_deref()).map_err(Error::usage)
}

/// Gathers the carriers for `select`, from files (`-f`) or the engine.
pub async fn gather(app: &App, select: &SelectArgs, opts: &Options) -> Result<Scope> {
    let env = process_env();
    let cwd = std::env::current_dir()?;
    let project_flag = select
        .project
        .clone()
        .or_else(|| env.get("COMPOSE_PROJECT_NAME").cloned())
        .filter(|p| !p.is_empty());
    if let Some(p) = &project_flag {
        compose::validate_project_name(p).map_err(|e| Error::usage(e.to_string()))?;
    }
    // A bad --tz is the user's mistake: a usage error, as in explain and up.
    if let Some(z) = &opts.tz {
        zone(z).map_err(|e| Error::usage(format!("invalid --tz: {e}")))?;
    }
    if !select.files.is_empty() {
        let project = compose::files::load_project(
            &select.files,
            project_flag.as_deref(),
            &cwd,
            &env,
            std::io::stdin(),
        )?;
        return Ok(from_project(&project, opts));
    }
    let mut found = None;
    let project = match project_flag {
        Some(p) => Some(p),
        None => match compose::files::find_compose_files(&cwd) {
            Some(files) => {
                let name =
                    compose::files::load_project(&files, None, &cwd, &env, std::io::empty())?.name;
                found = Some(files);
                Some(name)
            }
            None => None,
        },
    };
    let mut scope = from_engine(app, project, opts).await?;
    if let (Some(files), Some(p)) = (found, &scope.project) {
        if scope.groups.iter().all(|g| g.carriers.is_empty()) {
            let names: Vec<String> = files
                .iter()
                .map(|f| format!("-f {}", display_path(f, &cwd)))
                .collect();
            scope.warnings.push(format!(
                "no container of project {p} (named by the compose file here) on the engine; to read the file offline: docker ofelia {} {}",
                subcommand_name(),
                names.join(" ")
            ));
        }
    }
    Ok(scope)
}

/// The subcommand being run (`ls`, `next`…), for hints.
fn subcommand_name() -> String {
    std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-') && a != "ofelia")
        .unwrap_or_else(|| "ls".to_string())
}

/// Turns compose services into carriers, with the labels compose would add.
pub fn carriers_from_project(project: &Project) -> Vec<Carrier> {
    project
        .services
        .iter()
        .map(|s| {
            let mut labels: BTreeMap<String, String> = BTreeMap::new();
            let mut label_lines = BTreeMap::new();
            for l in &s.labels {
                labels.insert(l.key.clone(), l.value.clone());
                label_lines.insert(l.key.clone(), (l.file.display().to_string(), l.line));
            }
            labels.insert(PROJECT_LABEL.into(), project.name.clone());
            labels.insert(SERVICE_LABEL.into(), s.name.clone());
            Carrier {
                id: String::new(),
                name: s
                    .container_name
                    .clone()
                    .unwrap_or_else(|| s.default_container_name(&project.name)),
                project: Some(project.name.clone()),
                service: Some(s.name.clone()),
                image: s.image.clone().unwrap_or_default(),
                image_labels: BTreeMap::new(),
                labels,
                label_lines,
                env: s.environment.clone(),
                command: s.command.clone().unwrap_or_default(),
                mounts: s
                    .volumes
                    .iter()
                    .map(|v| Mount {
                        source: v.source.clone().unwrap_or_default(),
                        target: v.target.clone(),
                        read_only: v.read_only,
                    })
                    .collect(),
                running: true,
                created: 0,
                started_at: None,
            }
        })
        .collect()
}

pub fn from_project(project: &Project, opts: &Options) -> Scope {
    let carriers = carriers_from_project(project);
    let schedulers: Vec<SchedulerInfo> =
        carriers.iter().filter_map(labels::scheduler_info).collect();
    let mut warnings = Vec::new();
    let groups = group(carriers, &schedulers, opts, &mut warnings, false);
    Scope {
        origin: Origin::Files {
            files: project.files.clone(),
        },
        project: Some(project.name.clone()),
        groups,
        warnings,
    }
}

async fn from_engine(app: &App, project: Option<String>, opts: &Options) -> Result<Scope> {
    let engine = app.engine().await?;
    let mut filter = Vec::new();
    if !opts.all_labelled {
        filter.push("ofelia.enabled=true".to_string());
    }
    if let Some(p) = &project {
        filter.push(format!("{PROJECT_LABEL}={p}"));
    }
    let listed = app
        .cancellable(engine.list_by_labels(&filter, opts.include_stopped))
        .await?;
    // Schedulers may live in another project (or none): a second list call.
    let sched_list = app
        .cancellable(engine.list_by_labels(&["ofelia.service=true".to_string()], true))
        .await?;
    let mut scheduler_carriers = Vec::new();
    for s in &sched_list {
        let Some(id) = s.id.as_deref() else { continue };
        // A scheduler removed between the list and the inspect is simply gone.
        let Ok(inspected) = app.cancellable(engine.inspect(id)).await else {
            continue;
        };
        let image = inspected
            .config
            .as_ref()
            .and_then(|c| c.image.clone())
            .unwrap_or_default();
        let image_labels = engine.image_labels(&image).await;
        scheduler_carriers.push(carrier_from_inspect(&inspected, image_labels));
    }
    let mut carriers: Vec<Carrier> = Vec::new();
    for s in &listed {
        let c = carrier_from_summary(s);
        // A scheduler is represented by its inspected form (env, command).
        if let Some(sc) = scheduler_carriers.iter().find(|sc| sc.id == c.id) {
            carriers.push(sc.clone());
        } else {
            carriers.push(c);
        }
    }
    let schedulers: Vec<SchedulerInfo> = scheduler_carriers
        .iter()
        .filter_map(labels::scheduler_info)
        .collect();
    let mut warnings = Vec::new();
    let groups = group(carriers, &schedulers, opts, &mut warnings, true);
    Ok(Scope {
        origin: Origin::Engine {
            host: engine.endpoint.host.clone(),
        },
        project,
        groups,
        warnings,
    })
}

/// Groups carriers by the scheduler whose filters select them.
fn group(
    carriers: Vec<Carrier>,
    schedulers: &[SchedulerInfo],
    opts: &Options,
    warnings: &mut Vec<String>,
    live: bool,
) -> Vec<Group> {
    let running: Vec<&SchedulerInfo> = schedulers.iter().filter(|s| s.running || !live).collect();
    let mut groups: Vec<Group> = Vec::new();
    let mut unscheduled: Vec<Carrier> = Vec::new();
    let mut multi: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for c in carriers {
        let selecting: Vec<&&SchedulerInfo> = running
            .iter()
            .filter(|s| s.name == c.name || labels::selects(s, &c))
            .collect();
        // When several schedulers run the same jobs (each one runs them; a
        // warning says so), the preview uses the most specific one: the
        // container itself (a scheduler's own labels), then a scheduler of
        // the same compose project, then one with -f filters, then by name.
        let chosen = selecting
            .iter()
            .min_by_key(|s| {
                (
                    s.name != c.name,
                    s.project.is_none() || s.project != c.project,
                    s.filters.is_empty(),
                    s.name.clone(),
                )
            })
            .map(|s| (**s).clone());
        // Only containers that declare jobs: a scheduler made by `up` carries
        // ofelia.enabled=true but no job, and nothing of it runs twice.
        if selecting.len() > 1
            && c.labels.get("ofelia.enabled").map(String::as_str) == Some("true")
            && c.labels.keys().any(|k| k.starts_with("ofelia.job-"))
        {
            multi
                .entry(c.name.clone())
                .or_default()
                .extend(selecting.iter().map(|s| s.name.clone()));
        }
        match chosen {
            Some(s) => match groups
                .iter_mut()
                .find(|g| g.scheduler.as_ref().map(|x| &x.name) == Some(&s.name))
            {
                Some(g) => g.carriers.push(c),
                None => groups.push(new_group(Some(s), vec![c], opts, warnings)),
            },
            None => unscheduled.push(c),
        }
    }
    for (c, s) in multi {
        warnings.push(format!(
            "{c}: its jobs are run by {} schedulers ({}): each one runs them",
            s.len(),
            s.join(", ")
        ));
    }
    let enabled = unscheduled
        .iter()
        .any(|c| c.labels.get("ofelia.enabled").map(String::as_str) == Some("true"));
    if !unscheduled.is_empty() {
        if enabled {
            let stopped: Vec<&str> = schedulers
                .iter()
                .filter(|s| !s.running)
                .map(|s| s.name.as_str())
                .collect();
            let msg = if live && !stopped.is_empty() {
                format!(
                    "no running scheduler selects some of these jobs (stopped: {}): they will not fire; start one with `docker ofelia up -d`",
                    stopped.join(", ")
                )
            } else if live {
                "no scheduler is running for these jobs: they will not fire; start one with `docker ofelia up -d`".to_string()
            } else if !schedulers.is_empty() {
                let names: Vec<&str> = schedulers.iter().map(|s| s.name.as_str()).collect();
                format!(
                    "the scheduler service in these compose files ({}) does not select these jobs (its -f filters leave them out): they will not fire unless a scheduler runs elsewhere (`docker ofelia up -d`)",
                    names.join(", ")
                )
            } else {
                "no scheduler service in these compose files: these jobs will not fire unless a scheduler runs elsewhere (`docker ofelia up -d`)".to_string()
            };
            warnings.push(msg);
        }
        groups.push(new_group(None, unscheduled, opts, warnings));
    }
    groups
}

fn new_group(
    scheduler: Option<SchedulerInfo>,
    carriers: Vec<Carrier>,
    opts: &Options,
    warnings: &mut Vec<String>,
) -> Group {
    let (flavor, flavor_source) = match (opts.flavor, &scheduler) {
        (Some(f), _) => (f, "--flavor".to_string()),
        (None, Some(s)) => match s.flavor {
            Some(f) => (f, s.flavor_reason.clone()),
            None => {
                warnings.push(format!(
                    "{}: cannot tell the Ofelia flavour from its image ({}); assuming {DEFAULT_FLAVOR} (use --flavor)",
                    s.name, s.flavor_reason
                ));
                (DEFAULT_FLAVOR, format!("assumed ({})", s.flavor_reason))
            }
        },
        (None, None) => (
            DEFAULT_FLAVOR,
            "default: what `docker ofelia up` starts".to_string(),
        ),
    };
    let (tz, tz_source) = match (&opts.tz, &scheduler) {
        (Some(z), _) => match zone(z) {
            Ok(tz) => (tz, "--tz".to_string()),
            Err(e) => {
                warnings.push(e.to_string());
                (Tz::UTC, "UTC".to_string())
            }
        },
        (None, Some(s)) => match s.tz.as_deref() {
            Some(name) => match schedule::parse_zone(name, None) {
                Ok(tz) => (tz, format!("TZ of {}", s.name)),
                Err(_) => {
                    warnings.push(format!(
                        "{}: unknown time zone TZ={name}: Go falls back to UTC",
                        s.name
                    ));
                    (Tz::UTC, format!("UTC (TZ={name} is unknown)"))
                }
            },
            None => (Tz::UTC, format!("{} has no TZ: UTC", s.name)),
        },
        (None, None) => (Tz::UTC, "default: UTC, as the images run".to_string()),
    };
    let every_origin = scheduler.as_ref().and_then(|s| s.started_at);
    Group {
        scheduler,
        flavor,
        flavor_source,
        tz,
        tz_source,
        every_origin,
        carriers,
    }
}

/// The label model of every group, with each group's facts.
pub fn models(scope: &Scope, include_stopped: bool) -> Vec<(&Group, labels::Model)> {
    scope
        .groups
        .iter()
        .map(|g| {
            let opts = labels::BuildOptions {
                include_stopped,
                ..labels::BuildOptions::new(g.flavor)
            };
            let model = match &g.scheduler {
                Some(s) => labels::build_for_scheduler(&g.carriers, s, &opts),
                None => labels::build_with(&g.carriers, &opts),
            };
            (g, model)
        })
        .collect()
}

/// A path for display relative to `cwd` when inside it.
pub fn display_path(p: &Path, cwd: &Path) -> String {
    p.strip_prefix(cwd)
        .map(|r| r.display().to_string())
        .unwrap_or_else(|_| p.display().to_string())
}

/// One line saying which scheduler, flavour and zone a group's preview uses.
pub fn group_summary(g: &Group) -> String {
    let who = match &g.scheduler {
        Some(s) if s.running => format!("Scheduler {}", s.name),
        Some(s) => format!("Scheduler {} (not running)", s.name),
        None => "No scheduler".to_string(),
    };
    format!(
        "{who}: flavour {} ({}), zone {} ({})",
        g.flavor,
        g.flavor_source,
        g.tz.name(),
        g.tz_source
    )
}

/// Where the jobs were read from, for the header of `ls` and `next`.
pub fn origin_summary(scope: &Scope) -> String {
    let what = match &scope.project {
        Some(p) => format!("project {p}"),
        None => "every project".to_string(),
    };
    match &scope.origin {
        Origin::Engine { host } => format!("Jobs of {what} on {host}"),
        Origin::Files { files } => {
            let cwd = std::env::current_dir().unwrap_or_default();
            let names: Vec<String> = files.iter().map(|f| display_path(f, &cwd)).collect();
            format!("Jobs of {what} in {} (offline)", names.join(", "))
        }
    }
}

/// Parsed schedules and next fire times, computed once per distinct
/// (expression, flavour, zone, origin): a thousand containers usually share
/// a handful of expressions.
#[derive(Default)]
pub struct ScheduleCache {
    parsed: std::collections::HashMap<
        (String, Flavor),
        std::result::Result<schedule::Schedule, String>,
    >,
}

impl ScheduleCache {
    pub fn parse(
        &mut self,
        expr: &str,
        flavor: Flavor,
    ) -> std::result::Result<&schedule::Schedule, &str> {
        self.parsed
            .entry((expr.to_string(), flavor))
            .or_insert_with(|| schedule::parse(expr, flavor).map_err(|e| e.to_string()))
            .as_ref()
            .map_err(String::as_str)
    }
}
