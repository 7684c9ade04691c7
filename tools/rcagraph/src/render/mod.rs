//! Renderings of an analysed graph (issue 5 §4): a terminal tree with colours ([`terminal`]),
//! Mermaid for Slack and Markdown ([`mermaid`]), DOT that reads back as the same graph
//! ([`dot`]), and a self-contained SVG with a layered layout, causes left and symptoms right
//! ([`svg`], laid out by [`layout`]).

pub mod collapse;
pub mod dot;
pub mod layout;
pub mod mermaid;
pub mod svg;
pub mod terminal;
pub mod text;

use std::collections::{HashMap, HashSet};

use crate::analyze::Analysis;
use crate::schema::Graph;

/// What each node is in the analysis, for styling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The top root cause.
    Root,
    /// Another candidate.
    Candidate,
    /// A symptom.
    Symptom,
    /// On the top cause's strongest path.
    OnPath,
    /// Anything else.
    Other,
}

/// Roles by node index, and the set of (from, to) edges on the top cause's strongest path.
pub(crate) fn roles(g: &Graph, a: &Analysis) -> (Vec<Role>, HashSet<(String, String)>) {
    let index: HashMap<&str, usize> = g.nodes.iter().enumerate().map(|(i, n)| (n.id.as_str(), i)).collect();
    let mut roles = vec![Role::Other; g.nodes.len()];
    let mut path_edges = HashSet::new();
    if let Some(top) = a.top() {
        let story = super::narrate::story_path(g, top);
        for w in story.node_ids.windows(2) {
            path_edges.insert((w[0].clone(), w[1].clone()));
        }
        for id in &story.node_ids {
            roles[index[id.as_str()]] = Role::OnPath;
        }
    }
    for rc in a.root_causes.iter().skip(1) {
        roles[index[rc.node_id.as_str()]] = Role::Candidate;
    }
    for s in &a.symptoms {
        roles[index[s.as_str()]] = Role::Symptom;
    }
    if let Some(top) = a.top() {
        roles[index[top.node_id.as_str()]] = Role::Root;
    }
    (roles, path_edges)
}

/// Whether an edge was dropped to break a cycle.
pub(crate) fn is_dropped(a: &Analysis, from: &str, to: &str) -> bool {
    a.dropped.iter().any(|d| d.from == from && d.to == to)
}
