//! [`ClusterSource`]: a live cluster or a snapshot, behind one interface.
//!
//! Callers ask for a capture ([`ClusterSource::load`]) of some kinds in a [`Scope`] and get a
//! [`ClusterData`]; the snapshot side restricts what it already holds, the live side lists each
//! kind once. Logs are the one thing read on demand ([`ClusterSource::log`]).

use std::path::Path;
use std::sync::Arc;

use crate::data::{ClusterData, LogKey, LogText};
use crate::error::Result;
use crate::kind::Kind;
use crate::live::{self, Live, LiveOptions};
pub use crate::scope::{NoProgress, Progress, Scope};

/// Where cluster objects come from.
#[derive(Clone)]
pub enum ClusterSource {
    /// A live API server, read-only.
    Live(Live),
    /// A snapshot loaded in memory.
    Snapshot(Arc<ClusterData>),
}

impl ClusterSource {
    /// Load a snapshot directory or file.
    pub fn snapshot(path: &Path) -> Result<ClusterSource> {
        Ok(ClusterSource::Snapshot(Arc::new(crate::snapshot::load(path)?)))
    }

    /// Connect to a live cluster (no request is made yet).
    pub async fn live(opts: &LiveOptions) -> Result<ClusterSource> {
        Ok(ClusterSource::Live(live::connect(opts).await?))
    }

    /// The namespace to use when the user names none: the context's for a live cluster, none
    /// (all namespaces) for a snapshot.
    pub fn default_namespace(&self) -> Option<String> {
        match self {
            ClusterSource::Live(l) => Some(l.namespace().to_string()),
            ClusterSource::Snapshot(_) => None,
        }
    }

    /// A turn of a conversation begins or ends: forget what the live cluster answered, so one
    /// turn never lists a kind twice and the next turn sees the cluster as it is then.
    pub fn new_turn(&self) {
        if let ClusterSource::Live(l) = self {
            l.memo.clear();
        }
    }

    /// One line saying what this is.
    pub fn describe(&self) -> String {
        match self {
            ClusterSource::Live(l) => format!("live cluster at {}", l.url()),
            ClusterSource::Snapshot(d) => d.info.source.clone(),
        }
    }

    /// A capture of `kinds` (all when `None`) in `scope`.
    pub async fn load(
        &self,
        kinds: Option<&[Kind]>,
        scope: &Scope,
        progress: &dyn Progress,
    ) -> Result<Arc<ClusterData>> {
        match self {
            ClusterSource::Live(l) => {
                let kinds = kinds.unwrap_or(Kind::ALL);
                // Field selectors of kinds not read change nothing: dropped, so that the memo
                // sees two such scopes as the same.
                let mut scope = scope.clone();
                scope.fields.retain(|k, _| kinds.contains(k));
                let scope = &scope;
                if let Some(data) = l.memo.recall(kinds, scope) {
                    return Ok(data);
                }
                let data = Arc::new(l.load(kinds, scope, progress).await?);
                l.memo.remember(kinds, scope, &data);
                Ok(data)
            }
            ClusterSource::Snapshot(d) => {
                if kinds.is_none()
                    && scope.namespaces.is_empty()
                    && scope.label_selector.is_none()
                    && scope.fields.is_empty()
                {
                    return Ok(Arc::clone(d));
                }
                Ok(Arc::new(d.narrowed(kinds, scope)?))
            }
        }
    }

    /// One container log: the snapshot's copy (redacted when captured), or a bounded tail from
    /// the API server, redacted here before any caller sees it.
    pub async fn log(&self, key: &LogKey, tail: Option<u32>) -> LogText {
        match self {
            ClusterSource::Live(l) => match l.logs(key, tail).await {
                LogText::Text(t) => LogText::Text(redact::redact_text(&t).into_owned()),
                LogText::Unavailable(e) => LogText::Unavailable(redact::redact_text(&e).into_owned()),
            },
            ClusterSource::Snapshot(d) => d.logs.get(key).cloned().unwrap_or_else(|| {
                LogText::Unavailable(format!(
                    "not in snapshot: no {}log of container {} of pod {}/{}",
                    if key.previous { "previous " } else { "" },
                    key.container,
                    key.namespace,
                    key.pod
                ))
            }),
        }
    }
}
