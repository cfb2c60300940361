//! The foundation, end to end: the plugin handshake, docker's global flags,
//! engine selection and contexts, errors in docker's words, cancellation,
//! help and broken pipes. Driven through the real `docker` CLI and standalone,
//! against the test engine (tests/run.sh provides one).

mod common;

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{ok, run, test_host, TestEnv};
use sha2::{Digest, Sha256};

const VERSION: &str = env!("CARGO_PKG_VERSION");
/// A socket no engine listens on.
const DEAD: &str = "unix:///nonexistent-docker-ofelia-dead.sock";
/// Generous bound for "answers promptly": a hang guard, not a benchmark
/// (benches/ measures the real figures).
const HANG_GUARD: Duration = Duration::from_secs(10);

// ---------------------------------------------------------------------------
// helpers

/// Writes a context named `name` on `host` into the config dir `dir`.
fn write_context(dir: &Path, name: &str, host: &str) {
    let id: String = Sha256::digest(name.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let meta = dir.join("contexts").join("meta").join(id);
    std::fs::create_dir_all(&meta).expect("meta dir");
    let json = serde_json::json!({
        "Name": name,
        "Metadata": {"Description": "docker-ofelia test"},
        "Endpoints": {"docker": {"Host": host, "SkipTLSVerify": false}},
    });
    std::fs::write(meta.join("meta.json"), json.to_string()).expect("meta.json");
}

fn write_current_context(dir: &Path, name: &str) {
    std::fs::write(
        dir.join("config.json"),
        format!(r#"{{"auths":{{}},"currentContext":"{name}"}}"#),
    )
    .expect("config.json");
}

/// A TestEnv whose config holds two contexts, `live` (the test engine) and
/// `dead` (a socket nobody listens on), with no DOCKER_HOST set.
fn two_contexts() -> TestEnv {
    let env = TestEnv::new().unset("DOCKER_HOST");
    write_context(&env.config_dir(), "live", &test_host());
    write_context(&env.config_dir(), "dead", DEAD);
    env
}

/// `version --format json` → (context, host) of the engine that answered.
fn answered(cmd: Command) -> (String, String) {
    let out = ok(cmd);
    let v: serde_json::Value = serde_json::from_str(&out).expect("version json");
    (
        v["engine"]["context"].as_str().unwrap_or("").to_string(),
        v["engine"]["host"].as_str().unwrap_or("").to_string(),
    )
}

fn args(a: &[&str]) -> Vec<String> {
    a.iter().map(|s| s.to_string()).collect()
}

/// `docker <globals> ofelia version --format json`
fn docker_version(env: &TestEnv, globals: &[&str]) -> Command {
    let mut a = args(globals);
    a.extend(args(&["ofelia", "version", "--format", "json"]));
    env.docker(a)
}

/// `docker-ofelia <globals> version --format json`
fn plugin_version(env: &TestEnv, globals: &[&str]) -> Command {
    let mut a = args(globals);
    a.extend(args(&["version", "--format", "json"]));
    env.plugin(a)
}

/// Waits for `child` up to `limit`; kills it and panics on timeout.
fn wait_within(child: &mut Child, limit: Duration) -> (i32, Duration) {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            return (status.code().unwrap_or(-1), start.elapsed());
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("process did not exit within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Reads the first stdout line of a child (its "I am running" signal).
fn first_line(child: &mut Child) -> String {
    let stdout = child.stdout.take().expect("stdout piped");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("read stdout");
    line
}

fn stderr_of(child: &mut Child) -> String {
    let mut s = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_string(&mut s);
    }
    s
}

fn kill(pid: u32, sig: &str) {
    let st = Command::new("kill")
        .args([format!("-{sig}"), pid.to_string()])
        .status()
        .expect("kill");
    assert!(st.success(), "kill -{sig} {pid}");
}

/// A TCP listener that accepts connections and never answers.
fn silent_tcp() -> (u16, std::thread::JoinHandle<()>) {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("addr").port();
    let h = std::thread::spawn(move || {
        let mut held = Vec::new();
        // Hold every connection open, silently, until the test process exits.
        for s in l.incoming().flatten() {
            held.push(s);
            if held.len() > 16 {
                break;
            }
        }
        std::thread::sleep(Duration::from_secs(30));
    });
    (port, h)
}

fn docker_client_major() -> u32 {
    let out = Command::new("docker")
        .args(["version", "--format", "{{.Client.Version}}"])
        .env("DOCKER_HOST", DEAD)
        .output()
        .expect("docker version");
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .unwrap_or(0)
}

// ---------------------------------------------------------------------------
// handshake

#[test]
fn handshake_fields() {
    // No engine: the handshake must not need one (nor HOME, nor a config).
    let env = TestEnv::new().env("DOCKER_HOST", DEAD);
    let (code, out, err) = run(env.plugin(["docker-cli-plugin-metadata"]));
    assert_eq!(code, 0, "{err}");
    assert_eq!(err, "");
    assert!(out.ends_with('\n'));
    let v: serde_json::Value = serde_json::from_str(&out).expect("metadata json");
    assert_eq!(v["SchemaVersion"], "0.1.0");
    assert_eq!(v["Vendor"], "docker-ofelia");
    assert_eq!(v["Version"], VERSION);
    assert_eq!(v["ShortDescription"], "Manage Ofelia cron jobs");
    assert!(v["URL"].as_str().unwrap_or("").starts_with("https://"));
    let keys: Vec<_> = v.as_object().expect("object").keys().cloned().collect();
    assert_eq!(keys.len(), 5, "{keys:?}");
}

#[test]
fn docker_help_lists_the_plugin_under_management_commands() {
    let env = TestEnv::new().env("DOCKER_HOST", DEAD);
    let out = ok(env.docker(["--help"]));
    let section: Vec<&str> = out
        .lines()
        .skip_while(|l| !l.starts_with("Management Commands:"))
        .skip(1)
        .take_while(|l| !l.trim().is_empty() && !l.ends_with("Commands:"))
        .collect();
    assert!(
        section
            .iter()
            .any(|l| l.trim_start().starts_with("ofelia*") && l.contains("Manage Ofelia cron jobs")),
        "no ofelia* under Management Commands:\n{out}"
    );
    assert!(!out.contains("Invalid Plugins"), "{out}");
}

#[test]
fn docker_info_lists_the_plugin() {
    require_engine!();
    let env = TestEnv::new();
    let out = ok(env.docker(["info"]));
    let at = out
        .find("ofelia: Manage Ofelia cron jobs (docker-ofelia")
        .unwrap_or_else(|| panic!("plugin not in docker info:\n{out}"));
    let block: String = out[at..].lines().take(3).collect::<Vec<_>>().join("\n");
    // CLI >= 23 prints Version: and Path: lines; 20.10 puts the version in brackets.
    assert!(block.contains(VERSION), "{block}");
    if block.contains("Path:") {
        let path = env.config_dir().join("cli-plugins").join("docker-ofelia");
        assert!(block.contains(&path.display().to_string()), "{block}");
    }
    assert!(!out.contains("is not valid"), "{out}");
}

// ---------------------------------------------------------------------------
// version

#[test]
fn version_through_docker_and_standalone() {
    require_engine!();
    let env = TestEnv::new();
    let out = ok(env.docker(["ofelia", "version"]));
    assert!(out.contains(&format!("Version:      {VERSION}")), "{out}");
    assert!(out.contains("API version:"), "{out}");
    for cmd in [docker_version(&env, &[]), plugin_version(&env, &[])] {
        let v: serde_json::Value = serde_json::from_str(&ok(cmd)).expect("json");
        assert_eq!(v["plugin"]["version"], VERSION);
        assert_eq!(v["engine"]["context"], "default");
        assert_eq!(v["engine"]["host"], test_host().as_str());
        assert!(!v["engine"]["version"].as_str().unwrap_or("").is_empty());
        assert!(!v["engine"]["api_version"].as_str().unwrap_or("").is_empty());
    }
}

#[test]
fn docker_api_version_is_honoured() {
    require_engine!();
    let env = TestEnv::new().env("DOCKER_API_VERSION", "1.40");
    let v: serde_json::Value = serde_json::from_str(&ok(docker_version(&env, &[]))).expect("json");
    assert_eq!(v["engine"]["negotiated_api_version"], "1.40");
}

// ---------------------------------------------------------------------------
// docker's global flags, every pflag form, through the real docker CLI

#[test]
fn global_context_flag_forms() {
    require_engine!();
    let env = two_contexts();
    write_current_context(&env.config_dir(), "dead");
    for globals in [
        &["--context", "live"][..],
        &["--context=live"],
        &["-c", "live"],
        &["-c=live"],
    ] {
        let (ctx, host) = answered(docker_version(&env, globals));
        assert_eq!((ctx.as_str(), host), ("live", test_host()), "{globals:?}");
    }
}

#[test]
fn global_host_flag_forms() {
    require_engine!();
    let env = TestEnv::new().env("DOCKER_HOST", DEAD);
    let h = test_host();
    let eq = format!("--host={h}");
    for globals in [
        &["-H", h.as_str()][..],
        &["--host", h.as_str()],
        &[eq.as_str()],
    ] {
        let (ctx, host) = answered(docker_version(&env, globals));
        assert_eq!((ctx.as_str(), host), ("default", h.clone()), "{globals:?}");
    }
}

#[test]
fn global_config_flag_selects_the_config_dir() {
    require_engine!();
    // DOCKER_CONFIG points at a config whose current context is dead; --config
    // at one whose current context is the test engine.
    let env = two_contexts();
    write_current_context(&env.config_dir(), "dead");
    let other = env.path().join("other-config");
    std::fs::create_dir_all(other.join("cli-plugins")).expect("dir");
    std::os::unix::fs::symlink(
        common::bin(),
        other.join("cli-plugins").join("docker-ofelia"),
    )
    .expect("symlink");
    write_context(&other, "elsewhere", &test_host());
    write_current_context(&other, "elsewhere");
    let o = other.display().to_string();
    let eq = format!("--config={o}");
    for globals in [&["--config", o.as_str()][..], &[eq.as_str()]] {
        let (ctx, host) = answered(docker_version(&env, globals));
        assert_eq!(
            (ctx.as_str(), host),
            ("elsewhere", test_host()),
            "{globals:?}"
        );
        // Standalone too.
        let (ctx, _) = answered(plugin_version(&env, globals));
        assert_eq!(ctx, "elsewhere");
    }
    // And without --config, DOCKER_CONFIG's dead context is used.
    let (code, _, err) = run(docker_version(&env, &[]));
    assert_eq!(code, 1);
    assert!(err.contains(DEAD), "{err}");
}

#[test]
fn global_log_level_and_debug_forms_are_accepted() {
    require_engine!();
    let env = TestEnv::new();
    for globals in [
        &["-l", "debug"][..],
        &["--log-level", "warn"],
        &["--log-level=error"],
        &["-D"],
        &["--debug"],
        &["-D", "-l", "info"],
    ] {
        let (ctx, host) = answered(docker_version(&env, globals));
        assert_eq!(
            (ctx.as_str(), host),
            ("default", test_host()),
            "{globals:?}"
        );
    }
}

#[test]
fn global_tls_flags_are_honoured() {
    // Observed through the errors they cause: each flag names its file, and
    // each form turns TLS on for a host given without a scheme port default.
    let env = TestEnv::new().unset("DOCKER_HOST");
    let certs = env.path().join("certs");
    std::fs::create_dir_all(&certs).expect("certs");
    let p = |f: &str| certs.join(f).display().to_string();
    let (ca, cert, key) = (p("ca.pem"), p("cert.pem"), p("key.pem"));
    let host = "tcp://127.0.0.1:1";

    // --tlsverify with a missing CA: the CA path given by --tlscacert is read.
    for globals in [
        vec![
            "--tlsverify",
            "--tlscacert",
            &ca,
            "--tlscert",
            &cert,
            "--tlskey",
            &key,
        ],
        vec![
            "--tlsverify=true",
            "--tlscacert",
            &ca,
            "--tlscert",
            &cert,
            "--tlskey",
            &key,
        ],
    ] {
        let mut g = vec!["-H", host];
        g.extend(globals.iter().copied());
        let (code, _, err) = run(docker_version(&env, &g));
        assert_eq!(code, 1, "{g:?}");
        assert!(err.contains(&ca), "{g:?}: {err}");
    }
    // A CA that is not PEM: named in the error.
    std::fs::write(&ca, "not a certificate").expect("ca");
    let g = ["-H", host, "--tlsverify", "--tlscacert", &ca];
    let (code, _, err) = run(docker_version(&env, &g));
    assert_eq!(code, 1);
    assert!(err.contains(&ca), "{err}");
    // Without verification the CA is not needed; --tlscert and --tlskey are read.
    let g = ["-H", host, "--tls", "--tlscert", &cert, "--tlskey", &key];
    let (code, _, err) = run(docker_version(&env, &g));
    assert_eq!(code, 1);
    assert!(err.contains(&cert), "{err}");
    std::fs::write(&cert, "not a certificate").expect("cert");
    let (code, _, err) = run(docker_version(&env, &g));
    assert_eq!(code, 1);
    assert!(err.contains(&key), "{err}");
    std::fs::write(&key, "not a key").expect("key");
    let (code, _, err) = run(docker_version(&env, &g));
    assert_eq!(code, 1);
    assert!(err.contains(&cert), "{err}");

    // --tls and --tlsverify=false: TLS on, no verification (tests/tls.rs
    // checks them against a TLS engine); a refused port is one clear line.
    for flag in ["--tls", "--tlsverify=false"] {
        let (code, out, err) = run(docker_version(&env, &["-H", host, flag]));
        assert_eq!(code, 1, "{flag}: {out}{err}");
        assert_eq!(err.trim().lines().count(), 1, "{flag}: {err}");
    }
    // TLS without -H defaults to tcp://localhost:2376, as docker does.
    let (code, _, err) = run(docker_version(&env, &["--tlsverify", "--tlscacert", &ca]));
    assert_eq!(code, 1);
    assert!(!err.contains("unix://"), "{err}");
}

// ---------------------------------------------------------------------------
// engine selection with two contexts

#[test]
fn current_context_from_config_json() {
    require_engine!();
    let env = two_contexts();
    write_current_context(&env.config_dir(), "live");
    let (ctx, host) = answered(docker_version(&env, &[]));
    assert_eq!((ctx.as_str(), host), ("live", test_host()));
    write_current_context(&env.config_dir(), "dead");
    let (code, _, err) = run(docker_version(&env, &[]));
    assert_eq!(code, 1);
    assert!(
        err.contains(&format!("Cannot connect to the Docker daemon at {DEAD}.")),
        "{err}"
    );
}

#[test]
fn docker_context_env_beats_current_context() {
    require_engine!();
    let env = two_contexts().env("DOCKER_CONTEXT", "live");
    write_current_context(&env.config_dir(), "dead");
    for cmd in [docker_version(&env, &[]), plugin_version(&env, &[])] {
        let (ctx, host) = answered(cmd);
        assert_eq!((ctx.as_str(), host), ("live", test_host()));
    }
}

#[test]
fn context_flag_beats_docker_host() {
    require_engine!();
    let env = two_contexts().env("DOCKER_HOST", DEAD);
    for cmd in [
        docker_version(&env, &["--context", "live"]),
        plugin_version(&env, &["--context", "live"]),
    ] {
        let (ctx, host) = answered(cmd);
        assert_eq!((ctx.as_str(), host), ("live", test_host()));
    }
}

#[test]
fn host_flag_and_docker_host_beat_contexts() {
    require_engine!();
    let env = two_contexts().env("DOCKER_CONTEXT", "dead");
    write_current_context(&env.config_dir(), "dead");
    let h = test_host();
    let (ctx, host) = answered(docker_version(&env, &["-H", &h]));
    assert_eq!((ctx.as_str(), host), ("default", h.clone()));
    let env = env.env("DOCKER_HOST", &h);
    let (ctx, host) = answered(docker_version(&env, &[]));
    assert_eq!((ctx.as_str(), host), ("default", h.clone()));
    // -H beats DOCKER_HOST.
    let env = env.env("DOCKER_HOST", DEAD);
    let (ctx, host) = answered(plugin_version(&env, &["-H", &h]));
    assert_eq!((ctx.as_str(), host), ("default", h));
}

#[test]
fn unknown_context_in_dockers_words() {
    let env = two_contexts();
    // docker CLI < 23 checks the context itself before running any plugin.
    let cli_checks = docker_client_major() < 23;
    for (cmd, through_docker) in [
        (docker_version(&env, &["--context", "nope"]), true),
        (plugin_version(&env, &["--context", "nope"]), false),
        (
            {
                let mut c = env.docker(["ofelia", "version"]);
                c.env("DOCKER_CONTEXT", "nope");
                c
            },
            true,
        ),
    ] {
        let dbg = format!("{cmd:?}");
        let (code, out, err) = run(cmd);
        assert_eq!(code, 1, "{dbg}");
        assert_eq!(out, "");
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
        if through_docker && cli_checks {
            assert!(err.contains("context \"nope\" does not exist"), "{err}");
            continue;
        }
        assert!(
            err.contains("context \"nope\": context not found: open "),
            "{err}"
        );
        assert!(err.contains("/contexts/meta/"), "{err}");
        assert!(
            err.trim_end()
                .ends_with("meta.json: no such file or directory"),
            "{err}"
        );
    }
}

// ---------------------------------------------------------------------------
// unreachable engines: docker's words, exit 1, promptly

#[test]
fn unreachable_engine_in_dockers_words() {
    let env = TestEnv::new().env("DOCKER_HOST", "unix:///nonexistent.sock");
    for cmd in [env.docker(["ofelia", "version"]), env.plugin(["version"])] {
        let start = Instant::now();
        let (code, out, err) = run(cmd);
        let took = start.elapsed();
        assert_eq!(code, 1);
        assert_eq!(out, "");
        assert_eq!(
            err,
            "Cannot connect to the Docker daemon at unix:///nonexistent.sock. Is the docker daemon running?\n"
        );
        assert!(took < HANG_GUARD, "took {took:?}");
    }
}

#[test]
fn refused_tcp_endpoint_in_dockers_words() {
    let env = TestEnv::new().env("DOCKER_HOST", "tcp://127.0.0.1:1");
    let (code, _, err) = run(env.plugin(["version"]));
    assert_eq!(code, 1);
    assert_eq!(
        err,
        "Cannot connect to the Docker daemon at tcp://127.0.0.1:1. Is the docker daemon running?\n"
    );
}

#[test]
fn silent_tcp_endpoint_answers_within_the_bound() {
    let (port, _h) = silent_tcp();
    let host = format!("tcp://127.0.0.1:{port}");
    let env = TestEnv::new().env("DOCKER_HOST", &host);
    let start = Instant::now();
    let (code, _, err) = run(env.plugin(["version"]));
    let took = start.elapsed();
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains(&format!("Cannot connect to the Docker daemon at {host}.")),
        "{err}"
    );
    assert!(took < HANG_GUARD, "took {took:?}");
}

#[test]
fn permission_denied_on_the_socket() {
    // A socket file nobody may connect to (root ignores modes, so only
    // meaningful when not root; as root it must at least not hang).
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("d.sock");
    let _l = std::os::unix::net::UnixListener::bind(&path).expect("bind");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    let host = format!("unix://{}", path.display());
    let env = TestEnv::new().env("DOCKER_HOST", &host);
    let start = Instant::now();
    let (code, _, err) = run(env.plugin(["version"]));
    assert_eq!(code, 1);
    assert!(start.elapsed() < HANG_GUARD);
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false);
    if !is_root {
        assert!(
            err.starts_with(&format!(
                "permission denied while trying to connect to the Docker daemon socket at {host}"
            )),
            "{err}"
        );
    }
}

// ---------------------------------------------------------------------------
// cancellation

#[cfg(target_os = "linux")]
fn abstract_listener(name: &str) -> std::os::unix::net::UnixListener {
    use std::os::linux::net::SocketAddrExt;
    let addr = std::os::unix::net::SocketAddr::from_abstract_name(name.as_bytes()).expect("addr");
    std::os::unix::net::UnixListener::bind_addr(&addr).expect("bind abstract")
}

/// Accepts the plugin's connection within the hang guard.
fn accept_within(l: &std::os::unix::net::UnixListener) -> std::os::unix::net::UnixStream {
    l.set_nonblocking(true).expect("nonblocking");
    let start = Instant::now();
    loop {
        match l.accept() {
            Ok((s, _)) => return s,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                assert!(start.elapsed() < HANG_GUARD, "plugin never connected");
                std::thread::sleep(Duration::from_millis(10));
            }
            Err(e) => panic!("accept: {e}"),
        }
    }
}

fn cancelled_by_closing(
    socket_env: &str,
    listener: &std::os::unix::net::UnixListener,
    engine: bool,
) {
    let env = TestEnv::new().env("DOCKER_CLI_PLUGIN_SOCKET", socket_env);
    let mut a = vec!["ofelia", "__wait"];
    if engine {
        a.push("--engine");
    }
    let mut child = env
        .plugin(a)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let conn = accept_within(listener);
    assert_eq!(first_line(&mut child), "waiting\n");
    drop(conn);
    let (code, took) = wait_within(&mut child, HANG_GUARD);
    assert_eq!(code, 130);
    assert_eq!(stderr_of(&mut child), "");
    assert!(took < Duration::from_secs(5), "took {took:?} to notice");
}

#[cfg(target_os = "linux")]
#[test]
fn closing_the_abstract_plugin_socket_cancels() {
    let name = format!("docker_ofelia_test_{}", common::unique("c"));
    let l = abstract_listener(&name);
    cancelled_by_closing(&format!("@{name}"), &l, false);
}

#[test]
fn closing_a_path_plugin_socket_cancels() {
    require_engine!();
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("plugin.sock");
    let l = std::os::unix::net::UnixListener::bind(&path).expect("bind");
    cancelled_by_closing(&path.display().to_string(), &l, true);
}

#[test]
fn sigint_and_sigterm_exit_130() {
    for sig in ["INT", "TERM"] {
        let env = TestEnv::new();
        let mut child = env
            .plugin(["__wait"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        assert_eq!(first_line(&mut child), "waiting\n");
        kill(child.id(), sig);
        let (code, _) = wait_within(&mut child, HANG_GUARD);
        assert_eq!(code, 130, "SIG{sig}");
        assert_eq!(stderr_of(&mut child), "", "SIG{sig}");
    }
}

#[test]
fn docker_cli_cancels_through_the_plugin_socket() {
    // CLI >= 24 closes the plugin socket on SIGINT when no terminal is
    // attached, and passes the plugin's exit status through.
    if docker_client_major() < 24 {
        eprintln!("skipped: this docker CLI has no plugin socket");
        return;
    }
    let env = TestEnv::new();
    let mut child = env
        .docker(["ofelia", "__wait"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    assert_eq!(first_line(&mut child), "waiting\n");
    kill(child.id(), "INT");
    let (code, _) = wait_within(&mut child, HANG_GUARD);
    assert_eq!(code, 130);
}

// ---------------------------------------------------------------------------
// stdout closed, usage errors, help

#[test]
fn closed_stdout_exits_quietly() {
    require_engine!();
    let env = TestEnv::new();
    for a in [
        vec!["version"],
        vec!["version", "--format", "json"],
        vec!["--help"],
        vec!["__complete", "ofelia", ""],
    ] {
        let (reader, writer) = std::io::pipe().expect("pipe");
        drop(reader);
        let out = env
            .plugin(&a)
            .stdout(writer)
            .stderr(Stdio::piped())
            .output()
            .expect("run");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err, "", "{a:?}");
        assert_eq!(out.status.code(), Some(0), "{a:?}");
    }
    // The shell form: `docker ofelia version | head -c0`.
    let st = Command::new("bash")
        .args([
            "-c",
            "set -o pipefail; docker ofelia version 2>/tmp/.x-$$ | head -c0; s=$?; e=$(cat /tmp/.x-$$); rm -f /tmp/.x-$$; [ -z \"$e\" ] && exit $s; echo \"$e\" >&2; exit 99",
        ])
        .envs(env.envs.iter().map(|(k, v)| (k, v)))
        .status()
        .expect("bash");
    assert!(st.success(), "{st:?}");
}

#[test]
fn unknown_flags_in_dockers_words() {
    let env = TestEnv::new().env("DOCKER_HOST", DEAD);
    for (a, flag) in [
        (vec!["ofelia", "--bogus"], "unknown flag: --bogus"),
        (
            vec!["ofelia", "version", "--bogus"],
            "unknown flag: --bogus",
        ),
        (
            vec!["ofelia", "version", "-z"],
            "unknown shorthand flag: 'z' in -z",
        ),
    ] {
        let (code, out, err) = run(env.docker(&a));
        assert_ne!(code, 0, "{a:?}");
        assert_eq!(code, 125, "{a:?}");
        assert_eq!(out, "");
        assert!(err.starts_with(flag), "{a:?}: {err}");
        assert!(err.contains("See 'docker ofelia --help'."), "{err}");
        assert!(!err.contains("\\n"), "{err}");
    }
    let (code, _, err) = run(env.plugin(["--bogus", "version"]));
    assert_eq!(code, 125);
    assert!(err.starts_with("unknown flag: --bogus"), "{err}");
}

#[test]
fn a_missing_argument_is_named() {
    let env = TestEnv::new().env("DOCKER_HOST", DEAD);
    for a in [&["ofelia", "run"][..], &["ofelia", "explain"]] {
        let (code, out, err) = run(env.docker(a));
        assert_eq!(code, 125, "{a:?}");
        assert_eq!(out, "");
        let first = err.lines().next().unwrap_or_default();
        assert!(
            first.starts_with("the following required arguments were not provided: <"),
            "{a:?}: {err}"
        );
    }
}

#[test]
fn help_forms() {
    let env = TestEnv::new().env("DOCKER_HOST", DEAD);
    for a in [
        &["help", "ofelia"][..],
        &["ofelia", "--help"],
        &["ofelia", "-h"],
        &["ofelia", "help"],
    ] {
        let out = ok(env.docker(a));
        assert!(out.contains("Usage: docker ofelia"), "{a:?}: {out}");
        for sub in ["ls", "next", "version"] {
            assert!(out.contains(&format!("  {sub} ")), "{a:?}: {out}");
        }
        assert!(!out.contains("__wait"), "hidden command shown: {out}");
    }
    for a in [
        &["ofelia", "ls", "--help"][..],
        &["help", "ofelia", "ls"],
        &["ofelia", "help", "ls"],
    ] {
        let out = ok(env.docker(a));
        assert!(out.contains("Usage: docker ofelia ls"), "{a:?}: {out}");
    }
    let out = ok(env.plugin(["version", "--help"]));
    assert!(out.contains("Usage: docker ofelia version"), "{out}");
}

#[test]
fn completion_protocol() {
    let env = TestEnv::new().env("DOCKER_HOST", DEAD);
    let mut cmds = vec![env.plugin(["__complete", "ofelia", "ve"])];
    // docker CLI >= 24 delegates completion to plugins.
    if docker_client_major() >= 24 {
        cmds.push(env.docker(["__complete", "ofelia", "ve"]));
    }
    for cmd in cmds {
        let out = ok(cmd);
        assert!(out.lines().any(|l| l.starts_with("version\t")), "{out}");
        assert_eq!(out.lines().last(), Some(":4"), "{out}");
        assert!(!out.contains("__wait"));
    }
}

// ---------------------------------------------------------------------------
// the test images (tests/engine/images.sh)

#[test]
fn test_images_are_built() {
    require_engine!();
    let out = ok(common::docker_cmd([
        "run",
        "--rm",
        "--network",
        "none",
        "-u",
        "nobody",
        common::BUSYBOX,
        "sh",
        "-c",
        "id -un; echo $PATH; test -d /tmp && echo tmp",
    ]));
    assert_eq!(
        out,
        "nobody\n/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\ntmp\n"
    );
    // tests/images/example: rootfs copied over the base, `changes` applied.
    let out = ok(common::docker_cmd([
        "run",
        "--rm",
        "--network",
        "none",
        "docker-ofelia-test/example:latest",
    ]));
    assert_eq!(out, "hello from docker-ofelia-test/example\n");
    let label = ok(common::docker_cmd([
        "image",
        "inspect",
        "--format",
        "{{index .Config.Labels \"org.docker-ofelia.test.example\"}}",
        "docker-ofelia-test/example:latest",
    ]));
    assert_eq!(label.trim(), "true");
}

// ---------------------------------------------------------------------------
// ssh:// engines (ssh … docker system dial-stdio), with a stand-in for ssh

#[test]
fn ssh_endpoint_through_dial_stdio() {
    require_engine!();
    let env = TestEnv::new();
    let fake = env.path().join("fake-ssh");
    let log = env.path().join("ssh-args");
    std::fs::write(
        &fake,
        format!(
            "#!/bin/sh\necho \"$@\" >> '{}'\nexec docker -H '{}' system dial-stdio\n",
            log.display(),
            test_host()
        ),
    )
    .expect("fake ssh");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let env = env
        .env("DOCKER_OFELIA_SSH", &fake.display().to_string())
        .env("DOCKER_HOST", DEAD);
    let url = "ssh://me@remote.example:2222";
    for cmd in [
        docker_version(&env, &["-H", url]),
        plugin_version(&env, &["-H", url]),
    ] {
        let (ctx, host) = answered(cmd);
        assert_eq!((ctx.as_str(), host.as_str()), ("default", url));
    }
    let args = std::fs::read_to_string(&log).expect("ssh was run");
    assert!(
        args.lines().all(|l| l
            == "-o ConnectTimeout=30 -T -l me -p 2222 -- remote.example docker system dial-stdio"),
        "{args}"
    );
    // A failing ssh: docker's words, with what ssh said, one line, exit 1.
    std::fs::write(
        &fake,
        "#!/bin/sh\necho 'ssh: Could not resolve hostname nowhere' >&2\nexit 255\n",
    )
    .expect("fake ssh");
    let (code, _, err) = run(env.plugin(["-H", "ssh://nowhere", "version"]));
    assert_eq!(code, 1);
    assert!(err.starts_with("error during connect: command ["), "{err}");
    assert!(
        err.contains("stderr=ssh: Could not resolve hostname nowhere"),
        "{err}"
    );
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
}
