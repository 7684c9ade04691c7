//! Events as a table and as records, selected by namespace, object, type, reason and age.

use super::table::{Table, age};
use crate::data::ClusterData;
use crate::events::{self, EventRecord};
use crate::kind::Kind;

/// What `events` shows.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    /// Only this namespace.
    pub namespace: Option<String>,
    /// Only events about this object: kind (optional) and name.
    pub object: Option<(Option<Kind>, String)>,
    /// Only events at most this many seconds before the capture time.
    pub since_seconds: Option<i64>,
    /// Only warnings.
    pub warnings_only: bool,
    /// Only this reason.
    pub reason: Option<String>,
}

/// Events matching `filter`, oldest first, as a table.
pub fn events(data: &ClusterData, filter: &EventFilter) -> Table {
    let now = data.now();
    let mut t = Table::new(&["NAMESPACE", "LAST SEEN", "TYPE", "REASON", "OBJECT", "COUNT", "MESSAGE"]);
    for e in select_events(data, filter) {
        t.rows.push(vec![
            e.namespace.clone().unwrap_or_default(),
            age(e.last, now),
            e.type_.clone(),
            e.reason.clone(),
            format!("{}/{}", e.kind.to_ascii_lowercase(), e.name),
            e.count.to_string(),
            e.message.replace('\n', " "),
        ]);
    }
    if filter.namespace.is_some() { t.without("NAMESPACE") } else { t }
}

/// The events `filter` selects, oldest first.
pub fn select_events(data: &ClusterData, filter: &EventFilter) -> Vec<EventRecord> {
    let now = data.now();
    events::all(data)
        .into_iter()
        .filter(|e| filter.namespace.as_deref().is_none_or(|ns| e.namespace.as_deref() == Some(ns)))
        .filter(|e| {
            filter
                .object
                .as_ref()
                .is_none_or(|(kind, name)| &e.name == name && kind.is_none_or(|k| e.kind == k.info().kind))
        })
        .filter(|e| !filter.warnings_only || e.is_warning())
        .filter(|e| filter.reason.as_deref().is_none_or(|r| e.reason.eq_ignore_ascii_case(r)))
        .filter(|e| {
            filter.since_seconds.is_none_or(|s| e.last.is_some_and(|t| now.as_second() - t.as_second() <= s))
        })
        .collect()
}
