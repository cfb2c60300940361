//! `docker ofelia version`: the plugin's version, and the engine's.

use serde::Serialize;

use crate::app::App;
use crate::cli::{Format, VersionArgs};
use crate::error::Result;

#[derive(Serialize)]
struct VersionInfo {
    plugin: PluginVersion,
    engine: EngineVersion,
}

#[derive(Serialize)]
struct PluginVersion {
    version: &'static str,
}

#[derive(Serialize)]
struct EngineVersion {
    context: String,
    host: String,
    version: String,
    api_version: String,
    negotiated_api_version: String,
    os: String,
    arch: String,
}

pub async fn run(app: &App, args: VersionArgs) -> Result<()> {
    let engine = app.cancellable(app.engine()).await?;
    let v = &engine.version;
    let info = VersionInfo {
        plugin: PluginVersion {
            version: env!("CARGO_PKG_VERSION"),
        },
        engine: EngineVersion {
            context: engine.endpoint.context.clone(),
            host: engine.endpoint.host.clone(),
            version: v.version.clone().unwrap_or_default(),
            api_version: v.api_version.clone().unwrap_or_default(),
            negotiated_api_version: engine.api_version(),
            os: v.os.clone().unwrap_or_default(),
            arch: v.arch.clone().unwrap_or_default(),
        },
    };
    match args.format {
        Format::Json => app.out.json(&info),
        Format::Table => {
            let e = &info.engine;
            let text = format!(
                "Plugin:\n Version:      {}\n\nEngine:\n Context:      {}\n Host:         {}\n Version:      {}\n API version:  {} (negotiated {})\n OS/Arch:      {}/{}",
                info.plugin.version, e.context, e.host, e.version, e.api_version, e.negotiated_api_version, e.os, e.arch
            );
            app.out.line(&crate::render::sanitize_keep_newlines(&text))
        }
    }
}
