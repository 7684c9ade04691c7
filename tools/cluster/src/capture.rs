//! Capturing a whole cluster for `sleuth snapshot`: every kind once, then the current and
//! previous logs of every container; and the bounded log fetch `diagnose` uses for the
//! containers its first pass implicated.

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::data::{ClusterData, LogKey};
use crate::error::Result;
use crate::scope::{Progress, Scope};
use crate::source::ClusterSource;

/// Log lines kept per container in a snapshot.
pub const SNAPSHOT_LOG_TAIL: u32 = 2000;

/// Everything in `scope`, with current and previous logs of every container.
pub async fn capture(source: &ClusterSource, scope: &Scope, progress: &dyn Progress) -> Result<ClusterData> {
    let data = source.load(None, scope, progress).await?;
    let mut data = (*data).clone();
    let all: BTreeSet<&str> = BTreeSet::new();
    let keys = container_keys(&data, &all, true);
    progress.begin(keys.len() as u64);
    fetch_logs(source, &mut data, keys, SNAPSHOT_LOG_TAIL, progress).await;
    Ok(data)
}

/// Log keys of containers of `pods` (every pod when `all`): current always, previous when the
/// container has restarted.
pub fn container_keys(data: &ClusterData, pods: &BTreeSet<&str>, all: bool) -> Vec<LogKey> {
    let mut keys = Vec::new();
    for p in &data.objects.pods {
        let ns = p.metadata.namespace.clone().unwrap_or_default();
        let name = p.metadata.name.clone().unwrap_or_default();
        if !all && !pods.contains(format!("{ns}/{name}").as_str()) {
            continue;
        }
        let statuses: Vec<_> = p
            .status
            .iter()
            .flat_map(|s| {
                s.init_container_statuses.iter().flatten().chain(s.container_statuses.iter().flatten())
            })
            .collect();
        let containers =
            p.spec.iter().flat_map(|s| s.init_containers.iter().flatten().chain(s.containers.iter()));
        for c in containers {
            let restarted = statuses.iter().any(|s| {
                s.name == c.name
                    && (s.restart_count > 0
                        || s.last_state.as_ref().and_then(|l| l.terminated.as_ref()).is_some())
            });
            keys.push(LogKey {
                namespace: ns.clone(),
                pod: name.clone(),
                container: c.name.clone(),
                previous: false,
            });
            if restarted {
                keys.push(LogKey {
                    namespace: ns.clone(),
                    pod: name.clone(),
                    container: c.name.clone(),
                    previous: true,
                });
            }
        }
    }
    keys
}

/// Reads the logs of `keys` (at most `tail` lines each, six requests in flight) into `data`.
pub async fn fetch_logs(
    source: &ClusterSource,
    data: &mut ClusterData,
    keys: Vec<LogKey>,
    tail: u32,
    progress: &dyn Progress,
) {
    let sem = Arc::new(tokio::sync::Semaphore::new(6));
    let mut set = tokio::task::JoinSet::new();
    for key in keys {
        let source = source.clone();
        let sem = Arc::clone(&sem);
        set.spawn(async move {
            let _permit = sem.acquire_owned().await;
            let text = source.log(&key, Some(tail)).await;
            (key, text)
        });
    }
    while let Some(Ok((key, text))) = set.join_next().await {
        progress.advance(&format!("logs of {}/{}", key.pod, key.container));
        data.insert_log(key, text);
    }
}
