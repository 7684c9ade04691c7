//! What changed in a cluster, and when: the change timeline of one capture.
//!
//! Kubernetes keeps no audit log in a capture, but it keeps traces of most changes, and this
//! module reads them all into one list of typed [`Change`]s:
//! - **rollouts**: a Deployment's ReplicaSets and a StatefulSet's or DaemonSet's
//!   ControllerRevisions, one per revision (the first included), with the typed pod-template
//!   diff against the revision before (images, env, resources, args, probes, references);
//!   rollbacks timed by their scale-up;
//! - **scaling**: manual `ScalingReplicaSet` events outside a rollout, HPA rescales;
//! - **objects created or edited**: NetworkPolicies, Services, Ingresses, HPAs, PDBs,
//!   ResourceQuotas, ConfigMaps and Secrets (metadata only: their values never reach here), by
//!   their creation time and the newest non-status write that sanitizing keeps from
//!   `managedFields` (who wrote it, too); Helm release records as deploys;
//! - **nodes**: joins and removals, cordons, and edits of labels or taints.
//!
//! Writes by controllers that only keep their own books (leader election, the root CA bundle,
//! the autoscaler's status) are kept but flagged [`Change::bookkeeping`], so a timeline shows
//! what people and their tools changed, and `--all` can still show the rest. The graph builder
//! (`crate::graph`) turns these same records into `change_event` nodes.

mod model;
mod objects;
mod render;
#[cfg(test)]
mod tests;
mod workloads;

use jiff::SignedDuration;

use crate::rules::Index;
use cluster::Kind;
use cluster::data::ClusterData;
use cluster::events::EventRecord;
use cluster::source::{ClusterSource, Progress, Scope};

pub use model::{Change, FieldChange, ImageChange, Timeline, What, Window};
#[cfg(test)]
pub(crate) use workloads::parse_scaling;
pub(crate) use workloads::short_json;
pub use workloads::{Diff, diff, spec_refs};

/// Reads every change in `window` from a capture and its merged events.
pub fn timeline(data: &ClusterData, events: &[EventRecord], window: &Window) -> Timeline {
    timeline_with(data, &Index::build(data), events, window)
}

/// [`timeline`] with an index of the capture already built.
pub fn timeline_with(data: &ClusterData, idx: &Index, events: &[EventRecord], window: &Window) -> Timeline {
    let mut changes = Vec::new();
    workloads::deployments(data, events, window, &mut changes);
    workloads::controller_revisions(data, window, &mut changes);
    workloads::scaling(data, events, window, &mut changes);
    objects::objects(data, idx, window, &mut changes);
    objects::nodes(data, events, window, &mut changes);
    changes.sort_by(|a, b| (a.time, &a.object, a.what.word()).cmp(&(b.time, &b.object, b.what.word())));
    Timeline { start: window.start, end: window.end, changes }
}

/// The kinds a timeline reads: workloads and their revisions, the objects whose edits matter,
/// the pods that say who reads a ConfigMap or Secret, nodes and events.
pub const KINDS: &[Kind] = &[
    Kind::Namespace,
    Kind::Node,
    Kind::Pod,
    Kind::Deployment,
    Kind::ReplicaSet,
    Kind::StatefulSet,
    Kind::DaemonSet,
    Kind::ControllerRevision,
    Kind::Service,
    Kind::Ingress,
    Kind::NetworkPolicy,
    Kind::HorizontalPodAutoscaler,
    Kind::PodDisruptionBudget,
    Kind::ResourceQuota,
    Kind::ConfigMap,
    Kind::Secret,
    Kind::Event,
    Kind::EventV1,
];

/// Reads the timeline of the last `since` before the capture time (live: now) from a source.
/// Node events live in `default`, so a namespace-scoped read takes that namespace's events too.
pub async fn read(
    source: &ClusterSource,
    scope: &Scope,
    since: SignedDuration,
    progress: &dyn Progress,
) -> cluster::Result<Timeline> {
    let mut capture = scope.clone();
    if !capture.namespaces.is_empty() && !capture.namespaces.iter().any(|n| n == "default") {
        capture.namespaces.push("default".into());
    }
    let data = source.load(Some(KINDS), &capture, progress).await?;
    let end = data.now();
    let window =
        Window { start: end.checked_sub(since).unwrap_or(end), end, namespaces: scope.namespaces.clone() };
    Ok(timeline(&data, &cluster::events::all(&data), &window))
}
