//! Every flag of `sleuth`, defined once; help and errors are generated from these definitions.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use retriever::Kind;

/// sleuth — answers on-call questions from your team's docs, Terraform and cluster.
#[derive(Debug, Parser)]
#[command(name = "sleuth", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// More logging on stderr (-v info, -vv debug); RUST_LOG overrides.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Index Confluence, Notion, Terraform and Markdown exports (directories or .zip files).
    ///
    /// Re-running is incremental: unchanged files are skipped by content hash and files that
    /// disappeared from under the given paths are removed from the index.
    Index(IndexArgs),
    /// Search the index and print ranked hits.
    ///
    /// With no index yet at the default location, the bundled demo workspace is indexed first.
    Search(SearchArgs),
}

/// Where the index lives.
#[derive(Debug, Clone, Args)]
pub struct IndexLocation {
    /// Index directory [default: $SLEUTH_INDEX, else $XDG_DATA_HOME/sleuth/index].
    #[arg(long, value_name = "DIR", global = true)]
    pub index: Option<PathBuf>,
}

/// `sleuth index`
#[derive(Debug, Args)]
pub struct IndexArgs {
    /// Export directories, files or .zip archives.
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<PathBuf>,

    /// Where the index lives.
    #[command(flatten)]
    pub location: IndexLocation,

    /// Treat inputs as this kind instead of detecting it (confluence, notion, terraform, markdown).
    #[arg(long, value_name = "KIND")]
    pub kind: Option<Kind>,

    /// Skip files larger than this many megabytes (Confluence XML is streamed and exempt).
    #[arg(long, value_name = "MB", default_value_t = 100)]
    pub max_file_size: u64,

    /// Discard the existing index and build it from scratch.
    #[arg(long)]
    pub rebuild: bool,

    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,

    /// No progress bar.
    #[arg(short, long)]
    pub quiet: bool,
}

/// `sleuth search`
#[derive(Debug, Args)]
pub struct SearchArgs {
    /// A question or keywords (tantivy query syntax is understood: "exact phrase", title:checkout, -excluded).
    #[arg(value_name = "QUERY", required = true, num_args = 1..)]
    pub query: Vec<String>,

    /// Where the index lives.
    #[command(flatten)]
    pub location: IndexLocation,

    /// Only hits of this kind (confluence, notion, terraform, markdown).
    #[arg(long, value_name = "KIND")]
    pub kind: Option<Kind>,

    /// Only pages of this Confluence space (key or name).
    #[arg(long, value_name = "SPACE")]
    pub space: Vec<String>,

    /// Only rows and pages of this Notion database.
    #[arg(long, value_name = "DATABASE")]
    pub database: Vec<String>,

    /// Only Terraform objects of this module (`eks`, `module.eks`, or `root`).
    #[arg(long, value_name = "MODULE")]
    pub module: Vec<String>,

    /// Number of hits.
    #[arg(short = 'k', long = "limit", value_name = "N", default_value_t = 5)]
    pub limit: usize,

    /// Print hits as a JSON array.
    #[arg(long)]
    pub json: bool,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn flags_are_consistent() {
        Cli::command().debug_assert();
    }
}
