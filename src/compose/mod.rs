//! Compose files: parsing, merging, interpolation and project naming, as
//! docker compose does it. Pure: file contents and the environment are passed in.
//!
//! - [`load`] reads one or more files (later ones merge over earlier ones) into
//!   a [`Project`]; every [`Label`] carries the file and line of its key.
//! - [`files`] is the I/O layer: which files, `.env`, stdin.
//!
//! Only what matters to Ofelia is modelled (see README.md, section Compose files).

pub mod files;

mod dotenv;
mod interp;
mod words;
mod yaml;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::path::{Component, Path, PathBuf};

use yaml::Node;

/// A compose project, after every file is merged.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Project {
    pub name: String,
    pub working_dir: PathBuf,
    pub files: Vec<PathBuf>,
    /// In order of first appearance across the files.
    pub services: Vec<Service>,
    /// What compose would warn about (unset variables, several files found).
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Service {
    pub name: String,
    pub image: Option<String>,
    pub container_name: Option<String>,
    /// After merge, in order of first appearance; an overridden label keeps
    /// its place and takes the file and line of the override.
    pub labels: Vec<Label>,
    pub environment: BTreeMap<String, String>,
    /// String forms are split into words like compose (shell words, no expansion).
    pub command: Option<Vec<String>>,
    pub entrypoint: Option<Vec<String>>,
    pub volumes: Vec<Volume>,
    pub networks: Vec<String>,
    pub network_mode: Option<String>,
    pub user: Option<String>,
    pub working_dir: Option<String>,
    pub restart: Option<String>,
    pub profiles: Vec<String>,
    /// `deploy.replicas`, else `scale`.
    pub replicas: Option<u32>,
    /// Line of the service key (in `file`, where the service first appears).
    pub line: usize,
    pub file: PathBuf,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Label {
    pub key: String,
    /// The value as compose keeps it: list syntax keeps any quotes.
    pub value: String,
    pub file: PathBuf,
    /// 1-based line of the key (map syntax) or of the list item.
    pub line: usize,
    pub list_syntax: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Volume {
    /// Absolute host path for a bind, volume name for a named volume, `None`
    /// for an anonymous volume.
    pub source: Option<String>,
    pub target: String,
    pub read_only: bool,
    /// `bind` or `volume` (or the long syntax's `type`).
    pub kind: String,
}

/// Everything [`load`] needs; no I/O happens in this module.
#[derive(Debug, Clone)]
pub struct Input<'a> {
    /// Path (used in messages and labels) and contents, in `-f` order.
    pub files: Vec<(PathBuf, &'a str)>,
    /// The OS environment.
    pub env: &'a BTreeMap<String, String>,
    /// The contents of `<working_dir>/.env`, if there is one.
    pub dotenv: Option<&'a str>,
    pub working_dir: PathBuf,
    /// `-p NAME`.
    pub project_override: Option<&'a str>,
}

/// A compose file that cannot be used. Displays as one line:
/// `file:line: reason` (file and line when known).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComposeError {
    pub file: Option<PathBuf>,
    pub line: Option<usize>,
    pub reason: String,
}

impl ComposeError {
    fn new(reason: impl Into<String>) -> Self {
        ComposeError {
            file: None,
            line: None,
            reason: reason.into(),
        }
    }

    fn at(file: &Path, line: usize, reason: impl Into<String>) -> Self {
        ComposeError {
            file: Some(file.to_path_buf()),
            line: Some(line),
            reason: reason.into(),
        }
    }
}

impl fmt::Display for ComposeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // One line, always: a reason from the YAML parser may carry newlines.
        let reason = self.reason.replace('\n', " ");
        match (&self.file, self.line) {
            (Some(file), Some(line)) => write!(f, "{}:{line}: {reason}", file.display()),
            (Some(file), None) => write!(f, "{}: {reason}", file.display()),
            _ => f.write_str(&reason),
        }
    }
}

impl std::error::Error for ComposeError {}

impl From<ComposeError> for crate::Error {
    fn from(e: ComposeError) -> Self {
        crate::Error::Compose(e.to_string())
    }
}

impl Label {
    /// True when a list-syntax value is still wrapped in quotes
    /// (`- key="v"` keeps them: Ofelia issue MO#99).
    pub fn value_is_quoted(&self) -> bool {
        let v = self.value.as_bytes();
        self.list_syntax && v.len() >= 2 && matches!(v[0], b'"' | b'\'') && v[v.len() - 1] == v[0]
    }
}

impl Service {
    /// The container name compose v2 gives: `container_name`, else
    /// `{project}-{service}-1`.
    pub fn default_container_name(&self, project: &str) -> String {
        match &self.container_name {
            Some(n) => n.clone(),
            None => format!("{project}-{}-1", self.name),
        }
    }

    /// The container name docker-compose v1 gives: `{project}_{service}_1`.
    pub fn default_container_name_v1(&self, project: &str) -> String {
        match &self.container_name {
            Some(n) => n.clone(),
            None => format!("{project}_{}_1", self.name),
        }
    }

    /// The value of a label, if set.
    pub fn label(&self, key: &str) -> Option<&str> {
        self.labels
            .iter()
            .find(|l| l.key == key)
            .map(|l| l.value.as_str())
    }
}

/// Compose's normalisation: lowercase, keep `[a-z0-9_-]`, strip leading `_`/`-`.
pub fn normalize_project_name(s: &str) -> String {
    let kept: String = s
        .to_lowercase()
        .chars()
        .filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_' || *c == '-')
        .collect();
    kept.trim_start_matches(['_', '-']).to_string()
}

/// An explicit name (`-p`, `COMPOSE_PROJECT_NAME`) must already be normalised.
pub fn validate_project_name(s: &str) -> Result<(), ComposeError> {
    let ok = s
        .bytes()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && s.bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_' || c == b'-');
    if ok {
        Ok(())
    } else {
        Err(ComposeError::new(format!(
            "invalid project name {s:?}: must consist only of lowercase alphanumeric \
             characters, hyphens, and underscores as well as start with a letter or number"
        )))
    }
}

/// Parses and merges the files into a project.
pub fn load(input: &Input) -> Result<Project, ComposeError> {
    let dotenv_path = input.working_dir.join(".env");
    let dotenv = match input.dotenv {
        Some(text) => dotenv::parse(text, input.env)
            .map_err(|(line, reason)| ComposeError::at(&dotenv_path, line, reason))?,
        None => BTreeMap::new(),
    };
    // The OS environment wins over .env.
    let mut env = dotenv;
    env.extend(input.env.iter().map(|(k, v)| (k.clone(), v.clone())));

    let mut roots = Vec::with_capacity(input.files.len());
    for (path, text) in &input.files {
        let root = yaml::parse(text)
            .map_err(|e| ComposeError::at(path, e.line, e.reason))?
            .filter(|root| !root.is_null())
            .ok_or_else(|| ComposeError {
                file: Some(path.clone()),
                line: None,
                reason: "empty compose file".into(),
            })?;
        if root.as_map().is_none() {
            return Err(ComposeError::at(
                path,
                root.line,
                "Top-level object must be a mapping",
            ));
        }
        roots.push((path.clone(), root));
    }

    let mut warnings = Vec::new();
    // The project name first: compose v2 makes it available as
    // ${COMPOSE_PROJECT_NAME} to the rest of the files.
    let mut top_name = None;
    for (path, root) in &roots {
        if let Some(node) = root.get("name") {
            let mut ctx = Ctx::new(path, &env, &input.working_dir);
            if let Some(n) = ctx.string(node, "name")? {
                top_name = Some(n);
            }
            warnings.append(&mut ctx.warnings);
        }
    }
    let name = project_name(input, &env, top_name.as_deref())?;
    // Always the computed name, even over the environment's (compose-go#628).
    env.insert("COMPOSE_PROJECT_NAME".into(), name.clone());

    let mut services: Vec<Service> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for (path, root) in &roots {
        let mut ctx = Ctx::new(path, &env, &input.working_dir);
        // Compose interpolates the whole file, not only what Ofelia reads.
        ctx.interpolate_all(root)?;
        let Some(node) = root.get("services") else {
            continue;
        };
        if node.is_null() {
            continue;
        }
        let Some(entries) = node.as_map() else {
            return Err(ctx.err(node, "services must be a mapping"));
        };
        for (key, def) in entries {
            let Some(svc_name) = key.scalar() else {
                return Err(ctx.err(key, "service names must be strings"));
            };
            let i = *index.entry(svc_name.to_string()).or_insert_with(|| {
                services.push(Service {
                    name: svc_name.to_string(),
                    line: key.line,
                    file: path.clone(),
                    ..Service::default()
                });
                services.len() - 1
            });
            ctx.apply_service(&mut services[i], def)?;
        }
        for var in ctx.warnings.drain(..) {
            if !warnings.contains(&var) {
                warnings.push(var);
            }
        }
    }

    Ok(Project {
        name,
        working_dir: input.working_dir.clone(),
        files: input.files.iter().map(|(p, _)| p.clone()).collect(),
        services,
        warnings,
    })
}

/// Compose's order: `-p`, `COMPOSE_PROJECT_NAME` (OS env or .env), the
/// top-level `name:` (normalised), the working directory's basename (normalised).
fn project_name(
    input: &Input,
    env: &BTreeMap<String, String>,
    top_name: Option<&str>,
) -> Result<String, ComposeError> {
    if let Some(p) = input.project_override {
        validate_project_name(p)?;
        return Ok(p.to_string());
    }
    if let Some(p) = env.get("COMPOSE_PROJECT_NAME").filter(|p| !p.is_empty()) {
        validate_project_name(p)?;
        return Ok(p.clone());
    }
    if let Some(n) = top_name
        .map(normalize_project_name)
        .filter(|n| !n.is_empty())
    {
        return Ok(n);
    }
    let base = input
        .working_dir
        .file_name()
        .map(|b| normalize_project_name(&b.to_string_lossy()))
        .unwrap_or_default();
    if base.is_empty() {
        return Err(ComposeError::new("project name must not be empty"));
    }
    Ok(base)
}

/// Reading one file: where errors point and how strings are interpolated.
struct Ctx<'a> {
    file: &'a Path,
    env: &'a BTreeMap<String, String>,
    working_dir: &'a Path,
    warnings: Vec<String>,
}

impl<'a> Ctx<'a> {
    fn new(file: &'a Path, env: &'a BTreeMap<String, String>, working_dir: &'a Path) -> Self {
        Ctx {
            file,
            env,
            working_dir,
            warnings: Vec::new(),
        }
    }

    fn err(&self, node: &Node, reason: impl Into<String>) -> ComposeError {
        ComposeError::at(self.file, node.line, reason)
    }

    /// A scalar as an interpolated string; `None` for null.
    fn string(&mut self, node: &Node, path: &str) -> Result<Option<String>, ComposeError> {
        if node.is_null() {
            return Ok(None);
        }
        let Some(raw) = node.scalar() else {
            return Err(self.err(
                node,
                format!("{path} must be a string, not {}", node.kind()),
            ));
        };
        let env = self.env;
        let lookup = |k: &str| env.get(k).cloned();
        let mut unset = Vec::new();
        let value = interp::interpolate(raw, &lookup, &mut unset)
            .map_err(|e| self.err(node, e.message(path, raw)))?;
        for var in unset {
            let w = format!("The {var:?} variable is not set. Defaulting to a blank string.");
            if !self.warnings.contains(&w) {
                self.warnings.push(w);
            }
        }
        Ok(Some(value))
    }

    /// Interpolates every string value of the document (keys are not
    /// interpolated), so that an error anywhere is reported as compose would.
    /// Each shared (aliased) node is visited once: cost stays linear in the
    /// size of the text.
    fn interpolate_all(&mut self, root: &Node) -> Result<(), ComposeError> {
        let mut seen: HashSet<*const yaml::Value> = HashSet::new();
        let mut stack: Vec<(&Node, String)> = vec![(root, String::new())];
        while let Some((node, path)) = stack.pop() {
            if !seen.insert(std::rc::Rc::as_ptr(&node.value)) {
                continue;
            }
            let child = |key: &str| {
                if path.is_empty() {
                    key.to_string()
                } else {
                    format!("{path}.{key}")
                }
            };
            if let Some(entries) = node.as_map() {
                // Reversed, so that the first error in document order wins.
                for (k, v) in entries.iter().rev() {
                    stack.push((v, child(k.scalar().unwrap_or("?"))));
                }
            } else if let Some(items) = node.as_seq() {
                for item in items.iter().rev() {
                    stack.push((item, child("[]")));
                }
            } else {
                self.string(node, &path)?;
            }
        }
        Ok(())
    }

    /// A list of strings (null items skipped).
    fn strings(&mut self, node: &Node, path: &str) -> Result<Vec<String>, ComposeError> {
        let Some(items) = node.as_seq() else {
            return Err(self.err(node, format!("{path} must be a list")));
        };
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            out.extend(self.string(item, path)?);
        }
        Ok(out)
    }

    fn apply_service(&mut self, svc: &mut Service, def: &Node) -> Result<(), ComposeError> {
        let base = format!("services.{}", svc.name);
        if def.is_null() {
            return Ok(());
        }
        let Some(entries) = def.as_map() else {
            return Err(self.err(def, format!("{base} must be a mapping")));
        };
        for (key, value) in entries {
            let Some(k) = key.scalar() else { continue };
            let path = format!("{base}.{k}");
            match k {
                "image" => svc.image = self.string(value, &path)?,
                "container_name" => svc.container_name = self.string(value, &path)?,
                "network_mode" => svc.network_mode = self.string(value, &path)?,
                "user" => svc.user = self.string(value, &path)?,
                "working_dir" => svc.working_dir = self.string(value, &path)?,
                "restart" => svc.restart = self.string(value, &path)?,
                "command" => svc.command = self.command(value, &path)?,
                "entrypoint" => svc.entrypoint = self.command(value, &path)?,
                "labels" => self.labels(svc, value, &path)?,
                "environment" => self.environment(svc, value, &path)?,
                "volumes" => self.volumes(svc, value, &path)?,
                "networks" => {
                    let names = self.names(value, &path)?;
                    union(&mut svc.networks, names);
                }
                "profiles" => {
                    let names = self.strings(value, &path)?;
                    union(&mut svc.profiles, names);
                }
                "scale" => svc.replicas = self.count(value, &path)?,
                "deploy" => {
                    if let Some(r) = value.get("replicas") {
                        svc.replicas = self.count(r, &format!("{path}.replicas"))?;
                    }
                }
                // env_file, ports, depends_on, healthcheck…: not needed by Ofelia.
                _ => {}
            }
        }
        Ok(())
    }

    fn command(&mut self, node: &Node, path: &str) -> Result<Option<Vec<String>>, ComposeError> {
        if node.is_null() {
            return Ok(None);
        }
        if node.as_seq().is_some() {
            return self.strings(node, path).map(Some);
        }
        let text = self.string(node, path)?.unwrap_or_default();
        words::split(&text)
            .map(Some)
            .map_err(|reason| self.err(node, format!("{path}: {reason}")))
    }

    fn count(&mut self, node: &Node, path: &str) -> Result<Option<u32>, ComposeError> {
        match self.string(node, path)? {
            None => Ok(None),
            Some(s) => s
                .trim()
                .parse()
                .map(Some)
                .map_err(|_| self.err(node, format!("{path} must be a non-negative integer"))),
        }
    }

    /// Names from a list, or the keys of a mapping (`networks:`).
    fn names(&mut self, node: &Node, path: &str) -> Result<Vec<String>, ComposeError> {
        match node.as_map() {
            Some(entries) => Ok(entries
                .iter()
                .filter_map(|(k, _)| k.scalar().map(str::to_string))
                .collect()),
            None => self.strings(node, path),
        }
    }

    fn labels(&mut self, svc: &mut Service, node: &Node, path: &str) -> Result<(), ComposeError> {
        let mut found = Vec::new();
        if let Some(items) = node.as_seq() {
            for item in items {
                let Some(text) = self.string(item, path)? else {
                    continue;
                };
                let (k, v) = text.split_once('=').unwrap_or((text.as_str(), ""));
                found.push((k.to_string(), v.to_string(), item.line, true));
            }
        } else if let Some(entries) = node.as_map() {
            for (k, v) in entries {
                let Some(key) = k.scalar() else {
                    return Err(self.err(k, format!("{path} keys must be strings")));
                };
                let key_path = format!("{path}.{key}");
                let value = self.string(v, &key_path)?.unwrap_or_default();
                found.push((key.to_string(), value, k.line, false));
            }
        } else if !node.is_null() {
            return Err(self.err(node, format!("{path} must be a mapping or a list")));
        }
        for (key, value, line, list_syntax) in found {
            let label = Label {
                key,
                value,
                file: self.file.to_path_buf(),
                line,
                list_syntax,
            };
            match svc.labels.iter_mut().find(|l| l.key == label.key) {
                Some(existing) => *existing = label,
                None => svc.labels.push(label),
            }
        }
        Ok(())
    }

    fn environment(
        &mut self,
        svc: &mut Service,
        node: &Node,
        path: &str,
    ) -> Result<(), ComposeError> {
        if let Some(items) = node.as_seq() {
            for item in items {
                let Some(text) = self.string(item, path)? else {
                    continue;
                };
                match text.split_once('=') {
                    Some((k, v)) => {
                        svc.environment.insert(k.to_string(), v.to_string());
                    }
                    // `- KEY`: taken from the environment, dropped when unset.
                    None => {
                        if let Some(v) = self.env.get(&text) {
                            svc.environment.insert(text.clone(), v.clone());
                        }
                    }
                }
            }
        } else if let Some(entries) = node.as_map() {
            for (k, v) in entries {
                let Some(key) = k.scalar() else {
                    return Err(self.err(k, format!("{path} keys must be strings")));
                };
                match self.string(v, &format!("{path}.{key}"))? {
                    Some(value) => {
                        svc.environment.insert(key.to_string(), value);
                    }
                    None => {
                        if let Some(value) = self.env.get(key) {
                            svc.environment.insert(key.to_string(), value.clone());
                        }
                    }
                }
            }
        } else if !node.is_null() {
            return Err(self.err(node, format!("{path} must be a mapping or a list")));
        }
        Ok(())
    }

    fn volumes(&mut self, svc: &mut Service, node: &Node, path: &str) -> Result<(), ComposeError> {
        if node.is_null() {
            return Ok(());
        }
        let Some(items) = node.as_seq() else {
            return Err(self.err(node, format!("{path} must be a list")));
        };
        for item in items {
            let volume = if item.as_map().is_some() {
                self.long_volume(item, path)?
            } else {
                let Some(spec) = self.string(item, path)? else {
                    continue;
                };
                self.short_volume(&spec)
                    .ok_or_else(|| self.err(item, format!("invalid volume spec {spec:?}")))?
            };
            match svc.volumes.iter_mut().find(|v| v.target == volume.target) {
                Some(existing) => *existing = volume,
                None => svc.volumes.push(volume),
            }
        }
        Ok(())
    }

    /// `target`, `source:target` or `source:target:mode`.
    fn short_volume(&self, spec: &str) -> Option<Volume> {
        let parts: Vec<&str> = spec.split(':').collect();
        let (source, target, mode) = match parts.as_slice() {
            [target] => (None, *target, ""),
            [source, target] => (Some(*source), *target, ""),
            [source, target, mode @ ..] => (Some(*source), *target, mode.last().copied()?),
            [] => return None,
        };
        if target.is_empty() || source.is_some_and(str::is_empty) {
            return None;
        }
        let read_only = mode.split(',').any(|m| m == "ro");
        let bind = source.is_some_and(|s| s.starts_with(['/', '.', '~']));
        Some(Volume {
            source: source.map(|s| {
                if bind {
                    self.host_path(s)
                } else {
                    s.to_string()
                }
            }),
            target: target.to_string(),
            read_only,
            kind: if bind { "bind" } else { "volume" }.to_string(),
        })
    }

    fn long_volume(&mut self, node: &Node, path: &str) -> Result<Volume, ComposeError> {
        let field = |ctx: &mut Self, name: &str| -> Result<Option<String>, ComposeError> {
            match node.get(name) {
                Some(v) => ctx.string(v, &format!("{path}.{name}")),
                None => Ok(None),
            }
        };
        let kind = field(self, "type")?.unwrap_or_else(|| "volume".into());
        let Some(target) = field(self, "target")? else {
            return Err(self.err(node, format!("{path}: a volume needs a target")));
        };
        let source = field(self, "source")?;
        let read_only = field(self, "read_only")?.is_some_and(|v| v == "true");
        let source = match source {
            Some(s) if kind == "bind" => Some(self.host_path(&s)),
            other => other,
        };
        Ok(Volume {
            source,
            target,
            read_only,
            kind,
        })
    }

    /// A bind source as compose resolves it: `~` is HOME, relative paths are
    /// relative to the working directory.
    fn host_path(&self, s: &str) -> String {
        let path = if let Some(rest) = s.strip_prefix('~') {
            let home = self.env.get("HOME").map(String::as_str).unwrap_or("~");
            PathBuf::from(format!("{home}{rest}"))
        } else {
            self.working_dir.join(s)
        };
        clean(&path).to_string_lossy().into_owned()
    }
}

/// Lexically removes `.` and `..` components.
fn clean(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

fn union(into: &mut Vec<String>, more: Vec<String>) {
    for m in more {
        if !into.contains(&m) {
            into.push(m);
        }
    }
}

#[cfg(test)]
mod tests;
