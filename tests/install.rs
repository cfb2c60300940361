//! install.sh: builds with --locked, installs into
//! ${DOCKER_CONFIG:-$HOME/.docker}/cli-plugins, is idempotent, checks the
//! result with docker, survives a dead engine, uninstalls, and says clearly
//! when cargo is missing.
//!
//! The full install builds a release binary (minutes), so it runs with
//! CI=true or DOCKER_OFELIA_TEST_INSTALL=1 only; the cheap checks always run.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{run, test_host};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// install.sh with a temporary HOME and a clean docker environment, keeping
/// the Rust toolchain reachable (rustup finds it through HOME otherwise).
fn install_sh(home: &Path, args: &[&str]) -> Command {
    let real_home = std::env::var("HOME").unwrap_or_else(|_| "/root".into());
    let rustup = std::env::var("RUSTUP_HOME").unwrap_or_else(|_| format!("{real_home}/.rustup"));
    let cargo = std::env::var("CARGO_HOME").unwrap_or_else(|_| format!("{real_home}/.cargo"));
    let mut cmd = Command::new("bash");
    cmd.arg(repo().join("install.sh")).args(args);
    for (k, _) in std::env::vars() {
        if k.starts_with("DOCKER_") || k.starts_with("COMPOSE_") {
            cmd.env_remove(&k);
        }
    }
    cmd.env("HOME", home)
        .env("RUSTUP_HOME", rustup)
        .env("CARGO_HOME", cargo)
        .env("DOCKER_HOST", test_host())
        // Its own target dir: no lock contention with the running `cargo test`.
        .env(
            "CARGO_TARGET_DIR",
            repo().join("target").join("install-test"),
        )
        .current_dir(home);
    cmd
}

#[test]
fn uninstall_when_absent_and_missing_cargo() {
    let home = tempfile::tempdir().expect("tmp");
    let (code, out, _) = run(install_sh(home.path(), &["--uninstall"]));
    assert_eq!(code, 0);
    assert!(out.contains("is not installed at"), "{out}");
    assert!(out.contains(".docker/cli-plugins/docker-ofelia"), "{out}");

    let (code, _, err) = run(install_sh(home.path(), &["--bogus"]));
    assert_eq!(code, 2);
    assert!(err.contains("usage: ./install.sh [--uninstall]"), "{err}");

    // No cargo on PATH (unless the system has one in /usr/bin or /bin).
    if !Path::new("/usr/bin/cargo").exists() && !Path::new("/bin/cargo").exists() {
        let mut cmd = install_sh(home.path(), &[]);
        cmd.env("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        let (code, _, err) = run(cmd);
        assert_eq!(code, 1);
        assert!(
            err.contains("cargo not found. Install Rust (https://rustup.rs)"),
            "{err}"
        );
    }
}

#[test]
fn install_check_reinstall_uninstall() {
    let wanted = std::env::var("CI").is_ok_and(|v| v == "true")
        || std::env::var("DOCKER_OFELIA_TEST_INSTALL").is_ok_and(|v| v == "1");
    if !wanted {
        eprintln!(
            "skipped: set DOCKER_OFELIA_TEST_INSTALL=1 (or CI=true) to build a release install"
        );
        return;
    }
    require_engine!();
    let home = tempfile::tempdir().expect("tmp");
    let target = home.path().join(".docker/cli-plugins/docker-ofelia");
    let (code, out, err) = run(install_sh(home.path(), &[]));
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        out.contains(&format!(
            "Installed docker-ofelia {} to {}",
            env!("CARGO_PKG_VERSION"),
            target.display()
        )),
        "{out}"
    );
    // The check ran `docker ofelia version` against the engine.
    assert!(out.contains("Engine:"), "{out}");
    assert!(target.is_file());

    // Idempotent; and a dead engine does not fail the install.
    let mut again = install_sh(home.path(), &[]);
    again.env("DOCKER_HOST", "unix:///nonexistent.sock");
    let (code, out, err) = run(again);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        err.contains("Cannot connect to the Docker daemon at unix:///nonexistent.sock."),
        "{err}"
    );

    // docker finds it in the default place.
    let out = Command::new("docker")
        .args(["ofelia", "version", "--format", "json"])
        .env("HOME", home.path())
        .env_remove("DOCKER_CONFIG")
        .env_remove("DOCKER_CONTEXT")
        .env("DOCKER_HOST", test_host())
        .output()
        .expect("docker");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // DOCKER_CONFIG is honoured.
    let cfg = home.path().join("elsewhere");
    let mut cmd = install_sh(home.path(), &[]);
    cmd.env("DOCKER_CONFIG", &cfg);
    let (code, out, _) = run(cmd);
    assert_eq!(code, 0);
    assert!(cfg.join("cli-plugins/docker-ofelia").is_file(), "{out}");

    let (code, out, _) = run(install_sh(home.path(), &["--uninstall"]));
    assert_eq!(code, 0);
    assert!(
        out.contains(&format!("Removed {}", target.display())),
        "{out}"
    );
    assert!(!target.exists());
}
