//! Logging to stderr through `tracing`, quiet by default.

use tracing_subscriber::EnvFilter;

/// Installs the subscriber: `RUST_LOG` wins; otherwise `-v` gives info, `-vv` debug. A server
/// also logs one structured line per request (`sleuth::http`) and its Slack decisions.
pub fn init(verbose: u8, server: bool) {
    let default = match (verbose, server) {
        (0, false) => "warn",
        (0, true) => "warn,sleuth::http=info,sleuth::slack=info",
        (1, _) => "info",
        _ => "debug",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        // Colour codes only for a person at a terminal, not in a log file or a collector.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .try_init();
}
