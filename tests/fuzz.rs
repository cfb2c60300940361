//! Robustness: any input, any flavour, any zone and start: parsing,
//! describing, previewing and warning never panic and always return.
//!
//! The long run (1,000,000 inputs by default, `FUZZ_COUNT` to change):
//! `cargo test --release --test fuzz -- --ignored --nocapture`

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use docker_ofelia::schedule::{self, Flavor};
use proptest::prelude::*;

const ZONES: [Tz; 6] = [
    Tz::UTC,
    chrono_tz::Europe::Berlin,
    chrono_tz::America::New_York,
    chrono_tz::Australia::Lord_Howe,
    chrono_tz::America::Sao_Paulo,
    chrono_tz::Pacific::Chatham,
];

fn exercise(expr: &str, flavor: Flavor, tz: Tz, from_secs: i64, with_warnings: bool) {
    let from = DateTime::from_timestamp(from_secs, 0).unwrap_or(DateTime::<Utc>::UNIX_EPOCH);
    if let Ok(s) = schedule::parse(expr, flavor) {
        let _ = s.describe();
        let up = s.upcoming(from, tz, 5, Some(from));
        // Strictly after the start, in order.
        let mut prev = from;
        for t in &up.times {
            let t = t.with_timezone(&Utc);
            assert!(t > from, "{expr:?} ({flavor}): {t} not after {from}");
            assert!(t >= prev, "{expr:?} ({flavor}): out of order");
            prev = t;
        }
        if with_warnings {
            let _ = s.warnings(tz, from);
        }
    } else if with_warnings {
        assert_eq!(schedule::warnings(expr, flavor, tz, from).len(), 1);
    }
}

/// Plausible cron-ish text: fields built from cron atoms.
fn cronish() -> impl Strategy<Value = String> {
    let atom = prop_oneof![
        Just("*".to_string()),
        Just("?".to_string()),
        (0u32..80).prop_map(|n| n.to_string()),
        (0u32..70, 0u32..70).prop_map(|(a, b)| format!("{a}-{b}")),
        (0u32..70, 0u32..70).prop_map(|(a, b)| format!("{a}/{b}")),
        (0u32..30, 0u32..30, 0u32..30).prop_map(|(a, b, c)| format!("{a}-{b}/{c}")),
        prop::sample::select(vec![
            "MON",
            "sun",
            "Jan",
            "dec",
            "L",
            "LW",
            "15W",
            "L-3",
            "FRI#L",
            "1#2",
            "7",
            "H",
            "2025",
            "2024-2030/2",
            "*/15",
            "-1",
            "+5",
            "07",
            "MON-FRI",
            "sat-sun",
            "nov-feb",
            "",
        ])
        .prop_map(str::to_string),
    ];
    let field = prop::collection::vec(atom, 1..4).prop_map(|v| v.join(","));
    let fields = prop::collection::vec(field, 1..9).prop_map(|v| v.join(" "));
    let prefix = prop::sample::select(vec![
        "",
        "",
        "",
        "TZ=Europe/Berlin ",
        "CRON_TZ=UTC ",
        "TZ=\"Asia/Tokyo\" ",
        "TZ=",
        "TZ=Bad/Zone ",
    ]);
    let descriptor = prop::sample::select(vec![
        "@daily",
        "@hourly",
        "@every 1h30m",
        "@every 1d",
        "@every 500ms",
        "@every -5s",
        "@manual",
        "@every 1.5h",
        "@every 99999999999h",
        "@weekly",
        "@monthly",
        "@yearly",
        "@every",
    ])
    .prop_map(str::to_string);
    (prefix, prop_oneof![3 => fields, 1 => descriptor]).prop_map(|(p, f)| format!("{p}{f}"))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_strings_never_panic(
        expr in "\\PC{0,40}",
        f in 0usize..3,
        z in 0usize..6,
        from in -5_000_000_000i64..10_000_000_000,
    ) {
        exercise(&expr, Flavor::ALL[f], ZONES[z], from, true);
    }

    #[test]
    fn cronish_strings_never_panic(
        expr in cronish(),
        f in 0usize..3,
        z in 0usize..6,
        from in 0i64..4_200_000_000,
    ) {
        exercise(&expr, Flavor::ALL[f], ZONES[z], from, false);
    }
}

/// A small deterministic generator for the long run.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn random_input(r: &mut XorShift) -> String {
    const ATOMS: &[&str] = &[
        "*",
        "?",
        "0",
        "1",
        "5",
        "7",
        "12",
        "23",
        "30",
        "59",
        "60",
        "99",
        "2025",
        "*/5",
        "*/0",
        "1-5",
        "5-1",
        "22-2",
        "1/4",
        "MON",
        "mon-fri",
        "SUN",
        "JAN",
        "nov-feb",
        "L",
        "LW",
        "L-2",
        "15W",
        "31W",
        "FRI#L",
        "2#5",
        "8#1",
        "H",
        "-1",
        "+3",
        ",",
        "",
        "1,,2",
        "*-5",
        "x",
        "2024-2030/2",
        "1-5/5",
    ];
    if r.below(10) == 0 {
        // Raw bytes, lossily decoded.
        let len = r.below(30) as usize;
        let bytes: Vec<u8> = (0..len).map(|_| r.below(256) as u8).collect();
        return String::from_utf8_lossy(&bytes).into_owned();
    }
    if r.below(8) == 0 {
        const D: &[&str] = &[
            "@daily",
            "@every 90s",
            "@every 1d",
            "@every 250ms",
            "@manual",
            "@hourly",
            "@every 1h 30m",
            "@weekly",
            "@every 1.5s",
            "@none",
            "@Daily",
        ];
        return D[r.below(D.len() as u64) as usize].to_string();
    }
    // Half of the lines: 5 or 6 fields of mostly valid atoms, so that the
    // evaluator (not only the parser) gets exercised.
    const GOOD: &[&str] = &[
        "*", "0", "1", "5", "*/5", "1-5", "*/15", "30", "?", "MON", "L",
    ];
    let plausible = r.below(2) == 0;
    let n = if plausible {
        5 + r.below(2)
    } else {
        1 + r.below(8)
    };
    let mut fields = vec![];
    for _ in 0..n {
        let k = 1 + r.below(if plausible { 2 } else { 3 });
        let items: Vec<&str> = (0..k)
            .map(|_| {
                if plausible && r.below(4) != 0 {
                    GOOD[r.below(GOOD.len() as u64) as usize]
                } else {
                    ATOMS[r.below(ATOMS.len() as u64) as usize]
                }
            })
            .collect();
        fields.push(items.join(","));
    }
    let prefix = match r.below(12) {
        0 => "TZ=Europe/Berlin ",
        1 => "CRON_TZ=Australia/Lord_Howe ",
        2 => "TZ=",
        _ => "",
    };
    format!("{prefix}{}", fields.join(" "))
}

#[test]
#[ignore = "long run: cargo test --release --test fuzz -- --ignored --nocapture"]
fn a_million_inputs_never_panic() {
    let count: u64 = std::env::var("FUZZ_COUNT")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let mut r = XorShift(0x9E37_79B9_7F4A_7C15);
    let started = std::time::Instant::now();
    let mut valid = 0u64;
    for i in 0..count {
        let expr = random_input(&mut r);
        let flavor = Flavor::ALL[(i % 3) as usize];
        let tz = ZONES[r.below(ZONES.len() as u64) as usize];
        let from = 946_684_800 + r.below(1_300_000_000) as i64;
        if schedule::parse(&expr, flavor).is_ok() {
            valid += 1;
        }
        exercise(&expr, flavor, tz, from, i % 1000 == 0);
    }
    println!(
        "{count} inputs ({valid} valid) in {:.1} s: no panic, every call returned",
        started.elapsed().as_secs_f64()
    );
}
