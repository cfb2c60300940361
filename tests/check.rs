//! `docker ofelia check` end to end: a compose file seeded with one mistake
//! per rule (tests/fixtures/check/seeded.yml, `# expect: RULE` markers) gets
//! exactly one finding per mistake at the right line, offline; the same
//! project started with docker-compose gives the same findings live.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use common::{docker_cmd, run, test_host, unique, TestEnv};
use serde::Deserialize;

/// The JSON contract of `check --format json` (README.md, section check).
#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
struct Finding {
    severity: String,
    rule: String,
    project: Option<String>,
    service: Option<String>,
    container: Option<String>,
    job: Option<String>,
    key: Option<String>,
    message: String,
    fix: String,
    file: Option<String>,
    line: Option<usize>,
}

const SEEDED: &str = include_str!("fixtures/check/seeded.yml");

/// (line, rule) of every `# expect: RULE` marker.
fn expected(text: &str) -> BTreeSet<(usize, String)> {
    text.lines()
        .enumerate()
        .filter_map(|(i, l)| {
            let (_, rule) = l.split_once("# expect: ")?;
            Some((i + 1, rule.trim().to_string()))
        })
        .collect()
}

fn write(env: &TestEnv, name: &str, text: &str) {
    std::fs::write(env.path().join(name), text).expect("write compose file");
}

/// `check ARGS --format json` → (exit code, findings).
fn check_json(env: &TestEnv, args: &[&str]) -> (i32, Vec<Finding>) {
    let mut a = vec!["check"];
    a.extend_from_slice(args);
    a.extend(["--format", "json"]);
    let (code, out, err) = run(env.plugin(&a));
    let findings: Vec<Finding> = serde_json::from_str(&out)
        .unwrap_or_else(|e| panic!("bad JSON ({e}) from {a:?}:\n{out}\nstderr:\n{err}"));
    (code, findings)
}

#[test]
fn seeded_compose_file_one_finding_per_mistake_with_lines() {
    let env = TestEnv::new();
    write(&env, "seeded.yml", SEEDED);
    let (code, findings) = check_json(
        &env,
        &["-p", "seeded", "-f", "seeded.yml", "--flavor", "ofelia-0.3"],
    );
    assert_eq!(code, 1, "errors exit 1");
    let got: BTreeSet<(usize, String)> = findings
        .iter()
        .map(|f| {
            (
                f.line.expect("compose findings have a line"),
                f.rule.clone(),
            )
        })
        .collect();
    assert_eq!(
        got.len(),
        findings.len(),
        "one finding per (line, rule): {findings:#?}"
    );
    assert_eq!(got, expected(SEEDED), "{findings:#?}");
    for f in &findings {
        assert_eq!(
            f.file.as_deref(),
            Some("seeded.yml"),
            "paths relative to the cwd"
        );
        assert_eq!(f.project.as_deref(), Some("seeded"));
        assert!(f.service.is_some());
        assert!(f.container.is_none(), "compose mode names no container");
        assert!(["error", "warning", "info"].contains(&f.severity.as_str()));
    }
}

/// Scheduler rules that need a project of their own.
#[test]
fn scheduler_rules_in_their_own_projects() {
    let env = TestEnv::new();
    let app = "  web:\n    image: docker-ofelia-test/busybox:latest\n    labels:\n      ofelia.enabled: \"true\"\n      ofelia.job-exec.x.schedule: \"@every 1h\"\n      ofelia.job-exec.x.command: date\n";
    let sock = "    volumes:\n      - /var/run/docker.sock:/var/run/docker.sock:ro\n";
    // netresearch with --docker (it exits).
    write(
        &env,
        "nr.yml",
        &format!("services:\n  ofelia:\n    image: ghcr.io/netresearch/ofelia:latest\n    command: daemon --docker -f label=com.docker.compose.project=p\n{sock}{app}"),
    );
    // No project filter (MO#84, #156).
    write(
        &env,
        "nofilter.yml",
        &format!("services:\n  ofelia:\n    image: mcuadros/ofelia:latest\n    command: daemon --docker\n{sock}{app}"),
    );
    // No scheduler.
    write(&env, "nosched.yml", &format!("services:\n{app}"));
    let cases = [
        ("nr.yml", "scheduler-docker-flag", 2, 1),
        ("nofilter.yml", "no-project-filter", 2, 0),
        ("nosched.yml", "no-scheduler", 5, 0),
    ];
    for (file, rule, line, code) in cases {
        let (got_code, f) = check_json(&env, &["-p", "p", "-f", file]);
        let got: Vec<(&str, Option<usize>)> = f.iter().map(|f| (f.rule.as_str(), f.line)).collect();
        assert_eq!(got, vec![(rule, Some(line))], "{file}: {f:#?}");
        assert_eq!(got_code, code, "{file}");
    }
}

#[test]
fn strict_makes_warnings_fail_and_a_clean_file_passes() {
    let env = TestEnv::new();
    let base = "services:\n  ofelia:\n    image: mcuadros/ofelia:latest\n    command: daemon --docker -f label=com.docker.compose.project=p\n    volumes:\n      - /var/run/docker.sock:/var/run/docker.sock:ro\n  web:\n    image: docker-ofelia-test/busybox:latest\n    labels:\n      ofelia.enabled: \"true\"\n      ofelia.job-exec.x.command: date\n";
    write(
        &env,
        "clean.yml",
        &format!("{base}      ofelia.job-exec.x.schedule: \"0 0 8 * * 1\"\n"),
    );
    write(
        &env,
        "warn.yml",
        &format!("{base}      ofelia.job-exec.x.schedule: \"0 8 * * 1\"\n"),
    );
    let (code, out, _) = run(env.plugin(["check", "-p", "p", "-f", "clean.yml"]));
    assert_eq!((code, out.as_str()), (0, "no problems found\n"));
    let (code, out, _) = run(env.plugin(["check", "-p", "p", "-f", "warn.yml"]));
    assert_eq!(code, 0, "warnings alone pass:\n{out}");
    assert!(
        out.contains("five-field-schedule") && out.ends_with("0 errors, 1 warning\n"),
        "{out}"
    );
    assert!(out.starts_with("SEVERITY   WHERE"), "{out}");
    let (code, _, _) = run(env.plugin(["check", "--strict", "-p", "p", "-f", "warn.yml"]));
    assert_eq!(code, 1, "--strict: warnings fail");
    // Through the docker CLI, as a plugin.
    let (code, out, err) = run(env.docker(["ofelia", "check", "-p", "p", "-f", "clean.yml"]));
    assert_eq!(code, 0, "{out}{err}");
}

#[test]
fn control_characters_in_labels_are_not_printed_raw() {
    let env = TestEnv::new();
    write(
        &env,
        "evil.yml",
        "services:\n  web:\n    image: x\n    labels:\n      ofelia.enabled: \"true\"\n      ofelia.job-exec.x.schedule: \"@every 1h\"\n      ofelia.job-exec.x.command: \"date\\e[31m; x\"\n",
    );
    let (code, out, _) = run(env.plugin(["check", "-p", "p", "-f", "evil.yml"]));
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains('\x1b'), "{out:?}");
    assert!(out.contains("shell-syntax"), "{out}");
}

#[test]
fn json_contract_is_stable() {
    let env = TestEnv::new();
    write(&env, "seeded.yml", SEEDED);
    let (_, findings) = check_json(
        &env,
        &["-p", "seeded", "-f", "seeded.yml", "--flavor", "ofelia-0.3"],
    );
    let f = findings
        .iter()
        .find(|f| f.rule == "every-duration")
        .expect("every-duration finding");
    assert_eq!(f.severity, "error");
    assert_eq!(f.job.as_deref(), Some("daily"));
    assert_eq!(f.service.as_deref(), Some("daily"));
    assert_eq!(f.key.as_deref(), Some("ofelia.job-exec.daily.schedule"));
    assert!(f.fix.contains("@every 24h"), "{}", f.fix);
    assert!(!f.message.is_empty());
    // An empty result is an empty array.
    write(&env, "empty.yml", "services:\n  web:\n    image: x\n");
    let (code, findings) = check_json(&env, &["-p", "p", "-f", "empty.yml"]);
    assert_eq!((code, findings.len()), (0, 0));
}

/// `docker-compose -p NAME -f FILE down` on drop, even when the test fails.
struct ComposeDown {
    project: String,
    file: std::path::PathBuf,
}

fn compose(project: &str, file: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new("docker-compose");
    for (k, _) in std::env::vars() {
        if k.starts_with("DOCKER_") || k.starts_with("COMPOSE_") {
            cmd.env_remove(&k);
        }
    }
    cmd.env("DOCKER_HOST", test_host())
        .env("COMPOSE_PROJECT_NAME", project)
        .arg("-p")
        .arg(project)
        .arg("-f")
        .arg(file)
        .args(args);
    cmd
}

impl Drop for ComposeDown {
    fn drop(&mut self) {
        let _ = compose(
            &self.project,
            &self.file,
            &["down", "-t", "0", "--remove-orphans"],
        )
        .output();
    }
}

type Key = (String, String, Option<String>, Option<String>);

fn keys(f: &[Finding]) -> BTreeSet<Key> {
    f.iter()
        .map(|f| {
            (
                f.severity.clone(),
                f.rule.clone(),
                f.service.clone(),
                f.job.clone(),
            )
        })
        .collect()
}

#[test]
fn live_project_gives_the_same_findings() {
    require_engine!();
    let project = unique("chk");
    let env = TestEnv::new().env("COMPOSE_PROJECT_NAME", &project);
    write(&env, "seeded.yml", SEEDED);
    let file = env.path().join("seeded.yml");
    let _down = ComposeDown {
        project: project.clone(),
        file: file.clone(),
    };
    let (code, out, err) = run(compose(&project, &file, &["up", "-d"]));
    assert_eq!(code, 0, "docker-compose up failed:\n{out}\n{err}");

    let (code, offline) = check_json(
        &env,
        &["-p", &project, "-f", "seeded.yml", "--flavor", "ofelia-0.3"],
    );
    assert_eq!(code, 1);
    // Live: no -f, from another directory (no compose file to discover).
    let live_env = TestEnv::new();
    let (code, live) = check_json(&live_env, &["-p", &project, "--flavor", "ofelia-0.3"]);
    assert_eq!(code, 1);
    // A scheduler without -f filters elsewhere on the test engine would run
    // these jobs too (and rightly change the findings): name it if so.
    let schedulers = String::from_utf8_lossy(
        &docker_cmd([
            "ps",
            "--filter",
            "label=ofelia.service=true",
            "--format",
            "{{.Names}} {{.Command}}",
        ])
        .output()
        .expect("docker ps")
        .stdout,
    )
    .into_owned();
    assert_eq!(
        keys(&live),
        keys(&offline),
        "live:\n{live:#?}\noffline:\n{offline:#?}\nschedulers on the engine:\n{schedulers}"
    );
    assert_eq!(live.len(), offline.len());
    for f in &live {
        assert!(f.file.is_none() && f.line.is_none(), "{f:?}");
        let c = f
            .container
            .as_deref()
            .expect("live findings name the container");
        assert!(c.starts_with(&project), "{c}");
    }
    // The containers are still there for the table form (through docker).
    let (code, out, _) =
        run(live_env.docker(["ofelia", "check", "-p", &project, "--flavor", "ofelia-0.3"]));
    assert_eq!(code, 1);
    assert!(out.contains(&format!("{project}_daily_1")), "{out}");
}

#[test]
fn every_rule_is_documented() {
    let doc = include_str!("../README.md");
    for r in docker_ofelia::check::RULES {
        assert!(
            doc.contains(&format!("| `{}` |", r.id)),
            "{} is not in README.md",
            r.id
        );
    }
}

#[test]
fn live_check_of_a_project_without_containers_says_so() {
    require_engine!();
    let env = TestEnv::new();
    let project = unique("chkempty");
    let (code, out, err) = run(env.plugin(["check", "-p", &project]));
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(out, "no problems found\n");
    assert!(err.contains("pass -f FILE"), "{err}");
}
