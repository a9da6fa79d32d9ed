//! The `macaron` command.
//!
//! `macaron spec check FILE...` loads each document and prints one line per
//! file (`ok FILE VERSION N operations` or `error FILE: MESSAGE`), exiting
//! non-zero when any fails; `macaron spec routes FILE` prints the routes a
//! service built from the document would serve; `macaron token --user ID`
//! prints a token signed with the service's `macaron.yaml`.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod generate;
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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut out = std::io::stdout().lock();
    let result = match cli.command {
        Command::Spec(command) => spec::run(command, &mut out),
        Command::Token(args) => token::run(args, &mut out),
        Command::Tasks(args) => tasks::run(args, &mut out),
        Command::Generate(args) => generate::run(args, &mut out),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("macaron: {e}");
            ExitCode::from(2)
        }
    }
}
