use clap::Parser;
use clap::error::ErrorKind;
use edigrid_server::cli::{Cli, run};

/// mimalloc: every request allocates small short-lived buffers on two worker threads, which
/// glibc's allocator served with visibly more CPU (see the README's benchmark section).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) => {
            e.exit()
        }
        Err(e) => {
            // One line, as every other failure: clap's first paragraph says what is wrong.
            let text = e.to_string();
            let reason: Vec<&str> = text
                .lines()
                .take_while(|l| !l.trim().is_empty())
                .map(str::trim)
                .collect();
            let reason = reason.join(" ");
            eprintln!(
                "edigrid: {} (see --help)",
                reason.trim_start_matches("error: ")
            );
            return std::process::ExitCode::from(2);
        }
    };
    match run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            // One line: the outermost context and its causes.
            eprintln!("edigrid: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
