//! `run` and `history` on the real engine, with busybox targets and the
//! stand-in scheduler image (tests/images/scheduler). Every job name is
//! unique to the test run and every flavour is given with --flavor, so other
//! containers on the engine (other tests' schedulers) cannot change the
//! outcome.

mod common;

use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{docker_cmd, ok, run, unique, Cleanup, TestEnv, BUSYBOX};

const SCHEDULER: &str = "docker-ofelia-test/scheduler:latest";

fn run_filter(job: &str) -> String {
    format!("label=io.docker-ofelia.run={job}")
}

fn ids(filter: &str) -> Vec<String> {
    ok(docker_cmd(["ps", "-aq", "--filter", filter]))
        .lines()
        .map(str::to_string)
        .collect()
}

/// `docker run -d` of a labelled container (network none), removed with the
/// returned guard.
fn container(name: &str, image: &str, labels: &[String], cmd: &[&str]) -> Cleanup {
    let guard = Cleanup(vec![format!("name=^{name}$")]);
    let mut args: Vec<String> = vec![
        "run".into(),
        "-d".into(),
        "--name".into(),
        name.into(),
        "--network".into(),
        "none".into(),
    ];
    for l in labels {
        args.push("--label".into());
        args.push(l.clone());
    }
    args.push(image.into());
    args.extend(cmd.iter().map(|s| s.to_string()));
    ok(docker_cmd(args));
    guard
}

fn exec_labels(job: &str, command: &str, extra: &[(&str, &str)]) -> Vec<String> {
    let mut l = vec![
        "ofelia.enabled=true".to_string(),
        format!("ofelia.job-exec.{job}.schedule=@every 1h"),
        format!("ofelia.job-exec.{job}.command={command}"),
    ];
    for (k, v) in extra {
        l.push(format!("ofelia.job-exec.{job}.{k}={v}"));
    }
    l
}

#[test]
fn exec_user_environment_and_exit_code_follow_the_flavour() {
    require_engine!();
    let app = unique("rhexec");
    let job = unique("whoami");
    let job2 = unique("asuser");
    let mut labels = exec_labels(
        &job,
        "sh -c 'id -un; echo \"$GREETING\"; exit 3'",
        &[("environment", r#"["GREETING=hello world"]"#)],
    );
    labels.extend(exec_labels(&job2, "id -un", &[("user", "nobody")]));
    let _c = container(&app, BUSYBOX, &labels, &["sleep", "300"]);
    let env = TestEnv::new();

    // mcuadros: root by default; the exit status is the command's.
    let (code, out, err) = run(env.plugin(["run", &job, "--flavor", "ofelia-0.3"]));
    assert_eq!(code, 3, "{out}\n{err}");
    assert_eq!(out, "root\nhello world\n");

    // netresearch: nobody by default, and the job is named <container>.<job>
    // (the plain label name is accepted when unambiguous).
    let full = format!("{app}.{job}");
    let (code, out, err) = run(env.plugin(["run", &full, "--flavor", "netresearch"]));
    assert_eq!(code, 3, "{out}\n{err}");
    assert_eq!(out, "nobody\nhello world\n");
    let (code, out, _) = run(env.plugin(["run", &job, "--flavor", "netresearch"]));
    assert_eq!((code, out.as_str()), (3, "nobody\nhello world\n"));

    // An explicit user wins in every flavour; success is status 0.
    let (code, out, err) = run(env.plugin(["run", &job2, "--flavor", "ofelia-0.3"]));
    assert_eq!((code, out.as_str()), (0, "nobody\n"), "{err}");

    // Through the docker CLI, the status passes through.
    let (code, out, err) = run(env.docker(["ofelia", "run", &job, "--flavor", "ofelia-0.4"]));
    assert_eq!(code, 3, "{out}\n{err}");
    assert_eq!(out, "root\nhello world\n");
}

#[test]
fn dry_run_prints_the_request_and_runs_nothing() {
    require_engine!();
    let app = unique("rhdry");
    let job = unique("touch");
    let labels = exec_labels(&job, "touch /tmp/ran", &[("environment", "A=1")]);
    let _c = container(&app, BUSYBOX, &labels, &["sleep", "300"]);
    let env = TestEnv::new();
    let (code, out, err) = run(env.plugin(["run", &job, "--flavor", "ofelia-0.3", "--dry-run"]));
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains(&format!(
            "docker exec --user root --env A=1 {app} touch /tmp/ran\n"
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!("POST /containers/{app}/exec\n")),
        "{out}"
    );
    assert!(out.contains("\"User\": \"root\""), "{out}");
    assert!(
        out.contains("\"Cmd\": [\n    \"touch\",\n    \"/tmp/ran\"\n  ]"),
        "{out}"
    );
    let (code, _, _) = run(docker_cmd(["exec", &app, "test", "-e", "/tmp/ran"]));
    assert_eq!(code, 1, "--dry-run must not run the job");
}

#[test]
fn unknown_job_gets_suggestions() {
    require_engine!();
    let app = unique("rhsug");
    let job = format!("datecron{}", unique("x"));
    let _c = container(
        &app,
        BUSYBOX,
        &exec_labels(&job, "date", &[]),
        &["sleep", "300"],
    );
    let env = TestEnv::new();
    let typo = job.replacen("datecron", "datecrn", 1);
    let (code, out, err) = run(env.plugin(["run", &typo, "--flavor", "ofelia-0.3"]));
    assert_eq!(code, 1, "{out}");
    assert_eq!(
        err,
        format!("no such job \"{typo}\"; did you mean \"{job}\"?\n")
    );
    let (code, _, err) =
        run(env.plugin(["run", "zzzz-no-such-job-anywhere", "--flavor", "ofelia-0.3"]));
    assert_eq!(code, 1);
    assert!(
        err.starts_with("no such job \"zzzz-no-such-job-anywhere\""),
        "{err}"
    );
}

/// A scheduler-like busybox container (ofelia.service=true) in its own
/// compose project, carrying job-run labels.
/// A job-run: name, command, extra keys.
type RunJob<'a> = (&'a str, &'a str, &'a [(&'a str, &'a str)]);

fn run_labels(project: &str, jobs: &[RunJob]) -> Vec<String> {
    let mut l = vec![
        "ofelia.enabled=true".to_string(),
        "ofelia.service=true".to_string(),
        format!("com.docker.compose.project={project}"),
    ];
    for (job, command, extra) in jobs {
        l.push(format!("ofelia.job-run.{job}.schedule=@every 1h"));
        l.push(format!("ofelia.job-run.{job}.image={BUSYBOX}"));
        l.push(format!("ofelia.job-run.{job}.network=none"));
        l.push(format!("ofelia.job-run.{job}.command={command}"));
        for (k, v) in extra.iter() {
            l.push(format!("ofelia.job-run.{job}.{k}={v}"));
        }
    }
    l
}

#[test]
fn job_run_removes_its_container_unless_delete_is_false() {
    require_engine!();
    let p = unique("rhrun");
    let gone = unique("gone");
    let kept = unique("kept");
    let _runs = Cleanup(vec![run_filter(&gone), run_filter(&kept)]);
    let labels = run_labels(
        &p,
        &[
            (
                gone.as_str(),
                "sh -c 'echo out; echo err >&2; exit 4'",
                &[("environment", "WHO=job")],
            ),
            (
                kept.as_str(),
                "sh -c 'echo $WHO; id -un'",
                &[("delete", "false"), ("environment", "WHO=kept")],
            ),
        ],
    );
    let _s = container(&format!("{p}-sched"), BUSYBOX, &labels, &["sleep", "300"]);
    let env = TestEnv::new();
    let (code, out, err) = run(env.plugin(["run", "-p", &p, &gone, "--flavor", "ofelia-0.3"]));
    assert_eq!(code, 4, "{out}\n{err}");
    assert_eq!(out, "out\n");
    assert!(err.contains("err\n"), "{err}");
    assert!(
        ids(&run_filter(&gone)).is_empty(),
        "delete=true (the default) removes the container"
    );

    let (code, out, err) = run(env.plugin(["run", "-p", &p, &kept, "--flavor", "ofelia-0.3"]));
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(out, "kept\nroot\n");
    let left = ids(&run_filter(&kept));
    assert_eq!(left.len(), 1, "delete=false keeps the container");
    assert!(
        err.contains(&format!("kept container {}", left[0])),
        "{err}"
    );
}

#[test]
fn a_missing_image_is_a_clear_error() {
    require_engine!();
    let p = unique("rhimg");
    let job = unique("noimg");
    let mut labels = run_labels(&p, &[]);
    labels.extend([
        format!("ofelia.job-run.{job}.schedule=@every 1h"),
        format!("ofelia.job-run.{job}.image=docker-ofelia-test/no-such-image:{job}"),
    ]);
    let _s = container(&format!("{p}-sched"), BUSYBOX, &labels, &["sleep", "300"]);
    let env = TestEnv::new();
    let (code, out, err) = run(env.plugin(["run", "-p", &p, &job, "--flavor", "ofelia-0.3"]));
    assert_eq!(code, 1, "{out}");
    assert!(
        err.starts_with(&format!(
            "docker ofelia run: error pulling image \"docker-ofelia-test/no-such-image:{job}\": Error response from daemon:"
        )),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[test]
fn ctrl_c_stops_the_job_and_removes_its_container() {
    require_engine!();
    let p = unique("rhint");
    let job = unique("sleeper");
    let _runs = Cleanup(vec![run_filter(&job)]);
    let labels = run_labels(&p, &[(job.as_str(), "sleep 30", &[("delete", "false")])]);
    let _s = container(&format!("{p}-sched"), BUSYBOX, &labels, &["sleep", "300"]);
    let env = TestEnv::new();
    let mut cmd = env.plugin(["run", "-p", &p, &job, "--flavor", "ofelia-0.3"]);
    let mut child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let deadline = Instant::now() + Duration::from_secs(20);
    while ok(docker_cmd([
        "ps",
        "-q",
        "--filter",
        &run_filter(&job),
        "--filter",
        "status=running",
    ]))
    .trim()
    .is_empty()
    {
        assert!(
            Instant::now() < deadline,
            "the job's container never appeared"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_millis(300));
    let mut kill = std::process::Command::new("kill");
    kill.args(["-INT", &child.id().to_string()]);
    ok(kill);
    let started = Instant::now();
    let status = child.wait().expect("wait");
    assert_eq!(status.code(), Some(130));
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "took {:?}",
        started.elapsed()
    );
    assert!(
        ids(&run_filter(&job)).is_empty(),
        "the container `run` created is removed, even with delete=false"
    );
}

#[test]
fn job_local_runs_inside_the_scheduler() {
    require_engine!();
    let p = unique("rhloc");
    let job = unique("local");
    let labels = vec![
        "ofelia.enabled=true".to_string(),
        "ofelia.service=true".to_string(),
        format!("com.docker.compose.project={p}"),
        format!("ofelia.job-local.{job}.schedule=@every 1h"),
        format!("ofelia.job-local.{job}.command=sh -c 'pwd; echo $X; head -1 /tmp/args'"),
        format!("ofelia.job-local.{job}.dir=/tmp"),
        format!("ofelia.job-local.{job}.environment=X=local"),
    ];
    let name = format!("{p}-ofelia");
    let _s = container(&name, SCHEDULER, &labels, &[]);
    let env = TestEnv::new();
    let (code, out, err) = run(env.plugin(["run", "-p", &p, &job, "--flavor", "ofelia-0.3"]));
    assert_eq!(code, 0, "{out}\n{err}");
    // /tmp/args is what the stand-in scheduler was started with: daemon …
    assert_eq!(out, "/tmp\nlocal\ndaemon\n");

    ok(docker_cmd(["stop", "-t", "1", &name]));
    let (code, _, err) = run(env.plugin(["run", "-p", &p, &job, "--flavor", "ofelia-0.3"]));
    assert_eq!(code, 1);
    assert_eq!(
        err,
        format!("docker ofelia run: job-local \"{job}\" runs inside the scheduler container {name}, which is not running: start the scheduler (`docker ofelia up -d`)\n")
    );
}

#[test]
fn job_service_run_needs_a_swarm_manager() {
    require_engine!();
    let state = ok(docker_cmd([
        "info",
        "--format",
        "{{.Swarm.ControlAvailable}}",
    ]));
    if state.trim() == "true" {
        eprintln!("skipped: the test engine is a swarm manager");
        return;
    }
    let p = unique("rhsvc");
    let job = unique("svc");
    let labels = vec![
        "ofelia.enabled=true".to_string(),
        "ofelia.service=true".to_string(),
        format!("com.docker.compose.project={p}"),
        format!("ofelia.job-service-run.{job}.schedule=@every 1h"),
        format!("ofelia.job-service-run.{job}.image={BUSYBOX}"),
        format!("ofelia.job-service-run.{job}.command=echo hi"),
    ];
    let _s = container(&format!("{p}-sched"), BUSYBOX, &labels, &["sleep", "300"]);
    let env = TestEnv::new();
    let (code, _, err) = run(env.plugin(["run", "-p", &p, &job, "--flavor", "ofelia-0.3"]));
    assert_eq!(code, 1);
    assert_eq!(
        err,
        "docker ofelia run: job-service-run needs a swarm manager: this engine is not part of a swarm (docker swarm init)\n"
    );
    // --dry-run still shows the service it would create.
    let (code, out, _) =
        run(env.plugin(["run", "-p", &p, &job, "--flavor", "ofelia-0.3", "--dry-run"]));
    assert_eq!(code, 0);
    assert!(out.contains("POST /services/create\n"), "{out}");
    assert!(out.contains("--restart-condition none"), "{out}");
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/ofelia-logs/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("fixture")
}

/// A stand-in scheduler (busybox, ofelia.service=true) that prints `log`
/// and keeps running; `setup` runs first in its shell.
fn printing_scheduler(
    project: &str,
    log: &str,
    setup: &str,
    extra_labels: &[String],
) -> (String, Cleanup) {
    let name = format!("{project}-ofelia");
    let guard = Cleanup(vec![format!("name=^{name}$")]);
    let mut args: Vec<String> = vec![
        "run".into(),
        "-d".into(),
        "--name".into(),
        name.clone(),
        "--network".into(),
        "none".into(),
        "--label".into(),
        "ofelia.service=true".into(),
        "--label".into(),
        format!("com.docker.compose.project={project}"),
        "--env".into(),
        format!("LOG={log}"),
    ];
    for l in extra_labels {
        args.push("--label".into());
        args.push(l.clone());
    }
    args.extend([
        BUSYBOX.to_string(),
        "sh".into(),
        "-c".into(),
        format!("{setup} printf '%s\\n' \"$LOG\"; exec sleep 300"),
    ]);
    ok(docker_cmd(args));
    // Wait for the log to be written.
    let deadline = Instant::now() + Duration::from_secs(10);
    while ok(docker_cmd(["logs", &name])).is_empty() {
        assert!(Instant::now() < deadline, "no log from {name}");
        std::thread::sleep(Duration::from_millis(100));
    }
    (name, guard)
}

#[test]
fn history_reads_both_log_formats() {
    require_engine!();
    let env = TestEnv::new();

    let p = unique("rhhn");
    let (name, _g) = printing_scheduler(&p, &fixture("netresearch-0.29.0.log"), "", &[]);
    let out = ok(env.plugin(["history", "-p", &p, "--format", "json"]));
    let rows: serde_json::Value = serde_json::from_str(&out).expect("json");
    let rows = rows.as_array().expect("array");
    assert_eq!(rows.len(), 5, "{out}");
    assert_eq!(
        rows[0],
        serde_json::json!({
            "job": "ofb-app-nr0290.tick",
            "run_id": "9bb66e262803",
            "command": "date",
            "started": "2026-11-27T04:00:25.002+01:00",
            "finished": "2026-11-27T04:00:25.063+01:00",
            "duration": "61.187069ms",
            "duration_seconds": 0.061187069,
            "result": "ok",
            "error": null,
            "output": "Fri Nov 27 03:00:25 UTC 2026",
            "source": "log",
            "scheduler": name,
        })
    );
    assert_eq!(rows[4]["result"], "failed");
    assert_eq!(rows[4]["error"], "job run: non-zero exit code: 126");
    assert_eq!(
        rows[4]["output"],
        "unable to find user nobody: no matching entries in passwd file"
    );

    // --job takes the label name too; -n keeps the newest.
    let out = ok(env.plugin([
        "history", "-p", &p, "--job", "tick", "-n", "2", "--format", "json",
    ]));
    let rows: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(rows.as_array().map(Vec::len), Some(2), "{out}");

    let p = unique("rhh3");
    let (_, _g3) = printing_scheduler(&p, &fixture("ofelia-0.3.21.log"), "", &[]);
    let out = ok(env.plugin(["history", "-p", &p]));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0].split_whitespace().collect::<Vec<_>>(),
        ["JOB", "STARTED", "DURATION", "RESULT", "OUTPUT"]
    );
    assert_eq!(lines.len(), 9, "{out}");
    assert!(lines[1].starts_with("tick "), "{out}");
    assert!(lines[1].contains("2026-11-27T03:52:40.002+01:00"), "{out}");
    assert!(
        lines[1].contains("failed: error non-zero exit code: 126"),
        "{out}"
    );
    assert!(
        !out.contains('\x1b'),
        "colour codes from the log must not leak: {out:?}"
    );
}

#[test]
fn history_reads_the_save_folder() {
    require_engine!();
    let env = TestEnv::new();
    let p = unique("rhhs");
    let saved = r#"{"Job":{"Name":"nightly","Command":"backup"},"Execution":{"ID":"abcdefabcdef","Date":"2026-11-26T01:00:00Z","Duration":2500000000,"IsRunning":false,"Failed":false,"Skipped":false,"Error":null}}"#;
    let setup = format!(
        "mkdir -p /saves && printf '%s' '{saved}' > /saves/20261126_010000_nightly.json && echo 'backed up 3 files' > /saves/20261126_010000_nightly.stdout.log && : > /saves/20261126_010000_nightly.stderr.log;"
    );
    let (_, _g) = printing_scheduler(
        &p,
        &fixture("ofelia-0.4-dev.log"),
        &setup,
        &["ofelia.save-folder=/saves".to_string()],
    );
    let out = ok(env.plugin(["history", "-p", &p, "--format", "json"]));
    let rows: serde_json::Value = serde_json::from_str(&out).expect("json");
    let rows = rows.as_array().expect("array");
    let first = &rows[0];
    assert_eq!(first["job"], "nightly", "{out}");
    assert_eq!(first["source"], "save-folder");
    assert_eq!(first["duration"], "2.5s");
    assert_eq!(first["result"], "ok");
    assert_eq!(first["output"], "backed up 3 files");
    assert!(
        rows.len() > 1 && rows[1..].iter().all(|r| r["source"] == "log"),
        "{out}"
    );
}

#[test]
fn history_without_a_scheduler_is_a_clear_error() {
    require_engine!();
    let env = TestEnv::new();
    let p = unique("rhhnone");
    let (code, _, err) = run(env.plugin(["history", "-p", &p]));
    assert_eq!(code, 1);
    assert_eq!(
        err,
        format!(
            "no scheduler container for project {p}: start one with `docker ofelia up -d -p {p}`\n"
        )
    );
}

#[test]
fn ctrl_c_during_an_exec_exits_130_and_says_the_command_may_go_on() {
    require_engine!();
    let app = unique("rhexint");
    let job = unique("longexec");
    let _c = container(
        &app,
        BUSYBOX,
        &exec_labels(&job, "sh -c 'echo started; sleep 30'", &[]),
        &["sleep", "300"],
    );
    let env = TestEnv::new();
    let mut cmd = env.plugin(["run", &job, "--flavor", "ofelia-0.3"]);
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    // Wait until the exec runs (its first line arrives).
    let mut stdout = child.stdout.take().expect("stdout");
    let mut first = [0u8; 8];
    std::io::Read::read_exact(&mut stdout, &mut first).expect("first line");
    assert_eq!(&first, b"started\n");
    let mut kill = std::process::Command::new("kill");
    kill.args(["-INT", &child.id().to_string()]);
    ok(kill);
    let out = child.wait_with_output().expect("wait");
    assert_eq!(out.status.code(), Some(130));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        err,
        format!("WARNING: interrupted: the command may still run in {app} (the Engine API cannot stop an exec)\n")
    );
}
