//! The errors of this crate: one enum for the layer.

use std::path::PathBuf;

use crate::kind::{Kind, UnknownKind};
use crate::selector::SelectorError;

/// Everything that can go wrong reading a cluster.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file or directory could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The path involved.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The path is not any snapshot layout sleuth knows.
    #[error("{}: not a cluster snapshot: {reason}", path.display())]
    NotASnapshot {
        /// The path given.
        path: PathBuf,
        /// What was looked for.
        reason: String,
    },
    /// No usable kubeconfig or in-cluster configuration.
    #[error("cannot configure the Kubernetes client: {0}")]
    Config(String),
    /// The API server did not answer.
    #[error("cannot reach the API server at {url}: {reason}")]
    Unreachable {
        /// The server URL from the kubeconfig.
        url: String,
        /// The transport error.
        reason: String,
    },
    /// The API server answered with an error.
    #[error("{path}: {reason}")]
    Api {
        /// The API path requested.
        path: String,
        /// HTTP status.
        code: u16,
        /// The server's message.
        reason: String,
    },
    /// The object does not exist.
    #[error("{kind} {name} not found{}", namespace.as_ref().map(|n| format!(" in namespace {n}")).unwrap_or_default())]
    NotFound {
        /// Its kind.
        kind: Kind,
        /// Its namespace.
        namespace: Option<String>,
        /// Its name.
        name: String,
    },
    /// The object is not in the capture, and the capture cannot prove it does not exist.
    #[error("{kind} {name}{} not found: {reason}", namespace.as_ref().map(|n| format!(" in namespace {n}")).unwrap_or_default())]
    Unverifiable {
        /// Its kind.
        kind: Kind,
        /// Its namespace.
        namespace: Option<String>,
        /// Its name.
        name: String,
        /// Why absence proves nothing (`cannot verify: forbidden`).
        reason: String,
    },
    /// A kind the user typed is unknown.
    #[error(transparent)]
    UnknownKind(#[from] UnknownKind),
    /// A selector does not parse.
    #[error(transparent)]
    Selector(#[from] SelectorError),
    /// A log could not be read.
    #[error("logs of {pod} ({container}): {reason}")]
    LogUnavailable {
        /// `ns/pod`.
        pod: String,
        /// Container name.
        container: String,
        /// Why.
        reason: String,
    },
    /// A request was refused by the read-only guard.
    #[error("{0}")]
    ReadOnly(String),
}

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Io { path: path.into(), source }
    }
}

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
