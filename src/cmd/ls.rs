//! `docker ofelia ls`: the jobs declared on containers or in compose files,
//! with what their scheduler will do with them.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use crate::app::App;
use crate::cli::{Format, LsArgs};
use crate::error::Result;
use crate::render;
use crate::schedule::Flavor;
use crate::sources::{self, Options, ScheduleCache};

/// One job, as `ls --format json` prints it (README.md documents
/// this contract and tests/ls_next.rs locks it).
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
    /// exec: the container it runs in; run: the image or container.
    pub target: Option<String>,
    /// Next fire time (RFC 3339 in the scheduler's zone), or null (the job
    /// will not run, has no valid schedule, or never fires again).
    pub next: Option<String>,
    /// Whether the scheduler will run this job at all.
    pub runs: bool,
    /// Why the scheduler ignores or alters the job (empty: runs as declared).
    pub notes: Vec<String>,
    /// Every other key of the job, secret values masked.
    pub params: std::collections::BTreeMap<String, String>,
    pub flavor: String,
    pub timezone: String,
    /// The scheduler container that runs it, or null when none does.
    pub scheduler: Option<String>,
}

type NextKey = (String, Flavor, Tz, Option<DateTime<Utc>>);

pub async fn run(app: &App, args: LsArgs) -> Result<()> {
    let opts = Options::from_args(&args.scheduler, args.all);
    let scope = app
        .cancellable(sources::gather(app, &args.select, &opts))
        .await?;
    let now = Utc::now();
    let mut cache = ScheduleCache::default();
    // Next fire time per distinct (expression, flavour, zone, origin).
    let mut nexts: HashMap<NextKey, std::result::Result<Option<String>, String>> = HashMap::new();
    let mut rows = Vec::new();
    let mut warnings = scope.warnings.clone();
    let mut summaries = Vec::new();
    for (group, model) in sources::models(&scope, args.all) {
        for (carrier, note) in &model.notes {
            if carrier.is_empty() {
                warnings.push(note.message.clone());
            } else {
                warnings.push(format!("{carrier}: {}", note.message));
            }
        }
        if !model.jobs.is_empty() {
            summaries.push(sources::group_summary(group));
        }
        for job in model.jobs {
            let mut notes: Vec<String> = job.notes.iter().map(|n| n.message.clone()).collect();
            let mut next = None;
            let mut runs = job.runs;
            if let Some(expr) = job.schedule.as_deref() {
                let key = (expr.to_string(), group.flavor, group.tz, group.every_origin);
                let computed =
                    nexts
                        .entry(key)
                        .or_insert_with(|| match cache.parse(expr, group.flavor) {
                            Ok(s) => {
                                let up = s.upcoming(now, group.tz, 1, group.every_origin);
                                match up.times.first() {
                                    Some(t) => Ok(Some(render::rfc3339(t))),
                                    None if s.is_never() => Ok(None),
                                    None => Err("never fires again".to_string()),
                                }
                            }
                            Err(e) => Err(format!("invalid schedule: {e}{}", quote_hint(expr))),
                        });
                match computed {
                    Ok(t) => next = if runs { t.clone() } else { None },
                    Err(why) => {
                        // Its cron library rejects it: the job is never scheduled.
                        runs = false;
                        if !notes.iter().any(|n| n.contains(why.as_str())) {
                            notes.push(why.clone());
                        }
                    }
                }
            }
            if group.scheduler.is_none() && runs {
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
                runs,
                notes,
                params: job
                    .display_params()
                    .into_iter()
                    .filter(|(k, _)| k != "schedule" && k != "command")
                    .collect(),
                flavor: group.flavor.as_str().to_string(),
                timezone: group.tz.name().to_string(),
                scheduler: group.scheduler.as_ref().map(|s| s.name.clone()),
            });
        }
    }
    rows.sort_by(|a, b| {
        (&a.project, &a.service, &a.container, &a.job).cmp(&(
            &b.project,
            &b.service,
            &b.container,
            &b.job,
        ))
    });
    super::print_warnings(&warnings);
    if args.quiet {
        let mut seen = BTreeSet::new();
        let text: String = rows
            .iter()
            .filter(|r| seen.insert(r.job.as_str()))
            .map(|r| format!("{}\n", render::sanitize(&r.job)))
            .collect();
        return app.out.write(&text);
    }
    match args.format {
        Format::Json => app.out.json(&rows),
        Format::Table => {
            let trunc = |s: &str, max: usize| {
                if args.no_trunc {
                    s.to_string()
                } else {
                    render::truncate(s, max)
                }
            };
            let table_rows = rows
                .iter()
                .map(|r| {
                    vec![
                        r.project.clone().unwrap_or_else(|| "-".into()),
                        r.service.clone().unwrap_or_else(|| r.container.clone()),
                        trunc(&r.job, 30),
                        r.job_type.clone(),
                        r.schedule.clone().unwrap_or_default(),
                        trunc(r.command.as_deref().unwrap_or(""), 30),
                        r.next
                            .as_deref()
                            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                            .map(|t| render::relative(now, t.with_timezone(&Utc)))
                            .unwrap_or_else(|| "-".into()),
                        trunc(&r.notes.join("; "), 60),
                    ]
                })
                .collect();
            let mut text = String::new();
            text.push_str(&render::sanitize(&sources::origin_summary(&scope)));
            text.push('\n');
            for s in &summaries {
                text.push_str(&render::sanitize(s));
                text.push('\n');
            }
            text.push('\n');
            text.push_str(&render::table(
                &[
                    "PROJECT", "SERVICE", "JOB", "TYPE", "SCHEDULE", "COMMAND", "NEXT", "NOTE",
                ],
                table_rows,
            ));
            app.out.line(&text)
        }
    }
}

/// MO#99: in compose's list syntax `- key="v"` keeps the quotes in the value.
fn quote_hint(expr: &str) -> &'static str {
    let quoted = |q: char| expr.len() >= 2 && expr.starts_with(q) && expr.ends_with(q);
    if quoted('"') || quoted('\'') {
        " (the quotes are part of the value: in list syntax `- key=\"v\"` keeps them, MO#99)"
    } else {
        ""
    }
}
