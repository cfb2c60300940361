//! `docker ofelia down`: stop and remove docker-ofelia's own scheduler
//! containers (label io.docker-ofelia.managed=true), and nothing else.

use std::time::Duration;

use crate::app::App;
use crate::cli::DownArgs;
use crate::docker::scheduler;
use crate::error::{Error, Result};
use crate::render;

pub async fn run(app: &App, args: DownArgs) -> Result<()> {
    if let Some(p) = &args.project {
        crate::compose::validate_project_name(p).map_err(|e| Error::usage(e.to_string()))?;
    }
    let engine = app.engine().await?;
    let wanted = args.project.clone().unwrap_or_default();
    let targets: Vec<(String, String, String)> = scheduler::list_managed(engine)
        .await?
        .into_iter()
        .filter(|(_, _, project)| args.all || *project == wanted)
        .collect();
    if targets.is_empty() {
        let scope = match (&args.project, args.all) {
            (_, true) => String::new(),
            (Some(p), _) => format!(" of project {}", render::sanitize(p)),
            (None, _) => " (unscoped; -p NAME for a project's, --all for every one)".to_string(),
        };
        eprintln!("No scheduler created by docker-ofelia to remove{scope}");
        return Ok(());
    }
    let results = futures_util::future::join_all(
        targets
            .iter()
            .map(|(id, _, _)| scheduler::stop_and_remove(engine, id, Duration::from_secs(10))),
    )
    .await;
    for ((_, name, _), r) in targets.iter().zip(results) {
        r?;
        app.out
            .line(&format!("Removed {}", render::sanitize(name)))?;
    }
    Ok(())
}
