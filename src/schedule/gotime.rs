//! A minimal emulation of Go's `time.Time` in a location: just what
//! robfig/cron's `Next` uses (`time.Date` with its normalisation and its
//! choice of offset for wall times that don't exist or exist twice, `Add`,
//! `AddDate`, `Truncate`, and the wall-clock fields).
//!
//! Instants are whole Unix seconds: every `Next` starts at `t + 1s`
//! truncated to the second, so sub-second parts never matter afterwards.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use chrono::{NaiveDateTime, Offset, TimeZone};
use chrono_tz::Tz;

/// Raw chrono-tz lookup: the UTC offset in seconds at the instant `unix`.
fn raw_offset(tz: Tz, unix: i64) -> i64 {
    // chrono's range is ±262,143 years; clamp far-away instants (only
    // reachable from absurd inputs) to its edges.
    let clamped = unix.clamp(-8_000_000_000_000, 8_000_000_000_000);
    match chrono::DateTime::from_timestamp(clamped, 0) {
        Some(dt) => {
            let naive: NaiveDateTime = dt.naive_utc();
            i64::from(tz.offset_from_utc_datetime(&naive).fix().local_minus_utc())
        }
        None => 0,
    }
}

/// A span of instants `[from, until)` with one UTC offset.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Span {
    pub from: i64,
    pub until: i64,
    pub offset: i64,
}

/// The offsets of one UTC calendar year, as spans.
struct YearSpans {
    year: i64,
    spans: Rc<[Span]>,
}

type YearCache = RefCell<HashMap<(Tz, i64), Rc<[Span]>>>;

thread_local! {
    /// Year spans already computed, shared by all schedules of this thread
    /// (building a year costs a few hundred chrono-tz lookups).
    static YEARS: YearCache = RefCell::new(HashMap::new());
}

fn year_spans(tz: Tz, year: i64) -> Rc<[Span]> {
    YEARS.with(|y| {
        let mut map = y.borrow_mut();
        if let Some(s) = map.get(&(tz, year)) {
            return s.clone();
        }
        if map.len() > 4096 {
            map.clear();
        }
        let spans: Rc<[Span]> = build_year(tz, year).into();
        map.insert((tz, year), spans.clone());
        spans
    })
}

/// The time zone of a computation, with a cache of its offset spans per
/// year (chrono-tz lookups are a binary search each; the walk does
/// thousands of them). `Utc` needs no lookups at all.
pub(crate) struct Zone {
    tz: Option<Tz>,
    /// The span found last: most lookups fall in it again.
    last: Cell<Span>,
    cache: RefCell<Vec<YearSpans>>,
}

impl Zone {
    pub(crate) fn new(tz: Tz) -> Zone {
        let tz = match tz {
            Tz::UTC | Tz::Etc__UTC | Tz::Etc__UCT | Tz::UCT | Tz::Zulu | Tz::Etc__Zulu => None,
            tz => Some(tz),
        };
        Zone {
            tz,
            last: Cell::new(Span {
                from: 0,
                until: 0,
                offset: 0,
            }),
            cache: RefCell::new(Vec::new()),
        }
    }

    /// The span holding the instant `unix`.
    #[inline]
    pub(crate) fn span(&self, unix: i64) -> Span {
        let Some(tz) = self.tz else {
            return Span {
                from: i64::MIN,
                until: i64::MAX,
                offset: 0,
            };
        };
        let last = self.last.get();
        if unix >= last.from && unix < last.until {
            return last;
        }
        let span = self.span_slow(tz, unix);
        self.last.set(span);
        span
    }

    fn span_slow(&self, tz: Tz, unix: i64) -> Span {
        let year = utc_year(unix);
        let mut cache = self.cache.borrow_mut();
        if let Some(ys) = cache.iter().find(|ys| ys.year == year) {
            if let Some(s) = ys.spans.iter().find(|s| unix >= s.from && unix < s.until) {
                return *s;
            }
        }
        let ys = YearSpans {
            year,
            spans: year_spans(tz, year),
        };
        let found = ys
            .spans
            .iter()
            .find(|s| unix >= s.from && unix < s.until)
            .copied();
        if cache.len() >= 16 {
            cache.remove(0);
        }
        cache.push(ys);
        found.unwrap_or(Span {
            from: unix,
            until: unix + 1,
            offset: raw_offset(tz, unix),
        })
    }

    #[inline]
    pub(crate) fn offset_at(&self, unix: i64) -> i64 {
        self.span(unix).offset
    }
}

/// The UTC calendar year of an instant.
fn utc_year(unix: i64) -> i64 {
    civil_from_days(unix.div_euclid(86_400)).0
}

/// Finds the offset changes of one UTC year: sample daily, bisect each change.
fn build_year(tz: Tz, year: i64) -> Vec<Span> {
    let start = days_from_civil(year, 1, 1) * 86_400;
    let end = days_from_civil(year + 1, 1, 1) * 86_400;
    let mut spans = Vec::with_capacity(3);
    let mut from = start;
    let mut off = raw_offset(tz, start);
    let mut a = start;
    while a < end {
        let b = (a + 86_400).min(end);
        let ob = raw_offset(tz, b.min(end - 1));
        if ob != off {
            // First instant in (a, b] whose offset differs from `off`.
            let (mut lo, mut hi) = (a, b.min(end - 1));
            while hi - lo > 1 {
                let mid = lo + (hi - lo) / 2;
                if raw_offset(tz, mid) == off {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            spans.push(Span {
                from,
                until: hi,
                offset: off,
            });
            from = hi;
            off = raw_offset(tz, hi);
            a = hi;
            continue;
        }
        a = b;
    }
    spans.push(Span {
        from,
        until: end,
        offset: off,
    });
    spans
}

/// A Go `time.Time` in a zone, with its wall-clock fields computed once.
#[derive(Clone, Copy, Debug)]
pub(crate) struct GoTime {
    pub unix: i64,
    pub offset: i64,
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    /// 0 = Sunday, as Go's `Weekday()`.
    pub weekday: u32,
    /// The instants `[from, until)` around `unix` that share its offset.
    pub from: i64,
    pub until: i64,
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
#[inline]
pub(crate) fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[inline]
pub(crate) fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

pub(crate) fn is_leap(y: i64) -> bool {
    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
}

pub(crate) fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap(y) => 29,
        _ => 28,
    }
}

/// Weekday (0 = Sunday) of a civil date.
pub(crate) fn weekday_of(y: i64, m: u32, d: u32) -> u32 {
    (days_from_civil(y, i64::from(m), i64::from(d)) + 4).rem_euclid(7) as u32
}

impl GoTime {
    /// The instant `unix` seen in `zone`.
    #[inline]
    pub(crate) fn at(unix: i64, zone: &Zone) -> GoTime {
        let span = zone.span(unix);
        Self::in_span(unix, span.offset, span.from, span.until)
    }

    #[inline]
    fn in_span(unix: i64, offset: i64, from: i64, until: i64) -> GoTime {
        let local = unix + offset;
        let days = local.div_euclid(86_400);
        let secs = local.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        GoTime {
            unix,
            offset,
            year,
            month,
            day,
            hour: (secs / 3600) as u32,
            minute: ((secs % 3600) / 60) as u32,
            second: (secs % 60) as u32,
            weekday: (days + 4).rem_euclid(7) as u32,
            from,
            until,
        }
    }

    /// True when `unix` has the same offset as `self` for certain.
    #[inline]
    pub(crate) fn same_span(&self, unix: i64) -> bool {
        unix >= self.from && unix < self.until
    }

    /// Go's `time.Date(y, m, d, h, min, s, 0, loc)`: out-of-range months and
    /// days are normalised (Jan 32 = Feb 1), and a wall time is resolved as Go
    /// does: take the offset in force at the wall time read as UTC; if the
    /// resulting instant lies outside that offset's period, use the offset in
    /// force at that instant instead. In a gap this moves forward by the
    /// shift; in an overlap it picks the pass Go picks.
    pub(crate) fn date(y: i64, m: i64, d: i64, h: i64, mi: i64, s: i64, zone: &Zone) -> GoTime {
        let m0 = m - 1;
        let y = y + m0.div_euclid(12);
        let m = m0.rem_euclid(12) + 1;
        let days = days_from_civil(y, m, 1) + d - 1;
        let local = days * 86_400 + h * 3600 + mi * 60 + s;
        let o1 = zone.offset_at(local);
        let utc = local - o1;
        let span = zone.span(utc);
        if o1 == span.offset {
            Self::in_span(utc, o1, span.from, span.until)
        } else {
            let unix = local - span.offset;
            Self::at(unix, zone)
        }
    }

    /// Go's `Add`: absolute time.
    #[inline]
    pub(crate) fn add(self, secs: i64, zone: &Zone) -> GoTime {
        let unix = self.unix + secs;
        if self.same_span(unix) {
            Self::in_span(unix, self.offset, self.from, self.until)
        } else {
            GoTime::at(unix, zone)
        }
    }

    /// Go's `AddDate`: the wall-clock fields plus the deltas, through `Date`.
    pub(crate) fn add_date(self, years: i64, months: i64, days: i64, zone: &Zone) -> GoTime {
        GoTime::date(
            self.year + years,
            i64::from(self.month) + months,
            i64::from(self.day) + days,
            i64::from(self.hour),
            i64::from(self.minute),
            i64::from(self.second),
            zone,
        )
    }

    /// Go's `Truncate(time.Minute)`: on the absolute time, which for
    /// whole-minute offsets is the same as on the wall clock.
    pub(crate) fn truncate_minute(self, zone: &Zone) -> GoTime {
        self.add(-self.unix.rem_euclid(60), zone)
    }

    /// Wall clock (local seconds since the epoch), for comparing two runs.
    pub(crate) fn wall(self) -> i64 {
        self.unix + self.offset
    }
}

/// Offset changes of `tz` in `[from, to)`: (instant, offset before, offset after).
pub(crate) fn transitions(tz: Tz, from: i64, to: i64) -> Vec<(i64, i64, i64)> {
    let mut out = vec![];
    let mut y = utc_year(from);
    let last = utc_year(to);
    let mut prev: Option<Span> = None;
    while y <= last {
        for s in year_spans(tz, y).iter() {
            if let Some(p) = prev {
                if p.offset != s.offset && s.from >= from && s.from < to {
                    out.push((s.from, p.offset, s.offset));
                }
            }
            prev = Some(*s);
        }
        y += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip() {
        for z in [-800_000, -1, 0, 1, 59, 10_957, 20_000, 2_932_896] {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, i64::from(m), i64::from(d)), z);
        }
        assert_eq!(weekday_of(2026, 11, 30), 1); // a Monday
    }

    #[test]
    fn date_in_spring_gap_moves_forward_like_go() {
        // 2025-03-30 02:30 does not exist in Berlin; Go gives 03:30+02:00.
        let z = Zone::new(chrono_tz::Europe::Berlin);
        let t = GoTime::date(2025, 3, 30, 2, 30, 0, &z);
        assert_eq!((t.hour, t.minute, t.offset), (3, 30, 7200));
    }

    #[test]
    fn date_normalises_overflowing_days_and_months() {
        let t = GoTime::date(2025, 13, 32, 0, 0, 0, &Zone::new(Tz::UTC));
        assert_eq!((t.year, t.month, t.day), (2026, 2, 1));
    }
}
