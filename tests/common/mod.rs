//! Shared helpers for the integration tests: run the real binary, standalone
//! or through the real `docker` CLI, in a clean environment (temporary HOME
//! and DOCKER_CONFIG, no inherited DOCKER_*/COMPOSE_* variables).
#![allow(dead_code)]

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The plugin binary under test.
pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_docker-ofelia"))
}

/// The engine the tests use: `DOCKER_OFELIA_TEST_HOST` (set by tests/run.sh),
/// else the default socket.
pub fn test_host() -> String {
    std::env::var("DOCKER_OFELIA_TEST_HOST").unwrap_or_else(|_| "unix:///var/run/docker.sock".to_string())
}

/// The image every test container uses (built by tests/engine/images.sh).
pub const BUSYBOX: &str = "docker-ofelia-test/busybox:latest";

/// True when the test engine answers. With CI=true a missing engine fails
/// the test instead of skipping it.
pub fn engine_available() -> bool {
    let ok = Command::new("docker")
        .args(["-H", &test_host(), "version", "--format", "{{.Server.APIVersion}}"])
        .env_remove("DOCKER_CONTEXT")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if !ok && std::env::var("CI").map(|v| v == "true").unwrap_or(false) {
        panic!("CI=true but no Docker engine answers at {}: run the tests through tests/run.sh", test_host());
    }
    ok
}

/// Skips the calling test (returns early) when there is no engine outside CI.
#[macro_export]
macro_rules! require_engine {
    () => {
        if !$crate::common::engine_available() {
            eprintln!("skipped: no Docker engine at {}", $crate::common::test_host());
            return;
        }
    };
}

/// A clean environment with a temporary HOME and DOCKER_CONFIG in which the
/// plugin is installed (as docker finds plugins: DOCKER_CONFIG/cli-plugins).
pub struct TestEnv {
    pub dir: tempfile::TempDir,
    pub envs: Vec<(String, String)>,
}

impl TestEnv {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let config = dir.path().join("docker-config");
        let plugins = config.join("cli-plugins");
        std::fs::create_dir_all(&plugins).expect("plugins dir");
        std::os::unix::fs::symlink(bin(), plugins.join("docker-ofelia")).expect("symlink plugin");
        std::fs::create_dir_all(dir.path().join("home")).expect("home");
        let envs = vec![
            ("HOME".to_string(), dir.path().join("home").display().to_string()),
            ("DOCKER_CONFIG".to_string(), config.display().to_string()),
            ("DOCKER_HOST".to_string(), test_host()),
        ];
        TestEnv { dir, envs }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn config_dir(&self) -> PathBuf {
        self.dir.path().join("docker-config")
    }

    /// Sets (or replaces) an environment variable for later commands.
    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.envs.retain(|(k, _)| k != key);
        self.envs.push((key.to_string(), value.to_string()));
        self
    }

    /// Removes an environment variable for later commands.
    pub fn unset(mut self, key: &str) -> Self {
        self.envs.retain(|(k, _)| k != key);
        self
    }

    fn prepare(&self, mut cmd: Command) -> Command {
        for (k, _) in std::env::vars() {
            if k.starts_with("DOCKER_") || k.starts_with("COMPOSE_") || k == "TZ" || k == "NO_COLOR" {
                cmd.env_remove(&k);
            }
        }
        for (k, v) in &self.envs {
            cmd.env(k, v);
        }
        cmd.current_dir(self.dir.path());
        cmd.stdin(Stdio::null());
        cmd
    }

    /// The plugin binary run standalone: `docker-ofelia ARGS`.
    pub fn plugin<I, S>(&self, args: I) -> Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut cmd = self.prepare(Command::new(bin()));
        cmd.args(args);
        cmd
    }

    /// The real docker CLI: `docker ARGS` (e.g. `["ofelia", "ls"]`).
    pub fn docker<I, S>(&self, args: I) -> Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut cmd = self.prepare(Command::new("docker"));
        cmd.args(args);
        cmd
    }
}

/// Runs a command and returns (status code, stdout, stderr).
pub fn run(mut cmd: Command) -> (i32, String, String) {
    let out: Output = cmd.output().expect("spawn");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs a command that must succeed and returns its stdout.
pub fn ok(cmd: Command) -> String {
    let dbg = format!("{cmd:?}");
    let (code, out, err) = run(cmd);
    assert_eq!(code, 0, "{dbg} failed ({code})\nstdout:\n{out}\nstderr:\n{err}");
    out
}

/// Plain `docker -H <test engine> ARGS` for fixtures (creating containers…).
pub fn docker_cmd<I, S>(args: I) -> Command
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut cmd = Command::new("docker");
    for (k, _) in std::env::vars() {
        if k.starts_with("DOCKER_") {
            cmd.env_remove(&k);
        }
    }
    cmd.arg("-H").arg(test_host()).args(args).stdin(Stdio::null());
    cmd
}

/// A name unique to this test run, for containers and projects.
pub fn unique(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    format!("{prefix}{}x{}", std::process::id(), N.fetch_add(1, Ordering::SeqCst))
}

/// Removes containers by label on drop, so failed tests leave nothing behind.
pub struct Cleanup(pub Vec<String>);

impl Drop for Cleanup {
    fn drop(&mut self) {
        for filter in &self.0 {
            let out = docker_cmd(["ps", "-aq", "--filter", filter]).output();
            if let Ok(out) = out {
                let ids: Vec<String> = String::from_utf8_lossy(&out.stdout).lines().map(str::to_string).collect();
                if !ids.is_empty() {
                    let mut args = vec!["rm".to_string(), "-f".to_string()];
                    args.extend(ids);
                    let _ = docker_cmd(args).output();
                }
            }
        }
    }
}
