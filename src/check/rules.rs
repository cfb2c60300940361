//! The rules, per scheduler group: label-level rules on each carrier's own
//! labels, job-level rules from the label model (placement, duplicates…),
//! and scheduler-level rules.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{TimeZone, Utc};

use crate::labels::{
    self, effective_labels, is_secret_key, lookup_key, nearest_job_type, nearest_key,
    parse_go_duration, prefix_typo, quoted_value, shell_syntax, Carrier, Job, JobType, Model,
    ENABLED_LABEL,
};
use crate::schedule::{self, Flavor};

use super::{Finding, Group, Input, Severity};

fn is_mcuadros(f: Flavor) -> bool {
    matches!(f, Flavor::Ofelia03 | Flavor::Ofelia04)
}

/// Builds findings located on one carrier.
struct At<'a> {
    input: &'a Input,
    c: &'a Carrier,
}

impl At<'_> {
    #[allow(clippy::too_many_arguments)]
    fn finding(
        &self,
        severity: Severity,
        rule: &'static str,
        job: Option<&str>,
        key: Option<&str>,
        line_key: Option<&str>,
        message: String,
        fix: String,
    ) -> Finding {
        let (file, line) = if self.input.live {
            (None, None)
        } else {
            let at = line_key
                .and_then(|k| self.c.label_lines.get(k))
                .or_else(|| {
                    self.c
                        .service
                        .as_ref()
                        .and_then(|s| self.input.service_lines.get(s))
                });
            match at {
                Some((f, l)) => (Some(f.clone()), Some(*l)),
                None => (None, None),
            }
        };
        Finding {
            severity,
            rule,
            project: self.c.project.clone(),
            service: self.c.service.clone(),
            container: self.input.live.then(|| self.c.name.clone()),
            job: job.map(str::to_string),
            key: key.map(str::to_string),
            message,
            fix,
            file,
            line,
        }
    }

    /// The label key of a job with the smallest line (compose), else the first.
    fn job_line_key(&self, ty: &str, name: &str) -> Option<String> {
        let prefix = format!("ofelia.{ty}.{name}.");
        self.c
            .labels
            .keys()
            .filter(|k| k.starts_with(&prefix))
            .min_by_key(|k| self.c.label_lines.get(*k).map_or(usize::MAX, |(_, l)| *l))
            .cloned()
    }
}

/// All rules for one group.
pub(super) fn group(input: &Input, g: &Group, out: &mut Vec<Finding>) {
    let opts = labels::BuildOptions::new(g.flavor);
    let model = match &g.scheduler {
        Some(s) => labels::build_for_scheduler(&g.carriers, s, &opts),
        None => labels::build_with(&g.carriers, &opts),
    };
    let mut carriers: Vec<&Carrier> = g.carriers.iter().collect();
    carriers.sort_by(|a, b| a.name.cmp(&b.name));
    for c in &carriers {
        let at = At { input, c };
        carrier_labels(&at, g.flavor, &model, out);
        model_notes(&at, &model, out);
    }
    jobs(input, g, &carriers, &model, out);
    scheduler(input, g, &carriers, &model, out);
}

/// The (type, name) of jobs the model ignores for their placement.
fn misplaced(model: &Model, carrier: &str) -> BTreeSet<(JobType, String)> {
    model
        .jobs
        .iter()
        .filter(|j| j.carrier == carrier && (j.has_note("placement") || j.has_note("unsupported")))
        .map(|j| (j.job_type, j.label_name.clone()))
        .collect()
}

/// Label-level rules on one carrier's own labels.
fn carrier_labels(at: &At, flavor: Flavor, model: &Model, out: &mut Vec<Finding>) {
    let c = at.c;
    let eff = effective_labels(c);
    let enabled_value = eff.get(ENABLED_LABEL).map(String::as_str);
    let enabled = enabled_value == Some("true");
    let skip = misplaced(model, &c.name);

    // Prefix typos (MO#167).
    let mut typo_fixed: BTreeSet<String> = BTreeSet::new();
    for key in c.labels.keys() {
        if let Some(fixed) = prefix_typo(key) {
            typo_fixed.insert(fixed.clone());
            out.push(at.finding(
                Severity::Error,
                "prefix-typo",
                job_of(&fixed),
                Some(key),
                Some(key),
                format!("Ofelia reads only labels that start with exactly \"ofelia\" and splits them on '.': {key:?} is ignored silently"),
                format!("rename the label to {fixed:?}"),
            ));
        }
    }

    // Discovery: ofelia.enable (MO#126), a value other than true.
    let has_job_labels = c.labels.keys().any(|k| {
        let p: Vec<&str> = k.split('.').collect();
        p.len() >= 4 && p[0] == "ofelia" && p[1].starts_with("job-")
    });
    let mut discovery_reported = typo_fixed.contains(ENABLED_LABEL);
    if !enabled && !discovery_reported {
        if let Some(v) = c.labels.get("ofelia.enable") {
            discovery_reported = true;
            out.push(at.finding(
                Severity::Error,
                "enable-typo",
                None,
                Some("ofelia.enable"),
                Some("ofelia.enable"),
                format!("\"ofelia.enable={v}\" is not \"ofelia.enabled=true\": Ofelia lists only containers labelled ofelia.enabled=true, so it never sees this one and none of its jobs run"),
                "rename the label to \"ofelia.enabled\" with the value \"true\"".to_string(),
            ));
        } else if let Some(v) = enabled_value {
            discovery_reported = true;
            if let Some(inner) = quoted_value(v) {
                out.push(at.finding(
                    Severity::Error,
                    "quoted-value",
                    None,
                    Some(ENABLED_LABEL),
                    Some(ENABLED_LABEL),
                    format!("the value keeps its quotes ({v}), as list-syntax labels do: Ofelia compares it with \"true\" exactly, so it never sees this container"),
                    format!("write the list item without quotes (- {ENABLED_LABEL}={inner}) or use map syntax"),
                ));
            } else {
                out.push(at.finding(
                    Severity::Error,
                    "enabled-value",
                    None,
                    Some(ENABLED_LABEL),
                    Some(ENABLED_LABEL),
                    format!("ofelia.enabled={v:?}: Ofelia lists containers with the filter label=ofelia.enabled=true, an exact match, so it never sees this one and none of its jobs run"),
                    "set ofelia.enabled to exactly \"true\"".to_string(),
                ));
            }
        }
    }
    if !enabled && !discovery_reported && has_job_labels {
        let first = c
            .labels
            .keys()
            .filter(|k| k.starts_with("ofelia.job-"))
            .min_by_key(|k| c.label_lines.get(*k).map_or(usize::MAX, |(_, l)| *l));
        out.push(at.finding(
            Severity::Error,
            "not-enabled",
            None,
            None,
            first.map(String::as_str),
            "this container carries ofelia.job-* labels but not ofelia.enabled=true: Ofelia lists only containers with that label, so none of its jobs run".to_string(),
            "add the label ofelia.enabled=true".to_string(),
        ));
    }

    // Job labels.
    let mut unknown_types: BTreeSet<&str> = BTreeSet::new();
    let mut dotted: BTreeSet<(&str, &str)> = BTreeSet::new();
    for (key, value) in &c.labels {
        let parts: Vec<&str> = key.split('.').collect();
        if parts[0] != "ofelia" {
            continue;
        }
        if is_secret_key(key) && !value.is_empty() {
            out.push(at.finding(
                Severity::Info,
                "plain-secret",
                (parts.len() >= 4).then(|| parts[2]),
                Some(key),
                Some(key),
                format!("{key} holds a secret in plain text: anyone who can `docker inspect` this container reads it"),
                "set it in the scheduler's INI file (a mounted secret) instead of a label".to_string(),
            ));
        }
        if parts.len() < 4 {
            continue;
        }
        let (ty, name, param) = (parts[1], parts[2], parts[3]);
        let Some(t) = JobType::from_label(ty) else {
            if (flavor == Flavor::Netresearch && ty == "webhook") || !unknown_types.insert(ty) {
                continue;
            }
            let fix = match nearest_job_type(flavor, ty) {
                Some(near) => format!(
                    "rename to \"ofelia.{near}.{name}.{param}\" (and the other {ty} labels)"
                ),
                None => "use job-exec, job-run, job-local or job-service-run".to_string(),
            };
            let first = at.job_line_key(ty, name);
            out.push(at.finding(
                Severity::Error,
                "unknown-job-type",
                Some(name),
                Some(key),
                first.as_deref(),
                format!(
                    "{ty:?} is not a job type of {flavor}: Ofelia ignores these labels silently"
                ),
                fix,
            ));
            continue;
        };
        if labels::known_keys(t, flavor).is_empty() {
            continue; // job-compose under mcuadros: the model's `unsupported`.
        }
        if parts.len() > 4 {
            if dotted.insert((ty, name)) {
                let rest = parts[4..].join(".");
                let first = at.job_line_key(ty, name);
                out.push(at.finding(
                    Severity::Error,
                    "dotted-job-name",
                    Some(name),
                    Some(key),
                    first.as_deref(),
                    format!("Ofelia splits label keys on '.': {key:?} is job {name:?} with key {param:?}, and {rest:?} is dropped silently, so the job is not the one you wrote"),
                    format!("use a job name without dots, e.g. \"{name}-{}\"", parts[3..parts.len() - 1].join("-")),
                ));
            }
            continue;
        }
        let Some(spec) = lookup_key(t, flavor, param) else {
            let fix = match nearest_key(t, flavor, param) {
                Some(near) => format!("did you mean \"ofelia.{ty}.{name}.{near}\"?"),
                None => format!("remove it; {ty} keys are listed in `docker ofelia explain`"),
            };
            out.push(at.finding(
                Severity::Warning,
                "unknown-key",
                Some(name),
                Some(key),
                Some(key),
                format!("{ty} has no key {param:?} under {flavor}: Ofelia ignores it silently"),
                fix,
            ));
            continue;
        };
        if skip.contains(&(t, name.to_string())) {
            continue; // the job is never read: its values do not matter.
        }
        if let Some(inner) = quoted_value(value) {
            out.push(at.finding(
                Severity::Error,
                "quoted-value",
                Some(name),
                Some(key),
                Some(key),
                format!("the value keeps its quotes ({}), as list-syntax labels do: Ofelia reads {param} with the quote characters in it", crate::render::truncate(value, 40)),
                format!("write the list item without quotes (- {key}={inner}) or use map syntax ({key}: \"{inner}\")"),
            ));
            continue;
        }
        if spec.name == "schedule" {
            if let Some((rule, sev, message, fix)) = schedule_rule(value, flavor) {
                out.push(at.finding(sev, rule, Some(name), Some(key), Some(key), message, fix));
            }
        } else if spec.name == "command" && t != JobType::Compose {
            if let Some(what) = shell_syntax(value) {
                out.push(at.finding(
                    Severity::Warning,
                    "shell-syntax",
                    Some(name),
                    Some(key),
                    Some(key),
                    format!("the command uses {what}, but Ofelia runs no shell: it splits the command into words and runs the first one with the rest as plain arguments"),
                    format!("wrap it in a shell: sh -c '{}'", value.replace('\'', "'\\''")),
                ));
            }
        }
    }
}

/// The job name a label key declares (`ofelia.<type>.<name>.<key>`).
fn job_of(key: &str) -> Option<&str> {
    let p: Vec<&str> = key.split('.').collect();
    (p.len() >= 4 && p[1].starts_with("job-")).then(|| p[2])
}

/// A schedule's mistake under `flavor`, if any: (rule, severity, message, fix).
pub(super) fn schedule_rule(
    value: &str,
    flavor: Flavor,
) -> Option<(&'static str, Severity, String, String)> {
    if value.is_empty() {
        return None; // the model's `empty-schedule`.
    }
    if (value.starts_with("TZ=") || value.starts_with("CRON_TZ="))
        && !value.contains(char::is_whitespace)
    {
        let what = match flavor {
            Flavor::Ofelia04 => {
                "robfig/cron v3 panics on it outside its recover: the whole scheduler crashes"
            }
            Flavor::Ofelia03 => {
                "ofelia-0.3 (robfig/cron v1) rejects it and skips the job; ofelia-0.4 crashes on it"
            }
            Flavor::Netresearch => {
                "netresearch rejects it and does not register the job; ofelia-0.4 crashes on it"
            }
        };
        return Some((
            "tz-no-schedule",
            Severity::Error,
            format!("{value:?} has a time zone but no schedule after it: {what}"),
            format!("write the schedule after a space: \"{value} 0 0 8 * * *\""),
        ));
    }
    if let Some(rest) = value.strip_prefix("@every") {
        let rest = rest.trim();
        match parse_go_duration(rest) {
            Err(_) => {
                let fix = go_duration_hint(rest)
                    .map(|d| format!("write \"@every {d}\" (Go durations: ns, us, ms, s, m, h)"))
                    .unwrap_or_else(|| {
                        "use a Go duration: a number with ns, us, ms, s, m or h, e.g. \"@every 24h\"".to_string()
                    });
                let what = if flavor == Flavor::Ofelia03 {
                    "the job is not registered; if it is the only one, ofelia-0.3 exits with \"unable to start a empty scheduler\""
                } else {
                    "the job is not registered"
                };
                return Some((
                    "every-duration",
                    Severity::Error,
                    format!("{rest:?} is not a Go duration: {what}"),
                    fix,
                ));
            }
            Ok(ns) if ns < 1_000_000_000 && value.starts_with("@every ") => {
                return Some(if flavor == Flavor::Netresearch {
                    (
                        "every-below-1s",
                        Severity::Error,
                        format!("@every {rest} is under 1s: netresearch rejects it and does not register the job"),
                        "use at least \"@every 1s\"".to_string(),
                    )
                } else {
                    (
                        "every-below-1s",
                        Severity::Warning,
                        format!("@every {rest} is under 1s: {flavor} runs it every 1s"),
                        "write \"@every 1s\" (what it does) or a longer delay".to_string(),
                    )
                });
            }
            Ok(_) => {}
        }
    }
    let parsed = match schedule::parse(value, flavor) {
        Ok(s) => s,
        Err(e) => {
            return Some((
                "invalid-schedule",
                Severity::Error,
                format!("{flavor} rejects this schedule ({e}): the job is not registered"),
                invalid_fix(value, flavor),
            ))
        }
    };
    if parsed.field_count() == 5 && five_fields_differ(value) {
        let fields: Vec<&str> = value
            .split_whitespace()
            .skip_while(|f| f.contains('='))
            .collect();
        let meaning = if flavor == Flavor::Ofelia03 {
            "second, minute, hour, day of month, month"
        } else {
            "minute, hour, day of month, month, day of week"
        };
        return Some((
            "five-field-schedule",
            Severity::Warning,
            format!("5 fields are read seconds first by ofelia-0.3 (mcuadros/ofelia:latest) but minute first, as crontab does, by ofelia-0.4 and netresearch (MO#441): {flavor} reads {:?} as {meaning}", fields.join(" ")),
            format!("write 6 fields, seconds first: \"0 {}\" is the crontab meaning in every flavour; \"{} *\" is what ofelia-0.3 does with it", fields.join(" "), fields.join(" ")),
        ));
    }
    None
}

/// `1d` → `24h`, `2w` → `336h`.
fn go_duration_hint(rest: &str) -> Option<String> {
    let (num, unit) = rest.split_at(rest.find(|c: char| !c.is_ascii_digit())?);
    let n: u64 = num.parse().ok()?;
    let hours = match unit {
        "d" | "day" | "days" => n.checked_mul(24)?,
        "w" | "week" | "weeks" => n.checked_mul(168)?,
        _ => return None,
    };
    Some(format!("{hours}h"))
}

fn invalid_fix(value: &str, flavor: Flavor) -> String {
    let n = value.split_whitespace().count();
    if flavor == Flavor::Ofelia03 && n == 5 {
        "ofelia-0.3 reads 5 fields as second, minute, hour, day, month: write 6 fields (second first)".to_string()
    } else if value.starts_with('@') {
        "use @yearly, @monthly, @weekly, @daily, @hourly or @every <duration>".to_string()
    } else if n == 6 {
        "check each field: second 0-59, minute 0-59, hour 0-23, day 1-31, month 1-12 or JAN-DEC, weekday 0-6 or SUN-SAT".to_string()
    } else {
        "write 6 fields: second minute hour day-of-month month day-of-week".to_string()
    }
}

/// Do the three flavours disagree on a 5-field expression (different next
/// fire times from a fixed instant, or one rejects it)?
fn five_fields_differ(value: &str) -> bool {
    let Some(from) = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).single() else {
        return false;
    };
    let runs: Vec<Option<Vec<i64>>> = Flavor::ALL
        .iter()
        .map(|f| {
            schedule::parse(value, *f).ok().map(|s| {
                s.upcoming(from, chrono_tz::UTC, 5, Some(from))
                    .times
                    .iter()
                    .map(|t| t.timestamp())
                    .collect()
            })
        })
        .collect();
    runs.windows(2).any(|w| w[0] != w[1])
}

/// Carrier-level notes of the model (globals, short keys).
fn model_notes(at: &At, model: &Model, out: &mut Vec<Finding>) {
    for (carrier, note) in &model.notes {
        if *carrier != at.c.name {
            continue;
        }
        let (rule, sev, fix) = match note.code {
            "ignored-key" => (
                "ignored-key",
                Severity::Warning,
                "write ofelia.<type>.<job>.<key> (four parts)",
            ),
            "unknown-global" | "blocked-global" => (
                "global-ignored",
                Severity::Warning,
                "set it in the scheduler's INI file, or remove it",
            ),
            "crash" => ("label-crash", Severity::Error, "remove the label"),
            "bad-value" => (
                "bad-value",
                Severity::Error,
                "use a value Go can decode (true/false, a number, a duration like 90s)",
            ),
            "not-selected" => (
                "not-selected",
                Severity::Warning,
                "add a label matching the scheduler's -f filters to its own service",
            ),
            _ => continue,
        };
        let key = at.c.labels.keys().find(|k| {
            note.message.contains(&format!("{k:?}")) || note.message.contains(&format!("{k}="))
        });
        if key.is_some_and(|k| k == "ofelia.enable" || prefix_typo(k).is_some()) {
            continue;
        }
        out.push(at.finding(
            sev,
            rule,
            None,
            key.map(String::as_str),
            key.map(String::as_str),
            note.message.clone(),
            fix.to_string(),
        ));
    }
}

/// Job-level rules from the model: placement, duplicates, empty schedules,
/// bad values, targets, blocked jobs.
fn jobs(input: &Input, g: &Group, carriers: &[&Carrier], model: &Model, out: &mut Vec<Finding>) {
    let by_name: BTreeMap<&str, &Carrier> =
        carriers.iter().map(|c| (c.name.as_str(), *c)).collect();
    let mut duplicates: BTreeSet<(JobType, String)> = BTreeSet::new();
    let mut not_selected: BTreeSet<String> = BTreeSet::new();
    for job in &model.jobs {
        let Some(c) = by_name.get(job.carrier.as_str()) else {
            continue;
        };
        let at = At { input, c };
        let ty = job.job_type.label();
        let line_key = at.job_line_key(ty, &job.label_name);
        for note in &job.notes {
            let (rule, sev, fix): (&'static str, Severity, String) = match note.code {
                "placement" => (
                    "job-placement",
                    Severity::Error,
                    format!("move the {ty} labels to the scheduler service (the one with ofelia.service=true), or use job-exec here"),
                ),
                "duplicate" => {
                    if !duplicates.insert((job.job_type, job.label_name.clone())) {
                        continue;
                    }
                    ("duplicate-job", Severity::Error, "give the job a different name on each container".to_string())
                }
                "empty-schedule" => {
                    if consequence_of_schedule_typo(c, job, g.flavor) {
                        continue;
                    }
                    ("empty-schedule", Severity::Error, format!("add ofelia.{ty}.{}.schedule", job.label_name))
                }
                "bad-value" => ("bad-value", Severity::Error, "use a value Go can decode (true/false, a number, a duration like 90s)".to_string()),
                "no-target" => ("no-target", Severity::Error, match job.job_type {
                    JobType::Exec => format!("add ofelia.{ty}.{}.container", job.label_name),
                    JobType::ServiceRun => format!("add ofelia.{ty}.{}.image", job.label_name),
                    _ => format!("add ofelia.{ty}.{}.image (or .container)", job.label_name),
                }),
                "target-overwritten" => ("target-overwritten", Severity::Warning, "declare the job on the container it should run in".to_string()),
                "blocked" => ("job-blocked", Severity::Error, "set allow-host-jobs-from-labels in the scheduler's INI [global] section, or declare the job in the INI file".to_string()),
                "unsupported" => ("job-unsupported", Severity::Error, "use the netresearch scheduler, or a job-run/job-local job".to_string()),
                "duplicate-key" if !job.has_note("dropped-key-parts") => ("duplicate-key", Severity::Warning, "keep one spelling of the key".to_string()),
                "not-selected" => {
                    let carrier_note = model.notes.iter().any(|(c2, n)| *c2 == job.carrier && n.code == "not-selected");
                    if carrier_note || !not_selected.insert(job.carrier.clone()) {
                        continue;
                    }
                    ("not-selected", Severity::Warning, "add a label matching the scheduler's -f filters to its own service".to_string())
                }
                _ => continue,
            };
            let key = (note.code == "bad-value")
                .then(|| note.message.split(':').next())
                .flatten()
                .and_then(|k| job.sources.get(k))
                .filter(|k| c.labels.contains_key(*k));
            let lk = key.cloned().or_else(|| line_key.clone());
            out.push(at.finding(
                sev,
                rule,
                Some(&job.label_name),
                key.map(String::as_str),
                lk.as_deref(),
                note.message.clone(),
                fix,
            ));
        }
    }
}

/// An empty schedule caused by a mistake reported elsewhere: a dotted name,
/// a misspelt `schedule` key, a prefix typo on the schedule label.
fn consequence_of_schedule_typo(c: &Carrier, job: &Job, flavor: Flavor) -> bool {
    if job.has_note("dropped-key-parts") {
        return true;
    }
    let ty = job.job_type.label();
    let want = format!("ofelia.{ty}.{}.schedule", job.label_name);
    if c.labels
        .keys()
        .any(|k| prefix_typo(k).as_deref() == Some(want.as_str()))
    {
        return true;
    }
    labels::unknown_params(job, flavor)
        .iter()
        .any(|(_, near)| *near == Some("schedule"))
}

/// Scheduler-level rules (or the lack of a scheduler).
fn scheduler(
    input: &Input,
    g: &Group,
    carriers: &[&Carrier],
    model: &Model,
    out: &mut Vec<Finding>,
) {
    let Some(s) = &g.scheduler else {
        // Jobs that reach no scheduler.
        let with_jobs: Vec<&Job> = model.jobs.iter().filter(|j| j.runs).collect();
        let mut projects: BTreeSet<Option<String>> = BTreeSet::new();
        for job in with_jobs {
            if !projects.insert(job.project.clone()) {
                continue;
            }
            let Some(c) = carriers.iter().find(|c| c.name == job.carrier) else {
                continue;
            };
            let at = At { input, c };
            let n = model
                .jobs
                .iter()
                .filter(|j| j.runs && j.project == job.project)
                .count();
            // Offline, a scheduler service may be there, its -f filters
            // leaving these containers out (another project name, say).
            let others: Vec<&str> = input
                .groups
                .iter()
                .filter_map(|g| g.scheduler.as_ref().map(|s| s.name.as_str()))
                .collect();
            let msg = if input.live {
                format!("no running Ofelia scheduler selects these containers: their {n} job(s) will not fire")
            } else if !others.is_empty() {
                format!("the scheduler service in these compose files ({}) does not select these containers (its -f filters leave them out): their {n} job(s) fire only if a scheduler runs elsewhere", others.join(", "))
            } else {
                format!("no scheduler service (ofelia.service=true) in these compose files: their {n} job(s) fire only if a scheduler runs elsewhere")
            };
            out.push(at.finding(
                Severity::Warning,
                "no-scheduler",
                None,
                None,
                Some(ENABLED_LABEL),
                msg,
                "add a scheduler service, or start one with `docker ofelia up -d`".to_string(),
            ));
        }
        return;
    };
    let Some(sc) = carriers.iter().find(|c| c.name == s.name) else {
        return;
    };
    let at = At { input, c: sc };
    let f = g.flavor;
    let mut push = |sev, rule, msg: String, fix: String| {
        out.push(at.finding(sev, rule, None, None, None, msg, fix));
    };
    if !g.flavor_known {
        push(
            Severity::Info,
            "flavor-assumed",
            format!(
                "{}, so it does not tell which Ofelia this scheduler runs: checked as {f}",
                s.flavor_reason
            ),
            "pass --flavor ofelia-0.3, ofelia-0.4 or netresearch".to_string(),
        );
    }
    if !s.has_socket {
        push(
            Severity::Error,
            "scheduler-no-socket",
            "the scheduler has no Docker socket (nor DOCKER_HOST): it cannot read labels or run containers, and fails at start".to_string(),
            "mount /var/run/docker.sock:/var/run/docker.sock:ro".to_string(),
        );
    }
    if is_mcuadros(f) && !s.docker_flag {
        push(
            Severity::Error,
            "scheduler-no-docker-flag",
            format!("{f} reads labels only with `--docker`: without it, this scheduler reads its INI file only and no label job runs"),
            "use the command `daemon --docker`".to_string(),
        );
    }
    if f == Flavor::Netresearch && s.docker_flag {
        push(
            Severity::Error,
            "scheduler-docker-flag",
            "netresearch removed `--docker`: the daemon fails with an unknown flag and exits"
                .to_string(),
            "remove `--docker` from the command (netresearch always reads labels)".to_string(),
        );
    }
    if s.filters.is_empty() {
        let others = if input.other_projects.is_empty() {
            "any other project's ofelia.enabled=true containers on the same engine".to_string()
        } else {
            format!(
                "the jobs of project(s) {} on this engine",
                input.other_projects.join(", ")
            )
        };
        let project = s.project.clone().unwrap_or_else(|| "<project>".to_string());
        push(
            Severity::Warning,
            "no-project-filter",
            format!("the scheduler has no -f filter: it also runs {others} (MO#84, #156)"),
            format!("add `-f label=com.docker.compose.project={project}` to its command"),
        );
    }
    // ofelia-0.3 exits when no job is left: "unable to start a empty scheduler".
    if f == Flavor::Ofelia03 && s.docker_flag {
        let read: Vec<&Job> = model
            .jobs
            .iter()
            .filter(|j| {
                !["placement", "unsupported", "not-selected", "stopped"]
                    .iter()
                    .any(|n| j.has_note(n))
            })
            .collect();
        let valid = read.iter().any(|j| {
            j.schedule
                .as_deref()
                .is_some_and(|e| !e.is_empty() && schedule::parse(e, f).is_ok())
        });
        if !valid {
            let msg = if read.is_empty() {
                "no label job reaches this ofelia-0.3 scheduler: it prints \"unable to start a empty scheduler.\" and exits".to_string()
            } else {
                let names: Vec<&str> = read.iter().map(|j| j.label_name.as_str()).collect();
                format!("every job of this ofelia-0.3 scheduler is invalid ({}): it prints \"unable to start a empty scheduler.\" and exits", names.join(", "))
            };
            push(
                Severity::Error,
                "empty-scheduler",
                msg,
                "fix the schedules reported above (or add one valid job)".to_string(),
            );
        }
    }
}

/// Does this scheduler read labels at all? (mcuadros needs `--docker`;
/// netresearch exits with it.)
fn reads_labels(s: &labels::SchedulerInfo, flavor: Flavor) -> bool {
    if is_mcuadros(flavor) {
        s.docker_flag
    } else {
        !s.docker_flag
    }
}

/// A container selected by several schedulers that read labels: each of them
/// runs its jobs (MO#84, #156).
pub(super) fn several_schedulers(input: &Input, out: &mut Vec<Finding>) {
    let schedulers: Vec<&labels::SchedulerInfo> = input
        .groups
        .iter()
        .filter_map(|g| g.scheduler.as_ref().filter(|s| reads_labels(s, g.flavor)))
        .collect();
    if schedulers.len() < 2 {
        return;
    }
    for g in &input.groups {
        for c in &g.carriers {
            let eff = effective_labels(c);
            let has_jobs = c.labels.keys().any(|k| k.starts_with("ofelia.job-"));
            if eff.get(ENABLED_LABEL).map(String::as_str) != Some("true") || !has_jobs {
                continue;
            }
            let names: Vec<&str> = schedulers
                .iter()
                .filter(|s| s.name == c.name || labels::selects(s, c))
                .map(|s| s.name.as_str())
                .collect();
            if names.len() < 2 {
                continue;
            }
            let at = At { input, c };
            out.push(at.finding(
                Severity::Warning,
                "several-schedulers",
                None,
                None,
                Some(ENABLED_LABEL),
                format!(
                    "{} schedulers select this container ({}): each one runs its jobs, so every job fires {} times (MO#84, #156)",
                    names.len(),
                    names.join(", "),
                    names.len()
                ),
                "give each scheduler a -f filter (label=com.docker.compose.project=<project>) so that only one selects it".to_string(),
            ));
        }
    }
}
