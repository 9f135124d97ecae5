use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

/// Logs to standard error; `RUST_LOG` overrides the configured filter. Colours only on a
/// terminal: a log file or collector gets plain text it can search.
pub fn init(default_filter: &str) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_filter));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr)
        .try_init();
}
