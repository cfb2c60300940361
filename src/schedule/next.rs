//! `SpecSchedule.Next`, ported line by line from robfig/cron (v1.2.0 and
//! v3.0.1) and netresearch/go-cron, on the Go time emulation in `gotime`.
//!
//! The walk goes month → day → hour → minute → second; whenever a field
//! wraps it restarts at the month ("goto WRAP"). The quirks users see come
//! from *how* it steps, so we step the same way:
//! - months and days move with `AddDate` (wall clock, through `time.Date`);
//! - hours, minutes and seconds move with `Add` (absolute time). In a zone
//!   with a 30-minute DST shift (Australia/Lord_Howe), adding one absolute
//!   hour moves the wall-clock minute by 30, which skips or adds runs;
//! - a wall time in a DST gap does not exist, so it is never matched
//!   (robfig) — go-cron instead breaks out of the hour loop at the end of
//!   the gap (ISC cron's rule);
//! - in an overlap the absolute steps visit both passes, so both fire.

use super::gotime::{days_in_month, weekday_of, GoTime, Zone};
use super::parse::{DomExt, Spec, STAR};

/// Which library's `Next`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Algo {
    /// robfig/cron v1.2.0: no midnight fix in the day loop.
    V1,
    /// robfig/cron v3.0.1.
    V3,
    /// go-cron: v3 plus years and the ISC spring-forward rule.
    GoCron,
}

/// Safety net against any pathological loop: the real algorithm needs at
/// most a few thousand steps per call (5 years of months and days).
const MAX_STEPS: u32 = 200_000;

#[inline]
fn bit(bits: u64, v: u32) -> bool {
    bits & (1u64 << v) != 0
}

fn year_matches(spec: &Spec, y: i64) -> bool {
    match &spec.years {
        None => true,
        Some(ranges) => ranges
            .iter()
            .any(|r| y >= r.start && y <= r.end && (y - r.start) % r.step == 0),
    }
}

fn nearest_weekday(y: i64, m: u32, target: u32) -> Option<u32> {
    let last = days_in_month(y, m);
    if target > last {
        return None;
    }
    Some(match weekday_of(y, m, target) {
        6 if target > 1 => target - 1,
        6 => target + 2,
        0 if target < last => target + 1,
        0 => target - 2,
        _ => target,
    })
}

fn last_weekday(y: i64, m: u32) -> u32 {
    let last = days_in_month(y, m);
    match weekday_of(y, m, last) {
        6 => last - 1,
        0 => last - 2,
        _ => last,
    }
}

pub(crate) fn day_matches(spec: &Spec, year: i64, month: u32, day: u32, weekday: u32) -> bool {
    let mut dom = bit(spec.dom, day);
    let mut dow = bit(spec.dow, weekday);
    if !dom && !spec.dom_ext.is_empty() {
        let last = days_in_month(year, month);
        dom = spec.dom_ext.iter().any(|e| match *e {
            DomExt::Last => day == last,
            DomExt::LastOffset(n) => i64::from(day) == i64::from(last) - i64::from(n),
            DomExt::LastWeekday => day == last_weekday(year, month),
            DomExt::NearestWeekday(n) => nearest_weekday(year, month, n) == Some(day),
        });
    }
    if !dow && !spec.dow_ext.is_empty() {
        let last = days_in_month(year, month);
        let occurrence = ((day - 1) / 7 + 1) as i32;
        let is_last = day + 7 > last;
        dow = spec
            .dow_ext
            .iter()
            .any(|e| e.weekday == weekday && (e.nth == occurrence || (e.nth == -1 && is_last)));
    }
    if spec.days_and || spec.dom & STAR != 0 || spec.dow & STAR != 0 {
        dom && dow
    } else {
        dom || dow
    }
}

/// The lowest set bit of `bits` in `(v, max]`.
#[inline]
fn next_bit_above(bits: u64, v: u32, max: u32) -> Option<u32> {
    if v >= max {
        return None;
    }
    let mask = (bits >> (v + 1)) << (v + 1);
    let mask = mask & ((1u64 << (max + 1)) - 1);
    if mask == 0 {
        None
    } else {
        Some(mask.trailing_zeros())
    }
}

/// The next activation strictly after `after_secs` (Unix seconds, already
/// floored), or None when the 5-year search runs out (robfig's zero time).
///
/// The loops are Go's, step for step. Where a run of steps provably stays
/// within one UTC offset (no DST change in between), the steps are taken
/// at once: the result is the same, only faster.
pub(crate) fn next(spec: &Spec, after_secs: i64, zone: &Zone, algo: Algo) -> Option<GoTime> {
    // "Start at the earliest possible time (the upcoming second)."
    let mut t = GoTime::at(after_secs.checked_add(1)?, zone);
    let mut added = false;
    let year_limit = t.year + 5;
    let mut steps = 0u32;
    let mut tick = || {
        steps += 1;
        steps < MAX_STEPS
    };

    'wrap: loop {
        if t.year > year_limit || !tick() {
            return None;
        }

        // go-cron: the year field first.
        if spec.years.is_some() {
            while !year_matches(spec, t.year) {
                if !added {
                    added = true;
                    t = GoTime::date(t.year, 1, 1, 0, 0, 0, zone);
                }
                t = t.add_date(1, 0, 0, zone);
                if t.year > year_limit || !tick() {
                    return None;
                }
            }
        }

        while !bit(spec.month, t.month) {
            if !added {
                added = true;
                t = GoTime::date(t.year, i64::from(t.month), 1, 0, 0, 0, zone);
            }
            t = t.add_date(0, 1, 0, zone);
            if t.month == 1 {
                continue 'wrap;
            }
            if !tick() {
                return None;
            }
        }

        if !day_matches(spec, t.year, t.month, t.day, t.weekday) {
            if !added {
                added = true;
                t = GoTime::date(t.year, i64::from(t.month), i64::from(t.day), 0, 0, 0, zone);
            }
            loop {
                if !tick() {
                    return None;
                }
                // Fast path: jump to the next matching day of the month (or
                // the 1st of the next), if the wall time keeps its offset.
                if algo == Algo::V1 || t.hour == 0 {
                    let last = days_in_month(t.year, t.month);
                    let mut d2 = t.day + 1;
                    let mut wd = (t.weekday + 1) % 7;
                    while d2 <= last && !day_matches(spec, t.year, t.month, d2, wd) {
                        d2 += 1;
                        wd = (wd + 1) % 7;
                    }
                    let tod =
                        i64::from(t.hour) * 3600 + i64::from(t.minute) * 60 + i64::from(t.second);
                    let local =
                        super::gotime::days_from_civil(t.year, i64::from(t.month), i64::from(d2))
                            * 86_400
                            + tod;
                    let cand = local - t.offset;
                    if t.same_span(cand) {
                        let real = GoTime::date(
                            t.year,
                            i64::from(t.month),
                            i64::from(d2),
                            i64::from(t.hour),
                            i64::from(t.minute),
                            i64::from(t.second),
                            zone,
                        );
                        if real.unix == cand {
                            t = real;
                            if t.day == 1 {
                                continue 'wrap;
                            }
                            break;
                        }
                    }
                }
                // Go's single step.
                t = t.add_date(0, 0, 1, zone);
                // v3's fix for zones where midnight does not exist (São Paulo):
                // land back on hour 0. v1 lacks it and loses those days.
                if algo != Algo::V1 && t.hour != 0 {
                    if t.hour > 12 {
                        t = t.add(i64::from(24 - t.hour) * 3600, zone);
                    } else {
                        t = t.add(-i64::from(t.hour) * 3600, zone);
                    }
                }
                if t.day == 1 {
                    continue 'wrap;
                }
                if day_matches(spec, t.year, t.month, t.day, t.weekday) {
                    break;
                }
            }
        }

        if !bit(spec.hour, t.hour) {
            if !added {
                added = true;
                t = GoTime::date(
                    t.year,
                    i64::from(t.month),
                    i64::from(t.day),
                    i64::from(t.hour),
                    0,
                    0,
                    zone,
                );
            }
            loop {
                if !tick() {
                    return None;
                }
                let delta = match next_bit_above(spec.hour, t.hour, 23) {
                    Some(h) => h - t.hour,
                    None => 24 - t.hour,
                };
                let cand = t.unix + i64::from(delta) * 3600;
                if t.same_span(cand) {
                    // No offset change: Go's steps would pass only
                    // non-matching hours and end here.
                    t = t.add(i64::from(delta) * 3600, zone);
                    if t.hour == 0 {
                        continue 'wrap;
                    }
                    break;
                }
                let prev = t;
                // One absolute hour (the Lord_Howe quirks come from here).
                t = t.add(3600, zone);
                // go-cron (ISC rule): if the clock jumped over a matching
                // hour, run at the end of the gap.
                if algo == Algo::GoCron && t.hour == prev.hour + 2 && bit(spec.hour, t.hour - 1) {
                    break;
                }
                if t.hour == 0 {
                    continue 'wrap;
                }
                if bit(spec.hour, t.hour) {
                    break;
                }
            }
        }

        if !bit(spec.minute, t.minute) {
            if !added {
                added = true;
                t = t.truncate_minute(zone);
            }
            loop {
                if !tick() {
                    return None;
                }
                let delta = match next_bit_above(spec.minute, t.minute, 59) {
                    Some(m) => m - t.minute,
                    None => 60 - t.minute,
                };
                let cand = t.unix + i64::from(delta) * 60;
                t = if t.same_span(cand) {
                    t.add(i64::from(delta) * 60, zone)
                } else {
                    t.add(60, zone)
                };
                if t.minute == 0 {
                    continue 'wrap;
                }
                if bit(spec.minute, t.minute) {
                    break;
                }
            }
        }

        if !bit(spec.second, t.second) {
            // (Truncate(time.Second) is a no-op: t is on a whole second.)
            added = true;
            loop {
                if !tick() {
                    return None;
                }
                let delta = match next_bit_above(spec.second, t.second, 59) {
                    Some(x) => x - t.second,
                    None => 60 - t.second,
                };
                let cand = t.unix + i64::from(delta);
                t = if t.same_span(cand) {
                    t.add(i64::from(delta), zone)
                } else {
                    t.add(1, zone)
                };
                if t.second == 0 {
                    continue 'wrap;
                }
                if bit(spec.second, t.second) {
                    break;
                }
            }
        }
        let _ = added;
        return Some(t);
    }
}
