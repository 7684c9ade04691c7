//! Analyzers: every rule of `reference/analyzers.md` over one capture, findings grouped by root.
//!
//! Rules are pure functions over a [`ClusterData`] and an [`Index`] built once (events by
//! object, pods by owner and node, lookups by name), so the cost does not depend on how many
//! rules fire and no rule makes a request (R1). Each rule emits [`Hit`]s about the object it
//! judged; grouping folds hits of one rule and one root object (Pod → ReplicaSet → Deployment,
//! Pod → Job → CronJob) into one [`Finding`] listing the pods as evidence (R8), merges the rows
//! the conformance table says belong together (PVC-1+STO-6, POD-5/9/11 of one container), links
//! related findings (node pressure → evictions), applies suppressions, and ranks by severity.

mod absent;
pub mod cause;
mod config;
mod cron;
mod dns;
mod finding;
mod index;
mod network;
mod nodes;
mod pods;
mod policy;
mod storage;
mod why;
mod workloads;

use std::collections::BTreeMap;
use std::time::Instant;

pub use finding::{Because, Finding, Hit, ObjRef, Options, Report, Severity, Summary, Suppression};
pub use index::Index;

use cluster::data::ClusterData;
use cluster::kind::Kind;

type RuleFn = fn(&ClusterData, &Index, &Options, &mut Vec<Hit>);

const FAMILIES: &[(&str, RuleFn)] = &[
    ("pods", pods::run),
    ("logs", pods::logs),
    ("workloads", workloads::run),
    ("network", network::run),
    ("nodes", nodes::run),
    ("storage", storage::run),
    ("config", config::run),
    ("policies", policy::run),
    ("dns", dns::run),
    ("events", absent::run),
];

/// Run every rule over `data`.
pub fn analyze(data: &ClusterData, opts: &Options) -> Report {
    let start = Instant::now();
    let index = Index::build(data);
    let mut timings = BTreeMap::new();
    timings.insert("index".to_string(), start.elapsed().as_micros() as u64);
    let mut hits = Vec::new();
    for (name, rule) in FAMILIES {
        let t = Instant::now();
        rule(data, &index, opts, &mut hits);
        timings.insert((*name).to_string(), t.elapsed().as_micros() as u64);
    }
    if let Some((kind, name)) = &opts.target {
        let k = kind.info().kind;
        hits.retain(|h| {
            (h.object.kind == k && &h.object.name == name) || (h.root.kind == k && &h.root.name == name)
        });
    }
    let mut findings = group(hits);
    link(&mut findings);
    rank(&mut findings);
    let before = findings.len();
    findings.retain(|f| !opts.suppress.iter().any(|s| s.matches(f)));
    let suppressed = before - findings.len();
    let mut summary = Summary {
        total: findings.len(),
        suppressed,
        source: data.info.source.clone(),
        captured_at: data.info.captured_at.map(|t| t.to_string()),
        namespaces: data.info.namespaces.clone(),
        timings_us: timings,
        skipped: data.problems.iter().map(ToString::to_string).collect(),
        ..Summary::default()
    };
    for f in &findings {
        *summary.by_severity.entry(f.severity.to_string()).or_default() += 1;
        *summary.by_rule.entry(f.rule.clone()).or_default() += 1;
    }
    for &k in Kind::ALL {
        let n = data.objects.count(k);
        if n > 0 {
            summary.objects.insert(k.name(), n);
        }
        // Events and endpoints have two sources; one captured is enough. Metrics are optional.
        let covered = match k {
            Kind::EventV1 => data.captured.contains(&Kind::Event),
            Kind::Event => data.captured.contains(&Kind::EventV1),
            Kind::Endpoints => data.captured.contains(&Kind::EndpointSlice),
            Kind::EndpointSlice => data.captured.contains(&Kind::Endpoints),
            Kind::PodMetrics | Kind::NodeMetrics => true,
            _ => false,
        };
        if let cluster::data::Completeness::Unverifiable(reason) = data.completeness(k, None).clone()
            && !covered
        {
            summary.unverifiable.insert(k.name(), reason);
        }
    }
    Report { findings, summary }
}

/// Rules whose finding absorbs another rule's finding on the same root and object.
const MERGES: &[(&str, &str)] = &[
    ("PVC-1", "STO-6"),
    ("POD-5", "POD-11"),
    ("POD-9", "POD-11"),
    ("POD-5", "POD-9"),
    ("POD-5", "POD-7"),
    ("POD-1", "POD-10"),
];

/// Most evidence lines and pods kept per finding; the rest are counted.
const MAX_EVIDENCE: usize = 12;

fn group(hits: Vec<Hit>) -> Vec<Finding> {
    // Merge secondary rules into primaries first: same root, and same object when the object
    // is a pod (POD-11 of pod A must not vanish into POD-5 of pod B).
    let mut primaries: std::collections::HashSet<(&'static str, ObjRef, ObjRef)> =
        std::collections::HashSet::new();
    for h in &hits {
        primaries.insert((h.rule, h.root.clone(), h.object.clone()));
    }
    let mut absorbed: BTreeMap<(ObjRef, &'static str), Vec<&'static str>> = BTreeMap::new();
    let mut kept = Vec::new();
    for h in hits {
        let into = MERGES
            .iter()
            .find(|(p, s)| *s == h.rule && primaries.contains(&(*p, h.root.clone(), h.object.clone())))
            .map(|(p, _)| *p);
        match into {
            Some(p) => {
                let v = absorbed.entry((h.root.clone(), p)).or_default();
                if !v.contains(&h.rule) {
                    v.push(h.rule);
                }
                kept.push(Hit { rule: p, message: String::new(), ..h });
            }
            None => kept.push(h),
        }
    }
    let mut groups: BTreeMap<(&'static str, ObjRef), Vec<Hit>> = BTreeMap::new();
    for h in kept {
        groups.entry((h.rule, h.root.clone())).or_default().push(h);
    }
    let findings: Vec<Finding> = groups
        .into_iter()
        .map(|((rule, root), hits)| {
            let severity = hits.iter().map(|h| h.severity).max().unwrap_or(Severity::Info);
            let mut pods: Vec<String> = hits
                .iter()
                .filter(|h| h.object.kind == "Pod")
                .map(|h| format!("{}/{}", h.object.namespace, h.object.name))
                .collect();
            pods.sort();
            pods.dedup();
            let mut evidence: Vec<String> = Vec::new();
            let messages: Vec<&Hit> = hits.iter().filter(|h| !h.message.is_empty()).collect();
            for h in &hits {
                for e in &h.evidence {
                    let line = if hits.len() > 1 && h.object != root {
                        format!("{}: {e}", h.object.name)
                    } else {
                        e.clone()
                    };
                    if !evidence.contains(&line) {
                        evidence.push(line);
                    }
                }
            }
            // A grouped finding speaks of the root; its first message is representative.
            let first = messages.first().copied().unwrap_or(&hits[0]);
            let message = if pods.len() > 1 && first.object.kind == "Pod" {
                format!("{} pods of {root}: {}", pods.len(), first.message)
            } else {
                first.message.clone()
            };
            if evidence.len() > MAX_EVIDENCE {
                let more = evidence.len() - MAX_EVIDENCE;
                evidence.truncate(MAX_EVIDENCE);
                evidence.push(format!("… and {more} more"));
            }
            let state = hits.iter().find_map(|h| h.state).map(String::from);
            let (cause, detail) = cause_of(rule, &hits);
            let mut containers: Vec<String> = Vec::new();
            let mut objects: Vec<ObjRef> = Vec::new();
            for h in &hits {
                for c in &h.containers {
                    if !containers.contains(c) {
                        containers.push(c.clone());
                    }
                }
                for o in &h.objects {
                    if !objects.contains(o) {
                        objects.push(o.clone());
                    }
                }
            }
            // One node when every occurrence happened on it; spread findings name none.
            let node = hits[0].node.clone().filter(|n| hits.iter().all(|h| h.node.as_ref() == Some(n)));
            let also = absorbed
                .get(&(root.clone(), rule))
                .map(|v| v.iter().map(|s| (*s).to_string()).collect())
                .unwrap_or_default();
            Finding {
                rule: rule.to_string(),
                also,
                severity,
                kind: root.kind.clone(),
                namespace: (!root.namespace.is_empty()).then(|| root.namespace.clone()),
                name: root.name.clone(),
                cause,
                message,
                evidence,
                pods,
                hint: first.hint.clone(),
                state,
                related: Vec::new(),
                detail,
                node,
                containers,
                objects,
                explained_by: Vec::new(),
            }
        })
        .collect();
    findings
}

/// Worst first; within a severity, causes before the symptoms they produce.
fn rank(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(priority(&a.rule).cmp(&priority(&b.rule)))
            .then(b.pods.len().cmp(&a.pods.len()))
            .then(a.rule.cmp(&b.rule))
            .then(a.namespace.cmp(&b.namespace))
            .then(a.name.cmp(&b.name))
    });
}

/// The finding's cause: the tag most of its occurrences carry (the worst one's on a tie), or the
/// rule's default; its detail is the first occurrence's that has one, and names the other tags
/// when the occurrences disagree (pods of one Deployment failing for different reasons).
fn cause_of(rule: &str, hits: &[Hit]) -> (String, serde_json::Map<String, serde_json::Value>) {
    let mut counts: Vec<(&'static str, usize, Severity)> = Vec::new();
    for h in hits {
        let tag = h.cause.unwrap_or_else(|| cause::of_rule(rule));
        match counts.iter_mut().find(|(t, _, _)| *t == tag) {
            Some(c) => {
                c.1 += 1;
                c.2 = c.2.max(h.severity);
            }
            None => counts.push((tag, 1, h.severity)),
        }
    }
    counts.sort_by(|a, b| b.1.cmp(&a.1).then(b.2.cmp(&a.2)));
    let tag = counts.first().map_or_else(|| cause::of_rule(rule), |c| c.0);
    let mut detail = hits
        .iter()
        .find(|h| h.cause.unwrap_or_else(|| cause::of_rule(rule)) == tag && !h.detail.is_empty())
        .map(|h| h.detail.clone())
        .unwrap_or_default();
    if counts.len() > 1 {
        let others: Vec<&str> = counts.iter().skip(1).map(|c| c.0).collect();
        detail.insert("other_causes".into(), serde_json::json!(others));
    }
    (tag.to_string(), detail)
}

/// Within one severity, causes before the symptoms they produce: node failures and memory
/// exhaustion, then pods that cannot run, then the workloads and services that show it.
fn priority(rule: &str) -> u8 {
    const ORDER: &[&str] = &[
        "DNS-1", "NODE-1", "NODE-4", "POD-14", "NODE-2", "POD-9", "RS-1", "EVT-1", "PVC-1", "NP-3", "NP-4",
        "POD-6", "POD-15", "POD-5", "POD-4", "POD-7", "POD-1", "POD-10", "POD-3", "POD-13", "DEP-3",
    ];
    ORDER.iter().position(|r| *r == rule).map_or(ORDER.len() as u8 + family(rule), |p| p as u8)
}

fn family(rule: &str) -> u8 {
    match rule.split('-').next().unwrap_or("") {
        "NODE" | "POD" | "PVC" | "STO" | "WH" => 0,
        "DEP" | "STS" | "DS" | "RS" | "JOB" | "CJ" | "HPA" => 1,
        "SVC" | "ING" | "NP" | "PDB" => 2,
        _ => 3,
    }
}

/// Link findings that explain each other: node problems and the pods they hit (by the node a
/// finding is on, or a node it is about: typed fields, never its text).
fn link(findings: &mut [Finding]) {
    link_symptoms(findings);
    let node_findings: Vec<(String, String)> = findings
        .iter()
        .filter(|f| f.kind == "Node" && f.severity > Severity::Info)
        .map(|f| (f.name.clone(), format!("{} Node/{}", f.rule, f.name)))
        .collect();
    for f in findings.iter_mut() {
        if f.kind == "Node" {
            continue;
        }
        for (node, label) in &node_findings {
            let on_it = f.node.as_deref() == Some(node.as_str())
                || f.objects.iter().any(|o| o.kind == "Node" && o.name == *node);
            if on_it && !f.related.contains(label) {
                f.related.push(label.clone());
            }
        }
    }
}

/// Rules that report a consequence: a workload short of ready pods, pods on a failed node, a
/// Service without ready endpoints. Another finding usually says why.
const SYMPTOMS: &[&str] = &["DEP-1", "DEP-2", "DEP-3", "STS-3", "DS-1", "POD-13", "SVC-1", "SVC-2"];

/// A symptom whose cause has a finding of its own (about the same root, or about an object the
/// symptom names: the node its pods ran on, the workloads behind a Service) points at it and
/// steps down to info, so the causes lead and the list stays short.
fn link_symptoms(findings: &mut [Finding]) {
    let causes: Vec<Because> = findings
        .iter()
        .filter(|f| !is_symptom(f))
        .filter(|f| f.severity > Severity::Info && !f.cause.starts_with("hygiene/"))
        .map(because)
        .collect();
    // Twice: a symptom explained by a cause (pods on a failed node) explains, in the second pass,
    // the symptoms of the same root (their DaemonSet short of ready pods). A symptom never
    // explains another that nothing else explains.
    let explained = explain(findings, &causes);
    explain(findings, &explained);
}

fn is_symptom(f: &Finding) -> bool {
    SYMPTOMS.contains(&f.rule.as_str()) && f.cause != "network/service-selector-mismatch"
}

fn because(f: &Finding) -> Because {
    Because { rule: f.rule.clone(), object: f.root() }
}

/// Steps down every symptom not yet explained that `known` explains; returns those it explained.
fn explain(findings: &mut [Finding], known: &[Because]) -> Vec<Because> {
    let mut done = Vec::new();
    for f in findings.iter_mut().filter(|f| is_symptom(f) && f.explained_by.is_empty()) {
        let root = f.root();
        let by: Vec<Because> = known
            .iter()
            .filter(|b| (b.object == root || f.objects.contains(&b.object)) && b.rule != f.rule)
            .cloned()
            .collect();
        if by.is_empty() {
            continue;
        }
        f.severity = Severity::Info;
        for b in &by {
            let l = b.to_string();
            if !f.related.contains(&l) {
                f.related.push(l);
            }
        }
        f.explained_by = by;
        done.push(because(f));
    }
    done
}

#[cfg(test)]
pub(crate) mod tests;
