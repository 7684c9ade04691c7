//! The `rcagraph/v1` document as typed values (`reference/rcagraph-v1.md` §2–§5).
//!
//! These types are what a *valid* document becomes; reading goes through
//! [`crate::validate`], which reports every problem with its path before any of this exists.
//! Serializing them writes canonical `rcagraph/v1` JSON (what `sleuth graph` emits).

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The only schema version this module reads and writes.
pub const SCHEMA_VERSION: &str = "rcagraph/v1";

/// One incident as a graph of evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Graph {
    /// Always [`SCHEMA_VERSION`].
    pub schema_version: String,
    /// Context of the incident.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incident: Option<Incident>,
    /// Things that happened.
    pub nodes: Vec<Node>,
    /// Cause → effect links.
    #[serde(default)]
    pub edges: Vec<Edge>,
    /// The producer's own ranking of root causes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ranking: Vec<RankEntry>,
    /// Who produced the graph and how.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provenance: Option<Provenance>,
}

/// `incident`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Incident {
    /// Identifier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Cluster name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster: Option<String>,
    /// Period the evidence covers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<Window>,
    /// When the incident was detected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detected_at: Option<Timestamp>,
    /// Declared symptoms.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub symptom_ids: Vec<String>,
    /// Tolerance when comparing times from different clocks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock_skew_seconds: Option<f64>,
}

/// `incident.window`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Window {
    /// Start.
    pub start: Timestamp,
    /// End.
    pub end: Timestamp,
}

macro_rules! string_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vm])* #[serde(rename = $text)] $variant),+
        }
        impl $name {
            /// Every value, in the order of the schema.
            pub const ALL: &[$name] = &[$($name::$variant),+];
            /// The value as written in a document.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
            /// Parses the value as written in a document.
            pub fn parse(s: &str) -> Option<$name> {
                match s { $($text => Some($name::$variant),)+ _ => None }
            }
            /// The allowed values, for error messages.
            pub fn expected() -> String {
                [$($text),+].join(", ")
            }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

string_enum!(
    /// Node `kind`: the discriminator of a node's variant.
    NodeKind {
        /// Something was changed on purpose.
        ChangeEvent = "change_event",
        /// A metric behaved abnormally.
        MetricAnomaly = "metric_anomaly",
        /// What runs where, or what talks to what, changed.
        TopologyChange = "topology_change",
        /// A Kubernetes Event.
        K8sEvent = "k8s_event",
        /// What people noticed.
        Symptom = "symptom",
    }
);

string_enum!(
    /// `change.type` of both change and topology nodes (each kind accepts its own subset).
    ChangeType {
        /// New revision, nothing more specific known.
        Deploy = "deploy",
        /// A container image changed.
        ImageChange = "image_change",
        /// Env, args, resources, probes, mounted config, any other spec field.
        ConfigChange = "config_change",
        /// Replicas or node-group size.
        Scale = "scale",
        /// Return to an earlier revision.
        Rollback = "rollback",
        /// A Terraform apply.
        TerraformApply = "terraform_apply",
        /// A feature flag flipped.
        FeatureFlag = "feature_flag",
        /// A node joined.
        NodeAdded = "node_added",
        /// A node left.
        NodeRemoved = "node_removed",
        /// Pods moved.
        PodsRescheduled = "pods_rescheduled",
        /// A dependency between services appeared.
        EdgeAdded = "edge_added",
        /// A dependency between services went away.
        EdgeRemoved = "edge_removed",
    }
);

impl ChangeType {
    /// Whether this value belongs to `change_event` (else to `topology_change`).
    pub fn is_change_event(self) -> bool {
        !matches!(
            self,
            ChangeType::NodeAdded
                | ChangeType::NodeRemoved
                | ChangeType::PodsRescheduled
                | ChangeType::EdgeAdded
                | ChangeType::EdgeRemoved
        )
    }
}

string_enum!(
    /// `anomaly.type`.
    AnomalyType {
        /// The slope changes.
        Inflection = "inflection",
        /// Sustained new level.
        LevelShift = "level_shift",
        /// Short rise and return.
        Spike = "spike",
        /// Sudden fall.
        Drop = "drop",
        /// Gradual sustained drift.
        Trend = "trend",
    }
);

string_enum!(
    /// `anomaly.direction`.
    Direction {
        /// Upward.
        Up = "up",
        /// Downward.
        Down = "down",
    }
);

string_enum!(
    /// `event.type`.
    EventType {
        /// Normal.
        Normal = "Normal",
        /// Warning.
        Warning = "Warning",
    }
);

string_enum!(
    /// Symptom `severity`.
    Severity {
        /// Critical.
        Critical = "critical",
        /// Error.
        Error = "error",
        /// Warning.
        Warning = "warning",
        /// Info.
        Info = "info",
    }
);

string_enum!(
    /// Edge `relation`.
    Relation {
        /// Direct cause.
        Caused = "caused",
        /// Made the effect likelier or worse, not sufficient alone.
        ContributesTo = "contributes_to",
        /// Co-varies, direction unknown.
        Correlated = "correlated",
    }
);

impl Relation {
    /// `caused` and `contributes_to`: the edges that form causal paths.
    pub fn is_causal(self) -> bool {
        self != Relation::Correlated
    }
}

/// What a node is about.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Entity {
    /// Kubernetes kind, Terraform resource type, or `Service` for an application service.
    pub kind: String,
    /// Object name (full address for Terraform).
    pub name: String,
    /// Absent for cluster-scoped objects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// `kubernetes` (default), `terraform`, `cloud`, `application`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    /// Disambiguation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<String>,
    /// Disambiguation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
}

impl Entity {
    /// A Kubernetes object.
    pub fn k8s(kind: &str, namespace: Option<&str>, name: &str) -> Entity {
        Entity {
            kind: kind.into(),
            name: name.into(),
            namespace: namespace.filter(|n| !n.is_empty()).map(String::from),
            ..Entity::default()
        }
    }

    /// `Kind/namespace/name` or `Kind/name`, the same reference findings use.
    pub fn reference(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{}/{ns}/{}", self.kind, self.name),
            None => format!("{}/{}", self.kind, self.name),
        }
    }

    /// `Kind ns/name`, for sentences.
    pub fn display(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{} {ns}/{}", self.kind, self.name),
            None => format!("{} {}", self.kind, self.name),
        }
    }
}

/// Where a piece of evidence comes from.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Source {
    /// `kubernetes`, `terraform`, `argocd`, `prometheus`, …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    /// A reference inside it.
    #[serde(default, rename = "ref", skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// Who made the change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
}

/// `change` of a `change_event` or `topology_change`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// What kind of change.
    #[serde(rename = "type")]
    pub type_: ChangeType,
    /// Path of the changed field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Old value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<Value>,
    /// New value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<Value>,
    /// Nodes, pods or dependencies added (topology).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub added: Vec<String>,
    /// Nodes, pods or dependencies removed (topology).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub removed: Vec<String>,
}

/// `metric`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Metric {
    /// Metric name.
    pub name: String,
    /// Query that produced the series.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    /// Label set.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub labels: std::collections::BTreeMap<String, String>,
    /// Unit of the values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

/// `anomaly`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Anomaly {
    /// Shape of the anomaly.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub type_: Option<AnomalyType>,
    /// Up or down.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction: Option<Direction>,
    /// Normal value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<f64>,
    /// Abnormal value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed: Option<f64>,
    /// Detector's strength in [0, 1].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    /// Detector name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detector: Option<String>,
}

/// `event` of a `k8s_event`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct K8sEvent {
    /// Normal or Warning.
    #[serde(rename = "type")]
    pub type_: EventType,
    /// Kubernetes reason.
    pub reason: String,
    /// Message (redacted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Occurrences.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
    /// First occurrence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_seen: Option<Timestamp>,
    /// Last occurrence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_seen: Option<Timestamp>,
    /// Reporting component.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reporting_component: Option<String>,
}

/// One node: common fields plus the sub-object its kind requires.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Node {
    /// Unique id.
    pub id: String,
    /// Variant.
    pub kind: NodeKind,
    /// When it happened or started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<Timestamp>,
    /// `time` was not observed but inferred (from the capture time, or from the earliest effect
    /// of a cause): edges it takes part in rest on assumed, not observed, precedence.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub time_inferred: bool,
    /// What it is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity: Option<Entity>,
    /// Human label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Provenance of this piece of evidence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
    /// `change_event` / `topology_change`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change: Option<Change>,
    /// `metric_anomaly`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric: Option<Metric>,
    /// `metric_anomaly`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anomaly: Option<Anomaly>,
    /// `k8s_event`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<K8sEvent>,
    /// `symptom`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
}

impl Node {
    /// A node of `kind` with only its id set.
    pub fn new(id: impl Into<String>, kind: NodeKind) -> Node {
        Node {
            id: id.into(),
            kind,
            time: None,
            time_inferred: false,
            entity: None,
            description: None,
            source: None,
            change: None,
            metric: None,
            anomaly: None,
            event: None,
            severity: None,
        }
    }
}

/// One cause → effect link.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Edge {
    /// Unique among edges when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Cause.
    pub from: String,
    /// Effect.
    pub to: String,
    /// How they are linked.
    pub relation: Relation,
    /// Defaults from the relation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub directed: Option<bool>,
    /// Probability the relation holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f64>,
    /// Algorithm-native strength.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<f64>,
    /// `to.time − from.time`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lag_seconds: Option<f64>,
    /// How the edge was inferred.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// Supporting items `{kind, detail?, …}`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<Value>,
}

impl Edge {
    /// A causal edge with a confidence.
    pub fn new(from: &str, to: &str, relation: Relation, confidence: f64) -> Edge {
        Edge {
            id: None,
            from: from.into(),
            to: to.into(),
            relation,
            directed: None,
            confidence: Some(confidence),
            weight: None,
            lag_seconds: None,
            method: None,
            evidence: Vec::new(),
        }
    }

    /// `confidence`, or the 0.5 the schema assumes when it is absent.
    pub fn confidence_or_default(&self) -> f64 {
        self.confidence.unwrap_or(0.5)
    }

    /// `from→to`, how problems and narratives name an edge.
    pub fn label(&self) -> String {
        format!("{}→{}", self.from, self.to)
    }
}

/// One entry of the producer's ranking.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RankEntry {
    /// Candidate root cause.
    pub node_id: String,
    /// 1 = most likely.
    pub rank: u64,
    /// Algorithm-native.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    /// Producer's probability.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f64>,
    /// Supporting paths.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub paths: Vec<RankPath>,
    /// Supporting items.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<Value>,
}

/// A supporting path of a ranking entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RankPath {
    /// Product of edge confidences by convention.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    /// Cause first, symptom last.
    pub node_ids: Vec<String>,
}

/// `provenance`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Provenance {
    /// `ctrlstack`, `pyrca`, `sleuth`, `manual`, …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generator: Option<String>,
    /// Algorithm name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub algorithm: Option<String>,
    /// When it was generated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generated_at: Option<Timestamp>,
    /// Free object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters: Option<Value>,
}

impl Graph {
    /// The node's time, or its kind's fallback (§3): an event's `first_seen` then `last_seen`,
    /// a symptom's `incident.detected_at`.
    pub fn node_time(&self, node: &Node) -> Option<Timestamp> {
        node.time.or_else(|| match node.kind {
            NodeKind::K8sEvent => node.event.as_ref().and_then(|e| e.first_seen.or(e.last_seen)),
            NodeKind::Symptom => self.incident.as_ref().and_then(|i| i.detected_at),
            _ => None,
        })
    }

    /// `incident.clock_skew_seconds`, 0 when absent.
    pub fn clock_skew(&self) -> f64 {
        self.incident.as_ref().and_then(|i| i.clock_skew_seconds).unwrap_or(0.0)
    }

    /// Index of the node with this id.
    pub fn node_index(&self, id: &str) -> Option<usize> {
        self.nodes.iter().position(|n| n.id == id)
    }
}
