//! The three parsers, each a port of its library's (error texts included):
//! robfig/cron v1.2.0 `cron.Parse` (ofelia-0.3), robfig/cron v3.0.1 with
//! SecondOptional|…|Descriptor (ofelia-0.4), netresearch/go-cron's
//! `FullParser()` (netresearch).

use std::str::FromStr;

use chrono_tz::Tz;

use super::duration::{go_quote, parse_go_duration};
use super::Flavor;

/// Set in a field's bits when robfig's star rule applies (see `star_item`).
pub(crate) const STAR: u64 = 1 << 63;

/// go-cron's day-of-month extensions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DomExt {
    /// `L`
    Last,
    /// `L-n`
    LastOffset(u32),
    /// `LW`
    LastWeekday,
    /// `nW`
    NearestWeekday(u32),
}

/// go-cron's `d#n` (n = 1..5) and `d#L` (n = -1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct DowExt {
    pub weekday: u32,
    pub nth: i32,
}

/// A year range `start-end/step` (go-cron), kept as ranges: `1-2147483647`
/// is valid and must not become a two-billion-entry set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct YearRange {
    pub start: i64,
    pub end: i64,
    pub step: i64,
}

/// A parsed cron line, as robfig's `SpecSchedule` (plus go-cron's extras).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Spec {
    pub second: u64,
    pub minute: u64,
    pub hour: u64,
    pub dom: u64,
    pub month: u64,
    pub dow: u64,
    pub dom_ext: Vec<DomExt>,
    pub dow_ext: Vec<DowExt>,
    /// None = any year.
    pub years: Option<Vec<YearRange>>,
    /// go-cron (DowOrDom off): day fields always AND.
    pub days_and: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Kind {
    Spec(Box<Spec>),
    /// `@every`: the delay in whole seconds (≥ 1).
    Every(u64),
    /// go-cron's `@triggered`, `@manual`, `@none`.
    Never,
}

/// Everything the parser learnt, for evaluation, descriptions and warnings.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Parsed {
    pub kind: Kind,
    /// `TZ=`/`CRON_TZ=` zone (None: the scheduler's zone, also for `TZ=Local`).
    pub location: Option<Tz>,
    pub tz_name: Option<String>,
    /// The descriptor used (`@daily`…), if any.
    pub descriptor: Option<String>,
    /// Number of cron fields written (5, 6 or 7), 0 for descriptors.
    pub field_count: usize,
    /// The `@every` duration as written, in nanoseconds (before rounding).
    pub every_raw_ns: Option<i64>,
    /// The field texts (sec, min, hour, dom, month, dow[, year]) after filling defaults.
    pub fields: Vec<String>,
}

/// Which library's rules and wording apply.
#[derive(Clone, Copy)]
struct Dialect {
    v1: bool,
    nr: bool,
}

impl Dialect {
    fn of(f: Flavor) -> Dialect {
        Dialect {
            v1: f == Flavor::Ofelia03,
            nr: f == Flavor::Netresearch,
        }
    }

    /// robfig v1 capitalises its messages; v3 and go-cron don't.
    fn msg(self, s: String) -> String {
        if self.v1 {
            let mut c = s.chars();
            match c.next() {
                Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
                None => s,
            }
        } else {
            s
        }
    }

    /// go-cron quotes the offending text (`%q`); robfig doesn't (`%s`).
    fn q(self, s: &str) -> String {
        if self.nr {
            go_quote(s)
        } else {
            s.to_string()
        }
    }
}

#[derive(Clone, Copy)]
struct Bounds {
    min: u64,
    max: u64,
    names: &'static [(&'static str, u64)],
}

const SECONDS: Bounds = Bounds {
    min: 0,
    max: 59,
    names: &[],
};
const MINUTES: Bounds = Bounds {
    min: 0,
    max: 59,
    names: &[],
};
const HOURS: Bounds = Bounds {
    min: 0,
    max: 23,
    names: &[],
};
const DOM: Bounds = Bounds {
    min: 1,
    max: 31,
    names: &[],
};
const MONTH_NAMES: &[(&str, u64)] = &[
    ("jan", 1),
    ("feb", 2),
    ("mar", 3),
    ("apr", 4),
    ("may", 5),
    ("jun", 6),
    ("jul", 7),
    ("aug", 8),
    ("sep", 9),
    ("oct", 10),
    ("nov", 11),
    ("dec", 12),
];
const DOW_NAMES: &[(&str, u64)] = &[
    ("sun", 0),
    ("mon", 1),
    ("tue", 2),
    ("wed", 3),
    ("thu", 4),
    ("fri", 5),
    ("sat", 6),
];
const MONTHS: Bounds = Bounds {
    min: 1,
    max: 12,
    names: MONTH_NAMES,
};
/// robfig: 0-6. go-cron: 0-7 (7 = Sunday, folded onto 0 after parsing).
const DOW_ROBFIG: Bounds = Bounds {
    min: 0,
    max: 6,
    names: DOW_NAMES,
};
const DOW_GOCRON: Bounds = Bounds {
    min: 0,
    max: 7,
    names: DOW_NAMES,
};

/// Go's `strconv.Atoi`, with its error text.
fn atoi(s: &str) -> Result<i64, String> {
    let syntax = || format!("strconv.Atoi: parsing {}: invalid syntax", go_quote(s));
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(syntax());
    }
    s.parse::<i64>()
        .map_err(|_| format!("strconv.Atoi: parsing {}: value out of range", go_quote(s)))
}

/// robfig's `mustParseInt`: an int ≥ 0.
fn must_parse_int(d: Dialect, expr: &str) -> Result<u64, String> {
    let n =
        atoi(expr).map_err(|e| d.msg(format!("failed to parse int from {}: {e}", d.q(expr))))?;
    if n < 0 {
        return Err(d.msg(format!("negative number ({n}) not allowed: {}", d.q(expr))));
    }
    Ok(n as u64)
}

fn parse_int_or_name(d: Dialect, expr: &str, b: Bounds) -> Result<u64, String> {
    if !b.names.is_empty() && !expr.starts_with(|c: char| c.is_ascii_digit()) {
        // Go's strings.ToLower: full Unicode lowering, then an exact match.
        let lower = expr.to_lowercase();
        if let Some((_, v)) = b.names.iter().find(|(n, _)| *n == lower) {
            return Ok(*v);
        }
    }
    must_parse_int(d, expr)
}

/// Bits `low..=high` every `step` (Go shifts past 63 give 0).
fn get_bits(low: u64, high: u64, step: u64) -> u64 {
    let mut bits = 0u64;
    let mut i = low;
    while i <= high && i < 64 {
        bits |= 1 << i;
        i = match i.checked_add(step) {
            Some(n) => n,
            None => break,
        };
    }
    bits
}

/// `s.split(sep)` without allocating: the first three parts and the count.
fn split3(s: &str, sep: char) -> ([&str; 3], usize) {
    let mut parts = [""; 3];
    let mut n = 0;
    for p in s.split(sep) {
        if n < 3 {
            parts[n] = p;
        }
        n += 1;
    }
    (parts, n)
}

/// One comma-separated item: `*`, `?`, `a`, `a-b`, each with `/step`.
fn get_range(d: Dialect, expr: &str, b: Bounds) -> Result<u64, String> {
    if d.nr && expr.starts_with('H') {
        // go-cron's Hash option is on but Ofelia gives it no key.
        return Err("h expressions require a hash key: use ParseWithHashKey or WithHashKey".into());
    }
    let (range_and_step, rs_len) = split3(expr, '/');
    let (low_and_high, lh_len) = split3(range_and_step[0], '-');
    let single = lh_len == 1;
    let (start, mut end, mut extra);
    if low_and_high[0] == "*" || low_and_high[0] == "?" {
        // robfig ignores anything after `*-`: `*-5` is `*`.
        start = b.min;
        end = b.max;
        extra = STAR;
    } else {
        start = parse_int_or_name(d, low_and_high[0], b)?;
        extra = 0;
        match lh_len {
            1 => end = start,
            2 => end = parse_int_or_name(d, low_and_high[1], b)?,
            _ => {
                let shown = if d.nr { range_and_step[0] } else { expr };
                return Err(d.msg(format!("too many hyphens: {}", d.q(shown))));
            }
        }
    }
    let step = match rs_len {
        1 => 1,
        2 => {
            let step = must_parse_int(d, range_and_step[1])?;
            // "N/step" means "N-max/step".
            if single {
                end = b.max;
            }
            // v3 and go-cron drop the star bit for `*/n` with n > 1; v1 keeps it,
            // so in v1 `*/2` in a day field still makes the day fields AND.
            if step > 1 && !d.v1 {
                extra = 0;
            }
            step
        }
        _ => return Err(d.msg(format!("too many slashes: {}", d.q(expr)))),
    };
    if start < b.min {
        return Err(d.msg(format!(
            "beginning of range ({start}) below minimum ({}): {}",
            b.min,
            d.q(expr)
        )));
    }
    if end > b.max {
        return Err(d.msg(format!(
            "end of range ({end}) above maximum ({}): {}",
            b.max,
            d.q(expr)
        )));
    }
    if start > end && !d.nr {
        return Err(d.msg(format!(
            "beginning of range ({start}) beyond end of range ({end}): {}",
            d.q(expr)
        )));
    }
    if step == 0 {
        let word = if d.nr { "must be" } else { "should be" };
        return Err(d.msg(format!(
            "step of range {word} a positive number: {}",
            d.q(expr)
        )));
    }
    if d.nr {
        // go-cron: a step must be smaller than its range; ranges may wrap
        // (22-2). Its arithmetic is unsigned and wraps, which we copy: a
        // start above the maximum (`25-5` in hours) wraps into the field.
        let size = if start > end {
            (b.max.wrapping_sub(start).wrapping_add(1))
                .wrapping_add(end.wrapping_sub(b.min).wrapping_add(1))
        } else {
            end - start + 1
        };
        if step > 1 && step >= size {
            return Err(format!(
                "step ({step}) must be less than range size ({size}): {}",
                go_quote(expr)
            ));
        }
        if start > end {
            let field = b.max - b.min + 1;
            let ext = end + field;
            let mut bits = 0u64;
            let mut i = start;
            while i <= ext {
                let v = if i > b.max {
                    (i - b.min) % field + b.min
                } else {
                    i
                };
                bits |= 1 << v;
                i = match i.checked_add(step) {
                    Some(n) => n,
                    None => break,
                };
            }
            return Ok(bits | extra);
        }
    }
    Ok(get_bits(start, end, step) | extra)
}

/// A whole field: items separated by commas; empty items are dropped.
fn get_field(d: Dialect, field: &str, b: Bounds) -> Result<u64, String> {
    let mut bits = 0;
    for item in field.split(',').filter(|s| !s.is_empty()) {
        bits |= get_range(d, item, b)?;
    }
    Ok(bits)
}

/// Names the field in an error: the libraries' messages don't.
fn in_field(field: &'static str, allowed: &'static str) -> impl Fn(String) -> String {
    move |e| format!("{e} (in the {field} field; allowed: {allowed})")
}

const F_SEC: (&str, &str) = ("seconds", "0-59");
const F_MIN: (&str, &str) = ("minutes", "0-59");
const F_HOUR: (&str, &str) = ("hours", "0-23");
const F_DOM: (&str, &str) = ("day-of-month", "1-31");
const F_MONTH: (&str, &str) = ("month", "1-12 or JAN-DEC");
const F_DOW_ROBFIG: (&str, &str) = ("day-of-week", "0-6 or SUN-SAT, 0 = Sunday");

fn field(
    d: Dialect,
    text: &str,
    b: Bounds,
    f: (&'static str, &'static str),
) -> Result<u64, String> {
    get_field(d, text, b).map_err(in_field(f.0, f.1))
}

/// Fills one of robfig's descriptor schedules.
fn descriptor_spec(name: &str, nr: bool) -> Option<Spec> {
    let all_dow = 0b111_1111 | STAR;
    let all_dom = get_bits(1, 31, 1) | STAR;
    let all_month = get_bits(1, 12, 1) | STAR;
    let base = Spec {
        second: 1,
        minute: 1,
        hour: 1,
        dom: 1 << 1,
        month: 1 << 1,
        dow: all_dow,
        dom_ext: vec![],
        dow_ext: vec![],
        years: None,
        days_and: nr,
    };
    Some(match name {
        "@yearly" | "@annually" => base,
        "@monthly" => Spec {
            month: all_month,
            ..base
        },
        "@weekly" => Spec {
            dom: all_dom,
            month: all_month,
            dow: 1,
            ..base
        },
        "@daily" | "@midnight" => Spec {
            dom: all_dom,
            month: all_month,
            ..base
        },
        "@hourly" => Spec {
            hour: get_bits(0, 23, 1) | STAR,
            dom: all_dom,
            month: all_month,
            ..base
        },
        _ => return None,
    })
}

/// Loads a zone as Go's `time.LoadLocation` would ("" and "UTC" are UTC,
/// "Local" is the scheduler's zone, reported as Ok(None)).
fn load_location(name: &str) -> Result<Option<Tz>, String> {
    match name {
        "" | "UTC" => Ok(Some(Tz::UTC)),
        "Local" => Ok(None),
        _ => {
            if name.contains("..") || name.starts_with('/') || name.starts_with('\\') {
                return Err("time: invalid location name".into());
            }
            Tz::from_str(name)
                .map(Some)
                .map_err(|_| format!("unknown time zone {name}"))
        }
    }
}

fn empty_parsed(kind: Kind) -> Parsed {
    Parsed {
        kind,
        location: None,
        tz_name: None,
        descriptor: None,
        field_count: 0,
        every_raw_ns: None,
        fields: vec![],
    }
}

fn parse_descriptor(d: Dialect, spec: &str) -> Result<Parsed, String> {
    if let Some(s) = descriptor_spec(spec, d.nr) {
        let mut p = empty_parsed(Kind::Spec(Box::new(s)));
        p.descriptor = Some(spec.to_string());
        return Ok(p);
    }
    if d.nr && matches!(spec, "@triggered" | "@manual" | "@none") {
        let mut p = empty_parsed(Kind::Never);
        p.descriptor = Some(spec.to_string());
        return Ok(p);
    }
    if let Some(rest) = spec.strip_prefix("@every ") {
        let ns = parse_go_duration(rest)
            .map_err(|e| d.msg(format!("failed to parse duration {}: {e}", d.q(spec))))?;
        if d.nr && ns < 1_000_000_000 {
            return Err(format!(
                "@every duration must be at least 1s: {}",
                go_quote(spec)
            ));
        }
        // robfig's Every: below 1s becomes 1s, then truncated to whole seconds.
        let secs = if ns < 1_000_000_000 {
            1
        } else {
            (ns / 1_000_000_000) as u64
        };
        let mut p = empty_parsed(Kind::Every(secs));
        p.descriptor = Some("@every".into());
        p.every_raw_ns = Some(ns);
        return Ok(p);
    }
    Err(d.msg(format!("unrecognized descriptor: {}", d.q(spec))))
}

/// Parses `expr` exactly as `flavor`'s library does.
pub(crate) fn parse(expr: &str, flavor: Flavor) -> Result<Parsed, String> {
    match flavor {
        Flavor::Ofelia03 => parse_v1(expr),
        Flavor::Ofelia04 => parse_v3(expr),
        Flavor::Netresearch => parse_gocron(expr),
    }
}

fn parse_v1(spec: &str) -> Result<Parsed, String> {
    let d = Dialect::of(Flavor::Ofelia03);
    if spec.is_empty() {
        return Err("Empty spec string".into());
    }
    if spec.starts_with('@') {
        return parse_descriptor(d, spec);
    }
    let fields: Vec<&str> = spec.split_whitespace().collect();
    let n = fields.len();
    if !(5..=6).contains(&n) {
        return Err(format!("Expected 5 to 6 fields, found {n}: {spec}"));
    }
    // v1: 5 fields are sec min hour dom month; day of week defaults to *.
    let mut f: Vec<String> = fields.iter().map(|s| s.to_string()).collect();
    if n == 5 {
        f.push("*".into());
    }
    robfig_spec(d, f, n)
}

/// robfig's six fields (second first, already normalised from 5), as v1 and
/// v3 both parse them; `n` is the count the user wrote.
fn robfig_spec(d: Dialect, f: Vec<String>, n: usize) -> Result<Parsed, String> {
    let spec = Spec {
        second: field(d, &f[0], SECONDS, F_SEC)?,
        minute: field(d, &f[1], MINUTES, F_MIN)?,
        hour: field(d, &f[2], HOURS, F_HOUR)?,
        dom: field(d, &f[3], DOM, F_DOM)?,
        month: field(d, &f[4], MONTHS, F_MONTH)?,
        dow: field(d, &f[5], DOW_ROBFIG, F_DOW_ROBFIG)?,
        dom_ext: vec![],
        dow_ext: vec![],
        years: None,
        days_and: false,
    };
    let mut p = empty_parsed(Kind::Spec(Box::new(spec)));
    p.field_count = n;
    p.fields = f;
    Ok(p)
}

/// The panic robfig/cron v3 hits on `TZ=Zone` with nothing after it.
pub(crate) fn tz_panic_message(spec: &str) -> String {
    format!(
        "{spec:?} has a time zone but no schedule after it: robfig/cron v3 panics on this \
         (slice bounds out of range), which crashes Ofelia 0.4; add the fields after a space"
    )
}

fn parse_v3(spec: &str) -> Result<Parsed, String> {
    let d = Dialect::of(Flavor::Ofelia04);
    if spec.is_empty() {
        return Err("empty spec string".into());
    }
    let mut spec = spec;
    let mut location = None;
    let mut tz_name = None;
    if spec.starts_with("TZ=") || spec.starts_with("CRON_TZ=") {
        let Some(i) = spec.find(' ') else {
            return Err(tz_panic_message(spec));
        };
        let eq = spec.find('=').unwrap_or(0);
        let name = &spec[eq + 1..i];
        location = load_location(name).map_err(|e| format!("provided bad location {name}: {e}"))?;
        tz_name = Some(name.to_string());
        spec = spec[i..].trim();
    }
    let mut p = if spec.starts_with('@') {
        parse_descriptor(d, spec)?
    } else {
        let fields: Vec<&str> = spec.split_whitespace().collect();
        let n = fields.len();
        if !(5..=6).contains(&n) {
            return Err(format!(
                "expected 5 to 6 fields, found {n}: [{}]",
                fields.join(" ")
            ));
        }
        let mut f: Vec<String> = fields.iter().map(|s| s.to_string()).collect();
        if n == 5 {
            f.insert(0, "0".into());
        }
        robfig_spec(d, f, n)?
    };
    p.location = location;
    p.tz_name = tz_name;
    Ok(p)
}

/// go-cron's `looksLikeYear`: some number ≥ 100 among the parts.
fn looks_like_year(field: &str) -> bool {
    if field == "*" || field == "?" {
        return false;
    }
    field
        .split([',', '-', '/'])
        .filter(|s| !s.is_empty())
        .any(|p| atoi(p).is_ok_and(|y| y >= 100))
}

fn gocron_dom(d: Dialect, field: &str) -> Result<(u64, Vec<DomExt>), String> {
    let upper = field.to_uppercase();
    if !upper.contains('L') && !upper.contains('W') {
        return Ok((get_field(d, field, DOM)?, vec![]));
    }
    let mut bits = 0;
    let mut ext = vec![];
    for item in field.split(',').filter(|s| !s.is_empty()) {
        let up = item.to_uppercase();
        if up.starts_with('L') {
            if up == "L" {
                ext.push(DomExt::Last);
            } else if up == "LW" {
                ext.push(DomExt::LastWeekday);
            } else if up.starts_with("L-") {
                let n = must_parse_int(d, &item[2..])
                    .map_err(|e| format!("invalid offset in {}: {e}", go_quote(item)))?;
                if !(1..=30).contains(&n) {
                    return Err(format!(
                        "offset must be 1-30, got {n} in {}",
                        go_quote(item)
                    ));
                }
                ext.push(DomExt::LastOffset(n as u32));
            } else {
                return Err(format!("invalid L expression: {}", go_quote(item)));
            }
        } else if up.ends_with('W') {
            let n = must_parse_int(d, &up[..up.len() - 1])
                .map_err(|e| format!("invalid day in {}: {e}", go_quote(item)))?;
            if !(1..=31).contains(&n) {
                return Err(format!("day must be 1-31, got {n} in {}", go_quote(item)));
            }
            ext.push(DomExt::NearestWeekday(n as u32));
        } else if up.contains('W') {
            return Err(format!(
                "extended syntax W requires DomW option: {}",
                go_quote(item)
            ));
        } else {
            bits |= get_range(d, item, DOM)?;
        }
    }
    Ok((bits, ext))
}

fn gocron_dow(d: Dialect, field: &str) -> Result<(u64, Vec<DowExt>), String> {
    let mut bits = 0;
    let mut ext = vec![];
    for item in field.split(',').filter(|s| !s.is_empty()) {
        if let Some(idx) = item.find('#') {
            let (wd, nth) = (&item[..idx], &item[idx + 1..]);
            if wd.is_empty() {
                return Err(format!("missing weekday before '#' in {}", go_quote(item)));
            }
            if nth.is_empty() {
                return Err(format!(
                    "missing occurrence after '#' in {}",
                    go_quote(item)
                ));
            }
            let w = parse_int_or_name(d, wd, DOW_GOCRON)
                .map_err(|e| format!("invalid weekday in {}: {e}", go_quote(item)))?;
            if w > 7 {
                return Err(format!(
                    "weekday {w} out of range [0,7] in {}",
                    go_quote(item)
                ));
            }
            let n = if nth.eq_ignore_ascii_case("L") {
                -1
            } else {
                let n = must_parse_int(d, nth)
                    .map_err(|e| format!("invalid occurrence number in {}: {e}", go_quote(item)))?;
                if !(1..=5).contains(&n) {
                    return Err(format!(
                        "occurrence must be 1-5, got {n} in {}",
                        go_quote(item)
                    ));
                }
                n as i32
            };
            ext.push(DowExt {
                weekday: (w % 7) as u32,
                nth: n,
            });
        } else {
            bits |= get_range(d, item, DOW_GOCRON)?;
        }
    }
    // Sunday written as 7 is Sunday.
    if bits & (1 << 7) != 0 {
        bits = (bits | 1) & !(1 << 7);
    }
    Ok((bits, ext))
}

fn gocron_years(d: Dialect, field: &str) -> Result<Option<Vec<YearRange>>, String> {
    if field == "*" || field == "?" {
        return Ok(None);
    }
    let mut out = vec![];
    for item in field.split(',').filter(|s| !s.is_empty()) {
        let rs: Vec<&str> = item.split('/').collect();
        let lh: Vec<&str> = rs[0].split('-').collect();
        let start = must_parse_int(d, lh[0])?;
        let end = match lh.len() {
            1 => start,
            2 => must_parse_int(d, lh[1])?,
            _ => return Err(format!("too many hyphens: {}", go_quote(item))),
        };
        let step = match rs.len() {
            1 => 1,
            2 => must_parse_int(d, rs[1])?,
            _ => return Err(format!("too many slashes: {}", go_quote(item))),
        };
        const YEAR_MAX: u64 = (1 << 31) - 1;
        if start < 1 {
            return Err(format!(
                "year ({start}) below minimum (1): {}",
                go_quote(item)
            ));
        }
        if end > YEAR_MAX {
            return Err(format!(
                "year ({end}) above maximum ({YEAR_MAX}): {}",
                go_quote(item)
            ));
        }
        if start > end {
            return Err(format!(
                "beginning of range ({start}) beyond end of range ({end}): {}",
                go_quote(item)
            ));
        }
        if step == 0 {
            return Err(format!(
                "step of range must be a positive number: {}",
                go_quote(item)
            ));
        }
        out.push(YearRange {
            start: start as i64,
            end: end as i64,
            step: step.min(YEAR_MAX) as i64,
        });
    }
    Ok(Some(out))
}

fn parse_gocron(spec: &str) -> Result<Parsed, String> {
    parse_gocron_with(spec, false)
}

/// Ofelia's strict validator (`ofelia validate`, enable-strict-validation)
/// parses with the same go-cron but without YearOptional and the L/W/#
/// extensions. We run it for real: its wrap-around arithmetic accepts more
/// than one would guess (`48-12 19 7 * * 2029/4` passes, with no weekday).
pub(crate) fn gocron_strict_rejects(spec: &str) -> bool {
    parse_gocron_with(spec, true).is_err()
}

fn parse_gocron_with(spec: &str, strict: bool) -> Result<Parsed, String> {
    let d = Dialect::of(Flavor::Netresearch);
    if spec.is_empty() {
        return Err("empty spec string".into());
    }
    if spec.len() > 1024 {
        return Err(format!("spec too long: {} > 1024", spec.len()));
    }
    let mut spec = spec;
    let mut location = None;
    let mut tz_name = None;
    if spec.starts_with("TZ=") || spec.starts_with("CRON_TZ=") {
        let Some(i) = spec.find(' ') else {
            return Err(format!(
                "missing fields after timezone in spec {}",
                go_quote(spec)
            ));
        };
        let eq = spec.find('=').unwrap_or(0);
        let mut name = &spec[eq + 1..i];
        // Matching quotes around the zone are stripped: TZ="Europe/Berlin".
        for q in ['"', '\''] {
            if name.len() >= 2 && name.starts_with(q) && name.ends_with(q) {
                name = &name[1..name.len() - 1];
            }
        }
        if name.is_empty() {
            return Err(format!(
                "invalid timezone {}: empty timezone string",
                go_quote(name)
            ));
        }
        if name.len() > 64 {
            return Err(format!(
                "invalid timezone {}: timezone string too long (max 64 chars)",
                go_quote(name)
            ));
        }
        if let Some((pos, c)) = name
            .char_indices()
            .find(|(_, c)| !(c.is_ascii_alphanumeric() || "/_-+:".contains(*c)))
        {
            return Err(format!(
                "invalid timezone {}: invalid character '{}' at position {pos} in timezone",
                go_quote(name),
                c.escape_default()
            ));
        }
        location = load_location(name)
            .map_err(|e| format!("unknown time zone {}: {e}", go_quote(name)))?;
        tz_name = Some(name.to_string());
        let rest = spec[i..].trim();
        if rest.is_empty() {
            return Err(format!("missing fields after timezone {}", go_quote(name)));
        }
        spec = rest;
    }
    if spec.starts_with('@') {
        let mut p = parse_descriptor(d, spec)?;
        p.location = location;
        p.tz_name = tz_name;
        return Ok(p);
    }
    let mut fields: Vec<&str> = spec.split_whitespace().collect();
    let n = fields.len();
    if strict && !(5..=6).contains(&n) {
        return Err(format!(
            "expected 5 to 6 fields, found {n}: [{}]",
            fields.join(" ")
        ));
    }
    if !(5..=7).contains(&n) {
        return Err(format!(
            "expected 5 to 7 fields, found {n}: [{}]",
            fields.join(" ")
        ));
    }
    // YearOptional: the last field is a year only if it holds a number ≥ 100.
    let mut year_field = "*";
    let last = fields[n - 1];
    if n == 7 {
        if !looks_like_year(last) {
            return Err(format!(
                "last field {} does not appear to be a year (expected value >= 100)",
                go_quote(last)
            ));
        }
        year_field = last;
        fields.pop();
    } else if n == 6 && !strict && looks_like_year(last) {
        year_field = last;
        fields.pop();
    }
    let mut f: Vec<String> = fields.iter().map(|s| s.to_string()).collect();
    if f.len() == 5 {
        f.insert(0, "0".into());
    }
    let second = field(d, &f[0], SECONDS, F_SEC)?;
    let minute = field(d, &f[1], MINUTES, F_MIN)?;
    let hour = field(d, &f[2], HOURS, F_HOUR)?;
    let month = field(d, &f[4], MONTHS, F_MONTH)?;
    if strict && (f[3].to_uppercase().contains(['L', 'W']) || f[5].contains('#')) {
        return Err("extended syntax (L, W, #) is not enabled".into());
    }
    let (dom, dom_ext) =
        gocron_dom(d, &f[3]).map_err(in_field("day-of-month", "1-31, L, L-n, LW, nW"))?;
    let (dow, dow_ext) = gocron_dow(d, &f[5]).map_err(in_field(
        "day-of-week",
        "0-7 or SUN-SAT (0 and 7 = Sunday), d#n, d#L",
    ))?;
    let years = gocron_years(d, year_field).map_err(in_field("year", "1-2147483647"))?;
    let spec = Spec {
        second,
        minute,
        hour,
        dom,
        month,
        dow,
        dom_ext,
        dow_ext,
        years,
        days_and: true,
    };
    if year_field != "*" {
        f.push(year_field.to_string());
    }
    let mut p = empty_parsed(Kind::Spec(Box::new(spec)));
    p.field_count = n;
    p.fields = f;
    p.location = location;
    p.tz_name = tz_name;
    Ok(p)
}
