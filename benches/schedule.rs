//! Parse + next 10 fire times over a mix of 10,000 expressions (the
//! expressions of the conformance vectors, all three flavours, with their
//! zones, cycled), on one core. Target: ≥ 1,000,000 fire times per second.
//!
//! `cargo bench --bench schedule`

use std::str::FromStr;

use chrono::{DateTime, Utc};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use docker_ofelia::schedule::{self, Flavor};

#[derive(Clone)]
struct Case {
    expr: String,
    flavor: Flavor,
    tz: chrono_tz::Tz,
    start: DateTime<Utc>,
}

fn cases() -> Vec<Case> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/conformance");
    let mut all = vec![];
    for (file, flavor) in [
        ("ofelia-0.3.jsonl", Flavor::Ofelia03),
        ("ofelia-0.4.jsonl", Flavor::Ofelia04),
        ("netresearch.jsonl", Flavor::Netresearch),
    ] {
        let text = std::fs::read_to_string(format!("{dir}/{file}")).expect("vectors");
        for line in text.lines() {
            let v: serde_json::Value = serde_json::from_str(line).expect("json");
            // Only valid expressions: the benchmark counts fire times.
            if v["error"].as_bool() == Some(true) {
                continue;
            }
            all.push(Case {
                expr: v["expr"].as_str().expect("expr").to_string(),
                flavor,
                tz: chrono_tz::Tz::from_str(v["tz"].as_str().expect("tz")).expect("zone"),
                start: DateTime::parse_from_rfc3339(v["start"].as_str().expect("start"))
                    .expect("start")
                    .with_timezone(&Utc),
            });
        }
    }
    all.into_iter().cycle().take(10_000).collect()
}

fn bench(c: &mut Criterion) {
    let cases = cases();
    let mut g = c.benchmark_group("schedule");
    g.sample_size(20);
    g.throughput(Throughput::Elements((cases.len() * 10) as u64));
    g.bench_function("parse_and_next_10_x_10000", |b| {
        b.iter(|| {
            let mut fired = 0usize;
            for c in &cases {
                if let Ok(s) = schedule::parse(&c.expr, c.flavor) {
                    fired += s.upcoming(c.start, c.tz, 10, Some(c.start)).times.len();
                }
            }
            std::hint::black_box(fired)
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
