//! Differential checks: our compose reader against `docker-compose config`
//! (v1, when installed; skipped otherwise). Compared per service: image,
//! labels, environment, command words. The fixtures avoid what v1 and v2
//! legitimately disagree on (YAML 1.1 booleans like `yes`, float rewriting,
//! `${COMPOSE_PROJECT_NAME}`, which only v2 sets).

use std::collections::BTreeMap;
use std::process::{Command, Stdio};

use docker_ofelia::compose::files::load_project;

fn have_compose_v1() -> bool {
    Command::new("docker-compose")
        .arg("version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

fn env_of(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// A value of `docker-compose config`'s output, which escapes `$` as `$$`.
fn yaml_str(v: &serde_yaml::Value) -> String {
    match v {
        serde_yaml::Value::String(s) => s.replace("$$", "$"),
        serde_yaml::Value::Null => String::new(),
        other => serde_yaml::to_string(other)
            .unwrap_or_default()
            .trim()
            .to_string(),
    }
}

fn str_map(v: Option<&serde_yaml::Value>) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    if let Some(serde_yaml::Value::Mapping(m)) = v {
        for (k, v) in m {
            out.insert(yaml_str(k), yaml_str(v));
        }
    }
    out
}

/// Writes the files in a temp dir, runs both readers, compares.
fn compare(files: &[(&str, &str)], dotenv: Option<&str>, env: &[(&str, &str)]) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for (name, text) in files {
        std::fs::write(d.join(name), text).unwrap();
    }
    if let Some(text) = dotenv {
        std::fs::write(d.join(".env"), text).unwrap();
    }
    let mut cmd = Command::new("docker-compose");
    cmd.current_dir(d).env_clear();
    if let Ok(path) = std::env::var("PATH") {
        cmd.env("PATH", path);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    for (name, _) in files {
        cmd.args(["-f", name]);
    }
    let out = cmd.arg("config").output().unwrap();
    assert!(
        out.status.success(),
        "docker-compose config failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let theirs: serde_yaml::Value = serde_yaml::from_slice(&out.stdout).unwrap();

    let ours = load_project(
        &files.iter().map(|(n, _)| n.into()).collect::<Vec<_>>(),
        None,
        d,
        &env_of(env),
        std::io::empty(),
    )
    .unwrap();

    let services = theirs.get("services").and_then(|s| s.as_mapping()).unwrap();
    assert_eq!(services.len(), ours.services.len());
    for svc in &ours.services {
        let t = services.get(svc.name.as_str()).unwrap();
        let ctx = format!("service {}", svc.name);
        assert_eq!(
            svc.image.clone(),
            t.get("image").map(yaml_str),
            "{ctx}: image"
        );
        let labels: BTreeMap<String, String> = svc
            .labels
            .iter()
            .map(|l| (l.key.clone(), l.value.clone()))
            .collect();
        assert_eq!(labels, str_map(t.get("labels")), "{ctx}: labels");
        assert_eq!(
            svc.environment,
            str_map(t.get("environment")),
            "{ctx}: environment"
        );
        // v1 prints a string command as written (with `$$` kept): compare words.
        let their_cmd = t.get("command").map(|c| {
            let text = match c {
                serde_yaml::Value::Sequence(s) => {
                    s.iter().map(yaml_str).collect::<Vec<_>>().join(" ")
                }
                other => yaml_str(other),
            };
            text.split_whitespace()
                .map(str::to_string)
                .collect::<Vec<_>>()
        });
        let our_cmd = svc
            .command
            .clone()
            .map(|c| c.join(" ").split_whitespace().map(str::to_string).collect());
        assert_eq!(our_cmd, their_cmd, "{ctx}: command");
    }
}

#[test]
fn diff_list_and_map_labels_interpolation_dotenv() {
    if !have_compose_v1() {
        eprintln!("skipped: docker-compose not installed");
        return;
    }
    compare(
        &[(
            "docker-compose.yml",
            r#"x-l: &l
  ofelia.enabled: "true"
services:
  app:
    image: ${IMG:-alpine}:${TAG}
    command: ["sh", "-c", "echo $$HOME"]
    labels:
      - ofelia.job-exec.x.schedule="@every 1s"
      - ofelia.job-exec.x.command=echo a=b
      - novalue
    environment:
      - A=1
      - FROM_OS
      - TZ=${TZ-UTC}
  b:
    <<: &s
      image: busybox
    labels:
      <<: *l
      n: 5
      # (v1 knows no `:+`/`+` forms: they are unit-tested only)
      s: "${UNSET_VAR:-dflt} ${TAG-x} $${TAG}"
    environment:
      MAPPED: ${FROM_OS}
      NUM: 3
"#,
        )],
        Some("TAG=3.19\nFROM_OS=dotenv\nexport Q='single # not comment'\n"),
        &[("FROM_OS", "os")],
    );
}

#[test]
fn diff_multi_file_merge() {
    if !have_compose_v1() {
        eprintln!("skipped: docker-compose not installed");
        return;
    }
    compare(
        &[
            (
                "base.yml",
                "version: '3.7'\nservices:\n  app:\n    image: a\n    command: x y\n    labels:\n      - one=1\n      - two=2\n    environment: [A=1, B=2]\n",
            ),
            (
                "over.yml",
                "version: '3.7'\nservices:\n  app:\n    image: b\n    command: z\n    labels:\n      two: deux\n      three: '3'\n    environment:\n      B: deux\n  new:\n    image: n\n",
            ),
        ],
        None,
        &[],
    );
}

#[test]
fn diff_required_variable_error_wording() {
    if !have_compose_v1() {
        eprintln!("skipped: docker-compose not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let text = "services:\n  app:\n    image: ${NEED:?set NEED first}\n";
    std::fs::write(d.join("compose.yml"), text).unwrap();
    let out = Command::new("docker-compose")
        .current_dir(d)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .args(["-f", "compose.yml", "config"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let theirs = String::from_utf8_lossy(&out.stderr);
    let ours = load_project(
        &["compose.yml".into()],
        None,
        d,
        &BTreeMap::new(),
        std::io::empty(),
    )
    .unwrap_err()
    .to_string();
    // v1: "Missing mandatory value for "image" option interpolating ... : set NEED first";
    // v2: "required variable NEED is missing a value: set NEED first". Both name the reason.
    assert!(theirs.contains("set NEED first"), "{theirs}");
    assert_eq!(
        ours,
        "compose.yml:3: required variable NEED is missing a value: set NEED first"
    );
}

/// The line of a YAML syntax error: v1 (PyYAML) names it last in its message.
#[test]
fn diff_syntax_error_lines() {
    if !have_compose_v1() {
        eprintln!("skipped: docker-compose not installed");
        return;
    }
    let cases = [
        "services:\n  app:\n    image: a: b\n",
        "services:\n  app:\n    labels:\n      a: b\n     c: d\n",
        "services:\n  app:\n    labels:\n      - a=b\n      c: d\n",
        "services:\n  app:\n    image: alpine\n    labels: {a: b\n",
    ];
    for text in cases {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(d.join("docker-compose.yml"), text).unwrap();
        let out = Command::new("docker-compose")
            .current_dir(d)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .arg("config")
            .output()
            .unwrap();
        let theirs = String::from_utf8_lossy(&out.stderr);
        let their_line = theirs
            .rsplit("line ")
            .next()
            .and_then(|s| s.split(',').next())
            .and_then(|n| n.trim().parse::<usize>().ok())
            .unwrap_or_else(|| panic!("no line in {theirs}"));
        let ours = load_project(&[], None, d, &BTreeMap::new(), std::io::empty()).unwrap_err();
        assert_eq!(
            ours.to_string().split(':').nth(1),
            Some(their_line.to_string().as_str()),
            "ours: {ours}\ntheirs: {theirs}"
        );
    }
}
