//! A pure parser for the scheduler's log lines, in both formats Ofelia writes
//! (ofelia.md §6):
//!
//! - mcuadros (go-logging, ANSI colours even without a terminal):
//!   `2023-12-27T16:38:54.002Z ESC[32m common.go:125 ▶ NOTICE ESC[0m [Job "x" (1e06e51dde73)] Started - date`
//!   (0.3 has no space between the level and `ESC[0m`, 0.4 has one);
//! - netresearch (slog text):
//!   `time=… level=INFO source=file:NN msg="[Job \"x\" (id)] …"`.
//!
//! [`parse_record`] reads any log line into time, level and message;
//! [`parse_line`] turns the job lines into [`LogEvent`]s; [`Aggregator`]
//! folds events (and the continuation lines of multi-line job output) into
//! [`Run`]s. No I/O, no clock.

use std::time::Duration;

use chrono::{DateTime, FixedOffset};
use serde::Serialize;

/// One log line of the scheduler, whatever its format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// The time the scheduler wrote, in its zone.
    pub time: Option<DateTime<FixedOffset>>,
    /// Upper case as written: NOTICE, INFO, WARNING, WARN, ERROR, DEBUG, CRITICAL.
    pub level: String,
    /// The message, unescaped (netresearch) and without colour codes.
    pub message: String,
}

/// What a job line says.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "lowercase")]
pub enum EventKind {
    /// `New job registered "name" - "cmd" - "sched"` (+ ` - ID: n`).
    Registered {
        job: String,
        command: String,
        schedule: String,
    },
    /// `Job deregistered (will not fire again) …`.
    Deregistered { job: String },
    /// `[Job "name" (id)] Started - cmd`.
    Started {
        job: String,
        run_id: String,
        command: String,
    },
    /// `[Job "name" (id)] StdOut: …`.
    Stdout {
        job: String,
        run_id: String,
        text: String,
    },
    /// `[Job "name" (id)] StdErr: …`.
    Stderr {
        job: String,
        run_id: String,
        text: String,
    },
    /// `[Job "name" (id)] Finished in "1.2s", failed: false, skipped: false, error: none`.
    Finished {
        job: String,
        run_id: String,
        /// As written (`"61.187069ms"`).
        duration_text: String,
        #[serde(skip)]
        duration: Option<Duration>,
        failed: bool,
        skipped: bool,
        /// `None` for `error: none`.
        error: Option<String>,
    },
}

impl EventKind {
    pub fn job(&self) -> &str {
        match self {
            EventKind::Registered { job, .. }
            | EventKind::Deregistered { job }
            | EventKind::Started { job, .. }
            | EventKind::Stdout { job, .. }
            | EventKind::Stderr { job, .. }
            | EventKind::Finished { job, .. } => job,
        }
    }

    pub fn run_id(&self) -> Option<&str> {
        match self {
            EventKind::Started { run_id, .. }
            | EventKind::Stdout { run_id, .. }
            | EventKind::Stderr { run_id, .. }
            | EventKind::Finished { run_id, .. } => Some(run_id),
            _ => None,
        }
    }
}

/// A job event with the line's time and level.
#[derive(Debug, Clone, PartialEq)]
pub struct LogEvent {
    pub time: Option<DateTime<FixedOffset>>,
    pub level: String,
    pub kind: EventKind,
}

/// The job event on `line`, if it is a job line of either format.
pub fn parse_line(line: &str) -> Option<LogEvent> {
    let rec = parse_record(line)?;
    let kind = parse_message(&rec.message)?;
    Some(LogEvent {
        time: rec.time,
        level: rec.level,
        kind,
    })
}

/// Removes ANSI escape sequences (CSI `ESC [ … final`, and lone ESCs).
pub fn strip_ansi(s: &str) -> String {
    if !s.contains('\x1b') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\x1b' {
            out.push(c);
            continue;
        }
        if chars.peek() == Some(&'[') {
            chars.next();
            // Parameters and intermediates, then one final byte in @..~.
            for d in chars.by_ref() {
                if ('@'..='~').contains(&d) {
                    break;
                }
            }
        }
    }
    out
}

/// Reads one log line of either format (the trailing `\r`/`\n` ignored).
pub fn parse_record(line: &str) -> Option<Record> {
    let line = line.trim_end_matches(['\r', '\n']);
    if line.starts_with("time=") {
        return parse_slog(line);
    }
    parse_go_logging(line)
}

fn parse_time(s: &str) -> Option<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .or_else(|| DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f%z").ok())
}

/// `TIME [ESC[..m] file.go:NN ▶ LEVEL [ESC[0m] message`.
fn parse_go_logging(line: &str) -> Option<Record> {
    let clean = strip_ansi(line);
    let (head, rest) = clean.split_once('▶')?;
    let time_text = head.split_whitespace().next()?;
    let time = parse_time(time_text);
    // The head must look like `TIME file.go:NN`.
    if time.is_none() && !head.contains(".go:") {
        return None;
    }
    let rest = rest.trim_start_matches(' ');
    let (level, message) = match rest.split_once(' ') {
        Some((l, m)) => (l, m.trim_start_matches(' ')),
        None => (rest, ""),
    };
    if level.is_empty() || !level.chars().all(|c| c.is_ascii_uppercase()) {
        return None;
    }
    Some(Record {
        time,
        level: level.to_string(),
        message: message.to_string(),
    })
}

/// `time=… level=INFO source=… msg="…" key=value…`.
fn parse_slog(line: &str) -> Option<Record> {
    let mut time = None;
    let mut level = None;
    let mut message = None;
    let mut rest = line;
    while !rest.is_empty() {
        rest = rest.trim_start_matches(' ');
        let (key, after) = rest.split_once('=')?;
        let (value, next) = if after.starts_with('"') {
            let (v, used) = read_go_quoted(after)?;
            (v, &after[used..])
        } else {
            let end = after.find(' ').unwrap_or(after.len());
            (after[..end].to_string(), &after[end..])
        };
        match key {
            "time" => time = parse_time(&value),
            "level" => level = Some(value.to_ascii_uppercase()),
            "msg" => message = Some(value),
            _ => {}
        }
        rest = next;
    }
    Some(Record {
        time,
        level: level?,
        message: message?,
    })
}

/// Reads a Go-quoted string (`%q`, strconv.Quote) at the start of `s`.
/// Returns the unescaped text and the number of bytes used (quotes included).
fn read_go_quoted(s: &str) -> Option<(String, usize)> {
    let mut chars = s.char_indices();
    if chars.next()?.1 != '"' {
        return None;
    }
    let mut out = String::new();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((out, i + 1)),
            '\\' => {
                let (_, e) = chars.next()?;
                match e {
                    'n' => out.push('\n'),
                    'r' => out.push('\r'),
                    't' => out.push('\t'),
                    'a' => out.push('\x07'),
                    'b' => out.push('\x08'),
                    'f' => out.push('\x0c'),
                    'v' => out.push('\x0b'),
                    '\\' => out.push('\\'),
                    '"' => out.push('"'),
                    '\'' => out.push('\''),
                    'x' | 'u' | 'U' => {
                        let n = match e {
                            'x' => 2,
                            'u' => 4,
                            _ => 8,
                        };
                        let mut hex = String::new();
                        for _ in 0..n {
                            hex.push(chars.next()?.1);
                        }
                        let v = u32::from_str_radix(&hex, 16).ok()?;
                        out.push(char::from_u32(v).unwrap_or('\u{fffd}'));
                    }
                    other => {
                        out.push('\\');
                        out.push(other);
                    }
                }
            }
            c => out.push(c),
        }
    }
    None
}

fn is_run_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The job event a message describes.
pub fn parse_message(msg: &str) -> Option<EventKind> {
    if let Some(rest) = msg.strip_prefix("New job registered ") {
        let (job, used) = read_go_quoted(rest)?;
        let rest = rest[used..].strip_prefix(" - ")?;
        let (command, used) = read_go_quoted(rest)?;
        let rest = rest[used..].strip_prefix(" - ")?;
        let (schedule, _) = read_go_quoted(rest)?;
        return Some(EventKind::Registered {
            job,
            command,
            schedule,
        });
    }
    if let Some(rest) = msg.strip_prefix("Job deregistered") {
        let q = rest.find('"')?;
        let (job, _) = read_go_quoted(&rest[q..])?;
        return Some(EventKind::Deregistered { job });
    }
    let rest = msg.strip_prefix("[Job ")?;
    let (job, used) = read_go_quoted(rest)?;
    let rest = rest[used..].strip_prefix(" (")?;
    let (run_id, rest) = rest.split_once(")] ")?;
    if !is_run_id(run_id) {
        return None;
    }
    let run_id = run_id.to_string();
    if let Some(command) = rest.strip_prefix("Started - ") {
        return Some(EventKind::Started {
            job,
            run_id,
            command: command.to_string(),
        });
    }
    if let Some(text) = rest.strip_prefix("StdOut: ") {
        return Some(EventKind::Stdout {
            job,
            run_id,
            text: text.to_string(),
        });
    }
    if let Some(text) = rest.strip_prefix("StdErr: ") {
        return Some(EventKind::Stderr {
            job,
            run_id,
            text: text.to_string(),
        });
    }
    if let Some(rest) = rest.strip_prefix("Finished in ") {
        let (duration_text, used) = read_go_quoted(rest)?;
        let rest = &rest[used..];
        let failed = rest.contains("failed: true");
        let skipped = rest.contains("skipped: true");
        let error = rest
            .split_once("error: ")
            .map(|(_, e)| e.trim_end().to_string())
            .filter(|e| e != "none" && !e.is_empty());
        let duration = parse_go_duration(&duration_text);
        return Some(EventKind::Finished {
            job,
            run_id,
            duration_text,
            duration,
            failed,
            skipped,
            error,
        });
    }
    None
}

/// Parses a Go duration string (`1h2m3.5s`, `61.187069ms`, `500µs`, `0s`).
pub fn parse_go_duration(s: &str) -> Option<Duration> {
    let ns = crate::schedule::parse_go_duration(s.trim()).ok()?;
    u64::try_from(ns).ok().map(Duration::from_nanos)
}

/// One run of a job, folded from its lines.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Run {
    pub job: String,
    pub run_id: String,
    pub command: Option<String>,
    /// RFC 3339 times as the scheduler wrote them (its zone).
    #[serde(serialize_with = "ser_time")]
    pub started: Option<DateTime<FixedOffset>>,
    #[serde(serialize_with = "ser_time")]
    pub finished: Option<DateTime<FixedOffset>>,
    /// Go's text (`"61.187069ms"`), `None` while running.
    pub duration: Option<String>,
    pub duration_seconds: Option<f64>,
    pub failed: bool,
    pub skipped: bool,
    pub error: Option<String>,
    pub stdout: String,
    pub stderr: String,
}

fn ser_time<S: serde::Serializer>(
    t: &Option<DateTime<FixedOffset>>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.serialize_str(&t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)),
        None => s.serialize_none(),
    }
}

impl Run {
    fn new(job: &str, run_id: &str) -> Run {
        Run {
            job: job.to_string(),
            run_id: run_id.to_string(),
            command: None,
            started: None,
            finished: None,
            duration: None,
            duration_seconds: None,
            failed: false,
            skipped: false,
            error: None,
            stdout: String::new(),
            stderr: String::new(),
        }
    }
}

/// Removes the line ending a job's output buffer ends with (`\n`, `\r\n`, `\r`).
fn trim_output(s: &str) -> &str {
    s.trim_end_matches(['\n', '\r'])
}

fn append(buf: &mut String, text: &str) {
    if !buf.is_empty() {
        buf.push('\n');
    }
    buf.push_str(trim_output(text));
}

/// Folds log lines into runs. Feed it lines (or events) in order; it returns
/// each run when its `Finished` line arrives. Lines that are not log records
/// and follow a `StdOut`/`StdErr` line are that output's continuation
/// (mcuadros prints the whole buffer, newlines included).
#[derive(Debug, Default)]
pub struct Aggregator {
    open: Vec<Run>,
    /// The run and stream (true = stdout) a continuation line belongs to.
    continuing: Option<(String, bool)>,
}

impl Aggregator {
    pub fn new() -> Self {
        Self::default()
    }

    /// One raw line of the scheduler's log.
    pub fn push_line(&mut self, line: &str) -> Option<Run> {
        if let Some(rec) = parse_record(line) {
            self.continuing = None;
            let kind = parse_message(&rec.message)?;
            return self.push(LogEvent {
                time: rec.time,
                level: rec.level,
                kind,
            });
        }
        if let Some((run_id, stdout)) = &self.continuing {
            let text = line.trim_end_matches(['\r', '\n']);
            if let Some(run) = self.open.iter_mut().find(|r| &r.run_id == run_id) {
                let buf = if *stdout {
                    &mut run.stdout
                } else {
                    &mut run.stderr
                };
                buf.push('\n');
                buf.push_str(text);
            }
        }
        None
    }

    fn run_mut(&mut self, job: &str, run_id: &str) -> &mut Run {
        let pos = match self.open.iter().position(|r| r.run_id == run_id) {
            Some(p) => p,
            None => {
                self.open.push(Run::new(job, run_id));
                self.open.len() - 1
            }
        };
        &mut self.open[pos]
    }

    /// One parsed event.
    pub fn push(&mut self, ev: LogEvent) -> Option<Run> {
        self.continuing = None;
        match ev.kind {
            EventKind::Started {
                job,
                run_id,
                command,
            } => {
                let run = self.run_mut(&job, &run_id);
                run.started = ev.time;
                run.command = Some(command);
                None
            }
            EventKind::Stdout { job, run_id, text } => {
                append(&mut self.run_mut(&job, &run_id).stdout, &text);
                self.continuing = Some((run_id, true));
                None
            }
            EventKind::Stderr { job, run_id, text } => {
                append(&mut self.run_mut(&job, &run_id).stderr, &text);
                self.continuing = Some((run_id, false));
                None
            }
            EventKind::Finished {
                job,
                run_id,
                duration_text,
                duration,
                failed,
                skipped,
                error,
            } => {
                let run = self.run_mut(&job, &run_id);
                run.finished = ev.time;
                run.duration = Some(duration_text);
                run.duration_seconds = duration.map(|d| d.as_secs_f64());
                run.failed = failed;
                run.skipped = skipped;
                run.error = error;
                let pos = self.open.iter().position(|r| r.run_id == run_id)?;
                Some(self.open.remove(pos))
            }
            EventKind::Registered { .. } | EventKind::Deregistered { .. } => None,
        }
    }

    /// The runs still open (started, not finished), oldest first.
    pub fn finish(self) -> Vec<Run> {
        self.open
    }
}

/// Every run in `text` (a whole log), finished ones in order of finishing,
/// then unfinished ones.
pub fn runs(text: &str) -> Vec<Run> {
    let mut agg = Aggregator::new();
    let mut out: Vec<Run> = text.lines().filter_map(|l| agg.push_line(l)).collect();
    out.extend(agg.finish());
    out
}

/// True when `msg` says the scheduler has started (all three flavours).
pub fn is_scheduler_started(msg: &str) -> bool {
    msg.starts_with("Starting scheduler") || msg.starts_with("Scheduler started")
}

#[cfg(test)]
mod tests {
    use super::*;

    const U03: &str = include_str!("../tests/fixtures/ofelia-logs/ofelia-0.3.21.log");
    const U04: &str = include_str!("../tests/fixtures/ofelia-logs/ofelia-0.4-dev.log");
    const NR: &str = include_str!("../tests/fixtures/ofelia-logs/netresearch-0.29.0.log");

    /// Every line that mentions a job must parse into an event.
    fn all_job_lines_parse(text: &str) -> usize {
        let mut n = 0;
        for line in text.lines() {
            if line.contains("[Job ") || line.contains("New job registered") {
                let ev = parse_line(line);
                assert!(ev.is_some(), "unparsed job line: {line:?}");
                let ev = ev.unwrap();
                assert!(!ev.kind.job().contains('\x1b'));
                assert!(ev.time.is_some(), "no time: {line:?}");
                n += 1;
            }
        }
        n
    }

    #[test]
    fn every_job_line_of_the_fixtures_parses() {
        assert_eq!(all_job_lines_parse(U03), 21 + 1 + 3 * 8);
        assert_eq!(all_job_lines_parse(U04), 1 + 3 * 3);
        assert_eq!(all_job_lines_parse(NR), 2 + 3 * 5);
    }

    #[test]
    fn ofelia_03_lines() {
        let line = "2026-11-27T03:52:40.022+01:00 \x1b[31m common.go:121 ▶ ERROR\x1b[0m [Job \"tick\" (76314a1869aa)] Finished in \"19.302779ms\", failed: true, skipped: false, error: error non-zero exit code: 126";
        let ev = parse_line(line).unwrap();
        assert_eq!(ev.level, "ERROR");
        assert_eq!(
            ev.time.unwrap().to_rfc3339(),
            "2026-11-27T03:52:40.022+01:00"
        );
        match ev.kind {
            EventKind::Finished {
                job,
                run_id,
                duration,
                failed,
                skipped,
                error,
                ..
            } => {
                assert_eq!(job, "tick");
                assert_eq!(run_id, "76314a1869aa");
                assert_eq!(duration, Some(Duration::from_nanos(19_302_779)));
                assert!(failed);
                assert!(!skipped);
                assert_eq!(error.as_deref(), Some("error non-zero exit code: 126"));
            }
            k => panic!("{k:?}"),
        }
        let reg = parse_line("2026-11-27T03:52:39.88+01:00 \x1b[32m scheduler.go:44 ▶ NOTICE\x1b[0m New job registered \"j11\" - \"echo 11\" - \"0 */5 * * * *\"").unwrap();
        assert_eq!(
            reg.kind,
            EventKind::Registered {
                job: "j11".into(),
                command: "echo 11".into(),
                schedule: "0 */5 * * * *".into()
            }
        );
        // Trimmed trailing zeros in the time: `.88`.
        assert_eq!(
            reg.time.unwrap().timestamp_subsec_millis(),
            880,
            "fraction .88"
        );
    }

    #[test]
    fn ofelia_04_extra_space_and_id() {
        let ev = parse_line("2026-11-27T03:56:22.195+01:00 \x1b[32m scheduler.go:54 ▶ NOTICE \x1b[0m New job registered \"tick\" - \"date\" - \"*/5 * * * * *\" - ID: 1").unwrap();
        assert_eq!(ev.level, "NOTICE");
        assert_eq!(ev.kind.job(), "tick");
        let rec = parse_record("2026-11-27T03:56:35+01:00 \x1b[36m cron_utils.go:30 ▶ DEBUG \x1b[0m [cron=wake now=2026-11-27 03:56:35.000555412 +0100 CET]").unwrap();
        assert_eq!(rec.level, "DEBUG");
        assert!(rec.message.starts_with("[cron=wake"));
        assert!(parse_line("ofelia state: running exit=0").is_none());
        assert!(parse_record("ofelia state: running exit=0").is_none());
    }

    #[test]
    fn netresearch_slog_lines() {
        let ev = parse_line(r#"time=2026-11-27T04:00:45.005+01:00 level=ERROR source=github.com/netresearch/ofelia/core/common.go:210 msg="[Job \"ofb-app-nr0290nouser.tick\" (3a49534ea979)] StdOut: unable to find user nobody: no matching entries in passwd file\r\n""#).unwrap();
        assert_eq!(ev.level, "ERROR");
        match &ev.kind {
            EventKind::Stdout { job, run_id, text } => {
                assert_eq!(job, "ofb-app-nr0290nouser.tick");
                assert_eq!(run_id, "3a49534ea979");
                assert!(text.ends_with("passwd file\r\n"));
            }
            k => panic!("{k:?}"),
        }
        let rec = parse_record(r#"time=2026-11-27T04:00:20.452+01:00 level=INFO source=x.go:315 msg="Scheduler started" jobCount=1"#).unwrap();
        assert_eq!(rec.message, "Scheduler started");
        assert!(is_scheduler_started(&rec.message));
    }

    #[test]
    fn runs_of_the_03_fixture() {
        let runs = runs(U03);
        assert_eq!(runs.len(), 8);
        let first = &runs[0];
        assert_eq!(first.job, "tick");
        assert_eq!(first.run_id, "76314a1869aa");
        assert!(first.failed);
        assert_eq!(first.command.as_deref(), Some("date"));
        // The trailing \r is gone; no colour codes anywhere.
        assert_eq!(
            first.stdout,
            "unable to find user root: no matching entries in passwd file"
        );
        assert_eq!(first.duration.as_deref(), Some("19.302779ms"));
        assert!((first.duration_seconds.unwrap() - 0.019302779).abs() < 1e-12);
        let last = &runs[7];
        assert!(!last.failed);
        assert_eq!(last.stdout, "Fri Nov 27 03:01:15 UTC 2026");
        assert_eq!(last.error, None);
        assert_eq!(runs.iter().filter(|r| r.failed).count(), 5);
        for r in &runs {
            assert!(r.started.is_some() && r.finished.is_some());
            assert!(!r.stdout.contains('\x1b') && !r.stdout.contains('\r'));
        }
    }

    #[test]
    fn runs_of_the_04_and_netresearch_fixtures() {
        let r04 = runs(U04);
        assert_eq!(r04.len(), 3);
        assert!(r04.iter().all(|r| !r.failed && !r.skipped));
        assert_eq!(r04[2].duration_seconds, Some(0.063918021));
        let nr = runs(NR);
        assert_eq!(nr.len(), 5);
        assert_eq!(nr.iter().filter(|r| r.failed).count(), 2);
        assert_eq!(nr[0].stdout, "Fri Nov 27 03:00:25 UTC 2026");
        assert_eq!(
            nr[3].stdout,
            "unable to find user nobody: no matching entries in passwd file"
        );
        assert_eq!(
            nr[3].error.as_deref(),
            Some("job run: non-zero exit code: 126")
        );
    }

    #[test]
    fn multi_line_output_continues() {
        let text = "2026-01-01T00:00:00Z  common.go:125 ▶ NOTICE [Job \"x\" (aaaaaaaaaaaa)] Started - ls\n\
2026-01-01T00:00:01Z  common.go:125 ▶ NOTICE [Job \"x\" (aaaaaaaaaaaa)] StdOut: a\n\
b\r\n\
c\n\
2026-01-01T00:00:01Z  common.go:125 ▶ NOTICE [Job \"x\" (aaaaaaaaaaaa)] Finished in \"1m2.5s\", failed: false, skipped: true, error: none\n";
        let r = runs(text);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].stdout, "a\nb\nc");
        assert!(r[0].skipped);
        assert_eq!(r[0].duration_seconds, Some(62.5));
    }

    #[test]
    fn go_durations() {
        assert_eq!(parse_go_duration("1.2s"), Some(Duration::from_millis(1200)));
        assert_eq!(parse_go_duration("1h2m3s"), Some(Duration::from_secs(3723)));
        assert_eq!(parse_go_duration("500µs"), Some(Duration::from_micros(500)));
        assert_eq!(parse_go_duration("0s"), Some(Duration::ZERO));
        assert_eq!(parse_go_duration("abc"), None);
    }

    #[test]
    fn ansi_is_stripped() {
        assert_eq!(strip_ansi("a\x1b[32mb\x1b[0m c"), "ab c");
    }
}
