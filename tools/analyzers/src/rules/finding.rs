//! What the rules produce: hits about one object, grouped into findings per rule and root
//! object; severities, suppressions, options and the report with its summary.

use std::collections::BTreeMap;

use cluster::kind::Kind;
use serde::Serialize;
use serde_json::{Map, Value};

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
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize)]
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
    /// The cause tag when the evidence decides it; the rule's default otherwise.
    pub cause: Option<&'static str>,
    /// Facts that make the cause actionable (the missing name, the ports, the selector).
    pub detail: Map<String, Value>,
    /// The node it happened on.
    pub node: Option<String>,
    /// The containers concerned.
    pub containers: Vec<String>,
    /// Other objects it is about (the missing ConfigMap, the claim, the policy).
    pub objects: Vec<ObjRef>,
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
        Hit::new(rule, severity, object.clone(), object, message, evidence, hint)
    }

    /// A hit about `object`, whose root owner is `root`.
    pub(crate) fn new(
        rule: &'static str,
        severity: Severity,
        object: ObjRef,
        root: ObjRef,
        message: String,
        evidence: Vec<String>,
        hint: String,
    ) -> Hit {
        Hit {
            rule,
            severity,
            object,
            root,
            message,
            evidence,
            hint,
            state: None,
            cause: None,
            detail: Map::new(),
            node: None,
            containers: Vec::new(),
            objects: Vec::new(),
        }
    }

    /// The cause tag the evidence decided.
    pub(crate) fn cause(mut self, tag: &'static str) -> Hit {
        debug_assert!(super::cause::TAGS.contains(&tag), "{tag} is not a known cause tag");
        self.cause = Some(tag);
        self
    }

    /// The cause tag, when the evidence decided one.
    pub(crate) fn maybe_cause(self, tag: Option<&'static str>) -> Hit {
        match tag {
            Some(t) => self.cause(t),
            None => self,
        }
    }

    /// One fact of the detail.
    pub(crate) fn detail(mut self, key: &str, value: impl Serialize) -> Hit {
        self.detail.insert(key.to_string(), serde_json::to_value(value).unwrap_or(Value::Null));
        self
    }

    /// The container concerned.
    pub(crate) fn container(mut self, name: &str) -> Hit {
        if !self.containers.iter().any(|c| c == name) {
            self.containers.push(name.to_string());
        }
        self
    }

    /// The node it happened on.
    pub(crate) fn on_node(mut self, node: Option<&str>) -> Hit {
        self.node = node.map(String::from);
        self
    }

    /// Another object it is about.
    pub(crate) fn about(mut self, o: ObjRef) -> Hit {
        if !self.objects.contains(&o) {
            self.objects.push(o);
        }
        self
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
    /// The cause tag (`family/cause`, `reference/causes.md`).
    pub cause: String,
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
    /// Facts that make the cause actionable.
    #[serde(skip_serializing_if = "Map::is_empty", default)]
    pub detail: Map<String, Value>,
    /// The node it happened on, when one.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub node: Option<String>,
    /// The containers concerned.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub containers: Vec<String>,
    /// Other objects it is about.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub objects: Vec<ObjRef>,
    /// The findings that explain this symptom (it was stepped down to info because of them).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub explained_by: Vec<Because>,
}

/// A finding another one points at: its rule and root object.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, serde::Deserialize)]
pub struct Because {
    /// Rule ID.
    pub rule: String,
    /// Root object of that finding.
    pub object: ObjRef,
}

impl std::fmt::Display for Because {
    /// `NODE-1 Node/ip-10-0-1-7`, as findings list their relations.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.rule, self.object)
    }
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
    pub(super) fn matches(&self, f: &Finding) -> bool {
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

/// `kubectl` hint helpers shared by the rule files.
pub(super) fn kubectl(verb: &str, kind: &str, ns: &str, name: &str) -> String {
    if ns.is_empty() {
        format!("kubectl {verb} {} {name}", kind.to_lowercase())
    } else {
        format!("kubectl {verb} {} {name} -n {ns}", kind.to_lowercase())
    }
}

/// A cause with its proof.
#[derive(Debug, Default)]
pub(super) struct Why {
    /// The tag, when the evidence decides one.
    pub(super) tag: Option<&'static str>,
    /// Lines that prove it, added to the hit's evidence.
    pub(super) evidence: Vec<String>,
    /// Facts for `detail`.
    pub(super) detail: Map<String, Value>,
    /// Objects it is about.
    pub(super) objects: Vec<ObjRef>,
}

impl Why {
    pub(super) fn tag(tag: &'static str) -> Why {
        Why { tag: Some(tag), ..Why::default() }
    }

    pub(super) fn fact(mut self, key: &str, value: impl serde::Serialize) -> Why {
        self.detail.insert(key.into(), serde_json::to_value(value).unwrap_or(Value::Null));
        self
    }
}

impl Hit {
    /// Attaches a cause and its proof.
    pub(super) fn why(mut self, why: Why) -> Hit {
        for e in why.evidence {
            if !self.evidence.contains(&e) {
                self.evidence.push(e);
            }
        }
        for (k, v) in why.detail {
            self.detail.insert(k, v);
        }
        for o in why.objects {
            self = self.about(o);
        }
        self.maybe_cause(why.tag)
    }
}
