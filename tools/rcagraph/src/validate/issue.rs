//! What reading a graph reports: issues with their level, code, place and sentence.

use std::fmt;

use serde::Serialize;

use crate::schema::Graph;

/// Error or warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// The document is invalid.
    Error,
    /// Analysis goes on.
    Warning,
}

/// One problem found in a document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Issue {
    /// Error or warning.
    pub level: Level,
    /// Stable code from the schema (`dangling_edge`).
    pub code: &'static str,
    /// Where: `nodes[3].change.type`, `edges[2].to`, or `line 4, column 7`.
    pub path: String,
    /// The node id, or `from→to` of the edge, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// What is wrong, as a sentence.
    pub message: String,
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.level {
            Level::Error => "error",
            Level::Warning => "warning",
        };
        write!(f, "{level}[{}] {}", self.code, self.path)?;
        if let Some(id) = &self.id {
            write!(f, " ({id})")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// A document that could not be read: every error, and the warnings found with them.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("invalid rcagraph/v1 document: {} error(s)", self.errors().count())]
pub struct Invalid {
    /// Every problem, errors first.
    pub issues: Vec<Issue>,
}

impl Invalid {
    /// The errors only.
    pub fn errors(&self) -> impl Iterator<Item = &Issue> {
        self.issues.iter().filter(|i| i.level == Level::Error)
    }
}

/// A valid document and the warnings that accompany it.
#[derive(Debug, Clone)]
pub struct Parsed {
    /// The graph.
    pub graph: Graph,
    /// Warnings (no errors: those make the document [`Invalid`]).
    pub warnings: Vec<Issue>,
}
