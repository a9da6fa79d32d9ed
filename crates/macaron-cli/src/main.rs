//! The `macaron` command.
//!
//! `macaron spec check FILE...` loads each document and prints one line per
//! file (`ok FILE VERSION N operations` or `error FILE: MESSAGE`), exiting
//! non-zero when any fails; `macaron spec routes FILE` prints the routes a
//! service built from the document would serve; `macaron token --user ID`
//! prints a token signed with the service's `macaron.yaml`; `macaron new
//! NAME` scaffolds a service; `macaron test` runs its acceptance tests
//! against a running instance; `macaron docker` packages it as an image.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod acceptance;
mod deploy;
mod docker;
mod folder_config;
mod generate;
mod new;
mod spec;
mod tasks;
mod token;

/// Macaron: OpenAPI-first microservices in Rust.
#[derive(Parser)]
#[command(name = "macaron", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Work with OpenAPI documents.
    #[command(subcommand)]
    Spec(spec::SpecCommand),
    /// Write the Rust code of a spec (API objects, bindings) to a folder.
    Generate(generate::GenerateArgs),
    /// Print a JWT for a user, signed with the service's configuration.
    Token(token::TokenArgs),
    /// Show a service's background-task queue: depth and failed tasks.
    Tasks(tasks::TasksArgs),
    /// Start a new service from the templates: it builds, runs and passes its tests.
    New(new::NewArgs),
    /// Run the service's acceptance tests against a running instance.
    Test(acceptance::TestArgs),
    /// Deploy a commit, stage after stage, tested at each (local, container, kubernetes, cloud-run).
    Deploy(deploy::DeployArgs),
    /// Run a service and start it again when it dies (what `macaron deploy` runs on this host).
    #[command(hide = true)]
    Supervise(deploy::supervise::SuperviseArgs),
    /// Package the service as a container image.
    #[command(subcommand)]
    Docker(docker::DockerCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut out = std::io::stdout().lock();
    let result = match cli.command {
        Command::Spec(command) => spec::run(command, &mut out),
        Command::Token(args) => token::run(args, &mut out),
        Command::Tasks(args) => tasks::run(args, &mut out),
        Command::Generate(args) => generate::run(args, &mut out),
        Command::New(args) => new::run(args, &mut out),
        Command::Test(args) => acceptance::run(args, &mut out),
        Command::Docker(command) => docker::run(command, &mut out),
        Command::Deploy(args) => deploy::run(args, &mut out),
        Command::Supervise(args) => Ok(deploy::supervise::run(args)),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("macaron: {e}");
            ExitCode::from(2)
        }
    }
}
