//! Errors: [`Error`] for what stops an operation, [`InputError`] for one bad input file that
//! indexing reports, skips, and moves past.

use std::fmt;
use std::path::PathBuf;

use serde::Serialize;

/// Everything that can stop indexing or searching as a whole.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file or directory of the index itself could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The path that failed.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// tantivy refused an operation on the index.
    #[error("index at {path}: {source}")]
    Tantivy {
        /// The index directory.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: tantivy::TantivyError,
    },
    /// The index on disk was written by an incompatible version of sleuth.
    #[error(
        "index at {path} uses schema version {found}, but this sleuth reads version {expected}; \
         rebuild it with `sleuth index --rebuild PATH…`"
    )]
    IncompatibleSchema {
        /// The index directory.
        path: PathBuf,
        /// Version recorded in the index.
        found: u32,
        /// Version this build reads and writes.
        expected: u32,
    },
    /// The index's manifest is unreadable.
    #[error("index manifest {path} is corrupt ({reason}); rebuild it with `sleuth index --rebuild PATH…`")]
    CorruptManifest {
        /// The manifest file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// Nothing has been indexed at that location yet.
    #[error("no index at {0}; build one with `sleuth index PATH…`")]
    NoIndex(PathBuf),
    /// A directory exists at the index location but is not a sleuth index.
    #[error("{0} exists but is not a sleuth index; choose another --index directory")]
    NotAnIndex(PathBuf),
    /// A query that only leaves words out (`-backup`): it has nothing to rank by.
    #[error("the query {0:?} only leaves words out; add a word to look for")]
    OnlyExcluded(String),
    /// An input path given on the command line does not exist.
    #[error("{0}: no such file or directory")]
    MissingInput(PathBuf),
}

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io { path: path.into(), source }
    }

    pub(crate) fn tantivy(path: impl Into<PathBuf>, source: tantivy::TantivyError) -> Self {
        Error::Tantivy { path: path.into(), source }
    }
}

/// One input that could not be indexed, and why. Rendered as `path:line: reason`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InputError {
    /// The file (with `archive.zip!/entry` inside archives).
    pub path: String,
    /// 1-based line, when the reader knows it.
    pub line: Option<usize>,
    /// A one-line reason.
    pub reason: String,
}

impl InputError {
    /// An error about `path` as a whole.
    pub fn new(path: impl Into<String>, reason: impl Into<String>) -> Self {
        InputError { path: path.into(), line: None, reason: one_line(&reason.into()) }
    }

    /// An error at a line of `path`.
    pub fn at(path: impl Into<String>, line: usize, reason: impl Into<String>) -> Self {
        InputError { line: Some(line), ..InputError::new(path, reason) }
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.path, self.reason),
            None => write!(f, "{}: {}", self.path, self.reason),
        }
    }
}

/// Parser messages can span lines (hcl-rs draws a caret diagram); the summary wants one.
fn one_line(reason: &str) -> String {
    let mut out = String::with_capacity(reason.len());
    for part in reason.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('|')) {
        if !out.is_empty() {
            out.push_str("; ");
        }
        out.push_str(part);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_are_folded_to_one_line() {
        let e = InputError::at("main.tf", 3, "expected `=`\n  |\n3 | a b\n  |   ^\n");
        assert_eq!(e.to_string(), "main.tf:3: expected `=`; 3 | a b");
    }
}
