//! The agent's tools from the command line's shared flags (`ask`, `chat` and `serve`).

use std::sync::Arc;

use super::DemoParts;
use crate::cli::SourceFlags;
use crate::connect::{Demo, is_demo_index, open_index_quietly, source, uses_demo_cluster};

use super::toolbox::{Mode, ToolBox};

/// The agent's tools from the shared flags, with the index's and the cluster's notes (each
/// worth a line: demo defaults, an index built on first use, a cluster that could not be read,
/// in which case `without` says what sleuth goes on doing).
pub async fn toolbox(
    flags: &SourceFlags,
    without: &str,
    demo: Demo,
    mode: Mode,
) -> (ToolBox, Option<String>, Option<String>) {
    let (searcher, index_note) = open_index_quietly(flags.location.index.as_deref(), demo);
    let namespace = flags.namespace.clone().or_else(|| crate::config_file::get().namespace.clone());
    let (cluster, cluster_note) = match source(&flags.cluster, namespace.as_deref(), demo).await {
        Ok((c, note)) => (Some(c), note),
        Err(e) => (None, Some(format!("sleuth: {e:#}; {without}"))),
    };
    let namespace =
        namespace.or_else(|| cluster.as_ref().and_then(cluster::ClusterSource::default_namespace));
    // The answer says it is about the demo when either half of what it reads is the demo's.
    let demo = DemoParts {
        cluster: cluster.is_some() && uses_demo_cluster(&flags.cluster),
        documents: searcher.as_ref().is_some_and(is_demo_index),
    };
    (ToolBox { searcher: searcher.map(Arc::new), cluster, namespace, demo, mode }, index_note, cluster_note)
}
