//! The rule engine of `docker ofelia check`: every label mistake that makes
//! Ofelia drop, alter or crash on a job, found before deploy (compose files)
//! or on live containers. Pure: input is plain data, output is a sorted list
//! of findings; no I/O, no clock.
//!
//! Each finding says what Ofelia will actually do and how to fix it; one
//! mistake gives exactly one finding (consequences of a mistake already
//! reported are not reported again).

mod rules;

use serde::Serialize;

use crate::labels::{Carrier, SchedulerInfo};
use crate::schedule::Flavor;

/// How bad a finding is. `check` exits 1 when there is an error (with
/// `--strict`, also when there is a warning).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// One mistake.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub severity: Severity,
    /// Stable rule id (see [`RULES`]).
    pub rule: &'static str,
    pub project: Option<String>,
    pub service: Option<String>,
    /// Live mode only: the container carrying the label.
    pub container: Option<String>,
    /// The job name as written in the label.
    pub job: Option<String>,
    /// The label key at fault, when there is one.
    pub key: Option<String>,
    /// What Ofelia will actually do.
    pub message: String,
    /// How to fix it.
    pub fix: String,
    /// Compose mode: the file and 1-based line of the label (or service).
    pub file: Option<String>,
    pub line: Option<usize>,
}

/// One rule, for the README table and `--format json` consumers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RuleInfo {
    pub id: &'static str,
    /// The usual severity (a few rules depend on the flavour).
    pub severity: Severity,
    /// The peer issue this rule comes from, if any.
    pub peer: &'static str,
    pub summary: &'static str,
}

const fn rule(
    id: &'static str,
    severity: Severity,
    peer: &'static str,
    summary: &'static str,
) -> RuleInfo {
    RuleInfo {
        id,
        severity,
        peer,
        summary,
    }
}

use Severity::{Error as E, Info as I, Warning as W};

/// Every rule `check` knows.
pub const RULES: &[RuleInfo] = &[
    rule(
        "prefix-typo",
        E,
        "MO#167",
        "a label prefix close to `ofelia.` (`ofeila.`, `Ofelia.`)",
    ),
    rule(
        "enable-typo",
        E,
        "MO#126",
        "`ofelia.enable` instead of `ofelia.enabled`",
    ),
    rule(
        "enabled-value",
        E,
        "MO#126",
        "`ofelia.enabled` with a value other than `true`",
    ),
    rule(
        "not-enabled",
        E,
        "",
        "job labels on a container without `ofelia.enabled=true`",
    ),
    rule(
        "unknown-job-type",
        E,
        "MO#187",
        "a job type that does not exist (`job-servuce-run`)",
    ),
    rule(
        "unknown-key",
        W,
        "",
        "a key the job type does not have, with the nearest real key",
    ),
    rule(
        "dotted-job-name",
        E,
        "",
        "a job name containing dots (Ofelia truncates it)",
    ),
    rule(
        "invalid-schedule",
        E,
        "MO#99",
        "a schedule the flavour's parser rejects, with its reason",
    ),
    rule(
        "five-field-schedule",
        W,
        "MO#441",
        "a 5-field schedule whose meaning differs between flavours",
    ),
    rule(
        "every-duration",
        E,
        "MO#420",
        "`@every` with something that is not a Go duration (`1d`)",
    ),
    rule(
        "every-below-1s",
        W,
        "",
        "`@every` under 1 s (1 s in mcuadros; rejected by netresearch)",
    ),
    rule(
        "tz-no-schedule",
        E,
        "",
        "`TZ=Zone` with nothing after it (crashes ofelia-0.4)",
    ),
    rule(
        "quoted-value",
        E,
        "MO#99",
        "a value still wrapped in quotes from list syntax",
    ),
    rule(
        "job-placement",
        E,
        "MO#109, MO#167",
        "job-run/local/service-run on a non-scheduler container",
    ),
    rule(
        "duplicate-job",
        E,
        "NR#86",
        "the same job name on several containers",
    ),
    rule(
        "shell-syntax",
        W,
        "MO#249",
        "shell syntax in a command without `sh -c`",
    ),
    rule(
        "plain-secret",
        I,
        "",
        "a secret (smtp-password, slack-webhook) in plain text in a label",
    ),
    rule(
        "no-scheduler",
        W,
        "",
        "jobs without a scheduler in the project",
    ),
    rule(
        "scheduler-no-socket",
        E,
        "",
        "the scheduler has no docker socket",
    ),
    rule(
        "scheduler-no-docker-flag",
        E,
        "",
        "mcuadros scheduler without `--docker`: labels never read",
    ),
    rule(
        "scheduler-docker-flag",
        E,
        "",
        "netresearch scheduler with `--docker`: it exits",
    ),
    rule(
        "no-project-filter",
        W,
        "MO#84, MO#156",
        "a scheduler without a project filter",
    ),
    rule(
        "empty-scheduler",
        E,
        "MO#99, MO#126, MO#420",
        "ofelia-0.3 has no valid job: \"unable to start a empty scheduler\"",
    ),
    rule(
        "several-schedulers",
        W,
        "MO#84, MO#156",
        "a container whose jobs several schedulers run (each job fires once per scheduler)",
    ),
    rule(
        "flavor-assumed",
        I,
        "",
        "the scheduler image does not tell its flavour",
    ),
    rule(
        "empty-schedule",
        E,
        "",
        "a job without a schedule (dropped without a word)",
    ),
    rule(
        "bad-value",
        E,
        "",
        "a bool/int/duration key with a value Ofelia cannot decode",
    ),
    rule(
        "no-target",
        E,
        "",
        "a job without the container or image it needs",
    ),
    rule(
        "target-overwritten",
        W,
        "NR#356",
        "job-exec `container` overwritten by mcuadros",
    ),
    rule(
        "job-blocked",
        E,
        "NR#462",
        "netresearch blocks the job (host jobs from labels)",
    ),
    rule("job-unsupported", E, "", "job-compose under mcuadros"),
    rule(
        "duplicate-key",
        W,
        "",
        "the same key twice on a container (keys match case-insensitively)",
    ),
    rule(
        "not-selected",
        W,
        "",
        "the scheduler's own filters leave its container out",
    ),
    rule(
        "ignored-key",
        W,
        "",
        "a short ofelia.job-* key Ofelia ignores",
    ),
    rule(
        "global-ignored",
        W,
        "",
        "a global label the flavour ignores or blocks",
    ),
    rule(
        "label-crash",
        E,
        "",
        "the bare label `ofelia` on the scheduler (crashes the label reader)",
    ),
];

/// Jobs run by one scheduler (or by none), with its flavour.
#[derive(Clone, Debug)]
pub struct Group {
    pub scheduler: Option<SchedulerInfo>,
    pub flavor: Flavor,
    /// The flavour came from `--flavor` or the image (false: assumed).
    pub flavor_known: bool,
    pub carriers: Vec<Carrier>,
}

/// Everything the rules look at.
#[derive(Clone, Debug, Default)]
pub struct Input {
    pub groups: Vec<Group>,
    /// Live mode: findings name containers; compose mode: files and lines.
    pub live: bool,
    /// Live mode: other compose projects on the engine that carry
    /// `ofelia.enabled=true` containers (for `no-project-filter`).
    pub other_projects: Vec<String>,
    /// Compose mode: service → (file, line) of its definition.
    pub service_lines: std::collections::BTreeMap<String, (String, usize)>,
}

/// Runs every rule. The order is deterministic: project, file, line,
/// service, container, job, rule.
pub fn check(input: &Input) -> Vec<Finding> {
    let mut out = Vec::new();
    for g in &input.groups {
        rules::group(input, g, &mut out);
    }
    rules::several_schedulers(input, &mut out);
    out.sort_by(|a, b| {
        (
            &a.project,
            &a.file,
            a.line,
            &a.service,
            &a.container,
            &a.job,
            a.rule,
            &a.key,
            &a.message,
        )
            .cmp(&(
                &b.project,
                &b.file,
                b.line,
                &b.service,
                &b.container,
                &b.job,
                b.rule,
                &b.key,
                &b.message,
            ))
    });
    out.dedup();
    out
}

/// "2 errors, 1 warning, 1 info" (or "no problems found").
pub fn summary(findings: &[Finding]) -> String {
    let count = |s| findings.iter().filter(|f| f.severity == s).count();
    let (e, w, i) = (count(E), count(W), count(I));
    if e + w + i == 0 {
        return "no problems found".to_string();
    }
    let plural = |n: usize, word: &str| {
        if n == 1 {
            format!("{n} {word}")
        } else {
            format!("{n} {word}s")
        }
    };
    let mut parts = vec![plural(e, "error"), plural(w, "warning")];
    if i > 0 {
        parts.push(format!("{i} info"));
    }
    parts.join(", ")
}

/// Does this set of findings fail the check?
pub fn fails(findings: &[Finding], strict: bool) -> bool {
    findings
        .iter()
        .any(|f| f.severity == E || (strict && f.severity == W))
}

#[cfg(test)]
mod tests;
