//! The agent's tools from the command line's shared flags (`ask`, `chat` and `serve`).

use std::sync::Arc;

use crate::cli::AgentFlags;
use crate::connect::{open_index_quietly, source};

use super::toolbox::ToolBox;

/// The agent's tools from the shared flags, with the index's and the cluster's notes (each
/// worth a line: demo defaults, an index built on first use, a cluster that could not be read,
/// in which case `without` says what sleuth goes on doing).
pub async fn toolbox(flags: &AgentFlags, without: &str) -> (ToolBox, Option<String>, Option<String>) {
    let (searcher, index_note) = open_index_quietly(flags.location.index.as_deref());
    let (cluster, cluster_note) = match source(&flags.cluster, flags.namespace.as_deref()).await {
        Ok((c, note)) => (Some(c), note),
        Err(e) => (None, Some(format!("sleuth: {e:#}; {without}"))),
    };
    let namespace = flags
        .namespace
        .clone()
        .or_else(|| cluster.as_ref().and_then(cluster::ClusterSource::default_namespace));
    (ToolBox { searcher: searcher.map(Arc::new), cluster, namespace }, index_note, cluster_note)
}
