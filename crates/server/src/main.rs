use clap::Parser;
use edigrid_server::cli::{Cli, run};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match run(Cli::parse()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            // One line: the outermost context and its causes.
            eprintln!("edigrid: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
