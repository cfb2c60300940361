//! One test per rule (named after the peer issue where there is one), plus
//! properties: never a panic, always an answer, one finding per mistake.

use std::collections::BTreeMap;

use proptest::prelude::*;

use super::*;
use crate::labels::{scheduler_info, Mount};

const U3: Flavor = Flavor::Ofelia03;
const U4: Flavor = Flavor::Ofelia04;
const N: Flavor = Flavor::Netresearch;

fn carrier(name: &str, labels: &[(&str, &str)]) -> Carrier {
    Carrier {
        id: format!("{name}-id"),
        name: format!("shop-{name}-1"),
        project: Some("shop".into()),
        service: Some(name.to_string()),
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

/// An enabled app container with the given labels.
fn app(name: &str, labels: &[(&str, &str)]) -> Carrier {
    let mut all = vec![("ofelia.enabled", "true")];
    all.extend_from_slice(labels);
    carrier(name, &all)
}

/// A well-configured scheduler: socket, `--docker` for mcuadros, a project
/// filter, and image of the flavour.
fn sched(flavor: Flavor, labels: &[(&str, &str)]) -> Carrier {
    let mut all = vec![("ofelia.enabled", "true"), ("ofelia.service", "true")];
    all.extend_from_slice(labels);
    let mut c = carrier("ofelia", &all);
    c.image = match flavor {
        Flavor::Ofelia03 => "mcuadros/ofelia:latest",
        Flavor::Ofelia04 => "mcuadros/ofelia:0.4.0",
        Flavor::Netresearch => "ghcr.io/netresearch/ofelia:latest",
    }
    .into();
    let mut cmd = vec!["daemon"];
    if flavor != N {
        cmd.push("--docker");
    }
    cmd.extend(["-f", "label=com.docker.compose.project=shop"]);
    c.command = cmd.into_iter().map(String::from).collect();
    c.mounts.push(Mount {
        source: "/var/run/docker.sock".into(),
        target: "/var/run/docker.sock".into(),
        read_only: true,
    });
    c
}

/// A valid job so that ofelia-0.3 has something to run.
fn ok_job() -> Vec<(&'static str, &'static str)> {
    vec![
        ("ofelia.job-exec.ok.schedule", "@every 1h"),
        ("ofelia.job-exec.ok.command", "date"),
    ]
}

/// A valid job-exec on the scheduler container (which needs `container`).
fn sched_job() -> Vec<(&'static str, &'static str)> {
    let mut v = ok_job();
    v.push(("ofelia.job-exec.ok.container", "web"));
    v
}

/// One group: the first carrier that is a scheduler runs them all.
fn run(flavor: Flavor, carriers: Vec<Carrier>) -> Vec<Finding> {
    let scheduler = carriers.iter().find_map(scheduler_info);
    check(&Input {
        groups: vec![Group {
            scheduler,
            flavor,
            flavor_known: true,
            carriers,
        }],
        ..Input::default()
    })
}

/// The app (with `labels`) next to a good scheduler and a valid job.
fn with_sched(flavor: Flavor, labels: &[(&str, &str)]) -> Vec<Finding> {
    let mut ok = app("ok", &ok_job());
    ok.name = "shop-aaa-1".into();
    run(flavor, vec![sched(flavor, &[]), ok, app("web", labels)])
}

fn rules(f: &[Finding]) -> Vec<&'static str> {
    f.iter().map(|f| f.rule).collect()
}

/// Exactly one finding, of `rule`.
fn only(f: &[Finding], rule: &str) -> Finding {
    assert_eq!(rules(f), vec![rule], "{f:#?}");
    f[0].clone()
}

#[test]
fn good_project_has_no_findings() {
    for flavor in Flavor::ALL {
        let f = with_sched(
            flavor,
            &[
                ("ofelia.job-exec.datecron.schedule", "0 0 8 * * 1"),
                ("ofelia.job-exec.datecron.command", "date"),
            ],
        );
        assert!(f.is_empty(), "{flavor}: {f:#?}");
    }
}

#[test]
fn mo167_misspelled_prefix() {
    for key in ["ofeila.job-exec.x.schedule", "Ofelia.job-exec.x.schedule"] {
        let f = only(&with_sched(U3, &[(key, "@every 1h")]), "prefix-typo");
        assert_eq!(f.severity, Severity::Error);
        assert!(f.fix.contains("ofelia.job-exec.x.schedule"), "{}", f.fix);
        assert_eq!(f.job.as_deref(), Some("x"));
    }
}

#[test]
fn mo167_misspelled_enabled_prefix_is_one_finding() {
    let mut c = carrier("web", &[("Ofelia.enabled", "true")]);
    c.labels
        .insert("ofelia.job-exec.x.schedule".into(), "@every 1h".into());
    let f = run(U3, vec![sched(U3, &sched_job()), c]);
    only(&f, "prefix-typo");
}

#[test]
fn mo126_enable_vs_enabled() {
    let mut c = carrier("web", &[("ofelia.enable", "true")]);
    c.labels
        .insert("ofelia.job-exec.x.schedule".into(), "@every 1h".into());
    let f = run(U3, vec![sched(U3, &sched_job()), c]);
    let f = only(&f, "enable-typo");
    assert_eq!(f.key.as_deref(), Some("ofelia.enable"));
}

#[test]
fn mo126_enabled_value_other_than_true() {
    for v in ["yes", "True", "1"] {
        let mut c = carrier("web", &[("ofelia.enabled", v)]);
        c.labels
            .insert("ofelia.job-exec.x.schedule".into(), "@every 1h".into());
        let f = run(U3, vec![sched(U3, &sched_job()), c]);
        only(&f, "enabled-value");
    }
}

#[test]
fn mo99_quoted_enabled_value() {
    let mut c = carrier("web", &[("ofelia.enabled", "\"true\"")]);
    c.labels
        .insert("ofelia.job-exec.x.schedule".into(), "@every 1h".into());
    let f = run(U3, vec![sched(U3, &sched_job()), c]);
    only(&f, "quoted-value");
}

#[test]
fn mo187_unknown_job_type_close_to_a_real_one() {
    let f = with_sched(
        U3,
        &[
            ("ofelia.job-servuce-run.x.schedule", "@every 1h"),
            ("ofelia.job-servuce-run.x.image", "busybox"),
        ],
    );
    let f = only(&f, "unknown-job-type");
    assert!(f.fix.contains("job-service-run"), "{}", f.fix);
}

#[test]
fn unknown_key_with_nearest_real_key() {
    let f = with_sched(
        U3,
        &[
            ("ofelia.job-exec.x.schedule", "@every 1h"),
            ("ofelia.job-exec.x.command", "date"),
            ("ofelia.job-exec.x.usr", "nobody"),
        ],
    );
    let f = only(&f, "unknown-key");
    assert_eq!(f.severity, Severity::Warning);
    assert!(f.fix.contains("ofelia.job-exec.x.user"), "{}", f.fix);
}

#[test]
fn misspelt_schedule_key_is_one_finding() {
    let f = with_sched(
        U3,
        &[
            ("ofelia.job-exec.x.schedul", "@every 1h"),
            ("ofelia.job-exec.x.command", "date"),
        ],
    );
    only(&f, "unknown-key");
}

#[test]
fn dotted_job_name_is_truncated() {
    let f = with_sched(
        U3,
        &[
            ("ofelia.job-exec.back.up.schedule", "@every 1h"),
            ("ofelia.job-exec.back.up.command", "date"),
        ],
    );
    let f = only(&f, "dotted-job-name");
    assert!(f.fix.contains("back-up"), "{}", f.fix);
}

fn schedule_finding(flavor: Flavor, expr: &str) -> Vec<Finding> {
    with_sched(
        flavor,
        &[
            ("ofelia.job-exec.x.schedule", expr),
            ("ofelia.job-exec.x.command", "date"),
        ],
    )
}

#[test]
fn invalid_schedule_gives_the_parser_reason() {
    let f = only(&schedule_finding(U3, "0 0 25 * * *"), "invalid-schedule");
    assert!(f.message.contains("25"), "{}", f.message);
    // 5 fields with a weekday name: an error in 0.3 (seconds first).
    only(&schedule_finding(U3, "0 0 * * MON"), "invalid-schedule");
    only(&schedule_finding(U4, "@reboot"), "invalid-schedule");
}

#[test]
fn mo441_five_field_schedule_differs_between_flavours() {
    for flavor in Flavor::ALL {
        let f = only(
            &schedule_finding(flavor, "0 1 * * *"),
            "five-field-schedule",
        );
        assert_eq!(f.severity, Severity::Warning);
        assert!(f.fix.contains("0 0 1 * * *"), "{}", f.fix);
    }
    // 6 fields mean the same everywhere.
    assert!(schedule_finding(U3, "0 0 1 * * *").is_empty());
}

#[test]
fn mo420_every_1d_is_not_a_go_duration() {
    let f = only(&schedule_finding(U4, "@every 1d"), "every-duration");
    assert!(f.fix.contains("@every 24h"), "{}", f.fix);
    only(&schedule_finding(N, "@every 1h 30m"), "every-duration");
}

#[test]
fn every_below_one_second() {
    let f = only(&schedule_finding(U3, "@every 500ms"), "every-below-1s");
    assert_eq!(f.severity, Severity::Warning);
    let f = only(&schedule_finding(N, "@every 500ms"), "every-below-1s");
    assert_eq!(f.severity, Severity::Error);
    assert!(schedule_finding(U3, "@every 1s").is_empty());
}

#[test]
fn tz_without_schedule_crashes() {
    for flavor in Flavor::ALL {
        let f = only(
            &schedule_finding(flavor, "TZ=Europe/Berlin"),
            "tz-no-schedule",
        );
        assert_eq!(f.severity, Severity::Error);
    }
    let f = only(&schedule_finding(U4, "CRON_TZ=UTC"), "tz-no-schedule");
    assert!(f.message.contains("crashes"), "{}", f.message);
}

#[test]
fn mo99_quoted_list_label() {
    let f = only(&schedule_finding(U3, "\"@every 1s\""), "quoted-value");
    assert!(f.fix.contains("@every 1s"), "{}", f.fix);
    let f = with_sched(
        U3,
        &[
            ("ofelia.job-exec.x.schedule", "@every 1h"),
            ("ofelia.job-exec.x.command", "'date'"),
        ],
    );
    only(&f, "quoted-value");
}

#[test]
fn mo109_job_run_on_a_non_scheduler_container() {
    let f = with_sched(
        U3,
        &[
            ("ofelia.job-run.x.schedule", "@every 1h"),
            ("ofelia.job-run.x.image", "busybox"),
        ],
    );
    only(&f, "job-placement");
    // netresearch honours job-run anywhere (N#461) but not job-local.
    let f = with_sched(
        N,
        &[
            ("ofelia.job-run.x.schedule", "@every 1h"),
            ("ofelia.job-run.x.image", "busybox"),
        ],
    );
    assert!(f.is_empty(), "{f:#?}");
}

#[test]
fn misplaced_job_values_are_not_checked() {
    // The job is never read, so its schedule does not matter: one finding.
    let f = with_sched(
        U3,
        &[
            ("ofelia.job-run.x.schedule", "\"@every 1d\""),
            ("ofelia.job-run.x.image", "busybox"),
        ],
    );
    only(&f, "job-placement");
}

#[test]
fn mo167_job_local_and_service_run_placement() {
    for (ty, second) in [("job-local", "command"), ("job-service-run", "image")] {
        let s = format!("ofelia.{ty}.x.schedule");
        let i = format!("ofelia.{ty}.x.{second}");
        let f = with_sched(U3, &[(&s, "@every 1h"), (&i, "busybox")]);
        only(&f, "job-placement");
    }
}

#[test]
fn job_exec_without_enabled() {
    let c = carrier(
        "web",
        &[
            ("ofelia.job-exec.x.schedule", "@every 1h"),
            ("ofelia.job-exec.x.command", "date"),
        ],
    );
    let f = run(U3, vec![sched(U3, &sched_job()), c]);
    only(&f, "not-enabled");
}

#[test]
fn nr86_same_job_name_on_several_containers() {
    let labels = [
        ("ofelia.job-exec.backup.schedule", "@every 1h"),
        ("ofelia.job-exec.backup.command", "date"),
    ];
    let f = run(
        U3,
        vec![
            sched(U3, &[]),
            app("a", &labels),
            app("b", &labels),
            app("c", &labels),
        ],
    );
    let f = only(&f, "duplicate-job");
    assert!(f.message.contains("merges"), "{}", f.message);
    // netresearch: job-run names are unprefixed, first wins.
    let labels = [
        ("ofelia.job-run.backup.schedule", "@every 1h"),
        ("ofelia.job-run.backup.image", "busybox"),
    ];
    let f = run(
        N,
        vec![
            sched(N, &[]),
            app("a", &labels),
            app("b", &labels),
            app("c", &labels),
        ],
    );
    let f = only(&f, "duplicate-job");
    assert!(f.message.contains("first"), "{}", f.message);
}

#[test]
fn mo249_shell_syntax_without_sh_c() {
    for cmd in [
        "echo a && echo b",
        "ls | wc -l",
        "date > /tmp/x",
        "a; b",
        "echo $HOME",
    ] {
        let f = with_sched(
            U3,
            &[
                ("ofelia.job-exec.x.schedule", "@every 1h"),
                ("ofelia.job-exec.x.command", cmd),
            ],
        );
        let f = only(&f, "shell-syntax");
        assert!(f.fix.starts_with("wrap it in a shell: sh -c"), "{}", f.fix);
    }
    let f = with_sched(
        U3,
        &[
            ("ofelia.job-exec.x.schedule", "@every 1h"),
            ("ofelia.job-exec.x.command", "sh -c 'echo a && echo b'"),
        ],
    );
    assert!(f.is_empty(), "{f:#?}");
}

#[test]
fn no_scheduler_in_the_project() {
    let f = run(U3, vec![app("web", &ok_job())]);
    let f = only(&f, "no-scheduler");
    assert_eq!(f.severity, Severity::Warning);
}

/// Offline, a scheduler service whose -f filters leave the app out: the
/// finding names it instead of saying that there is no scheduler service.
#[test]
fn no_scheduler_names_the_service_that_does_not_select() {
    let mut other = app("web", &ok_job());
    other.project = Some("elsewhere".into());
    let s = sched(U3, &sched_job());
    let f = check(&Input {
        groups: vec![
            Group {
                scheduler: scheduler_info(&s),
                flavor: U3,
                flavor_known: true,
                carriers: vec![s],
            },
            Group {
                scheduler: None,
                flavor: U3,
                flavor_known: true,
                carriers: vec![other],
            },
        ],
        ..Input::default()
    });
    let f = only(&f, "no-scheduler");
    assert!(
        f.message.starts_with(
            "the scheduler service in these compose files (shop-ofelia-1) does not select"
        ),
        "{}",
        f.message
    );
}

#[test]
fn scheduler_without_socket() {
    let mut s = sched(U3, &sched_job());
    s.mounts.clear();
    only(&run(U3, vec![s.clone()]), "scheduler-no-socket");
    s.env.insert("DOCKER_HOST".into(), "tcp://x:2375".into());
    assert!(run(U3, vec![s]).is_empty());
}

#[test]
fn mcuadros_scheduler_without_docker_flag() {
    for flavor in [U3, U4] {
        let mut s = sched(flavor, &sched_job());
        s.command.retain(|a| a != "--docker");
        only(&run(flavor, vec![s]), "scheduler-no-docker-flag");
    }
}

#[test]
fn netresearch_scheduler_with_docker_flag_exits() {
    let mut s = sched(N, &sched_job());
    s.command.insert(1, "--docker".into());
    only(&run(N, vec![s]), "scheduler-docker-flag");
}

#[test]
fn mo84_mo156_no_project_filter() {
    let mut s = sched(U4, &sched_job());
    s.command.retain(|a| a == "daemon" || a == "--docker");
    let f = only(&run(U4, vec![s.clone()]), "no-project-filter");
    assert!(
        f.fix.contains("label=com.docker.compose.project=shop"),
        "{}",
        f.fix
    );
    // Live, with other projects' jobs on the engine: they are named.
    let f = check(&Input {
        groups: vec![Group {
            scheduler: scheduler_info(&s),
            flavor: U4,
            flavor_known: true,
            carriers: vec![s],
        }],
        live: true,
        other_projects: vec!["blog".into()],
        ..Input::default()
    });
    let f = only(&f, "no-project-filter");
    assert!(f.message.contains("blog"), "{}", f.message);
    assert_eq!(f.container.as_deref(), Some("shop-ofelia-1"));
    assert_eq!(f.file, None);
}

#[test]
fn mo156_two_schedulers_select_the_same_container() {
    let mut other = sched(U3, &sched_job());
    other.name = "blog-ofelia-1".into();
    other.project = Some("blog".into());
    other.command = vec!["daemon".into(), "--docker".into()];
    let mine = sched(U3, &sched_job());
    let web = app("web", &ok_job());
    let groups = vec![
        Group {
            scheduler: scheduler_info(&mine),
            flavor: U3,
            flavor_known: true,
            carriers: vec![mine, web],
        },
        Group {
            scheduler: scheduler_info(&other),
            flavor: U3,
            flavor_known: true,
            carriers: vec![other],
        },
    ];
    let f = check(&Input {
        groups,
        ..Input::default()
    });
    let got: Vec<(&str, Option<&str>)> = f.iter().map(|f| (f.rule, f.service.as_deref())).collect();
    // blog's scheduler has no filter; it selects web and shop's scheduler,
    // both carrying jobs.
    assert!(got.contains(&("several-schedulers", Some("web"))), "{f:#?}");
    assert!(
        got.contains(&("no-project-filter", Some("ofelia"))),
        "{f:#?}"
    );
}

#[test]
fn mo420_every_job_invalid_empties_the_0_3_scheduler() {
    let bad = [
        ("ofelia.job-exec.x.schedule", "@every 1d"),
        ("ofelia.job-exec.x.command", "date"),
    ];
    let f = run(U3, vec![sched(U3, &[]), app("web", &bad)]);
    assert_eq!(
        rules(&f),
        vec!["empty-scheduler", "every-duration"],
        "{f:#?}"
    );
    // 0.4 keeps running without jobs.
    let f = run(U4, vec![sched(U4, &[]), app("web", &bad)]);
    assert_eq!(rules(&f), vec!["every-duration"]);
}

#[test]
fn plain_secret_is_info() {
    let f = with_sched(
        U3,
        &[
            ("ofelia.job-exec.x.schedule", "@every 1h"),
            ("ofelia.job-exec.x.command", "date"),
            (
                "ofelia.job-exec.x.slack-webhook",
                "https://hooks.slack.com/x",
            ),
        ],
    );
    let f = only(&f, "plain-secret");
    assert_eq!(f.severity, Severity::Info);
    assert!(
        !f.message.contains("hooks.slack.com"),
        "secrets are not repeated"
    );
    let mut v = sched_job();
    v.push(("ofelia.smtp-password", "hunter2"));
    only(&run(U3, vec![sched(U3, &v)]), "plain-secret");
}

#[test]
fn flavor_assumed_is_info() {
    let mut s = sched(U3, &sched_job());
    s.image = "registry.local/ofelia:1".into();
    let f = check(&Input {
        groups: vec![Group {
            scheduler: scheduler_info(&s),
            flavor: U3,
            flavor_known: false,
            carriers: vec![s],
        }],
        ..Input::default()
    });
    only(&f, "flavor-assumed");
}

#[test]
fn job_without_schedule() {
    only(
        &with_sched(U3, &[("ofelia.job-exec.x.command", "date")]),
        "empty-schedule",
    );
}

#[test]
fn bad_bool_value() {
    let f = with_sched(
        U3,
        &[
            ("ofelia.job-exec.x.schedule", "@every 1h"),
            ("ofelia.job-exec.x.command", "date"),
            ("ofelia.job-exec.x.no-overlap", "yes"),
        ],
    );
    let f = only(&f, "bad-value");
    assert_eq!(f.key.as_deref(), Some("ofelia.job-exec.x.no-overlap"));
}

#[test]
fn job_run_without_image() {
    only(
        &run(
            U3,
            vec![sched(U3, &[("ofelia.job-run.x.schedule", "@every 1h")])],
        ),
        "no-target",
    );
}

#[test]
fn nr356_exec_container_overwritten_by_mcuadros() {
    let f = with_sched(
        U3,
        &[
            ("ofelia.job-exec.x.schedule", "@every 1h"),
            ("ofelia.job-exec.x.command", "date"),
            ("ofelia.job-exec.x.container", "db"),
        ],
    );
    only(&f, "target-overwritten");
}

#[test]
fn nr462_netresearch_blocks_host_jobs() {
    let f = run(
        N,
        vec![sched(
            N,
            &[
                ("ofelia.job-local.x.schedule", "@every 1h"),
                ("ofelia.job-local.x.command", "date"),
            ],
        )],
    );
    only(&f, "job-blocked");
}

#[test]
fn job_compose_is_unsupported_by_mcuadros() {
    let f = run(
        U3,
        vec![sched(
            U3,
            &[
                ("ofelia.job-compose.x.schedule", "@every 1h"),
                ("ofelia.job-exec.ok.schedule", "@every 1h"),
                ("ofelia.job-exec.ok.command", "date"),
                ("ofelia.job-exec.ok.container", "web"),
            ],
        )],
    );
    only(&f, "job-unsupported");
}

#[test]
fn same_key_twice() {
    let f = with_sched(
        U3,
        &[
            ("ofelia.job-exec.x.schedule", "@every 1h"),
            ("ofelia.job-exec.x.Schedule", "@every 2h"),
            ("ofelia.job-exec.x.command", "date"),
        ],
    );
    only(&f, "duplicate-key");
}

#[test]
fn scheduler_filters_leave_its_own_container_out() {
    let mut s = sched(U3, &sched_job());
    s.command
        .extend(["-f".to_string(), "label=role=app".to_string()]);
    let mut web = app("web", &ok_job());
    web.labels.insert("role".into(), "app".into());
    web.name = "shop-web-1".into();
    let f = run(U3, vec![s, web]);
    only(&f, "not-selected");
}

#[test]
fn short_job_key_is_ignored() {
    only(
        &with_sched(U3, &[("ofelia.job-exec.x", "date")]),
        "ignored-key",
    );
}

#[test]
fn netresearch_blocks_save_folder_global() {
    let mut labels = ok_job();
    labels.push(("ofelia.save-folder", "/tmp"));
    let mut s = sched(N, &labels);
    s.labels
        .insert("ofelia.job-exec.ok.container".into(), "web".into());
    only(&run(N, vec![s]), "global-ignored");
}

#[test]
fn bare_ofelia_label_crashes_the_reader() {
    let mut labels = ok_job();
    labels.push(("ofelia", "x"));
    let mut s = sched(U3, &labels);
    s.labels
        .insert("ofelia.job-exec.ok.container".into(), "web".into());
    only(&run(U3, vec![s]), "label-crash");
}

#[test]
fn every_rule_is_listed_once() {
    let mut ids: Vec<&str> = RULES.iter().map(|r| r.id).collect();
    ids.sort_unstable();
    let n = ids.len();
    ids.dedup();
    assert_eq!(ids.len(), n);
}

#[test]
fn summary_and_strict() {
    let f = schedule_finding(U3, "0 1 * * *");
    assert_eq!(summary(&f), "0 errors, 1 warning");
    assert!(!fails(&f, false));
    assert!(fails(&f, true));
    assert_eq!(summary(&[]), "no problems found");
}

#[test]
fn compose_mode_locates_labels_and_services() {
    let mut web = app("web", &[("ofelia.job-exec.x.schedule", "@every 1d")]);
    web.id.clear();
    web.label_lines.insert(
        "ofelia.job-exec.x.schedule".into(),
        ("/p/compose.yml".into(), 12),
    );
    let mut s = sched(U3, &sched_job());
    s.id.clear();
    s.mounts.clear();
    let mut service_lines = BTreeMap::new();
    service_lines.insert("ofelia".to_string(), ("/p/compose.yml".to_string(), 3));
    let f = check(&Input {
        groups: vec![Group {
            scheduler: scheduler_info(&s),
            flavor: U3,
            flavor_known: true,
            carriers: vec![s, web],
        }],
        service_lines,
        ..Input::default()
    });
    let got: Vec<(&str, Option<usize>)> = f.iter().map(|f| (f.rule, f.line)).collect();
    assert_eq!(
        got,
        vec![
            ("scheduler-no-socket", Some(3)),
            ("every-duration", Some(12))
        ],
        "{f:#?}"
    );
    assert!(f.iter().all(|f| f.container.is_none()));
}

fn label_strategy() -> impl Strategy<Value = (String, String)> {
    let key = prop_oneof![
        "[a-zA-Z.\\-_]{0,30}",
        "ofelia\\.(job-exec|job-run|job-local|job-service-run|job-compose|job-[a-z]{1,6}|webhook|enabled|enable|service)(\\.[a-zA-Z.\\-_]{0,12}){0,3}",
        "(ofeila|Ofelia|ofelia_)\\.[a-z.\\-]{0,20}",
    ];
    let value = prop_oneof![
        ".{0,30}",
        "(@every [0-9a-z.]{0,6}|TZ=[A-Za-z/]{0,12}( [0-9*/ ,\\-]{0,20})?|[0-9*/ ,\\-A-Z]{0,24})",
        "\"[^\"]{0,10}\"",
        Just("true".to_string()),
    ];
    (key, value)
}

fn carrier_strategy() -> impl Strategy<Value = Carrier> {
    (
        "[a-z]{1,6}",
        proptest::collection::vec(label_strategy(), 0..8),
        proptest::bool::ANY,
        proptest::collection::vec("[a-z\\-=./]{0,12}", 0..4),
    )
        .prop_map(|(name, labels, socket, command)| {
            let mut c = carrier(&name, &[]);
            c.labels = labels.into_iter().collect();
            if socket {
                c.env.insert("DOCKER_HOST".into(), "tcp://x".into());
            }
            c.command = command;
            c
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_label_sets_never_panic(
        carriers in proptest::collection::vec(carrier_strategy(), 0..5),
        flavor in prop_oneof![Just(U3), Just(U4), Just(N)],
        live in proptest::bool::ANY,
    ) {
        let scheduler = carriers.iter().find_map(scheduler_info);
        let input = Input {
            groups: vec![Group { scheduler, flavor, flavor_known: live, carriers }],
            live,
            ..Input::default()
        };
        let a = check(&input);
        // Deterministic, and no finding twice.
        prop_assert_eq!(&a, &check(&input));
        let mut seen = std::collections::BTreeSet::new();
        for f in &a {
            let text = format!("{:?}", f);
            prop_assert!(seen.insert(text));
            prop_assert!(!f.message.is_empty() && !f.fix.is_empty());
        }
    }

    #[test]
    fn arbitrary_yaml_never_panics(text in ".{0,400}", extra in "(services:\\n  [a-z]{1,5}:\\n    image: [a-z]{1,5}\\n    labels:\\n(      - [a-z.\\-=\"@ ]{0,30}\\n){0,4}){0,1}") {
        for doc in [text.clone(), extra.clone(), format!("{extra}{text}")] {
            let env = BTreeMap::new();
            let input = crate::compose::Input {
                files: vec![(std::path::PathBuf::from("/p/compose.yml"), doc.as_str())],
                env: &env,
                dotenv: None,
                working_dir: std::path::PathBuf::from("/p"),
                project_override: Some("p"),
            };
            if let Ok(project) = crate::compose::load(&input) {
                let opts = crate::sources::Options { all_labelled: true, ..Default::default() };
                let scope = crate::sources::from_project(&project, &opts);
                let groups = scope.groups.into_iter().map(|g| Group {
                    flavor_known: true, scheduler: g.scheduler, flavor: g.flavor, carriers: g.carriers,
                }).collect();
                let _ = check(&Input { groups, ..Input::default() });
            }
        }
    }
}
