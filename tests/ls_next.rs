//! `ls` and `next` end to end: real compose projects started with
//! docker-compose on the test engine, the same files read offline, the JSON
//! contracts, error paths, and regression tests named after the peers' issues
//! (../shared/spec/peers-and-style.md).

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::{docker_cmd, ok, run, test_host, unique, Cleanup, TestEnv, BUSYBOX};
use serde::Deserialize;

const SCHEDULER: &str = "docker-ofelia-test/scheduler:latest";

/// The `ls --format json` contract (README.md, section ls). An added or
/// renamed field fails this test: update the README with it.
#[derive(Deserialize, Debug, Clone, PartialEq)]
#[serde(deny_unknown_fields)]
struct LsRow {
    project: Option<String>,
    service: Option<String>,
    container: String,
    job: String,
    #[serde(rename = "type")]
    job_type: String,
    schedule: Option<String>,
    command: Option<String>,
    target: Option<String>,
    next: Option<String>,
    runs: bool,
    notes: Vec<String>,
    params: BTreeMap<String, String>,
    flavor: String,
    timezone: String,
    scheduler: Option<String>,
}

/// The `next --format json` contract.
#[derive(Deserialize, Debug, Clone, PartialEq)]
#[serde(deny_unknown_fields)]
struct NextRow {
    time: String,
    project: Option<String>,
    service: Option<String>,
    job: String,
    #[serde(rename = "type")]
    job_type: String,
    target: Option<String>,
    schedule: String,
    flavor: String,
    timezone: String,
    scheduler: Option<String>,
}

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/mystack/docker-compose.yml")
}

fn ls_json(cmd: Command) -> (Vec<LsRow>, String) {
    let dbg = format!("{cmd:?}");
    let (code, out, err) = run(cmd);
    assert_eq!(code, 0, "{dbg}\nstdout:\n{out}\nstderr:\n{err}");
    let rows: Vec<LsRow> =
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{dbg}: {e}\n{out}"));
    (rows, err)
}

fn next_json(cmd: Command) -> (Vec<NextRow>, String) {
    let dbg = format!("{cmd:?}");
    let (code, out, err) = run(cmd);
    assert_eq!(code, 0, "{dbg}\nstdout:\n{out}\nstderr:\n{err}");
    let rows: Vec<NextRow> =
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{dbg}: {e}\n{out}"));
    (rows, err)
}

fn job<'a>(rows: &'a [LsRow], name: &str) -> &'a LsRow {
    rows.iter()
        .find(|r| r.job == name)
        .unwrap_or_else(|| panic!("no job {name} in {rows:#?}"))
}

/// Writes files into the TestEnv's directory (creating parents).
fn write(env: &TestEnv, rel: &str, text: &str) -> PathBuf {
    let p = env.path().join(rel);
    if let Some(d) = p.parent() {
        std::fs::create_dir_all(d).expect("mkdir");
    }
    std::fs::write(&p, text).expect("write");
    p
}

/// A compose project started with docker-compose v1 on the test engine,
/// taken down on drop (also when the test fails).
struct Stack {
    project: String,
    file: PathBuf,
    _cleanup: Cleanup,
}

fn compose_cmd(project: &str, file: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new("docker-compose");
    for (k, _) in std::env::vars() {
        if k.starts_with("DOCKER_") || k.starts_with("COMPOSE_") {
            cmd.env_remove(&k);
        }
    }
    cmd.env("DOCKER_HOST", test_host())
        .current_dir(file.parent().expect("dir"))
        .arg("-p")
        .arg(project)
        .arg("-f")
        .arg(file)
        .args(args)
        .stdin(Stdio::null());
    cmd
}

impl Stack {
    fn up(project: &str, file: &Path, extra: &[&str]) -> Stack {
        let cleanup = Cleanup(vec![format!("label=com.docker.compose.project={project}")]);
        drop(Cleanup(vec![format!(
            "label=com.docker.compose.project={project}"
        )]));
        let mut args = vec!["up", "-d"];
        args.extend_from_slice(extra);
        let stack = Stack {
            project: project.to_string(),
            file: file.to_path_buf(),
            _cleanup: cleanup,
        };
        ok(compose_cmd(project, file, &args));
        stack
    }
}

impl Drop for Stack {
    fn drop(&mut self) {
        let _ = compose_cmd(
            &self.project,
            &self.file,
            &["down", "-t", "0", "--remove-orphans"],
        )
        .output();
    }
}

fn app_service(name: &str, labels: &str) -> String {
    format!(
        "  {name}:\n    image: {BUSYBOX}\n    network_mode: none\n    command: [\"sleep\", \"3600\"]\n    labels:\n{labels}"
    )
}

/// Writes `DIR/docker-compose.yml` holding one app service `app` with these
/// label lines.
fn app_compose(env: &TestEnv, dir: &str, labels: &str) -> PathBuf {
    write(
        env,
        &format!("{dir}/docker-compose.yml"),
        &format!("services:\n{}", app_service("app", labels)),
    )
}

/// `ls -f FILE --format json`, offline.
fn ls_file(env: &TestEnv, f: &Path) -> (Vec<LsRow>, String) {
    ls_json(env.plugin(["ls", "-f", f.to_str().expect("utf8"), "--format", "json"]))
}

// ---------------------------------------------------------------- offline

#[test]
fn json_contract_of_ls_and_next() {
    let env = TestEnv::new();
    let file = example();
    let (rows, err) =
        ls_json(env.plugin(["ls", "-f", file.to_str().expect("utf8"), "--format", "json"]));
    assert_eq!(rows.len(), 1, "{rows:#?}\n{err}");
    let r = &rows[0];
    assert_eq!(r.project.as_deref(), Some("mystack"));
    assert_eq!(r.service.as_deref(), Some("app"));
    assert_eq!(r.container, "mystack-app-1");
    assert_eq!(r.job, "datecron");
    assert_eq!(r.job_type, "job-exec");
    assert_eq!(r.schedule.as_deref(), Some("0 0 8 * * 1"));
    assert_eq!(r.command.as_deref(), Some("python -m TYPER_LAUNCH"));
    assert_eq!(r.target.as_deref(), Some("mystack-app-1"));
    assert!(r.runs);
    assert!(r.notes.is_empty(), "{:?}", r.notes);
    assert_eq!(r.flavor, "ofelia-0.3");
    assert_eq!(r.timezone, "Europe/Paris");
    assert_eq!(r.scheduler.as_deref(), Some("mystack-scheduler-1"));
    let next = r.next.as_deref().expect("next");
    assert!(
        next.ends_with("T08:00:00+01:00") || next.ends_with("T08:00:00+02:00"),
        "{next}"
    );

    let (fires, _) = next_json(env.plugin([
        "next",
        "-f",
        file.to_str().expect("utf8"),
        "--format",
        "json",
        "-n",
        "3",
        "--from",
        "2027-03-20T00:00:00Z",
    ]));
    let times: Vec<&str> = fires.iter().map(|f| f.time.as_str()).collect();
    assert_eq!(
        times,
        [
            "2027-03-22T08:00:00+01:00",
            "2027-03-29T08:00:00+02:00",
            "2027-04-05T08:00:00+02:00"
        ]
    );
    let f = &fires[0];
    assert_eq!(
        (
            f.project.as_deref(),
            f.job.as_str(),
            f.job_type.as_str(),
            f.target.as_deref(),
            f.timezone.as_str()
        ),
        (
            Some("mystack"),
            "datecron",
            "job-exec",
            Some("mystack-app-1"),
            "Europe/Paris"
        )
    );
}

#[test]
fn table_shows_source_scheduler_flavour_and_zone() {
    let env = TestEnv::new();
    let file = example();
    let out = ok(env.plugin(["ls", "-f", file.to_str().expect("utf8")]));
    assert!(
        out.contains("Scheduler mystack-scheduler-1: flavour ofelia-0.3"),
        "{out}"
    );
    assert!(
        out.contains("zone Europe/Paris (TZ of mystack-scheduler-1)"),
        "{out}"
    );
    let header = out
        .lines()
        .find(|l| l.starts_with("PROJECT"))
        .expect("header");
    let cols: Vec<&str> = header.split_whitespace().collect();
    assert_eq!(
        cols,
        ["PROJECT", "SERVICE", "JOB", "TYPE", "SCHEDULE", "COMMAND", "NEXT", "NOTE"]
    );
    let row = out.lines().find(|l| l.starts_with("mystack")).expect("row");
    assert!(
        row.contains("datecron") && row.contains("0 0 8 * * 1") && row.contains(" in "),
        "{row}"
    );

    let out = ok(env.plugin([
        "next",
        "-f",
        file.to_str().expect("utf8"),
        "-n",
        "2",
        "--from",
        "2026-11-27T00:00:00Z",
    ]));
    assert!(out.contains("Mon 2026-11-30 08:00:00 +01:00"), "{out}");
    assert!(out.contains("Mon 2026-12-07 08:00:00 +01:00"), "{out}");
    assert!(out.contains("zone Europe/Paris"), "{out}");
    assert_eq!(
        ok(env.plugin(["ls", "-q", "-f", file.to_str().expect("utf8")])),
        "datecron\n"
    );
}

#[test]
fn flags_override_flavour_and_zone_and_select_jobs() {
    let env = TestEnv::new();
    let f = write(
        &env,
        "p/docker-compose.yml",
        &format!(
            "services:\n{}{}",
            app_service("a", "      ofelia.enabled: \"true\"\n      ofelia.job-exec.one.schedule: \"0 0 8 * * *\"\n      ofelia.job-exec.one.command: \"true\"\n"),
            app_service("b", "      ofelia.enabled: \"true\"\n      ofelia.job-exec.two.schedule: \"0 30 8 * * *\"\n      ofelia.job-exec.two.command: \"true\"\n"),
        ),
    );
    let file = f.to_str().expect("utf8");
    let from = "2026-11-27T00:00:00Z";
    let (rows, err) = next_json(env.plugin([
        "next", "-f", file, "--format", "json", "--from", from, "-n", "4",
    ]));
    assert!(
        err.contains("no scheduler service in these compose files"),
        "{err}"
    );
    let got: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (r.time.as_str(), r.job.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("2026-11-27T08:00:00Z", "one"),
            ("2026-11-27T08:30:00Z", "two"),
            ("2026-11-28T08:00:00Z", "one"),
            ("2026-11-28T08:30:00Z", "two")
        ]
    );
    // --tz, --until, --job (repeatable), netresearch's service.name
    let (rows, _) = next_json(env.plugin([
        "next",
        "-f",
        file,
        "--format",
        "json",
        "--from",
        from,
        "--until",
        "2026-11-29T12:00:00Z",
        "--tz",
        "America/New_York",
        "--flavor",
        "netresearch",
        "--job",
        "a.one",
    ]));
    let got: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (r.time.as_str(), r.job.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("2026-11-27T08:00:00-05:00", "a.one"),
            ("2026-11-28T08:00:00-05:00", "a.one")
        ]
    );
    assert!(rows
        .iter()
        .all(|r| r.flavor == "netresearch" && r.timezone == "America/New_York"));
    let (code, _, err) = run(env.plugin(["next", "-f", file, "--job", "nope"]));
    assert_eq!(code, 1);
    assert!(err.contains("no such job: nope"), "{err}");
}

#[test]
fn error_paths() {
    let env = TestEnv::new();
    let bad = write(
        &env,
        "bad/docker-compose.yml",
        "services:\n  a:\n    image: x\n   labels: [\n",
    );
    let (code, out, err) = run(env.plugin(["ls", "-f", bad.to_str().expect("utf8")]));
    assert_eq!(code, 1, "{out}{err}");
    assert!(err.contains("docker-compose.yml:4:"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");

    let (code, _, err) = run(env.plugin(["ls", "-p", "Bad Name"]));
    assert_eq!(code, 125);
    assert!(err.contains("invalid project name \"Bad Name\""), "{err}");

    let (code, _, err) = run(env.plugin(["next", "--from", "nonsense"]));
    assert_eq!(code, 125);
    assert!(
        err.contains("invalid argument \"nonsense\" for \"--from\" flag"),
        "{err}"
    );

    // A bad --tz is a usage error, as in explain and up, not a warning
    // followed by a preview in UTC.
    let f = example();
    for cmd in ["ls", "next"] {
        let (code, out, err) =
            run(env.plugin([cmd, "-f", f.to_str().expect("utf8"), "--tz", "Mars/Olympus"]));
        assert_eq!(code, 125, "{cmd}: {out}{err}");
        assert!(out.is_empty(), "{cmd}: {out}");
        assert_eq!(err.lines().count(), 1, "{cmd}: {err}");
        assert!(
            err.starts_with("invalid --tz: unknown time zone \"Mars/Olympus\""),
            "{cmd}: {err}"
        );
    }

    let gone = env.path().join("nonexistent.sock");
    let host = format!("unix://{}", gone.display());
    let env = TestEnv::new().env("DOCKER_HOST", &host);
    for cmd in [env.plugin(["ls"]), env.docker(["ofelia", "next"])] {
        let (code, _, err) = run(cmd);
        assert_eq!(code, 1, "{err}");
        assert_eq!(
            err.trim(),
            format!("Cannot connect to the Docker daemon at {host}. Is the docker daemon running?")
        );
    }
}

// ------------------------------------------------ regressions (peers' issues)

/// MO#99: in list syntax, `- key="value"` keeps the quotes in the value, so
/// the schedule is `"@every 1s"` (quotes included), which cron rejects.
#[test]
fn mo99_list_value_keeps_quotes() {
    let env = TestEnv::new();
    let f = app_compose(&env, "mo99", "      - ofelia.enabled=true\n      - ofelia.job-exec.quoted.schedule=\"@every 1s\"\n      - ofelia.job-exec.quoted.command=date\n      - ofelia.job-exec.plain.schedule=@every 1s\n      - ofelia.job-exec.plain.command=date\n");
    let (rows, _) = ls_file(&env, &f);
    let q = job(&rows, "quoted");
    assert_eq!(q.schedule.as_deref(), Some("\"@every 1s\""));
    assert!(!q.runs && q.next.is_none(), "{q:#?}");
    assert!(
        q.notes
            .iter()
            .any(|n| n.starts_with("invalid schedule") && n.contains("MO#99")),
        "{q:#?}"
    );
    let p = job(&rows, "plain");
    assert!(p.runs && p.next.is_some(), "{p:#?}");
    let out = ok(env.plugin(["ls", "-f", f.to_str().expect("utf8"), "--no-trunc"]));
    assert!(out.contains("invalid schedule"), "{out}");
}

/// MO#126: `ofelia.enable=true` is not `ofelia.enabled=true`: no job, and a warning.
#[test]
fn mo126_enable_is_not_enabled() {
    let env = TestEnv::new();
    let f = app_compose(&env, "mo126", "      ofelia.enable: \"true\"\n      ofelia.job-exec.x.schedule: \"@hourly\"\n      ofelia.job-exec.x.command: date\n");
    let (rows, err) = ls_file(&env, &f);
    assert!(rows.iter().all(|r| !r.runs), "{rows:#?}");
    assert!(
        err.contains("\"ofelia.enable=true\" is not \"ofelia.enabled=true\""),
        "{err}"
    );
}

/// MO#84: two unscoped schedulers both run the app's jobs: a warning for the
/// app, none for the schedulers themselves (they carry `ofelia.enabled=true`,
/// as `docker ofelia up` makes them, but no job).
#[test]
fn several_schedulers_warn_only_for_containers_with_jobs() {
    let env = TestEnv::new();
    let sched = |name: &str| {
        format!(
            "  {name}:\n    image: mcuadros/ofelia:latest\n    command: daemon --docker\n    labels:\n      ofelia.service: \"true\"\n      ofelia.enabled: \"true\"\n"
        )
    };
    let f = write(
        &env,
        "mo84/docker-compose.yml",
        &format!(
            "services:\n{}{}{}",
            app_service("app", "      ofelia.enabled: \"true\"\n      ofelia.job-exec.x.schedule: \"@hourly\"\n      ofelia.job-exec.x.command: date\n"),
            sched("s1"),
            sched("s2"),
        ),
    );
    let (rows, err) = ls_file(&env, &f);
    assert_eq!(rows.len(), 1, "{rows:#?}");
    assert!(
        err.contains("mo84-app-1: its jobs are run by 2 schedulers"),
        "{err}"
    );
    assert!(!err.contains("mo84-s1-1: its jobs"), "{err}");
    assert!(!err.contains("mo84-s2-1: its jobs"), "{err}");
}

/// The example stack read under another project name (`-f -` from another
/// directory): its scheduler's -f filter leaves the app out, and the warning
/// names that scheduler instead of saying there is none.
#[test]
fn scheduler_service_that_does_not_select_is_named() {
    let env = TestEnv::new();
    let f = example();
    let (rows, err) = ls_json(env.plugin([
        "ls",
        "-p",
        "other",
        "-f",
        f.to_str().expect("utf8"),
        "--format",
        "json",
    ]));
    assert!(rows.iter().all(|r| r.scheduler.is_none()), "{rows:#?}");
    assert!(
        err.contains("the scheduler service in these compose files (other-scheduler-1) does not select these jobs"),
        "{err}"
    );
}

/// MO#167: the `ofeila.` typo is silently ignored by Ofelia; ls says so.
#[test]
fn mo167_misspelled_prefix() {
    let env = TestEnv::new();
    let f = app_compose(&env, "mo167", "      - ofelia.enabled=true\n      - ofeila.job-exec.typo.schedule=@hourly\n      - ofeila.job-exec.typo.command=date\n");
    let (rows, err) = ls_file(&env, &f);
    assert!(rows.is_empty(), "{rows:#?}");
    assert!(
        err.contains("did you mean \"ofelia.job-exec.typo.schedule\"? (MO#167)"),
        "{err}"
    );
}

/// MO#109, MO#167: job-run labels on an app container (not the scheduler)
/// are never read by mcuadros/ofelia.
#[test]
fn mo109_job_run_on_app_container() {
    let env = TestEnv::new();
    let f = app_compose(&env, "mo109", &format!("      ofelia.enabled: \"true\"\n      ofelia.job-run.nightly.schedule: \"@daily\"\n      ofelia.job-run.nightly.image: {BUSYBOX}\n"));
    let (rows, _) = ls_file(&env, &f);
    let j = job(&rows, "nightly");
    assert_eq!(j.job_type, "job-run");
    assert!(!j.runs && j.next.is_none(), "{j:#?}");
    assert!(
        j.notes.iter().any(|n| n.contains("only on the scheduler")),
        "{j:#?}"
    );
    // next leaves it out, and says why when asked for it by name.
    let (fires, err) = next_json(env.plugin([
        "next",
        "-f",
        f.to_str().expect("utf8"),
        "--format",
        "json",
        "--job",
        "nightly",
    ]));
    assert!(fires.is_empty(), "{fires:#?}");
    assert!(
        err.contains("job nightly: the scheduler will not run it"),
        "{err}"
    );
}

/// NR#86: the same job name on two containers. mcuadros merges them into one
/// job; netresearch prefixes the service and, for two containers of one
/// service, keeps the first.
#[test]
fn nr86_duplicate_job_names() {
    let env = TestEnv::new();
    let labels = "      ofelia.enabled: \"true\"\n      ofelia.job-exec.backup.schedule: \"@daily\"\n      ofelia.job-exec.backup.command: date\n";
    let f = write(
        &env,
        "nr86/docker-compose.yml",
        &format!(
            "services:\n{}{}",
            app_service("db", labels),
            app_service("web", labels)
        ),
    );
    let file = f.to_str().expect("utf8");
    let (rows, _) = ls_json(env.plugin(["ls", "-f", file, "--format", "json"]));
    assert_eq!(rows.len(), 1, "{rows:#?}");
    assert!(
        rows[0]
            .notes
            .iter()
            .any(|n| n.contains("merges them into one job")),
        "{rows:#?}"
    );
    let (rows, _) = ls_json(env.plugin([
        "ls",
        "-f",
        file,
        "--format",
        "json",
        "--flavor",
        "netresearch",
    ]));
    let names: BTreeSet<&str> = rows
        .iter()
        .filter(|r| r.runs)
        .map(|r| r.job.as_str())
        .collect();
    assert_eq!(names, BTreeSet::from(["db.backup", "web.backup"]));
}

// ------------------------------------------------------------------- live

/// A scheduler service (the stand-in image) that only runs `project`'s jobs,
/// in Paris time, with extra labels.
fn scheduler_service(project: &str, labels: &str) -> String {
    format!(
        "  scheduler:\n    image: {SCHEDULER}\n    network_mode: none\n    command: [\"daemon\", \"--docker\", \"-f\", \"label=com.docker.compose.project={project}\"]\n    environment:\n      TZ: Europe/Paris\n    labels:\n      ofelia.service: \"true\"\n      ofelia.enabled: \"true\"\n{labels}"
    )
}

/// The seed's done-when, through the real docker CLI: project `mystack`'s
/// app carries the job; its scheduler lives in another compose project, with
/// TZ=Europe/Paris and `-f label=com.docker.compose.project=mystack`.
#[test]
fn mystack_seed_through_docker_cli() {
    require_engine!();
    // The seed needs the project name `mystack`: never touch a real one.
    let existing = ok(docker_cmd([
        "ps",
        "-aq",
        "--filter",
        "label=com.docker.compose.project=mystack",
    ]));
    if !existing.trim().is_empty() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "a project `mystack` already exists on the CI engine"
        );
        eprintln!(
            "skipped: a compose project `mystack` already runs on this engine; it is left alone"
        );
        return;
    }
    let env = TestEnv::new();
    let sched_project = unique("lsnsched");
    let app = write(
        &env,
        "mystack/docker-compose.yml",
        &format!(
            "services:\n{}",
            app_service(
                "app",
                "      - ofelia.enabled=true\n      - ofelia.job-exec.datecron.schedule=0 0 8 * * 1\n      - ofelia.job-exec.datecron.command=python -m TYPER_LAUNCH\n"
            )
        ),
    );
    let sched = write(
        &env,
        "sched/docker-compose.yml",
        &format!("services:\n{}", scheduler_service("mystack", "")),
    );
    let _app = Stack::up("mystack", &app, &[]);
    let _sched = Stack::up(&sched_project, &sched, &[]);

    let out = ok(env.docker(["ofelia", "ls"]));
    // (Other tests may run containers on the same engine: look at mystack's rows.)
    let row = out
        .lines()
        .find(|l| l.starts_with("mystack ") && l.contains("datecron"))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(
        row.contains("0 0 8 * * 1") && row.contains("python -m TYPER_LAUNCH"),
        "{out}"
    );
    assert!(
        out.contains(&format!("Scheduler {sched_project}_scheduler_1:")),
        "{out}"
    );
    assert!(out.contains("zone Europe/Paris"), "{out}");

    let out = ok(env.docker(["ofelia", "next", "--project", "mystack", "-n", "3"]));
    let times: Vec<&str> = out.lines().filter(|l| l.contains("datecron")).collect();
    assert_eq!(times.len(), 3, "{out}");
    for l in &times {
        assert!(
            l.starts_with("Mon ")
                && (l.contains(" 08:00:00 +01:00") || l.contains(" 08:00:00 +02:00")),
            "{out}"
        );
    }
    // Across the spring change: +01:00, then +02:00.
    let (fires, _) = next_json(env.docker([
        "ofelia",
        "next",
        "-p",
        "mystack",
        "--format",
        "json",
        "-n",
        "2",
        "--from",
        "2027-03-20T00:00:00Z",
    ]));
    let t: Vec<&str> = fires.iter().map(|f| f.time.as_str()).collect();
    assert_eq!(
        t,
        ["2027-03-22T08:00:00+01:00", "2027-03-29T08:00:00+02:00"]
    );
    assert_eq!(
        fires[0].scheduler.as_deref(),
        Some(format!("{sched_project}_scheduler_1").as_str())
    );
}

/// Fields that must agree between the live and the offline view (container
/// names differ: docker-compose v1 names them proj_svc_1, v2 proj-svc-1).
/// Without `with_scheduler`, what depends on the scheduler is left out: a
/// scheduler without -f filters that another test runs on the same engine
/// takes every project's jobs.
fn comparable(rows: &[LsRow], with_scheduler: bool) -> BTreeSet<String> {
    rows.iter()
        .map(|r| {
            let notes = r
                .notes
                .iter()
                .filter(|n| with_scheduler || *n != "no scheduler runs this job")
                .count();
            let sched = if with_scheduler {
                format!("{} {} {}", r.flavor, r.timezone, r.scheduler.is_some())
            } else {
                String::new()
            };
            format!(
                "{:?} {:?} {} {} {:?} {:?} runs={} notes={} params={:?} {sched}",
                r.project,
                r.service,
                r.job,
                r.job_type,
                r.schedule,
                r.command,
                r.runs,
                notes,
                r.params
                    .iter()
                    .filter(|(k, _)| *k != "container")
                    .collect::<Vec<_>>(),
            )
        })
        .collect()
}

/// Two live projects (list and map labels, `.env` interpolation, a
/// scheduler with job-run and job-local labels, a misspelt label) and the
/// same files read offline give the same jobs.
#[test]
fn live_and_offline_views_agree() {
    require_engine!();
    let env = TestEnv::new();
    let a = unique("lsna");
    let b = unique("lsnb");
    write(
        &env,
        "a/.env",
        &format!("COMPOSE_PROJECT_NAME={a}\nBACKUP_SCHEDULE=0 30 2 * * *\nWORD=hello\n"),
    );
    let fa = write(
        &env,
        "a/docker-compose.yml",
        &format!(
            "services:\n{}{}{}",
            app_service(
                "app",
                "      - ofelia.enabled=true\n      - ofelia.job-exec.backup.schedule=${BACKUP_SCHEDULE}\n      - ofelia.job-exec.backup.command=echo ${WORD} $$HOME\n      - ofelia.job-exec.backup.slack-webhook=https://hooks.slack.com/services/T0/B0/SECRETVALUE\n      - ofeila.job-exec.typo.schedule=@hourly\n"
            ),
            app_service(
                "worker",
                &format!("      ofelia.enabled: \"true\"\n      ofelia.job-exec.report.schedule: \"@every 90m\"\n      ofelia.job-exec.report.command: \"echo ${{MISSING:-report}}\"\n      ofelia.job-run.misplaced.schedule: \"@daily\"\n      ofelia.job-run.misplaced.image: {BUSYBOX}\n")
            ),
            scheduler_service(
                &a,
                &format!("      ofelia.job-local.cleanup.schedule: \"0 0 3 * * *\"\n      ofelia.job-local.cleanup.command: \"rm -rf /tmp/x\"\n      ofelia.job-run.nightly.schedule: \"0 15 1 * * *\"\n      ofelia.job-run.nightly.image: {BUSYBOX}\n      ofelia.job-run.nightly.command: \"echo nightly\"\n")
            ),
        ),
    );
    let fb = write(
        &env,
        "b/docker-compose.yml",
        &format!(
            "services:\n{}",
            app_service("db", "      ofelia.enabled: \"true\"\n      ofelia.job-exec.vacuum.schedule: \"@daily\"\n      ofelia.job-exec.vacuum.command: vacuumdb\n")
        ),
    );
    let _sa = Stack::up(&a, &fa, &[]);
    let _sb = Stack::up(&b, &fb, &[]);

    for (project, file, n) in [(&a, &fa, 5), (&b, &fb, 1)] {
        let (live, live_err) = ls_json(env.plugin(["ls", "-p", project, "--format", "json"]));
        let (offline, off_err) = ls_json(env.plugin([
            "ls",
            "-p",
            project,
            "-f",
            file.to_str().expect("utf8"),
            "--format",
            "json",
        ]));
        assert_eq!(live.len(), n, "{live:#?}\n{live_err}");
        let with_scheduler = project == &a;
        assert_eq!(
            comparable(&live, with_scheduler),
            comparable(&offline, with_scheduler),
            "live:\n{live:#?}\noffline:\n{offline:#?}"
        );
        if project == &a {
            for err in [&live_err, &off_err] {
                assert!(err.contains("ofeila.job-exec.typo.schedule"), "{err}");
            }
        }
    }
    // The project of the compose file in the current directory (from its .env).
    let mut cmd = env.plugin(["ls", "--format", "json"]);
    cmd.current_dir(fa.parent().expect("dir"));
    let (here, _) = ls_json(cmd);
    let (by_name, _) = ls_json(env.plugin(["ls", "-p", &a, "--format", "json"]));
    assert_eq!(comparable(&here, true), comparable(&by_name, true));
    // COMPOSE_PROJECT_NAME, as compose reads it.
    let (by_env, _) = ls_json(
        TestEnv::new()
            .env("COMPOSE_PROJECT_NAME", &a)
            .plugin(["ls", "--format", "json"]),
    );
    assert_eq!(comparable(&by_env, true), comparable(&by_name, true));

    let (live, _) = ls_json(env.plugin(["ls", "-p", &a, "--format", "json"]));
    let backup = job(&live, "backup");
    assert_eq!(backup.schedule.as_deref(), Some("0 30 2 * * *"));
    assert_eq!(backup.command.as_deref(), Some("echo hello $HOME"));
    assert_eq!(
        backup.params.get("slack-webhook").map(String::as_str),
        Some("****")
    );
    assert_eq!(job(&live, "report").command.as_deref(), Some("echo report"));
    // @every counts from the running scheduler's start, as Ofelia does.
    let started = ok(docker_cmd([
        "inspect",
        "-f",
        "{{.State.StartedAt}}",
        &format!("{a}_scheduler_1"),
    ]));
    let started = chrono::DateTime::parse_from_rfc3339(started.trim())
        .expect("StartedAt")
        .timestamp();
    let next = job(&live, "report")
        .next
        .clone()
        .expect("next of @every 90m");
    let next = chrono::DateTime::parse_from_rfc3339(&next)
        .expect("rfc3339")
        .timestamp();
    assert_eq!(
        (next - started) % 5400,
        0,
        "next {next}, scheduler started {started}"
    );
    assert!(next > chrono::Utc::now().timestamp() && next <= chrono::Utc::now().timestamp() + 5400);
    assert!(job(&live, "cleanup").runs && job(&live, "nightly").runs);
    assert!(!job(&live, "misplaced").runs);
    assert_eq!(backup.timezone, "Europe/Paris");
    // Secrets are masked in every view.
    for args in [
        vec!["ls", "-p", &a, "--no-trunc"],
        vec!["ls", "-p", &a, "--format", "json"],
        vec!["next", "-p", &a, "--format", "json"],
    ] {
        let (_, out, err) = run(env.plugin(&args));
        assert!(
            !out.contains("SECRETVALUE") && !err.contains("SECRETVALUE"),
            "{args:?}\n{out}\n{err}"
        );
    }
    // -q: job names, once each.
    let q = ok(env.plugin(["ls", "-q", "-p", &a]));
    assert_eq!(
        q.lines().collect::<BTreeSet<_>>(),
        BTreeSet::from(["backup", "cleanup", "misplaced", "nightly", "report"])
    );
}

/// MO#84, MO#156: a scheduler filtered to its own project does not run
/// another project's jobs; that other project is told no scheduler runs them.
#[test]
fn mo84_mo156_jobs_leak_between_projects() {
    require_engine!();
    let env = TestEnv::new();
    let a = unique("lsnleaka");
    let b = unique("lsnleakb");
    let job_labels = |name: &str| {
        format!("      ofelia.enabled: \"true\"\n      ofelia.job-exec.{name}.schedule: \"@hourly\"\n      ofelia.job-exec.{name}.command: date\n")
    };
    let fa = write(
        &env,
        "a/docker-compose.yml",
        &format!(
            "services:\n{}{}",
            app_service("app", &job_labels("ja")),
            scheduler_service(&a, "")
        ),
    );
    let fb = write(
        &env,
        "b/docker-compose.yml",
        &format!("services:\n{}", app_service("app", &job_labels("jb"))),
    );
    let _sa = Stack::up(&a, &fa, &[]);
    let _sb = Stack::up(&b, &fb, &[]);

    let (rows, err) = ls_json(env.plugin(["ls", "-p", &b, "--format", "json"]));
    let jb = job(&rows, "jb");
    let a_sched = format!("{a}_scheduler_1");
    assert_ne!(jb.scheduler.as_deref(), Some(a_sched.as_str()), "{rows:#?}");
    // (Unless another test runs an unfiltered scheduler on this engine.)
    if jb.scheduler.is_none() {
        assert!(
            jb.notes.iter().any(|n| n == "no scheduler runs this job"),
            "{jb:#?}"
        );
        assert!(
            err.contains("no scheduler is running for these jobs: they will not fire"),
            "{err}"
        );
    }

    let (rows, _) = ls_json(env.plugin(["ls", "-p", &a, "--format", "json"]));
    assert_eq!(
        job(&rows, "ja").scheduler.as_deref(),
        Some(a_sched.as_str())
    );

    // Every project at once: each job with its own scheduler (or none).
    let (rows, _) = ls_json(env.plugin(["ls", "--format", "json"]));
    assert_eq!(
        job(&rows, "ja").scheduler.as_deref(),
        Some(a_sched.as_str())
    );
    assert_ne!(
        job(&rows, "jb").scheduler.as_deref(),
        Some(a_sched.as_str())
    );

    // With the scheduler stopped, its jobs are not its any more, and the warning says so.
    ok(docker_cmd(["stop", "-t", "0", &a_sched]));
    let (rows, err) = ls_json(env.plugin(["ls", "-p", &a, "--format", "json"]));
    let ja = job(&rows, "ja");
    assert_ne!(ja.scheduler.as_deref(), Some(a_sched.as_str()), "{rows:#?}");
    if ja.scheduler.is_none() {
        assert!(err.contains(&format!("(stopped: {a_sched})")), "{err}");
    }
}

/// NR#86 on the engine: two containers of one service (`--scale app=2`)
/// declare the same job; netresearch keeps the first, mcuadros merges them.
#[test]
fn nr86_duplicate_job_names_live() {
    require_engine!();
    let env = TestEnv::new();
    let p = unique("lsndup");
    let f = app_compose(&env, "dup", "      ofelia.enabled: \"true\"\n      ofelia.job-exec.backup.schedule: \"@daily\"\n      ofelia.job-exec.backup.command: date\n");
    let _s = Stack::up(&p, &f, &["--scale", "app=2"]);
    let (rows, _) = ls_json(env.plugin([
        "ls",
        "-p",
        &p,
        "--format",
        "json",
        "--flavor",
        "netresearch",
    ]));
    assert_eq!(rows.len(), 2, "{rows:#?}");
    assert!(rows.iter().all(|r| r.job == "app.backup"), "{rows:#?}");
    assert_eq!(rows.iter().filter(|r| r.runs).count(), 1, "{rows:#?}");
    let loser = rows.iter().find(|r| !r.runs).expect("ignored one");
    assert!(
        loser.notes.iter().any(|n| n.contains("NR#86")),
        "{loser:#?}"
    );
    let (rows, _) =
        ls_json(env.plugin(["ls", "-p", &p, "--format", "json", "--flavor", "ofelia-0.3"]));
    assert_eq!(rows.len(), 1, "{rows:#?}");
    assert!(
        rows[0]
            .notes
            .iter()
            .any(|n| n.contains("merges them into one job")),
        "{rows:#?}"
    );
}

/// `-a` adds jobs on stopped containers, with a note; without it they are
/// not listed (Ofelia reads running containers only).
#[test]
fn ls_all_includes_stopped_containers() {
    require_engine!();
    let env = TestEnv::new();
    let p = unique("lsnstop");
    let _c = Cleanup(vec![format!("label=com.docker.compose.project={p}")]);
    ok(docker_cmd([
        "create",
        "--network",
        "none",
        "--label",
        &format!("com.docker.compose.project={p}"),
        "--label",
        "ofelia.enabled=true",
        "--label",
        "ofelia.job-exec.j.schedule=@hourly",
        "--label",
        "ofelia.job-exec.j.command=date",
        BUSYBOX,
        "sleep",
        "3600",
    ]));
    let (rows, _) = ls_json(env.plugin(["ls", "-p", &p, "--format", "json"]));
    assert!(rows.is_empty(), "{rows:#?}");
    let (rows, _) = ls_json(env.plugin(["ls", "-p", &p, "-a", "--format", "json"]));
    let j = job(&rows, "j");
    assert!(!j.runs && j.next.is_none(), "{j:#?}");
    assert!(j.notes.iter().any(|n| n.contains("not running")), "{j:#?}");
}

/// Label text never reaches the terminal raw: control characters are escaped
/// in the table, the warnings and -q.
#[test]
fn control_characters_are_escaped() {
    let env = TestEnv::new();
    let f = write(
        &env,
        "esc/docker-compose.yml",
        "services:\n  app:\n    image: x\n    labels:\n      ofelia.enabled: \"true\"\n      ofelia.job-exec.j.schedule: \"@daily\"\n      ofelia.job-exec.j.command: \"echo \\e[31mred\\a\"\n      ofeila.job-exec.x\\e[2J.schedule: \"@daily\"\n",
    );
    let file = f.to_str().expect("utf8");
    for args in [
        vec!["ls", "-f", file, "--no-trunc"],
        vec!["ls", "-f", file, "-q"],
        vec!["next", "-f", file],
    ] {
        let (code, out, err) = run(env.plugin(&args));
        assert_eq!(code, 0, "{args:?}\n{out}\n{err}");
        assert!(
            !out.contains('\u{1b}') && !err.contains('\u{1b}') && !out.contains('\u{7}'),
            "{args:?}\n{out:?}\n{err:?}"
        );
    }
    let out = ok(env.plugin(["ls", "-f", file, "--no-trunc"]));
    assert!(out.contains("echo \\u{1b}[31mred\\u{7}"), "{out}");
}
