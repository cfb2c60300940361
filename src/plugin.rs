//! The Docker CLI plugin protocol: the metadata handshake, docker's global
//! flags in front of the word `ofelia`, `help`/`__complete` forms, and
//! cancellation through the plugin socket and signals.

use std::ffi::{OsStr, OsString};
use std::path::PathBuf;

use tokio_util::sync::CancellationToken;

use crate::error::{Error, Result};

/// The word docker uses for this plugin (`docker ofelia …`).
pub const PLUGIN_NAME: &str = "ofelia";

/// The handshake command docker runs before every `docker ofelia …`.
pub const METADATA_COMMAND: &str = "docker-cli-plugin-metadata";

/// The metadata JSON, built at compile time: the handshake does no work at all.
pub const METADATA: &str = concat!(
    r#"{"SchemaVersion":"0.1.0","Vendor":"docker-ofelia","Version":""#,
    env!("CARGO_PKG_VERSION"),
    r#"","ShortDescription":"Manage Ofelia cron jobs","URL":"https://github.com/docker-ofelia/docker-ofelia"}"#
);

/// Docker's global flags, as given before the word `ofelia`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GlobalOpts {
    pub config: Option<PathBuf>,
    pub context: Option<String>,
    pub hosts: Vec<String>,
    pub log_level: Option<String>,
    pub debug: bool,
    pub tls: bool,
    pub tlsverify: Option<bool>,
    pub tlscacert: Option<PathBuf>,
    pub tlscert: Option<PathBuf>,
    pub tlskey: Option<PathBuf>,
}

/// What the process was asked to do, once docker's own parts are taken off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invocation {
    /// Run a subcommand: `args` is what clap parses (program name first).
    Run {
        globals: GlobalOpts,
        args: Vec<OsString>,
    },
    /// `docker __complete ofelia …`: print completions for these words.
    Complete { words: Vec<String> },
    /// `docker-ofelia --version` / `-v`.
    Version,
}

/// Value-taking global flags: (long, short).
const VALUE_FLAGS: &[(&str, Option<char>)] = &[
    ("config", None),
    ("context", Some('c')),
    ("host", Some('H')),
    ("log-level", Some('l')),
    ("tlscacert", None),
    ("tlscert", None),
    ("tlskey", None),
];

/// Boolean global flags: (long, short).
const BOOL_FLAGS: &[(&str, Option<char>)] =
    &[("debug", Some('D')), ("tls", None), ("tlsverify", None)];

fn parse_bool(flag: &str, v: &str) -> Result<bool> {
    match v {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Ok(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Ok(false),
        _ => Err(Error::usage(format!(
            "invalid argument \"{v}\" for \"--{flag}\" flag: strconv.ParseBool: parsing \"{v}\": invalid syntax"
        ))),
    }
}

impl GlobalOpts {
    fn set_value(&mut self, long: &str, value: String) {
        match long {
            "config" => self.config = Some(PathBuf::from(value)),
            "context" => self.context = Some(value),
            "host" => self.hosts.push(value),
            "log-level" => self.log_level = Some(value),
            "tlscacert" => self.tlscacert = Some(PathBuf::from(value)),
            "tlscert" => self.tlscert = Some(PathBuf::from(value)),
            "tlskey" => self.tlskey = Some(PathBuf::from(value)),
            _ => {}
        }
    }

    fn set_bool(&mut self, long: &str, value: bool) {
        match long {
            "debug" => self.debug = value,
            "tls" => self.tls = value,
            "tlsverify" => self.tlsverify = Some(value),
            _ => {}
        }
    }
}

/// Splits the process arguments into docker's global flags and the plugin's
/// own command line. Handles `docker ofelia …` (argv[1] is `ofelia` or a
/// global flag), `docker help ofelia …`, `docker __complete ofelia …` and the
/// standalone `docker-ofelia …`.
pub fn parse_invocation(argv: Vec<OsString>) -> Result<Invocation> {
    let mut it = argv.into_iter();
    let program = it.next().unwrap_or_else(|| OsString::from("docker-ofelia"));
    let rest: Vec<OsString> = it.collect();
    let mut globals = GlobalOpts::default();
    let mut i = 0;
    while i < rest.len() {
        let Some(arg) = rest[i].to_str() else { break };
        if arg == "--" {
            i += 1;
            break;
        }
        if let Some(body) = arg.strip_prefix("--") {
            let (name, inline) = match body.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (body, None),
            };
            if let Some((long, _)) = VALUE_FLAGS.iter().find(|(l, _)| *l == name) {
                let value = match inline {
                    Some(v) => v,
                    None => {
                        i += 1;
                        take_value(&rest, i, long)?
                    }
                };
                globals.set_value(long, value);
            } else if let Some((long, _)) = BOOL_FLAGS.iter().find(|(l, _)| *l == name) {
                let v = match inline {
                    Some(v) => parse_bool(long, &v)?,
                    None => true,
                };
                globals.set_bool(long, v);
            } else if name == "help" {
                return Ok(Invocation::Run {
                    globals,
                    args: vec![program, OsString::from("--help")],
                });
            } else if name == "version" {
                return Ok(Invocation::Version);
            } else {
                return Err(Error::usage(format!("unknown flag: --{name}")));
            }
            i += 1;
            continue;
        }
        if let Some(shorts) = arg.strip_prefix('-').filter(|s| !s.is_empty()) {
            let chars: Vec<char> = shorts.chars().collect();
            let mut j = 0;
            while j < chars.len() {
                let c = chars[j];
                if let Some((long, _)) = VALUE_FLAGS.iter().find(|(_, s)| *s == Some(c)) {
                    let attached: String = chars[j + 1..].iter().collect();
                    let value = if !attached.is_empty() {
                        attached
                            .strip_prefix('=')
                            .map(str::to_string)
                            .unwrap_or(attached)
                    } else {
                        i += 1;
                        take_value(&rest, i, long)?
                    };
                    globals.set_value(long, value);
                    break;
                } else if let Some((long, _)) = BOOL_FLAGS.iter().find(|(_, s)| *s == Some(c)) {
                    globals.set_bool(long, true);
                } else if c == 'h' {
                    return Ok(Invocation::Run {
                        globals,
                        args: vec![program, OsString::from("--help")],
                    });
                } else if c == 'v' {
                    return Ok(Invocation::Version);
                } else {
                    return Err(Error::usage(format!(
                        "unknown shorthand flag: '{c}' in -{shorts}"
                    )));
                }
                j += 1;
            }
            i += 1;
            continue;
        }
        break;
    }
    let mut tail: Vec<OsString> = rest[i..].to_vec();
    match tail.first().and_then(|a| a.to_str()) {
        Some(PLUGIN_NAME) => {
            tail.remove(0);
        }
        Some("help") => {
            // `docker help ofelia [sub…]` → `[sub…] --help`
            tail.remove(0);
            if tail.first().map(OsString::as_os_str) == Some(OsStr::new(PLUGIN_NAME)) {
                tail.remove(0);
            }
            tail.push(OsString::from("--help"));
        }
        Some("__complete") | Some("__completeNoDesc") => {
            tail.remove(0);
            if tail.first().map(OsString::as_os_str) == Some(OsStr::new(PLUGIN_NAME)) {
                tail.remove(0);
            }
            let words = tail
                .iter()
                .map(|w| w.to_string_lossy().into_owned())
                .collect();
            return Ok(Invocation::Complete { words });
        }
        _ => {}
    }
    // `docker ofelia help [sub]` behaves like `--help` too.
    if tail.first().and_then(|a| a.to_str()) == Some("help") {
        tail.remove(0);
        tail.push(OsString::from("--help"));
    }
    let mut args = Vec::with_capacity(tail.len() + 1);
    args.push(program);
    args.extend(tail);
    Ok(Invocation::Run { globals, args })
}

fn take_value(rest: &[OsString], i: usize, long: &str) -> Result<String> {
    rest.get(i)
        .map(|v| v.to_string_lossy().into_owned())
        .ok_or_else(|| Error::usage(format!("flag needs an argument: --{long}")))
}

/// Connects to `DOCKER_CLI_PLUGIN_SOCKET` when docker set it, and cancels
/// `token` when docker closes it (docker does so on SIGINT/SIGTERM when no
/// terminal is attached). Also cancels on SIGINT and SIGTERM.
pub fn watch_cancellation(token: CancellationToken) {
    if let Some(addr) = std::env::var_os("DOCKER_CLI_PLUGIN_SOCKET") {
        match connect_plugin_socket(&addr.to_string_lossy()) {
            Ok(stream) => {
                let token = token.clone();
                tokio::spawn(async move {
                    use tokio::io::AsyncReadExt;
                    let mut stream = stream;
                    let mut buf = [0u8; 64];
                    loop {
                        match stream.read(&mut buf).await {
                            Ok(0) | Err(_) => break,
                            Ok(_) => continue,
                        }
                    }
                    token.cancel();
                });
            }
            Err(e) => {
                if std::env::var_os("DOCKER_OFELIA_DEBUG").is_some() {
                    eprintln!(
                        "docker-ofelia: plugin socket {}: {e}",
                        addr.to_string_lossy()
                    );
                }
            }
        }
    }
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        for kind in [SignalKind::interrupt(), SignalKind::terminate()] {
            if let Ok(mut sig) = signal(kind) {
                let token = token.clone();
                tokio::spawn(async move {
                    if sig.recv().await.is_some() {
                        token.cancel();
                    }
                });
            }
        }
    }
}

#[cfg(target_os = "linux")]
fn connect_plugin_socket(addr: &str) -> std::io::Result<tokio::net::UnixStream> {
    use std::os::linux::net::SocketAddrExt;
    use std::os::unix::net::{SocketAddr, UnixStream};
    let std_stream = match addr.strip_prefix('@') {
        Some(name) => UnixStream::connect_addr(&SocketAddr::from_abstract_name(name.as_bytes())?)?,
        None => UnixStream::connect(addr)?,
    };
    std_stream.set_nonblocking(true)?;
    tokio::net::UnixStream::from_std(std_stream)
}

#[cfg(all(unix, not(target_os = "linux")))]
fn connect_plugin_socket(addr: &str) -> std::io::Result<tokio::net::UnixStream> {
    let std_stream = std::os::unix::net::UnixStream::connect(addr)?;
    std_stream.set_nonblocking(true)?;
    tokio::net::UnixStream::from_std(std_stream)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inv(args: &[&str]) -> Invocation {
        let argv = std::iter::once("docker-ofelia")
            .chain(args.iter().copied())
            .map(OsString::from)
            .collect();
        parse_invocation(argv).expect("parses")
    }

    fn run(args: &[&str]) -> (GlobalOpts, Vec<String>) {
        match inv(args) {
            Invocation::Run { globals, args } => (
                globals,
                args.into_iter()
                    .skip(1)
                    .map(|a| a.to_string_lossy().into_owned())
                    .collect(),
            ),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn metadata_is_valid_json_with_required_fields() {
        let v: serde_json::Value = serde_json::from_str(METADATA).expect("json");
        assert_eq!(v["SchemaVersion"], "0.1.0");
        assert_eq!(v["Vendor"], "docker-ofelia");
        assert_eq!(v["Version"], env!("CARGO_PKG_VERSION"));
    }

    #[test]
    fn every_global_flag_form() {
        let (g, rest) = run(&["--context=a", "ofelia", "ls"]);
        assert_eq!(
            (g.context.as_deref(), rest),
            (Some("a"), vec!["ls".to_string()])
        );
        let (g, _) = run(&["--context", "b", "ofelia", "ls"]);
        assert_eq!(g.context.as_deref(), Some("b"));
        let (g, _) = run(&["-c", "c", "ofelia"]);
        assert_eq!(g.context.as_deref(), Some("c"));
        let (g, _) = run(&["-cd", "ofelia"]);
        assert_eq!(g.context.as_deref(), Some("d"));
        let (g, _) = run(&["-c=e", "ofelia"]);
        assert_eq!(g.context.as_deref(), Some("e"));
        let (g, _) = run(&[
            "-H",
            "unix:///a.sock",
            "--host=tcp://h:1",
            "-Hunix:///b",
            "ofelia",
        ]);
        assert_eq!(g.hosts, vec!["unix:///a.sock", "tcp://h:1", "unix:///b"]);
        let (g, _) = run(&["--config", "/cfg", "-l", "debug", "-D", "ofelia", "version"]);
        assert_eq!(g.config, Some(PathBuf::from("/cfg")));
        assert_eq!(g.log_level.as_deref(), Some("debug"));
        assert!(g.debug);
        let (g, _) = run(&["--log-level=warn", "--tls", "--tlsverify=false", "ofelia"]);
        assert!(g.tls);
        assert_eq!(g.tlsverify, Some(false));
        let (g, _) = run(&[
            "--tlsverify",
            "--tlscacert",
            "/ca",
            "--tlscert=/c",
            "--tlskey",
            "/k",
            "ofelia",
        ]);
        assert_eq!(g.tlsverify, Some(true));
        assert_eq!(g.tlscacert, Some(PathBuf::from("/ca")));
        assert_eq!(g.tlscert, Some(PathBuf::from("/c")));
        assert_eq!(g.tlskey, Some(PathBuf::from("/k")));
        let (g, _) = run(&["-Dl", "info", "ofelia"]);
        assert!(g.debug);
        assert_eq!(g.log_level.as_deref(), Some("info"));
    }

    #[test]
    fn flags_after_ofelia_belong_to_the_plugin() {
        let (g, rest) = run(&["ofelia", "ls", "-p", "x", "--context", "y"]);
        assert_eq!(g, GlobalOpts::default());
        assert_eq!(rest, vec!["ls", "-p", "x", "--context", "y"]);
    }

    #[test]
    fn help_forms() {
        assert_eq!(run(&["help", "ofelia", "ls"]).1, vec!["ls", "--help"]);
        assert_eq!(run(&["help", "ofelia"]).1, vec!["--help"]);
        assert_eq!(run(&["ofelia", "help", "next"]).1, vec!["next", "--help"]);
        assert_eq!(run(&["ofelia", "--help"]).1, vec!["--help"]);
    }

    #[test]
    fn standalone() {
        assert_eq!(run(&["ls", "-a"]).1, vec!["ls", "-a"]);
        let (g, rest) = run(&["-H", "unix:///x", "ls"]);
        assert_eq!(g.hosts, vec!["unix:///x"]);
        assert_eq!(rest, vec!["ls"]);
    }

    #[test]
    fn completion() {
        assert_eq!(
            inv(&["__complete", "ofelia", "l"]),
            Invocation::Complete {
                words: vec!["l".into()]
            }
        );
    }

    #[test]
    fn bad_global_flags_are_usage_errors() {
        let argv = |a: &[&str]| {
            std::iter::once("d")
                .chain(a.iter().copied())
                .map(OsString::from)
                .collect()
        };
        assert!(
            matches!(parse_invocation(argv(&["--bogus", "ofelia"])), Err(Error::Usage(m)) if m == "unknown flag: --bogus")
        );
        assert!(matches!(
            parse_invocation(argv(&["--context"])),
            Err(Error::Usage(_))
        ));
        assert!(matches!(
            parse_invocation(argv(&["--tlsverify=maybe", "ofelia"])),
            Err(Error::Usage(_))
        ));
    }
}
