//! Plain-English descriptions, written from the parsed fields so that they
//! say what the flavour's library will do (robfig's OR rule, go-cron's AND,
//! v1's star bit on `*/n`, L/W/#, years, `TZ=`).

use super::duration::go_duration_string;
use super::parse::{DomExt, Kind, Spec, STAR};
use super::Schedule;

const WEEKDAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];
const MONTHS: [&str; 13] = [
    "",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn values(bits: u64, min: u32, max: u32) -> Vec<u32> {
    (min..=max).filter(|v| bits & (1u64 << v) != 0).collect()
}

/// "a, b and c".
fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// Values as a compact list: runs of 3 or more become "a-b".
fn compact(vals: &[u32], name: &dyn Fn(u32) -> String) -> String {
    let mut items = vec![];
    let mut i = 0;
    while i < vals.len() {
        let mut j = i;
        while j + 1 < vals.len() && vals[j + 1] == vals[j] + 1 {
            j += 1;
        }
        if j >= i + 2 {
            items.push(format!("{} to {}", name(vals[i]), name(vals[j])));
        } else {
            for v in &vals[i..=j] {
                items.push(name(*v));
            }
        }
        i = j + 1;
    }
    join_and(&items)
}

/// `every N <unit>s` when the values are an arithmetic progression that
/// runs to the end of the field.
fn step_phrase(vals: &[u32], min: u32, max: u32, unit: &str) -> Option<String> {
    if vals.len() < 2 {
        return None;
    }
    let d = vals[1] - vals[0];
    if d < 2 || vals.windows(2).any(|w| w[1] - w[0] != d) || vals[vals.len() - 1] + d <= max {
        return None;
    }
    Some(if vals[0] == min {
        format!("every {d} {unit}s")
    } else {
        format!("every {d} {unit}s from {unit} {}", vals[0])
    })
}

fn num(v: u32) -> String {
    v.to_string()
}

fn seconds_phrase(vals: &[u32]) -> String {
    if vals.len() == 60 {
        "every second".into()
    } else if let Some(p) = step_phrase(vals, 0, 59, "second") {
        p
    } else if vals.len() == 1 {
        format!("at second {}", vals[0])
    } else {
        format!("at seconds {}", compact(vals, &num))
    }
}

fn minutes_phrase(vals: &[u32]) -> String {
    if vals.len() == 60 {
        "every minute".into()
    } else if let Some(p) = step_phrase(vals, 0, 59, "minute") {
        p
    } else if vals.len() == 1 {
        format!("at minute {}", vals[0])
    } else {
        format!("at minutes {}", compact(vals, &num))
    }
}

fn hours_phrase(vals: &[u32]) -> Option<String> {
    if vals.len() == 24 {
        None
    } else if let Some(p) = step_phrase(vals, 0, 23, "hour") {
        Some(p)
    } else if vals.len() == 1 {
        Some(format!("during hour {:02}", vals[0]))
    } else {
        Some(format!(
            "during hours {}",
            compact(vals, &|h| format!("{h:02}"))
        ))
    }
}

fn time_phrase(spec: &Spec) -> String {
    let s = values(spec.second, 0, 59);
    let m = values(spec.minute, 0, 59);
    let h = values(spec.hour, 0, 23);
    if s.is_empty() || m.is_empty() || h.is_empty() {
        return "never (a time field matches nothing)".into();
    }
    if s.len() == 1 && m.len() == 1 {
        let (ss, mm) = (s[0], m[0]);
        if h.len() <= 4 {
            let times: Vec<String> = h
                .iter()
                .map(|h| format!("{h:02}:{mm:02}:{ss:02}"))
                .collect();
            return format!("at {}", join_and(&times));
        }
        if h.len() == 24 {
            return format!("every hour at {mm:02}:{ss:02} past the hour");
        }
        let hours = hours_phrase(&h).unwrap_or_default();
        return format!("at {mm:02}:{ss:02} past the hour, {hours}");
    }
    let mut parts = vec![];
    if s.len() == 1 {
        parts.push(minutes_phrase(&m));
        if s[0] != 0 {
            parts.push(format!("at second {}", s[0]));
        }
    } else {
        parts.push(seconds_phrase(&s));
        if m.len() != 60 {
            let mp = minutes_phrase(&m);
            parts.push(
                mp.replacen("at minute", "of minute", 1)
                    .replacen("every", "of every", 1),
            );
        }
    }
    if let Some(hp) = hours_phrase(&h) {
        parts.push(hp);
    }
    parts.join(", ")
}

fn ordinal(n: i32) -> &'static str {
    match n {
        1 => "first",
        2 => "second",
        3 => "third",
        4 => "fourth",
        5 => "fifth",
        _ => "last",
    }
}

/// The day-of-month items: ("day 1 to 7 of the month", "the last day of the month"…).
fn dom_items(spec: &Spec, restricted: bool) -> Vec<String> {
    let mut items = vec![];
    let days = values(spec.dom, 1, 31);
    if restricted && !days.is_empty() {
        let word = if days.len() == 1 { "day" } else { "days" };
        items.push(format!("{word} {} of the month", compact(&days, &num)));
    }
    for e in &spec.dom_ext {
        items.push(match *e {
            DomExt::Last => "the last day of the month".into(),
            DomExt::LastOffset(n) => {
                format!(
                    "{n} day{} before the last day of the month",
                    if n == 1 { "" } else { "s" }
                )
            }
            DomExt::LastWeekday => "the last weekday (Monday to Friday) of the month".into(),
            DomExt::NearestWeekday(n) => format!("the weekday nearest day {n} of the month"),
        });
    }
    items
}

fn dow_items(spec: &Spec, restricted: bool) -> Vec<String> {
    let mut items = vec![];
    let days = values(spec.dow, 0, 6);
    if restricted && !days.is_empty() {
        items.push(compact(&days, &|d| WEEKDAYS[d as usize].to_string()));
    }
    for e in &spec.dow_ext {
        items.push(format!(
            "the {} {} of the month",
            ordinal(e.nth),
            WEEKDAYS[e.weekday as usize % 7]
        ));
    }
    items
}

fn day_phrase(spec: &Spec) -> String {
    let dom_all = spec.dom & !STAR == (((1u64 << 32) - 1) & !1) && spec.dom_ext.is_empty();
    let dow_all = spec.dow & 0x7f == 0x7f && spec.dow_ext.is_empty();
    let dom_restricted = spec.dom & !STAR != (((1u64 << 32) - 1) & !1);
    let dow_restricted = spec.dow & 0x7f != 0x7f;
    let and = spec.days_and || spec.dom & STAR != 0 || spec.dow & STAR != 0;
    let dom = dom_items(spec, dom_restricted);
    let dow = dow_items(spec, dow_restricted);
    if and {
        match (dom.is_empty(), dow.is_empty()) {
            (true, true) if dom_all && dow_all => "every day".into(),
            (true, true) => "on no day (the day fields match nothing)".into(),
            (false, true) => format!("on {}", join_and(&dom)),
            (true, false) => format!("only on {}", join_and(&dow)),
            (false, false) => format!(
                "on {}, only if it is {}",
                join_and(&dom),
                join_and(&dow).replace(" and ", " or ")
            ),
        }
    } else {
        // robfig: neither day field is a star, so a day matches either.
        if dom_all || dow_all {
            return "every day".into();
        }
        let mut parts = vec![];
        if !dom.is_empty() {
            parts.push(format!("on {}", join_and(&dom)));
        }
        if !dow.is_empty() {
            parts.push(format!("on every {}", join_and(&dow)));
        }
        if parts.is_empty() {
            return "on no day (the day fields match nothing)".into();
        }
        parts.join(" and ")
    }
}

fn month_phrase(spec: &Spec) -> Option<String> {
    let months = values(spec.month, 1, 12);
    if months.len() == 12 {
        return None;
    }
    if months.is_empty() {
        return Some("in no month (the month field matches nothing)".into());
    }
    Some(format!(
        "in {}",
        compact(&months, &|m| MONTHS[m as usize].to_string())
    ))
}

fn year_phrase(spec: &Spec) -> Option<String> {
    let ranges = spec.years.as_ref()?;
    let items: Vec<String> = ranges
        .iter()
        .map(|r| {
            if r.start == r.end {
                r.start.to_string()
            } else if r.step == 1 {
                format!("{} to {}", r.start, r.end)
            } else {
                format!("every {} years from {} to {}", r.step, r.start, r.end)
            }
        })
        .collect();
    Some(format!("in {}", join_and(&items)))
}

/// "1 h 30 min", "90 s" → "1 min 30 s".
fn human_secs(secs: u64) -> String {
    let (d, h, m, s) = (
        secs / 86_400,
        (secs % 86_400) / 3600,
        (secs % 3600) / 60,
        secs % 60,
    );
    let mut parts = vec![];
    if d > 0 {
        parts.push(format!("{d} day{}", if d == 1 { "" } else { "s" }));
    }
    if h > 0 {
        parts.push(format!("{h} h"));
    }
    if m > 0 {
        parts.push(format!("{m} min"));
    }
    if s > 0 || parts.is_empty() {
        parts.push(format!("{s} s"));
    }
    parts.join(" ")
}

pub(crate) fn describe(s: &Schedule) -> String {
    let p = &s.parsed;
    let text = match &p.kind {
        Kind::Never => format!(
            "never on its own: {} jobs run only when triggered (e.g. `ofelia run`)",
            p.descriptor.as_deref().unwrap_or("@manual")
        ),
        Kind::Every(secs) => {
            let mut t = format!(
                "every {} ({}), counted from the scheduler's start, not aligned to the clock",
                human_secs(*secs),
                go_duration_string(*secs)
            );
            if let Some(ns) = p.every_raw_ns {
                if ns < 1_000_000_000 {
                    t.push_str("; durations below 1 s run every second");
                } else if ns % 1_000_000_000 != 0 {
                    t.push_str("; the fraction of a second is dropped");
                }
            }
            t
        }
        Kind::Spec(spec) => {
            let mut parts = vec![time_phrase(spec), day_phrase(spec)];
            parts.extend(month_phrase(spec));
            parts.extend(year_phrase(spec));
            parts.join(", ")
        }
    };
    match (&p.tz_name, &p.kind) {
        (Some(name), Kind::Spec(_)) => format!(
            "{text} ({} time)",
            if name.is_empty() { "UTC" } else { name }
        ),
        (Some(name), Kind::Every(_)) => {
            format!("{text} (the TZ={name} prefix has no effect on @every)")
        }
        _ => text,
    }
}

#[cfg(test)]
mod tests {
    use crate::schedule::{parse, Flavor};

    fn d(expr: &str, f: Flavor) -> String {
        parse(expr, f).expect("valid").describe()
    }

    #[test]
    fn descriptions_follow_each_flavour() {
        let cases = [
            ("0 0 8 * * 1", Flavor::Ofelia03, "at 08:00:00, only on Monday"),
            ("0 0 8 * * 1", Flavor::Ofelia04, "at 08:00:00, only on Monday"),
            (
                "0 0 0 1 * MON",
                Flavor::Ofelia04,
                "at 00:00:00, on day 1 of the month and on every Monday",
            ),
            (
                "0 0 1-7 * MON",
                Flavor::Netresearch,
                "at 00:00:00, on days 1 to 7 of the month, only if it is Monday",
            ),
            // v1 keeps the star bit of */2, so the day fields AND.
            (
                "0 0 0 */10 * 1",
                Flavor::Ofelia03,
                "at 00:00:00, on days 1, 11, 21 and 31 of the month, only if it is Monday",
            ),
            ("0 1 * * *", Flavor::Ofelia03, "every hour at 01:00 past the hour, every day"),
            ("0 1 * * *", Flavor::Ofelia04, "at 01:00:00, every day"),
            ("*/5 * * * * *", Flavor::Ofelia04, "every 5 seconds, every day"),
            ("0 */15 9-17 * * *", Flavor::Ofelia04, "every 15 minutes, during hours 09 to 17, every day"),
            ("@every 1h30m", Flavor::Ofelia04, "every 1 h 30 min (1h30m0s), counted from the scheduler's start, not aligned to the clock"),
            ("0 0 12 L * * 2030", Flavor::Netresearch, "at 12:00:00, on the last day of the month, in 2030"),
            ("0 0 9 * * FRI#L", Flavor::Netresearch, "at 09:00:00, only on the last Friday of the month"),
            ("TZ=Asia/Tokyo 0 9 * * *", Flavor::Ofelia04, "at 09:00:00, every day (Asia/Tokyo time)"),
        ];
        for (expr, f, want) in cases {
            assert_eq!(d(expr, f), want, "{expr} ({f})");
        }
    }
}
