//! `docker ofelia explain EXPR`: the schedule in plain English, its next
//! fire times and warnings, for one flavour and zone. No engine needed.
//!
//! JSON (`--format json`), one object:
//! `{"expression", "flavor", "timezone", "description", "next": [RFC 3339
//! with offset, in "timezone"], "warnings": [{"code", "message"}]}`.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::app::App;
use crate::cli::{ExplainArgs, Format};
use crate::error::{Error, Result};
use crate::render::{human_time, relative, rfc3339, sanitize, table};
use crate::schedule::{self, Flavor, Warning};

#[derive(Serialize)]
struct ExplainJson<'a> {
    expression: &'a str,
    flavor: Flavor,
    timezone: &'a str,
    description: String,
    next: Vec<String>,
    warnings: Vec<Warning>,
}

/// `--from`: RFC 3339 (fractional seconds allowed); default now.
pub(crate) fn parse_from(from: Option<&str>) -> Result<DateTime<Utc>> {
    match from {
        None => Ok(Utc::now()),
        Some(s) => DateTime::parse_from_rfc3339(s.trim())
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| {
                Error::usage(format!(
                    "invalid --from {s:?}: {e} (expected RFC 3339, e.g. 2026-11-30T08:00:00+01:00)"
                ))
            }),
    }
}

pub async fn run(app: &App, args: ExplainArgs) -> Result<()> {
    let flavor: Flavor = args.flavor.into();
    let local = crate::sources::host_zone_name();
    let tz = schedule::parse_zone(&args.tz, local.as_deref())
        .map_err(|e| Error::usage(format!("invalid --tz: {e}")))?;
    let from = parse_from(args.from.as_deref())?;
    let sched = schedule::parse(&args.expr, flavor).map_err(|e| {
        let others: Vec<&str> = Flavor::ALL
            .into_iter()
            .filter(|f| *f != flavor && schedule::parse(&args.expr, *f).is_ok())
            .map(Flavor::as_str)
            .collect();
        let hint = if others.is_empty() {
            String::new()
        } else {
            format!(" (valid for {}: see --flavor)", others.join(" and "))
        };
        Error::Schedule(format!(
            "invalid schedule \"{}\" for {flavor}: {e}{hint}",
            sanitize(&args.expr)
        ))
    })?;
    let up = sched.upcoming(from, tz, args.count, Some(from));
    let times: Vec<DateTime<chrono_tz::Tz>> =
        up.times.iter().map(|t| t.with_timezone(&tz)).collect();
    let warnings = sched.warnings(tz, from);
    let description = sched.describe();

    if args.format == Format::Json {
        return app.out.json(&ExplainJson {
            expression: &args.expr,
            flavor,
            timezone: tz.name(),
            description,
            next: times.iter().map(rfc3339).collect(),
            warnings,
        });
    }

    let out = &app.out;
    out.line(&sanitize(&description))?;
    let mut zone_line = format!("flavor {flavor}, time zone {}", tz.name());
    if let Some(loc) = sched.location() {
        if sched.every().is_none() {
            zone_line.push_str(&format!(
                " (computed in {} from its TZ= prefix)",
                loc.name()
            ));
        }
    }
    out.line(&zone_line)?;
    out.line("")?;
    if sched.is_never() {
        out.line("no fire times: it runs only when triggered")?;
    } else if times.is_empty() && up.exhausted {
        out.line("no fire time within the library's 5-year search: it never fires again")?;
    } else if !times.is_empty() {
        let rows = times
            .iter()
            .map(|t| vec![human_time(t), relative(from, t.with_timezone(&Utc))])
            .collect();
        out.line(&table(&["NEXT", "IN"], rows))?;
        if up.exhausted {
            out.line(
                "no further fire time within the library's 5-year search: it never fires again",
            )?;
        }
    }
    if !warnings.is_empty() {
        out.line("")?;
        for w in &warnings {
            out.line(&out.paint("33", &format!("warning: {}", sanitize(&w.message))))?;
        }
    }
    Ok(())
}
