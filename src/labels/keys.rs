//! Every job key Ofelia knows, per job type and flavour, with its type and
//! default (spec §2), and the near-miss finders `check` uses for typos.

use std::sync::OnceLock;

use crate::schedule::Flavor;

use super::JobType;

/// How Ofelia decodes a key's string value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyKind {
    Str,
    /// Go `strconv.ParseBool` (mapstructure weak decoding).
    Bool,
    /// A JSON array of strings, else one item.
    List,
    Int,
    /// A Go duration (`90s`, `1h30m`).
    Duration,
}

/// One job key: its name as written in labels, its kind and its default.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct KeySpec {
    pub name: &'static str,
    pub kind: KeyKind,
    pub default: Option<&'static str>,
    /// The job is not usable without it (`schedule`; `container` for exec…).
    pub required: bool,
}

const fn k(name: &'static str, kind: KeyKind) -> KeySpec {
    KeySpec {
        name,
        kind,
        default: None,
        required: false,
    }
}
const fn d(name: &'static str, kind: KeyKind, default: &'static str) -> KeySpec {
    KeySpec {
        name,
        kind,
        default: Some(default),
        required: false,
    }
}
const fn r(name: &'static str, kind: KeyKind) -> KeySpec {
    KeySpec {
        name,
        kind,
        default: None,
        required: true,
    }
}

use KeyKind::{Bool, Duration, Int, List, Str};

/// Keys every job type has in mcuadros/ofelia (the job plus its slack, save
/// and mail middlewares).
const COMMON_U: &[KeySpec] = &[
    r("schedule", Str),
    k("command", Str),
    d("no-overlap", Bool, "false"),
    k("slack-webhook", Str),
    d("slack-only-on-error", Bool, "false"),
    k("save-folder", Str),
    d("save-only-on-error", Bool, "false"),
    k("smtp-host", Str),
    k("smtp-port", Int),
    k("smtp-user", Str),
    k("smtp-password", Str),
    d("smtp-tls-skip-verify", Bool, "false"),
    k("email-to", Str),
    k("email-from", Str),
    d("mail-only-on-error", Bool, "false"),
];

/// What netresearch adds to every job type.
const COMMON_N: &[KeySpec] = &[
    d("run-on-startup", Bool, "false"),
    d("history-limit", Int, "10"),
    d("max-retries", Int, "0"),
    d("retry-delay-ms", Int, "1000"),
    d("retry-exponential", Bool, "true"),
    d("retry-max-delay-ms", Int, "60000"),
    k("depends-on", List),
    k("on-success", List),
    k("on-failure", List),
    d("allow-parallel", Bool, "true"),
    k("webhooks", Str),
];

const EXEC_U: &[KeySpec] = &[
    r("container", Str),
    d("user", Str, "root"),
    d("tty", Bool, "false"),
    k("environment", List),
];
const EXEC_N: &[KeySpec] = &[
    r("container", Str),
    // unset → `[global] default-user`, which defaults to nobody (PR#383, #716)
    d("user", Str, "nobody"),
    d("tty", Bool, "false"),
    k("environment", List),
    k("env-file", List),
    k("env-from", List),
    k("working-dir", Str),
    d("privileged", Bool, "false"),
    k("console-height", Int),
    k("console-width", Int),
];

const RUN_U: &[KeySpec] = &[
    k("image", Str),
    k("container", Str),
    d("user", Str, "root"),
    d("tty", Bool, "false"),
    // `delete` and `pull` are strings in Ofelia's struct, default "true".
    d("delete", Str, "true"),
    d("pull", Str, "true"),
    k("network", Str),
    k("hostname", Str),
    k("volume", List),
    k("volumes-from", List),
    k("environment", List),
];
const RUN_N_EXTRA: &[KeySpec] = &[
    k("container-name", Str),
    k("entrypoint", Str),
    k("working-dir", Str),
    // a list, but not JSON-decoded by setJobParam despite the docs
    k("annotations", List),
    k("stop-signal", Str),
    k("stop-timeout", Duration),
    d("max-runtime", Duration, "24h"),
];

const LOCAL_U: &[KeySpec] = &[k("dir", Str), k("environment", List)];
const LOCAL_N_EXTRA: &[KeySpec] = &[k("env-file", List), k("env-from", List)];

const SERVICE_U: &[KeySpec] = &[
    r("image", Str),
    k("network", Str),
    d("user", Str, "root"),
    d("tty", Bool, "false"),
    d("delete", Str, "true"),
];
const SERVICE_N_EXTRA: &[KeySpec] = &[
    k("hostname", Str),
    k("dir", Str),
    k("volume", List),
    k("environment", List),
    k("annotations", List),
    k("max-runtime", Duration),
];

const COMPOSE_N: &[KeySpec] = &[
    d("file", Str, "compose.yml"),
    k("service", Str),
    d("exec", Bool, "false"),
];

fn concat(parts: &[&[KeySpec]]) -> Vec<KeySpec> {
    let mut out: Vec<KeySpec> = Vec::new();
    for part in parts {
        for spec in *part {
            if let Some(existing) = out.iter_mut().find(|e| e.name == spec.name) {
                *existing = *spec;
            } else {
                out.push(*spec);
            }
        }
    }
    out
}

struct Tables {
    u: [Vec<KeySpec>; 5],
    n: [Vec<KeySpec>; 5],
}

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| {
        // `command` is required for local jobs.
        let local_cmd: &[KeySpec] = &[r("command", Str)];
        Tables {
            u: [
                concat(&[COMMON_U, EXEC_U]),
                concat(&[COMMON_U, RUN_U]),
                concat(&[COMMON_U, local_cmd, LOCAL_U]),
                concat(&[COMMON_U, SERVICE_U]),
                // mcuadros has no job-compose.
                Vec::new(),
            ],
            n: [
                concat(&[COMMON_U, COMMON_N, EXEC_N]),
                concat(&[COMMON_U, COMMON_N, RUN_U, RUN_N_EXTRA]),
                concat(&[COMMON_U, COMMON_N, local_cmd, LOCAL_U, LOCAL_N_EXTRA]),
                concat(&[COMMON_U, COMMON_N, SERVICE_U, SERVICE_N_EXTRA]),
                concat(&[COMMON_U, COMMON_N, COMPOSE_N]),
            ],
        }
    })
}

fn index(job_type: JobType) -> usize {
    match job_type {
        JobType::Exec => 0,
        JobType::Run => 1,
        JobType::Local => 2,
        JobType::ServiceRun => 3,
        JobType::Compose => 4,
    }
}

/// The keys a job type has under a flavour (empty: the flavour has no such type).
pub fn known_keys(job_type: JobType, flavor: Flavor) -> &'static [KeySpec] {
    let t = tables();
    match flavor {
        Flavor::Ofelia03 | Flavor::Ofelia04 => &t.u[index(job_type)],
        Flavor::Netresearch => &t.n[index(job_type)],
    }
}

/// A param name as the flavour matches it: mcuadros compares tag and field
/// names case-insensitively; netresearch's `normalizeKey` also ignores `-`
/// and `_` (`history-limit` = `HistoryLimit` = `history_limit`).
pub fn normalize_param(flavor: Flavor, key: &str) -> String {
    let lower = key.to_lowercase();
    match flavor {
        Flavor::Netresearch => lower.chars().filter(|c| *c != '-' && *c != '_').collect(),
        _ => lower,
    }
}

/// The known key a label's param name refers to, if any.
pub fn lookup_key(job_type: JobType, flavor: Flavor, key: &str) -> Option<&'static KeySpec> {
    let want = normalize_param(flavor, key);
    known_keys(job_type, flavor)
        .iter()
        .find(|s| normalize_param(flavor, s.name) == want)
}

/// Is this param name decoded as a JSON list by `setJobParam`? mcuadros
/// compares the raw name case-sensitively; an unmatched list key still gets
/// mapstructure's one-item lifting, so only JSON arrays differ.
pub fn is_json_list_key(flavor: Flavor, key: &str) -> bool {
    match flavor {
        Flavor::Netresearch => {
            let n = normalize_param(flavor, key);
            [
                "volume",
                "environment",
                "volumesfrom",
                "dependson",
                "onsuccess",
                "onfailure",
                "envfile",
                "envfrom",
            ]
            .contains(&n.as_str())
        }
        _ => matches!(key, "volume" | "environment" | "volumes-from"),
    }
}

/// Optimal-string-alignment distance (Levenshtein plus adjacent swaps, so
/// `ofeila` is one edit from `ofelia`).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let (n, m) = (a.len(), b.len());
    let mut d = vec![vec![0usize; m + 1]; n + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=n {
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = v;
        }
    }
    d[n][m]
}

/// The candidate nearest to `word` when it is close enough to be a typo.
fn nearest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let w = word.to_lowercase();
    let limit = (w.chars().count() / 3).max(2);
    candidates
        .into_iter()
        .map(|c| (edit_distance(&w, c), c))
        .filter(|(dist, _)| *dist > 0 && *dist <= limit)
        .min_by_key(|(dist, _)| *dist)
        .map(|(_, c)| c)
}

/// The known key nearest to an unknown one (None when it is known, or when
/// nothing is close).
pub fn nearest_key(job_type: JobType, flavor: Flavor, key: &str) -> Option<&'static str> {
    if lookup_key(job_type, flavor, key).is_some() {
        return None;
    }
    nearest(key, known_keys(job_type, flavor).iter().map(|s| s.name))
}

/// The job type nearest to an unknown type label (`job-servuce-run` →
/// `job-service-run`, MO#187). None when it is a real type of the flavour.
pub fn nearest_job_type(flavor: Flavor, job_type: &str) -> Option<&'static str> {
    let types = JobType::ALL
        .into_iter()
        .filter(|t| !known_keys(*t, flavor).is_empty())
        .map(|t| t.label());
    if JobType::from_label(job_type).is_some_and(|t| !known_keys(t, flavor).is_empty()) {
        return None;
    }
    nearest(job_type, types)
}

/// A label key whose prefix looks like a mistyped `ofelia.` (`ofeila.`,
/// `Ofelia.`, `ofelia_`, `ofelia-`: MO#167). Returns the key as it was
/// probably meant. Ofelia keeps only keys starting with the exact bytes
/// `ofelia`, and splits them on dots.
pub fn prefix_typo(key: &str) -> Option<String> {
    if key.starts_with("ofelia.") {
        return None;
    }
    // `ofelia_job-exec.x.schedule`, `ofelia-enabled`: right word, wrong separator.
    if let Some(rest) = key.strip_prefix("ofelia") {
        let mut chars = rest.chars();
        return match chars.next() {
            Some('_' | '-' | ':' | '/') => Some(format!("ofelia.{}", chars.as_str())),
            _ => None,
        };
    }
    let (head, rest) = match key.find(['.', '_', ':', '/']) {
        Some(i) => (&key[..i], &key[i + 1..]),
        None => return None,
    };
    if head.chars().count() < 4 {
        return None;
    }
    let lower = head.to_lowercase();
    if lower == "ofelia" || edit_distance(&lower, "ofelia") <= 2 {
        Some(format!("ofelia.{rest}"))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_have_the_spec_defaults() {
        let cases: &[(JobType, Flavor, &str, KeyKind, Option<&str>)] = &[
            (JobType::Exec, Flavor::Ofelia03, "user", Str, Some("root")),
            (
                JobType::Exec,
                Flavor::Netresearch,
                "user",
                Str,
                Some("nobody"),
            ),
            (
                JobType::Exec,
                Flavor::Ofelia03,
                "no-overlap",
                Bool,
                Some("false"),
            ),
            (JobType::Run, Flavor::Ofelia04, "delete", Str, Some("true")),
            (JobType::Run, Flavor::Ofelia03, "pull", Str, Some("true")),
            (JobType::Run, Flavor::Ofelia03, "volume", List, None),
            (
                JobType::Run,
                Flavor::Netresearch,
                "max-runtime",
                Duration,
                Some("24h"),
            ),
            (
                JobType::Exec,
                Flavor::Netresearch,
                "history-limit",
                Int,
                Some("10"),
            ),
            (
                JobType::Exec,
                Flavor::Netresearch,
                "retry-delay-ms",
                Int,
                Some("1000"),
            ),
            (JobType::Local, Flavor::Netresearch, "env-file", List, None),
            (
                JobType::ServiceRun,
                Flavor::Ofelia03,
                "delete",
                Str,
                Some("true"),
            ),
            (
                JobType::Compose,
                Flavor::Netresearch,
                "file",
                Str,
                Some("compose.yml"),
            ),
            (
                JobType::Compose,
                Flavor::Netresearch,
                "exec",
                Bool,
                Some("false"),
            ),
        ];
        for (t, f, name, kind, default) in cases {
            let spec = lookup_key(*t, *f, name).unwrap_or_else(|| panic!("{t:?} {f} {name}"));
            assert_eq!(
                (spec.kind, spec.default),
                (*kind, *default),
                "{t:?} {f} {name}"
            );
        }
        assert!(known_keys(JobType::Compose, Flavor::Ofelia03).is_empty());
        assert!(lookup_key(JobType::Exec, Flavor::Ofelia03, "history-limit").is_none());
        assert!(lookup_key(JobType::Exec, Flavor::Ofelia03, "schedule").is_some_and(|s| s.required));
    }

    #[test]
    fn key_matching_per_flavor() {
        assert!(lookup_key(JobType::Exec, Flavor::Ofelia03, "No-Overlap").is_some());
        assert!(lookup_key(JobType::Exec, Flavor::Ofelia03, "no_overlap").is_none());
        assert!(lookup_key(JobType::Exec, Flavor::Netresearch, "no_overlap").is_some());
        assert!(lookup_key(JobType::Exec, Flavor::Netresearch, "HistoryLimit").is_some());
    }

    #[test]
    fn nearest_key_cases() {
        assert_eq!(
            nearest_key(JobType::Exec, Flavor::Ofelia03, "shedule"),
            Some("schedule")
        );
        assert_eq!(
            nearest_key(JobType::Exec, Flavor::Ofelia03, "comand"),
            Some("command")
        );
        assert_eq!(
            nearest_key(JobType::Exec, Flavor::Ofelia03, "schedule"),
            None
        );
        assert_eq!(
            nearest_key(JobType::Exec, Flavor::Ofelia03, "zzzzzzzz"),
            None
        );
        assert_eq!(
            nearest_key(JobType::Run, Flavor::Ofelia03, "volumes"),
            Some("volume")
        );
    }

    #[test]
    fn mo187_nearest_job_type() {
        assert_eq!(
            nearest_job_type(Flavor::Ofelia03, "job-servuce-run"),
            Some("job-service-run")
        );
        assert_eq!(nearest_job_type(Flavor::Ofelia03, "job-exec"), None);
        assert_eq!(
            nearest_job_type(Flavor::Ofelia03, "jobexec"),
            Some("job-exec")
        );
        // compose exists only in netresearch
        assert_eq!(nearest_job_type(Flavor::Netresearch, "job-compose"), None);
        assert_eq!(nearest_job_type(Flavor::Ofelia03, "webhook"), None);
    }

    #[test]
    fn mo167_prefix_typo_detector() {
        let cases: &[(&str, Option<&str>)] = &[
            (
                "ofeila.job-exec.x.schedule",
                Some("ofelia.job-exec.x.schedule"),
            ),
            ("Ofelia.enabled", Some("ofelia.enabled")),
            ("OFELIA.enabled", Some("ofelia.enabled")),
            (
                "ofelia_job-exec.x.schedule",
                Some("ofelia.job-exec.x.schedule"),
            ),
            ("ofelai.enabled", Some("ofelia.enabled")),
            ("ofelia.enabled", None),
            ("com.docker.compose.project", None),
            ("traefik.enable", None),
            ("ofeliax.enabled", None),
        ];
        for (key, want) in cases {
            assert_eq!(prefix_typo(key).as_deref(), *want, "{key}");
        }
    }

    #[test]
    fn edit_distance_cases() {
        assert_eq!(edit_distance("ofeila", "ofelia"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
