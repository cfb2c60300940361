//! Tests of [`super::load`]: pure, contents in, project out.

use super::*;

fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

struct T<'a> {
    files: Vec<(&'a str, &'a str)>,
    env: BTreeMap<String, String>,
    dotenv: Option<&'a str>,
    dir: &'a str,
    p: Option<&'a str>,
}

impl<'a> T<'a> {
    fn new(text: &'a str) -> Self {
        T {
            files: vec![("compose.yml", text)],
            env: BTreeMap::new(),
            dotenv: None,
            dir: "/work/My_Stack",
            p: None,
        }
    }

    fn run(&self) -> Result<Project, ComposeError> {
        load(&Input {
            files: self
                .files
                .iter()
                .map(|(p, t)| (PathBuf::from(p), *t))
                .collect(),
            env: &self.env,
            dotenv: self.dotenv,
            working_dir: PathBuf::from(self.dir),
            project_override: self.p,
        })
    }

    fn ok(&self) -> Project {
        self.run().unwrap()
    }

    fn err(&self) -> String {
        self.run().unwrap_err().to_string()
    }
}

fn labels(s: &Service) -> Vec<(&str, &str, usize, bool)> {
    s.labels
        .iter()
        .map(|l| (l.key.as_str(), l.value.as_str(), l.line, l.list_syntax))
        .collect()
}

const MYSTACK: &str = r#"services:
  ofelia:
    image: mcuadros/ofelia:latest
    command: daemon --docker -f label=com.docker.compose.project=${COMPOSE_PROJECT_NAME}
    environment:
      TZ: Europe/Paris
    volumes:
      - /var/run/docker.sock:/var/run/docker.sock:ro
  app:
    image: python:3.12
    labels:
      ofelia.enabled: "true"
      ofelia.job-exec.datecron.schedule: "0 0 8 * * 1"
      ofelia.job-exec.datecron.command: python -m TYPER_LAUNCH
"#;

#[test]
fn the_seed_stack() {
    let p = T::new(MYSTACK).ok();
    assert_eq!(p.name, "my_stack");
    assert_eq!(p.services.len(), 2);
    let ofelia = &p.services[0];
    assert_eq!((ofelia.name.as_str(), ofelia.line), ("ofelia", 2));
    assert_eq!(
        ofelia.command.as_deref().unwrap(),
        [
            "daemon",
            "--docker",
            "-f",
            "label=com.docker.compose.project=my_stack"
        ]
    );
    assert_eq!(ofelia.environment["TZ"], "Europe/Paris");
    assert_eq!(
        ofelia.volumes,
        vec![Volume {
            source: Some("/var/run/docker.sock".into()),
            target: "/var/run/docker.sock".into(),
            read_only: true,
            kind: "bind".into()
        }]
    );
    let app = &p.services[1];
    assert_eq!(
        labels(app),
        vec![
            ("ofelia.enabled", "true", 12, false),
            (
                "ofelia.job-exec.datecron.schedule",
                "0 0 8 * * 1",
                13,
                false
            ),
            (
                "ofelia.job-exec.datecron.command",
                "python -m TYPER_LAUNCH",
                14,
                false
            ),
        ]
    );
    assert_eq!(app.labels[0].file, PathBuf::from("compose.yml"));
    assert_eq!(app.default_container_name("mystack"), "mystack-app-1");
    assert_eq!(app.default_container_name_v1("mystack"), "mystack_app_1");
}

#[test]
fn list_labels_split_at_first_equals_and_keep_quotes() {
    let text = r#"services:
  app:
    labels:
      - ofelia.enabled=true
      - ofelia.job-exec.x.schedule="@every 1s"
      - ofelia.job-exec.x.command=sh -c 'a=b; echo $$a'
      - novalue
      - "quoted.item=plain"
"#;
    let p = T::new(text).ok();
    let app = &p.services[0];
    assert_eq!(
        labels(app),
        vec![
            ("ofelia.enabled", "true", 4, true),
            ("ofelia.job-exec.x.schedule", "\"@every 1s\"", 5, true),
            ("ofelia.job-exec.x.command", "sh -c 'a=b; echo $a'", 6, true),
            ("novalue", "", 7, true),
            ("quoted.item", "plain", 8, true),
        ]
    );
    assert!(app.labels[1].value_is_quoted());
    assert!(!app.labels[2].value_is_quoted());
    assert!(!app.labels[4].value_is_quoted());
}

#[test]
fn map_labels_convert_scalars_to_strings() {
    let text = "services:\n  app:\n    labels:\n      a: true\n      b: 5\n      c: 1.5\n      d:\n      e: 'x'\n";
    let p = T::new(text).ok();
    assert_eq!(
        labels(&p.services[0]),
        vec![
            ("a", "true", 4, false),
            ("b", "5", 5, false),
            ("c", "1.5", 6, false),
            ("d", "", 7, false),
            ("e", "x", 8, false),
        ]
    );
    assert!(!p.services[0].labels[4].value_is_quoted());
}

#[test]
fn environment_list_and_map() {
    let text = "services:\n  a:\n    environment:\n      - A=1=2\n      - FROM_OS\n      - MISSING\n  b:\n    environment:\n      N: 3\n      FROM_OS:\n      MISSING:\n";
    let mut t = T::new(text);
    t.env = env(&[("FROM_OS", "os")]);
    let p = t.ok();
    assert_eq!(
        p.services[0].environment,
        env(&[("A", "1=2"), ("FROM_OS", "os")])
    );
    assert_eq!(
        p.services[1].environment,
        env(&[("N", "3"), ("FROM_OS", "os")])
    );
}

#[test]
fn anchors_and_merge_keys_keep_definition_lines() {
    let text = r#"x-labels: &jobs
  ofelia.enabled: "true"
  ofelia.job-exec.a.schedule: "@hourly"
x-svc: &svc
  image: alpine
  labels: *jobs
services:
  one:
    <<: *svc
  two:
    <<: *svc
    image: busybox
    labels:
      <<: *jobs
      ofelia.job-exec.a.schedule: "@daily"
"#;
    let p = T::new(text).ok();
    let (one, two) = (&p.services[0], &p.services[1]);
    assert_eq!(one.image.as_deref(), Some("alpine"));
    assert_eq!(
        labels(one),
        vec![
            ("ofelia.enabled", "true", 2, false),
            ("ofelia.job-exec.a.schedule", "@hourly", 3, false)
        ]
    );
    assert_eq!(two.image.as_deref(), Some("busybox"));
    assert_eq!(
        labels(two),
        vec![
            ("ofelia.enabled", "true", 2, false),
            ("ofelia.job-exec.a.schedule", "@daily", 15, false)
        ]
    );
}

#[test]
fn later_files_merge_over_earlier_ones() {
    let base = r#"services:
  app:
    image: a
    command: ["x", "y"]
    labels:
      - one=1
      - two=2
    environment: [A=1, B=2]
    volumes:
      - data:/data
      - ./conf:/conf:ro
    networks: [front]
    profiles: [p1]
"#;
    let over = r#"services:
  app:
    image: b
    command: z
    labels:
      two: deux
      three: "3"
    environment:
      B: deux
    volumes:
      - other:/data
    networks:
      back: {}
    deploy:
      replicas: 2
  new:
    image: n
"#;
    let mut t = T::new(base);
    t.files.push(("override.yml", over));
    let p = t.ok();
    let app = &p.services[0];
    assert_eq!(app.image.as_deref(), Some("b"));
    assert_eq!(app.command.as_deref().unwrap(), ["z"]);
    assert_eq!(
        labels(app),
        vec![
            ("one", "1", 6, true),
            ("two", "deux", 6, false),
            ("three", "3", 7, false)
        ]
    );
    assert_eq!(app.labels[0].file, PathBuf::from("compose.yml"));
    assert_eq!(app.labels[1].file, PathBuf::from("override.yml"));
    assert_eq!(app.environment, env(&[("A", "1"), ("B", "deux")]));
    assert_eq!(app.volumes.len(), 2);
    assert_eq!(app.volumes[0].source.as_deref(), Some("other"));
    assert_eq!(app.volumes[0].kind, "volume");
    assert_eq!(
        app.volumes[1].source.as_deref(),
        Some("/work/My_Stack/conf")
    );
    assert!(app.volumes[1].read_only);
    assert_eq!(app.networks, ["front", "back"]);
    assert_eq!(app.profiles, ["p1"]);
    assert_eq!(app.replicas, Some(2));
    assert_eq!(
        (app.file.as_path(), app.line),
        (Path::new("compose.yml"), 2)
    );
    assert_eq!(p.services[1].name, "new");
    assert_eq!(p.services[1].file, PathBuf::from("override.yml"));
    assert_eq!(p.files.len(), 2);
}

#[test]
fn interpolation_everywhere_with_dotenv_precedence() {
    let text = "services:\n  app:\n    image: ${IMG:-alpine}:${TAG}\n    labels:\n      - a=${A}\n      b: x\n";
    // a list is not a map: separate case below
    let text = text.replace("      b: x\n", "");
    let mut t = T::new(&text);
    t.dotenv = Some("TAG=3.19\nA=from-dotenv\n");
    t.env = env(&[("A", "from-os")]);
    let p = t.ok();
    assert_eq!(p.services[0].image.as_deref(), Some("alpine:3.19"));
    assert_eq!(p.services[0].labels[0].value, "from-os");
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
}

#[test]
fn unset_variables_are_warned_about() {
    let p = T::new("services:\n  app:\n    image: x$NOPE\n").ok();
    assert_eq!(p.services[0].image.as_deref(), Some("x"));
    assert_eq!(
        p.warnings,
        ["The \"NOPE\" variable is not set. Defaulting to a blank string."]
    );
}

#[test]
fn interpolation_errors_have_file_and_line() {
    let text = "services:\n  app:\n    image: alpine\n    labels:\n      ofelia.x: ${NEED:?set NEED first}\n";
    assert_eq!(
        T::new(text).err(),
        "compose.yml:5: required variable NEED is missing a value: set NEED first"
    );
    let text = "services:\n  app:\n    image: \"${oops\"\n";
    assert_eq!(
        T::new(text).err(),
        "compose.yml:3: invalid interpolation format for services.app.image: \"${oops\"; \
         you may need to escape any $ with another $"
    );
}

#[test]
fn project_name_rules() {
    let text = "name: My Project!\nservices: {}\n";
    // top-level name, normalised
    assert_eq!(T::new(text).ok().name, "myproject");
    // COMPOSE_PROJECT_NAME from .env beats name:
    let mut t = T::new(text);
    t.dotenv = Some("COMPOSE_PROJECT_NAME=fromdotenv\n");
    assert_eq!(t.ok().name, "fromdotenv");
    // ... the OS environment beats .env
    t.env = env(&[("COMPOSE_PROJECT_NAME", "fromos")]);
    assert_eq!(t.ok().name, "fromos");
    // ... and -p beats everything
    t.p = Some("explicit");
    assert_eq!(t.ok().name, "explicit");
    // directory basename, normalised
    let mut t = T::new("services: {}\n");
    t.dir = "/tmp/-Hello.World_2";
    assert_eq!(t.ok().name, "helloworld_2");
    // name: is interpolated
    let mut t = T::new("name: ${N:-x}-Y\nservices: {}\n");
    t.env = env(&[("N", "Proj")]);
    assert_eq!(t.ok().name, "proj-y");
}

#[test]
fn invalid_explicit_project_names() {
    let want = "invalid project name \"My_Stack\": must consist only of lowercase alphanumeric \
                characters, hyphens, and underscores as well as start with a letter or number";
    let mut t = T::new("services: {}\n");
    t.p = Some("My_Stack");
    assert_eq!(t.err(), want);
    let mut t = T::new("services: {}\n");
    t.env = env(&[("COMPOSE_PROJECT_NAME", "My_Stack")]);
    assert_eq!(t.err(), want);
    assert!(validate_project_name("_x").is_err());
    assert!(validate_project_name("").is_err());
    assert!(validate_project_name("0a-b_c").is_ok());
    assert_eq!(normalize_project_name("__My.App-1"), "myapp-1");
    let mut t = T::new("services: {}\n");
    t.dir = "/";
    assert_eq!(t.err(), "project name must not be empty");
}

#[test]
fn bad_yaml_gives_file_line_reason() {
    let text = "services:\n  app:\n    image: alpine\n    labels:\n      a: b\n     c: d\n";
    let e = T::new(text).run().unwrap_err();
    assert_eq!(e.file.as_deref(), Some(Path::new("compose.yml")));
    assert_eq!(e.line, Some(6));
    assert!(!e.to_string().contains('\n'));
    assert_eq!(
        T::new("services:\n  app:\n    image: a: b\n").err(),
        "compose.yml:3: mapping values are not allowed in this context"
    );
    assert_eq!(
        T::new("- a\n- b\n").err(),
        "compose.yml:1: Top-level object must be a mapping"
    );
    assert_eq!(T::new("").err(), "compose.yml: empty compose file");
    assert_eq!(
        T::new("---\n...\n").err(),
        "compose.yml: empty compose file"
    );
    assert_eq!(
        T::new("services:\n  app:\n    image: a\n  app:\n    image: b\n").err(),
        "compose.yml:4: mapping key \"app\" already defined at line 2"
    );
    assert_eq!(
        T::new("services:\n  app:\n    labels: 5\n").err(),
        "compose.yml:3: services.app.labels must be a mapping or a list"
    );
    assert_eq!(
        T::new("services:\n  app:\n    image: [a]\n").err(),
        "compose.yml:3: services.app.image must be a string, not a sequence"
    );
    assert_eq!(
        T::new("services:\n  app:\n    command: \"sh -c 'x\"\n").err(),
        "compose.yml:3: services.app.command: invalid command line string: \"sh -c 'x\""
    );
    let mut t = T::new("services: {}\n");
    t.dotenv = Some("A='x\n");
    assert_eq!(t.err(), "/work/My_Stack/.env:1: unterminated quoted value");
}

#[test]
fn command_entrypoint_and_scalars() {
    let text = r#"services:
  s:
    image: ofelia
    container_name: sched
    entrypoint: ["/sbin/tini", "--"]
    command: daemon --docker -f "label=a b"
    network_mode: host
    user: "1000"
    working_dir: /w
    restart: always
    scale: 3
    profiles: [tools]
    env_file: .env.extra
    volumes:
      - type: bind
        source: ./x
        target: /x
        read_only: true
      - /anon
      - ~/h:/h
"#;
    let mut t = T::new(text);
    t.env = env(&[("HOME", "/home/me")]);
    let p = t.ok();
    let s = &p.services[0];
    assert_eq!(s.entrypoint.as_deref().unwrap(), ["/sbin/tini", "--"]);
    assert_eq!(
        s.command.as_deref().unwrap(),
        ["daemon", "--docker", "-f", "label=a b"]
    );
    assert_eq!(s.default_container_name("p"), "sched");
    assert_eq!(s.network_mode.as_deref(), Some("host"));
    assert_eq!(s.user.as_deref(), Some("1000"));
    assert_eq!(s.working_dir.as_deref(), Some("/w"));
    assert_eq!(s.restart.as_deref(), Some("always"));
    assert_eq!(s.replicas, Some(3));
    assert_eq!(s.profiles, ["tools"]);
    assert_eq!(
        s.volumes[0],
        Volume {
            source: Some("/work/My_Stack/x".into()),
            target: "/x".into(),
            read_only: true,
            kind: "bind".into()
        }
    );
    assert_eq!(s.volumes[1].source, None);
    assert_eq!(s.volumes[1].target, "/anon");
    assert_eq!(s.volumes[2].source.as_deref(), Some("/home/me/h"));
}

#[test]
fn error_converts_to_crate_error() {
    let e: crate::Error = T::new("a: [").run().unwrap_err().into();
    assert!(
        matches!(e, crate::Error::Compose(ref m) if m.starts_with("compose.yml:")),
        "{e}"
    );
}

mod props {
    use super::*;
    use proptest::prelude::*;

    /// YAML-ish text: fragments that exercise the parser, anchors, merge keys
    /// and interpolation, glued in random order.
    fn yamlish() -> impl Strategy<Value = String> {
        let frag = prop_oneof![
            Just("services:\n".to_string()),
            Just("  app:\n".to_string()),
            Just("    labels:\n".to_string()),
            Just("      - a=b\n".to_string()),
            Just("      k: v\n".to_string()),
            Just("    <<: *x\n".to_string()),
            Just("x: &x\n".to_string()),
            Just("  image: ${A:-${B}}\n".to_string()),
            Just("    command: sh -c 'x\n".to_string()),
            Just("    volumes: [a:b:ro, /x]\n".to_string()),
            Just("    environment: {A: 1, B: }\n".to_string()),
            Just("- [\n".to_string()),
            Just("{\"a\": ${\n".to_string()),
            Just("'\"\t:#&*!|>-?\n".to_string()),
            "[ -~\\n]{0,12}",
        ];
        proptest::collection::vec(frag, 0..24).prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn never_panics_and_errors_are_one_line(text in yamlish()) {
            let mut t = T::new(&text);
            t.env = env(&[("A", "a")]);
            t.dotenv = Some(&text);
            match t.run() {
                Ok(p) => prop_assert!(p.services.iter().all(|s| s.line >= 1)),
                Err(e) => prop_assert!(!e.to_string().contains('\n')),
            }
        }

        #[test]
        fn arbitrary_bytes_never_panic(text in "\\PC{0,200}") {
            let _ = T::new(&text).run();
        }
    }
}

#[test]
fn interpolation_errors_anywhere_in_the_file() {
    let text = "x-meta:\n  note: fine\nservices:\n  app:\n    image: alpine\n    ports:\n      - \"${PORT:?give a port}:80\"\n";
    assert_eq!(
        T::new(text).err(),
        "compose.yml:7: required variable PORT is missing a value: give a port"
    );
    let text = "services:\n  app:\n    image: alpine\n    healthcheck:\n      test: \"echo ${\"\n";
    assert_eq!(
        T::new(text).err(),
        "compose.yml:5: invalid interpolation format for services.app.healthcheck.test: \
         \"echo ${\"; you may need to escape any $ with another $"
    );
    // labels in list syntax name the list item
    let text = "services:\n  app:\n    labels:\n      - a=${\n";
    assert!(T::new(text).err().contains("services.app.labels.[]"));
}

/// 200 services with 6 labels each: the size `check` must handle in < 50 ms
/// as a whole process. Generous bound here (debug build, shared machine).
#[test]
fn two_hundred_services_load_quickly() {
    let mut text = String::from("x-base: &base\n  image: alpine\nservices:\n");
    for i in 0..200 {
        text.push_str(&format!(
            "  svc{i}:\n    <<: *base\n    environment: [TZ=Europe/Paris]\n    labels:\n      ofelia.enabled: \"true\"\n      ofelia.job-exec.j{i}.schedule: \"@every ${{EVERY:-10s}}\"\n      ofelia.job-exec.j{i}.command: echo {i}\n      - x\n"
        ).replace("      - x\n", "      ofelia.job-exec.j{i}.user: root\n      ofelia.job-exec.j{i}.no-overlap: \"true\"\n      ofelia.job-exec.j{i}.tty: \"false\"\n"));
    }
    let start = std::time::Instant::now();
    let p = T::new(&text).ok();
    let took = start.elapsed();
    assert_eq!(p.services.len(), 200);
    assert_eq!(p.services[199].labels.len(), 6);
    eprintln!("200 services: {} bytes loaded in {took:?}", text.len());
    assert!(took.as_millis() < 500, "{took:?}");
}

#[test]
fn compose_project_name_is_the_computed_name_for_interpolation() {
    let text = "services:\n  s:\n    command: daemon -f label=com.docker.compose.project=${COMPOSE_PROJECT_NAME}\n";
    let mut t = T::new(text);
    t.env = env(&[("COMPOSE_PROJECT_NAME", "fromenv")]);
    t.p = Some("fromflag");
    let p = t.ok();
    assert_eq!(p.name, "fromflag");
    assert_eq!(
        p.services[0].command.as_deref().unwrap()[2],
        "label=com.docker.compose.project=fromflag"
    );
}
