//! The timeline's types: a window, a change and what kind it is, and the timeline itself.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::rules::ObjRef;

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
    pub(super) fn contains(&self, t: Timestamp) -> bool {
        t >= self.start && t <= self.end
    }

    pub(super) fn in_scope(&self, ns: &str) -> bool {
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
