//! The `sleuth` binary: parses flags and hands over to [`assistant::run`]. Kept thin so that
//! everything it does is reachable (and tested) through the library.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // kube's TLS stack needs a process-wide crypto provider; choose it once, explicitly, so a
    // second TLS user compiled in with another provider cannot make the first connection panic.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let cli = assistant::cli::Cli::parse();
    // The config file is read once, before anything else: a bad one stops sleuth with its line.
    if let Err(e) = assistant::config_file::init() {
        eprintln!("sleuth: config file {e}");
        return ExitCode::from(assistant::EXIT_BAD_INPUT);
    }
    let server = matches!(cli.command, assistant::cli::Command::Serve(_) | assistant::cli::Command::Mcp(_));
    assistant::logging::init(cli.verbose, server);
    match assistant::run(cli) {
        Ok(code) => code,
        Err(err) => {
            // A closed pipe (`sleuth search … | head`) is not an error worth a message.
            // (`--json` output fails inside serde_json, which wraps the I/O error.)
            let broken_pipe = |kind: Option<std::io::ErrorKind>| kind == Some(std::io::ErrorKind::BrokenPipe);
            if err.chain().any(|e| {
                broken_pipe(e.downcast_ref::<std::io::Error>().map(std::io::Error::kind))
                    || broken_pipe(
                        e.downcast_ref::<serde_json::Error>().and_then(serde_json::Error::io_error_kind),
                    )
            }) {
                return ExitCode::SUCCESS;
            }
            eprintln!("sleuth: {err:#}");
            ExitCode::from(assistant::EXIT_FAILURE)
        }
    }
}
