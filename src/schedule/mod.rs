//! The schedule engine: Ofelia's cron dialects, evaluated exactly as each
//! flavour's library does (robfig/cron v1.2.0, v3.0.1, netresearch/go-cron).
//! Pure: the clock and the time zone are always passed in.

use std::fmt;
use std::str::FromStr;

/// Which Ofelia (and so which cron library) runs the jobs.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum Flavor {
    /// mcuadros/ofelia 0.3.x (the `mcuadros/ofelia:latest` image): robfig/cron v1.2.0.
    #[serde(rename = "ofelia-0.3")]
    Ofelia03,
    /// mcuadros/ofelia 0.4: robfig/cron v3.0.1.
    #[serde(rename = "ofelia-0.4")]
    Ofelia04,
    /// netresearch/ofelia: netresearch/go-cron.
    #[serde(rename = "netresearch")]
    Netresearch,
}

impl Flavor {
    pub const ALL: [Flavor; 3] = [Flavor::Ofelia03, Flavor::Ofelia04, Flavor::Netresearch];

    pub fn as_str(self) -> &'static str {
        match self {
            Flavor::Ofelia03 => "ofelia-0.3",
            Flavor::Ofelia04 => "ofelia-0.4",
            Flavor::Netresearch => "netresearch",
        }
    }
}

impl fmt::Display for Flavor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Flavor {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Flavor::ALL
            .into_iter()
            .find(|f| f.as_str() == s)
            .ok_or_else(|| {
                format!("unknown flavor {s:?}: expected ofelia-0.3, ofelia-0.4 or netresearch")
            })
    }
}

mod describe;
mod duration;
mod gotime;
mod next;
mod parse;
mod warnings;
mod zone;

/// Go's `Duration.String()` for whole seconds (also used by `history`).
pub(crate) use duration::go_duration_string;

use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::Tz;

pub use duration::parse_go_duration;
pub use warnings::{warnings, Warning};
pub use zone::{host_zone, known_zone_name, parse_zone};

use gotime::Zone;
use next::Algo;
use parse::{Kind, Parsed};

/// An expression the flavour's library rejects. Display is one line naming
/// the problem (the library's own wording where it has one).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ScheduleError {
    pub message: String,
}

/// A parsed schedule of one flavour.
#[derive(Clone, Debug, PartialEq)]
pub struct Schedule {
    flavor: Flavor,
    expr: String,
    parsed: Parsed,
}

/// Fire times from [`Schedule::upcoming`].
#[derive(Clone, Debug, PartialEq)]
pub struct Upcoming {
    pub times: Vec<DateTime<Tz>>,
    /// The library's 5-year search ran out: the job never fires again.
    pub exhausted: bool,
    /// netresearch only: runs its scheduler loop drops (the second pass of a
    /// fall-back hour, whose wall clock equals the previous run's).
    pub dropped: Vec<DateTime<Tz>>,
}

/// Parses `expr` exactly as `flavor`'s cron library does.
pub fn parse(expr: &str, flavor: Flavor) -> Result<Schedule, ScheduleError> {
    let parsed = parse::parse(expr, flavor).map_err(|message| ScheduleError {
        message: render_one_line(&message),
    })?;
    Ok(Schedule {
        flavor,
        expr: expr.to_string(),
        parsed,
    })
}

/// Error texts quote user input; keep them on one line.
fn render_one_line(s: &str) -> String {
    s.replace(['\n', '\r'], " ")
}

impl Schedule {
    pub fn flavor(&self) -> Flavor {
        self.flavor
    }

    pub fn expression(&self) -> &str {
        &self.expr
    }

    /// The `TZ=`/`CRON_TZ=` zone of the expression, if any (ofelia-0.4, netresearch).
    pub fn location(&self) -> Option<Tz> {
        self.parsed.location
    }

    /// netresearch: Ofelia's strict validator (`ofelia validate`,
    /// `enable-strict-validation`) rejects this expression although the daemon runs it.
    pub fn strict_invalid(&self) -> bool {
        self.flavor == Flavor::Netresearch && parse::gocron_strict_rejects(&self.expr)
    }

    /// Number of cron fields written (5, 6 or 7); 0 for descriptors.
    pub fn field_count(&self) -> usize {
        self.parsed.field_count
    }

    /// `@manual`, `@triggered`, `@none` (netresearch): never fires on its own.
    pub fn is_never(&self) -> bool {
        matches!(self.parsed.kind, Kind::Never)
    }

    /// The `@every` delay as the scheduler uses it (whole seconds, at least 1 s).
    pub fn every(&self) -> Option<std::time::Duration> {
        match self.parsed.kind {
            Kind::Every(secs) => Some(std::time::Duration::from_secs(secs)),
            _ => None,
        }
    }

    fn algo(&self) -> Algo {
        match self.flavor {
            Flavor::Ofelia03 => Algo::V1,
            Flavor::Ofelia04 => Algo::V3,
            Flavor::Netresearch => Algo::GoCron,
        }
    }

    /// The zone fire times are computed in: the `TZ=` prefix, else `tz`.
    pub fn effective_zone(&self, tz: Tz) -> Tz {
        self.parsed.location.unwrap_or(tz)
    }

    /// The next `n` fire times strictly after `after`, in `tz` (the
    /// scheduler's zone; a `TZ=` prefix overrides it for the computation;
    /// the times are expressed in the zone that was used).
    /// For `@every`, fire times are counted from `every_origin` (the
    /// scheduler's start; None = `after`): origin truncated to the second
    /// + k·delay, k ≥ 1, strictly after `after`.
    pub fn upcoming(
        &self,
        after: DateTime<Utc>,
        tz: Tz,
        n: usize,
        every_origin: Option<DateTime<Utc>>,
    ) -> Upcoming {
        self.upcoming_until(after, tz, n, every_origin, i64::MAX)
    }

    /// [`Schedule::upcoming`], stopping at the first fire time after `until` (Unix seconds).
    pub(crate) fn upcoming_until(
        &self,
        after: DateTime<Utc>,
        tz: Tz,
        n: usize,
        every_origin: Option<DateTime<Utc>>,
        until: i64,
    ) -> Upcoming {
        let out_tz = match self.parsed.kind {
            Kind::Every(_) => tz,
            _ => self.effective_zone(tz),
        };
        let mut up = Upcoming {
            times: Vec::with_capacity(n.min(1024)),
            exhausted: false,
            dropped: vec![],
        };
        if n == 0 {
            return up;
        }
        // netresearch's scheduler drops a run whose wall clock (in the
        // scheduler's zone) equals the previous run's with a smaller offset.
        let drop_second_pass = self.flavor == Flavor::Netresearch;
        let sched_zone = Zone::new(tz);
        let mut prev_wall: Option<(i64, i64)> = None;
        let mut push = |unix: i64, up: &mut Upcoming| -> bool {
            if unix > until {
                return false;
            }
            let Some(t) = DateTime::from_timestamp(unix, 0) else {
                return false;
            };
            let local = t.with_timezone(&out_tz);
            if drop_second_pass {
                let g = gotime::GoTime::at(unix, &sched_zone);
                let dropped = matches!(prev_wall, Some((w, o)) if w == g.wall() && g.offset < o);
                prev_wall = Some((g.wall(), g.offset));
                if dropped {
                    up.dropped.push(local);
                    return true;
                }
            }
            up.times.push(local);
            true
        };
        match &self.parsed.kind {
            Kind::Never => {}
            Kind::Every(delay) => {
                let delay = *delay as i64;
                let origin = every_origin.unwrap_or(after).timestamp();
                let after_s = after.timestamp();
                // Smallest k ≥ 1 with origin + k·delay > after.
                let mut k = if after_s >= origin {
                    (after_s - origin) / delay + 1
                } else {
                    1
                };
                // Guard the loop: dropped runs don't count, but are finite.
                let mut guard = 0usize;
                while up.times.len() < n && guard < n.saturating_mul(4).saturating_add(16) {
                    guard += 1;
                    let Some(unix) = k.checked_mul(delay).and_then(|x| x.checked_add(origin))
                    else {
                        up.exhausted = true;
                        break;
                    };
                    if !push(unix, &mut up) {
                        up.exhausted = unix <= until;
                        break;
                    }
                    k += 1;
                }
            }
            Kind::Spec(spec) => {
                let zone = Zone::new(self.effective_zone(tz));
                let algo = self.algo();
                let mut cur = after.timestamp();
                let mut guard = 0usize;
                while up.times.len() < n && guard < n.saturating_mul(4).saturating_add(16) {
                    guard += 1;
                    match next::next(spec, cur, &zone, algo) {
                        Some(t) => {
                            if !push(t.unix, &mut up) {
                                up.exhausted = t.unix <= until;
                                break;
                            }
                            cur = t.unix;
                        }
                        None => {
                            up.exhausted = true;
                            break;
                        }
                    }
                }
            }
        }
        up
    }

    /// Warnings for this schedule run in `tz`, looking ahead from `from`
    /// (see [`warnings`]).
    pub fn warnings(&self, tz: Tz, from: DateTime<Utc>) -> Vec<Warning> {
        warnings::schedule_warnings(self, tz, from)
    }

    /// The schedule in plain English, right for the flavour.
    pub fn describe(&self) -> String {
        describe::describe(self)
    }
}

/// `at` in `tz`, for callers that have a UTC instant.
pub fn in_zone(at: DateTime<Utc>, tz: Tz) -> DateTime<Tz> {
    tz.from_utc_datetime(&at.naive_utc())
}

#[cfg(test)]
mod tests;
