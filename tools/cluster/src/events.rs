//! Events from `core/v1` and `events.k8s.io/v1`, as one deduplicated, time-ordered list.
//!
//! Newer clients write events with null `firstTimestamp`/`lastTimestamp` and an `eventTime`;
//! an event's time is `lastTimestamp`, else `series.lastObservedTime`, else `eventTime`, else
//! `metadata.creationTimestamp`. The same event read through both APIs has the same uid and is
//! kept once. Objects are matched by kind, namespace and name (and uid when the event has one),
//! never by name alone.

use std::collections::HashSet;

use jiff::Timestamp;
use k8s_openapi::api::core::v1::{Event, ObjectReference};
use k8s_openapi::api::events::v1::Event as EventV1;
use serde::Serialize;

use crate::data::ClusterData;

/// One event, whichever API it came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventRecord {
    /// Kind of the object the event is about (`Pod`).
    pub kind: String,
    /// Its namespace (events about nodes carry none, or `default`).
    pub namespace: Option<String>,
    /// Its name.
    pub name: String,
    /// Its uid, when recorded.
    #[serde(skip)]
    pub uid: Option<String>,
    /// `Normal` or `Warning`.
    #[serde(rename = "type")]
    pub type_: String,
    /// Machine-readable reason (`BackOff`).
    pub reason: String,
    /// Human-readable message, redacted.
    pub message: String,
    /// How many times it happened.
    pub count: i32,
    /// First occurrence.
    pub first: Option<Timestamp>,
    /// Last occurrence: the event's time.
    pub last: Option<Timestamp>,
    /// Reporting component and host.
    pub source: String,
}

impl EventRecord {
    /// Whether this event is about the object `kind` `namespace/name` (uid checked when both
    /// sides have one).
    pub fn is_about(&self, kind: &str, namespace: Option<&str>, name: &str, uid: Option<&str>) -> bool {
        self.kind == kind
            && self.name == name
            && (namespace.is_none() || self.namespace.as_deref().is_none_or(|n| Some(n) == namespace))
            && match (uid, &self.uid) {
                (Some(a), Some(b)) => a == b,
                _ => true,
            }
    }

    /// Whether the event is a warning.
    pub fn is_warning(&self) -> bool {
        self.type_ != "Normal"
    }
}

fn from_ref(r: Option<&ObjectReference>) -> (String, Option<String>, String, Option<String>) {
    let r = r.cloned().unwrap_or_default();
    (r.kind.unwrap_or_default(), r.namespace, r.name.unwrap_or_default(), r.uid)
}

fn core(e: &Event) -> EventRecord {
    let (kind, namespace, name, uid) = from_ref(Some(&e.involved_object));
    let created = e.metadata.creation_timestamp.as_ref().map(|t| t.0);
    let event_time = e.event_time.as_ref().map(|t| t.0);
    let series_last = e.series.as_ref().and_then(|s| s.last_observed_time.as_ref()).map(|t| t.0);
    let last = e.last_timestamp.as_ref().map(|t| t.0).or(series_last).or(event_time).or(created);
    let first = e.first_timestamp.as_ref().map(|t| t.0).or(event_time).or(created);
    let component = e
        .reporting_component
        .clone()
        .filter(|c| !c.is_empty())
        .or_else(|| e.source.as_ref().and_then(|s| s.component.clone()));
    let host = e.source.as_ref().and_then(|s| s.host.clone()).or_else(|| e.reporting_instance.clone());
    EventRecord {
        kind,
        namespace: namespace.or_else(|| e.metadata.namespace.clone()),
        name,
        uid,
        type_: e.type_.clone().unwrap_or_else(|| "Normal".to_string()),
        reason: e.reason.clone().unwrap_or_default(),
        message: e.message.clone().unwrap_or_default(),
        count: e.count.or_else(|| e.series.as_ref().and_then(|s| s.count)).unwrap_or(1).max(1),
        first,
        last,
        source: join_source(component, host),
    }
}

fn v1(e: &EventV1) -> EventRecord {
    let (kind, namespace, name, uid) = from_ref(e.regarding.as_ref());
    let created = e.metadata.creation_timestamp.as_ref().map(|t| t.0);
    let event_time = e.event_time.as_ref().map(|t| t.0);
    let series_last = e.series.as_ref().map(|s| s.last_observed_time.0);
    let last = e.deprecated_last_timestamp.as_ref().map(|t| t.0).or(series_last).or(event_time).or(created);
    let first = e.deprecated_first_timestamp.as_ref().map(|t| t.0).or(event_time).or(created);
    let component = e
        .reporting_controller
        .clone()
        .or_else(|| e.deprecated_source.as_ref().and_then(|s| s.component.clone()));
    let host =
        e.deprecated_source.as_ref().and_then(|s| s.host.clone()).or_else(|| e.reporting_instance.clone());
    EventRecord {
        kind,
        namespace: namespace.or_else(|| e.metadata.namespace.clone()),
        name,
        uid,
        type_: e.type_.clone().unwrap_or_else(|| "Normal".to_string()),
        reason: e.reason.clone().unwrap_or_default(),
        message: e.note.clone().unwrap_or_default(),
        count: e.series.as_ref().map(|s| s.count).or(e.deprecated_count).unwrap_or(1).max(1),
        first,
        last,
        source: join_source(component, host),
    }
}

fn join_source(component: Option<String>, host: Option<String>) -> String {
    match (component.filter(|c| !c.is_empty()), host.filter(|h| !h.is_empty())) {
        (Some(c), Some(h)) => format!("{c}, {h}"),
        (Some(c), None) => c,
        (None, Some(h)) => h,
        (None, None) => String::new(),
    }
}

/// Every event of the capture, deduplicated across both APIs, oldest first (events without any
/// time first, then by namespace, object and reason so the order is stable).
pub fn all(data: &ClusterData) -> Vec<EventRecord> {
    let mut seen: HashSet<(String, String)> = HashSet::new();
    let mut out = Vec::with_capacity(data.objects.events.len() + data.objects.events_v1.len());
    let mut identity = |meta: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta| {
        let id = meta.uid.clone().unwrap_or_else(|| meta.name.clone().unwrap_or_default());
        seen.insert((meta.namespace.clone().unwrap_or_default(), id))
    };
    for e in &data.objects.events {
        if identity(&e.metadata) {
            out.push(core(e));
        }
    }
    for e in &data.objects.events_v1 {
        if identity(&e.metadata) {
            out.push(v1(e));
        }
    }
    out.sort_by(|a, b| {
        (a.last, &a.namespace, &a.kind, &a.name, &a.reason).cmp(&(
            b.last,
            &b.namespace,
            &b.kind,
            &b.name,
            &b.reason,
        ))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kind::Kind;
    use serde_json::value::RawValue;

    fn data(kind: Kind, items: &[&str]) -> ClusterData {
        let raws: Vec<Box<RawValue>> =
            items.iter().map(|s| RawValue::from_string((*s).to_string()).unwrap()).collect();
        let refs: Vec<&RawValue> = raws.iter().map(AsRef::as_ref).collect();
        let mut d = ClusterData::default();
        d.insert_raw(kind, &refs, "test");
        d
    }

    #[test]
    fn time_falls_back_from_last_timestamp_to_event_time_to_creation() {
        let d = data(
            Kind::Event,
            &[
                r#"{"metadata":{"name":"a","namespace":"n","uid":"1","creationTimestamp":"2026-01-01T00:00:03Z"},"involvedObject":{"kind":"Pod","name":"p"},"reason":"A","lastTimestamp":"2026-01-01T00:00:01Z"}"#,
                r#"{"metadata":{"name":"b","namespace":"n","uid":"2","creationTimestamp":"2026-01-01T00:00:09Z"},"involvedObject":{"kind":"Pod","name":"p"},"reason":"B","lastTimestamp":null,"eventTime":"2026-01-01T00:00:02.000000Z"}"#,
                r#"{"metadata":{"name":"c","namespace":"n","uid":"3","creationTimestamp":"2026-01-01T00:00:04Z"},"involvedObject":{"kind":"Pod","name":"p"},"reason":"C","firstTimestamp":null,"lastTimestamp":null}"#,
                r#"{"metadata":{"name":"d","namespace":"n","uid":"4"},"involvedObject":{"kind":"Pod","name":"p"},"reason":"D"}"#,
            ],
        );
        let reasons: Vec<_> = all(&d).iter().map(|e| e.reason.clone()).collect();
        assert_eq!(reasons, ["D", "A", "B", "C"]);
    }

    #[test]
    fn matching_needs_kind_namespace_and_name() {
        let d = data(
            Kind::Event,
            &[
                r#"{"metadata":{"name":"a","namespace":"n"},"involvedObject":{"kind":"Pod","namespace":"n","name":"web"},"reason":"BackOff","type":"Warning"}"#,
            ],
        );
        let e = &all(&d)[0];
        assert!(e.is_about("Pod", Some("n"), "web", None));
        assert!(!e.is_about("Service", Some("n"), "web", None));
        assert!(!e.is_about("Pod", Some("other"), "web", None));
    }

    #[test]
    fn the_same_event_through_both_apis_counts_once() {
        let mut d = data(
            Kind::Event,
            &[
                r#"{"metadata":{"name":"a","namespace":"n","uid":"u1"},"involvedObject":{"kind":"Pod","name":"p"},"reason":"A","count":3}"#,
            ],
        );
        let raw = RawValue::from_string(
            r#"{"metadata":{"name":"a","namespace":"n","uid":"u1"},"eventTime":"2026-01-01T00:00:00.000000Z","regarding":{"kind":"Pod","name":"p"},"reason":"A"}"#.to_string(),
        )
        .unwrap();
        d.insert_raw(Kind::EventV1, &[raw.as_ref()], "test");
        let events = all(&d);
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].count, 3);
    }
}
