//! What part of a cluster to read, and how reading it reports progress: shared by the live and
//! the snapshot sides of [`crate::source::ClusterSource`].

use std::collections::BTreeMap;

use crate::kind::Kind;
use crate::selector::escape_field_value;

/// What part of the cluster to read.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    /// Namespaces to read; empty means all.
    pub namespaces: Vec<String>,
    /// Label selector applied to every list (`app=web`).
    pub label_selector: Option<String>,
    /// Field selectors of some kinds' lists (`metadata.name=web-1` for pods,
    /// `involvedObject.name=web-1` for events): a tool about one object asks the API server
    /// for that object and its events, not for the whole namespace.
    pub fields: BTreeMap<Kind, String>,
}

impl Scope {
    /// One namespace, or all when `None`.
    pub fn namespace(ns: Option<&str>) -> Scope {
        Scope { namespaces: ns.map(|n| vec![n.to_string()]).unwrap_or_default(), ..Scope::default() }
    }

    /// The same scope narrowed to one object: `kind`'s list to `name`, and the events to those
    /// about it (the field selectors `kubectl describe` uses). Other kinds are left whole.
    #[must_use]
    pub fn about(self, kind: Kind, name: &str) -> Scope {
        let scope = self.with_field(kind, format!("metadata.name={}", escape_field_value(name)));
        if matches!(kind, Kind::Event | Kind::EventV1) {
            return scope;
        }
        scope.events_about(Some(kind), name)
    }

    /// The same scope with the events narrowed to those about the object `name` (of `kind`,
    /// when known), through both event APIs.
    #[must_use]
    pub fn events_about(self, kind: Option<Kind>, name: &str) -> Scope {
        let name = escape_field_value(name);
        let (core, v1) = match kind {
            Some(k) => (
                format!("involvedObject.kind={k},involvedObject.name={name}"),
                format!("regarding.kind={k},regarding.name={name}"),
            ),
            None => (format!("involvedObject.name={name}"), format!("regarding.name={name}")),
        };
        self.with_field(Kind::Event, core).with_field(Kind::EventV1, v1)
    }

    /// The same scope with `kind`'s list narrowed by a field selector.
    #[must_use]
    pub fn with_field(mut self, kind: Kind, selector: impl Into<String>) -> Scope {
        self.fields.insert(kind, selector.into());
        self
    }
}

/// Progress of a capture (a bar in the CLI, nothing in tests).
pub trait Progress: Send + Sync {
    /// `total` steps are about to run.
    fn begin(&self, total: u64);
    /// One step finished.
    fn advance(&self, what: &str);
}

/// Reports nothing.
pub struct NoProgress;

impl Progress for NoProgress {
    fn begin(&self, _: u64) {}
    fn advance(&self, _: &str) {}
}
