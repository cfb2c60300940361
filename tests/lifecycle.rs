//! `up`, `down`, `ps`, `logs` on the real engine, with the stand-in
//! scheduler image (tests/images/scheduler) instead of the real one.

mod common;

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{docker_cmd, ok, run, unique, Cleanup, TestEnv, BUSYBOX};

const SCHEDULER: &str = "docker-ofelia-test/scheduler:latest";

fn project_filter(p: &str) -> String {
    format!("label=io.docker-ofelia.project={p}")
}

/// `docker inspect -f FORMAT NAME`, trimmed.
fn inspect(name: &str, format: &str) -> String {
    ok(docker_cmd(["inspect", "-f", format, name]))
        .trim()
        .to_string()
}

/// IDs of every container (running or not) matching a filter.
fn ids(filter: &str) -> Vec<String> {
    ok(docker_cmd(["ps", "-aq", "--no-trunc", "--filter", filter]))
        .lines()
        .map(str::to_string)
        .collect()
}

fn up_args<'a>(project: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut a = vec!["up", "-d", "-p", project, "--image", SCHEDULER];
    a.extend_from_slice(extra);
    a
}

#[test]
fn up_creates_the_scheduler_as_compose_would() {
    require_engine!();
    let p = unique("lcup");
    let net = format!("{p}-net");
    let _c = Cleanup(vec![project_filter(&p)]);
    ok(docker_cmd(["network", "create", &net]));
    struct Net(String);
    impl Drop for Net {
        fn drop(&mut self) {
            let _ = docker_cmd(["network", "rm", &self.0]).output();
        }
    }
    let _n = Net(net.clone());
    let env = TestEnv::new();
    let (code, out, err) = run(env.plugin(up_args(
        &p,
        &["--tz", "Europe/Paris", "--network", &net, "-l", "team=ops"],
    )));
    assert_eq!(code, 0, "{out}\n{err}");
    let name = format!("ofelia-{p}");
    assert!(out.contains(&format!("Started {name} (")), "{out}");
    assert!(err.contains("Time zone: Europe/Paris"), "{err}");
    assert_eq!(
        inspect(&name, "{{json .Config.Cmd}}"),
        format!(r#"["daemon","--docker","-f","label=com.docker.compose.project={p}"]"#)
    );
    assert_eq!(
        inspect(
            &name,
            "{{range .Mounts}}{{.Type}} {{.Source}} {{.Destination}} {{.RW}}{{end}}"
        ),
        format!(
            "bind {} /var/run/docker.sock false",
            common::test_host()
                .strip_prefix("unix://")
                .unwrap_or("/var/run/docker.sock")
        )
    );
    let envs = inspect(&name, "{{json .Config.Env}}");
    assert!(envs.contains("\"TZ=Europe/Paris\""), "{envs}");
    assert_eq!(
        inspect(&name, "{{.HostConfig.RestartPolicy.Name}}"),
        "unless-stopped"
    );
    assert_eq!(inspect(&name, "{{.HostConfig.NetworkMode}}"), net);
    for (k, v) in [
        ("ofelia.service", "true"),
        ("ofelia.enabled", "true"),
        ("io.docker-ofelia.managed", "true"),
        ("io.docker-ofelia.project", p.as_str()),
        ("io.docker-ofelia.flavor", "ofelia-0.3"),
        ("team", "ops"),
    ] {
        assert_eq!(
            inspect(&name, &format!("{{{{index .Config.Labels \"{k}\"}}}}")),
            v,
            "label {k}"
        );
    }
    let hash = inspect(
        &name,
        "{{index .Config.Labels \"io.docker-ofelia.config-hash\"}}",
    );
    assert_eq!(hash.len(), 64, "{hash}");
    // The stand-in recorded how it was started.
    let args = ok(docker_cmd(["exec", &name, "cat", "/tmp/args"]));
    assert_eq!(
        args.lines().collect::<Vec<_>>(),
        [
            "daemon",
            "--docker",
            "-f",
            &format!("label=com.docker.compose.project={p}")
        ]
    );
    // `ps` lists it with its scope and zone.
    let ps = ok(env.plugin(["ps", "--format", "json"]));
    let row = ps
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|v| v["name"] == name.as_str())
        .unwrap_or_else(|| panic!("{name} not in ps:\n{ps}"));
    assert_eq!(row["project"], p.as_str());
    assert_eq!(row["tz"], "Europe/Paris");
    assert_eq!(row["flavor"], "ofelia-0.3");
    assert_eq!(row["managed"], true);
    let q = ok(env.plugin(["ps", "-q"]));
    assert!(q.lines().any(|l| l == name), "{q}");
    // netresearch: no --docker.
    let (code, out, err) =
        run(env.plugin(up_args(&p, &["--flavor", "netresearch", "--tz", "UTC"])));
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(
        inspect(&name, "{{json .Config.Cmd}}"),
        format!(r#"["daemon","-f","label=com.docker.compose.project={p}"]"#)
    );
}

#[test]
fn up_is_idempotent_and_recreates_on_change() {
    require_engine!();
    let p = unique("lcidem");
    let _c = Cleanup(vec![project_filter(&p)]);
    let env = TestEnv::new();
    ok(env.plugin(up_args(&p, &["--tz", "UTC"])));
    let first = ids(&project_filter(&p));
    assert_eq!(first.len(), 1);
    let (code, out, err) = run(env.plugin(up_args(&p, &["--tz", "UTC"])));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("already running"), "{out}");
    assert_eq!(ids(&project_filter(&p)), first);
    // A different configuration is recreated.
    let (code, _out, err) = run(env.plugin(up_args(&p, &["--tz", "Asia/Tokyo"])));
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("Recreating"), "{err}");
    let second = ids(&project_filter(&p));
    assert_eq!(second.len(), 1);
    assert_ne!(second, first);
    assert!(inspect(&second[0], "{{json .Config.Env}}").contains("TZ=Asia/Tokyo"));
}

#[test]
fn a_foreign_container_of_that_name_is_refused_and_left_alone() {
    require_engine!();
    let p = unique("lcforeign");
    let tag = format!("docker-ofelia-test.owner={p}");
    let _c = Cleanup(vec![format!("label={tag}"), project_filter(&p)]);
    let name = format!("ofelia-{p}");
    let foreign = ok(docker_cmd([
        "run", "-d", "--name", &name, "--label", &tag, BUSYBOX, "sleep", "300",
    ]))
    .trim()
    .to_string();
    let env = TestEnv::new();
    let (code, out, err) = run(env.plugin(up_args(&p, &[])));
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(err.contains("did not create"), "{err}");
    assert_eq!(
        err.trim()
            .lines()
            .filter(|l| !l.starts_with("Time zone"))
            .count(),
        1,
        "{err}"
    );
    assert_eq!(inspect(&name, "{{.Id}}"), foreign);
    assert_eq!(inspect(&name, "{{.State.Running}}"), "true");
    // down leaves it alone too, even labelled like a scheduler of that project.
    let look_alike = ok(docker_cmd([
        "run",
        "-d",
        "--label",
        &tag,
        "--label",
        "ofelia.service=true",
        "--label",
        &format!("io.docker-ofelia.project={p}"),
        BUSYBOX,
        "sleep",
        "300",
    ]))
    .trim()
    .to_string();
    let (code, _out, err) = run(env.plugin(["down", "-p", &p]));
    assert_eq!(code, 0, "{err}");
    assert_eq!(inspect(&look_alike, "{{.State.Running}}"), "true");
    assert_eq!(inspect(&name, "{{.State.Running}}"), "true");
}

#[test]
fn down_removes_ours_only() {
    require_engine!();
    let p = unique("lcdown");
    let other = unique("lcdownother");
    let _c = Cleanup(vec![project_filter(&p), project_filter(&other)]);
    let env = TestEnv::new();
    ok(env.plugin(up_args(&p, &[])));
    ok(env.plugin(up_args(&other, &[])));
    let out = ok(env.plugin(["down", "-p", &p]));
    assert_eq!(out.trim(), format!("Removed ofelia-{p}"));
    assert!(ids(&project_filter(&p)).is_empty());
    assert_eq!(ids(&project_filter(&other)).len(), 1);

    // `--all -p NAME` is ambiguous: a usage error that removes nothing (it
    // used to ignore -p and remove every scheduler).
    let (code, out, err) = run(env.plugin(["down", "--all", "-p", &p]));
    assert_eq!(code, 125, "{out}{err}");
    assert!(
        err.starts_with("the argument '--all' cannot be used with"),
        "{err}"
    );
    assert_eq!(ids(&project_filter(&other)).len(), 1);
}

#[test]
fn pull_never_with_a_missing_image_creates_nothing() {
    require_engine!();
    let p = unique("lcpull");
    let _c = Cleanup(vec![project_filter(&p)]);
    let env = TestEnv::new();
    let image = format!("docker-ofelia-test/missing-{p}:1");
    let (code, _out, err) =
        run(env.plugin(["up", "-d", "-p", &p, "--image", &image, "--pull", "never"]));
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("docker load") && err.contains("--image"),
        "{err}"
    );
    assert!(ids(&project_filter(&p)).is_empty());
    // An unreachable registry: the same advice, nothing created.
    let (code, _out, err) = run(env.plugin(["up", "-d", "-p", &p, "--image", &image]));
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("docker load") && err.contains("--image"),
        "{err}"
    );
    assert!(ids(&project_filter(&p)).is_empty());
}

#[test]
fn concurrent_up_leaves_exactly_one() {
    require_engine!();
    let p = unique("lcconc");
    let _c = Cleanup(vec![project_filter(&p)]);
    let env = TestEnv::new();
    let children: Vec<_> = (0..3)
        .map(|_| {
            env.plugin(up_args(&p, &["--tz", "UTC"]))
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn")
        })
        .collect();
    for c in children {
        let out = c.wait_with_output().expect("wait");
        assert!(
            out.status.success(),
            "{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_eq!(ids(&project_filter(&p)).len(), 1);
}

#[test]
fn detached_scheduler_that_dies_fails_with_its_last_lines() {
    require_engine!();
    let p = unique("lcdie");
    let _c = Cleanup(vec![project_filter(&p)]);
    let env = TestEnv::new();
    let (code, _out, err) = run(env.plugin(up_args(&p, &["-e", "OFELIA_STANDIN_FAIL=1"])));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("unable to start a empty scheduler."), "{err}");
    assert!(err.contains("docker ofelia check"), "{err}");
    assert!(ids(&project_filter(&p)).is_empty());
}

#[test]
fn logs_job_filter_and_json_runs() {
    require_engine!();
    let p = unique("lclogs");
    let _c = Cleanup(vec![project_filter(&p)]);
    let env = TestEnv::new();
    ok(env.plugin(up_args(&p, &["-e", "OFELIA_STANDIN_INTERVAL=1"])));
    std::thread::sleep(Duration::from_millis(2600));
    let all = ok(env.plugin(["logs", "-p", &p]));
    assert!(all.contains("New job registered \"tick\""), "{all}");
    assert!(!all.contains('\x1b'), "colour codes leaked: {all:?}");
    let tick = ok(env.plugin(["logs", "-p", &p, "--job", "tick"]));
    assert!(tick.lines().count() >= 3, "{tick}");
    for l in tick.lines() {
        assert!(l.contains("[Job \"tick\" ("), "{l}");
    }
    let tail = ok(env.plugin(["logs", "-p", &p, "--tail", "2"]));
    assert_eq!(tail.lines().count(), 2, "{tail}");
    let json = ok(env.plugin(["logs", "-p", &p, "--format", "json"]));
    let runs: Vec<serde_json::Value> = json
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let tick_run = runs
        .iter()
        .find(|r| r["job"] == "tick" && !r["finished"].is_null())
        .expect("a tick run");
    assert_eq!(tick_run["failed"], false);
    assert_eq!(tick_run["command"], "date");
    assert_eq!(tick_run["run_id"].as_str().map(str::len), Some(12));
    assert_eq!(tick_run["duration"], "1.5ms");
    let fail_run = runs
        .iter()
        .find(|r| r["job"] == "fail" && !r["finished"].is_null())
        .expect("a fail run");
    assert_eq!(fail_run["failed"], true);
    assert_eq!(fail_run["stderr"], "boom");
    assert_eq!(fail_run["error"], "error non-zero exit code: 1");
    let only = ok(env.plugin(["logs", "-p", &p, "--format", "json", "--job", "fail"]));
    assert!(
        only.lines().all(|l| l.contains("\"job\":\"fail\"")),
        "{only}"
    );
    // netresearch's format too.
    let (code, _o, err) = run(env.plugin(up_args(
        &p,
        &[
            "--flavor",
            "netresearch",
            "-e",
            "OFELIA_STANDIN_FORMAT=netresearch",
            "-e",
            "OFELIA_STANDIN_INTERVAL=1",
        ],
    )));
    assert_eq!(code, 0, "{err}");
    std::thread::sleep(Duration::from_millis(1600));
    let json = ok(env.plugin(["logs", "-p", &p, "--format", "json", "--job", "fail"]));
    let run0: serde_json::Value =
        serde_json::from_str(json.lines().next().expect("a run")).expect("json");
    assert_eq!(run0["failed"], true);
    assert_eq!(run0["stderr"], "boom");
}

/// Runs `docker ARGS` in a pseudo-terminal (util-linux `script`), returning
/// the child and a buffer that collects what the terminal shows.
fn in_pty(env: &TestEnv, command: &str) -> (std::process::Child, Arc<Mutex<String>>) {
    let cmd = env.docker(["--version"]);
    // Reuse TestEnv's clean environment, but run `script` instead.
    let mut script = Command::new("script");
    script.args(["-qfec", command, "/dev/null"]);
    for (k, v) in cmd.get_envs() {
        match v {
            Some(v) => script.env(k, v),
            None => script.env_remove(k),
        };
    }
    script.current_dir(env.path());
    let mut child = script
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn script");
    let buf = Arc::new(Mutex::new(String::new()));
    let mut out = child.stdout.take().expect("stdout");
    let b = buf.clone();
    std::thread::spawn(move || {
        let mut chunk = [0u8; 4096];
        while let Ok(n) = out.read(&mut chunk) {
            if n == 0 {
                break;
            }
            b.lock()
                .expect("lock")
                .push_str(&String::from_utf8_lossy(&chunk[..n]));
        }
    });
    (child, buf)
}

#[test]
fn foreground_ctrl_c_through_docker_leaves_no_container_20_times() {
    require_engine!();
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("skipped: util-linux `script` is not installed");
        return;
    }
    let p = unique("lcfg");
    let _c = Cleanup(vec![project_filter(&p)]);
    let env = TestEnv::new();
    for i in 0..20 {
        let command = format!(
            "exec docker ofelia up -p {p} --image {SCHEDULER} -e OFELIA_STANDIN_INTERVAL=1"
        );
        let (mut child, buf) = in_pty(&env, &command);
        // Most runs wait until the scheduler is streaming; every fourth one
        // interrupts early, while the container is being created.
        let early = i % 4 == 3;
        let deadline = Instant::now() + Duration::from_secs(20);
        if early {
            std::thread::sleep(Duration::from_millis(150 + 40 * (i as u64 % 5)));
        } else {
            while !buf.lock().expect("lock").contains("New job registered") {
                assert!(
                    Instant::now() < deadline,
                    "run {i}: no output:\n{}",
                    buf.lock().expect("lock")
                );
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        let mut stdin = child.stdin.take().expect("stdin");
        stdin.write_all(b"\x03").expect("send ^C");
        stdin.flush().expect("flush");
        let status = loop {
            if let Some(s) = child.try_wait().expect("wait") {
                break s;
            }
            assert!(
                Instant::now() < deadline,
                "run {i}: still running after ^C:\n{}",
                buf.lock().expect("lock")
            );
            std::thread::sleep(Duration::from_millis(20));
        };
        drop(stdin);
        let shown = buf.lock().expect("lock").clone();
        if !early {
            assert_eq!(status.code(), Some(130), "run {i}:\n{shown}");
            assert!(shown.contains("Stopped and removed"), "run {i}:\n{shown}");
        }
        assert!(
            ids(&project_filter(&p)).is_empty(),
            "run {i} left a container behind:\n{shown}"
        );
    }
}

#[test]
fn foreground_scheduler_that_dies_exits_non_zero() {
    require_engine!();
    let p = unique("lcfgdie");
    let _c = Cleanup(vec![project_filter(&p)]);
    let env = TestEnv::new();
    let (code, out, err) = run(env.plugin([
        "up",
        "-p",
        &p,
        "--image",
        SCHEDULER,
        "-e",
        "OFELIA_STANDIN_FAIL=1",
    ]));
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(out.contains("unable to start a empty scheduler."), "{out}");
    assert!(err.contains("docker ofelia check"), "{err}");
    assert!(ids(&project_filter(&p)).is_empty());
}

#[test]
fn sigterm_to_docker_without_a_terminal_stops_and_removes() {
    require_engine!();
    let p = unique("lcterm");
    let _c = Cleanup(vec![project_filter(&p)]);
    let env = TestEnv::new();
    // No terminal: docker closes the plugin socket on SIGTERM.
    let mut child = env
        .docker([
            "ofelia",
            "up",
            "-p",
            &p,
            "--image",
            SCHEDULER,
            "-e",
            "OFELIA_STANDIN_INTERVAL=1",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut out = child.stdout.take().expect("stdout");
    let seen = Arc::new(Mutex::new(String::new()));
    let s = seen.clone();
    std::thread::spawn(move || {
        let mut chunk = [0u8; 4096];
        while let Ok(n) = out.read(&mut chunk) {
            if n == 0 {
                break;
            }
            s.lock()
                .expect("lock")
                .push_str(&String::from_utf8_lossy(&chunk[..n]));
        }
    });
    let deadline = Instant::now() + Duration::from_secs(20);
    while !seen.lock().expect("lock").contains("New job registered") {
        assert!(Instant::now() < deadline, "no output");
        std::thread::sleep(Duration::from_millis(20));
    }
    let running = ids(&project_filter(&p));
    assert_eq!(running.len(), 1);
    // The foreground scheduler has no restart policy.
    assert_eq!(
        inspect(&running[0], "{{.HostConfig.RestartPolicy.Name}}"),
        "no"
    );
    ok({
        let mut k = Command::new("kill");
        k.args(["-TERM", &child.id().to_string()]);
        k
    });
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        assert!(Instant::now() < deadline, "still running after SIGTERM");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(130));
    assert!(ids(&project_filter(&p)).is_empty());
}

#[test]
fn up_warns_about_another_scheduler_taking_the_same_jobs() {
    require_engine!();
    let p = unique("lcwarn");
    let tag = format!("docker-ofelia-test.owner={p}");
    let _c = Cleanup(vec![format!("label={tag}"), project_filter(&p)]);
    let other = format!("{p}-compose-ofelia");
    ok(docker_cmd([
        "run",
        "-d",
        "--name",
        &other,
        "--label",
        &tag,
        "--label",
        "ofelia.service=true",
        BUSYBOX,
        "sleep",
        "300",
    ]));
    let env = TestEnv::new();
    let (code, _out, err) = run(env.plugin(up_args(&p, &[])));
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains(&format!(
            "Warning: scheduler {other} (all projects) is running too"
        )),
        "{err}"
    );
}

#[test]
fn down_with_an_invalid_project_name_is_a_usage_error() {
    // Checked before any engine is contacted: no engine needed.
    let env = TestEnv::new().env("DOCKER_HOST", "unix:///nonexistent.sock");
    let (code, out, err) = run(env.plugin(["down", "-p", "Bad Name"]));
    assert_eq!(code, 125, "{out}\n{err}");
    assert!(
        err.starts_with("invalid project name \"Bad Name\""),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
}
