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

mod objects;
mod render;
#[cfg(test)]
mod tests;
mod workloads;

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::rules::{Index, ObjRef};
use cluster::Kind;
use cluster::data::ClusterData;
use cluster::events::EventRecord;
use cluster::source::{ClusterSource, Progress, Scope};

#[cfg(test)]
pub(crate) use workloads::parse_scaling;
pub(crate) use workloads::short_json;
pub use workloads::{Diff, diff, spec_refs};

/// The period and namespaces a timeline covers.
#[derive(Debug, Clone)]
pub struct Window {
    /// Earliest change kept.
    pub start: Timestamp,
    /// The capture time.
    pub end: Timestamp,
    /// Only these namespaces (cluster-scoped changes are always kept); all when empty.
    pub namespaces: Vec<String>,
}

impl Window {
    fn contains(&self, t: Timestamp) -> bool {
        t >= self.start && t <= self.end
    }

    fn in_scope(&self, ns: &str) -> bool {
        ns.is_empty() || self.namespaces.is_empty() || self.namespaces.iter().any(|n| n == ns)
    }
}

/// What kind of change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum What {
    /// A new revision of a workload's pod template (the first one included).
    Rollout,
    /// A return to an earlier pod template.
    Rollback,
    /// Replicas changed by hand or by a tool.
    Scaled,
    /// Replicas changed by a HorizontalPodAutoscaler.
    Autoscaled,
    /// The object was created.
    Created,
    /// The object was edited in place.
    Edited,
    /// A node joined the cluster.
    NodeJoined,
    /// A node left the cluster.
    NodeLeft,
    /// A node was cordoned (marked unschedulable).
    Cordoned,
    /// A node was uncordoned.
    Uncordoned,
}

impl What {
    /// The word a timeline shows.
    pub fn word(self) -> &'static str {
        match self {
            What::Rollout => "rollout",
            What::Rollback => "rollback",
            What::Scaled => "scaled",
            What::Autoscaled => "autoscaled",
            What::Created => "created",
            What::Edited => "edited",
            What::NodeJoined => "node joined",
            What::NodeLeft => "node left",
            What::Cordoned => "cordoned",
            What::Uncordoned => "uncordoned",
        }
    }
}

/// A container image that changed in a rollout (`before` is empty in a first revision).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImageChange {
    /// Container name.
    pub container: String,
    /// Image before.
    pub before: String,
    /// Image after.
    pub after: String,
}

/// Any other field that changed: values as they are after redaction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldChange {
    /// `containers[app].env.LOG_LEVEL`, `spec.replicas`, `config references`.
    pub field: String,
    /// Value before (null when absent).
    pub before: Value,
    /// Value after (null when removed).
    pub after: Value,
}

/// One change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// When it happened.
    pub time: Timestamp,
    /// What kind of change.
    pub what: What,
    /// The object changed.
    pub object: ObjRef,
    /// One line a person reads.
    pub summary: String,
    /// The workload revision it made, for rollouts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<i64>,
    /// Who made it (the field manager or the reporting component), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    /// Images changed by a rollout.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub images: Vec<ImageChange>,
    /// Other fields changed by a rollout or a scale.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldChange>,
    /// For ConfigMaps and Secrets: the workloads whose pods read it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub readers: Vec<ObjRef>,
    /// Where the change was read from (`ReplicaSet/web-7d9f`, `event ScalingReplicaSet`).
    pub evidence: String,
    /// A controller keeping its own books, not a change anyone made.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub bookkeeping: bool,
}

/// The changes of one capture, oldest first.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Timeline {
    /// Start of the window.
    pub start: Timestamp,
    /// End of the window (the capture time).
    pub end: Timestamp,
    /// Every change found, bookkeeping included (flagged), oldest first.
    pub changes: Vec<Change>,
}

impl Timeline {
    /// The changes people and their tools made (bookkeeping left out).
    pub fn real(&self) -> impl Iterator<Item = &Change> {
        self.changes.iter().filter(|c| !c.bookkeeping)
    }

    /// How many bookkeeping writes were left out of [`Timeline::real`].
    pub fn bookkeeping(&self) -> usize {
        self.changes.iter().filter(|c| c.bookkeeping).count()
    }
}

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
