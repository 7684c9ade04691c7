/*!
The assistant: everything that talks to a person (and, as later issues land, to a model).
Today it carries the command-line front end of the building blocks:

- `sleuth index PATH…` builds or refreshes the local search index from exports
  ([`commands::index`]);
- `sleuth search QUERY` searches it ([`commands::search`]);
- `sleuth diagnose`, `sleuth snapshot` and `sleuth cluster …` read a live cluster or a snapshot
  through `cluster` and `analyzers` ([`commands::cluster`]);
- `sleuth explain` and `sleuth graph` explain causal graphs and build them from a cluster
  ([`commands::graph`], sharing [`graphs`] with the REPL, the agent's tools and the bot);
- `sleuth serve` is the Slack bot and the JSON API ([`serve`]).

Flags are defined once, in [`cli`], and `--help` is generated from them. Where the index lives
and where the bundled demo workspace is are decided in [`config`]; with no index yet, search
builds one from the demo workspace so that a fresh checkout answers questions at once.
*/

pub mod agent;
pub mod cli;
pub mod commands;
pub mod config;
pub mod config_file;
pub mod connect;
pub mod graphs;
pub mod logging;
pub mod mcp;
pub mod model;
pub mod output;
pub mod repl;
pub mod scripts;
pub mod serve;

use std::process::ExitCode;

/// Exit code for a failure of the command itself.
pub const EXIT_FAILURE: u8 = 1;
/// Exit code when the input was unusable (nothing could be indexed, an incompatible index).
pub const EXIT_BAD_INPUT: u8 = 2;

/// Runs a parsed command line.
pub fn run(cli: cli::Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        cli::Command::Index(args) => commands::index::run(&args, cli.verbose > 0),
        cli::Command::Search(args) => commands::search::run(&args),
        cli::Command::Diagnose(args) => commands::cluster::diagnose(&args),
        cli::Command::Snapshot(args) => commands::cluster::snapshot(&args),
        cli::Command::Cluster(cmd) => commands::cluster::cluster(&cmd),
        cli::Command::Ask(args) => commands::ask::run(&args),
        cli::Command::Chat(args) => repl::run(&args),
        cli::Command::Explain(args) => commands::graph::explain(&args),
        cli::Command::Graph(args) => commands::graph::graph(&args),
        cli::Command::Changes(args) => commands::changes::changes(&args),
        cli::Command::Serve(args) => serve::run(&args),
        cli::Command::Mcp(args) => mcp::run(&args),
        cli::Command::Config(args) => commands::config::run(&args),
    }
}
