//! `docker ofelia logs`: the scheduler's logs, optionally one job's lines,
//! or (`--format json`) its job runs as JSON events, one per line.

use futures_util::StreamExt;

use crate::app::App;
use crate::cli::{Format, LogsArgs};
use crate::docker::scheduler::{self, LogsRequest, Service};
use crate::error::{Error, Result};
use crate::ofelia_log::{self, Aggregator, EventKind, Run};
use crate::render;

pub async fn run(app: &App, args: LogsArgs) -> Result<()> {
    let tail = match args.tail.as_deref() {
        None => None,
        Some("all") => Some("all".to_string()),
        Some(n) => match n.parse::<u64>() {
            Ok(v) => Some(v.to_string()),
            Err(_) => {
                return Err(Error::usage(format!(
                    "invalid argument \"{n}\" for \"-n, --tail\" flag: expected a number or \"all\""
                )))
            }
        },
    };
    let since = match &args.since {
        None => None,
        Some(s) => Some(parse_since(s, chrono::Utc::now())?),
    };
    let engine = app.engine().await?;
    let services = scheduler::list_services(engine).await?;
    let target = pick(&services, args.project.as_deref())?;
    let req = LogsRequest {
        follow: args.follow,
        tail,
        since,
    };
    let mut lines = scheduler::log_lines(engine, &target.id, &req);
    let mut filter = JobFilter::new(args.job.clone());
    let mut agg = Aggregator::new();
    loop {
        let next = tokio::select! {
            n = lines.next() => n,
            _ = app.cancel.cancelled() => return Err(Error::Interrupted),
        };
        let Some(line) = next else { break };
        let line = line?;
        if args.format == Format::Json {
            if let Some(run) = agg.push_line(&line) {
                emit(app, &run, args.job.as_deref())?;
            }
        } else if filter.keep(&line) {
            app.out.line(&super::up::highlight(app, &line))?;
        }
    }
    if args.format == Format::Json {
        for run in agg.finish() {
            emit(app, &run, args.job.as_deref())?;
        }
    }
    Ok(())
}

fn emit(app: &App, run: &Run, job: Option<&str>) -> Result<()> {
    if job.is_some_and(|j| j != run.job) {
        return Ok(());
    }
    let text =
        serde_json::to_string(run).map_err(|e| Error::msg(format!("cannot encode JSON: {e}")))?;
    app.out.line(&text)
}

/// Keeps one job's `[Job "name" (id)]` lines (and the continuation lines of
/// its multi-line output); everything when no job is asked for.
struct JobFilter {
    job: Option<String>,
    in_output: bool,
}

impl JobFilter {
    fn new(job: Option<String>) -> Self {
        JobFilter {
            job,
            in_output: false,
        }
    }

    fn keep(&mut self, line: &str) -> bool {
        let Some(job) = &self.job else { return true };
        let Some(rec) = ofelia_log::parse_record(line) else {
            return self.in_output;
        };
        self.in_output = false;
        match ofelia_log::parse_message(&rec.message) {
            Some(kind) if kind.run_id().is_some() && kind.job() == job => {
                self.in_output =
                    matches!(kind, EventKind::Stdout { .. } | EventKind::Stderr { .. });
                true
            }
            _ => false,
        }
    }
}

/// The scheduler whose logs to show: docker-ofelia's for the project (or the
/// unscoped one), else a compose-defined scheduler of that project, else the
/// only scheduler on the engine.
pub(crate) fn pick<'a>(services: &'a [Service], project: Option<&str>) -> Result<&'a Service> {
    let wanted = project.unwrap_or("");
    let ours = services.iter().find(|s| {
        s.managed() && s.labels.get(scheduler::LABEL_PROJECT).map(String::as_str) == Some(wanted)
    });
    if let Some(s) = ours {
        return Ok(s);
    }
    if let Some(p) = project {
        return services
            .iter()
            .find(|s| s.labels.get("com.docker.compose.project").map(String::as_str) == Some(p))
            .ok_or_else(|| {
                Error::msg(format!(
                    "no scheduler container for project {}: start one with `docker ofelia up -d -p {}`",
                    render::sanitize(p),
                    render::sanitize(p)
                ))
            });
    }
    match services {
        [] => Err(Error::msg(
            "no scheduler container (label ofelia.service=true) on this engine: start one with `docker ofelia up -d`",
        )),
        [one] => Ok(one),
        many => Err(Error::msg(format!(
            "{} scheduler containers run on this engine ({}): choose one with -p PROJECT",
            many.len(),
            render::sanitize(
                &many
                    .iter()
                    .map(|s| s.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        ))),
    }
}

/// `--since`: RFC 3339, Unix seconds, or a duration ago (`42m`, `1h30m`).
fn parse_since(s: &str, now: chrono::DateTime<chrono::Utc>) -> Result<i32> {
    let secs = if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        t.timestamp()
    } else if let Ok(n) = s.parse::<i64>() {
        n
    } else if let Some(d) = ofelia_log::parse_go_duration(s) {
        now.timestamp() - d.as_secs() as i64
    } else {
        return Err(Error::usage(format!(
            "invalid argument \"{s}\" for \"--since\" flag: use an RFC 3339 time (2026-11-27T10:00:00Z), Unix seconds or a duration such as 42m"
        )));
    };
    i32::try_from(secs).map_err(|_| Error::usage(format!("--since {s}: out of range")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn since_forms() {
        let now = chrono::Utc
            .with_ymd_and_hms(2026, 11, 27, 10, 0, 0)
            .unwrap();
        assert_eq!(
            parse_since("42m", now).unwrap() as i64,
            now.timestamp() - 42 * 60
        );
        assert_eq!(
            parse_since("2026-11-27T09:00:00Z", now).unwrap() as i64,
            now.timestamp() - 3600
        );
        assert_eq!(parse_since("1700000000", now).unwrap(), 1_700_000_000);
        assert!(parse_since("yesterday", now).is_err());
    }

    #[test]
    fn job_filter_keeps_the_job_and_its_continuations() {
        let mut f = JobFilter::new(Some("x".into()));
        let lines = [
            ("2026-01-01T00:00:00Z  s.go:1 ▶ NOTICE New job registered \"x\" - \"ls\" - \"@hourly\"", false),
            ("2026-01-01T00:00:00Z  c.go:1 ▶ NOTICE [Job \"x\" (aaaaaaaaaaaa)] Started - ls", true),
            ("2026-01-01T00:00:00Z  c.go:1 ▶ NOTICE [Job \"x\" (aaaaaaaaaaaa)] StdOut: a", true),
            ("b", true),
            ("2026-01-01T00:00:00Z  c.go:1 ▶ NOTICE [Job \"y\" (bbbbbbbbbbbb)] StdOut: c", false),
            ("d", false),
        ];
        for (l, keep) in lines {
            assert_eq!(f.keep(l), keep, "{l}");
        }
    }
}
