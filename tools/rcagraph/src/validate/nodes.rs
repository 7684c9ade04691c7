//! One node and its kind-specific members (change, metric, anomaly, event), entity and source.

use std::collections::BTreeMap;

use serde_json::Value;

use super::fields::{Cx, Obj, join, type_name};
use crate::schema::{
    Anomaly, AnomalyType, Change, ChangeType, Direction, Entity, EventType, K8sEvent, Metric, Node, NodeKind,
    Severity, Source,
};

impl Cx {
    pub(super) fn entity(&mut self, o: &Obj, path: &str, id: Option<&str>, required: bool) -> Option<Entity> {
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

    pub(super) fn source(&mut self, o: &Obj, path: &str, id: Option<&str>) -> Option<Source> {
        let v = self.sub(o, "source", path, id, false)?;
        let p = join(path, "source");
        let s = self.object(v, &p, id, &["system", "ref", "actor"])?;
        Some(Source {
            system: self.string(s, "system", &p, id, false),
            reference: self.string(s, "ref", &p, id, false),
            actor: self.string(s, "actor", &p, id, false),
        })
    }

    pub(super) fn node(&mut self, v: &Value, i: usize) -> Option<Node> {
        let path = format!("nodes[{i}]");
        let raw_id = v.get("id").and_then(Value::as_str).map(String::from);
        let id = raw_id.as_deref();
        let common = ["id", "kind", "time", "time_inferred", "entity", "description", "source"];
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
        let time_inferred = self.boolean(o, "time_inferred", &path, id).unwrap_or(false);
        let needs_entity =
            matches!(kind, Some(NodeKind::ChangeEvent | NodeKind::TopologyChange | NodeKind::K8sEvent));
        let entity = self.entity(o, &path, id, needs_entity);
        let description = self.string(o, "description", &path, id, kind == Some(NodeKind::Symptom));
        let source = self.source(o, &path, id);
        let mut node = Node::new(node_id.clone().unwrap_or_default(), kind.unwrap_or(NodeKind::Symptom));
        node.time = time;
        node.time_inferred = time_inferred;
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

    pub(super) fn change(&mut self, o: &Obj, path: &str, id: Option<&str>, kind: NodeKind) -> Option<Change> {
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

    pub(super) fn metric(&mut self, o: &Obj, path: &str, id: Option<&str>) -> Option<Metric> {
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

    pub(super) fn anomaly(&mut self, o: &Obj, path: &str, id: Option<&str>) -> Option<Anomaly> {
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

    pub(super) fn event(&mut self, o: &Obj, path: &str, id: Option<&str>) -> Option<K8sEvent> {
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
}
