//! Warnings for `explain`, `ls` and `check`: things the expression does that
//! a reader would not expect, computed for one flavour, zone and start.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;

use super::gotime::{self, civil_from_days, days_from_civil};
use super::next::day_matches;
use super::parse::{Kind, Spec};
use super::{parse, Flavor, Schedule};

/// A warning about a schedule: a stable code and one line of text.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Warning {
    /// `invalid`, `five-fields`, `strict-validation`, `every-below-1s`,
    /// `every-truncated`, `never`, `never-fires`, `rare`, `dst-skip`,
    /// `dst-double`, `dst-moved`.
    pub code: &'static str,
    pub message: String,
}

fn w(code: &'static str, message: String) -> Warning {
    Warning { code, message }
}

/// Warnings for `expr` under `flavor`, run in `tz`, looking ahead from `from`.
/// An expression the library rejects gives one `invalid` warning.
pub fn warnings(expr: &str, flavor: Flavor, tz: Tz, from: DateTime<Utc>) -> Vec<Warning> {
    let s = match parse(expr, flavor) {
        Ok(s) => s,
        Err(e) => {
            let mut msg = format!("{flavor} rejects this schedule: {e}");
            if expr.trim_start().starts_with("@every") && e.message.contains("unknown unit") {
                msg.push_str(" (Go durations have no day unit: use h, e.g. 24h)");
            }
            return vec![w("invalid", msg)];
        }
    };
    schedule_warnings(&s, tz, from)
}

/// Warnings for an already parsed schedule.
pub(crate) fn schedule_warnings(s: &Schedule, tz: Tz, from: DateTime<Utc>) -> Vec<Warning> {
    let mut out = vec![];
    if s.field_count() == 5 {
        out.push(five_fields(s.expression()));
    }
    if s.strict_invalid() {
        out.push(w(
            "strict-validation",
            "netresearch's strict validator (`ofelia validate`, enable-strict-validation) \
             rejects this expression (year field or L, W, #), although the daemon runs it"
                .into(),
        ));
    }
    match &s.parsed.kind {
        Kind::Never => {
            out.push(w(
                "never",
                "never fires on its own: the job runs only when triggered".into(),
            ));
            return out;
        }
        Kind::Every(_) => {
            if let Some(ns) = s.parsed.every_raw_ns {
                if ns < 1_000_000_000 {
                    out.push(w(
                        "every-below-1s",
                        "@every below 1 s: the scheduler runs it every second".into(),
                    ));
                } else if ns % 1_000_000_000 != 0 {
                    out.push(w(
                        "every-truncated",
                        "@every with a fraction of a second: the fraction is dropped".into(),
                    ));
                }
            }
            return out;
        }
        Kind::Spec(_) => {}
    }
    let up = s.upcoming(from, tz, 2, Some(from));
    let year = Duration::days(366);
    match up.times.as_slice() {
        [] => out.push(w(
            "never-fires",
            "no fire time within the library's 5-year search: the scheduler would never run this job"
                .into(),
        )),
        [first, rest @ ..] => {
            let first = first.with_timezone(&Utc);
            let gap_too_long = match rest.first() {
                Some(second) => second.with_timezone(&Utc) - first > year,
                None => true,
            };
            if first - from > year || gap_too_long {
                out.push(w(
                    "rare",
                    format!(
                        "fires less than once a year (next: {})",
                        crate::render::rfc3339(&up.times[0])
                    ),
                ));
            }
        }
    }
    out.extend(dst_warnings(s, tz, from));
    out
}

fn five_fields(expr: &str) -> Warning {
    let say = |f: Flavor| match parse(expr, f) {
        Ok(s) => s.describe(),
        Err(e) => format!("an error: {e}"),
    };
    w(
        "five-fields",
        format!(
            "5 fields mean different things: ofelia-0.3 reads sec min hour dom month ({}); \
             ofelia-0.4 and netresearch read min hour dom month dow ({})",
            say(Flavor::Ofelia03),
            say(Flavor::Ofelia04)
        ),
    )
}

fn hms(wall: i64) -> String {
    let s = wall.rem_euclid(86_400);
    format!("{:02}:{:02}:{:02}", s / 3600, (s % 3600) / 60, s % 60)
}

fn examples(walls: &[i64]) -> String {
    let mut v: Vec<String> = walls.iter().take(3).map(|w| hms(*w)).collect();
    if walls.len() > 3 {
        v.push("…".into());
    }
    v.join(", ")
}

/// Wall-clock seconds of day `days` (since the epoch) the fields match.
fn ideal_walls(spec: &Spec, days: i64) -> Vec<i64> {
    let (y, m, d) = civil_from_days(days);
    let wd = (days + 4).rem_euclid(7) as u32;
    if spec.month & (1 << m) == 0 || !day_matches(spec, y, m, d, wd) {
        return vec![];
    }
    if let Some(ranges) = &spec.years {
        if !ranges
            .iter()
            .any(|r| y >= r.start && y <= r.end && (y - r.start) % r.step == 0)
        {
            return vec![];
        }
    }
    let mut out = vec![];
    for h in 0..24 {
        if spec.hour & (1 << h) == 0 {
            continue;
        }
        for mi in 0..60 {
            if spec.minute & (1 << mi) == 0 {
                continue;
            }
            for se in 0..60 {
                if spec.second & (1 << se) != 0 {
                    out.push(days * 86_400 + h * 3600 + mi * 60 + se);
                }
            }
        }
    }
    out
}

/// Compares, on each DST transition day of the next year, the wall times the
/// fields name with the runs the library really makes.
fn dst_warnings(s: &Schedule, tz: Tz, from: DateTime<Utc>) -> Vec<Warning> {
    let Kind::Spec(spec) = &s.parsed.kind else {
        return vec![];
    };
    let zone_tz = s.effective_zone(tz);
    let start = from.timestamp();
    let mut out = vec![];
    for (at, before, after) in gotime::transitions(zone_tz, start, start + 366 * 86_400) {
        let day = (at + before).div_euclid(86_400);
        let ideal = ideal_walls(spec, day);
        let (y, m, d) = civil_from_days(day);
        let date = format!("{y:04}-{m:02}-{d:02}");
        let win_start =
            days_from_civil(y, i64::from(m), i64::from(d)) * 86_400 - before.max(after) - 1;
        let win_end = (day + 1) * 86_400 - before.min(after);
        let Some(after_t) = DateTime::from_timestamp(win_start, 0) else {
            continue;
        };
        let cap = ideal.len() + 7300;
        let up = s.upcoming_until(after_t, tz, cap, None, win_end);
        let mut counts: HashMap<i64, usize> = HashMap::new();
        for t in &up.times {
            let unix = t.timestamp();
            if unix > win_end {
                break;
            }
            let g = gotime::GoTime::at(unix, &gotime::Zone::new(zone_tz));
            if g.wall().div_euclid(86_400) == day {
                *counts.entry(g.wall()).or_default() += 1;
            }
        }
        let mut skipped: Vec<i64> = ideal
            .iter()
            .copied()
            .filter(|w| !counts.contains_key(w))
            .collect();
        skipped.sort_unstable();
        let mut doubled: Vec<i64> = counts
            .iter()
            .filter(|(_, n)| **n > 1)
            .map(|(w, _)| *w)
            .collect();
        doubled.sort_unstable();
        let ideal_set: std::collections::HashSet<i64> = ideal.iter().copied().collect();
        let mut moved: Vec<i64> = counts
            .keys()
            .copied()
            .filter(|w| !ideal_set.contains(w))
            .collect();
        moved.sort_unstable();
        let zone = zone_tz.name();
        if !skipped.is_empty() {
            out.push(w(
                "dst-skip",
                format!(
                    "DST change on {date} in {zone}: {} run(s) skipped ({})",
                    skipped.len(),
                    examples(&skipped)
                ),
            ));
        }
        if !doubled.is_empty() {
            out.push(w(
                "dst-double",
                format!(
                    "DST change on {date} in {zone}: {} run(s) fire twice, once in each pass ({})",
                    doubled.len(),
                    examples(&doubled)
                ),
            ));
        }
        if !moved.is_empty() {
            out.push(w(
                "dst-moved",
                format!(
                    "DST change on {date} in {zone}: {} run(s) at wall times the fields don't name ({})",
                    moved.len(),
                    examples(&moved)
                ),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn codes(expr: &str, f: Flavor, tz: Tz) -> Vec<&'static str> {
        let from = Utc
            .with_ymd_and_hms(2025, 1, 1, 0, 0, 0)
            .single()
            .expect("valid");
        warnings(expr, f, tz, from)
            .into_iter()
            .map(|w| w.code)
            .collect()
    }

    #[test]
    fn warnings_name_the_surprises() {
        use chrono_tz::{Australia, Europe};
        let cases: &[(&str, Flavor, Tz, &[&str])] = &[
            ("0 1 * * *", Flavor::Ofelia04, Tz::UTC, &["five-fields"]),
            ("0 0 8 * * 1", Flavor::Ofelia04, Tz::UTC, &[]),
            (
                "0 0 12 L * *",
                Flavor::Netresearch,
                Tz::UTC,
                &["strict-validation"],
            ),
            ("0 0 0 30 2 *", Flavor::Ofelia04, Tz::UTC, &["never-fires"]),
            ("0 0 0 29 2 *", Flavor::Ofelia04, Tz::UTC, &["rare"]),
            ("@every 1d", Flavor::Ofelia03, Tz::UTC, &["invalid"]),
            (
                "@every 500ms",
                Flavor::Ofelia04,
                Tz::UTC,
                &["every-below-1s"],
            ),
            ("@manual", Flavor::Netresearch, Tz::UTC, &["never"]),
            (
                "0 30 2 * * *",
                Flavor::Ofelia04,
                Europe::Berlin,
                &["dst-skip", "dst-double"],
            ),
            // go-cron runs gap jobs at the end of the gap and drops the second pass.
            (
                "0 30 2 * * *",
                Flavor::Netresearch,
                Europe::Berlin,
                &["dst-skip", "dst-moved"],
            ),
            (
                "0 0 3 * * *",
                Flavor::Ofelia04,
                Australia::Lord_Howe,
                &["dst-skip", "dst-skip"],
            ),
        ];
        for (expr, f, tz, want) in cases {
            assert_eq!(codes(expr, *f, *tz), *want, "{expr} ({f}, {tz})");
        }
    }
}
