//! The quirks of each library, one behaviour per test (figures from
//! robfig/cron's and go-cron's own tests and from the conformance vectors).

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::{parse, Flavor};

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .expect("RFC 3339")
        .with_timezone(&Utc)
}

/// The next `n` fire times as RFC 3339 strings in the scheduler zone.
fn next(expr: &str, f: Flavor, tz: Tz, from: &str, n: usize) -> Vec<String> {
    let s = parse(expr, f).unwrap_or_else(|e| panic!("{expr}: {e}"));
    s.upcoming(at(from), tz, n, None)
        .times
        .iter()
        .map(|t| t.with_timezone(&tz).to_rfc3339())
        .collect()
}

fn check(cases: &[(&str, Flavor, Tz, &str, &[&str])]) {
    for (expr, f, tz, from, want) in cases {
        let got = next(expr, *f, *tz, from, want.len());
        assert_eq!(got, *want, "{expr} ({f}, {tz}, from {from})");
    }
}

use chrono_tz::America::New_York;
use chrono_tz::Australia::Lord_Howe;
use chrono_tz::Europe::Berlin;
use Flavor::{Netresearch as NR, Ofelia03 as V1, Ofelia04 as V3};

#[test]
fn robfig_or_rule_fires_on_the_day_and_on_the_weekday() {
    check(&[(
        "0 0 0 1 * MON",
        V3,
        Tz::UTC,
        "2026-05-30T00:00:00Z",
        &["2026-06-01T00:00:00+00:00", "2026-06-08T00:00:00+00:00"],
    )]);
}

#[test]
fn v1_star_step_in_a_day_field_keeps_the_star_bit_so_days_and() {
    // v3 ORs (*/2 is not a star there); v1 ANDs.
    let v1 = next("0 0 0 */2 * MON", V1, Tz::UTC, "2026-06-01T00:00:00Z", 1);
    let v3 = next("0 0 0 */2 * MON", V3, Tz::UTC, "2026-06-01T00:00:00Z", 1);
    assert_eq!(v1, ["2026-06-15T00:00:00+00:00"]); // a Monday on an odd day
    assert_eq!(v3, ["2026-06-03T00:00:00+00:00"]);
}

#[test]
fn five_fields_mean_seconds_first_on_v1_and_minutes_first_on_v3() {
    check(&[
        (
            "0 1 * * *",
            V1,
            Tz::UTC,
            "2026-01-01T00:00:00Z",
            &["2026-01-01T00:01:00+00:00", "2026-01-01T01:01:00+00:00"],
        ),
        (
            "0 1 * * *",
            V3,
            Tz::UTC,
            "2026-01-01T00:00:00Z",
            &["2026-01-01T01:00:00+00:00", "2026-01-02T01:00:00+00:00"],
        ),
    ]);
}

#[test]
fn five_year_limit_means_never_again() {
    for (expr, from) in [
        ("0 0 0 30 2 *", "2025-01-01T00:00:00Z"),
        ("0 0 0 29 2 *", "2097-03-01T00:00:00Z"),
    ] {
        let s = parse(expr, V3).expect("valid");
        let up = s.upcoming(at(from), Tz::UTC, 5, None);
        assert!(up.times.is_empty() && up.exhausted, "{expr}");
    }
}

#[test]
fn dst_gap_wall_times_are_skipped_by_robfig() {
    check(&[(
        "0 30 2 * * *",
        V3,
        Berlin,
        "2025-03-29T12:00:00+01:00",
        &["2025-03-31T02:30:00+02:00"],
    )]);
}

#[test]
fn dst_overlap_fires_in_both_passes() {
    check(&[
        (
            "0 30 2 * * *",
            V3,
            Berlin,
            "2025-10-26T00:00:00+02:00",
            &["2025-10-26T02:30:00+02:00", "2025-10-26T02:30:00+01:00"],
        ),
        (
            "0 */20 1 * * *",
            V3,
            New_York,
            "2025-11-02T00:00:00-04:00",
            &[
                "2025-11-02T01:00:00-04:00",
                "2025-11-02T01:20:00-04:00",
                "2025-11-02T01:40:00-04:00",
                "2025-11-02T01:00:00-05:00",
            ],
        ),
        (
            "0 0 2 * * *",
            V3,
            Berlin,
            "2025-10-26T02:52:00+02:00",
            &["2025-10-26T02:00:00+01:00"],
        ),
    ]);
}

#[test]
fn lord_howe_half_hour_shift_reproduces_robfig_bugs() {
    // Later fixed-hour jobs are skipped on transition days.
    let t = next("0 0 3 * * *", V3, Lord_Howe, "2025-04-05T12:00:00+11:00", 1);
    assert_eq!(t, ["2025-04-07T03:00:00+10:30"]);
    let t = next("0 0 3 * * *", V3, Lord_Howe, "2025-10-04T12:00:00+10:30", 1);
    assert_eq!(t, ["2025-10-06T03:00:00+11:00"]);
    // A spurious run at 02:45 on 2025-10-05.
    let t = next(
        "0 45 1 * * *",
        V3,
        Lord_Howe,
        "2025-10-04T12:00:00+10:30",
        2,
    );
    assert_eq!(
        t,
        ["2025-10-05T01:45:00+10:30", "2025-10-05T02:45:00+11:00"]
    );
    // @monthly skips November 2028 (DST starts 2028-10-01).
    let t = next("@monthly", V3, Lord_Howe, "2028-09-15T00:00:00+10:30", 2);
    assert_eq!(
        t,
        ["2028-10-01T00:00:00+10:30", "2028-12-01T00:00:00+11:00"]
    );
}

#[test]
fn gocron_runs_gap_jobs_at_the_end_of_the_gap() {
    check(&[(
        "0 39 2 * * *",
        NR,
        New_York,
        "2025-03-08T12:00:00-05:00",
        &["2025-03-09T03:39:00-04:00", "2025-03-10T02:39:00-04:00"],
    )]);
}

#[test]
fn gocron_scheduler_drops_the_second_pass_of_a_fall_back_hour() {
    let s = parse("0 30 * * * *", NR).expect("valid");
    let up = s.upcoming(at("2026-10-25T01:00:00+02:00"), Berlin, 3, None);
    let times: Vec<String> = up.times.iter().map(|t| t.to_rfc3339()).collect();
    assert_eq!(
        times,
        [
            "2026-10-25T01:30:00+02:00",
            "2026-10-25T02:30:00+02:00",
            "2026-10-25T03:30:00+01:00"
        ]
    );
    assert_eq!(up.dropped.len(), 1);
    assert_eq!(up.dropped[0].to_rfc3339(), "2026-10-25T02:30:00+01:00");
}

#[test]
fn gocron_day_fields_and_weekday_seven_and_wrapping_ranges() {
    check(&[
        // First Monday of the month.
        (
            "0 0 1-7 * MON",
            NR,
            Tz::UTC,
            "2026-06-01T00:00:00Z",
            &["2026-07-06T00:00:00+00:00"],
        ),
        (
            "0 0 * * 7",
            NR,
            Tz::UTC,
            "2026-06-01T00:00:00Z",
            &["2026-06-07T00:00:00+00:00"],
        ),
        (
            "0 22-2 * * *",
            NR,
            Tz::UTC,
            "2026-06-01T21:00:00Z",
            &[
                "2026-06-01T22:00:00+00:00",
                "2026-06-01T23:00:00+00:00",
                "2026-06-02T00:00:00+00:00",
            ],
        ),
        (
            "0 0 12 L * *",
            NR,
            Tz::UTC,
            "2026-02-01T00:00:00Z",
            &["2026-02-28T12:00:00+00:00"],
        ),
        (
            "0 0 12 LW * *",
            NR,
            Tz::UTC,
            "2026-05-01T00:00:00Z",
            &["2026-05-29T12:00:00+00:00"],
        ),
        (
            "0 0 12 15W * *",
            NR,
            Tz::UTC,
            "2026-08-01T00:00:00Z",
            &["2026-08-14T12:00:00+00:00"],
        ),
        (
            "0 0 12 * * FRI#L",
            NR,
            Tz::UTC,
            "2026-01-01T00:00:00Z",
            &["2026-01-30T12:00:00+00:00"],
        ),
        (
            "0 0 12 * * 1#2",
            NR,
            Tz::UTC,
            "2026-01-01T00:00:00Z",
            &["2026-01-12T12:00:00+00:00"],
        ),
        // A last field ≥ 100 is a year.
        (
            "0 0 12 * * 2027",
            NR,
            Tz::UTC,
            "2026-01-01T00:00:00Z",
            &["2027-01-12T00:00:00+00:00"],
        ),
    ]);
}

#[test]
fn rejections_match_the_libraries() {
    let cases: &[(&str, Flavor, &str)] = &[
        ("0 0 * * MON", V1, "Failed to parse int from MON"),
        ("0 0 0 * * 7", V3, "end of range (7) above maximum (6)"),
        ("TZ=UTC 0 0 * * *", V1, "Failed to parse int from TZ=UTC"),
        ("TZ=Europe/Berlin", V3, "panics"),
        ("TZ=Europe/Berlin", NR, "missing fields after timezone"),
        ("@every 1d", V3, "unknown unit \"d\""),
        ("@every 500ms", NR, "at least 1s"),
        (
            "0 30 14 25 12 2025",
            NR,
            "end of range (30) above maximum (23)",
        ),
        (
            "*/60 * * * * *",
            NR,
            "step (60) must be less than range size (60)",
        ),
        ("0 0 H * * *", NR, "hash key"),
        ("@Daily", V3, "unrecognized descriptor"),
        ("", V1, "Empty spec string"),
    ];
    for (expr, f, needle) in cases {
        let e = parse(expr, *f).expect_err(expr);
        assert!(e.message.contains(needle), "{expr} ({f}): {e}");
        assert!(!e.message.contains('\n'));
    }
}

#[test]
fn every_rounds_to_whole_seconds_and_ignores_tz_prefixes() {
    assert_eq!(
        parse("@every 500ms", V3).expect("ok").every(),
        Some(std::time::Duration::from_secs(1))
    );
    assert_eq!(
        parse("@every 1.5s", V1).expect("ok").every(),
        Some(std::time::Duration::from_secs(1))
    );
    let s = parse("TZ=Asia/Tokyo @every 1h", V3).expect("ok");
    let up = s.upcoming(at("2026-01-01T10:00:00.7Z"), Tz::UTC, 1, None);
    assert_eq!(up.times[0].to_rfc3339(), "2026-01-01T11:00:00+00:00");
}

#[test]
fn never_descriptors_never_fire() {
    for d in ["@manual", "@triggered", "@none"] {
        let s = parse(d, NR).expect("ok");
        assert!(s.is_never());
        assert!(s
            .upcoming(at("2026-01-01T00:00:00Z"), Tz::UTC, 3, None)
            .times
            .is_empty());
        assert!(parse(d, V3).is_err());
    }
}
