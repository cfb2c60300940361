//! `docker ofelia ps`: every scheduler container on the engine (any
//! `ofelia.service=true` container, ours or not) and what it will run.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use crate::app::App;
use crate::cli::{Format, PsArgs};
use crate::docker::scheduler::{self, Service};
use crate::error::Result;
use crate::render;
use crate::schedule::Flavor;

#[derive(Debug, Serialize)]
struct Row {
    name: String,
    id: String,
    /// The compose project it is scoped to; `None` = every project's jobs.
    project: Option<String>,
    /// Its `-f` filters, as given.
    filters: Vec<String>,
    flavor: String,
    image: String,
    tz: String,
    state: String,
    status: String,
    started: Option<String>,
    jobs: usize,
    managed: bool,
}

pub async fn run(app: &App, args: PsArgs) -> Result<()> {
    let engine = app.engine().await?;
    let (services, enabled) = tokio::try_join!(
        scheduler::list_services(engine),
        scheduler::list_enabled_labels(engine)
    )?;
    let rows: Vec<Row> = services.iter().map(|s| row(s, &enabled)).collect();
    if args.quiet {
        for r in &rows {
            app.out.line(&render::sanitize(&r.name))?;
        }
        return Ok(());
    }
    if args.format == Format::Json {
        // One object per line, as `docker ps --format json`.
        for r in &rows {
            let text = serde_json::to_string(r)
                .map_err(|e| crate::Error::msg(format!("cannot encode JSON: {e}")))?;
            app.out.line(&text)?;
        }
        return Ok(());
    }
    let table_rows = rows
        .iter()
        .map(|r| {
            vec![
                r.name.clone(),
                match (&r.project, r.filters.is_empty()) {
                    (Some(p), _) => p.clone(),
                    (None, true) => "(all projects)".to_string(),
                    (None, false) => r.filters.join(" "),
                },
                r.flavor.clone(),
                r.image.clone(),
                r.tz.clone(),
                r.status.clone(),
                r.jobs.to_string(),
            ]
        })
        .collect();
    app.out.line(&render::table(
        &["NAME", "PROJECT", "FLAVOR", "IMAGE", "TZ", "STATUS", "JOBS"],
        table_rows,
    ))
}

fn row(s: &Service, enabled: &[(String, HashMap<String, String>)]) -> Row {
    let filters = s.filters();
    let project = s
        .labels
        .get(scheduler::LABEL_PROJECT)
        .filter(|p| s.managed() && !p.is_empty())
        .cloned()
        .or_else(|| s.project_scope());
    let flavor = s
        .labels
        .get(scheduler::LABEL_FLAVOR)
        .and_then(|f| f.parse::<Flavor>().ok())
        .unwrap_or_else(|| flavor_from_image(&s.image));
    let tz = s
        .env
        .iter()
        .find_map(|e| e.strip_prefix("TZ="))
        .filter(|z| !z.is_empty())
        .unwrap_or("UTC")
        .to_string();
    Row {
        name: s.name.clone(),
        id: s.id.chars().take(12).collect(),
        project,
        jobs: count_jobs(flavor, &filters, enabled),
        filters,
        flavor: flavor.to_string(),
        image: s.image.clone(),
        tz,
        state: s.state.clone(),
        status: s.status.clone(),
        started: s.started_at.clone().filter(|_| s.state == "running"),
        managed: s.managed(),
    }
}

/// Does a container pass Ofelia's `-f` filters (label=k[=v], name=x)?
fn matches(name: &str, labels: &HashMap<String, String>, filters: &[String]) -> bool {
    filters.iter().all(|f| match f.split_once('=') {
        Some(("label", kv)) => match kv.split_once('=') {
            Some((k, v)) => labels.get(k).map(String::as_str) == Some(v),
            None => labels.contains_key(kv),
        },
        Some(("name", n)) => name.contains(n),
        // Other filters are left to the engine; count the container.
        _ => true,
    })
}

/// How many jobs the scheduler will run: `ofelia.<type>.<name>.schedule`
/// labels on the running `ofelia.enabled=true` containers its filters select;
/// job-exec from any of them, other types only from service containers
/// (netresearch also takes job-run from any).
// TODO(lead): switch to the label model.
fn count_jobs(
    flavor: Flavor,
    filters: &[String],
    enabled: &[(String, HashMap<String, String>)],
) -> usize {
    let mut jobs: HashSet<(String, String, String)> = HashSet::new();
    for (name, labels) in enabled {
        if !matches(name, labels, filters) {
            continue;
        }
        let service = labels.get(scheduler::LABEL_SERVICE).map(String::as_str) == Some("true");
        for key in labels.keys() {
            let parts: Vec<&str> = key.split('.').collect();
            if parts.len() < 4 || parts[0] != "ofelia" || !parts[1].starts_with("job-") {
                continue;
            }
            if !parts[3].eq_ignore_ascii_case("schedule") {
                continue;
            }
            let kind = parts[1];
            let any = kind == "job-exec" || (flavor == Flavor::Netresearch && kind == "job-run");
            if !any && !service {
                continue;
            }
            // netresearch prefixes exec jobs with their container.
            let owner = if flavor == Flavor::Netresearch && kind == "job-exec" {
                name.clone()
            } else {
                String::new()
            };
            jobs.insert((owner, kind.to_string(), parts[2].to_string()));
        }
    }
    jobs.len()
}

// TODO: use labels::flavor_from_image
fn flavor_from_image(image: &str) -> Flavor {
    let image = image.strip_prefix("docker.io/").unwrap_or(image);
    if image.starts_with("ghcr.io/netresearch/ofelia") {
        Flavor::Netresearch
    } else if image.starts_with("mcuadros/ofelia:0.4") {
        Flavor::Ofelia04
    } else {
        Flavor::Ofelia03
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(kv: &[(&str, &str)]) -> HashMap<String, String> {
        kv.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn filters_from_args() {
        let args: Vec<String> = [
            "/usr/bin/ofelia",
            "daemon",
            "--docker",
            "-f",
            "label=com.docker.compose.project=a",
            "--docker-filter=name=x",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(
            scheduler::docker_filters(&args),
            ["label=com.docker.compose.project=a", "name=x"]
        );
    }

    #[test]
    fn jobs_are_counted_per_filters() {
        let enabled = vec![
            (
                "a-web-1".to_string(),
                labels(&[
                    ("ofelia.enabled", "true"),
                    ("com.docker.compose.project", "a"),
                    ("ofelia.job-exec.x.schedule", "@hourly"),
                    ("ofelia.job-exec.x.command", "date"),
                    ("ofelia.job-run.r.schedule", "@hourly"),
                ]),
            ),
            (
                "b-web-1".to_string(),
                labels(&[
                    ("ofelia.enabled", "true"),
                    ("com.docker.compose.project", "b"),
                    ("ofelia.job-exec.y.schedule", "@hourly"),
                ]),
            ),
        ];
        assert_eq!(count_jobs(Flavor::Ofelia03, &[], &enabled), 2);
        assert_eq!(
            count_jobs(
                Flavor::Ofelia03,
                &["label=com.docker.compose.project=a".into()],
                &enabled
            ),
            1
        );
        assert_eq!(
            count_jobs(
                Flavor::Netresearch,
                &["label=com.docker.compose.project=a".into()],
                &enabled
            ),
            2
        );
    }
}
