//! The root-cause engine: one answer to "why is X failing", from every source sleuth has.
//!
//! Every front end (chat, Slack, `ask`, the JSON API) asks this one engine through the agent's
//! `investigate` tool. It reads one capture and combines:
//! - the analyzers' findings ([`crate::rules`]): what is wrong, each with a cause tag, a proving
//!   fact and the findings that explain it (`explained_by`);
//! - the causal graph ([`crate::graph`]) ranked by `rcagraph`: what happened upstream of a
//!   finding (a node that ran out of memory because of another workload, a rollout before a
//!   crash) and the order things happened in;
//! - the change timeline ([`crate::changes`]): what changed on the objects involved.
//!
//! `subject` resolves the question's names to objects and picks the findings about them (the
//! symptoms); `hypotheses` traces each symptom to the findings that explain it, lifts each
//! through the graph to an upstream cause, scores each by how complete its evidence is, and
//! groups them into problems (hypotheses that explain the same symptoms compete; those that
//! explain different ones are separate problems); `checks` says what would confirm or refute
//! each cause. When nothing explains a symptom, the investigation says so and lists what was
//! checked: an honest "no root cause found" beats a guess.

mod alternatives;
mod checks;
mod hypotheses;
mod subject;
#[cfg(test)]
mod tests;

use jiff::{SignedDuration, Timestamp};
use rcagraph::schema::Graph;
use serde::{Deserialize, Serialize};

use crate::changes::{self, Change};
use crate::rules::{ObjRef, Report, Severity};
use cluster::data::ClusterData;

pub use subject::resolve;

/// What a question is about: names as typed (resolved against the capture) and a namespace.
#[derive(Debug, Clone, Default)]
pub struct Subject {
    /// Object names or unique prefixes (`web`, `prometheus`, `ip-10-0-3-17`).
    pub names: Vec<String>,
    /// Only this namespace.
    pub namespace: Option<String>,
}

/// Something visibly wrong with the subject: a finding about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Symptom {
    /// Rule that found it.
    pub rule: String,
    /// The object it is about.
    pub object: ObjRef,
    /// Its cause tag.
    pub cause: String,
    /// What is wrong.
    pub message: String,
    /// How bad.
    pub severity: Severity,
}

/// One step of how a cause led to its symptoms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// When it happened, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<Timestamp>,
    /// The time is the capture time standing in for an unknown one (a state seen at capture).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub time_inferred: bool,
    /// The object concerned.
    pub object: ObjRef,
    /// What happened.
    pub what: String,
}

/// A candidate root cause with its evidence and how sure the engine is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hypothesis {
    /// Cause tag (`family/cause`).
    pub cause: String,
    /// The object the cause is on.
    pub object: ObjRef,
    /// The rule whose finding proves it.
    pub rule: String,
    /// The proving fact (the finding's message).
    pub fact: String,
    /// Supporting evidence lines.
    pub evidence: Vec<String>,
    /// The finding's structured facts (reason, exit code, log line, missing object, …).
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub detail: serde_json::Map<String, serde_json::Value>,
    /// Node it happened on, when one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
    /// Affected pods (`ns/name`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pods: Vec<String>,
    /// Probability-like strength in [0, 1], from how complete the evidence is.
    pub confidence: f64,
    /// `high`, `medium` or `low`.
    pub confidence_words: String,
    /// Why that confidence: which pieces of evidence are there and which are missing.
    pub basis: Vec<String>,
    /// How it unfolded, oldest first.
    pub chain: Vec<Step>,
    /// The subject's symptoms it explains.
    pub explains: Vec<ObjRef>,
    /// Read-only commands that would confirm it.
    pub confirm: Vec<String>,
    /// What would refute it.
    pub refute: String,
}

/// Symptoms and the hypotheses competing to explain them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Problem {
    /// What is visibly wrong.
    pub symptoms: Vec<Symptom>,
    /// Candidate causes, most likely first.
    pub hypotheses: Vec<Hypothesis>,
}

/// What the engine looked at, for an honest "nothing found".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Checked {
    /// Where the capture came from.
    pub source: String,
    /// Objects analyzed.
    pub objects: usize,
    /// Findings of any severity in scope.
    pub findings: usize,
    /// Changes in the window.
    pub changes: usize,
    /// Graph size.
    pub graph_nodes: usize,
    /// Graph edges.
    pub graph_edges: usize,
    /// Kinds that could not be read.
    pub unverifiable: Vec<String>,
}

impl Checked {
    /// What was checked, as a clause: "204 objects from …, 48 findings from every analyzer rule,
    /// 3 changes in the last 6h and a causal graph of 27 nodes and 42 edges".
    pub fn sentence(&self) -> String {
        format!(
            "{} objects from {}, {} findings from every analyzer rule, {} changes in the last {} and a causal graph of {} nodes and {} edges",
            self.objects,
            self.source,
            self.findings,
            self.changes,
            cluster::query::table::human_duration(WINDOW.as_secs()),
            self.graph_nodes,
            self.graph_edges
        )
    }
}

/// The engine's answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Investigation {
    /// The objects the question named, resolved.
    pub subject: Vec<ObjRef>,
    /// Names that matched nothing in the capture.
    pub unresolved: Vec<String>,
    /// The namespace asked about.
    pub namespace: Option<String>,
    /// Problems found, most serious first.
    pub problems: Vec<Problem>,
    /// Real changes on the objects involved (or in scope when nothing is wrong), newest last.
    pub changes: Vec<Change>,
    /// The nodes involved and the node group or pool each belongs to, from their labels.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nodes: Vec<NodeGroup>,
    /// What was checked.
    pub checked: Checked,
}

/// A node and the group that provisions it, read from the labels cloud providers and
/// autoscalers set (EKS node groups, Karpenter node pools, GKE node pools, AKS agent pools).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeGroup {
    /// Node name.
    pub node: String,
    /// Group name, when a label says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// The label it came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

/// Labels naming a node's group, most specific first.
const GROUP_LABELS: &[&str] = &[
    "eks.amazonaws.com/nodegroup",
    "karpenter.sh/nodepool",
    "karpenter.sh/provisioner-name",
    "cloud.google.com/gke-nodepool",
    "kubernetes.azure.com/agentpool",
    "agentpool",
    "node.kubernetes.io/pool",
    "nodepool",
];

fn node_group(data: &ClusterData, name: &str) -> NodeGroup {
    let labels = data
        .objects
        .nodes
        .iter()
        .find(|n| n.metadata.name.as_deref() == Some(name))
        .and_then(|n| n.metadata.labels.as_ref());
    let found =
        labels.and_then(|l| GROUP_LABELS.iter().find_map(|k| l.get(*k).map(|v| (k.to_string(), v.clone()))));
    NodeGroup {
        node: name.to_string(),
        group: found.as_ref().map(|f| f.1.clone()),
        label: found.map(|f| f.0),
    }
}

impl Investigation {
    /// The most likely cause of the first problem.
    pub fn top(&self) -> Option<&Hypothesis> {
        self.problems.first().and_then(|p| p.hypotheses.first())
    }
}

/// How far back the engine looks for changes and events.
pub const WINDOW: SignedDuration = SignedDuration::from_hours(6);

/// Investigates `subject` in a capture, given its `diagnose` report.
pub fn investigate(data: &ClusterData, report: &Report, subject: &Subject) -> Investigation {
    let now = data.now();
    let start = now.checked_sub(WINDOW).unwrap_or(now);
    let namespaces: Vec<String> = subject.namespace.iter().cloned().collect();
    let events = cluster::events::all(data);
    let idx = crate::rules::Index::build(data);
    let timeline = changes::timeline_with(
        data,
        &idx,
        &events,
        &changes::Window { start, end: now, namespaces: namespaces.clone() },
    );
    let (objects, unresolved) = resolve(data, &idx, &subject.names, subject.namespace.as_deref());
    // Names that matched nothing are not a question about everything else.
    let symptoms = if objects.is_empty() && !subject.names.is_empty() {
        Vec::new()
    } else {
        subject::findings_about(data, &idx, report, &objects, subject.namespace.as_deref())
    };
    // The graph takes the index over: one index per investigation.
    let (graph, roots): (Graph, _) = crate::graph::build_from(
        data,
        report,
        &crate::graph::Options { since: WINDOW, namespaces: namespaces.clone() },
        &events,
        &timeline,
        idx,
    );
    let analysis = rcagraph::analyze(&graph);
    let ctx = hypotheses::Context::new(data, report, &graph, &roots, &analysis, &timeline);
    let problems = hypotheses::problems(&ctx, &symptoms);
    let involved: Vec<&ObjRef> = problems
        .iter()
        .flat_map(|p| p.hypotheses.iter().map(|h| &h.object).chain(p.symptoms.iter().map(|s| &s.object)))
        .chain(objects.iter())
        .collect();
    let changes: Vec<Change> = timeline
        .real()
        .filter(|c| {
            if involved.is_empty() {
                true
            } else {
                involved.contains(&&c.object) || c.readers.iter().any(|r| involved.contains(&r))
            }
        })
        .cloned()
        .collect();
    let checked = Checked {
        source: report.summary.source.clone(),
        objects: report.summary.objects.values().sum(),
        findings: report.findings.len(),
        changes: timeline.real().count(),
        graph_nodes: graph.nodes.len(),
        graph_edges: graph.edges.len(),
        unverifiable: report.summary.unverifiable.keys().cloned().collect(),
    };
    let mut node_names: Vec<&str> = Vec::new();
    for p in &problems {
        for h in p.hypotheses.iter().take(1) {
            node_names.extend(h.node.as_deref());
            node_names
                .extend(h.chain.iter().filter(|s| s.object.kind == "Node").map(|s| s.object.name.as_str()));
        }
        node_names
            .extend(p.symptoms.iter().filter(|s| s.object.kind == "Node").map(|s| s.object.name.as_str()));
    }
    node_names.sort_unstable();
    node_names.dedup();
    let nodes = node_names.into_iter().map(|n| node_group(data, n)).collect();
    Investigation {
        subject: objects,
        unresolved,
        namespace: subject.namespace.clone(),
        problems,
        changes,
        nodes,
        checked,
    }
}
