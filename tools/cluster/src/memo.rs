//! What a live cluster already answered during one turn of a conversation, so that one turn
//! never lists the same kind twice: a `diagnose` followed by `describe` and `investigate` reads
//! each kind once, the later calls restricted from the earlier capture. The front end starts a
//! turn with [`Memo::clear`] and clears again at its end, so nothing is kept between questions
//! (answers stay fresh, and a large capture does not stay in memory).

use std::sync::{Arc, Mutex};

use crate::data::ClusterData;
use crate::kind::Kind;
use crate::scope::Scope;

/// One capture: which kinds, in which scope.
struct Entry {
    kinds: Vec<Kind>,
    scope: Scope,
    data: Arc<ClusterData>,
}

/// Captures of the current turn, shared by the clones of one live source.
#[derive(Clone, Default)]
pub struct Memo(Arc<Mutex<Vec<Entry>>>);

impl Memo {
    /// Forget everything (a new turn begins, or one ended).
    pub fn clear(&self) {
        self.0.lock().expect("memo lock").clear();
    }

    /// A capture of `kinds` in `scope` from what this turn already read, if it holds them: the
    /// same capture, or a narrowing of a wider one (more kinds, all namespaces, no label
    /// selector, and for each kind asked no field selector or the same one).
    pub fn recall(&self, kinds: &[Kind], scope: &Scope) -> Option<Arc<ClusterData>> {
        let entries = self.0.lock().expect("memo lock");
        let same_namespaces =
            |a: &[String], b: &[String]| a.len() == b.len() && a.iter().all(|n| b.contains(n));
        for e in entries.iter() {
            if !kinds.iter().all(|k| e.kinds.contains(k)) {
                continue;
            }
            let exact = e.kinds.len() == kinds.len()
                && same_namespaces(&e.scope.namespaces, &scope.namespaces)
                && e.scope.label_selector == scope.label_selector
                && e.scope.fields == scope.fields;
            if exact {
                return Some(Arc::clone(&e.data));
            }
            let wider_namespaces =
                e.scope.namespaces.is_empty() || same_namespaces(&e.scope.namespaces, &scope.namespaces);
            // A kind listed with a field selector holds only what it selected: usable only
            // when this scope selects the same.
            let fields_hold = e
                .scope
                .fields
                .iter()
                .filter(|(k, _)| kinds.contains(k))
                .all(|(k, f)| scope.fields.get(k) == Some(f));
            if !wider_namespaces || !fields_hold || e.scope.label_selector.is_some() {
                continue;
            }
            let Ok(out) = e.data.narrowed(Some(kinds), scope) else { continue };
            return Some(Arc::new(out));
        }
        None
    }

    /// Remember a capture for the rest of the turn.
    pub fn remember(&self, kinds: &[Kind], scope: &Scope, data: &Arc<ClusterData>) {
        self.0.lock().expect("memo lock").push(Entry {
            kinds: kinds.to_vec(),
            scope: scope.clone(),
            data: Arc::clone(data),
        });
    }
}
