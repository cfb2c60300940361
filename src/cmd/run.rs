//! `docker ofelia run JOB`: runs a job now, as its scheduler would (same
//! target, user, environment, argument splitting, removal), streaming its
//! output; the exit status is the job's. `--dry-run` prints the request.

use crate::app::App;
use crate::cli::RunArgs;
use crate::docker::jobs::{self, ContainerSpec, ExecSpec, Outcome, ServiceSpec, Sink};
use crate::error::{Error, Result};
use crate::labels::{self, Job, JobType};
use crate::render;
use crate::schedule::Flavor;
use crate::sources::{self, Group, Options};

pub async fn run(app: &App, args: RunArgs) -> Result<()> {
    let opts = Options {
        include_stopped: true,
        flavor: args.flavor.map(Into::into),
        tz: None,
        all_labelled: false,
    };
    let scope = sources::gather(app, &args.select, &opts).await?;
    let models = sources::models(&scope, true);
    let all: Vec<(&Group, &Job)> = models
        .iter()
        .flat_map(|(g, m)| m.jobs.iter().map(move |j| (*g, j)))
        .collect();
    let (group, job) = find_job(&all, &args.job)?;
    let plan = plan(group, job)?;
    let mut warnings: Vec<String> = job
        .notes
        .iter()
        .filter(|_| !job.runs)
        .map(|n| {
            format!(
                "the scheduler ignores {} {:?}: {}",
                job.job_type, job.name, n.message
            )
        })
        .collect();
    if args.dry_run {
        super::print_warnings(&warnings);
        return app.out.write(&describe(group, job, &plan));
    }
    let engine = app.engine().await?;
    let sink = Sink::new();
    let outcome = match &plan {
        Plan::Exec { spec, local } => {
            match jobs::container_state(engine, &spec.container).await? {
                Some((_, true)) => {}
                _ if *local => {
                    return Err(Error::msg(format!(
                        "docker ofelia run: job-local {:?} runs inside the scheduler container {}, which is not running: start the scheduler (`docker ofelia up -d`)",
                        job.name, spec.container
                    )))
                }
                Some((_, false)) => {
                    return Err(Error::Daemon(format!("Container {} is not running", spec.container)))
                }
                None => return Err(Error::Daemon(format!("No such container: {}", spec.container))),
            }
            super::print_warnings(&warnings);
            let o = jobs::exec(engine, spec, &app.cancel, &sink).await?;
            if o == Outcome::Cancelled {
                super::print_warnings(&[format!(
                    "interrupted: the command may still run in {} (the Engine API cannot stop an exec)",
                    spec.container
                )]);
            }
            o
        }
        Plan::Create { spec, pull } => {
            warnings.extend(
                app.cancellable(jobs::ensure_image(engine, &spec.image, *pull))
                    .await?,
            );
            super::print_warnings(&warnings);
            let id = app
                .cancellable(jobs::create_container(engine, spec))
                .await?;
            let o = match jobs::start_and_follow(engine, &id, 0, &app.cancel, &sink).await {
                Ok(o) => o,
                Err(e) => {
                    let _ = jobs::remove(engine, &id).await;
                    return Err(e);
                }
            };
            match o {
                // Anything `run` created goes, whatever `delete` says.
                Outcome::Cancelled => jobs::remove(engine, &id).await?,
                Outcome::Exited(_) if spec.delete => jobs::remove(engine, &id).await?,
                Outcome::Exited(_) => {
                    let short: String = id.chars().take(12).collect();
                    super::print_warnings(&[format!(
                        "kept container {short} (delete=false): remove it with `docker rm {short}`"
                    )]);
                }
            }
            o
        }
        Plan::Start { container } => {
            let Some((id, running)) = jobs::container_state(engine, container).await? else {
                return Err(Error::Daemon(format!("No such container: {container}")));
            };
            if running {
                return Err(Error::msg(format!(
                    "docker ofelia run: container {container} is already running: Ofelia would only wait for it to exit"
                )));
            }
            super::print_warnings(&warnings);
            let since = i32::try_from(chrono::Utc::now().timestamp()).unwrap_or(0);
            let o = jobs::start_and_follow(engine, &id, since, &app.cancel, &sink).await?;
            if o == Outcome::Cancelled {
                jobs::stop(engine, &id).await?;
            }
            o
        }
        Plan::Service { spec } => {
            let (manager, state) = jobs::swarm_manager(engine).await?;
            if !manager {
                let why = if state == "active" {
                    "this engine is a swarm worker, not a manager (run it on a manager node)"
                        .to_string()
                } else {
                    "this engine is not part of a swarm (docker swarm init)".to_string()
                };
                return Err(Error::msg(format!(
                    "docker ofelia run: job-service-run needs a swarm manager: {why}"
                )));
            }
            super::print_warnings(&warnings);
            jobs::run_service(engine, spec, &app.cancel, &sink).await?
        }
    };
    match outcome {
        Outcome::Cancelled => Err(Error::Interrupted),
        Outcome::Exited(0) => Ok(()),
        Outcome::Exited(code) => Err(Error::Exit(exit_status(code))),
    }
}

/// A job's non-zero exit code as a process exit status: the low 8 bits, as
/// a shell reports it, but never 0 (256 would read as success).
fn exit_status(code: i64) -> u8 {
    match (code & 0xff) as u8 {
        0 => 1,
        c => c,
    }
}

/// What `run` does for a job.
#[derive(Debug, Clone, PartialEq)]
pub enum Plan {
    /// job-exec in its target; job-local in the scheduler container.
    Exec { spec: ExecSpec, local: bool },
    /// job-run from an image.
    Create { spec: ContainerSpec, pull: bool },
    /// job-run of an existing container.
    Start { container: String },
    /// job-service-run.
    Service { spec: ServiceSpec },
}

/// Finds the job: its scheduler name, else its label name when only one
/// job has it; a near miss gets suggestions.
pub fn find_job<'a>(all: &[(&'a Group, &'a Job)], wanted: &str) -> Result<(&'a Group, &'a Job)> {
    let by_name: Vec<_> = all.iter().filter(|(_, j)| j.name == wanted).collect();
    let matches = if by_name.is_empty() {
        all.iter().filter(|(_, j)| j.label_name == wanted).collect()
    } else {
        by_name
    };
    // The same job seen by several schedulers counts once per scheduler;
    // prefer the jobs the scheduler actually runs.
    let runnable: Vec<_> = matches.iter().filter(|(_, j)| j.runs).copied().collect();
    let pool = if runnable.is_empty() {
        matches
    } else {
        runnable
    };
    match pool.as_slice() {
        [one] => Ok(**one),
        [] => {
            let mut names: Vec<&str> = all.iter().map(|(_, j)| j.name.as_str()).collect();
            names.sort();
            names.dedup();
            let hints = suggestions(wanted, &names);
            let w = render::sanitize(wanted);
            if hints.is_empty() {
                Err(Error::msg(format!(
                    "no such job \"{w}\" (`docker ofelia ls` lists the jobs)"
                )))
            } else {
                let quoted: Vec<String> = hints
                    .iter()
                    .map(|h| format!("\"{}\"", render::sanitize(h)))
                    .collect();
                Err(Error::msg(format!(
                    "no such job \"{w}\"; did you mean {}?",
                    quoted.join(" or ")
                )))
            }
        }
        many => {
            let list: Vec<String> = many
                .iter()
                .map(|(g, j)| match &g.scheduler {
                    Some(s) => format!("{} on {} (scheduler {})", j.name, j.carrier, s.name),
                    None => format!("{} on {}", j.name, j.carrier),
                })
                .collect();
            Err(Error::msg(format!(
                "job name \"{}\" is ambiguous: {}; use the full name or -p PROJECT",
                render::sanitize(wanted),
                render::sanitize(&list.join(", "))
            )))
        }
    }
}

/// Job names close to `wanted` (edit distance, or the part after the
/// netresearch prefix), nearest first, at most three.
fn suggestions<'a>(wanted: &str, names: &[&'a str]) -> Vec<&'a str> {
    let limit = (wanted.chars().count() / 3).max(2);
    let mut scored: Vec<(usize, &str)> = names
        .iter()
        .filter_map(|n| {
            let short = n.rsplit_once('.').map(|(_, s)| s).unwrap_or(n);
            let d = labels::edit_distance(wanted, n).min(labels::edit_distance(wanted, short));
            (d <= limit).then_some((d, *n))
        })
        .collect();
    scored.sort();
    scored.into_iter().take(3).map(|(_, n)| n).collect()
}

fn param<'a>(job: &'a Job, key: &str) -> Option<&'a str> {
    job.params
        .get(key)
        .map(String::as_str)
        .filter(|v| !v.is_empty())
}

/// A bool key: Go's ParseBool; a value it rejects is an error (mcuadros
/// refuses to build the job, netresearch fails validation).
fn bool_param(job: &Job, key: &str, default: bool) -> Result<bool> {
    match job.params.get(key) {
        None => Ok(default),
        Some(v) => labels::parse_go_bool(v).map_err(|_| {
            Error::msg(format!(
                "docker ofelia run: {} {:?}: {key}={v:?} is not a boolean (true/false/1/0)",
                job.job_type, job.name
            ))
        }),
    }
}

/// Ofelia's RunJob reads `delete` and `pull` with `strconv.ParseBool` and
/// ignores the error: a bad value is false.
fn lenient_bool(job: &Job, key: &str) -> bool {
    labels::parse_go_bool(job.params.get(key).map(String::as_str).unwrap_or("true"))
        .unwrap_or(false)
}

/// The command as Ofelia splits it (no shell).
fn command(job: &Job) -> Vec<String> {
    labels::split_command(job.command.as_deref().unwrap_or(""))
}

/// The request the scheduler would send for `job`.
pub fn plan(group: &Group, job: &Job) -> Result<Plan> {
    let flavor = group.flavor;
    let n = flavor == Flavor::Netresearch;
    match job.job_type {
        JobType::Exec => {
            let Some(container) = job.target.clone() else {
                return Err(Error::msg(format!(
                    "docker ofelia run: job-exec {:?} has no container to run in (set ofelia.job-exec.{}.container)",
                    job.name, job.label_name
                )));
            };
            let user = match param(job, "user") {
                // netresearch: "default" means the image's user.
                Some("default") if n => None,
                Some(u) => Some(u.to_string()),
                None if n => Some("nobody".to_string()),
                None => Some("root".to_string()),
            };
            Ok(Plan::Exec {
                spec: ExecSpec {
                    container,
                    cmd: command(job),
                    user,
                    tty: bool_param(job, "tty", false)?,
                    env: job.list("environment"),
                    working_dir: if n { param(job, "working-dir").map(str::to_string) } else { None },
                    privileged: n && bool_param(job, "privileged", false)?,
                },
                local: false,
            })
        }
        JobType::Local => {
            // Ofelia runs it as a child process of the daemon, i.e. inside
            // the scheduler container carrying the label.
            let container = group
                .scheduler
                .as_ref()
                .filter(|s| s.name == job.carrier)
                .map(|s| s.name.clone())
                .or_else(|| (!job.carrier.is_empty()).then(|| job.carrier.clone()))
                .ok_or_else(|| Error::msg("docker ofelia run: job-local jobs run inside the scheduler container, and no scheduler runs: start one with `docker ofelia up -d`"))?;
            Ok(Plan::Exec {
                spec: ExecSpec {
                    container,
                    cmd: command(job),
                    user: None,
                    tty: false,
                    env: job.list("environment"),
                    working_dir: param(job, "dir").map(str::to_string),
                    privileged: false,
                },
                local: true,
            })
        }
        JobType::Run => {
            if let Some(c) = param(job, "container") {
                return Ok(Plan::Start { container: c.to_string() });
            }
            let Some(image) = param(job, "image") else {
                return Err(Error::msg(format!(
                    "docker ofelia run: job-run {:?} needs an image or a container (ofelia.job-run.{}.image)",
                    job.name, job.label_name
                )));
            };
            let entrypoint = if n { param(job, "entrypoint").map(labels::split_command) } else { None };
            Ok(Plan::Create {
                spec: ContainerSpec {
                    // netresearch names the container after the job unless
                    // `container-name` says otherwise; mcuadros lets docker pick.
                    name: n.then(|| param(job, "container-name").unwrap_or(&job.name).to_string()),
                    image: image.to_string(),
                    cmd: command(job),
                    entrypoint,
                    user: Some(param(job, "user").unwrap_or("root").to_string()),
                    tty: bool_param(job, "tty", false)?,
                    env: job.list("environment"),
                    network: param(job, "network").map(str::to_string),
                    hostname: param(job, "hostname").map(str::to_string),
                    binds: job.list("volume"),
                    volumes_from: job.list("volumes-from"),
                    working_dir: if n { param(job, "working-dir").map(str::to_string) } else { None },
                    labels: vec![(jobs::LABEL_RUN.to_string(), job.name.clone())],
                    delete: lenient_bool(job, "delete"),
                },
                pull: lenient_bool(job, "pull"),
            })
        }
        JobType::ServiceRun => {
            let Some(image) = param(job, "image") else {
                return Err(Error::msg(format!("docker ofelia run: job-service-run {:?} needs an image", job.name)));
            };
            Ok(Plan::Service {
                spec: ServiceSpec {
                    name: format!("ofelia-run-{}-{}", sanitize_name(&job.name), std::process::id()),
                    image: image.to_string(),
                    cmd: command(job),
                    user: Some(param(job, "user").unwrap_or("root").to_string()),
                    tty: bool_param(job, "tty", false)?,
                    env: if n { job.list("environment") } else { Vec::new() },
                    network: param(job, "network").map(str::to_string),
                    hostname: if n { param(job, "hostname").map(str::to_string) } else { None },
                    dir: if n { param(job, "dir").map(str::to_string) } else { None },
                    binds: if n { job.list("volume") } else { Vec::new() },
                    labels: vec![(jobs::LABEL_RUN.to_string(), job.name.clone())],
                    delete: lenient_bool(job, "delete"),
                },
            })
        }
        JobType::Compose => Err(Error::msg(format!(
            "docker ofelia run: job-compose {:?}: running compose jobs is not supported yet (run `docker compose` yourself)",
            job.name
        ))),
    }
}

/// A swarm service name from a job name.
fn sanitize_name(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// The `--dry-run` text: a comment line, the equivalent docker command, then
/// the Engine API calls with their JSON bodies.
pub fn describe(group: &Group, job: &Job, plan: &Plan) -> String {
    let sched = group
        .scheduler
        .as_ref()
        .map(|s| format!("scheduler {}", s.name))
        .unwrap_or_else(|| "no scheduler".to_string());
    let mut out = format!(
        "# {} {:?} as {} runs it ({}; {})\n",
        job.job_type, job.name, group.flavor, sched, group.flavor_source
    );
    let pretty = |v: &serde_json::Value| serde_json::to_string_pretty(v).unwrap_or_default();
    match plan {
        Plan::Exec { spec, .. } => {
            out.push_str(&spec.command_line());
            out.push('\n');
            let (path, body) = spec.request();
            out.push_str(&format!("{path}\n{}\n", pretty(&body)));
            out.push_str(&format!(
                "POST /exec/{{id}}/start\n{}\nGET /exec/{{id}}/json  (the exit code)\n",
                pretty(&serde_json::json!({"Detach": false, "Tty": spec.tty}))
            ));
        }
        Plan::Create { spec, pull } => {
            out.push_str(&spec.command_line());
            out.push('\n');
            if *pull {
                out.push_str(&format!("POST /images/create?fromImage={}  (pull=true; the local image if that fails)\n", spec.image));
            } else {
                out.push_str(&format!(
                    "GET /images/{}/json  (pull=false: pulled only if missing)\n",
                    spec.image
                ));
            }
            let (path, body) = spec.request();
            out.push_str(&format!("{path}\n{}\n", pretty(&body)));
            out.push_str("POST /containers/{id}/start\nGET /containers/{id}/logs?follow=1&stdout=1&stderr=1\nPOST /containers/{id}/wait\n");
            if spec.delete {
                out.push_str("DELETE /containers/{id}?force=1  (delete=true)\n");
            }
        }
        Plan::Start { container } => {
            out.push_str(&format!(
                "docker start --attach {}\n",
                jobs::shell_join(std::slice::from_ref(container))
            ));
            out.push_str(&format!(
                "POST /containers/{container}/start\nGET /containers/{container}/logs?follow=1&stdout=1&stderr=1&since=<now>\nPOST /containers/{container}/wait\n"
            ));
        }
        Plan::Service { spec } => {
            out.push_str(&spec.command_line());
            out.push('\n');
            let (path, body) = spec.request();
            out.push_str(&format!("{path}\n{}\n", pretty(&body)));
            out.push_str("GET /tasks?filters={\"service\":[\"{id}\"]}  (until the task ends)\nGET /services/{id}/logs?stdout=1&stderr=1\n");
            if spec.delete {
                out.push_str("DELETE /services/{id}  (delete=true)\n");
            }
        }
    }
    // JSON escapes control characters; the command lines and names are ours to sanitise.
    out.lines()
        .map(render::sanitize)
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn group(flavor: Flavor) -> Group {
        Group {
            scheduler: None,
            flavor,
            flavor_source: "--flavor".into(),
            tz: chrono_tz::Tz::UTC,
            tz_source: "UTC".into(),
            every_origin: None,
            carriers: vec![],
        }
    }

    fn job(name: &str, t: JobType, params: &[(&str, &str)]) -> Job {
        let params: BTreeMap<String, String> = params
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Job {
            name: name.into(),
            label_name: name.rsplit('.').next().unwrap_or(name).into(),
            job_type: t,
            carrier: "app".into(),
            project: None,
            service: None,
            schedule: Some("@hourly".into()),
            command: params.get("command").cloned(),
            target: params.get("container").or(params.get("image")).cloned(),
            params,
            sources: BTreeMap::new(),
            notes: vec![],
            runs: true,
        }
    }

    #[test]
    fn exec_user_defaults_by_flavour() {
        let j = job(
            "x",
            JobType::Exec,
            &[("container", "app"), ("command", "id -u")],
        );
        let Plan::Exec { spec, .. } = plan(&group(Flavor::Ofelia03), &j).unwrap() else {
            panic!()
        };
        assert_eq!(spec.user.as_deref(), Some("root"));
        assert_eq!(spec.cmd, vec!["id", "-u"]);
        let Plan::Exec { spec, .. } = plan(&group(Flavor::Netresearch), &j).unwrap() else {
            panic!()
        };
        assert_eq!(spec.user.as_deref(), Some("nobody"));
        let j = job(
            "x",
            JobType::Exec,
            &[("container", "app"), ("command", "id"), ("user", "default")],
        );
        let Plan::Exec { spec, .. } = plan(&group(Flavor::Netresearch), &j).unwrap() else {
            panic!()
        };
        assert_eq!(spec.user, None);
    }

    #[test]
    fn run_defaults_delete_and_pull() {
        let j = job(
            "r",
            JobType::Run,
            &[("image", "busybox"), ("command", "echo 'a b'")],
        );
        let Plan::Create { spec, pull } = plan(&group(Flavor::Ofelia03), &j).unwrap() else {
            panic!()
        };
        assert!(spec.delete && pull);
        assert_eq!(spec.cmd, vec!["echo", "a b"]);
        let j = job(
            "r",
            JobType::Run,
            &[("image", "busybox"), ("delete", "false"), ("pull", "nope")],
        );
        let Plan::Create { spec, pull } = plan(&group(Flavor::Ofelia03), &j).unwrap() else {
            panic!()
        };
        assert!(!spec.delete && !pull);
        let j = job(
            "r",
            JobType::Run,
            &[("image", "busybox"), ("container", "c1")],
        );
        assert_eq!(
            plan(&group(Flavor::Ofelia03), &j).unwrap(),
            Plan::Start {
                container: "c1".into()
            }
        );
    }

    #[test]
    fn suggestions_and_ambiguity() {
        let g = group(Flavor::Netresearch);
        let a = job("web.datecron", JobType::Exec, &[]);
        let b = job("db.backup", JobType::Exec, &[]);
        let c = job("web.backup", JobType::Exec, &[]);
        let all = vec![(&g, &a), (&g, &b), (&g, &c)];
        assert_eq!(
            find_job(&all, "web.datecron").unwrap().1.name,
            "web.datecron"
        );
        assert_eq!(find_job(&all, "datecron").unwrap().1.name, "web.datecron");
        let e = find_job(&all, "datecrn").unwrap_err().to_string();
        assert_eq!(e, "no such job \"datecrn\"; did you mean \"web.datecron\"?");
        let e = find_job(&all, "backup").unwrap_err().to_string();
        assert!(e.contains("ambiguous"), "{e}");
        let e = find_job(&all, "zzzzzzzzzz").unwrap_err().to_string();
        assert!(e.starts_with("no such job \"zzzzzzzzzz\" ("), "{e}");
    }

    #[test]
    fn exit_statuses() {
        assert_eq!(exit_status(3), 3);
        assert_eq!(exit_status(256), 1);
        assert_eq!(exit_status(-1), 255);
    }
}
