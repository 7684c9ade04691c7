//! Analyzers: every rule of `reference/analyzers.md` over one capture, findings grouped by root.
//!
//! Rules are pure functions over a [`ClusterData`] and an [`Index`] built once (events by
//! object, pods by owner and node, lookups by name), so the cost does not depend on how many
//! rules fire and no rule makes a request (R1). Each rule emits [`Hit`]s about the object it
//! judged; grouping folds hits of one rule and one root object (Pod → ReplicaSet → Deployment,
//! Pod → Job → CronJob) into one [`Finding`] listing the pods as evidence (R8), merges the rows
//! the conformance table says belong together (PVC-1+STO-6, POD-5/9/11 of one container), links
//! related findings (node pressure → evictions), applies suppressions, and ranks by severity.

mod config;
mod cron;
mod index;
mod network;
mod nodes;
mod pods;
mod storage;
mod workloads;

use std::collections::BTreeMap;
use std::time::Instant;

use serde::Serialize;

pub use index::Index;
pub use storage::quantity_bytes;

use cluster::data::ClusterData;
use cluster::kind::Kind;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; never outranks a failure.
    Info,
    /// Degraded or risky.
    Warning,
    /// Something is failing.
    Error,
    /// Something is down.
    Critical,
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
            Severity::Critical => "critical",
        })
    }
}

/// An object, by kind, namespace and name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct ObjRef {
    /// API kind (`Deployment`).
    pub kind: String,
    /// Namespace, empty for cluster-scoped objects.
    pub namespace: String,
    /// Name.
    pub name: String,
}

impl ObjRef {
    /// Build a reference.
    pub fn new(kind: &str, namespace: &str, name: &str) -> ObjRef {
        ObjRef { kind: kind.to_string(), namespace: namespace.to_string(), name: name.to_string() }
    }
}

impl std::fmt::Display for ObjRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.namespace.is_empty() {
            write!(f, "{}/{}", self.kind, self.name)
        } else {
            write!(f, "{}/{}/{}", self.kind, self.namespace, self.name)
        }
    }
}

/// What one rule saw about one object, before grouping.
#[derive(Debug, Clone)]
pub struct Hit {
    /// Rule ID (`POD-5`).
    pub rule: &'static str,
    /// Severity of this occurrence.
    pub severity: Severity,
    /// The object judged.
    pub object: ObjRef,
    /// Its root owner (itself when unowned).
    pub root: ObjRef,
    /// What is wrong, about `object`.
    pub message: String,
    /// Conditions, events, log lines and spec fields that show it.
    pub evidence: Vec<String>,
    /// A read-only command to check next.
    pub hint: String,
    /// `in progress` or `stuck`, for rules that fire during normal rollouts (R9).
    pub state: Option<&'static str>,
}

impl Hit {
    /// A hit about an object that is its own root (a node, a Service, a claim, a class…).
    pub(crate) fn on(
        rule: &'static str,
        severity: Severity,
        object: ObjRef,
        message: String,
        evidence: Vec<String>,
        hint: String,
    ) -> Hit {
        Hit { rule, severity, root: object.clone(), object, message, evidence, hint, state: None }
    }
}

/// One problem, for one rule and one root object.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Finding {
    /// Rule ID from the conformance table.
    pub rule: String,
    /// Other rules merged into this finding (`STO-6` under `PVC-1`).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub also: Vec<String>,
    /// Severity (the worst of its occurrences).
    pub severity: Severity,
    /// Kind of the root object.
    pub kind: String,
    /// Its namespace (`null` for cluster-scoped objects).
    pub namespace: Option<String>,
    /// Its name.
    pub name: String,
    /// What is wrong.
    pub message: String,
    /// What shows it.
    pub evidence: Vec<String>,
    /// Affected pods (`ns/name`), when the root owns pods.
    pub pods: Vec<String>,
    /// What to check next (a read-only command).
    pub hint: String,
    /// `in progress` or `stuck` for rollout-sensitive rules.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub state: Option<String>,
    /// Other findings that explain or follow from this one (`NODE-1 Node/ip-10-0-1-7`).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub related: Vec<String>,
}

impl Finding {
    /// The root object as a reference.
    pub fn root(&self) -> ObjRef {
        ObjRef::new(&self.kind, self.namespace.as_deref().unwrap_or(""), &self.name)
    }
}

/// A known issue to hide: a rule (or `*`) and an object pattern (`ns/name`, `*` wildcards).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    /// Rule ID or `*`.
    pub rule: String,
    /// `Kind/ns/name`, `ns/name` or `name`, with `*` matching any run of characters.
    pub pattern: String,
}

impl std::str::FromStr for Suppression {
    type Err = String;
    /// `RULE:PATTERN` (`CM-1:monitoring/*`) or `RULE` alone.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (rule, pattern) = s.split_once(':').unwrap_or((s, "*"));
        if rule.is_empty() {
            return Err(format!("{s:?}: expected RULE or RULE:PATTERN (e.g. CM-1:monitoring/*)"));
        }
        Ok(Suppression { rule: rule.to_uppercase(), pattern: pattern.to_string() })
    }
}

impl Suppression {
    fn matches(&self, f: &Finding) -> bool {
        if self.rule != "*" && self.rule != f.rule {
            return false;
        }
        let ns = f.namespace.as_deref().unwrap_or("");
        let full = format!("{}/{ns}/{}", f.kind, f.name);
        let short = format!("{ns}/{}", f.name);
        [full.as_str(), short.as_str(), f.name.as_str()].iter().any(|s| glob(&self.pattern, s))
    }
}

fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let mut rest = text;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            let Some(r) = rest.strip_prefix(part) else { return false };
            rest = r;
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            match rest.find(part) {
                Some(at) => rest = &rest[at + part.len()..],
                None => return false,
            }
        }
    }
    true
}

/// What to analyze and how.
#[derive(Debug, Clone)]
pub struct Options {
    /// Only this object (`kind`, `name`) and what it owns.
    pub target: Option<(Kind, String)>,
    /// Restarts from which POD-11 fires.
    pub restart_threshold: i32,
    /// How long a pod may stay Pending before POD-12 fires, in seconds.
    pub pending_grace_seconds: i64,
    /// Known issues to hide (counted in the summary).
    pub suppress: Vec<Suppression>,
}

impl Default for Options {
    fn default() -> Self {
        Options { target: None, restart_threshold: 3, pending_grace_seconds: 300, suppress: Vec::new() }
    }
}

/// The result of a run.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Report {
    /// Findings, worst first.
    pub findings: Vec<Finding>,
    /// Counts and context.
    pub summary: Summary,
}

/// Counts and context of a run.
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize)]
pub struct Summary {
    /// Number of findings.
    pub total: usize,
    /// Findings per severity.
    pub by_severity: BTreeMap<String, usize>,
    /// Findings per rule.
    pub by_rule: BTreeMap<String, usize>,
    /// Findings hidden by suppressions.
    pub suppressed: usize,
    /// Where the objects came from.
    pub source: String,
    /// The capture time rules judged against.
    pub captured_at: Option<String>,
    /// Namespaces analyzed (empty: all).
    pub namespaces: Vec<String>,
    /// Objects analyzed, per kind.
    pub objects: BTreeMap<String, usize>,
    /// Kinds that could not be read or were not captured: rules needing them could not verify.
    pub unverifiable: BTreeMap<String, String>,
    /// Input skipped while loading.
    pub skipped: Vec<String>,
    /// Time per rule family, in microseconds.
    pub timings_us: BTreeMap<String, u64>,
}

type RuleFn = fn(&ClusterData, &Index, &Options, &mut Vec<Hit>);

const FAMILIES: &[(&str, RuleFn)] = &[
    ("pods", pods::run),
    ("logs", pods::logs),
    ("workloads", workloads::run),
    ("network", network::run),
    ("nodes", nodes::run),
    ("storage", storage::run),
    ("config", config::run),
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
    let mut findings: Vec<Finding> = groups
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
                message,
                evidence,
                pods,
                hint: first.hint.clone(),
                state,
                related: Vec::new(),
            }
        })
        .collect();
    findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(priority(&a.rule).cmp(&priority(&b.rule)))
            .then(b.pods.len().cmp(&a.pods.len()))
            .then(a.rule.cmp(&b.rule))
            .then(a.namespace.cmp(&b.namespace))
            .then(a.name.cmp(&b.name))
    });
    findings
}

/// Within one severity, causes before the symptoms they produce: node failures and memory
/// exhaustion, then pods that cannot run, then the workloads and services that show it.
fn priority(rule: &str) -> u8 {
    const ORDER: &[&str] = &[
        "NODE-1", "NODE-4", "POD-14", "NODE-2", "POD-9", "DEP-3", "POD-6", "POD-5", "POD-1", "POD-10",
        "POD-3", "POD-13",
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

/// Link findings that explain each other: node problems and the pods they hit.
fn link(findings: &mut [Finding]) {
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
            if f.evidence
                .iter()
                .any(|e| e.contains(&format!("node {node}")) || e.contains(&format!("Node/{node}")))
                && !f.related.contains(label)
            {
                f.related.push(label.clone());
            }
        }
    }
}

/// `kubectl` hint helpers shared by the rule files.
pub(crate) fn kubectl(verb: &str, kind: &str, ns: &str, name: &str) -> String {
    if ns.is_empty() {
        format!("kubectl {verb} {} {name}", kind.to_lowercase())
    } else {
        format!("kubectl {verb} {} {name} -n {ns}", kind.to_lowercase())
    }
}

#[cfg(test)]
mod tests;
