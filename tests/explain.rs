//! `docker-ofelia explain`, driven through the built binary.

mod common;

use common::{run, TestEnv};
use serde::Deserialize;

/// The JSON contract, locked: any new or renamed key fails this test.
#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
struct ExplainJson {
    expression: String,
    flavor: String,
    timezone: String,
    description: String,
    next: Vec<String>,
    warnings: Vec<WarningJson>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
struct WarningJson {
    code: String,
    message: String,
}

fn explain(args: &[&str]) -> (i32, String, String) {
    let env = TestEnv::new();
    let mut all = vec!["explain"];
    all.extend_from_slice(args);
    run(env.plugin(all))
}

#[test]
fn explain_monday_0800_in_paris() {
    let (code, out, err) = explain(&[
        "0 0 8 * * 1",
        "--tz",
        "Europe/Paris",
        "--from",
        "2026-11-25T12:00:00.250Z",
    ]);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "at 08:00:00, only on Monday");
    assert_eq!(lines[1], "flavor ofelia-0.3, time zone Europe/Paris");
    assert!(
        out.contains("Mon 2026-11-30 08:00:00 +01:00   in 4 days 18 h"),
        "{out}"
    );
    assert_eq!(out.matches("08:00:00 +01:00").count(), 5, "{out}");
    assert!(!out.contains("warning"), "{out}");
}

#[test]
fn explain_json_is_locked() {
    let (code, out, err) = explain(&[
        "0 30 2 * * *",
        "--flavor",
        "ofelia-0.4",
        "--tz",
        "Europe/Berlin",
        "--from",
        "2026-03-28T00:00:00Z",
        "-n",
        "3",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let j: ExplainJson = serde_json::from_str(&out).expect("explain JSON");
    assert_eq!(j.expression, "0 30 2 * * *");
    assert_eq!(j.flavor, "ofelia-0.4");
    assert_eq!(j.timezone, "Europe/Berlin");
    assert_eq!(j.description, "at 02:30:00, every day");
    // 2026-03-29 02:30 does not exist in Berlin: robfig skips it.
    assert_eq!(
        j.next,
        [
            "2026-03-28T02:30:00+01:00",
            "2026-03-30T02:30:00+02:00",
            "2026-03-31T02:30:00+02:00"
        ]
    );
    let codes: Vec<&str> = j.warnings.iter().map(|w| w.code.as_str()).collect();
    // Within the next year: spring 2026, autumn 2026, spring 2027.
    assert_eq!(codes, ["dst-skip", "dst-double", "dst-skip"]);
    assert!(j.warnings[0].message.contains("2026-03-29"));
}

#[test]
fn explain_five_fields_warns_about_flavours() {
    let (code, out, _) = explain(&["0 1 * * *", "--from", "2026-01-01T00:00:00Z"]);
    assert_eq!(code, 0);
    assert!(
        out.starts_with("every hour at 01:00 past the hour, every day\n"),
        "{out}"
    );
    assert!(
        out.contains("warning: 5 fields mean different things"),
        "{out}"
    );
}

#[test]
fn explain_every_counts_from_the_start() {
    let (code, out, _) = explain(&[
        "@every 90m",
        "--from",
        "2026-01-01T10:00:00.900Z",
        "-n",
        "2",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0);
    let j: ExplainJson = serde_json::from_str(&out).expect("JSON");
    assert_eq!(j.next, ["2026-01-01T11:30:00Z", "2026-01-01T13:00:00Z"]);
}

#[test]
fn explain_never_and_exhausted() {
    let (code, out, _) = explain(&["@manual", "--flavor", "netresearch"]);
    assert_eq!(code, 0);
    assert!(out.contains("runs only when triggered"), "{out}");
    let (code, out, _) = explain(&["0 0 0 30 2 *", "--flavor", "ofelia-0.4"]);
    assert_eq!(code, 0);
    assert!(out.contains("never fires again"), "{out}");
}

#[test]
fn explain_invalid_expression_is_one_line_exit_1() {
    for (expr, flavor, needle) in [
        ("0 0 * * MON", "ofelia-0.3", "month field"),
        ("TZ=Europe/Berlin", "ofelia-0.4", "panics"),
        ("@every 1d", "ofelia-0.3", "unknown unit"),
        ("0 0 0 * * 7", "ofelia-0.4", "above maximum (6)"),
    ] {
        let (code, out, err) = explain(&[expr, "--flavor", flavor]);
        assert_eq!(code, 1, "{expr}: {out}{err}");
        assert!(out.is_empty(), "{expr}: {out}");
        assert_eq!(err.lines().count(), 1, "{expr}: {err}");
        assert!(err.contains(needle), "{expr}: {err}");
    }
}

/// A control character in the expression is escaped once (`\u{1b}`), the
/// same way in the quoted expression as in the parser's message.
#[test]
fn explain_invalid_expression_escapes_control_characters_once() {
    let (code, _, err) = explain(&["0 0 8 * * 1\x1b[31m"]);
    assert_eq!(code, 1, "{err}");
    assert!(!err.contains('\x1b'), "{err}");
    assert!(
        err.starts_with("invalid schedule \"0 0 8 * * 1\\u{1b}[31m\" for ofelia-0.3: "),
        "{err}"
    );
}

#[test]
fn explain_bad_zone_is_a_usage_error() {
    let (code, _, err) = explain(&["@daily", "--tz", "Mars/Olympus"]);
    assert_eq!(code, 125, "{err}");
    assert!(err.contains("Mars/Olympus"), "{err}");
}

#[test]
fn explain_local_zone_reads_tz() {
    let env = TestEnv::new().env("TZ", "Asia/Tokyo");
    let (code, out, err) = run(env.plugin([
        "explain",
        "0 0 9 * * *",
        "--tz",
        "local",
        "--from",
        "2025-12-31T12:00:00Z",
        "-n",
        "1",
        "--format",
        "json",
    ]));
    assert_eq!(code, 0, "{err}");
    let j: ExplainJson = serde_json::from_str(&out).expect("JSON");
    assert_eq!(j.timezone, "Asia/Tokyo");
    assert_eq!(j.next, ["2026-01-01T09:00:00+09:00"]);
}

#[test]
fn an_unknown_flag_is_a_usage_error_not_an_expression() {
    let (code, out, err) = explain(&["--nope"]);
    assert_eq!(code, 125, "{out}\n{err}");
    assert!(err.starts_with("unknown flag: --nope"), "{err}");
}
