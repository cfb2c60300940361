//! Throughput of parse + next 10 fire times over the benchmark's 10,000
//! expressions, measured in on-CPU time (/proc/self/schedstat) as well as
//! wall time, so that a busy shared machine doesn't distort the figure.
//!
//! `cargo run --release --example schedule_throughput [rounds]`

use std::str::FromStr;

use chrono::{DateTime, Utc};
use docker_ofelia::schedule::{self, Flavor};

fn cpu_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/schedstat").ok()?;
    s.split_whitespace().next()?.parse().ok()
}

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/conformance");
    let mut cases = vec![];
    for (file, flavor) in [
        ("ofelia-0.3.jsonl", Flavor::Ofelia03),
        ("ofelia-0.4.jsonl", Flavor::Ofelia04),
        ("netresearch.jsonl", Flavor::Netresearch),
    ] {
        let Ok(text) = std::fs::read_to_string(format!("{dir}/{file}")) else {
            eprintln!("cannot read {file}");
            return;
        };
        for line in text.lines() {
            let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
                continue;
            };
            if v["error"].as_bool() == Some(true) {
                continue;
            }
            let (Some(expr), Some(tz), Some(start)) =
                (v["expr"].as_str(), v["tz"].as_str(), v["start"].as_str())
            else {
                continue;
            };
            let (Ok(tz), Ok(start)) = (
                chrono_tz::Tz::from_str(tz),
                DateTime::parse_from_rfc3339(start),
            ) else {
                continue;
            };
            cases.push((expr.to_string(), flavor, tz, start.with_timezone(&Utc)));
        }
    }
    let cases: Vec<_> = cases.iter().cycle().take(10_000).cloned().collect();
    let wall = std::time::Instant::now();
    let cpu0 = cpu_ns();
    let mut fired = 0usize;
    for _ in 0..rounds {
        for (expr, flavor, tz, start) in &cases {
            if let Ok(s) = schedule::parse(expr, *flavor) {
                fired += s.upcoming(*start, *tz, 10, Some(*start)).times.len();
            }
        }
    }
    let wall = wall.elapsed().as_secs_f64();
    let cpu = match (cpu0, cpu_ns()) {
        (Some(a), Some(b)) => (b - a) as f64 / 1e9,
        _ => wall,
    };
    println!(
        "{} expressions x {rounds} rounds: {fired} fire times; wall {wall:.3} s ({:.0}/s); on-CPU {cpu:.3} s ({:.0} fire times/s on one core)",
        cases.len(),
        fired as f64 / wall,
        fired as f64 / cpu
    );
}
