//! Conformance: every vector produced by the real cron libraries (see
//! tests/conformance/README.md) must be reproduced exactly: the same instants,
//! the same `exhausted`, an error wherever the library errored, and for
//! netresearch the dropped fall-back runs (`dst_skip`) and `strict_invalid`.
//!
//! Extra vector files: set OFELIA_CONFORMANCE_DIR to a directory of
//! `<flavor>*.jsonl` files (flavour from the file-name prefix).

use std::path::{Path, PathBuf};
use std::str::FromStr;

use chrono::{DateTime, Utc};
use docker_ofelia::schedule::{self, Flavor};
use serde_json::Value;

fn flavor_of(path: &Path) -> Option<Flavor> {
    let name = path.file_name()?.to_str()?;
    Flavor::ALL
        .into_iter()
        .find(|f| name.starts_with(f.as_str()))
}

fn instants(v: Option<&Value>) -> Result<Vec<DateTime<Utc>>, String> {
    let Some(v) = v else { return Ok(vec![]) };
    let arr = v.as_array().ok_or("not an array")?;
    arr.iter()
        .map(|s| {
            let s = s.as_str().ok_or("not a string")?;
            DateTime::parse_from_rfc3339(s)
                .map(|t| t.with_timezone(&Utc))
                .map_err(|e| format!("{s}: {e}"))
        })
        .collect()
}

/// Checks one vector; Err(description) on a mismatch.
fn check_line(line: &str, flavor: Flavor) -> Result<(), String> {
    let v: Value = serde_json::from_str(line).map_err(|e| format!("bad JSON: {e}"))?;
    let expr = v["expr"].as_str().ok_or("no expr")?;
    let parsed = schedule::parse(expr, flavor);
    if v["error"].as_bool() == Some(true) {
        return match parsed {
            Err(_) => Ok(()),
            Ok(_) => Err(format!(
                "{expr:?}: accepted, but the library rejects it: {}",
                v["msg"]
            )),
        };
    }
    let s = parsed.map_err(|e| format!("{expr:?}: rejected ({e}), but the library accepts it"))?;
    let tz = chrono_tz::Tz::from_str(v["tz"].as_str().ok_or("no tz")?)
        .map_err(|e| format!("bad tz: {e}"))?;
    let start = DateTime::parse_from_rfc3339(v["start"].as_str().ok_or("no start")?)
        .map_err(|e| format!("bad start: {e}"))?
        .with_timezone(&Utc);
    let want = instants(v.get("next"))?;
    let kind = v["kind"].as_str().unwrap_or("spec");
    if kind == "never" {
        if !s.is_never() {
            return Err(format!("{expr:?}: should never fire"));
        }
    } else if s.is_never() {
        return Err(format!(
            "{expr:?}: never fires here, but the library runs it"
        ));
    }
    let want_exhausted = v["exhausted"].as_bool() == Some(true);
    let n = if want_exhausted { 5 } else { want.len().max(1) };
    let up = s.upcoming(start, tz, n, Some(start));
    let got: Vec<DateTime<Utc>> = up.times.iter().map(|t| t.with_timezone(&Utc)).collect();
    let got_len = got
        .len()
        .min(want.len().max(if kind == "never" { 0 } else { 1 }));
    if kind == "never" {
        if !got.is_empty() {
            return Err(format!("{expr:?}: never-firing schedule returned {got:?}"));
        }
        return Ok(());
    }
    if got[..got_len] != want[..] || (want_exhausted && got.len() != want.len()) {
        return Err(format!(
            "{expr:?} tz={tz} start={start}: want {:?}{}, got {:?}{}",
            want.iter()
                .map(|t| t.with_timezone(&tz).to_rfc3339())
                .collect::<Vec<_>>(),
            if want_exhausted { " (exhausted)" } else { "" },
            up.times.iter().map(|t| t.to_rfc3339()).collect::<Vec<_>>(),
            if up.exhausted { " (exhausted)" } else { "" },
        ));
    }
    if want_exhausted != up.exhausted {
        return Err(format!(
            "{expr:?}: exhausted should be {want_exhausted}, got {}",
            up.exhausted
        ));
    }
    if flavor == Flavor::Netresearch {
        let want_drop = instants(v.get("dst_skip"))?;
        let got_drop: Vec<DateTime<Utc>> =
            up.dropped.iter().map(|t| t.with_timezone(&Utc)).collect();
        if want_drop != got_drop {
            return Err(format!(
                "{expr:?} start={start}: dropped runs want {want_drop:?}, got {got_drop:?}"
            ));
        }
        let want_strict = v["strict_invalid"].as_bool() == Some(true);
        if want_strict != s.strict_invalid() {
            return Err(format!("{expr:?}: strict_invalid should be {want_strict}"));
        }
    }
    Ok(())
}

fn vector_files() -> Vec<PathBuf> {
    let mut dirs = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance")];
    if let Some(extra) = std::env::var_os("OFELIA_CONFORMANCE_DIR") {
        dirs.push(PathBuf::from(extra));
    }
    let mut files = vec![];
    for dir in dirs {
        let mut here: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
            .collect();
        here.sort();
        files.extend(here);
    }
    files
}

#[test]
fn conformance_vectors_match_the_real_libraries() {
    let mut failures = vec![];
    let mut total = 0;
    for path in vector_files() {
        let Some(flavor) = flavor_of(&path) else {
            panic!(
                "{}: cannot tell the flavour from the file name",
                path.display()
            );
        };
        let text = std::fs::read_to_string(&path).expect("readable vectors");
        let (mut ok, mut n) = (0, 0);
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            n += 1;
            match check_line(line, flavor) {
                Ok(()) => ok += 1,
                Err(e) => failures.push(format!("{}:{}: {e}", path.display(), i + 1)),
            }
        }
        total += n;
        println!(
            "{}: {ok}/{n} match",
            path.file_name().and_then(|s| s.to_str()).unwrap_or("?")
        );
    }
    assert!(total > 0, "no vectors found");
    if !failures.is_empty() {
        let shown: Vec<&String> = failures.iter().take(25).collect();
        panic!(
            "{} of {total} vectors differ; first ones:\n{}",
            failures.len(),
            shown
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}
