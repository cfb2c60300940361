//! `docker ofelia history`: past runs of jobs, from the scheduler's logs
//! (both formats) and, when it has one, its save folder (mcuadros
//! `ofelia.save-folder`), read through the engine as an archive.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset};
use futures_util::StreamExt;
use serde::Serialize;

use crate::app::App;
use crate::cli::{Format, HistoryArgs};
use crate::docker::jobs;
use crate::docker::scheduler::{self, LogsRequest, Service};
use crate::error::{Error, Result};
use crate::labels;
use crate::ofelia_log::{Aggregator, Run};
use crate::render;
use crate::schedule::Flavor;

/// Characters of output kept in a row (the excerpt).
pub const EXCERPT_CHARS: usize = 200;
/// The most a save folder may weigh before it is skipped.
const SAVE_FOLDER_LIMIT: usize = 64 * 1024 * 1024;

/// One past run, as `history --format json` prints it (an array, oldest
/// first). The README documents this contract; tests lock it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistoryRun {
    pub job: String,
    /// The 12-hex execution ID Ofelia logs (`[Job "x" (id)]`).
    pub run_id: Option<String>,
    pub command: Option<String>,
    /// RFC 3339, in the scheduler's zone as it wrote it.
    pub started: Option<String>,
    pub finished: Option<String>,
    /// Go's text, e.g. `"61.187069ms"`.
    pub duration: Option<String>,
    pub duration_seconds: Option<f64>,
    /// ok, failed, skipped or running.
    pub result: &'static str,
    pub error: Option<String>,
    /// The start of stdout then stderr (at most EXCERPT_CHARS characters,
    /// control characters escaped).
    pub output: String,
    /// log, save-folder, or log+save-folder.
    pub source: &'static str,
    pub scheduler: String,
}

pub async fn run(app: &App, args: HistoryArgs) -> Result<()> {
    let engine = app.engine().await?;
    let services = app.cancellable(scheduler::list_services(engine)).await?;
    let target = super::logs::pick(&services, args.project.as_deref())?;
    let req = LogsRequest {
        follow: false,
        tail: None,
        since: None,
    };
    let mut lines = scheduler::log_lines(engine, &target.id, &req);
    let mut agg = Aggregator::new();
    let mut runs: Vec<Run> = Vec::new();
    loop {
        let next = tokio::select! {
            n = lines.next() => n,
            _ = app.cancel.cancelled() => return Err(Error::Interrupted),
        };
        let Some(line) = next else { break };
        if let Some(r) = agg.push_line(&line?) {
            runs.push(r);
        }
    }
    runs.extend(agg.finish());
    let mut warnings = Vec::new();
    let mut saved = Vec::new();
    if let Some(folder) = save_folder(target) {
        match app
            .cancellable(jobs::download_folder(
                engine,
                &target.id,
                &folder,
                SAVE_FOLDER_LIMIT,
            ))
            .await
        {
            Ok(Some(files)) => saved = saved_runs(&files),
            Ok(None) => warnings.push(format!(
                "{}: its save folder {folder} does not exist",
                target.name
            )),
            Err(Error::Interrupted) => return Err(Error::Interrupted),
            Err(e) => warnings.push(format!(
                "{}: cannot read its save folder {folder}: {e}",
                target.name
            )),
        }
    }
    let mut rows = merge(runs, saved, &target.name);
    if let Some(j) = &args.job {
        rows.retain(|r| job_matches(&r.job, j));
    }
    let skip = rows.len().saturating_sub(args.count);
    let rows: Vec<HistoryRun> = rows.into_iter().skip(skip).collect();
    super::print_warnings(&warnings);
    match args.format {
        Format::Json => app.out.json(&rows),
        Format::Table => {
            if rows.is_empty() {
                let what = args
                    .job
                    .as_deref()
                    .map(|j| format!(" of job {j}"))
                    .unwrap_or_default();
                super::print_warnings(&[format!("no runs{what} in the logs of {}", target.name)]);
            }
            app.out.line(&table(&rows))
        }
    }
}

/// `--job`: the exact name, or the label name of a netresearch `prefix.name`.
fn job_matches(job: &str, wanted: &str) -> bool {
    job == wanted || job.rsplit_once('.').is_some_and(|(_, n)| n == wanted)
}

/// The save folder a scheduler writes, when docker-ofelia can tell: the
/// `ofelia.save-folder` label of a mcuadros scheduler (netresearch blocks
/// that label; an INI file is not read).
fn save_folder(s: &Service) -> Option<String> {
    let folder = s
        .labels
        .get("ofelia.save-folder")
        .filter(|f| !f.is_empty())?;
    let flavor = s
        .labels
        .get(scheduler::LABEL_FLAVOR)
        .and_then(|f| f.parse::<Flavor>().ok())
        .or_else(|| labels::flavor_from_image(&s.image, &BTreeMap::new()));
    (flavor != Some(Flavor::Netresearch)).then(|| folder.clone())
}

/// A run read from the save folder (`<YYYYMMDD_HHMMSS>_<job>.{json,stdout.log,stderr.log}`).
#[derive(Debug, Clone, PartialEq)]
pub struct SavedRun {
    pub job: String,
    pub run_id: Option<String>,
    pub command: Option<String>,
    pub started: Option<DateTime<FixedOffset>>,
    pub duration_seconds: Option<f64>,
    pub failed: bool,
    pub skipped: bool,
    pub running: bool,
    pub stdout: String,
    pub stderr: String,
}

/// The saved runs among an archive's files.
pub fn saved_runs(files: &[jobs::ArchiveFile]) -> Vec<SavedRun> {
    let base = |p: &str| p.rsplit('/').next().unwrap_or(p).to_string();
    let text = |stem: &str, ext: &str| -> String {
        files
            .iter()
            .find(|f| base(&f.path) == format!("{stem}.{ext}"))
            .map(|f| String::from_utf8_lossy(&f.data).into_owned())
            .unwrap_or_default()
    };
    let mut out = Vec::new();
    for f in files {
        let name = base(&f.path);
        let Some(stem) = name.strip_suffix(".json") else {
            continue;
        };
        // 15 characters of date and time, '_', the job's name.
        let Some(file_job) = stem
            .get(16..)
            .filter(|_| stem.as_bytes().get(15) == Some(&b'_'))
        else {
            continue;
        };
        let Ok(v) = serde_json::from_slice::<serde_json::Value>(&f.data) else {
            continue;
        };
        let job = &v["Job"];
        let exe = &v["Execution"];
        let s = |v: &serde_json::Value| v.as_str().filter(|s| !s.is_empty()).map(str::to_string);
        out.push(SavedRun {
            job: s(&job["Name"]).unwrap_or_else(|| file_job.to_string()),
            run_id: s(&exe["ID"]),
            command: s(&job["Command"]),
            started: exe["Date"]
                .as_str()
                .and_then(|d| DateTime::parse_from_rfc3339(d).ok()),
            duration_seconds: exe["Duration"].as_f64().map(|ns| ns / 1e9),
            failed: exe["Failed"].as_bool().unwrap_or(false),
            skipped: exe["Skipped"].as_bool().unwrap_or(false),
            running: exe["IsRunning"].as_bool().unwrap_or(false),
            stdout: text(stem, "stdout.log"),
            stderr: text(stem, "stderr.log"),
        });
    }
    out
}

/// Go's `Duration.String()` for a number of seconds.
pub fn go_duration(secs: f64) -> String {
    let ns = (secs * 1e9).round() as i128;
    if ns == 0 {
        return "0s".into();
    }
    let trim = |s: String| s.trim_end_matches('0').trim_end_matches('.').to_string();
    let a = ns.abs();
    if ns > 0 && a % 1_000_000_000 == 0 {
        return crate::schedule::go_duration_string((a / 1_000_000_000) as u64);
    }
    let sign = if ns < 0 { "-" } else { "" };
    if a < 1_000 {
        return format!("{sign}{a}ns");
    }
    if a < 1_000_000 {
        return format!("{sign}{}µs", trim(format!("{:.3}", a as f64 / 1e3)));
    }
    if a < 1_000_000_000 {
        return format!("{sign}{}ms", trim(format!("{:.6}", a as f64 / 1e6)));
    }
    let h = a / 3_600_000_000_000;
    let m = (a / 60_000_000_000) % 60;
    let s = trim(format!("{:.9}", (a % 60_000_000_000) as f64 / 1e9));
    let s = if s.is_empty() { "0".to_string() } else { s };
    match (h, m) {
        (0, 0) => format!("{sign}{s}s"),
        (0, m) => format!("{sign}{m}m{s}s"),
        (h, m) => format!("{sign}{h}h{m}m{s}s"),
    }
}

fn excerpt(stdout: &str, stderr: &str) -> String {
    let both = match (stdout.trim_end().is_empty(), stderr.trim_end().is_empty()) {
        (false, false) => format!("{}\n{}", stdout.trim_end(), stderr.trim_end()),
        (false, true) => stdout.trim_end().to_string(),
        (true, false) => stderr.trim_end().to_string(),
        (true, true) => String::new(),
    };
    render::truncate(&render::sanitize(&both), EXCERPT_CHARS)
}

fn result_of(failed: bool, skipped: bool, finished: bool) -> &'static str {
    match (finished, skipped, failed) {
        (false, _, _) => "running",
        (true, true, _) => "skipped",
        (true, false, true) => "failed",
        _ => "ok",
    }
}

fn time_text(t: &DateTime<FixedOffset>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

/// Log runs and saved runs as rows, oldest first; a saved run of the same
/// job started within a second of a logged one is the same run.
pub fn merge(runs: Vec<Run>, saved: Vec<SavedRun>, scheduler: &str) -> Vec<HistoryRun> {
    let mut rows: Vec<(Option<DateTime<FixedOffset>>, HistoryRun)> = Vec::new();
    let mut used = vec![false; saved.len()];
    for r in runs {
        let twin = saved.iter().enumerate().position(|(i, s)| {
            !used[i]
                && s.job == r.job
                && match (s.started, r.started) {
                    (Some(a), Some(b)) => (a - b).num_milliseconds().abs() < 1000,
                    _ => false,
                }
        });
        let (stdout, stderr, source) = match twin {
            Some(i) => {
                used[i] = true;
                let s = &saved[i];
                // The files hold the whole output; the log only what fitted.
                let out = if s.stdout.is_empty() {
                    r.stdout.clone()
                } else {
                    s.stdout.clone()
                };
                let err = if s.stderr.is_empty() {
                    r.stderr.clone()
                } else {
                    s.stderr.clone()
                };
                (out, err, "log+save-folder")
            }
            None => (r.stdout.clone(), r.stderr.clone(), "log"),
        };
        let finished = r.duration.is_some();
        let key = r.started.or(r.finished);
        rows.push((
            key,
            HistoryRun {
                result: result_of(r.failed, r.skipped, finished),
                output: excerpt(&stdout, &stderr),
                job: r.job,
                run_id: Some(r.run_id),
                command: r.command,
                started: r.started.as_ref().map(time_text),
                finished: r.finished.as_ref().map(time_text),
                duration: r.duration,
                duration_seconds: r.duration_seconds,
                error: r.error,
                source,
                scheduler: scheduler.to_string(),
            },
        ));
    }
    for (i, s) in saved.into_iter().enumerate() {
        if used[i] {
            continue;
        }
        let finished = s.started.zip(s.duration_seconds).and_then(|(t, d)| {
            let d = chrono::Duration::nanoseconds((d * 1e9) as i64);
            t.checked_add_signed(d)
        });
        rows.push((
            s.started,
            HistoryRun {
                result: result_of(s.failed, s.skipped, !s.running),
                output: excerpt(&s.stdout, &s.stderr),
                duration: s.duration_seconds.map(go_duration),
                job: s.job,
                run_id: s.run_id,
                command: s.command,
                started: s.started.as_ref().map(time_text),
                finished: finished.as_ref().map(time_text),
                duration_seconds: s.duration_seconds,
                error: None,
                source: "save-folder",
                scheduler: scheduler.to_string(),
            },
        ));
    }
    rows.sort_by(|a, b| match (a.0, b.0) {
        (Some(x), Some(y)) => x.cmp(&y),
        (None, Some(_)) => std::cmp::Ordering::Less,
        (Some(_), None) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    });
    rows.into_iter().map(|(_, r)| r).collect()
}

fn table(rows: &[HistoryRun]) -> String {
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let result = match (&r.error, r.result) {
                (Some(e), "failed") => format!("failed: {}", render::truncate(e, 40)),
                _ => r.result.to_string(),
            };
            vec![
                r.job.clone(),
                r.started.clone().unwrap_or_else(|| "-".into()),
                r.duration.clone().unwrap_or_else(|| "-".into()),
                result,
                render::truncate(&r.output, 40),
            ]
        })
        .collect();
    render::table(&["JOB", "STARTED", "DURATION", "RESULT", "OUTPUT"], body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ofelia_log;

    #[test]
    fn go_durations() {
        assert_eq!(go_duration(0.0015), "1.5ms");
        assert_eq!(go_duration(0.061187069), "61.187069ms");
        assert_eq!(go_duration(1.5), "1.5s");
        assert_eq!(go_duration(90.0), "1m30s");
        assert_eq!(go_duration(3600.0), "1h0m0s");
        assert_eq!(go_duration(0.000002), "2µs");
    }

    fn fixture(name: &str) -> String {
        let p = format!(
            "{}/tests/fixtures/ofelia-logs/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read_to_string(p).unwrap()
    }

    #[test]
    fn rows_from_both_log_formats() {
        let rows = merge(
            ofelia_log::runs(&fixture("netresearch-0.29.0.log")),
            vec![],
            "s",
        );
        assert!(rows.len() >= 5, "{rows:?}");
        assert_eq!(rows[0].job, "ofb-app-nr0290.tick");
        assert_eq!(rows[0].result, "ok");
        assert_eq!(
            rows[0].started.as_deref(),
            Some("2026-11-27T04:00:25.002+01:00")
        );
        assert_eq!(rows[0].output, "Fri Nov 27 03:00:25 UTC 2026");
        let failed = rows
            .iter()
            .find(|r| r.job == "ofb-app-nr0290nouser.tick")
            .unwrap();
        assert_eq!(failed.result, "failed");
        assert_eq!(
            failed.error.as_deref(),
            Some("job run: non-zero exit code: 126")
        );
        let rows = merge(ofelia_log::runs(&fixture("ofelia-0.3.21.log")), vec![], "s");
        assert_eq!(rows[0].job, "tick");
        assert_eq!(rows[0].result, "failed");
        assert_eq!(rows[0].duration.as_deref(), Some("19.302779ms"));
        assert!(
            rows[0].output.starts_with("unable to find user root"),
            "{:?}",
            rows[0].output
        );
    }

    #[test]
    fn saved_files_merge_with_log_runs() {
        let json = br#"{"Job":{"Name":"tick","Command":"date"},"Execution":{"ID":"76314a1869aa","Date":"2026-11-27T03:52:40.002+01:00","Duration":19302779,"IsRunning":false,"Failed":true,"Skipped":false,"Error":{}}}"#;
        let files = vec![
            jobs::ArchiveFile { path: "saves/20261127_035240_tick.json".into(), data: json.to_vec() },
            jobs::ArchiveFile { path: "saves/20261127_035240_tick.stdout.log".into(), data: b"the whole\noutput\n".to_vec() },
            jobs::ArchiveFile { path: "saves/20261127_035240_tick.stderr.log".into(), data: vec![] },
            jobs::ArchiveFile {
                path: "saves/20260101_000000_old.json".into(),
                data: br#"{"Job":{"Name":"old"},"Execution":{"Date":"2026-01-01T00:00:00Z","Duration":1500000000,"Failed":false}}"#.to_vec(),
            },
        ];
        let saved = saved_runs(&files);
        assert_eq!(saved.len(), 2);
        let rows = merge(ofelia_log::runs(&fixture("ofelia-0.3.21.log")), saved, "s");
        assert_eq!(rows[0].job, "old");
        assert_eq!(rows[0].source, "save-folder");
        assert_eq!(rows[0].duration.as_deref(), Some("1.5s"));
        assert_eq!(
            rows[0].finished.as_deref(),
            Some("2026-01-01T00:00:01.500Z")
        );
        assert_eq!(rows[1].source, "log+save-folder");
        assert_eq!(rows[1].output, "the whole\\noutput");
    }

    #[test]
    fn json_contract() {
        let rows = merge(
            ofelia_log::runs(&fixture("netresearch-0.29.0.log")),
            vec![],
            "ofelia",
        );
        let v = serde_json::to_value(&rows[0]).unwrap();
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "command",
                "duration",
                "duration_seconds",
                "error",
                "finished",
                "job",
                "output",
                "result",
                "run_id",
                "scheduler",
                "source",
                "started"
            ]
        );
    }
}
