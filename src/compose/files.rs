//! The I/O side of compose: which files, their contents, `.env` and stdin,
//! chosen exactly as docker compose (compose-go) chooses them.

use std::collections::BTreeMap;
use std::io::{ErrorKind, Read};
use std::path::{Path, PathBuf};

use super::{load, Input, Project};
use crate::error::{Error, Result};

/// Names searched in each directory, first match wins.
const FILE_NAMES: [&str; 4] = [
    "compose.yaml",
    "compose.yml",
    "docker-compose.yml",
    "docker-compose.yaml",
];
/// Override files, first match wins (compose-go's order).
const OVERRIDE_NAMES: [&str; 4] = [
    "compose.override.yml",
    "compose.override.yaml",
    "docker-compose.override.yml",
    "docker-compose.override.yaml",
];

/// The path under which stdin (`-f -`) appears in messages and labels.
pub const STDIN_NAME: &str = "<stdin>";

/// The compose files of the project in `cwd` or its nearest parent that has
/// one (plus its override file), or `None`.
pub fn find_compose_files(cwd: &Path) -> Option<Vec<PathBuf>> {
    discover(cwd).map(|(files, _)| files)
}

/// Discovery with compose's warnings about several candidates.
fn discover(cwd: &Path) -> Option<(Vec<PathBuf>, Vec<String>)> {
    let mut warnings = Vec::new();
    for dir in cwd.ancestors() {
        let found = existing(dir, &FILE_NAMES);
        let Some(winner) = found.first().cloned() else {
            continue;
        };
        if found.len() > 1 {
            warnings.push(several(&found));
        }
        let mut files = vec![winner];
        let overrides = existing(dir, &OVERRIDE_NAMES);
        if overrides.len() > 1 {
            warnings.push(several(&overrides));
        }
        files.extend(overrides.into_iter().next());
        return Some((files, warnings));
    }
    None
}

fn existing(dir: &Path, names: &[&str]) -> Vec<PathBuf> {
    names
        .iter()
        .map(|n| dir.join(n))
        .filter(|p| p.is_file())
        .collect()
}

fn several(found: &[PathBuf]) -> String {
    let names: Vec<String> = found.iter().map(|p| p.display().to_string()).collect();
    format!(
        "Found multiple config files with supported names: {}; using {}",
        names.join(", "),
        names[0]
    )
}

/// Which files compose would read: `-f` (relative to `cwd`; `-` is stdin),
/// else `COMPOSE_FILE` split on `COMPOSE_PATH_SEPARATOR` (default `:`), else
/// discovery. Paths come back absolute.
pub fn select_files(
    files: &[PathBuf],
    cwd: &Path,
    env: &BTreeMap<String, String>,
) -> Result<(Vec<PathBuf>, Vec<String>)> {
    let abs = |p: &Path| {
        if p == Path::new("-") || p.is_absolute() {
            p.to_path_buf()
        } else {
            cwd.join(p)
        }
    };
    if !files.is_empty() {
        return Ok((files.iter().map(|p| abs(p)).collect(), Vec::new()));
    }
    if let Some(list) = env.get("COMPOSE_FILE").filter(|s| !s.is_empty()) {
        let sep = env
            .get("COMPOSE_PATH_SEPARATOR")
            .filter(|s| !s.is_empty())
            .map_or(":", String::as_str);
        let paths = list
            .split(sep)
            .filter(|s| !s.is_empty())
            .map(|s| abs(Path::new(s)))
            .collect();
        return Ok((paths, Vec::new()));
    }
    discover(cwd).ok_or_else(|| Error::Compose("no configuration file provided: not found".into()))
}

/// Reads and loads the project: `files` are the `-f` values (empty for
/// `COMPOSE_FILE` or discovery), `env` the OS environment.
pub fn load_project(
    files: &[PathBuf],
    project_override: Option<&str>,
    cwd: &Path,
    env: &BTreeMap<String, String>,
    mut stdin: impl Read,
) -> Result<Project> {
    // Without -f, a `.env` in the current directory may set COMPOSE_FILE and
    // COMPOSE_PATH_SEPARATOR (the OS environment still wins), as in compose v2.
    let selection_env = if files.is_empty() {
        cwd_dotenv(cwd, env)?
    } else {
        None
    };
    let (paths, mut warnings) = select_files(files, cwd, selection_env.as_ref().unwrap_or(env))?;
    let mut contents: Vec<(PathBuf, String)> = Vec::with_capacity(paths.len());
    let mut stdin_text: Option<String> = None;
    for path in &paths {
        if path == Path::new("-") {
            let text = match &stdin_text {
                Some(t) => t.clone(),
                None => {
                    let mut t = String::new();
                    stdin
                        .read_to_string(&mut t)
                        .map_err(|e| Error::Compose(format!("read stdin: {e}")))?;
                    stdin_text = Some(t.clone());
                    t
                }
            };
            contents.push((PathBuf::from(STDIN_NAME), text));
        } else {
            contents.push((path.clone(), read(path)?));
        }
    }
    // The working directory: the first file's directory (cwd for stdin).
    let working_dir = match paths.first() {
        Some(p) if p != Path::new("-") => p.parent().map_or(cwd.to_path_buf(), Path::to_path_buf),
        _ => cwd.to_path_buf(),
    };
    let dotenv_path = working_dir.join(".env");
    let dotenv = match std::fs::read_to_string(&dotenv_path) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == ErrorKind::NotFound => None,
        Err(e) => return Err(open_error(&dotenv_path, &e)),
    };
    let input = Input {
        files: contents
            .iter()
            .map(|(p, t)| (p.clone(), t.as_str()))
            .collect(),
        env,
        dotenv: dotenv.as_deref(),
        working_dir,
        project_override,
    };
    let mut project = load(&input).map_err(|mut e| {
        // Messages name files as the user sees them, relative to cwd.
        if let Some(f) = &e.file {
            e.file = Some(PathBuf::from(display_path(f, cwd)));
        }
        Error::from(e)
    })?;
    warnings.append(&mut project.warnings);
    project.warnings = warnings;
    Ok(project)
}

/// The OS environment over `cwd/.env`, when that file exists.
fn cwd_dotenv(
    cwd: &Path,
    env: &BTreeMap<String, String>,
) -> Result<Option<BTreeMap<String, String>>> {
    let path = cwd.join(".env");
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(open_error(&path, &e)),
    };
    let mut merged = super::dotenv::parse(&text, env).map_err(|(line, reason)| {
        Error::Compose(format!("{}:{line}: {reason}", display_path(&path, cwd)))
    })?;
    merged.extend(env.iter().map(|(k, v)| (k.clone(), v.clone())));
    Ok(Some(merged))
}

fn read(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).map_err(|e| open_error(path, &e))?;
    String::from_utf8(bytes)
        .map_err(|_| Error::Compose(format!("{}: file is not valid UTF-8", path.display())))
}

/// Go's wording for a failed open: `open /x/compose.yml: no such file or directory`.
fn open_error(path: &Path, e: &std::io::Error) -> Error {
    let reason = match e.kind() {
        ErrorKind::NotFound => "no such file or directory".to_string(),
        ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ if path.is_dir() => "is a directory".to_string(),
        _ => e.to_string(),
    };
    Error::Compose(format!("open {}: {reason}", path.display()))
}

/// A path relative to `cwd` when it lies under it (`compose.yml`), else as is.
pub fn display_path(path: &Path, cwd: &Path) -> String {
    path.strip_prefix(cwd)
        .ok()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(path)
        .display()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    const SVC: &str = "services:\n  app:\n    image: alpine\n";

    #[test]
    fn discovery_searches_parents_and_takes_the_override() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("Proj.Dir");
        let sub = root.join("a/b");
        fs::create_dir_all(&sub).unwrap();
        fs::write(root.join("docker-compose.yml"), SVC).unwrap();
        fs::write(root.join("compose.yaml"), SVC).unwrap();
        fs::write(
            root.join("docker-compose.override.yml"),
            "services:\n  app:\n    labels: [a=b]\n",
        )
        .unwrap();
        let files = find_compose_files(&sub).unwrap();
        assert_eq!(
            files,
            vec![
                root.join("compose.yaml"),
                root.join("docker-compose.override.yml")
            ]
        );
        let p = load_project(&[], None, &sub, &env(&[]), std::io::empty()).unwrap();
        assert_eq!(p.name, "projdir");
        assert_eq!(p.working_dir, root);
        assert_eq!(p.services[0].labels[0].key, "a");
        assert!(
            p.warnings[0].contains("Found multiple config files"),
            "{:?}",
            p.warnings
        );
    }

    #[test]
    fn nothing_found() {
        let dir = tempfile::tempdir().unwrap();
        let e = load_project(&[], None, dir.path(), &env(&[]), std::io::empty()).unwrap_err();
        // A parent of the temp dir could hold a compose file; only check the wording then.
        if find_compose_files(dir.path()).is_none() {
            assert_eq!(e.to_string(), "no configuration file provided: not found");
        }
    }

    #[test]
    fn missing_file_in_go_words() {
        let dir = tempfile::tempdir().unwrap();
        let e = load_project(
            &[PathBuf::from("nope.yml")],
            None,
            dir.path(),
            &env(&[]),
            std::io::empty(),
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            format!(
                "open {}: no such file or directory",
                dir.path().join("nope.yml").display()
            )
        );
    }

    #[test]
    fn compose_file_variable_and_dotenv() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        fs::write(d.join("one.yml"), SVC).unwrap();
        fs::write(
            d.join("two.yml"),
            "services:\n  app:\n    image: ${IMG}\n    labels:\n      - x=${FROM_ENV}\n",
        )
        .unwrap();
        fs::write(
            d.join(".env"),
            "IMG=busybox\nFROM_ENV=dotenv\nCOMPOSE_PROJECT_NAME=fromdotenv\n",
        )
        .unwrap();
        let e = env(&[
            ("COMPOSE_FILE", "one.yml;two.yml"),
            ("COMPOSE_PATH_SEPARATOR", ";"),
            ("FROM_ENV", "os"),
        ]);
        let p = load_project(&[], None, d, &e, std::io::empty()).unwrap();
        assert_eq!(p.name, "fromdotenv");
        assert_eq!(p.files, vec![d.join("one.yml"), d.join("two.yml")]);
        let app = &p.services[0];
        assert_eq!(app.image.as_deref(), Some("busybox"));
        assert_eq!(app.labels[0].value, "os");
        assert_eq!(app.labels[0].file, d.join("two.yml"));
    }

    #[test]
    fn stdin_and_relative_error_paths() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let p = load_project(
            &[PathBuf::from("-")],
            Some("viastdin"),
            d,
            &env(&[]),
            SVC.as_bytes(),
        )
        .unwrap();
        assert_eq!(p.services[0].file, PathBuf::from(STDIN_NAME));
        assert_eq!(p.working_dir, d);

        fs::write(
            d.join("compose.yml"),
            "services:\n  app:\n    image: a: b\n",
        )
        .unwrap();
        let e = load_project(&[], None, d, &env(&[]), std::io::empty()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "compose.yml:3: mapping values are not allowed in this context"
        );
    }

    #[test]
    fn compose_file_from_dotenv_in_cwd() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        fs::create_dir(d.join("deploy")).unwrap();
        fs::write(d.join("deploy/stack.yml"), SVC).unwrap();
        fs::write(d.join(".env"), "COMPOSE_FILE=deploy/stack.yml\n").unwrap();
        let p = load_project(&[], None, d, &env(&[]), std::io::empty()).unwrap();
        assert_eq!(p.files, vec![d.join("deploy/stack.yml")]);
        assert_eq!(p.name, "deploy");
        // the OS environment wins
        fs::write(d.join("other.yml"), SVC).unwrap();
        let e = env(&[("COMPOSE_FILE", "other.yml")]);
        let p = load_project(&[], None, d, &e, std::io::empty()).unwrap();
        assert_eq!(p.files, vec![d.join("other.yml")]);
    }
}
