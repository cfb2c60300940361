//! Behaviour of the label model, per flavour. Regression tests are named
//! after the peers' issues (MO = mcuadros/ofelia, NR = netresearch/ofelia).

use super::*;

const U: Flavor = Flavor::Ofelia03;
const N: Flavor = Flavor::Netresearch;

fn carrier(name: &str, labels: &[(&str, &str)]) -> Carrier {
    Carrier {
        id: format!("{name}-id"),
        name: name.to_string(),
        project: Some("mystack".into()),
        service: Some(
            name.trim_start_matches("mystack-")
                .trim_end_matches("-1")
                .to_string(),
        ),
        image: "nginx".into(),
        labels: labels
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        running: true,
        created: 100,
        ..Carrier::default()
    }
}

fn app(labels: &[(&str, &str)]) -> Carrier {
    let mut all = vec![("ofelia.enabled", "true")];
    all.extend_from_slice(labels);
    carrier("mystack-app-1", &all)
}

fn sched(labels: &[(&str, &str)]) -> Carrier {
    let mut all = vec![("ofelia.enabled", "true"), ("ofelia.service", "true")];
    all.extend_from_slice(labels);
    let mut c = carrier("ops-ofelia-1", &all);
    c.image = "mcuadros/ofelia:latest".into();
    c.project = Some("ops".into());
    c.service = Some("ofelia".into());
    c
}

fn job<'a>(m: &'a Model, name: &str) -> &'a Job {
    m.jobs
        .iter()
        .find(|j| j.name == name)
        .unwrap_or_else(|| panic!("no job {name} in {:#?}", m.jobs))
}

fn codes(j: &Job) -> Vec<&'static str> {
    j.notes.iter().map(|n| n.code).collect()
}

#[test]
fn seed_stack_datecron() {
    let c = app(&[
        ("ofelia.job-exec.datecron.schedule", "0 0 8 * * 1"),
        ("ofelia.job-exec.datecron.command", "python -m TYPER_LAUNCH"),
    ]);
    for flavor in Flavor::ALL {
        let m = build(&[c.clone(), sched(&[])], flavor, false);
        assert_eq!(m.jobs.len(), 1, "{flavor}");
        let j = &m.jobs[0];
        let want = if flavor == N {
            "app.datecron"
        } else {
            "datecron"
        };
        assert_eq!(j.name, want);
        assert_eq!(j.label_name, "datecron");
        assert_eq!(j.job_type, JobType::Exec);
        assert_eq!(j.schedule.as_deref(), Some("0 0 8 * * 1"));
        assert_eq!(j.command.as_deref(), Some("python -m TYPER_LAUNCH"));
        assert_eq!(j.target.as_deref(), Some("mystack-app-1"));
        assert_eq!(j.project.as_deref(), Some("mystack"));
        assert!(j.runs && j.notes.is_empty(), "{flavor}: {:?}", j.notes);
        assert_eq!(
            j.sources.get("schedule").map(String::as_str),
            Some("ofelia.job-exec.datecron.schedule")
        );
    }
}

#[test]
fn discovery_rules() {
    // (labels, discovered)
    let cases: &[(&[(&str, &str)], bool)] = &[
        (&[("ofelia.enabled", "true")], true),
        (&[("ofelia.enabled", "True")], false),
        (&[("ofelia.enabled", "1")], false),
        (&[], false),
    ];
    for (extra, want) in cases {
        let mut labels = extra.to_vec();
        labels.push(("ofelia.job-exec.x.schedule", "@hourly"));
        let m = build(&[carrier("c", &labels)], U, false);
        assert_eq!(!m.jobs.is_empty(), *want, "{extra:?}");
        if !want {
            assert!(m
                .notes
                .iter()
                .any(|(c, n)| c == "c" && n.code == "not-enabled"));
        }
    }
}

#[test]
fn mo126_enable_is_not_enabled() {
    let c = carrier(
        "c",
        &[
            ("ofelia.enable", "true"),
            ("ofelia.job-exec.x.schedule", "@hourly"),
        ],
    );
    let m = build(&[c], U, false);
    assert!(m.jobs.is_empty());
    let (_, note) = &m.notes[0];
    assert_eq!(note.code, "not-enabled");
    assert!(note.message.contains("MO#126"));
}

#[test]
fn mo167_misspelled_prefix_is_ignored() {
    let c = app(&[
        ("ofeila.job-exec.x.schedule", "@hourly"),
        ("ofeila.job-exec.x.command", "date"),
    ]);
    for flavor in Flavor::ALL {
        let m = build(std::slice::from_ref(&c), flavor, false);
        assert!(m.jobs.is_empty(), "{flavor}");
        assert_eq!(
            m.notes
                .iter()
                .filter(|(_, n)| n.code == "prefix-typo")
                .count(),
            2
        );
    }
}

#[test]
fn prefix_check_is_has_prefix_ofelia_without_dot() {
    // Ofelia keeps `HasPrefix(k, "ofelia")` and then ignores parts[0]:
    // `ofeliax.job-exec…` is read as a job.
    let m = build(
        &[app(&[("ofeliax.job-exec.x.schedule", "@hourly")])],
        U,
        false,
    );
    assert_eq!(m.jobs.len(), 1);
}

#[test]
fn mo109_job_run_on_app_container_ignored_by_mcuadros() {
    let c = app(&[
        ("ofelia.job-run.backup.schedule", "@daily"),
        ("ofelia.job-run.backup.image", "alpine"),
        ("ofelia.job-run.backup.command", "true"),
    ]);
    for flavor in [Flavor::Ofelia03, Flavor::Ofelia04] {
        let m = build(std::slice::from_ref(&c), flavor, false);
        let j = job(&m, "backup");
        assert!(!j.runs);
        assert_eq!(codes(j), vec!["placement"]);
        assert!(j.notes[0].message.contains("MO#109"));
    }
    let m = build(&[c], N, false);
    let j = job(&m, "backup");
    assert!(j.runs, "{:?}", j.notes);
    assert_eq!(j.target.as_deref(), Some("alpine"));
}

#[test]
fn placement_table() {
    use JobType::*;
    // (type, flavor, on service container, runs)
    let cases: &[(JobType, Flavor, bool, bool)] = &[
        (Exec, U, false, true),
        (Exec, U, true, true),
        (Run, U, false, false),
        (Run, U, true, true),
        (Local, U, false, false),
        (Local, U, true, true),
        (ServiceRun, U, false, false),
        (ServiceRun, U, true, true),
        (Compose, U, true, false),
        (Exec, N, false, true),
        (Run, N, false, true),
        (Run, N, true, true),
        (Local, N, false, false),
        // host-gated: blocked without allow-host-jobs-from-labels
        (Local, N, true, false),
        (ServiceRun, N, false, false),
        (ServiceRun, N, true, true),
        (Compose, N, true, false),
    ];
    for (t, flavor, on_service, runs) in cases {
        let prefix = format!("ofelia.{}.j", t.label());
        let keys = [
            (format!("{prefix}.schedule"), "@hourly"),
            (format!("{prefix}.command"), "date"),
            (format!("{prefix}.image"), "alpine"),
            (format!("{prefix}.container"), "other"),
        ];
        let labels: Vec<(&str, &str)> = keys.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        let c = if *on_service {
            sched(&labels)
        } else {
            app(&labels)
        };
        let m = build(&[c], *flavor, false);
        assert_eq!(m.jobs.len(), 1, "{t:?} {flavor}");
        assert_eq!(
            m.jobs[0].runs, *runs,
            "{t:?} {flavor} service={on_service}: {:?}",
            m.jobs[0].notes
        );
    }
}

#[test]
fn netresearch_host_jobs_allowed_by_option() {
    let c = sched(&[
        ("ofelia.job-local.l.schedule", "@hourly"),
        ("ofelia.job-local.l.command", "date"),
    ]);
    let m = build(std::slice::from_ref(&c), N, false);
    assert_eq!(codes(job(&m, "l")), vec!["blocked"]);
    let opts = BuildOptions {
        allow_host_jobs: true,
        ..BuildOptions::new(N)
    };
    assert!(build_with(&[c], &opts).jobs[0].runs);
}

#[test]
fn netresearch_blocks_host_binds_and_volumes_from() {
    let cases: &[(&str, &str, bool)] = &[
        ("volume", "/etc:/etc", false),
        ("volume", r#"["./data:/data"]"#, false),
        ("volume", "~/x:/x", false),
        ("volume", "named:/data", true),
        ("volumes-from", "other", false),
    ];
    for (key, value, runs) in cases {
        let k = format!("ofelia.job-run.r.{key}");
        let c = app(&[
            ("ofelia.job-run.r.schedule", "@hourly"),
            ("ofelia.job-run.r.image", "alpine"),
            (k.as_str(), value),
        ]);
        let m = build(&[c], N, false);
        assert_eq!(m.jobs[0].runs, *runs, "{key}={value}");
        if !runs {
            assert_eq!(codes(&m.jobs[0]), vec!["blocked"]);
        }
    }
}

#[test]
fn exec_target_overwritten_by_mcuadros() {
    let c = app(&[
        ("ofelia.job-exec.x.schedule", "@hourly"),
        ("ofelia.job-exec.x.container", "db"),
    ]);
    let m = build(std::slice::from_ref(&c), U, false);
    let j = job(&m, "x");
    assert_eq!(j.target.as_deref(), Some("mystack-app-1"));
    assert_eq!(
        j.params.get("container").map(String::as_str),
        Some("mystack-app-1")
    );
    assert_eq!(codes(j), vec!["target-overwritten"]);
    assert!(j.runs);
    // netresearch honours the explicit container
    let m = build(&[c], N, false);
    let j = job(&m, "app.x");
    assert_eq!(j.target.as_deref(), Some("db"));
    assert!(j.notes.is_empty());
}

#[test]
fn exec_on_service_container_needs_container() {
    let m = build(
        &[sched(&[("ofelia.job-exec.x.schedule", "@hourly")])],
        U,
        false,
    );
    assert_eq!(codes(&m.jobs[0]), vec!["no-target"]);
    assert_eq!(m.jobs[0].target, None);
    let m = build(
        &[sched(&[
            ("ofelia.job-exec.x.schedule", "@hourly"),
            ("ofelia.job-exec.x.container", "db"),
        ])],
        U,
        false,
    );
    assert_eq!(m.jobs[0].target.as_deref(), Some("db"));
    assert!(m.jobs[0].notes.is_empty());
}

#[test]
fn netresearch_run_without_image_starts_labelled_container() {
    let c = app(&[("ofelia.job-run.r.schedule", "@hourly")]);
    let m = build(&[c], N, false);
    assert_eq!(m.jobs[0].target.as_deref(), Some("mystack-app-1"));
}

#[test]
fn run_with_both_container_and_image_starts_the_container() {
    let c = sched(&[
        ("ofelia.job-run.r.schedule", "@hourly"),
        ("ofelia.job-run.r.image", "alpine"),
        ("ofelia.job-run.r.container", "worker"),
    ]);
    assert_eq!(
        build(&[c], U, false).jobs[0].target.as_deref(),
        Some("worker")
    );
}

#[test]
fn dotted_job_names_drop_key_parts() {
    let c = app(&[
        ("ofelia.job-exec.a.b.schedule", "@hourly"),
        ("ofelia.job-exec.a.command", "date"),
    ]);
    let m = build(&[c], U, false);
    let j = job(&m, "a");
    assert_eq!(j.params.get("b").map(String::as_str), Some("@hourly"));
    assert!(codes(j).contains(&"dropped-key-parts"));
    // the schedule went to key "b": the job has none
    assert!(codes(j).contains(&"empty-schedule"));
    assert!(!j.runs);
}

#[test]
fn empty_schedule_dropped_silently() {
    for labels in [
        &[("ofelia.job-exec.x.command", "date")][..],
        &[
            ("ofelia.job-exec.x.schedule", ""),
            ("ofelia.job-exec.x.command", "date"),
        ][..],
    ] {
        let m = build(&[app(labels)], U, false);
        assert_eq!(codes(&m.jobs[0]), vec!["empty-schedule"]);
        assert!(!m.jobs[0].runs);
    }
}

#[test]
fn param_names_case_insensitive() {
    let c = app(&[
        ("ofelia.job-exec.x.Schedule", "@hourly"),
        ("ofelia.job-exec.x.history_limit", "5"),
    ]);
    let m = build(std::slice::from_ref(&c), U, false);
    assert_eq!(m.jobs[0].schedule.as_deref(), Some("@hourly"));
    assert!(m.jobs[0].params.contains_key("history_limit"));
    let m = build(&[c], N, false);
    assert_eq!(
        m.jobs[0].params.get("history-limit").map(String::as_str),
        Some("5")
    );
}

#[test]
fn job_type_must_match_exactly() {
    let c = app(&[
        ("ofelia.Job-Exec.x.schedule", "@hourly"),
        ("ofelia.job-servuce-run.y.schedule", "@hourly"),
    ]);
    let m = build(&[c], U, false);
    assert!(m.jobs.is_empty());
    let unknown: Vec<&Note> = m
        .notes
        .iter()
        .filter(|(_, n)| n.code == "unknown-type")
        .map(|(_, n)| n)
        .collect();
    assert_eq!(unknown.len(), 2);
    assert!(unknown
        .iter()
        .any(|n| n.message.contains("job-service-run")));
}

#[test]
fn nr86_duplicate_job_names() {
    let mut a = carrier(
        "a-app-1",
        &[
            ("ofelia.enabled", "true"),
            ("ofelia.job-exec.backup.schedule", "@hourly"),
            ("ofelia.job-exec.backup.command", "a.sh"),
        ],
    );
    a.service = Some("app".into());
    a.created = 10;
    let mut b = carrier(
        "b-app-1",
        &[
            ("ofelia.enabled", "true"),
            ("ofelia.job-exec.backup.schedule", "@daily"),
            ("ofelia.job-exec.backup.command", "b.sh"),
        ],
    );
    b.service = Some("app".into());
    b.created = 20;

    // mcuadros: one merged job, with a duplicate note naming both containers
    let m = build(&[a.clone(), b.clone()], U, false);
    assert_eq!(m.jobs.len(), 1);
    let j = &m.jobs[0];
    assert!(j.runs);
    let note = j
        .notes
        .iter()
        .find(|n| n.code == "duplicate")
        .expect("note");
    assert!(note.message.contains("a-app-1") && note.message.contains("b-app-1"));
    assert!(note.message.contains("random"));
    assert!(
        note.message.contains("schedule"),
        "conflicts listed: {}",
        note.message
    );

    // netresearch: both named app.backup; the newest running one wins
    let m = build(&[a.clone(), b.clone()], N, false);
    assert_eq!(m.jobs.len(), 2);
    let winner: Vec<&Job> = m.jobs.iter().filter(|j| j.runs).collect();
    assert_eq!(winner.len(), 1);
    assert_eq!(winner[0].carrier, "b-app-1");
    let loser = m.jobs.iter().find(|j| !j.runs).expect("loser");
    assert_eq!(loser.name, "app.backup");
    assert_eq!(codes(loser), vec!["duplicate"]);
    // running beats newest (a stopped b is ignored; with include-stopped the
    // exec job still needs a running container)
    b.running = false;
    let m = build(&[a, b], N, true);
    assert_eq!(m.jobs.iter().filter(|j| j.runs).count(), 1);
    assert!(m.jobs.iter().any(|j| j.runs && j.carrier == "a-app-1"));
}

#[test]
fn netresearch_exec_names_use_container_without_service() {
    let mut c = app(&[("ofelia.job-exec.x.schedule", "@hourly")]);
    c.service = None;
    assert_eq!(
        build(std::slice::from_ref(&c), N, false).jobs[0].name,
        "mystack-app-1.x"
    );
    let opts = BuildOptions {
        exec_scope: ExecScope::Container,
        ..BuildOptions::new(N)
    };
    c.service = Some("app".into());
    assert_eq!(build_with(&[c], &opts).jobs[0].name, "mystack-app-1.x");
    // on the ofelia container too
    let s = sched(&[
        ("ofelia.job-exec.y.schedule", "@hourly"),
        ("ofelia.job-exec.y.container", "db"),
    ]);
    assert_eq!(build(&[s], N, false).jobs[0].name, "ofelia.y");
}

#[test]
fn stopped_containers() {
    let mut c = app(&[
        ("ofelia.job-exec.x.schedule", "@hourly"),
        ("ofelia.job-run.r.schedule", "@hourly"),
        ("ofelia.job-run.r.image", "alpine"),
    ]);
    c.running = false;
    let m = build(std::slice::from_ref(&c), U, true);
    assert!(m.jobs.iter().all(|j| !j.runs));
    assert!(job(&m, "x").has_note("stopped"));
    let m = build(std::slice::from_ref(&c), N, false);
    assert!(m.jobs.iter().all(|j| !j.runs));
    let m = build(&[c], N, true);
    assert!(job(&m, "r").runs);
    assert!(!job(&m, "app.x").runs);
}

#[test]
fn offline_services_count_as_running() {
    let mut c = app(&[("ofelia.job-exec.x.schedule", "@hourly")]);
    c.id.clear();
    c.running = false;
    assert!(build(&[c], U, false).jobs[0].runs);
}

#[test]
fn secrets_masked_in_job_params() {
    let c = app(&[
        ("ofelia.job-exec.x.schedule", "@hourly"),
        ("ofelia.job-exec.x.smtp-password", "hunter2"),
        (
            "ofelia.job-exec.x.slack-webhook",
            "https://hooks.slack.com/x",
        ),
    ]);
    let m = build(&[c], U, false);
    let shown = m.jobs[0].display_params();
    assert_eq!(shown.get("smtp-password").map(String::as_str), Some("****"));
    assert_eq!(shown.get("slack-webhook").map(String::as_str), Some("****"));
    assert_eq!(shown.get("schedule").map(String::as_str), Some("@hourly"));
}

#[test]
fn bad_bool_aborts_mcuadros() {
    let c = app(&[
        ("ofelia.job-exec.x.schedule", "@hourly"),
        ("ofelia.job-exec.x.tty", "yes"),
        ("ofelia.job-exec.y.schedule", "@hourly"),
    ]);
    let m = build(std::slice::from_ref(&c), U, false);
    assert_eq!(codes(job(&m, "x")), vec!["bad-value"]);
    assert_eq!(codes(job(&m, "y")), vec!["aborted"]);
    assert!(m.jobs.iter().all(|j| !j.runs));
    assert!(m.notes.iter().any(|(_, n)| n.code == "aborted"));
    // netresearch: only that job
    let m = build(&[c], N, false);
    assert!(!job(&m, "app.x").runs);
    assert!(job(&m, "app.y").runs);
}

#[test]
fn bad_value_on_ignored_job_does_not_abort() {
    let c = app(&[
        ("ofelia.job-run.r.schedule", "@hourly"),
        ("ofelia.job-run.r.tty", "yes"),
        ("ofelia.job-exec.y.schedule", "@hourly"),
    ]);
    let m = build(&[c], U, false);
    assert!(job(&m, "y").runs);
}

#[test]
fn globals_per_flavor() {
    let s = sched(&[
        ("ofelia.save-folder", "/tmp/logs"),
        ("ofelia.smtp-password", "hunter2"),
        ("ofelia.log-level", "debug"),
    ]);
    let m = build(
        &[s.clone(), app(&[("ofelia.slack-webhook", "x")])],
        U,
        false,
    );
    assert_eq!(
        m.globals.get("save-folder").map(String::as_str),
        Some("/tmp/logs")
    );
    assert!(m.globals.contains_key("smtp-password"));
    assert!(
        !m.globals.contains_key("slack-webhook"),
        "only from the service container"
    );
    assert!(!m.globals.contains_key("enabled") && !m.globals.contains_key("service"));
    assert!(m
        .notes
        .iter()
        .any(|(_, n)| n.code == "unknown-global" && n.message.contains("log-level")));

    let m = build(&[s], N, false);
    assert!(!m.globals.contains_key("save-folder"));
    assert!(m.globals.contains_key("smtp-password"));
    assert!(m.globals.contains_key("log-level"));
    assert!(m
        .notes
        .iter()
        .any(|(_, n)| n.code == "blocked-global" && n.message.contains("save-folder")));
}

#[test]
fn bad_global_bool_aborts_mcuadros() {
    let s = sched(&[("ofelia.mail-only-on-error", "maybe")]);
    let m = build(
        &[s, app(&[("ofelia.job-exec.x.schedule", "@hourly")])],
        U,
        false,
    );
    assert!(!job(&m, "x").runs);
    assert_eq!(codes(job(&m, "x")), vec!["aborted"]);
}

#[test]
fn netresearch_webhook_labels_are_globals() {
    let s = sched(&[("ofelia.webhook.alerts.url", "https://x")]);
    let m = build(&[s], N, false);
    assert_eq!(
        m.globals.get("webhook.alerts.url").map(String::as_str),
        Some("https://x")
    );
    assert!(m.jobs.is_empty());
}

#[test]
fn offline_ofelia_image_is_a_scheduler() {
    let mut s = carrier(
        "ops-ofelia-1",
        &[
            ("ofelia.job-local.l.schedule", "@hourly"),
            ("ofelia.job-local.l.command", "date"),
        ],
    );
    s.id.clear();
    s.image = "mcuadros/ofelia:latest".into();
    let m = build(&[s.clone()], U, false);
    assert!(job(&m, "l").runs, "{:?}", m);
    // a live container relies on the engine's merged labels instead
    s.id = "abc".into();
    assert!(build(&[s], U, false).jobs.is_empty());
}

#[test]
fn mo99_list_value_keeps_quotes() {
    // `- ofelia.job-exec.x.schedule="@every 1s"` in list syntax keeps quotes.
    let c = app(&[("ofelia.job-exec.x.schedule", "\"@every 1s\"")]);
    let m = build(&[c], U, false);
    assert_eq!(m.jobs[0].schedule.as_deref(), Some("\"@every 1s\""));
    assert_eq!(
        list_value("\"@every 1s\""),
        vec!["\"@every 1s\"".to_string()]
    );
}

#[test]
fn list_params() {
    let c = sched(&[
        ("ofelia.job-run.r.schedule", "@hourly"),
        ("ofelia.job-run.r.image", "alpine"),
        ("ofelia.job-run.r.environment", r#"["A=1","B=2"]"#),
        ("ofelia.job-run.r.volume", "data:/data,logs:/logs"),
    ]);
    let m = build(&[c], U, false);
    let j = &m.jobs[0];
    assert_eq!(j.list("environment"), vec!["A=1", "B=2"]);
    assert_eq!(j.list("volume"), vec!["data:/data,logs:/logs"]);
}

#[test]
fn short_keys_on_app_containers_are_ignored() {
    let m = build(&[app(&[("ofelia.job-exec.x", "y")])], U, false);
    assert!(m.jobs.is_empty() && m.globals.is_empty());
    assert!(m.notes.iter().any(|(_, n)| n.code == "ignored-key"));
}

#[test]
fn bare_ofelia_label_on_scheduler_crashes() {
    let m = build(&[sched(&[("ofelia", "x")])], U, false);
    assert!(m.notes.iter().any(|(_, n)| n.code == "crash"));
}

#[test]
fn output_is_deterministic() {
    let a = app(&[
        ("ofelia.job-exec.z.schedule", "@hourly"),
        ("ofelia.job-exec.a.schedule", "@hourly"),
    ]);
    let s = sched(&[
        ("ofelia.job-local.m.schedule", "@hourly"),
        ("ofelia.job-local.m.command", "x"),
    ]);
    let m1 = build(&[a.clone(), s.clone()], U, false);
    let m2 = build(&[s, a], U, false);
    assert_eq!(m1, m2);
}

#[test]
fn unknown_params_with_suggestions() {
    let c = app(&[
        ("ofelia.job-exec.x.shedule", "@hourly"),
        ("ofelia.job-exec.x.command", "date"),
        ("ofelia.job-exec.x.zzzzzz", "1"),
    ]);
    let m = build(std::slice::from_ref(&c), U, false);
    let j = job(&m, "x");
    assert_eq!(
        unknown_params(j, U),
        vec![
            ("shedule".to_string(), Some("schedule")),
            ("zzzzzz".to_string(), None)
        ]
    );
}

#[test]
fn mo84_mo156_scheduler_sees_only_selected_projects() {
    let mut s = sched(&[
        ("ofelia.job-local.l.schedule", "@hourly"),
        ("ofelia.job-local.l.command", "date"),
        ("ofelia.save-folder", "/tmp"),
    ]);
    s.command = [
        "daemon",
        "--docker",
        "-f",
        "label=com.docker.compose.project=mystack",
    ]
    .map(String::from)
    .to_vec();
    let mine = app(&[("ofelia.job-exec.datecron.schedule", "0 0 8 * * 1")]);
    let mut theirs = app(&[("ofelia.job-exec.other.schedule", "@hourly")]);
    theirs.name = "other-app-1".into();
    theirs.project = Some("other".into());
    let info = scheduler_info(&s).expect("scheduler");
    let m = build_for_scheduler(&[s.clone(), mine, theirs], &info, &BuildOptions::new(U));
    assert!(job(&m, "datecron").runs);
    assert!(m.jobs.iter().all(|j| j.name != "other"));
    let l = job(&m, "l");
    assert!(!l.runs);
    assert_eq!(codes(l), vec!["not-selected"]);
    assert!(m.globals.is_empty());
    assert!(m.notes.iter().any(|(_, n)| n.code == "not-selected"));
}

#[test]
fn thousand_containers_build_quickly() {
    let carriers: Vec<Carrier> = (0..1000)
        .map(|i| {
            let mut c = app(&[
                ("ofelia.job-exec.a.schedule", "@hourly"),
                ("ofelia.job-exec.a.command", "date"),
                ("ofelia.job-exec.b.schedule", "0 0 8 * * 1"),
            ]);
            c.name = format!("p{i}-app-1");
            c.service = Some(format!("app{i}"));
            c
        })
        .collect();
    let start = std::time::Instant::now();
    for flavor in Flavor::ALL {
        let m = build(&carriers, flavor, false);
        assert!(!m.jobs.is_empty());
    }
    // generous: debug build on a shared machine
    assert!(start.elapsed() < std::time::Duration::from_secs(5));
}

mod props {
    use super::*;
    use proptest::prelude::*;

    fn key() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-zA-Z._-]{0,30}",
            "ofelia(\\.[a-z-]{0,12}){0,6}",
            (
                prop::sample::select(vec![
                    "job-exec",
                    "job-run",
                    "job-local",
                    "job-service-run",
                    "job-compose",
                    "webhook",
                    "x"
                ]),
                "[a-z.]{0,6}",
                prop::sample::select(vec![
                    "schedule",
                    "command",
                    "container",
                    "image",
                    "tty",
                    "volume",
                    "volumes-from",
                    "no-overlap",
                    "history-limit",
                    "max-runtime",
                    "Schedule"
                ]),
            )
                .prop_map(|(t, n, p)| format!("ofelia.{t}.{n}.{p}")),
            Just("ofelia.enabled".to_string()),
            Just("ofelia.service".to_string()),
        ]
    }

    fn value() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("true".to_string()),
            Just("".to_string()),
            "\\PC{0,20}",
            "\\[\"[/.~a-z:]{0,8}\"\\]",
        ]
    }

    fn carrier_strategy() -> impl Strategy<Value = Carrier> {
        (
            prop::collection::btree_map(key(), value(), 0..12),
            "[a-z]{0,4}",
            any::<bool>(),
            any::<bool>(),
            prop::sample::select(vec![
                "",
                "mcuadros/ofelia",
                "ghcr.io/netresearch/ofelia:1",
                "nginx@sha256:x",
                ":::",
                "a/b:c@d",
            ]),
            prop::collection::vec("\\PC{0,10}", 0..5),
        )
            .prop_map(|(labels, name, running, offline, image, command)| Carrier {
                id: if offline {
                    String::new()
                } else {
                    format!("{name}id")
                },
                name,
                image: image.to_string(),
                labels,
                running,
                command,
                ..Carrier::default()
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn arbitrary_label_maps_never_panic(
            carriers in prop::collection::vec(carrier_strategy(), 0..4),
            include_stopped in any::<bool>(),
        ) {
            for flavor in Flavor::ALL {
                let m = build(&carriers, flavor, include_stopped);
                for j in &m.jobs {
                    prop_assert!(j.runs || !j.notes.is_empty(), "ignored without a note: {j:?}");
                }
            }
            for c in &carriers {
                if let Some(s) = scheduler_info(c) {
                    for other in &carriers {
                        let _ = selects(&s, other);
                    }
                }
            }
        }

        #[test]
        fn split_command_never_panics(s in "\\PC{0,40}") {
            let _ = split_command(&s);
        }

        #[test]
        fn value_parsers_never_panic(s in "\\PC{0,20}") {
            let _ = parse_go_duration(&s);
            let _ = parse_go_int(&s);
            let _ = prefix_typo(&s);
            let _ = flavor_from_image(&s, &BTreeMap::new());
        }
    }
}

#[test]
fn flavour_recorded_by_up_wins_over_an_unknown_image() {
    let mut c = Carrier {
        name: "ofelia".into(),
        image: "local/scheduler:dev".into(),
        running: true,
        ..Carrier::default()
    };
    c.labels.insert("ofelia.service".into(), "true".into());
    c.labels
        .insert(OWN_FLAVOR_LABEL.into(), "netresearch".into());
    let info = scheduler_info(&c).expect("a scheduler");
    assert_eq!(info.flavor, Some(Flavor::Netresearch));
    assert!(
        info.flavor_reason.contains("docker ofelia up"),
        "{}",
        info.flavor_reason
    );
}
