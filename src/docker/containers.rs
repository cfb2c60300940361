//! Container listing and inspection, turned into [`Carrier`]s for the label
//! model. One list call per question, never one inspect per container just
//! to list: only scheduler containers are inspected (for their command,
//! environment and start time).

use std::collections::{BTreeMap, HashMap};

use bollard::models::{ContainerInspectResponse, ContainerSummary, ContainerSummaryStateEnum};
use bollard::query_parameters::{InspectContainerOptions, ListContainersOptions};

use super::Engine;
use crate::error::Result;
use crate::labels::{Carrier, Mount};

/// The compose project label.
pub const PROJECT_LABEL: &str = "com.docker.compose.project";
/// The compose service label.
pub const SERVICE_LABEL: &str = "com.docker.compose.service";

impl Engine {
    /// One `GET /containers/json` with label filters (all must match).
    pub async fn list_by_labels(&self, labels: &[String], all: bool) -> Result<Vec<ContainerSummary>> {
        let mut filters: HashMap<String, Vec<String>> = HashMap::new();
        if !labels.is_empty() {
            filters.insert("label".into(), labels.to_vec());
        }
        let opts = ListContainersOptions { all, filters: Some(filters), ..Default::default() };
        self.call(self.docker.list_containers(Some(opts))).await
    }

    pub async fn inspect(&self, id: &str) -> Result<ContainerInspectResponse> {
        self.call(self.docker.inspect_container(id, None::<InspectContainerOptions>)).await
    }

    /// The labels of an image (empty when the image is gone).
    pub async fn image_labels(&self, image: &str) -> BTreeMap<String, String> {
        match self.call(self.docker.inspect_image(image)).await {
            Ok(i) => i.config.and_then(|c| c.labels).map(|l| l.into_iter().collect()).unwrap_or_default(),
            Err(_) => BTreeMap::new(),
        }
    }
}

/// A carrier from a list entry (no environment: the list API doesn't return it).
pub fn carrier_from_summary(s: &ContainerSummary) -> Carrier {
    let labels: BTreeMap<String, String> =
        s.labels.clone().map(|l| l.into_iter().collect()).unwrap_or_default();
    let name = s
        .names
        .as_ref()
        .and_then(|n| n.first())
        .map(|n| n.trim_start_matches('/').to_string())
        .unwrap_or_else(|| s.id.clone().unwrap_or_default().chars().take(12).collect());
    let mounts = s
        .mounts
        .as_ref()
        .map(|ms| {
            ms.iter()
                .map(|m| Mount {
                    source: m.source.clone().unwrap_or_default(),
                    target: m.destination.clone().unwrap_or_default(),
                    read_only: !m.rw.unwrap_or(true),
                })
                .collect()
        })
        .unwrap_or_default();
    Carrier {
        id: s.id.clone().unwrap_or_default(),
        name,
        project: labels.get(PROJECT_LABEL).cloned(),
        service: labels.get(SERVICE_LABEL).cloned(),
        image: s.image.clone().unwrap_or_default(),
        image_labels: BTreeMap::new(),
        label_lines: BTreeMap::new(),
        env: BTreeMap::new(),
        command: s.command.as_deref().map(|c| c.split_whitespace().map(str::to_string).collect()).unwrap_or_default(),
        mounts,
        running: matches!(s.state, Some(ContainerSummaryStateEnum::RUNNING)),
        created: s.created.unwrap_or(0),
        started_at: None,
        labels,
    }
}

/// A carrier from an inspection: command, environment, mounts and start time.
pub fn carrier_from_inspect(i: &ContainerInspectResponse, image_labels: BTreeMap<String, String>) -> Carrier {
    let config = i.config.clone().unwrap_or_default();
    let labels: BTreeMap<String, String> = config.labels.clone().map(|l| l.into_iter().collect()).unwrap_or_default();
    let env: BTreeMap<String, String> = config
        .env
        .clone()
        .unwrap_or_default()
        .iter()
        .filter_map(|kv| kv.split_once('=').map(|(k, v)| (k.to_string(), v.to_string())))
        .collect();
    let state = i.state.clone().unwrap_or_default();
    let running = state.running.unwrap_or(false);
    let started_at = if running {
        state
            .started_at
            .as_deref()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.with_timezone(&chrono::Utc))
    } else {
        None
    };
    let mounts = i
        .mounts
        .clone()
        .unwrap_or_default()
        .iter()
        .map(|m| Mount {
            source: m.source.clone().unwrap_or_default(),
            target: m.destination.clone().unwrap_or_default(),
            read_only: !m.rw.unwrap_or(true),
        })
        .collect();
    let created = i
        .created
        .as_deref()
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.timestamp())
        .unwrap_or(0);
    Carrier {
        id: i.id.clone().unwrap_or_default(),
        name: i.name.clone().unwrap_or_default().trim_start_matches('/').to_string(),
        project: labels.get(PROJECT_LABEL).cloned(),
        service: labels.get(SERVICE_LABEL).cloned(),
        image: config.image.clone().unwrap_or_default(),
        image_labels,
        label_lines: BTreeMap::new(),
        env,
        command: config.cmd.clone().unwrap_or_default(),
        mounts,
        running,
        created,
        started_at,
        labels,
    }
}
