//! The propagation rules: which facts cause which, each edge named `rule:<name>` with its
//! evidence, and only ever forward in time.

use std::collections::HashMap;

use rcagraph::schema::Relation;
use serde_json::json;

use crate::rules::ObjRef;

use super::builder::{Builder, Class, first_line, lag_confidence};

impl Builder<'_> {
    /// The propagation rules.
    pub(super) fn rules(&mut self) {
        let n = self.facts.len();
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by_key(|&i| (self.facts[i].time, i));
        let rank: Vec<usize> = {
            let mut r = vec![0; n];
            for (k, &i) in order.iter().enumerate() {
                r[i] = k;
            }
            r
        };
        // Every rule links facts about the same root, object or node, or a scheduling failure
        // to what its message names: index those, so a capture with tens of thousands of
        // events is linked in near-linear time rather than by comparing every pair.
        let mut by_root: HashMap<ObjRef, Vec<usize>> = HashMap::new();
        let mut by_object: HashMap<ObjRef, Vec<usize>> = HashMap::new();
        let mut by_host: HashMap<String, Vec<usize>> = HashMap::new();
        let mut sched: Vec<usize> = Vec::new();
        for (k, f) in self.facts.iter().enumerate() {
            by_root.entry(f.root.clone()).or_default().push(k);
            by_object.entry(f.object.clone()).or_default().push(k);
            if let Some(h) = &f.host {
                by_host.entry(h.clone()).or_default().push(k);
            }
            if f.class == Class::Sched {
                sched.push(k);
            }
        }
        for &i in &order {
            let a = &self.facts[i];
            let mut candidates: Vec<usize> = Vec::new();
            candidates.extend(by_root.get(&a.root).into_iter().flatten());
            candidates.extend(by_object.get(&a.object).into_iter().flatten());
            if let Some(h) = &a.host {
                candidates.extend(by_host.get(h).into_iter().flatten());
            }
            if a.class == Class::Memory {
                for h in a.text.split(',') {
                    candidates.extend(by_host.get(h).into_iter().flatten());
                }
            }
            if matches!(a.class, Class::NodeMem | Class::NotReady) {
                candidates.extend(&sched);
            }
            candidates.sort_unstable_by_key(|&j| rank[j]);
            candidates.dedup();
            for j in candidates {
                if i == j || self.facts[j].time < self.facts[i].time {
                    continue;
                }
                let (a, b) = (self.facts[i].clone(), self.facts[j].clone());
                let lag = b.time.duration_since(a.time).as_secs();
                let same_host = a.host.is_some() && a.host == b.host;
                match (a.class, b.class) {
                    // A rollout precedes its own pods' failures; the longer the gap, the weaker.
                    (
                        Class::Change,
                        Class::ImagePull | Class::Crash | Class::OomKill | Class::Workload | Class::Sched,
                    ) if a.root == b.root => {
                        if b.class == Class::ImagePull
                            && a.new_images.iter().any(|img| b.text.contains(img.as_str()))
                        {
                            self.link(
                                i,
                                j,
                                Relation::Caused,
                                0.95,
                                "new-image-fails-to-pull",
                                vec![
                                    json!({"kind": "owner_chain"}),
                                    json!({"kind": "log_match", "line": first_line(&b.text)}),
                                ],
                            );
                        } else {
                            let (rel, c) = lag_confidence(lag, 600, 1800);
                            self.link(
                                i,
                                j,
                                rel,
                                c,
                                "rollout-precedes-failure",
                                vec![json!({"kind": "owner_chain"})],
                            );
                        }
                    }
                    (Class::Change, Class::Memory) if a.root == b.root => {
                        let (rel, c) = lag_confidence(lag, 300, 900);
                        self.link(
                            i,
                            j,
                            rel,
                            c.min(0.7),
                            "rollout-precedes-memory-growth",
                            vec![json!({"kind": "same_entity"})],
                        );
                    }
                    (Class::Memory, Class::OomKill) if a.root == b.root => {
                        self.link(
                            i,
                            j,
                            Relation::Caused,
                            0.9,
                            "memory-growth-oom-kill",
                            vec![json!({"kind": "same_entity"}), json!({"kind": "owner_chain"})],
                        );
                    }
                    (Class::Memory, Class::NodeMem)
                        if b.host.as_ref().is_some_and(|h| a.text.split(',').any(|x| x == h)) =>
                    {
                        let container_named = self.nodes[a.node].entity.as_ref().is_some_and(|_| {
                            self.workload_containers(&a.root)
                                .iter()
                                .any(|c| b.text.contains(&format!("victim process: {c}")))
                        });
                        if container_named {
                            self.link(
                                i,
                                j,
                                Relation::Caused,
                                0.85,
                                "unbounded-memory-exhausts-node",
                                vec![
                                    json!({"kind": "same_node"}),
                                    json!({"kind": "log_match", "line": first_line(&b.text)}),
                                ],
                            );
                        } else {
                            self.link(i, j, Relation::ContributesTo, 0.6, "unbounded-memory-exhausts-node", vec![json!({"kind": "same_node"}), json!({"kind": "domain_rule", "rule": "a container without a memory limit can take all of its node's memory"})]);
                        }
                    }
                    (Class::NodeMem, Class::OomKill) if same_host && lag <= 120 => {
                        self.link(
                            i,
                            j,
                            Relation::Caused,
                            0.85,
                            "node-oom-kills-pods",
                            vec![json!({"kind": "same_node"})],
                        );
                    }
                    (Class::NodeMem, Class::Evict)
                        if same_host && self.event_reason(j) == Some("Evicted") =>
                    {
                        self.link(
                            i,
                            j,
                            Relation::Caused,
                            0.9,
                            "memory-pressure-evicts",
                            vec![json!({"kind": "same_node"})],
                        );
                    }
                    (Class::NodeMem, Class::NotReady) if same_host && lag <= 3600 => {
                        self.link(i, j, Relation::ContributesTo, 0.6, "memory-exhaustion-starves-kubelet", vec![json!({"kind": "same_entity"}), json!({"kind": "domain_rule", "rule": "a node out of memory stops posting status"})]);
                    }
                    (Class::NodeMem, Class::Crash) if same_host => {
                        self.link(
                            i,
                            j,
                            Relation::ContributesTo,
                            0.5,
                            "node-pressure-fails-probes",
                            vec![json!({"kind": "same_node"})],
                        );
                    }
                    (Class::NotReady, Class::Evict) if same_host => {
                        self.link(i, j, Relation::Caused, 0.95, "not-ready-taint-evicts", vec![json!({"kind": "same_node"}), json!({"kind": "domain_rule", "rule": "the taint manager evicts pods from unreachable nodes"})]);
                    }
                    (Class::NotReady, Class::Crash) if same_host => {
                        self.link(
                            i,
                            j,
                            Relation::ContributesTo,
                            0.5,
                            "not-ready-fails-probes",
                            vec![json!({"kind": "same_node"})],
                        );
                    }
                    (Class::Evict, Class::Resched | Class::Workload | Class::Sched)
                        if a.root == b.root && a.root.kind != "Pod" =>
                    {
                        self.link(
                            i,
                            j,
                            Relation::Caused,
                            0.85,
                            "eviction-forces-replacement",
                            vec![json!({"kind": "owner_chain"})],
                        );
                    }
                    (Class::Resched, Class::NodeMem) if same_host => {
                        self.link(
                            i,
                            j,
                            Relation::ContributesTo,
                            0.6,
                            "rescheduled-load-pressures-node",
                            vec![json!({"kind": "same_node"})],
                        );
                    }
                    (Class::NodeMem, Class::NodeMem) if same_host => {
                        // Only to the next memory event on the node: the pressure continues.
                        let here = order.iter().position(|&k| k == i).expect("in order");
                        let next = order[here + 1..]
                            .iter()
                            .copied()
                            .find(|&k| self.facts[k].class == Class::NodeMem && self.facts[k].host == a.host);
                        if next == Some(j) {
                            self.link(
                                i,
                                j,
                                Relation::Caused,
                                0.8,
                                "memory-pressure-continues",
                                vec![json!({"kind": "same_node"})],
                            );
                        }
                    }
                    (Class::NodeMem, Class::Sched)
                        if b.text.contains("memory-pressure")
                            && a.host.as_ref().is_some_and(|h| self.idx.memory_pressure.contains(h)) =>
                    {
                        self.link(
                            i,
                            j,
                            Relation::ContributesTo,
                            0.6,
                            "pressure-taint-blocks-scheduling",
                            vec![json!({"kind": "log_match", "line": first_line(&b.text)})],
                        );
                    }
                    (Class::NotReady, Class::Sched)
                        if b.text.contains("unreachable") || b.text.contains("not-ready") =>
                    {
                        self.link(
                            i,
                            j,
                            Relation::ContributesTo,
                            0.6,
                            "unreachable-taint-blocks-scheduling",
                            vec![json!({"kind": "log_match", "line": first_line(&b.text)})],
                        );
                    }
                    (Class::OomKill, Class::Crash) if a.object == b.object => {
                        self.link(
                            i,
                            j,
                            Relation::Caused,
                            0.8,
                            "oom-kill-restarts",
                            vec![json!({"kind": "same_entity"})],
                        );
                    }
                    (Class::ImagePull, Class::ImagePull | Class::Crash)
                        if a.object == b.object && self.event_reason(i) != self.event_reason(j) =>
                    {
                        self.link(
                            i,
                            j,
                            Relation::Caused,
                            0.8,
                            "pull-failure-backs-off",
                            vec![json!({"kind": "same_entity"})],
                        );
                    }
                    (Class::NodeChurn, _) if same_host => {
                        self.link(
                            i,
                            j,
                            Relation::ContributesTo,
                            0.4,
                            "node-churn",
                            vec![json!({"kind": "same_node"})],
                        );
                    }
                    _ => {}
                }
            }
        }
    }
}
