//! `docker-ofelia`: a Docker CLI plugin for the Ofelia cron scheduler.
//!
//! The entry point stays thin: everything lives in the library so that the
//! integration tests and benchmarks exercise the same code.

fn main() -> std::process::ExitCode {
    docker_ofelia::main_entry(std::env::args_os().collect())
}
