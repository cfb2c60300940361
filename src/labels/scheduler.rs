//! The scheduler side: which containers are Ofelia daemons, their flavour
//! (from the image), zone, `-f` filters, and which carriers they select.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::schedule::Flavor;

use super::{effective_labels, Carrier};

/// What a scheduler container tells about the scheduler it runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchedulerInfo {
    pub name: String,
    /// None: the image is not recognised as an Ofelia image.
    pub flavor: Option<Flavor>,
    pub flavor_reason: String,
    /// The `TZ` environment of the scheduler (its `time.Local`).
    pub tz: Option<String>,
    /// `-f/--docker-filter key=value` from its command, in order.
    pub filters: Vec<(String, String)>,
    /// `--docker`/`-d` in its command (mcuadros: labels are read only with
    /// it; netresearch: an unknown flag, the daemon exits).
    pub docker_flag: bool,
    /// /var/run/docker.sock mounted, or DOCKER_HOST set.
    pub has_socket: bool,
    pub started_at: Option<DateTime<Utc>>,
    pub project: Option<String>,
    pub running: bool,
    /// It carries `ofelia.service=true`, so Ofelia reads its job-run,
    /// job-local and job-service-run labels and its globals.
    pub service_label: bool,
    /// netresearch `--docker-include-stopped` in its command.
    pub include_stopped: bool,
}

/// The label `docker ofelia up` puts on its schedulers to record their flavour.
pub const OWN_FLAVOR_LABEL: &str = "io.docker-ofelia.flavor";

/// Is this carrier a scheduler? It carries `ofelia.service=true` (exactly
/// `"true"`, Ofelia's `hasServiceLabel`), or its image is an Ofelia image.
pub fn scheduler_info(c: &Carrier) -> Option<SchedulerInfo> {
    let labels = effective_labels(c);
    let service_label = labels.get(super::SERVICE_LABEL).map(String::as_str) == Some("true");
    // `docker ofelia up` records the flavour it was told (`--flavor`) or
    // worked out; it wins over the image, which may be a local build.
    let recorded = labels
        .get(OWN_FLAVOR_LABEL)
        .and_then(|f| f.parse::<Flavor>().ok());
    let (flavor, flavor_reason) = match recorded {
        Some(f) => (
            Some(f),
            format!("{OWN_FLAVOR_LABEL}={f}, set by docker ofelia up"),
        ),
        None => {
            let (f, reason, _) = flavor_with_reason(&c.image, &c.image_labels);
            (f, reason)
        }
    };
    if !service_label && flavor.is_none() {
        return None;
    }
    let args = &c.command;
    let mut filters = Vec::new();
    let mut docker_flag = false;
    let mut include_stopped = false;
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        let value = if a == "-f" || a == "--docker-filter" {
            i += 1;
            args.get(i).cloned()
        } else if let Some(v) = a.strip_prefix("--docker-filter=") {
            Some(v.to_string())
        } else if let Some(v) = a.strip_prefix("-f") {
            // go-flags accepts `-fvalue` and `-f=value`
            Some(v.strip_prefix('=').unwrap_or(v).to_string())
        } else {
            match a {
                "--docker" | "-d" => docker_flag = true,
                "--docker-include-stopped" | "--docker-include-stopped=true" => {
                    include_stopped = true
                }
                _ => {}
            }
            None
        };
        if let Some(v) = value {
            let (k, val) = v.split_once('=').unwrap_or((v.as_str(), ""));
            filters.push((k.to_string(), val.to_string()));
        }
        i += 1;
    }
    let has_socket = c
        .mounts
        .iter()
        .any(|m| m.target == "/var/run/docker.sock" || m.target == "/run/docker.sock")
        || c.env.get("DOCKER_HOST").is_some_and(|h| !h.is_empty());
    Some(SchedulerInfo {
        name: c.name.clone(),
        flavor,
        flavor_reason,
        tz: c.env.get("TZ").cloned(),
        filters,
        docker_flag,
        has_socket,
        started_at: c.started_at,
        project: c.project.clone(),
        running: c.running,
        service_label,
        include_stopped,
    })
}

/// Flavour from an image reference and its labels; see [`flavor_with_reason`].
pub fn flavor_from_image(image: &str, image_labels: &BTreeMap<String, String>) -> Option<Flavor> {
    flavor_with_reason(image, image_labels).0
}

/// The repository (lower-case, without docker.io/ or library/) and the tag
/// of an image reference; the digest is dropped.
fn parse_reference(image: &str) -> (String, Option<String>) {
    let without_digest = image.split('@').next().unwrap_or(image);
    let last_slash = without_digest.rfind('/').map_or(0, |i| i + 1);
    let (repo, tag) = match without_digest[last_slash..].rfind(':') {
        Some(i) => (
            &without_digest[..last_slash + i],
            Some(without_digest[last_slash + i + 1..].to_string()),
        ),
        None => (without_digest, None),
    };
    let mut repo = repo.to_ascii_lowercase();
    for prefix in ["docker.io/", "index.docker.io/", "registry-1.docker.io/"] {
        if let Some(r) = repo.strip_prefix(prefix) {
            repo = r.to_string();
        }
    }
    if let Some(r) = repo.strip_prefix("library/") {
        repo = r.to_string();
    }
    (repo, tag)
}

/// mcuadros flavour from a version or tag: `latest` and 0.3.x (with or
/// without `v`) run robfig/cron v1; 0.4* and `development` run v3.
fn mcuadros_flavor(version: &str) -> Option<Flavor> {
    let v = version.strip_prefix('v').unwrap_or(version);
    if v == "latest" || v == "0.3" || v.starts_with("0.3.") || v.starts_with("0.3-") {
        Some(Flavor::Ofelia03)
    } else if v == "development" || v.starts_with("0.4") {
        Some(Flavor::Ofelia04)
    } else if v == "0.2" || v.starts_with("0.2.") || v == "0.1" || v.starts_with("0.1.") {
        // older releases: the same robfig/cron v1 dialect as 0.3.
        Some(Flavor::Ofelia03)
    } else {
        None
    }
}

/// Flavour, the reason (for `ls` to show), and whether the repository itself
/// is an official Ofelia image (whose Dockerfile sets `ofelia.service=true
/// ofelia.enabled=true`).
pub fn flavor_with_reason(
    image: &str,
    image_labels: &BTreeMap<String, String>,
) -> (Option<Flavor>, String, bool) {
    let (repo, tag) = parse_reference(image);
    if repo == "mcuadros/ofelia" {
        let tag_str = tag.clone().unwrap_or_else(|| "latest".to_string());
        return match mcuadros_flavor(&tag_str) {
            Some(f) => {
                let why = match f {
                    Flavor::Ofelia03 if tag.is_none() => {
                        "image mcuadros/ofelia without a tag is :latest, the newest 0.3.x release (MO#441)".to_string()
                    }
                    Flavor::Ofelia03 if tag_str == "latest" => {
                        "mcuadros/ofelia:latest is the newest 0.3.x release (MO#441)".to_string()
                    }
                    _ => format!("image mcuadros/ofelia:{tag_str}"),
                };
                (Some(f), why, true)
            }
            None => (
                None,
                format!("unknown mcuadros/ofelia tag {tag_str:?}"),
                true,
            ),
        };
    }
    if repo == "ghcr.io/netresearch/ofelia" || repo == "netresearch/ofelia" {
        return (
            Some(Flavor::Netresearch),
            format!("image {repo} (netresearch fork)"),
            true,
        );
    }
    // An unknown repository (a mirror, a custom build): the OCI labels.
    let source = image_labels
        .get("org.opencontainers.image.source")
        .map(|s| s.to_ascii_lowercase())
        .unwrap_or_default();
    let version = image_labels
        .get("org.opencontainers.image.version")
        .cloned()
        .unwrap_or_default();
    if source.contains("netresearch/ofelia") {
        return (
            Some(Flavor::Netresearch),
            format!("image label org.opencontainers.image.source={source}"),
            false,
        );
    }
    if source.contains("mcuadros/ofelia") {
        return match mcuadros_flavor(&version) {
            Some(f) => (
                Some(f),
                format!("image labels: source {source}, version {version}"),
                false,
            ),
            None => (
                None,
                format!("image from {source} with unknown version {version:?}"),
                false,
            ),
        };
    }
    (
        None,
        format!("{image:?} is not a known Ofelia image"),
        false,
    )
}

/// Does this scheduler's `-f` filter list select this carrier? Docker's
/// filter semantics as the Engine applies them to list-containers: keys are
/// ANDed; within `label` every value must match (Ofelia adds its own
/// `label=ofelia.enabled=true` to the same list, which is why a project
/// filter narrows rather than widens: MO#84, #156); within any other key one
/// match is enough. Unsupported keys select nothing (the Engine would reject
/// the request and Ofelia would list no containers).
pub fn selects(s: &SchedulerInfo, c: &Carrier) -> bool {
    let labels = effective_labels(c);
    let mut by_key: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (k, v) in &s.filters {
        by_key.entry(k.as_str()).or_default().push(v.as_str());
    }
    by_key.iter().all(|(key, values)| match *key {
        "label" => values.iter().all(|v| match v.split_once('=') {
            Some((lk, lv)) => labels.get(lk).map(String::as_str) == Some(lv),
            None => labels.contains_key(*v),
        }),
        // Docker matches names as a regular expression (substring search);
        // plain names are the common case and match as substrings.
        "name" => values
            .iter()
            .any(|v| c.name.contains(v.trim_start_matches('/'))),
        "id" => values.iter().any(|v| !v.is_empty() && c.id.starts_with(v)),
        "status" => {
            let status = if c.running {
                "running"
            } else if c.id.is_empty() {
                "created"
            } else {
                "exited"
            };
            values.contains(&status)
        }
        "ancestor" => values.iter().any(|v| {
            let (want_repo, want_tag) = parse_reference(v);
            let (repo, tag) = parse_reference(&c.image);
            want_repo == repo
                && (want_tag.is_none()
                    || want_tag == tag
                    || (want_tag.as_deref() == Some("latest") && tag.is_none()))
        }),
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labels::Mount;

    fn carrier(image: &str, command: &[&str]) -> Carrier {
        Carrier {
            name: "sched".into(),
            image: image.into(),
            command: command.iter().map(|s| s.to_string()).collect(),
            running: true,
            ..Carrier::default()
        }
    }

    #[test]
    fn flavor_from_image_cases() {
        let none = BTreeMap::new();
        let cases: &[(&str, Option<Flavor>)] = &[
            ("mcuadros/ofelia:latest", Some(Flavor::Ofelia03)),
            ("mcuadros/ofelia", Some(Flavor::Ofelia03)),
            ("docker.io/mcuadros/ofelia:0.3.21", Some(Flavor::Ofelia03)),
            ("mcuadros/ofelia:v0.3", Some(Flavor::Ofelia03)),
            ("mcuadros/ofelia:0.3", Some(Flavor::Ofelia03)),
            ("mcuadros/ofelia:0.4.0-beta.1", Some(Flavor::Ofelia04)),
            ("mcuadros/ofelia:development", Some(Flavor::Ofelia04)),
            (
                "ghcr.io/netresearch/ofelia:latest",
                Some(Flavor::Netresearch),
            ),
            (
                "ghcr.io/netresearch/ofelia:0.29.0",
                Some(Flavor::Netresearch),
            ),
            ("netresearch/ofelia", Some(Flavor::Netresearch)),
            ("mcuadros/ofelia@sha256:abcd", Some(Flavor::Ofelia03)),
            ("mcuadros/ofelia:weird", None),
            ("nginx:latest", None),
            ("registry.local:5000/ofelia:1", None),
        ];
        for (image, want) in cases {
            assert_eq!(flavor_from_image(image, &none), *want, "{image}");
        }
        let mut labels = BTreeMap::new();
        labels.insert(
            "org.opencontainers.image.source".to_string(),
            "https://github.com/netresearch/ofelia".to_string(),
        );
        assert_eq!(
            flavor_from_image("registry.local:5000/ofelia:1", &labels),
            Some(Flavor::Netresearch)
        );
        labels.insert(
            "org.opencontainers.image.source".to_string(),
            "https://github.com/mcuadros/ofelia".to_string(),
        );
        labels.insert(
            "org.opencontainers.image.version".to_string(),
            "v0.4.0".to_string(),
        );
        assert_eq!(
            flavor_from_image("mirror/ofelia", &labels),
            Some(Flavor::Ofelia04)
        );
    }

    #[test]
    fn scheduler_info_parses_mcuadros_command() {
        let mut c = carrier(
            "mcuadros/ofelia:latest",
            &[
                "daemon",
                "--docker",
                "-f",
                "label=com.docker.compose.project=mystack",
            ],
        );
        c.env.insert("TZ".into(), "Europe/Paris".into());
        c.mounts.push(Mount {
            source: "/var/run/docker.sock".into(),
            target: "/var/run/docker.sock".into(),
            read_only: true,
        });
        let s = scheduler_info(&c).expect("scheduler");
        assert_eq!(s.flavor, Some(Flavor::Ofelia03));
        assert!(s.docker_flag);
        assert!(s.has_socket);
        assert_eq!(s.tz.as_deref(), Some("Europe/Paris"));
        assert_eq!(
            s.filters,
            vec![(
                "label".to_string(),
                "com.docker.compose.project=mystack".to_string()
            )]
        );
    }

    #[test]
    fn scheduler_info_parses_netresearch_command() {
        let c = carrier(
            "ghcr.io/netresearch/ofelia:latest",
            &[
                "daemon",
                "-f",
                "label=com.docker.compose.project=a",
                "--docker-filter=name=app",
                "--docker-include-stopped",
            ],
        );
        let s = scheduler_info(&c).expect("scheduler");
        assert_eq!(s.flavor, Some(Flavor::Netresearch));
        assert!(!s.docker_flag);
        assert!(!s.has_socket);
        assert!(s.include_stopped);
        assert_eq!(
            s.filters,
            vec![
                (
                    "label".to_string(),
                    "com.docker.compose.project=a".to_string()
                ),
                ("name".to_string(), "app".to_string()),
            ]
        );
    }

    #[test]
    fn scheduler_needs_service_label_or_ofelia_image() {
        assert!(scheduler_info(&carrier("nginx", &[])).is_none());
        let mut custom = carrier("me/my-ofelia", &["-d"]);
        custom.labels.insert("ofelia.service".into(), "true".into());
        let s = scheduler_info(&custom).expect("service label");
        assert_eq!(s.flavor, None);
        assert!(s.docker_flag);
        custom.labels.insert("ofelia.service".into(), "True".into());
        assert!(scheduler_info(&custom).is_none(), "exactly \"true\"");
        let mut host = carrier("me/my-ofelia", &[]);
        host.labels.insert("ofelia.service".into(), "true".into());
        host.env
            .insert("DOCKER_HOST".into(), "tcp://proxy:2375".into());
        assert!(scheduler_info(&host).is_some_and(|s| s.has_socket));
    }

    fn app(project: &str, name: &str) -> Carrier {
        let mut c = Carrier {
            name: name.into(),
            id: format!("{name}-id"),
            project: Some(project.into()),
            service: Some("app".into()),
            running: true,
            ..Carrier::default()
        };
        c.labels.insert("ofelia.enabled".into(), "true".into());
        c
    }

    #[test]
    fn mo84_mo156_scheduler_filters_select_projects() {
        let s = scheduler_info(&carrier(
            "mcuadros/ofelia",
            &[
                "daemon",
                "--docker",
                "-f",
                "label=com.docker.compose.project=a",
            ],
        ))
        .expect("scheduler");
        assert!(selects(&s, &app("a", "a-app-1")));
        assert!(!selects(&s, &app("b", "b-app-1")));
        // no filter: every project leaks in (MO#84, #156)
        let open = scheduler_info(&carrier("mcuadros/ofelia", &["daemon", "--docker"])).expect("s");
        assert!(selects(&open, &app("a", "a-app-1")) && selects(&open, &app("b", "b-app-1")));
        // offline carriers: the project comes from the compose model
        let mut offline = app("a", "a-app-1");
        offline.id.clear();
        assert!(selects(&s, &offline));
    }

    #[test]
    fn filter_semantics_and_or() {
        let mk = |filters: &[(&str, &str)]| SchedulerInfo {
            filters: filters
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ..scheduler_info(&carrier("mcuadros/ofelia", &[])).expect("s")
        };
        let c = app("a", "a-app-1");
        // label values are ANDed
        assert!(!selects(
            &mk(&[("label", "com.docker.compose.project=a"), ("label", "x")]),
            &c
        ));
        assert!(selects(
            &mk(&[
                ("label", "com.docker.compose.project"),
                ("label", "ofelia.enabled=true")
            ]),
            &c
        ));
        // other keys: one value is enough; keys are ANDed
        assert!(selects(&mk(&[("name", "zzz"), ("name", "app")]), &c));
        assert!(!selects(&mk(&[("name", "app"), ("status", "exited")]), &c));
        assert!(selects(&mk(&[("id", "a-app")]), &c));
        assert!(!selects(&mk(&[("bogus", "x")]), &c));
    }
}
