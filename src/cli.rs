//! Command-line definitions (clap derive only). Validation into the forms the
//! commands use happens in each command, once, before any work starts.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::schedule::Flavor;

#[derive(Parser, Debug)]
#[command(
    name = "docker ofelia",
    bin_name = "docker ofelia",
    version,
    about = "Manage Ofelia cron jobs: list, preview, check and run the jobs declared in container labels",
    disable_help_subcommand = true,
    propagate_version = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// List the Ofelia jobs declared on containers or in compose files
    Ls(LsArgs),
    /// Preview the next fire times of the selected jobs, as their scheduler computes them
    Next(NextArgs),
    /// Explain a cron expression and list its next fire times
    Explain(ExplainArgs),
    /// Check labels and compose files for mistakes Ofelia would silently ignore
    Check(CheckArgs),
    /// Create and start the Ofelia scheduler container
    Up(UpArgs),
    /// Stop and remove the scheduler containers created by docker-ofelia
    Down(DownArgs),
    /// List the scheduler containers on the engine
    Ps(PsArgs),
    /// Show the scheduler's logs
    Logs(LogsArgs),
    /// Run a job now, as the scheduler would
    Run(RunArgs),
    /// Show past runs of jobs, from the scheduler's logs
    History(HistoryArgs),
    /// Show the plugin, engine and API versions
    Version(VersionArgs),
    /// Wait until cancelled (SIGINT, SIGTERM, plugin socket closed): for tests
    #[command(name = "__wait", hide = true)]
    Wait(WaitArgs),
}

/// `--format` for commands that print a table or JSON.
#[derive(ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Format {
    #[default]
    Table,
    Json,
}

/// `--flavor`: which Ofelia will run the jobs.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlavorArg {
    /// mcuadros/ofelia 0.3.x, what the mcuadros/ofelia:latest image runs
    #[value(name = "ofelia-0.3")]
    Ofelia03,
    /// mcuadros/ofelia 0.4
    #[value(name = "ofelia-0.4")]
    Ofelia04,
    /// netresearch/ofelia
    #[value(name = "netresearch")]
    Netresearch,
}

impl From<FlavorArg> for Flavor {
    fn from(f: FlavorArg) -> Self {
        match f {
            FlavorArg::Ofelia03 => Flavor::Ofelia03,
            FlavorArg::Ofelia04 => Flavor::Ofelia04,
            FlavorArg::Netresearch => Flavor::Netresearch,
        }
    }
}

/// Which jobs: a compose project on the engine, or compose files read offline.
#[derive(Args, Debug, Clone, Default)]
pub struct SelectArgs {
    /// Project name (as docker compose -p; also COMPOSE_PROJECT_NAME)
    #[arg(short = 'p', long = "project", value_name = "NAME")]
    pub project: Option<String>,
    /// Compose configuration file, read without an engine (repeatable; later files merge over earlier ones; '-' reads stdin)
    #[arg(short = 'f', long = "file", value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

/// Overrides for the scheduler the preview assumes.
#[derive(Args, Debug, Clone, Default)]
pub struct SchedulerArgs {
    /// Cron dialect of the scheduler (default: the running scheduler's, else ofelia-0.3)
    #[arg(long, value_enum, value_name = "FLAVOR")]
    pub flavor: Option<FlavorArg>,
    /// Scheduler time zone: an IANA name or 'local' (default: the scheduler's TZ, else UTC)
    #[arg(long, value_name = "ZONE")]
    pub tz: Option<String>,
}

#[derive(Args, Debug)]
pub struct LsArgs {
    #[command(flatten)]
    pub select: SelectArgs,
    #[command(flatten)]
    pub scheduler: SchedulerArgs,
    /// Include jobs on stopped containers
    #[arg(short = 'a', long)]
    pub all: bool,
    /// Don't truncate output
    #[arg(long)]
    pub no_trunc: bool,
    /// Format output: table or json
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
    /// Only display job names
    #[arg(short = 'q', long)]
    pub quiet: bool,
}

#[derive(Args, Debug)]
pub struct NextArgs {
    #[command(flatten)]
    pub select: SelectArgs,
    #[command(flatten)]
    pub scheduler: SchedulerArgs,
    /// Only this job (repeatable)
    #[arg(long, value_name = "NAME")]
    pub job: Vec<String>,
    /// Number of fire times to show
    #[arg(short = 'n', default_value_t = 10, value_name = "N")]
    pub count: usize,
    /// Start of the preview (RFC 3339; default now)
    #[arg(long, value_name = "TIME")]
    pub from: Option<String>,
    /// End of the preview (RFC 3339)
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,
    /// Format output: table or json
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

#[derive(Args, Debug)]
pub struct ExplainArgs {
    /// The cron expression, e.g. '0 0 8 * * 1' or '@every 90m'
    #[arg(value_name = "EXPR")]
    pub expr: String,
    /// Cron dialect
    #[arg(long, value_enum, default_value = "ofelia-0.3", value_name = "FLAVOR")]
    pub flavor: FlavorArg,
    /// Time zone of the scheduler: an IANA name or 'local'
    #[arg(long, default_value = "UTC", value_name = "ZONE")]
    pub tz: String,
    /// Start instant (RFC 3339; default now). For @every, the scheduler's start
    #[arg(long, value_name = "TIME")]
    pub from: Option<String>,
    /// Number of fire times to show
    #[arg(short = 'n', default_value_t = 5, value_name = "N")]
    pub count: usize,
    /// Format output: table or json
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    #[command(flatten)]
    pub select: SelectArgs,
    /// Cron dialect to check against (default: the scheduler's)
    #[arg(long, value_enum, value_name = "FLAVOR")]
    pub flavor: Option<FlavorArg>,
    /// Format output: table or json
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
    /// Treat warnings as errors
    #[arg(long)]
    pub strict: bool,
}

/// `--pull`
#[derive(ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PullPolicy {
    #[default]
    Missing,
    Always,
    Never,
}

#[derive(Args, Debug)]
pub struct UpArgs {
    /// Detached mode: run the scheduler in the background
    #[arg(short = 'd', long)]
    pub detach: bool,
    /// Only run the jobs of this compose project
    #[arg(short = 'p', long = "project", value_name = "NAME")]
    pub project: Option<String>,
    /// Scheduler image (default: mcuadros/ofelia:latest, or the flavour's image)
    #[arg(long, value_name = "IMAGE")]
    pub image: Option<String>,
    /// Ofelia flavour of the image
    #[arg(long, value_enum, value_name = "FLAVOR")]
    pub flavor: Option<FlavorArg>,
    /// Scheduler time zone (default: the host's zone, else UTC)
    #[arg(long, value_name = "ZONE")]
    pub tz: Option<String>,
    /// Network to connect the scheduler to
    #[arg(long, value_name = "NET")]
    pub network: Option<String>,
    /// Container name (default: ofelia, or ofelia-PROJECT)
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// Pull image before running
    #[arg(long, value_enum, default_value_t, value_name = "POLICY")]
    pub pull: PullPolicy,
    /// Set environment variables (repeatable)
    #[arg(short = 'e', long = "env", value_name = "K=V")]
    pub env: Vec<String>,
    /// Set container labels (repeatable)
    #[arg(short = 'l', long = "label", value_name = "K=V")]
    pub labels: Vec<String>,
}

#[derive(Args, Debug)]
pub struct DownArgs {
    /// Only the scheduler of this project
    #[arg(short = 'p', long = "project", value_name = "NAME")]
    pub project: Option<String>,
    /// Every scheduler created by docker-ofelia
    #[arg(long, conflicts_with = "project")]
    pub all: bool,
}

#[derive(Args, Debug)]
pub struct PsArgs {
    /// Format output: table or json
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
    /// Only display container names
    #[arg(short = 'q', long)]
    pub quiet: bool,
}

#[derive(Args, Debug)]
pub struct LogsArgs {
    /// The scheduler of this project
    #[arg(short = 'p', long = "project", value_name = "NAME")]
    pub project: Option<String>,
    /// Follow log output
    #[arg(short = 'f', long)]
    pub follow: bool,
    /// Number of lines to show from the end of the logs
    #[arg(short = 'n', long, value_name = "N")]
    pub tail: Option<String>,
    /// Show logs since a timestamp (RFC 3339) or relative (e.g. 42m)
    #[arg(long, value_name = "T")]
    pub since: Option<String>,
    /// Only the lines of this job
    #[arg(long, value_name = "NAME")]
    pub job: Option<String>,
    /// Format output: table (plain lines) or json (job events)
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

#[derive(Args, Debug)]
pub struct RunArgs {
    /// The job's name (netresearch: service.name)
    #[arg(value_name = "JOB")]
    pub job: String,
    #[command(flatten)]
    pub select: SelectArgs,
    /// Print what would be run instead of running it
    #[arg(long)]
    pub dry_run: bool,
    /// Ofelia flavour to imitate: default user, job names, keys (default: the scheduler's, else ofelia-0.3)
    #[arg(long, value_enum, value_name = "FLAVOR")]
    pub flavor: Option<FlavorArg>,
}

#[derive(Args, Debug)]
pub struct HistoryArgs {
    /// The scheduler of this project
    #[arg(short = 'p', long = "project", value_name = "NAME")]
    pub project: Option<String>,
    /// Only this job
    #[arg(long, value_name = "NAME")]
    pub job: Option<String>,
    /// Number of runs to show: the newest N, oldest first
    #[arg(short = 'n', default_value_t = 20, value_name = "N")]
    pub count: usize,
    /// Format output: table or json
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

#[derive(Args, Debug)]
pub struct WaitArgs {
    /// Connect to the engine first
    #[arg(long)]
    pub engine: bool,
    /// Give up after this many seconds (exit 0)
    #[arg(long, default_value_t = 60, value_name = "SECS")]
    pub timeout: u64,
}

#[derive(Args, Debug)]
pub struct VersionArgs {
    /// Format output: table or json
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}
