//! Memory growth of the workloads the evidence singles out, and workloads that hit their own
//! limit.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use k8s_openapi::api::core::v1::{Container, Pod};
use rcagraph::schema::{Anomaly, AnomalyType, Direction, Metric, Node, NodeKind, Source};

use crate::rules::ObjRef;
use cluster::spec::{memory_limit, memory_request, quantity_bytes};

use super::builder::{Builder, Class, Fact, entity_of, gib, slug};

impl Builder<'_> {
    /// Memory growth of workloads the evidence singles out.
    pub(super) fn memory(&mut self) {
        // Workload → (pods, containers without a memory limit, limits by container).
        let mut workloads: BTreeMap<ObjRef, Vec<&Pod>> = BTreeMap::new();
        for p in &self.data.objects.pods {
            let ns = p.metadata.namespace.clone().unwrap_or_default();
            if self.in_scope(&ns) {
                workloads.entry(self.idx.root("Pod", &p.metadata)).or_default().push(p);
            }
        }
        let usage: HashMap<(String, String), f64> = self
            .data
            .objects
            .pod_metrics
            .iter()
            .filter_map(|m| {
                let total: f64 = m
                    .containers
                    .iter()
                    .filter_map(|c| c.usage.get("memory").and_then(|q| quantity_bytes(&q.0)))
                    .sum();
                Some(((m.metadata.namespace.clone()?, m.metadata.name.clone()?), total))
            })
            .collect();
        let mut new_facts = Vec::new();
        for (w, pods) in &workloads {
            let spec = pods.iter().find_map(|p| p.spec.as_ref());
            let Some(spec) = spec else { continue };
            let unlimited: Vec<&Container> =
                spec.containers.iter().filter(|c| memory_limit(c).is_none()).collect();
            let names: Vec<String> = spec.containers.iter().map(|c| c.name.clone()).collect();
            let hosts: BTreeSet<String> = pods
                .iter()
                .filter_map(|p| {
                    self.pod_host
                        .get(&(
                            p.metadata.namespace.clone().unwrap_or_default(),
                            p.metadata.name.clone().unwrap_or_default(),
                        ))
                        .cloned()
                })
                .collect();
            let mine = |f: &Fact| f.root == *w;
            let oom_kills: Vec<&Fact> =
                self.facts.iter().filter(|f| f.class == Class::OomKill && mine(f)).collect();
            let named_victim: Vec<&Fact> = self
                .facts
                .iter()
                .filter(|f| f.class == Class::NodeMem && f.text.contains("victim process"))
                .filter(|f| f.host.as_ref().is_some_and(|h| hosts.contains(h)))
                .filter(|f| names.iter().any(|c| f.text.contains(&format!("victim process: {c}"))))
                .collect();
            let used: f64 = pods
                .iter()
                .filter_map(|p| {
                    usage.get(&(
                        p.metadata.namespace.clone().unwrap_or_default(),
                        p.metadata.name.clone().unwrap_or_default(),
                    ))
                })
                .copied()
                .fold(0.0, f64::max);
            let big = used >= 1024.0 * 1024.0 * 1024.0;
            let limit_text: Vec<String> = spec
                .containers
                .iter()
                .filter_map(|c| memory_limit(c).map(|l| format!("{} limit {l}", c.name)))
                .collect();
            let (description, anomaly_type) = if !unlimited.is_empty()
                && (!named_victim.is_empty() || !oom_kills.is_empty() || big)
            {
                let requests = unlimited.iter().all(|c| memory_request(c).is_none());
                (
                    format!(
                        "memory of {} {}/{} is unbounded (container{} {}: no memory limit{}{})",
                        w.kind,
                        w.namespace,
                        w.name,
                        if unlimited.len() > 1 { "s" } else { "" },
                        unlimited.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join(", "),
                        if requests { " nor request" } else { "" },
                        if used > 0.0 { format!("; {} in use at capture", gib(used)) } else { String::new() }
                    ),
                    // One reading is a level, not a trend.
                    AnomalyType::LevelShift,
                )
            } else if unlimited.is_empty() && !oom_kills.is_empty() {
                // OOM kills that coincide with a SystemOOM on the same node are the node's doing.
                let own: Vec<&&Fact> = oom_kills
                    .iter()
                    .filter(|k| {
                        !self.facts.iter().any(|f| {
                            f.class == Class::NodeMem
                                && f.host == k.host
                                && self.nodes[f.node].event.as_ref().is_some_and(|e| e.reason == "SystemOOM")
                                && k.time.duration_since(f.time).abs().as_secs() <= 120
                        })
                    })
                    .collect();
                if own.is_empty() {
                    continue;
                }
                (
                    format!(
                        "memory of {} {}/{} reached its limit ({})",
                        w.kind,
                        w.namespace,
                        w.name,
                        limit_text.join(", ")
                    ),
                    AnomalyType::LevelShift,
                )
            } else {
                continue;
            };
            // Growth starts before its first visible effect: the earliest memory trouble where it ran.
            let first = self
                .facts
                .iter()
                .filter(|f| {
                    (f.class == Class::NodeMem
                        && f.host.as_ref().is_some_and(|h| hosts.contains(h))
                        && !unlimited.is_empty())
                        || (f.class == Class::OomKill && mine(f))
                })
                .map(|f| f.time)
                .chain(named_victim.iter().map(|f| f.time))
                .min()
                .unwrap_or(self.now);
            new_facts.push((w.clone(), description, anomaly_type, first, used, hosts));
        }
        for (w, description, anomaly_type, first, used, hosts) in new_facts {
            let mut n = Node::new("", NodeKind::MetricAnomaly);
            // Dated by its earliest effect: an inference, which its edges must say.
            n.time = Some(first);
            n.time_inferred = true;
            n.entity = Some(entity_of(&w));
            n.description = Some(description);
            n.metric = Some(Metric {
                name: "memory_working_set_bytes".into(),
                query: None,
                labels: [("namespace".to_string(), w.namespace.clone())].into_iter().collect(),
                unit: Some("bytes".into()),
            });
            n.anomaly = Some(Anomaly {
                type_: Some(anomaly_type),
                direction: Some(Direction::Up),
                baseline: None,
                observed: (used > 0.0).then_some(used),
                score: None,
                detector: Some("sleuth rules".into()),
            });
            n.source = Some(Source {
                system: Some("kubernetes".into()),
                reference: Some("pod specs, metrics.k8s.io, events".into()),
                actor: None,
            });
            let i = self.add(&format!("memory-{}", slug(&w.name)), n);
            let host_text = hosts.into_iter().collect::<Vec<_>>().join(",");
            self.fact(i, Class::Memory, w.clone(), w, None, host_text);
        }
    }
}
