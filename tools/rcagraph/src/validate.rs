//! Reading and validating an `rcagraph/v1` document (`reference/rcagraph-v1.md` §7).
//!
//! The document is walked as untyped JSON so that *every* problem is found in one pass, each
//! with its path (`nodes[3].change.type`), the node id or `from→to` of the edge, a stable code
//! and a sentence. Only a document without errors becomes a typed [`Graph`]; warnings travel
//! with it. Structural checks that need the whole graph (times along edges, duplicate edges,
//! isolated nodes, ranking paths) run on the typed graph afterwards, in [`check_structure`].

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;

use jiff::Timestamp;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::schema::{
    Anomaly, AnomalyType, Change, ChangeType, Direction, Edge, Entity, EventType, Graph, Incident, K8sEvent,
    Metric, Node, NodeKind, Provenance, RankEntry, RankPath, Relation, SCHEMA_VERSION, Severity, Source,
    Window,
};

/// Error or warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// The document is invalid.
    Error,
    /// Analysis goes on.
    Warning,
}

/// One problem found in a document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Issue {
    /// Error or warning.
    pub level: Level,
    /// Stable code from the schema (`dangling_edge`).
    pub code: &'static str,
    /// Where: `nodes[3].change.type`, `edges[2].to`, or `line 4, column 7`.
    pub path: String,
    /// The node id, or `from→to` of the edge, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// What is wrong, as a sentence.
    pub message: String,
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.level {
            Level::Error => "error",
            Level::Warning => "warning",
        };
        write!(f, "{level}[{}] {}", self.code, self.path)?;
        if let Some(id) = &self.id {
            write!(f, " ({id})")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// A document that could not be read: every error, and the warnings found with them.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("invalid rcagraph/v1 document: {} error(s)", self.errors().count())]
pub struct Invalid {
    /// Every problem, errors first.
    pub issues: Vec<Issue>,
}

impl Invalid {
    /// The errors only.
    pub fn errors(&self) -> impl Iterator<Item = &Issue> {
        self.issues.iter().filter(|i| i.level == Level::Error)
    }
}

/// A valid document and the warnings that accompany it.
#[derive(Debug, Clone)]
pub struct Parsed {
    /// The graph.
    pub graph: Graph,
    /// Warnings (no errors: those make the document [`Invalid`]).
    pub warnings: Vec<Issue>,
}

/// Document order for problems: errors first, then by section and position, so the lines read
/// top to bottom like the file.
fn sort_issues(issues: &mut [Issue]) {
    fn key(i: &Issue) -> (Level, usize, usize) {
        let section = ["schema_version", "incident", "nodes", "edges", "ranking", "provenance"]
            .iter()
            .position(|s| i.path.starts_with(s))
            .unwrap_or(0);
        let index = i
            .path
            .split_once('[')
            .and_then(|(_, rest)| rest.split(']').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        (i.level, section, index)
    }
    issues.sort_by_key(key);
}

/// Reads JSON text.
pub fn parse_json(text: &str) -> Result<Parsed, Invalid> {
    match serde_json::from_str::<Value>(text) {
        Ok(v) => from_value(&v),
        Err(e) => Err(Invalid {
            issues: vec![Issue {
                level: Level::Error,
                code: "parse_error",
                path: format!("line {}, column {}", e.line(), e.column()),
                id: None,
                message: format!("not JSON: {e}"),
            }],
        }),
    }
}

/// Validates an already-parsed JSON value.
pub fn from_value(v: &Value) -> Result<Parsed, Invalid> {
    let mut cx = Cx::default();
    let graph = cx.document(v);
    let mut issues = cx.issues;
    match graph {
        Some(g) if !issues.iter().any(|i| i.level == Level::Error) => {
            issues.extend(check_structure(&g));
            sort_issues(&mut issues);
            if issues.iter().any(|i| i.level == Level::Error) {
                return Err(Invalid { issues });
            }
            Ok(Parsed { graph: g, warnings: issues })
        }
        _ => {
            sort_issues(&mut issues);
            Err(Invalid { issues })
        }
    }
}

#[derive(Default)]
struct Cx {
    issues: Vec<Issue>,
}

type Obj = Map<String, Value>;

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Parses an RFC 3339 time that carries an explicit offset.
pub fn parse_time(s: &str) -> Option<Timestamp> {
    // jiff's Timestamp parser refuses civil times without an offset, which is the rule here.
    s.parse::<Timestamp>().ok()
}

impl Cx {
    fn push(&mut self, level: Level, code: &'static str, path: &str, id: Option<&str>, message: String) {
        self.issues.push(Issue { level, code, path: path.to_string(), id: id.map(String::from), message });
    }

    fn error(&mut self, code: &'static str, path: &str, id: Option<&str>, message: String) {
        self.push(Level::Error, code, path, id, message);
    }

    /// `v` as an object, reporting a wrong type and members not in `known`.
    fn object<'v>(&mut self, v: &'v Value, path: &str, id: Option<&str>, known: &[&str]) -> Option<&'v Obj> {
        let Some(o) = v.as_object() else {
            self.error("wrong_type", path, id, format!("expected an object, found {}", type_name(v)));
            return None;
        };
        for k in o.keys().filter(|k| !known.contains(&k.as_str())) {
            self.push(
                Level::Warning,
                "unknown_field",
                &join(path, k),
                id,
                format!("member {k:?} is not part of rcagraph/v1 and is ignored"),
            );
        }
        Some(o)
    }

    fn sub<'v>(
        &mut self,
        o: &'v Obj,
        key: &str,
        path: &str,
        id: Option<&str>,
        required: bool,
    ) -> Option<&'v Value> {
        match o.get(key) {
            None | Some(Value::Null) => {
                if required {
                    self.error(
                        "missing_field",
                        &join(path, key),
                        id,
                        format!("required member {key:?} is missing"),
                    );
                }
                None
            }
            Some(v) => Some(v),
        }
    }

    fn string(&mut self, o: &Obj, key: &str, path: &str, id: Option<&str>, required: bool) -> Option<String> {
        let v = self.sub(o, key, path, id, required)?;
        match v.as_str() {
            Some(s) if s.is_empty() && required => {
                self.error("missing_field", &join(path, key), id, format!("{key:?} must not be empty"));
                None
            }
            Some(s) => Some(s.to_string()),
            None => {
                self.error(
                    "wrong_type",
                    &join(path, key),
                    id,
                    format!("expected a string, found {}", type_name(v)),
                );
                None
            }
        }
    }

    fn number(&mut self, o: &Obj, key: &str, path: &str, id: Option<&str>, required: bool) -> Option<f64> {
        let v = self.sub(o, key, path, id, required)?;
        if let Some(f) = v.as_f64().filter(|f| f.is_finite()) {
            Some(f)
        } else {
            self.error(
                "wrong_type",
                &join(path, key),
                id,
                format!("expected a finite number, found {}", type_name(v)),
            );
            None
        }
    }

    fn probability(&mut self, o: &Obj, key: &str, path: &str, id: Option<&str>) -> Option<f64> {
        let f = self.number(o, key, path, id, false)?;
        if (0.0..=1.0).contains(&f) {
            Some(f)
        } else {
            self.error("out_of_range", &join(path, key), id, format!("{key} {f} is outside [0, 1]"));
            None
        }
    }

    fn boolean(&mut self, o: &Obj, key: &str, path: &str, id: Option<&str>) -> Option<bool> {
        let v = self.sub(o, key, path, id, false)?;
        if let Some(b) = v.as_bool() {
            Some(b)
        } else {
            self.error(
                "wrong_type",
                &join(path, key),
                id,
                format!("expected a boolean, found {}", type_name(v)),
            );
            None
        }
    }

    fn time(
        &mut self,
        o: &Obj,
        key: &str,
        path: &str,
        id: Option<&str>,
        required: bool,
    ) -> Option<Timestamp> {
        let s = self.string(o, key, path, id, required)?;
        let t = parse_time(&s);
        if t.is_none() {
            self.error(
                "bad_time",
                &join(path, key),
                id,
                format!("{s:?} is not an RFC 3339 time with an offset (e.g. 2024-11-26T12:38:55Z)"),
            );
        }
        t
    }

    #[allow(clippy::too_many_arguments)] // the common (object, key, path, id, required) plus the enum's parser
    fn enumerated<T>(
        &mut self,
        o: &Obj,
        key: &str,
        path: &str,
        id: Option<&str>,
        required: bool,
        parse: fn(&str) -> Option<T>,
        expected: &str,
    ) -> Option<T> {
        let s = self.string(o, key, path, id, required)?;
        let v = parse(&s);
        if v.is_none() {
            self.error("unknown_value", &join(path, key), id, format!("{s:?} is not one of: {expected}"));
        }
        v
    }

    fn strings(&mut self, o: &Obj, key: &str, path: &str, id: Option<&str>) -> Vec<String> {
        let Some(v) = self.sub(o, key, path, id, false) else { return Vec::new() };
        let Some(a) = v.as_array() else {
            self.error(
                "wrong_type",
                &join(path, key),
                id,
                format!("expected an array of strings, found {}", type_name(v)),
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, item) in a.iter().enumerate() {
            match item.as_str() {
                Some(s) => out.push(s.to_string()),
                None => self.error(
                    "wrong_type",
                    &format!("{}[{i}]", join(path, key)),
                    id,
                    format!("expected a string, found {}", type_name(item)),
                ),
            }
        }
        out
    }

    fn evidence(&mut self, o: &Obj, path: &str, id: Option<&str>) -> Vec<Value> {
        let Some(v) = self.sub(o, "evidence", path, id, false) else { return Vec::new() };
        let Some(a) = v.as_array() else {
            self.error(
                "wrong_type",
                &join(path, "evidence"),
                id,
                format!("expected an array, found {}", type_name(v)),
            );
            return Vec::new();
        };
        for (i, item) in a.iter().enumerate() {
            let p = format!("{path}.evidence[{i}]");
            match item.as_object() {
                Some(e) => {
                    self.string(e, "kind", &p, id, true);
                }
                None => {
                    self.error(
                        "wrong_type",
                        &p,
                        id,
                        format!("expected an object, found {}", type_name(item)),
                    );
                }
            }
        }
        a.clone()
    }

    fn document(&mut self, v: &Value) -> Option<Graph> {
        let Some(o) = v.as_object() else {
            self.error(
                "parse_error",
                "$",
                None,
                format!("the document must be a JSON object, found {}", type_name(v)),
            );
            return None;
        };
        let root = self.object(
            v,
            "",
            None,
            &["schema_version", "incident", "nodes", "edges", "ranking", "provenance"],
        )?;
        let _ = o;
        match root.get("schema_version") {
            None => self.error(
                "unsupported_version",
                "schema_version",
                None,
                "schema_version is missing; expected \"rcagraph/v1\"".into(),
            ),
            Some(Value::String(s)) if s == SCHEMA_VERSION => {}
            Some(other) => self.error(
                "unsupported_version",
                "schema_version",
                None,
                format!("schema_version {other} is not supported; expected \"rcagraph/v1\""),
            ),
        }
        let incident = root.get("incident").filter(|v| !v.is_null()).and_then(|v| self.incident(v));
        let raw_nodes = self.array(root, "nodes", true);
        if root.get("nodes").and_then(Value::as_array).is_some_and(Vec::is_empty) {
            self.error("empty_graph", "nodes", None, "the graph has no nodes".into());
        }
        let nodes = raw_nodes.iter().enumerate().filter_map(|(i, n)| self.node(n, i)).collect();
        let edges = self
            .array(root, "edges", false)
            .iter()
            .enumerate()
            .filter_map(|(i, e)| self.edge(e, i))
            .collect();
        let ranking = self
            .array(root, "ranking", false)
            .iter()
            .enumerate()
            .filter_map(|(i, r)| self.rank(r, i))
            .collect();
        let provenance = root.get("provenance").filter(|v| !v.is_null()).and_then(|v| self.provenance(v));
        let graph =
            Graph { schema_version: SCHEMA_VERSION.into(), incident, nodes, edges, ranking, provenance };
        self.references(&graph, root);
        Some(graph)
    }

    /// The top-level array `key` (empty when absent or of the wrong type, which is reported).
    fn array<'v>(&mut self, root: &'v Obj, key: &str, required: bool) -> &'v [Value] {
        match root.get(key) {
            None | Some(Value::Null) => {
                if required {
                    self.error("missing_field", key, None, format!("required member {key:?} is missing"));
                }
                &[]
            }
            Some(Value::Array(a)) => a,
            Some(other) => {
                self.error("wrong_type", key, None, format!("expected an array, found {}", type_name(other)));
                &[]
            }
        }
    }

    fn incident(&mut self, v: &Value) -> Option<Incident> {
        let p = "incident";
        let o = self.object(
            v,
            p,
            None,
            &["id", "cluster", "window", "detected_at", "symptom_ids", "clock_skew_seconds"],
        )?;
        let window = match self.sub(o, "window", p, None, false) {
            Some(w) => {
                let wp = "incident.window";
                self.object(w, wp, None, &["start", "end"]).and_then(|wo| {
                    let start = self.time(wo, "start", wp, None, true);
                    let end = self.time(wo, "end", wp, None, true);
                    match (start, end) {
                        (Some(start), Some(end)) => {
                            if start > end {
                                self.error(
                                    "bad_interval",
                                    wp,
                                    None,
                                    format!("window start {start} is after its end {end}"),
                                );
                            }
                            Some(Window { start, end })
                        }
                        _ => None,
                    }
                })
            }
            None => None,
        };
        let clock_skew_seconds = self.number(o, "clock_skew_seconds", p, None, false);
        if let Some(s) = clock_skew_seconds.filter(|s| *s < 0.0) {
            self.error(
                "out_of_range",
                "incident.clock_skew_seconds",
                None,
                format!("clock_skew_seconds {s} is negative"),
            );
        }
        Some(Incident {
            id: self.string(o, "id", p, None, false),
            cluster: self.string(o, "cluster", p, None, false),
            window,
            detected_at: self.time(o, "detected_at", p, None, false),
            symptom_ids: self.strings(o, "symptom_ids", p, None),
            clock_skew_seconds,
        })
    }

    fn entity(&mut self, o: &Obj, path: &str, id: Option<&str>, required: bool) -> Option<Entity> {
        let v = self.sub(o, "entity", path, id, required)?;
        let p = join(path, "entity");
        let e = self.object(v, &p, id, &["kind", "name", "namespace", "system", "uid", "api_version"])?;
        let kind = self.string(e, "kind", &p, id, true);
        let name = self.string(e, "name", &p, id, true);
        let entity = Entity {
            kind: kind.unwrap_or_default(),
            name: name.unwrap_or_default(),
            namespace: self.string(e, "namespace", &p, id, false).filter(|s| !s.is_empty()),
            system: self.string(e, "system", &p, id, false),
            uid: self.string(e, "uid", &p, id, false),
            api_version: self.string(e, "api_version", &p, id, false),
        };
        Some(entity)
    }

    fn source(&mut self, o: &Obj, path: &str, id: Option<&str>) -> Option<Source> {
        let v = self.sub(o, "source", path, id, false)?;
        let p = join(path, "source");
        let s = self.object(v, &p, id, &["system", "ref", "actor"])?;
        Some(Source {
            system: self.string(s, "system", &p, id, false),
            reference: self.string(s, "ref", &p, id, false),
            actor: self.string(s, "actor", &p, id, false),
        })
    }

    fn node(&mut self, v: &Value, i: usize) -> Option<Node> {
        let path = format!("nodes[{i}]");
        let raw_id = v.get("id").and_then(Value::as_str).map(String::from);
        let id = raw_id.as_deref();
        let common = ["id", "kind", "time", "entity", "description", "source"];
        let kind = v.get("kind").and_then(Value::as_str).and_then(NodeKind::parse);
        let extra: &[&str] = match kind {
            Some(NodeKind::ChangeEvent | NodeKind::TopologyChange) => &["change"],
            Some(NodeKind::MetricAnomaly) => &["metric", "anomaly"],
            Some(NodeKind::K8sEvent) => &["event"],
            Some(NodeKind::Symptom) => &["severity"],
            // Unknown kind: no variant members to judge, so do not flag them.
            None => &["change", "metric", "anomaly", "event", "severity"],
        };
        let known: Vec<&str> = common.iter().chain(extra).copied().collect();
        let o = self.object(v, &path, id, &known)?;
        let node_id = self.string(o, "id", &path, id, true);
        let kind = match self.sub(o, "kind", &path, id, true) {
            Some(Value::String(s)) => {
                let k = NodeKind::parse(s);
                if k.is_none() {
                    self.error(
                        "unknown_kind",
                        &join(&path, "kind"),
                        id,
                        format!("node kind {s:?} is not one of: {}", NodeKind::expected()),
                    );
                }
                k
            }
            Some(other) => {
                self.error(
                    "wrong_type",
                    &join(&path, "kind"),
                    id,
                    format!("expected a string, found {}", type_name(other)),
                );
                None
            }
            None => None,
        };
        let time = self.time(o, "time", &path, id, false);
        let needs_entity =
            matches!(kind, Some(NodeKind::ChangeEvent | NodeKind::TopologyChange | NodeKind::K8sEvent));
        let entity = self.entity(o, &path, id, needs_entity);
        let description = self.string(o, "description", &path, id, kind == Some(NodeKind::Symptom));
        let source = self.source(o, &path, id);
        let mut node = Node::new(node_id.clone().unwrap_or_default(), kind.unwrap_or(NodeKind::Symptom));
        node.time = time;
        node.entity = entity;
        node.description = description;
        node.source = source;
        match kind {
            Some(k @ (NodeKind::ChangeEvent | NodeKind::TopologyChange)) => {
                node.change = self.change(o, &path, id, k);
            }
            Some(NodeKind::MetricAnomaly) => {
                node.metric = self.metric(o, &path, id);
                node.anomaly = self.anomaly(o, &path, id);
            }
            Some(NodeKind::K8sEvent) => node.event = self.event(o, &path, id),
            Some(NodeKind::Symptom) => {
                node.severity =
                    self.enumerated(o, "severity", &path, id, false, Severity::parse, &Severity::expected());
            }
            None => {}
        }
        (node_id.is_some() && kind.is_some()).then_some(node)
    }

    fn change(&mut self, o: &Obj, path: &str, id: Option<&str>, kind: NodeKind) -> Option<Change> {
        let v = self.sub(o, "change", path, id, true)?;
        let p = join(path, "change");
        let c = self.object(v, &p, id, &["type", "field", "before", "after", "added", "removed"])?;
        let wanted_change_event = kind == NodeKind::ChangeEvent;
        let allowed: Vec<&str> = ChangeType::ALL
            .iter()
            .filter(|t| t.is_change_event() == wanted_change_event)
            .map(|t| t.as_str())
            .collect();
        let type_ = match self.string(c, "type", &p, id, true) {
            Some(s) => {
                if let Some(t) = ChangeType::parse(&s).filter(|t| t.is_change_event() == wanted_change_event)
                {
                    Some(t)
                } else {
                    self.error(
                        "unknown_value",
                        &join(&p, "type"),
                        id,
                        format!("{kind} change.type {s:?} is not one of: {}", allowed.join(", ")),
                    );
                    None
                }
            }
            None => None,
        };
        let field = self.string(c, "field", &p, id, false);
        let added = self.strings(c, "added", &p, id);
        let removed = self.strings(c, "removed", &p, id);
        Some(Change {
            type_: type_?,
            field,
            before: c.get("before").cloned().filter(|v| !v.is_null()),
            after: c.get("after").cloned().filter(|v| !v.is_null()),
            added,
            removed,
        })
    }

    fn metric(&mut self, o: &Obj, path: &str, id: Option<&str>) -> Option<Metric> {
        let v = self.sub(o, "metric", path, id, true)?;
        let p = join(path, "metric");
        let m = self.object(v, &p, id, &["name", "query", "labels", "unit"])?;
        let name = self.string(m, "name", &p, id, true);
        let mut labels = BTreeMap::new();
        if let Some(l) = self.sub(m, "labels", &p, id, false) {
            let lp = join(&p, "labels");
            match l.as_object() {
                Some(lo) => {
                    for (k, v) in lo {
                        match v.as_str() {
                            Some(s) => {
                                labels.insert(k.clone(), s.to_string());
                            }
                            None => self.error(
                                "wrong_type",
                                &join(&lp, k),
                                id,
                                format!("expected a string, found {}", type_name(v)),
                            ),
                        }
                    }
                }
                None => {
                    self.error("wrong_type", &lp, id, format!("expected an object, found {}", type_name(l)));
                }
            }
        }
        Some(Metric {
            name: name?,
            query: self.string(m, "query", &p, id, false),
            labels,
            unit: self.string(m, "unit", &p, id, false),
        })
    }

    fn anomaly(&mut self, o: &Obj, path: &str, id: Option<&str>) -> Option<Anomaly> {
        let v = self.sub(o, "anomaly", path, id, false)?;
        let p = join(path, "anomaly");
        let a =
            self.object(v, &p, id, &["type", "direction", "baseline", "observed", "score", "detector"])?;
        Some(Anomaly {
            type_: self.enumerated(a, "type", &p, id, false, AnomalyType::parse, &AnomalyType::expected()),
            direction: self.enumerated(
                a,
                "direction",
                &p,
                id,
                false,
                Direction::parse,
                &Direction::expected(),
            ),
            baseline: self.number(a, "baseline", &p, id, false),
            observed: self.number(a, "observed", &p, id, false),
            score: self.probability(a, "score", &p, id),
            detector: self.string(a, "detector", &p, id, false),
        })
    }

    fn event(&mut self, o: &Obj, path: &str, id: Option<&str>) -> Option<K8sEvent> {
        let v = self.sub(o, "event", path, id, true)?;
        let p = join(path, "event");
        let e = self.object(
            v,
            &p,
            id,
            &["type", "reason", "message", "count", "first_seen", "last_seen", "reporting_component"],
        )?;
        let type_ = self.enumerated(e, "type", &p, id, true, EventType::parse, &EventType::expected());
        let reason = self.string(e, "reason", &p, id, true);
        let count = match self.number(e, "count", &p, id, false) {
            Some(c) if c < 1.0 || c.fract() != 0.0 => {
                self.error(
                    "out_of_range",
                    &join(&p, "count"),
                    id,
                    format!("count {c} must be an integer ≥ 1"),
                );
                None
            }
            Some(c) => Some(c as u64),
            None => None,
        };
        let first_seen = self.time(e, "first_seen", &p, id, false);
        let last_seen = self.time(e, "last_seen", &p, id, false);
        if let (Some(f), Some(l)) = (first_seen, last_seen)
            && f > l
        {
            self.error("bad_interval", &p, id, format!("first_seen {f} is after last_seen {l}"));
        }
        Some(K8sEvent {
            type_: type_?,
            reason: reason?,
            message: self.string(e, "message", &p, id, false),
            count,
            first_seen,
            last_seen,
            reporting_component: self.string(e, "reporting_component", &p, id, false),
        })
    }

    fn edge(&mut self, v: &Value, i: usize) -> Option<Edge> {
        let path = format!("edges[{i}]");
        let from = v.get("from").and_then(Value::as_str);
        let to = v.get("to").and_then(Value::as_str);
        let label = format!("{}→{}", from.unwrap_or("?"), to.unwrap_or("?"));
        let id = Some(label.as_str());
        let o = self.object(
            v,
            &path,
            id,
            &[
                "id",
                "from",
                "to",
                "relation",
                "directed",
                "confidence",
                "weight",
                "lag_seconds",
                "method",
                "evidence",
            ],
        )?;
        let edge_id = self.string(o, "id", &path, id, false);
        let from = self.string(o, "from", &path, id, true);
        let to = self.string(o, "to", &path, id, true);
        let relation =
            self.enumerated(o, "relation", &path, id, true, Relation::parse, &Relation::expected());
        let directed = self.boolean(o, "directed", &path, id);
        let confidence = self.probability(o, "confidence", &path, id);
        let weight = self.number(o, "weight", &path, id, false);
        let lag = self.number(o, "lag_seconds", &path, id, false);
        let method = self.string(o, "method", &path, id, false);
        let evidence = self.evidence(o, &path, id);
        if let (Some(f), Some(t)) = (&from, &to)
            && f == t
        {
            self.error("self_loop", &path, id, format!("edge goes from {f} to itself"));
        }
        if let Some(r) = relation {
            if r.is_causal() && directed == Some(false) {
                self.error(
                    "undirected_causal",
                    &join(&path, "directed"),
                    id,
                    format!("a {r} edge cannot be undirected"),
                );
            }
            if r == Relation::Correlated && directed == Some(true) {
                self.push(
                    Level::Warning,
                    "directed_correlation",
                    &join(&path, "directed"),
                    id,
                    "a correlated edge has no direction; directed: true is ignored".into(),
                );
            }
            if let Some(l) = lag.filter(|l| *l < 0.0 && r.is_causal()) {
                self.error(
                    "negative_lag",
                    &join(&path, "lag_seconds"),
                    id,
                    format!("lag_seconds {l} is negative on a {r} edge: a cause cannot follow its effect"),
                );
            }
        }
        if o.contains_key("confidence") && confidence.is_none() {
            // Reported already (wrong type or out of range).
        } else if confidence.is_none() {
            self.push(
                Level::Warning,
                "default_confidence",
                &path,
                id,
                "no confidence given; 0.5 (possible) is assumed".into(),
            );
        }
        Some(Edge {
            id: edge_id,
            from: from?,
            to: to?,
            relation: relation?,
            directed,
            confidence,
            weight,
            lag_seconds: lag,
            method,
            evidence,
        })
    }

    fn rank(&mut self, v: &Value, i: usize) -> Option<RankEntry> {
        let path = format!("ranking[{i}]");
        let raw = v.get("node_id").and_then(Value::as_str).map(String::from);
        let id = raw.as_deref();
        let o =
            self.object(v, &path, id, &["node_id", "rank", "score", "confidence", "paths", "evidence"])?;
        let node_id = self.string(o, "node_id", &path, id, true);
        let rank = match self.number(o, "rank", &path, id, true) {
            Some(r) if r < 1.0 || r.fract() != 0.0 => {
                self.error(
                    "out_of_range",
                    &join(&path, "rank"),
                    id,
                    format!("rank {r} must be an integer ≥ 1"),
                );
                None
            }
            Some(r) => Some(r as u64),
            None => None,
        };
        let score = self.number(o, "score", &path, id, false);
        let confidence = self.probability(o, "confidence", &path, id);
        let mut paths = Vec::new();
        if let Some(pv) = self.sub(o, "paths", &path, id, false) {
            match pv.as_array() {
                Some(a) => {
                    for (j, p) in a.iter().enumerate() {
                        let pp = format!("{path}.paths[{j}]");
                        if let Some(po) = self.object(p, &pp, id, &["score", "node_ids"]) {
                            let score = self.number(po, "score", &pp, id, false);
                            if self.sub(po, "node_ids", &pp, id, true).is_some() {
                                let node_ids = self.strings(po, "node_ids", &pp, id);
                                paths.push(RankPath { score, node_ids });
                            }
                        }
                    }
                }
                None => self.error(
                    "wrong_type",
                    &join(&path, "paths"),
                    id,
                    format!("expected an array, found {}", type_name(pv)),
                ),
            }
        }
        let evidence = self.evidence(o, &path, id);
        Some(RankEntry { node_id: node_id?, rank: rank?, score, confidence, paths, evidence })
    }

    fn provenance(&mut self, v: &Value) -> Option<Provenance> {
        let p = "provenance";
        let o = self.object(v, p, None, &["generator", "algorithm", "generated_at", "parameters"])?;
        Some(Provenance {
            generator: self.string(o, "generator", p, None, false),
            algorithm: self.string(o, "algorithm", p, None, false),
            generated_at: self.time(o, "generated_at", p, None, false),
            parameters: o.get("parameters").cloned().filter(|v| !v.is_null()),
        })
    }

    /// Ids: duplicates, edge ends, symptom and ranking references.
    fn references(&mut self, g: &Graph, root: &Obj) {
        // Ids from the raw array: a node that failed to parse still exists for its edges.
        let raw_nodes = root.get("nodes").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for (i, n) in raw_nodes.iter().enumerate() {
            let Some(id) = n.get("id").and_then(Value::as_str) else { continue };
            if let Some(first) = seen.insert(id, i) {
                self.error(
                    "duplicate_id",
                    &format!("nodes[{i}].id"),
                    Some(id),
                    format!("node id {id:?} is already used by nodes[{first}]"),
                );
                seen.insert(id, first);
            }
        }
        // Positions in the raw array, since edges that failed to parse are not in `g.edges`.
        let raw_edges = root.get("edges").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
        let mut edge_ids: HashMap<&str, usize> = HashMap::new();
        for (i, e) in raw_edges.iter().enumerate() {
            let (Some(from), Some(to)) =
                (e.get("from").and_then(Value::as_str), e.get("to").and_then(Value::as_str))
            else {
                continue;
            };
            let label = format!("{from}→{to}");
            for (end, id) in [("from", from), ("to", to)] {
                if !id.is_empty() && !seen.contains_key(id) {
                    self.error(
                        "dangling_edge",
                        &format!("edges[{i}].{end}"),
                        Some(&label),
                        format!("{end} {id:?} is not a node id"),
                    );
                }
            }
            if let Some(eid) = e.get("id").and_then(Value::as_str)
                && let Some(first) = edge_ids.insert(eid, i)
            {
                self.error(
                    "duplicate_id",
                    &format!("edges[{i}].id"),
                    Some(&label),
                    format!("edge id {eid:?} is already used by edges[{first}]"),
                );
            }
        }
        if let Some(inc) = &g.incident {
            for (i, s) in inc.symptom_ids.iter().enumerate() {
                if !seen.contains_key(s.as_str()) {
                    self.error(
                        "unknown_reference",
                        &format!("incident.symptom_ids[{i}]"),
                        Some(s),
                        format!("symptom {s:?} is not a node id"),
                    );
                }
            }
        }
        for (i, r) in g.ranking.iter().enumerate() {
            if !seen.contains_key(r.node_id.as_str()) {
                self.error(
                    "unknown_reference",
                    &format!("ranking[{i}].node_id"),
                    Some(&r.node_id),
                    format!("ranked node {:?} is not a node id", r.node_id),
                );
            }
            for (j, p) in r.paths.iter().enumerate() {
                for (k, n) in p.node_ids.iter().enumerate() {
                    if !seen.contains_key(n.as_str()) {
                        self.error(
                            "unknown_reference",
                            &format!("ranking[{i}].paths[{j}].node_ids[{k}]"),
                            Some(&r.node_id),
                            format!("path node {n:?} is not a node id"),
                        );
                    }
                }
            }
        }
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() { key.to_string() } else { format!("{path}.{key}") }
}

/// Checks that need the whole typed graph: times along causal edges, declared lags, window,
/// missing times, duplicate edges, isolated nodes and ranking paths.
pub fn check_structure(g: &Graph) -> Vec<Issue> {
    let mut out = Vec::new();
    let mut push = |level, code, path: String, id: Option<String>, message: String| {
        out.push(Issue { level, code, path, id, message });
    };
    let index: HashMap<&str, usize> = g.nodes.iter().enumerate().map(|(i, n)| (n.id.as_str(), i)).collect();
    let skew = g.clock_skew();
    let window = g.incident.as_ref().and_then(|i| i.window);
    for (i, n) in g.nodes.iter().enumerate() {
        match g.node_time(n) {
            None => push(
                Level::Warning,
                "missing_time",
                format!("nodes[{i}].time"),
                Some(n.id.clone()),
                "node has no time; temporal checks skip its edges".into(),
            ),
            Some(t) => {
                if let Some(w) = window
                    && (t < w.start || t > w.end)
                {
                    push(
                        Level::Warning,
                        "outside_window",
                        format!("nodes[{i}].time"),
                        Some(n.id.clone()),
                        format!("time {t} is outside the incident window {} – {}", w.start, w.end),
                    );
                }
            }
        }
    }
    let mut best: HashMap<(&str, &str, Relation), usize> = HashMap::new();
    let mut touched: HashSet<&str> = HashSet::new();
    for (i, e) in g.edges.iter().enumerate() {
        touched.insert(&e.from);
        touched.insert(&e.to);
        if let Some(first) = best.insert((&e.from, &e.to, e.relation), i) {
            push(
                Level::Warning,
                "duplicate_edge",
                format!("edges[{i}]"),
                Some(e.label()),
                format!("same from, to and relation as edges[{first}]; the highest confidence is kept"),
            );
            best.insert((&e.from, &e.to, e.relation), first);
        }
        let (Some(&a), Some(&b)) = (index.get(e.from.as_str()), index.get(e.to.as_str())) else { continue };
        let (Some(ta), Some(tb)) = (g.node_time(&g.nodes[a]), g.node_time(&g.nodes[b])) else { continue };
        let lag = (tb - ta).total(jiff::Unit::Second).unwrap_or(0.0);
        if e.relation.is_causal() {
            if lag < -skew {
                push(
                    Level::Error,
                    "cause_after_effect",
                    format!("edges[{i}]"),
                    Some(e.label()),
                    format!("cause {} ({ta}) is {:.0} s after its effect {} ({tb})", e.from, -lag, e.to),
                );
            } else if lag < 0.0 {
                push(
                    Level::Warning,
                    "clock_skew",
                    format!("edges[{i}]"),
                    Some(e.label()),
                    format!(
                        "effect is {:.1} s earlier than its cause, within the clock skew of {skew} s: treated as simultaneous",
                        -lag
                    ),
                );
            }
        }
        if let Some(declared) = e.lag_seconds
            && (declared - lag).abs() > skew.max(1.0)
        {
            push(
                Level::Warning,
                "lag_mismatch",
                format!("edges[{i}].lag_seconds"),
                Some(e.label()),
                format!("declared lag {declared} s differs from the node times ({lag:.0} s); node times win"),
            );
        }
    }
    let symptoms: HashSet<&str> = g
        .incident
        .iter()
        .flat_map(|i| i.symptom_ids.iter().map(String::as_str))
        .chain(g.nodes.iter().filter(|n| n.kind == NodeKind::Symptom).map(|n| n.id.as_str()))
        .collect();
    for (i, n) in g.nodes.iter().enumerate() {
        if !touched.contains(n.id.as_str()) && !symptoms.contains(n.id.as_str()) {
            push(
                Level::Warning,
                "isolated_node",
                format!("nodes[{i}]"),
                Some(n.id.clone()),
                "node has no edges".into(),
            );
        }
    }
    let causal: HashSet<(&str, &str)> =
        g.edges.iter().filter(|e| e.relation.is_causal()).map(|e| (e.from.as_str(), e.to.as_str())).collect();
    let sinks: HashSet<&str> = if symptoms.is_empty() {
        let has_out: HashSet<&str> = causal.iter().map(|(f, _)| *f).collect();
        g.nodes.iter().map(|n| n.id.as_str()).filter(|n| !has_out.contains(n)).collect()
    } else {
        symptoms.clone()
    };
    for (i, r) in g.ranking.iter().enumerate() {
        for (j, p) in r.paths.iter().enumerate() {
            let why = if p.node_ids.first() != Some(&r.node_id) {
                Some(format!("does not start at {}", r.node_id))
            } else if !p.node_ids.last().is_some_and(|l| sinks.contains(l.as_str())) {
                Some("does not end at a symptom".to_string())
            } else {
                p.node_ids
                    .windows(2)
                    .find(|w| !causal.contains(&(w[0].as_str(), w[1].as_str())))
                    .map(|w| format!("no causal edge {}→{}", w[0], w[1]))
            };
            if let Some(why) = why {
                push(
                    Level::Warning,
                    "broken_path",
                    format!("ranking[{i}].paths[{j}]"),
                    Some(r.node_id.clone()),
                    format!("path {} {why}", p.node_ids.join(" → ")),
                );
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn codes(r: &Result<Parsed, Invalid>) -> Vec<&'static str> {
        match r {
            Ok(p) => p.warnings.iter().map(|i| i.code).collect(),
            Err(e) => e.issues.iter().map(|i| i.code).collect(),
        }
    }

    fn base() -> Value {
        json!({
            "schema_version": "rcagraph/v1",
            "nodes": [
                {"id": "c1", "kind": "change_event", "time": "2024-11-26T12:38:55Z",
                 "entity": {"kind": "Deployment", "namespace": "shop", "name": "checkout"},
                 "change": {"type": "image_change"}},
                {"id": "s1", "kind": "symptom", "time": "2024-11-26T12:41:10Z", "description": "5xx"}
            ],
            "edges": [{"from": "c1", "to": "s1", "relation": "caused", "confidence": 0.8}]
        })
    }

    #[test]
    fn a_clean_graph_has_no_issues() {
        let r = from_value(&base());
        assert!(r.is_ok(), "{r:?}");
        assert!(codes(&r).is_empty(), "{:?}", codes(&r));
    }

    #[test]
    fn every_problem_is_reported_at_once_with_its_place() {
        let doc = json!({
            "schema_version": "rcagraph/v1",
            "nodes": [
                {"id": "a", "kind": "change_event", "time": "2024-11-26T12:00:00Z",
                 "entity": {"kind": "Deployment", "name": "x"}, "change": {"type": "pods_rescheduled"}},
                {"id": "a", "kind": "symptom", "description": "dup"},
                {"id": "b", "kind": "gremlin"},
                {"id": "c", "kind": "k8s_event", "time": "yesterday", "entity": {"kind": "Pod", "name": "p"},
                 "event": {"type": "Warning", "reason": "BackOff", "count": 0}},
                {"id": "d", "kind": "metric_anomaly", "metric": {"name": "m"}, "anomaly": {"score": 1.5}}
            ],
            "edges": [
                {"from": "a", "to": "zz", "relation": "caused", "confidence": 2},
                {"from": "a", "to": "a", "relation": "caused"},
                {"from": "a", "to": "d", "relation": "caused", "directed": false, "lag_seconds": -3},
                {"from": "a", "to": "d", "relation": "influenced"}
            ],
            "incident": {"symptom_ids": ["nope"], "clock_skew_seconds": -1}
        });
        let err = from_value(&doc).unwrap_err();
        let lines: Vec<String> = err.errors().map(ToString::to_string).collect();
        let has = |needle: &str| lines.iter().any(|l| l.contains(needle));
        assert!(has("error[unknown_value] nodes[0].change.type (a)"), "{lines:#?}");
        assert!(has("error[duplicate_id] nodes[1].id (a)"), "{lines:#?}");
        assert!(has("error[unknown_kind] nodes[2].kind (b)"), "{lines:#?}");
        assert!(has("error[bad_time] nodes[3].time (c)"), "{lines:#?}");
        assert!(has("error[out_of_range] nodes[3].event.count (c)"), "{lines:#?}");
        assert!(has("error[out_of_range] nodes[4].anomaly.score (d)"), "{lines:#?}");
        assert!(has("error[dangling_edge] edges[0].to (a→zz)"), "{lines:#?}");
        assert!(has("error[out_of_range] edges[0].confidence (a→zz)"), "{lines:#?}");
        assert!(has("error[self_loop] edges[1] (a→a)"), "{lines:#?}");
        assert!(has("error[undirected_causal] edges[2].directed (a→d)"), "{lines:#?}");
        assert!(has("error[negative_lag] edges[2].lag_seconds (a→d)"), "{lines:#?}");
        assert!(has("error[unknown_value] edges[3].relation (a→d)"), "{lines:#?}");
        assert!(has("error[unknown_reference] incident.symptom_ids[0] (nope)"), "{lines:#?}");
        assert!(has("error[out_of_range] incident.clock_skew_seconds"), "{lines:#?}");
    }

    #[test]
    fn parse_errors_carry_line_and_column() {
        let err = parse_json("{\n  \"schema_version\": \"rcagraph/v1\",\n  \"nodes\": [,]\n}").unwrap_err();
        assert_eq!(err.issues[0].code, "parse_error");
        assert!(err.issues[0].path.starts_with("line 3, column"), "{}", err.issues[0]);
        let err = parse_json("[1, 2]").unwrap_err();
        assert_eq!(err.issues[0].code, "parse_error");
    }

    #[test]
    fn versions_and_empty_graphs() {
        let mut d = base();
        d["schema_version"] = json!("rcagraph/v2");
        assert_eq!(codes(&from_value(&d)), ["unsupported_version"]);
        d.as_object_mut().unwrap().remove("schema_version");
        assert_eq!(codes(&from_value(&d)), ["unsupported_version"]);
        let mut d = base();
        d["nodes"] = json!([]);
        d["edges"] = json!([]);
        assert_eq!(codes(&from_value(&d)), ["empty_graph"]);
    }

    #[test]
    fn required_members_and_types() {
        let mut d = base();
        d["nodes"][0].as_object_mut().unwrap().remove("entity");
        d["nodes"][1].as_object_mut().unwrap().remove("description");
        d["edges"][0]["confidence"] = json!("high");
        let r = from_value(&d);
        let c = codes(&r);
        assert!(c.contains(&"missing_field") && c.contains(&"wrong_type"), "{c:?}");
        let err = r.unwrap_err();
        assert!(err.issues.iter().any(|i| i.path == "nodes[0].entity" && i.code == "missing_field"));
        assert!(err.issues.iter().any(|i| i.path == "nodes[1].description" && i.code == "missing_field"));
    }

    #[test]
    fn time_order_along_causal_edges() {
        let mut d = base();
        d["nodes"][1]["time"] = json!("2024-11-26T12:30:00Z");
        let err = from_value(&d).unwrap_err();
        assert_eq!(err.issues[0].code, "cause_after_effect");
        assert_eq!(err.issues[0].id.as_deref(), Some("c1→s1"));
        // Within the declared skew it is a warning, not an error.
        d["nodes"][1]["time"] = json!("2024-11-26T12:38:53Z");
        d["incident"] = json!({"clock_skew_seconds": 5});
        assert!(codes(&from_value(&d)).contains(&"clock_skew"));
        // A declared lag that disagrees with the times.
        let mut d = base();
        d["edges"][0]["lag_seconds"] = json!(10);
        assert!(codes(&from_value(&d)).contains(&"lag_mismatch"));
    }

    #[test]
    fn warnings_do_not_invalidate() {
        let mut d = base();
        d["extra"] = json!(1);
        d["nodes"][0]["colour"] = json!("red");
        d["nodes"]
            .as_array_mut()
            .unwrap()
            .push(json!({"id": "lonely", "kind": "symptom", "description": "x", "severity": "info"}));
        d["nodes"]
            .as_array_mut()
            .unwrap()
            .push(json!({"id": "orphan", "kind": "metric_anomaly", "metric": {"name": "cpu"}}));
        d["edges"].as_array_mut().unwrap().push(json!({"from": "c1", "to": "s1", "relation": "caused"}));
        d["edges"].as_array_mut().unwrap().push(
            json!({"from": "c1", "to": "s1", "relation": "correlated", "directed": true, "confidence": 0.2}),
        );
        d["incident"] = json!({"window": {"start": "2024-11-26T12:39:00Z", "end": "2024-11-26T13:00:00Z"}});
        let r = from_value(&d);
        let c = codes(&r);
        for code in [
            "unknown_field",
            "isolated_node",
            "missing_time",
            "duplicate_edge",
            "default_confidence",
            "directed_correlation",
            "outside_window",
        ] {
            assert!(c.contains(&code), "{code} in {c:?}");
        }
        assert!(r.is_ok());
    }

    #[test]
    fn broken_ranking_paths_are_warned_about() {
        let mut d = base();
        d["ranking"] = json!([{"node_id": "c1", "rank": 1, "paths": [{"node_ids": ["s1", "c1"]}]}]);
        assert_eq!(codes(&from_value(&d)), ["broken_path"]);
        d["ranking"] = json!([{"node_id": "ghost", "rank": 1}, {"node_id": "c1", "rank": 0}]);
        let c = codes(&from_value(&d));
        assert!(c.contains(&"unknown_reference") && c.contains(&"out_of_range"), "{c:?}");
    }

    #[test]
    fn typed_graph_round_trips_through_serde() {
        let p = from_value(&base()).unwrap();
        let text = serde_json::to_string(&p.graph).unwrap();
        let again = parse_json(&text).unwrap();
        assert_eq!(again.graph, p.graph);
    }
}
