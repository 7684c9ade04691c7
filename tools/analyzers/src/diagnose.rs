//! `diagnose`: capture the cluster (or read the snapshot) in scope and run the analyzers.
//!
//! On a live cluster it then fetches a bounded log tail only for the containers the first pass
//! implicated (a snapshot already holds its logs) and runs the analyzers again.

use std::collections::BTreeSet;
use std::sync::Arc;

use cluster::source::{ClusterSource, NoProgress, Progress, Scope};
use cluster::{ClusterData, Result, capture};

use crate::rules::{self, Options, Report};

/// Log lines fetched per implicated container during a live `diagnose`.
pub const DIAGNOSE_LOG_TAIL: u32 = 100;
/// Containers whose logs a live `diagnose` fetches at most.
pub const DIAGNOSE_LOG_LIMIT: usize = 60;

/// Analyze the cluster (or the snapshot) in `scope`.
pub async fn diagnose(
    source: &ClusterSource,
    scope: &Scope,
    opts: &Options,
    progress: &dyn Progress,
) -> Result<(Report, Arc<ClusterData>)> {
    let data = source.load(None, scope, progress).await?;
    let report = rules::analyze(&data, opts);
    let ClusterSource::Live(_) = source else { return Ok((report, data)) };
    let pods: BTreeSet<&str> =
        report.findings.iter().flat_map(|f| f.pods.iter().map(String::as_str)).collect();
    let keys = capture::container_keys(&data, &pods, false);
    if keys.is_empty() {
        return Ok((report, data));
    }
    let mut with_logs = (*data).clone();
    capture::fetch_logs(
        source,
        &mut with_logs,
        keys.into_iter().take(DIAGNOSE_LOG_LIMIT).collect(),
        DIAGNOSE_LOG_TAIL,
        &NoProgress,
    )
    .await;
    let report = rules::analyze(&with_logs, opts);
    Ok((report, Arc::new(with_logs)))
}
