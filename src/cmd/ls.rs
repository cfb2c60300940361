//! `docker ofelia ls`: the jobs declared on containers or in compose files,
//! with what their scheduler will do with them.

use chrono::Utc;
use serde::Serialize;

use crate::app::App;
use crate::cli::{Format, LsArgs};
use crate::error::Result;
use crate::render;
use crate::schedule;
use crate::sources::{self, Options};

/// One job, as `ls --format json` prints it (the README documents this).
#[derive(Debug, Serialize)]
pub struct JobRow {
    pub project: Option<String>,
    pub service: Option<String>,
    pub container: String,
    pub job: String,
    #[serde(rename = "type")]
    pub job_type: String,
    pub schedule: Option<String>,
    pub command: Option<String>,
    pub target: Option<String>,
    /// Next fire time (RFC 3339 in the scheduler's zone), or null.
    pub next: Option<String>,
    /// Whether the scheduler will run this job at all.
    pub runs: bool,
    pub notes: Vec<String>,
    pub flavor: String,
    pub timezone: String,
    /// The scheduler container that runs it, or null when none does.
    pub scheduler: Option<String>,
}

pub async fn run(app: &App, args: LsArgs) -> Result<()> {
    let opts = Options::from_args(&args.scheduler, args.all);
    let scope = app.cancellable(sources::gather(app, &args.select, &opts)).await?;
    let now = Utc::now();
    let mut rows = Vec::new();
    for (group, model) in sources::models(&scope, args.all) {
        for job in model.jobs {
            let mut notes: Vec<String> = job.notes.iter().map(|n| n.message.clone()).collect();
            let mut next = None;
            if let Some(expr) = job.schedule.as_deref() {
                match schedule::parse(expr, group.flavor) {
                    Ok(s) => {
                        let up = s.upcoming(now, group.tz, 1, group.every_origin);
                        next = up.times.first().map(render::rfc3339);
                        if up.times.is_empty() && !s.is_never() {
                            notes.push("never fires again".into());
                        }
                    }
                    Err(e) => notes.push(format!("invalid schedule: {e}")),
                }
            }
            if group.scheduler.is_none() && job.runs {
                notes.push("no scheduler runs this job".into());
            }
            rows.push(JobRow {
                project: job.project.clone(),
                service: job.service.clone(),
                container: job.carrier.clone(),
                job: job.name.clone(),
                job_type: job.job_type.label().to_string(),
                schedule: job.schedule.clone(),
                command: job.command.clone(),
                target: job.target.clone(),
                next,
                runs: job.runs,
                notes,
                flavor: group.flavor.as_str().to_string(),
                timezone: group.tz.name().to_string(),
                scheduler: group.scheduler.as_ref().map(|s| s.name.clone()),
            });
        }
    }
    rows.sort_by(|a, b| (&a.project, &a.service, &a.container, &a.job).cmp(&(&b.project, &b.service, &b.container, &b.job)));
    super::print_warnings(&scope.warnings);
    if args.quiet {
        let mut names: Vec<&str> = rows.iter().map(|r| r.job.as_str()).collect();
        names.dedup();
        let text: String = names.iter().map(|n| format!("{}\n", render::sanitize(n))).collect();
        return app.out.write(&text);
    }
    match args.format {
        Format::Json => app.out.json(&rows),
        Format::Table => {
            let trunc = |s: &str, max: usize| if args.no_trunc { s.to_string() } else { render::truncate(s, max) };
            let table_rows = rows
                .iter()
                .map(|r| {
                    vec![
                        r.project.clone().unwrap_or_else(|| "-".into()),
                        r.service.clone().unwrap_or_else(|| r.container.clone()),
                        r.job.clone(),
                        r.job_type.clone(),
                        r.schedule.clone().unwrap_or_default(),
                        trunc(r.command.as_deref().unwrap_or(""), 30),
                        r.next
                            .as_deref()
                            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
                            .map(|t| render::relative(now, t.with_timezone(&Utc)))
                            .unwrap_or_else(|| "-".into()),
                        trunc(&r.notes.join("; "), 60),
                    ]
                })
                .collect();
            app.out.line(&render::table(
                &["PROJECT", "SERVICE", "JOB", "TYPE", "SCHEDULE", "COMMAND", "NEXT", "NOTE"],
                table_rows,
            ))
        }
    }
}
