//! The propagation rules as a table: `(from class, to class, guard, strength, evidence, name)`.
//!
//! Each row says which kind of fact can cause which, under what condition (same workload, same
//! node, a new image named in a pull error, …), how strong the link is (fixed, or weaker as the
//! lag grows) and what evidence the edge cites. Rows are tried in order and the first that
//! matches links the pair, so specific rows (a new image that fails to pull) come before
//! general ones (a rollout before a failure). Edges only ever point forward in time; when either
//! end's time is inferred rather than observed, the edge says `assumed_precedence`.
//! `graph::tests` holds one fixture per row with a healthy twin that must not link.

use std::collections::HashMap;

use rcagraph::schema::Relation;
use serde_json::{Value, json};

use crate::rules::ObjRef;

use super::builder::{Builder, Class, Fact, first_line};

/// How strong a link is.
#[derive(Debug, Clone, Copy)]
pub(super) enum Strength {
    /// Always this relation and confidence.
    Fixed(Relation, f64),
    /// Caused when within `close` seconds, weaker up to `medium`, weak after; at most `cap`.
    ByLag { close: i64, medium: i64, cap: f64 },
}

/// Evidence an edge cites besides the order in time.
#[derive(Debug, Clone, Copy)]
pub(super) enum Ev {
    SameNode,
    SameEntity,
    OwnerChain,
    /// The effect's message, first line.
    LogMatch,
    Dependency,
    Domain(&'static str),
}

/// Two facts a rule may link, and what every guard needs to know about them.
pub(super) struct Pair<'f> {
    pub(super) a: &'f Fact,
    pub(super) b: &'f Fact,
    pub(super) i: usize,
    pub(super) j: usize,
    pub(super) lag: i64,
    pub(super) same_host: bool,
}

/// One row of the table.
pub(super) struct Rule {
    pub(super) name: &'static str,
    pub(super) from: &'static [Class],
    pub(super) to: &'static [Class],
    pub(super) guard: fn(&Builder, &Pair) -> bool,
    pub(super) strength: Strength,
    pub(super) evidence: &'static [Ev],
}

use Class as C;
use Relation::{Caused, ContributesTo};

fn same_root(_: &Builder, p: &Pair) -> bool {
    p.a.root == p.b.root
}

fn same_object(_: &Builder, p: &Pair) -> bool {
    p.a.object == p.b.object
}

fn same_host(_: &Builder, p: &Pair) -> bool {
    p.same_host
}

/// Whether `text` names one of `names` as a host (`db`, `db.shop`, `db.shop.svc…`, an IP),
/// not as part of a longer word.
pub(super) fn names_one(names: &[String], text: &str) -> bool {
    let t = text.to_ascii_lowercase();
    names.iter().filter(|n| n.len() >= 2).any(|n| {
        let n = n.to_ascii_lowercase();
        t.match_indices(n.as_str()).any(|(at, _)| {
            let before = t[..at].chars().next_back();
            let after = t[at + n.len()..].chars().next();
            let edge =
                |c: Option<char>| c.is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'));
            edge(before) && edge(after)
        })
    })
}

fn text_has(p: &Pair, words: &[&str]) -> bool {
    let t = p.b.text.to_ascii_lowercase();
    words.iter().any(|w| t.contains(w))
}

/// The rows, in the order they are tried.
pub(super) const RULES: &[Rule] = &[
    Rule {
        name: "new-image-fails-to-pull",
        from: &[C::Change],
        to: &[C::ImagePull],
        guard: |_, p| {
            p.a.root == p.b.root && p.a.new_images.iter().any(|img| p.b.text.contains(img.as_str()))
        },
        strength: Strength::Fixed(Caused, 0.95),
        evidence: &[Ev::OwnerChain, Ev::LogMatch],
    },
    Rule {
        name: "probe-change-restarts",
        from: &[C::Change],
        to: &[C::Crash],
        guard: |_, p| {
            p.a.root == p.b.root && p.a.changed.iter().any(|f| f.ends_with(".probes")) && p.lag <= 1800
        },
        strength: Strength::Fixed(Caused, 0.85),
        evidence: &[
            Ev::OwnerChain,
            Ev::Domain("a changed probe kills or unreadies containers that were healthy"),
        ],
    },
    Rule {
        name: "config-change-crashes",
        from: &[C::Change],
        to: &[C::Crash],
        guard: |_, p| {
            p.a.root == p.b.root
                && p.lag <= 1800
                && p.a.changed.iter().any(|f| {
                    f.contains(".env.")
                        || f.ends_with(".args")
                        || f.ends_with(".command")
                        || f == "config references"
                        || f == "data"
                })
        },
        strength: Strength::Fixed(Caused, 0.85),
        evidence: &[Ev::OwnerChain, Ev::LogMatch],
    },
    Rule {
        name: "rollout-precedes-failure",
        from: &[C::Change],
        to: &[C::ImagePull, C::Crash, C::OomKill, C::Workload, C::Sched],
        guard: same_root,
        strength: Strength::ByLag { close: 600, medium: 1800, cap: 0.8 },
        evidence: &[Ev::OwnerChain],
    },
    Rule {
        name: "rollout-precedes-memory-growth",
        from: &[C::Change],
        to: &[C::Memory],
        guard: same_root,
        strength: Strength::ByLag { close: 300, medium: 900, cap: 0.7 },
        evidence: &[Ev::SameEntity],
    },
    Rule {
        name: "policy-change-blocks-traffic",
        from: &[C::Policy],
        to: &[C::Crash, C::Workload, C::Symptom],
        // A symptom is seen at capture time, however long after the change it began.
        guard: |_, p| p.a.root == p.b.root && (p.lag <= 3600 || p.b.class == C::Symptom),
        strength: Strength::Fixed(ContributesTo, 0.7),
        evidence: &[Ev::Domain(
            "a NetworkPolicy that selects these pods drops the traffic it does not allow",
        )],
    },
    Rule {
        name: "quota-blocks-creates",
        from: &[C::Quota],
        to: &[C::Workload],
        guard: |_, p| {
            p.a.object.namespace == p.b.object.namespace
                && text_has(p, &["exceeded quota", "forbidden: exceeded"])
        },
        strength: Strength::Fixed(Caused, 0.85),
        evidence: &[Ev::LogMatch],
    },
    Rule {
        name: "node-change-blocks-scheduling",
        from: &[C::NodeChange],
        to: &[C::Sched],
        guard: |_, p| text_has(p, &["unschedulable", "untolerated taint", "had taint"]),
        strength: Strength::Fixed(ContributesTo, 0.7),
        evidence: &[Ev::LogMatch],
    },
    Rule {
        name: "memory-growth-oom-kill",
        from: &[C::Memory],
        to: &[C::OomKill],
        guard: same_root,
        strength: Strength::Fixed(Caused, 0.9),
        evidence: &[Ev::SameEntity, Ev::OwnerChain],
    },
    Rule {
        name: "unbounded-memory-exhausts-node",
        from: &[C::Memory],
        to: &[C::NodeMem],
        guard: |b, p| memory_on(p) && victim_named(b, p),
        strength: Strength::Fixed(Caused, 0.85),
        evidence: &[Ev::SameNode, Ev::LogMatch],
    },
    Rule {
        name: "unbounded-memory-pressures-node",
        from: &[C::Memory],
        to: &[C::NodeMem],
        guard: |_, p| memory_on(p),
        strength: Strength::Fixed(ContributesTo, 0.6),
        evidence: &[
            Ev::SameNode,
            Ev::Domain("a container without a memory limit can take all of its node's memory"),
        ],
    },
    Rule {
        name: "node-oom-kills-pods",
        from: &[C::NodeMem],
        to: &[C::OomKill],
        guard: |_, p| p.same_host && p.lag <= 120,
        strength: Strength::Fixed(Caused, 0.85),
        evidence: &[Ev::SameNode],
    },
    Rule {
        name: "memory-pressure-evicts",
        from: &[C::NodeMem],
        to: &[C::Evict],
        guard: |b, p| p.same_host && b.event_reason(p.j) == Some("Evicted"),
        strength: Strength::Fixed(Caused, 0.9),
        evidence: &[Ev::SameNode],
    },
    Rule {
        name: "memory-exhaustion-starves-kubelet",
        from: &[C::NodeMem],
        to: &[C::NotReady],
        guard: |_, p| p.same_host && p.lag <= 3600,
        strength: Strength::Fixed(ContributesTo, 0.6),
        evidence: &[Ev::SameEntity, Ev::Domain("a node out of memory stops posting status")],
    },
    Rule {
        name: "node-pressure-fails-probes",
        from: &[C::NodeMem],
        to: &[C::Crash],
        guard: same_host,
        strength: Strength::Fixed(ContributesTo, 0.5),
        evidence: &[Ev::SameNode],
    },
    Rule {
        name: "memory-pressure-continues",
        from: &[C::NodeMem],
        to: &[C::NodeMem],
        guard: |b, p| p.same_host && b.next_on_host.get(&p.i) == Some(&p.j),
        strength: Strength::Fixed(Caused, 0.8),
        evidence: &[Ev::SameNode],
    },
    Rule {
        name: "pressure-taint-blocks-scheduling",
        from: &[C::NodeMem],
        to: &[C::Sched],
        guard: |b, p| {
            p.b.text.contains("memory-pressure")
                && p.a.host.as_ref().is_some_and(|h| b.idx.memory_pressure.contains(h))
        },
        strength: Strength::Fixed(ContributesTo, 0.6),
        evidence: &[Ev::LogMatch],
    },
    Rule {
        name: "not-ready-taint-evicts",
        from: &[C::NotReady],
        to: &[C::Evict],
        guard: same_host,
        strength: Strength::Fixed(Caused, 0.95),
        evidence: &[Ev::SameNode, Ev::Domain("the taint manager evicts pods from unreachable nodes")],
    },
    Rule {
        name: "not-ready-fails-probes",
        from: &[C::NotReady],
        to: &[C::Crash],
        guard: same_host,
        strength: Strength::Fixed(ContributesTo, 0.5),
        evidence: &[Ev::SameNode],
    },
    Rule {
        name: "unreachable-taint-blocks-scheduling",
        from: &[C::NotReady],
        to: &[C::Sched],
        guard: |_, p| p.b.text.contains("unreachable") || p.b.text.contains("not-ready"),
        strength: Strength::Fixed(ContributesTo, 0.6),
        evidence: &[Ev::LogMatch],
    },
    Rule {
        name: "eviction-forces-replacement",
        from: &[C::Evict],
        to: &[C::Resched, C::Workload, C::Sched],
        guard: |_, p| p.a.root == p.b.root && p.a.root.kind != "Pod",
        strength: Strength::Fixed(Caused, 0.85),
        evidence: &[Ev::OwnerChain],
    },
    Rule {
        name: "rescheduled-load-pressures-node",
        from: &[C::Resched],
        to: &[C::NodeMem],
        guard: same_host,
        strength: Strength::Fixed(ContributesTo, 0.6),
        evidence: &[Ev::SameNode],
    },
    Rule {
        name: "oom-kill-restarts",
        from: &[C::OomKill],
        to: &[C::Crash],
        guard: same_object,
        strength: Strength::Fixed(Caused, 0.8),
        evidence: &[Ev::SameEntity],
    },
    Rule {
        name: "pull-failure-backs-off",
        from: &[C::ImagePull],
        to: &[C::ImagePull, C::Crash],
        guard: |b, p| p.a.object == p.b.object && b.event_reason(p.i) != b.event_reason(p.j),
        strength: Strength::Fixed(Caused, 0.8),
        evidence: &[Ev::SameEntity],
    },
    Rule {
        name: "dns-failure-breaks-clients",
        from: &[C::Symptom],
        to: &[C::Symptom],
        guard: |_, p| p.a.affects.contains(&p.b.root),
        strength: Strength::Fixed(Caused, 0.85),
        evidence: &[
            Ev::Dependency,
            Ev::Domain("every lookup of a cluster name goes through the cluster DNS"),
        ],
    },
    Rule {
        name: "dependency-down-fails-callers",
        from: &[C::Symptom],
        to: &[C::Symptom],
        guard: |b, p| {
            p.a.root != p.b.root
                && !p.a.names.is_empty()
                && names_one(&p.a.names, &p.b.text)
                && !serves(b, &p.a.root, &p.b.root)
        },
        strength: Strength::Fixed(ContributesTo, 0.7),
        evidence: &[Ev::Dependency, Ev::LogMatch],
    },
    Rule {
        name: "node-churn",
        from: &[C::NodeChurn],
        to: &[
            C::Change,
            C::Memory,
            C::NodeMem,
            C::NotReady,
            C::Evict,
            C::Sched,
            C::OomKill,
            C::ImagePull,
            C::Crash,
            C::Workload,
            C::Resched,
        ],
        guard: same_host,
        strength: Strength::Fixed(ContributesTo, 0.4),
        evidence: &[Ev::SameNode],
    },
];

impl Ev {
    fn json(self, b: &Fact) -> Value {
        match self {
            Ev::SameNode => json!({"kind": "same_node"}),
            Ev::SameEntity => json!({"kind": "same_entity"}),
            Ev::OwnerChain => json!({"kind": "owner_chain"}),
            Ev::LogMatch => json!({"kind": "log_match", "line": first_line(&b.text)}),
            Ev::Dependency => json!({"kind": "dependency"}),
            Ev::Domain(rule) => json!({"kind": "domain_rule", "rule": rule}),
        }
    }
}

/// Whether memory fact `a` ran on the node of node-memory fact `b`.
fn memory_on(p: &Pair) -> bool {
    p.b.host.as_ref().is_some_and(|h| p.a.text.split(',').any(|x| x == h))
}

/// Whether `workload` is behind Service `service` (then it is a backend, not a caller).
fn serves(b: &Builder, service: &ObjRef, workload: &ObjRef) -> bool {
    cluster::query::service_pods(b.data, &service.namespace, &service.name)
        .iter()
        .any(|p| b.idx.root("Pod", &p.metadata) == *workload)
}

/// Whether the node's out-of-memory event names one of the workload's containers as victim.
fn victim_named(b: &Builder, p: &Pair) -> bool {
    b.workload_containers(&p.a.root).iter().any(|c| p.b.text.contains(&format!("victim process: {c}")))
}

/// The propagation rules, applied to every pair of facts that share a root, an object or a
/// node (or that a scheduling failure, a quota or a namespace-wide change may reach).
pub(super) fn link_all(b: &mut Builder) {
    let n = b.facts.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&i| (b.facts[i].time, i));
    let mut rank = vec![0; n];
    for (k, &i) in order.iter().enumerate() {
        rank[i] = k;
    }
    // Index the facts, so a capture with tens of thousands of events is linked in
    // near-linear time rather than by comparing every pair.
    let mut by_root: HashMap<ObjRef, Vec<usize>> = HashMap::new();
    let mut by_object: HashMap<ObjRef, Vec<usize>> = HashMap::new();
    let mut by_host: HashMap<String, Vec<usize>> = HashMap::new();
    let mut by_namespace: HashMap<String, Vec<usize>> = HashMap::new();
    let mut sched: Vec<usize> = Vec::new();
    for (k, f) in b.facts.iter().enumerate() {
        by_root.entry(f.root.clone()).or_default().push(k);
        by_object.entry(f.object.clone()).or_default().push(k);
        if let Some(h) = &f.host {
            by_host.entry(h.clone()).or_default().push(k);
        }
        if f.class == Class::Workload {
            by_namespace.entry(f.object.namespace.clone()).or_default().push(k);
        }
        if f.class == Class::Sched {
            sched.push(k);
        }
    }
    // The next node-memory fact on the same node, for "pressure continues".
    b.next_on_host.clear();
    let mut last: HashMap<&str, usize> = HashMap::new();
    for &i in &order {
        let f = &b.facts[i];
        if let (Class::NodeMem, Some(h)) = (f.class, &f.host)
            && let Some(prev) = last.insert(h.as_str(), i)
        {
            b.next_on_host.insert(prev, i);
        }
    }
    for &i in &order {
        let a = &b.facts[i];
        let mut candidates: Vec<usize> = Vec::new();
        candidates.extend(by_root.get(&a.root).into_iter().flatten());
        candidates.extend(by_object.get(&a.object).into_iter().flatten());
        if let Some(h) = &a.host {
            candidates.extend(by_host.get(h).into_iter().flatten());
        }
        match a.class {
            Class::Memory => {
                for h in a.text.split(',') {
                    candidates.extend(by_host.get(h).into_iter().flatten());
                }
            }
            Class::NodeMem | Class::NotReady | Class::NodeChange => candidates.extend(&sched),
            Class::Quota => {
                candidates.extend(by_namespace.get(&a.object.namespace).into_iter().flatten());
            }
            _ => {}
        }
        candidates.sort_unstable_by_key(|&j| rank[j]);
        candidates.dedup();
        for j in candidates {
            apply(b, i, j);
        }
    }
}

/// Links facts `i` → `j` by the first row of the table that matches them, if any.
pub(super) fn apply(builder: &mut Builder, from: usize, to: usize) {
    if from == to || builder.facts[to].time < builder.facts[from].time {
        return;
    }
    let (a, b) = (&builder.facts[from], &builder.facts[to]);
    let pair = Pair {
        a,
        b,
        i: from,
        j: to,
        lag: b.time.duration_since(a.time).as_secs(),
        same_host: a.host.is_some() && a.host == b.host,
    };
    let Some(rule) = RULES
        .iter()
        .find(|r| r.from.contains(&a.class) && r.to.contains(&b.class) && (r.guard)(builder, &pair))
    else {
        return;
    };
    let (relation, confidence) = match rule.strength {
        Strength::Fixed(rel, c) => (rel, c),
        Strength::ByLag { close, medium, cap } => {
            let (rel, c) = super::builder::lag_confidence(pair.lag, close, medium);
            (rel, c.min(cap))
        }
    };
    let evidence: Vec<Value> = rule.evidence.iter().map(|e| e.json(b)).collect();
    builder.link(from, to, relation, confidence, rule.name, evidence);
}
