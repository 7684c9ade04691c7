//! Building an `rcagraph/v1` graph from what a cluster recorded (issue 5 §6, §12 of the
//! reference).
//!
//! **Nodes** come from one capture ([`ClusterData`]) and its `diagnose` report, inside a time
//! window ending at the capture time:
//! - `change_event`: Deployment revisions (image changes per container, config changes with
//!   env/resources/args/referenced-config diffs, plain rollouts, rollbacks timed by their
//!   scale-up), manual scaling and HPA rescales, and in-place edits of the ConfigMaps and
//!   Secrets running workloads read (their last write time, kept from `managedFields`);
//! - `k8s_event`: warning events and the Normal ones that matter (NodeNotReady,
//!   TaintManagerEviction, NodeHasInsufficientMemory, …), one node per object and reason;
//!   OOM kills recorded only in container status become `OOMKilled` nodes;
//! - `metric_anomaly`: memory growth of a workload without a memory limit that the evidence
//!   singles out (named as a SystemOOM victim, OOM-killed, or using ≥ 1 GiB), or a workload
//!   that hit its own limit;
//! - `topology_change`: pods of an evicted workload recreated on another node; nodes that
//!   joined or left;
//! - `symptom`: `diagnose` findings of severity warning or worse, one per root object (with
//!   its worst severity), except those that describe causes (missing limits, SystemOOM, memory
//!   pressure, OOM kills) or hygiene (security, logs, config maps, network policies).
//!
//! **Edges** come from explicit rules, each named in `method` (`rule:<name>`) with its
//! `evidence` (temporal precedence, same entity, owner chain, same node, dependency, log match,
//! domain rule), and only ever point forward in time. The rules encode known failure
//! propagation: a rollout precedes its pods' failures (confidence falls with the lag), memory
//! growth without a limit → node memory exhaustion (SystemOOM, pressure) → kubelet evictions,
//! OOM kills and NotReady → taint-manager evictions → rescheduling and unschedulable
//! replacements → unavailable workloads and Services without endpoints.
//!
//! The builder's state and shared lookups live in `builder`; each evidence source adds its nodes
//! in its own module (`changes`, `events`, `memory`, `topology`), then `rules` links them and
//! `symptoms` adds the findings people notice.

mod builder;
mod changes;
mod events;
mod memory;
#[cfg(test)]
mod rule_tests;
mod rules;
mod symptoms;
#[cfg(test)]
mod tests;
mod topology;

use jiff::SignedDuration;
use rcagraph::schema::{Graph, Incident, Provenance, SCHEMA_VERSION, Window};
use serde_json::json;

use std::collections::HashMap;

use crate::rules::{ObjRef, Report};
use builder::Builder;
use cluster::data::ClusterData;
use cluster::events::EventRecord;

/// What to build from.
#[derive(Debug, Clone)]
pub struct Options {
    /// How far back from the capture time evidence is taken.
    pub since: SignedDuration,
    /// Only these namespaces (cluster-scoped evidence about their nodes is kept); all when empty.
    pub namespaces: Vec<String>,
}

impl Default for Options {
    fn default() -> Options {
        Options { since: SignedDuration::from_hours(2), namespaces: Vec::new() }
    }
}

/// Builds the graph.
pub fn build(data: &ClusterData, report: &Report, opts: &Options) -> Graph {
    build_with_roots(data, report, opts).0
}

/// Builds the graph, and says which root object (the workload for a pod's event, the object
/// itself otherwise) each node is about: what the root-cause engine matches findings against.
pub fn build_with_roots(
    data: &ClusterData,
    report: &Report,
    opts: &Options,
) -> (Graph, HashMap<String, ObjRef>) {
    let now = data.now();
    let start = now.checked_sub(opts.since).unwrap_or(now);
    // Merging and deduplicating both event APIs is the costliest read here: once, shared.
    let all_events = cluster::events::all(data);
    let window = crate::changes::Window { start, end: now, namespaces: opts.namespaces.clone() };
    let idx = crate::rules::Index::build(data);
    let timeline = crate::changes::timeline_with(data, &idx, &all_events, &window);
    build_from(data, report, opts, &all_events, &timeline, idx)
}

/// Builds the graph from events, a change timeline and an index of the capture already made (the
/// root-cause engine makes them once, for itself and the graph).
pub fn build_from<'a>(
    data: &'a ClusterData,
    report: &Report,
    opts: &Options,
    all_events: &[EventRecord],
    timeline: &crate::changes::Timeline,
    idx: crate::rules::Index<'a>,
) -> (Graph, HashMap<String, ObjRef>) {
    let now = data.now();
    let start = now.checked_sub(opts.since).unwrap_or(now);
    let mut b = Builder::new(data, idx, start, now, opts.namespaces.clone());
    b.hosts(all_events);
    b.changes(timeline);
    b.events(all_events);
    b.status_oom_kills();
    b.memory();
    b.rescheduling();
    b.node_churn();
    rules::link_all(&mut b);
    let symptoms = b.symptoms(report);
    let mut roots: HashMap<String, ObjRef> = HashMap::new();
    for f in &b.facts {
        roots.entry(b.nodes[f.node].id.clone()).or_insert_with(|| f.root.clone());
    }
    let graph = Graph {
        schema_version: SCHEMA_VERSION.into(),
        incident: Some(Incident {
            id: Some(format!("sleuth-{}", now.strftime("%Y%m%dT%H%M%SZ"))),
            cluster: data.info.context.clone(),
            window: Some(Window { start, end: now }),
            detected_at: Some(now),
            symptom_ids: symptoms,
            clock_skew_seconds: Some(1.0),
        }),
        nodes: b.nodes,
        edges: b.edges,
        ranking: Vec::new(),
        provenance: Some(Provenance {
            generator: Some("sleuth".into()),
            algorithm: Some("rules/v1".into()),
            generated_at: Some(now),
            parameters: Some(json!({"since_seconds": opts.since.as_secs(), "source": data.info.source})),
        }),
    };
    (graph, roots)
}
