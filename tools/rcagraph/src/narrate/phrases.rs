//! Words for one node, value or duration.

use jiff::Timestamp;
use serde_json::Value;

use crate::schema::{AnomalyType, ChangeType, Direction, Node, NodeKind};

/// The node's label: its description, else a phrase made from its fields.
pub fn label(n: &Node) -> String {
    n.description.clone().filter(|d| !d.trim().is_empty()).unwrap_or_else(|| phrase(n))
}

pub(super) fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

pub(super) fn entity_text(n: &Node) -> String {
    n.entity.as_ref().map(crate::schema::Entity::display).unwrap_or_default()
}

pub(super) fn entity_name(n: &Node) -> String {
    n.entity.as_ref().map(|e| e.name.clone()).unwrap_or_default()
}

pub(super) fn values(before: Option<&Value>, after: Option<&Value>) -> String {
    match (before, after) {
        (Some(b), Some(a)) => format!(" ({} → {})", value_text(b), value_text(a)),
        (None, Some(a)) => format!(" (now {})", value_text(a)),
        _ => String::new(),
    }
}

pub(super) fn metric_verb(n: &Node) -> &'static str {
    let a = n.anomaly.as_ref();
    let dir = a.and_then(|a| a.direction);
    match (a.and_then(|a| a.type_), dir) {
        (Some(AnomalyType::Inflection), Some(Direction::Down)) => "started falling",
        (Some(AnomalyType::Inflection), _) => "started rising",
        (Some(AnomalyType::LevelShift), Some(Direction::Down)) => "dropped to a new level",
        (Some(AnomalyType::LevelShift), _) => "jumped to a new level",
        (Some(AnomalyType::Spike), _) => "spiked",
        (Some(AnomalyType::Drop), _) => "dropped",
        (Some(AnomalyType::Trend), Some(Direction::Down)) => "kept falling",
        (Some(AnomalyType::Trend), _) => "kept rising",
        (None, Some(Direction::Up)) => "rose abnormally",
        (None, Some(Direction::Down)) => "fell abnormally",
        (None, None) => "behaved abnormally",
    }
}

pub(super) fn number(f: f64) -> String {
    if f.abs() >= 1e9 {
        format!("{:.1}G", f / 1e9)
    } else if f.abs() >= 1e6 {
        format!("{:.1}M", f / 1e6)
    } else if f.abs() >= 1e3 {
        format!("{:.1}k", f / 1e3)
    } else if f.fract() == 0.0 {
        format!("{f:.0}")
    } else {
        format!("{f:.2}").trim_end_matches('0').to_string()
    }
}

/// A sentence fragment made from the node's fields (used when it has no description).
pub fn phrase(n: &Node) -> String {
    let ent = entity_text(n);
    match n.kind {
        NodeKind::ChangeEvent | NodeKind::TopologyChange => {
            let Some(c) = &n.change else { return format!("a change to {ent}") };
            let vals = values(c.before.as_ref(), c.after.as_ref());
            let field = c.field.as_deref().map(|f| format!(" {f}")).unwrap_or_default();
            let list = |v: &[String]| {
                let shown: Vec<&str> = v.iter().take(3).map(String::as_str).collect();
                let more = v.len().saturating_sub(3);
                format!(
                    "{}{}",
                    shown.join(", "),
                    if more > 0 { format!(" and {more} more") } else { String::new() }
                )
            };
            match c.type_ {
                ChangeType::ImageChange => format!("the image of {ent} changed{vals}"),
                ChangeType::ConfigChange => format!("the configuration of {ent} changed{field}{vals}"),
                ChangeType::Scale => format!("{ent} was scaled{vals}"),
                ChangeType::Deploy => format!("{ent} was rolled out{vals}"),
                ChangeType::Rollback => format!("{ent} was rolled back{vals}"),
                ChangeType::TerraformApply => format!("Terraform changed {}{field}", entity_name(n)),
                ChangeType::FeatureFlag => format!("feature flag{field} of {ent} changed{vals}"),
                ChangeType::PodsRescheduled if !c.added.is_empty() => {
                    format!("pods were rescheduled onto {ent} ({})", list(&c.added))
                }
                ChangeType::PodsRescheduled => {
                    format!("pods were rescheduled away from {ent} ({})", list(&c.removed))
                }
                ChangeType::NodeAdded => format!("node {} joined the cluster", entity_name(n)),
                ChangeType::NodeRemoved => format!("node {} left the cluster", entity_name(n)),
                ChangeType::EdgeAdded => format!("a new dependency of {ent} appeared ({})", list(&c.added)),
                ChangeType::EdgeRemoved => format!("a dependency of {ent} went away ({})", list(&c.removed)),
            }
        }
        NodeKind::MetricAnomaly => {
            let m = n.metric.as_ref().map_or("a metric", |m| m.name.as_str());
            let of = if ent.is_empty() { String::new() } else { format!(" of {ent}") };
            let unit =
                n.metric.as_ref().and_then(|m| m.unit.clone()).map(|u| format!(" {u}")).unwrap_or_default();
            let vals = match n.anomaly.as_ref().map(|a| (a.baseline, a.observed)) {
                Some((Some(b), Some(o))) => format!(" ({} → {}{unit})", number(b), number(o)),
                Some((None, Some(o))) => format!(" (to {}{unit})", number(o)),
                _ => String::new(),
            };
            format!("{m}{of} {}{vals}", metric_verb(n))
        }
        NodeKind::K8sEvent => {
            let e = n.event.as_ref();
            let reason = e.map_or("event", |e| e.reason.as_str());
            let count =
                e.and_then(|e| e.count).filter(|c| *c > 1).map(|c| format!(" ×{c}")).unwrap_or_default();
            let msg = e
                .and_then(|e| e.message.as_deref())
                .map(|m| format!(": {}", truncate(m, 140)))
                .unwrap_or_default();
            format!("{reason}{count} on {ent}{msg}")
        }
        NodeKind::Symptom => n.description.clone().unwrap_or_else(|| format!("a symptom on {ent}")),
    }
}

/// A noun phrase for "no evidence links {noun} to …".
pub fn noun(n: &Node) -> String {
    let name = n.entity.as_ref().map_or("", |e| e.name.as_str());
    match (n.kind, n.change.as_ref().map(|c| c.type_)) {
        (NodeKind::ChangeEvent, Some(ChangeType::ImageChange)) => format!("the image change of {name}"),
        (NodeKind::ChangeEvent, Some(ChangeType::ConfigChange)) => {
            format!("the configuration change of {name}")
        }
        (NodeKind::ChangeEvent, Some(ChangeType::Scale)) => format!("the scaling of {name}"),
        (NodeKind::ChangeEvent, Some(ChangeType::Rollback)) => format!("the rollback of {name}"),
        (NodeKind::ChangeEvent, Some(ChangeType::TerraformApply)) => format!("the Terraform apply of {name}"),
        (NodeKind::ChangeEvent, Some(ChangeType::FeatureFlag)) => format!("the flag change on {name}"),
        (NodeKind::ChangeEvent, _) => format!("the rollout of {name}"),
        (NodeKind::TopologyChange, Some(ChangeType::PodsRescheduled)) => {
            format!("the rescheduling onto {name}")
        }
        (NodeKind::TopologyChange, Some(ChangeType::NodeAdded)) => format!("node {name} joining"),
        (NodeKind::TopologyChange, Some(ChangeType::NodeRemoved)) => format!("node {name} leaving"),
        (NodeKind::TopologyChange, _) => format!("the dependency change of {name}"),
        (NodeKind::MetricAnomaly, _) => {
            let a = n.anomaly.as_ref();
            let what = match (a.and_then(|a| a.type_), a.and_then(|a| a.direction)) {
                (Some(AnomalyType::Spike), _) => "spike",
                (Some(AnomalyType::Drop), _) | (_, Some(Direction::Down)) => "fall",
                (Some(AnomalyType::LevelShift), _) => "level shift",
                (Some(_), _) | (None, Some(Direction::Up)) => "rise",
                (None, None) => "anomaly",
            };
            format!("the {} {what}{}", metric_name(n), of(name))
        }
        (NodeKind::K8sEvent, _) => {
            format!("the {} event on {name}", n.event.as_ref().map_or("Kubernetes", |e| e.reason.as_str()))
        }
        (NodeKind::Symptom, _) => truncate(&label(n), 60),
    }
}

/// A short clause for "45 s after {short}".
pub fn short(n: &Node) -> String {
    let name = n.entity.as_ref().map_or("", |e| e.name.as_str());
    match (n.kind, n.change.as_ref().map(|c| c.type_)) {
        (NodeKind::ChangeEvent, Some(ChangeType::ImageChange)) => format!("the image of {name} changed"),
        (NodeKind::ChangeEvent, Some(ChangeType::ConfigChange)) => {
            format!("the configuration of {name} changed")
        }
        (NodeKind::ChangeEvent, Some(ChangeType::Scale)) => format!("{name} was scaled"),
        (NodeKind::ChangeEvent, Some(ChangeType::Rollback)) => format!("{name} was rolled back"),
        (NodeKind::ChangeEvent, Some(ChangeType::TerraformApply)) => format!("the Terraform apply of {name}"),
        (NodeKind::ChangeEvent, _) => format!("{name} was rolled out"),
        (NodeKind::TopologyChange, Some(ChangeType::PodsRescheduled)) => {
            format!("pods were rescheduled onto {name}")
        }
        (NodeKind::TopologyChange, _) => format!("the topology of {name} changed"),
        (NodeKind::MetricAnomaly, _) => format!("{}{} {}", metric_name(n), of(name), metric_verb(n)),
        // Events and symptoms read the same as a clause and as a noun.
        (NodeKind::K8sEvent | NodeKind::Symptom, _) => noun(n),
    }
}

pub(super) fn metric_name(n: &Node) -> &str {
    n.metric.as_ref().map_or("the metric", |m| m.name.as_str())
}

pub(super) fn of(name: &str) -> String {
    if name.is_empty() { String::new() } else { format!(" of {name}") }
}

pub(super) fn truncate(s: &str, max: usize) -> String {
    prompts::ellipsis(s.trim(), max)
}

/// `45 s`, `2 min 15 s`, `25 min`, `1 h 5 min`, `2 d 3 h`.
pub fn duration(secs: f64) -> String {
    let s = secs.abs().round() as i64;
    if s < 120 {
        format!("{s} s")
    } else if s < 600 {
        if s % 60 == 0 { format!("{} min", s / 60) } else { format!("{} min {} s", s / 60, s % 60) }
    } else if s < 3600 {
        format!("{} min", (s + 30) / 60)
    } else if s < 172_800 {
        let m = (s + 30) / 60;
        if m % 60 == 0 { format!("{} h", m / 60) } else { format!("{} h {} min", m / 60, m % 60) }
    } else {
        format!("{} d {} h", s / 86_400, (s % 86_400) / 3600)
    }
}

pub(super) fn clock(t: Timestamp, reference: Option<Timestamp>) -> String {
    let z = t.to_zoned(jiff::tz::TimeZone::UTC);
    let same_day = reference.is_some_and(|r| r.to_zoned(jiff::tz::TimeZone::UTC).date() == z.date());
    if same_day {
        z.strftime("%H:%M:%S UTC").to_string()
    } else {
        z.strftime("%Y-%m-%d %H:%M:%S UTC").to_string()
    }
}

pub(super) fn secs(a: Timestamp, b: Timestamp) -> f64 {
    (b - a).total(jiff::Unit::Second).unwrap_or(0.0)
}

pub(super) fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}
