//! `docker ofelia next`: one chronological timeline of upcoming fire times
//! across the selected jobs, computed as their scheduler computes them.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::app::App;
use crate::cli::{Format, NextArgs};
use crate::error::{Error, Result};
use crate::render;
use crate::schedule;
use crate::sources::{self, Options};

/// One fire time, as `next --format json` prints it (the README documents this).
#[derive(Debug, Serialize)]
pub struct FireRow {
    /// RFC 3339 in the scheduler's zone.
    pub time: String,
    pub project: Option<String>,
    pub service: Option<String>,
    pub job: String,
    #[serde(rename = "type")]
    pub job_type: String,
    pub target: Option<String>,
    pub schedule: String,
    pub flavor: String,
    pub timezone: String,
    pub scheduler: Option<String>,
    #[serde(skip)]
    instant: DateTime<Utc>,
}

/// Parses `--from`/`--until` (RFC 3339, fractional seconds allowed).
pub fn parse_time(flag: &str, s: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| Error::usage(format!("invalid argument \"{s}\" for \"--{flag}\" flag: not an RFC 3339 time ({e}), e.g. 2026-11-30T08:00:00+01:00")))
}

pub async fn run(app: &App, args: NextArgs) -> Result<()> {
    let from = match &args.from {
        Some(s) => parse_time("from", s)?,
        None => Utc::now(),
    };
    let until = args.until.as_deref().map(|s| parse_time("until", s)).transpose()?;
    if let Some(u) = until {
        if u <= from {
            return Err(Error::usage("--until must be after --from"));
        }
    }
    let opts = Options::from_args(&args.scheduler, false);
    let scope = app.cancellable(sources::gather(app, &args.select, &opts)).await?;
    let mut rows: Vec<FireRow> = Vec::new();
    let mut matched = 0usize;
    let mut headers = Vec::new();
    for (group, model) in sources::models(&scope, false) {
        let mut any = false;
        for job in model.jobs.iter().filter(|j| j.runs) {
            if !args.job.is_empty() && !args.job.iter().any(|n| *n == job.name || *n == job.label_name) {
                continue;
            }
            matched += 1;
            any = true;
            let Some(expr) = job.schedule.as_deref() else { continue };
            let Ok(sched) = schedule::parse(expr, group.flavor) else { continue };
            let origin = group.every_origin.or(Some(from));
            for t in sched.upcoming(from, group.tz, args.count, origin).times {
                let instant = t.with_timezone(&Utc);
                if until.is_some_and(|u| instant > u) {
                    break;
                }
                rows.push(FireRow {
                    time: render::rfc3339(&t),
                    project: job.project.clone(),
                    service: job.service.clone(),
                    job: job.name.clone(),
                    job_type: job.job_type.label().to_string(),
                    target: job.target.clone(),
                    schedule: expr.to_string(),
                    flavor: group.flavor.as_str().to_string(),
                    timezone: group.tz.name().to_string(),
                    scheduler: group.scheduler.as_ref().map(|s| s.name.clone()),
                    instant,
                });
            }
        }
        if any {
            let who = match &group.scheduler {
                Some(s) => format!("scheduler {}", s.name),
                None => "no scheduler".to_string(),
            };
            headers.push(format!(
                "{who}: flavour {} ({}), zone {} ({})",
                group.flavor, group.flavor_source, group.tz.name(), group.tz_source
            ));
        }
    }
    if !args.job.is_empty() && matched == 0 {
        return Err(Error::msg(format!("no such job: {}", args.job.join(", "))));
    }
    rows.sort_by(|a, b| a.instant.cmp(&b.instant).then_with(|| a.job.cmp(&b.job)));
    rows.truncate(args.count);
    super::print_warnings(&scope.warnings);
    match args.format {
        Format::Json => app.out.json(&rows),
        Format::Table => {
            let now = Utc::now();
            let mut text = String::new();
            for h in &headers {
                text.push_str(&render::sanitize(h));
                text.push('\n');
            }
            if !headers.is_empty() {
                text.push('\n');
            }
            let table_rows = rows
                .iter()
                .map(|r| {
                    vec![
                        DateTime::parse_from_rfc3339(&r.time)
                            .map(|t| t.format("%a %Y-%m-%d %H:%M:%S %:z").to_string())
                            .unwrap_or_else(|_| r.time.clone()),
                        render::relative(now, r.instant),
                        r.project.clone().unwrap_or_else(|| "-".into()),
                        r.job.clone(),
                        r.job_type.clone(),
                        r.target.clone().unwrap_or_default(),
                    ]
                })
                .collect();
            text.push_str(&render::table(&["TIME", "IN", "PROJECT", "JOB", "TYPE", "TARGET"], table_rows));
            app.out.line(&text)
        }
    }
}
