//! `docker ofelia ps`: every scheduler container on the engine (any
//! `ofelia.service=true` container, ours or not) and what it will run.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::app::App;
use crate::cli::{Format, PsArgs};
use crate::docker::containers::carrier_from_summary;
use crate::docker::scheduler::{self, Service};
use crate::error::Result;
use crate::labels::{self, Carrier};
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
    let enabled_filter = ["ofelia.enabled=true".to_string()];
    let (services, enabled) = tokio::try_join!(
        scheduler::list_services(engine),
        engine.list_by_labels(&enabled_filter, false)
    )?;
    let enabled: Vec<Carrier> = enabled.iter().map(carrier_from_summary).collect();
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

fn row(s: &Service, enabled: &[Carrier]) -> Row {
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
        .or_else(|| labels::flavor_from_image(&s.image, &BTreeMap::new()))
        .unwrap_or(crate::sources::DEFAULT_FLAVOR);
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
        jobs: count_jobs(s, flavor, enabled),
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

/// How many jobs the scheduler will run, by the label model: the running
/// `ofelia.enabled=true` containers its `-f` filters select, and its own labels.
fn count_jobs(s: &Service, flavor: Flavor, enabled: &[Carrier]) -> usize {
    let me = Carrier {
        id: s.id.clone(),
        name: s.name.clone(),
        image: s.image.clone(),
        labels: s
            .labels
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        env: s
            .env
            .iter()
            .filter_map(|e| e.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        command: s.args.clone(),
        running: s.state == "running",
        ..Carrier::default()
    };
    let Some(info) = labels::scheduler_info(&me) else {
        return 0;
    };
    let mut carriers: Vec<Carrier> = enabled.iter().filter(|c| c.id != s.id).cloned().collect();
    carriers.push(me);
    let opts = labels::BuildOptions::new(flavor);
    labels::build_for_scheduler(&carriers, &info, &opts)
        .jobs
        .iter()
        .filter(|j| j.runs)
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(kv: &[(&str, &str)]) -> std::collections::HashMap<String, String> {
        kv.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn carrier(name: &str, kv: &[(&str, &str)]) -> Carrier {
        Carrier {
            id: name.to_string(),
            name: name.to_string(),
            labels: kv
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            running: true,
            ..Carrier::default()
        }
    }

    fn scheduler_with(args: &[&str]) -> Service {
        Service {
            id: "s".into(),
            name: "ofelia".into(),
            image: "mcuadros/ofelia:latest".into(),
            labels: labels(&[("ofelia.service", "true"), ("ofelia.enabled", "true")]),
            args: args.iter().map(|a| a.to_string()).collect(),
            env: vec![],
            state: "running".into(),
            status: "Up".into(),
            started_at: None,
        }
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
    fn jobs_are_counted_per_filters_by_the_label_model() {
        let enabled = vec![
            carrier(
                "a-web-1",
                &[
                    ("ofelia.enabled", "true"),
                    ("com.docker.compose.project", "a"),
                    ("ofelia.job-exec.x.schedule", "@hourly"),
                    ("ofelia.job-exec.x.command", "date"),
                    ("ofelia.job-run.r.schedule", "@hourly"),
                    ("ofelia.job-run.r.image", "busybox"),
                ],
            ),
            carrier(
                "b-web-1",
                &[
                    ("ofelia.enabled", "true"),
                    ("com.docker.compose.project", "b"),
                    ("ofelia.job-exec.y.schedule", "@hourly"),
                    ("ofelia.job-exec.y.command", "date"),
                ],
            ),
        ];
        let all = scheduler_with(&["daemon", "--docker"]);
        assert_eq!(count_jobs(&all, Flavor::Ofelia03, &enabled), 2);
        let scoped = scheduler_with(&[
            "daemon",
            "--docker",
            "-f",
            "label=com.docker.compose.project=a",
        ]);
        assert_eq!(count_jobs(&scoped, Flavor::Ofelia03, &enabled), 1);
        // netresearch also runs job-run labels from app containers.
        assert_eq!(count_jobs(&scoped, Flavor::Netresearch, &enabled), 2);
    }
}
