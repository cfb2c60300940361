//! `docker ofelia check`: every label mistake Ofelia would fail on silently,
//! in compose files (with file and line) or on live containers.

use std::path::Path;

use crate::app::App;
use crate::check::{self, Finding, Group, Input, Severity};
use crate::cli::{CheckArgs, Format};
use crate::compose;
use crate::docker::containers::PROJECT_LABEL;
use crate::error::{Error, Result};
use crate::render;
use crate::sources::{self, Options, Scope};

pub async fn run(app: &App, args: CheckArgs) -> Result<()> {
    let opts = Options {
        include_stopped: false,
        flavor: args.flavor.map(Into::into),
        tz: None,
        all_labelled: true,
    };
    let cwd = std::env::current_dir()?;
    let mut input = Input::default();
    let scope: Scope = if args.select.files.is_empty() {
        let scope = app
            .cancellable(sources::gather(app, &args.select, &opts))
            .await?;
        input.live = true;
        if scope.groups.iter().all(|g| g.carriers.is_empty()) {
            let what = match &scope.project {
                Some(p) => format!("no container of project {p:?} on the engine"),
                None => "no container on the engine".to_string(),
            };
            super::print_warnings(&[format!(
                "{what}: nothing to check live; to check compose files before deploying, pass -f FILE"
            )]);
        }
        input.other_projects = other_projects(app, scope.project.as_deref()).await?;
        scope
    } else {
        let env = sources::process_env();
        let project_flag = args
            .select
            .project
            .clone()
            .or_else(|| env.get("COMPOSE_PROJECT_NAME").cloned())
            .filter(|p| !p.is_empty());
        if let Some(p) = &project_flag {
            compose::validate_project_name(p).map_err(|e| Error::usage(e.to_string()))?;
        }
        let project = compose::files::load_project(
            &args.select.files,
            project_flag.as_deref(),
            &cwd,
            &env,
            std::io::stdin(),
        )?;
        for s in &project.services {
            input
                .service_lines
                .insert(s.name.clone(), (s.file.display().to_string(), s.line));
        }
        sources::from_project(&project, &opts)
    };
    input.groups = scope
        .groups
        .into_iter()
        .map(|g| Group {
            flavor_known: opts.flavor.is_some()
                || g.scheduler.as_ref().is_none_or(|s| s.flavor.is_some()),
            scheduler: g.scheduler,
            flavor: g.flavor,
            carriers: g.carriers,
        })
        .collect();
    let mut findings = check::check(&input);
    for f in &mut findings {
        if let Some(file) = &f.file {
            f.file = Some(sources::display_path(Path::new(file), &cwd));
        }
    }
    match args.format {
        Format::Json => app.out.json(&findings)?,
        Format::Table => app.out.write(&table(app, &findings))?,
    }
    if check::fails(&findings, args.strict) {
        return Err(Error::Exit(1));
    }
    Ok(())
}

/// Live mode: the other compose projects whose containers carry jobs.
async fn other_projects(app: &App, project: Option<&str>) -> Result<Vec<String>> {
    let Some(project) = project else {
        return Ok(Vec::new());
    };
    let engine = app.engine().await?;
    let list = app
        .cancellable(engine.list_by_labels(&["ofelia.enabled=true".to_string()], false))
        .await?;
    let mut out: Vec<String> = list
        .iter()
        .filter_map(|c| c.labels.as_ref()?.get(PROJECT_LABEL).cloned())
        .filter(|p| p != project)
        .collect();
    out.sort();
    out.dedup();
    Ok(out)
}

/// Where a finding is: file:line (compose) or the container (live).
pub fn location(f: &Finding) -> String {
    match (&f.file, f.line, &f.container) {
        (Some(file), Some(line), _) => format!("{file}:{line}"),
        (Some(file), None, _) => file.clone(),
        (None, _, Some(c)) => c.clone(),
        _ => f
            .service
            .clone()
            .or_else(|| f.project.clone())
            .unwrap_or_else(|| "-".into()),
    }
}

/// SEVERITY, WHERE, JOB, RULE, MESSAGE/FIX; the fix on its own line under
/// the message. Every cell is sanitised; only the severity is coloured, on a
/// terminal.
fn table(app: &App, findings: &[Finding]) -> String {
    let rows: Vec<[String; 5]> = findings
        .iter()
        .map(|f| {
            [
                f.severity.as_str().to_string(),
                render::sanitize(&location(f)),
                render::sanitize(f.job.as_deref().unwrap_or("-")),
                f.rule.to_string(),
                render::sanitize(&f.message),
            ]
        })
        .collect();
    let headers = ["SEVERITY", "WHERE", "JOB", "RULE", "MESSAGE / FIX"];
    let mut width = [0usize; 4];
    for (i, w) in width.iter_mut().enumerate() {
        *w = rows
            .iter()
            .map(|r| r[i].chars().count())
            .chain(std::iter::once(headers[i].len()))
            .max()
            .unwrap_or(0);
    }
    let pad =
        |s: &str, w: usize| format!("{s}{}", " ".repeat(w.saturating_sub(s.chars().count()) + 3));
    let indent: usize = width.iter().map(|w| w + 3).sum();
    let mut out = String::new();
    if !rows.is_empty() {
        for (i, h) in headers.iter().enumerate().take(4) {
            out.push_str(&pad(h, width[i]));
        }
        out.push_str(headers[4]);
        out.push('\n');
    }
    for (r, f) in rows.iter().zip(findings) {
        let sev = pad(&r[0], width[0]);
        let code = match f.severity {
            Severity::Error => "31",
            Severity::Warning => "33",
            Severity::Info => "36",
        };
        out.push_str(&app.out.paint(code, &sev));
        for i in 1..4 {
            out.push_str(&pad(&r[i], width[i]));
        }
        out.push_str(&r[4]);
        out.push('\n');
        out.push_str(&" ".repeat(indent));
        out.push_str("fix: ");
        out.push_str(&render::sanitize(&f.fix));
        out.push('\n');
    }
    if !rows.is_empty() {
        out.push('\n');
    }
    out.push_str(&check::summary(findings));
    out.push('\n');
    out
}
