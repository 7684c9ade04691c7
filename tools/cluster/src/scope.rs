//! What part of a cluster to read, and how reading it reports progress: shared by the live and
//! the snapshot sides of [`crate::source::ClusterSource`].

/// What part of the cluster to read.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    /// Namespaces to read; empty means all.
    pub namespaces: Vec<String>,
    /// Label selector applied to every list (`app=web`).
    pub label_selector: Option<String>,
}

impl Scope {
    /// One namespace, or all when `None`.
    pub fn namespace(ns: Option<&str>) -> Scope {
        Scope { namespaces: ns.map(|n| vec![n.to_string()]).unwrap_or_default(), label_selector: None }
    }
}

/// Progress of a capture (a bar in the CLI, nothing in tests).
pub trait Progress: Send + Sync {
    /// `total` steps are about to run.
    fn begin(&self, total: u64);
    /// One step finished.
    fn advance(&self, what: &str);
}

/// Reports nothing.
pub struct NoProgress;

impl Progress for NoProgress {
    fn begin(&self, _: u64) {}
    fn advance(&self, _: &str) {}
}
