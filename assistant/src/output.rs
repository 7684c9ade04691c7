//! Terminal output helpers: colour only when stdout is a terminal and `NO_COLOR` is unset,
//! progress bars only when stderr is a terminal.

use std::io::IsTerminal;
use std::path::Path;

use indicatif::{ProgressBar, ProgressStyle};

/// Should stdout get ANSI colours?
pub fn color() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stdout().is_terminal()
}

/// A display form of a location: relative to the current directory when it is below it.
pub fn display_location(location: &str) -> String {
    let Ok(cwd) = std::env::current_dir() else {
        return location.to_string();
    };
    match Path::new(location).strip_prefix(&cwd) {
        Ok(rel) if !location.starts_with('.') => rel.display().to_string(),
        _ => location.to_string(),
    }
}

/// Names as code, in a list (`` `--dry-run`, `RetryBudget` ``): how the CLI and the agent's
/// tool text both name what no document holds.
pub fn code_list(names: &[String]) -> String {
    names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
}

/// A progress bar over `retriever`'s units, hidden when stderr is not a terminal or when
/// `quiet` is set.
pub struct Bar(ProgressBar);

impl Bar {
    /// A new, not yet started bar.
    pub fn new(quiet: bool) -> Bar {
        Bar::with_template(
            quiet,
            "{spinner} indexing [{bar:30}] {pos}/{len} files ({per_sec}, eta {eta}) {wide_msg}",
        )
    }

    /// A bar with its own indicatif template.
    pub fn with_template(quiet: bool, template: &str) -> Bar {
        let bar = if quiet || !std::io::stderr().is_terminal() {
            ProgressBar::hidden()
        } else {
            ProgressBar::new(0)
        };
        bar.set_style(ProgressStyle::with_template(template).expect("valid template").progress_chars("=> "));
        Bar(bar)
    }

    /// Remove the bar from the terminal.
    pub fn clear(&self) {
        self.0.finish_and_clear();
    }
}

impl cluster::source::Progress for Bar {
    fn begin(&self, total: u64) {
        self.0.set_length(total);
        self.0.set_position(0);
    }

    fn advance(&self, what: &str) {
        self.0.inc(1);
        self.0.set_message(what.to_string());
    }
}

impl retriever::Progress for Bar {
    fn begin(&self, total: u64) {
        self.0.set_length(total);
    }

    fn advance(&self, unit: &str) {
        self.0.inc(1);
        self.0.set_message(unit.rsplit('/').next().unwrap_or(unit).to_string());
    }

    fn finish(&self) {
        self.0.finish_and_clear();
    }
}
