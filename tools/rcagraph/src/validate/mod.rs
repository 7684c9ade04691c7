//! Reading and validating an `rcagraph/v1` document (`reference/rcagraph-v1.md` §7).
//!
//! The document is walked as untyped JSON so that *every* problem is found in one pass, each
//! with its path (`nodes[3].change.type`), the node id or `from→to` of the edge, a stable code
//! and a sentence. Only a document without errors becomes a typed [`Graph`]; warnings travel
//! with it. Structural checks that need the whole graph (times along edges, duplicate edges,
//! isolated nodes, ranking paths) run on the typed graph afterwards, in [`check_structure`].
//!
//! `issue` holds what a reader reports; `fields` the typed readers of one JSON member each, which
//! record a problem and carry on; `document` and `nodes` walk the document with them;
//! `structure` checks the typed graph as a whole.

mod document;
mod fields;
mod issue;
mod nodes;
mod structure;
#[cfg(test)]
mod tests;

use serde_json::Value;

pub use fields::parse_time;
pub use issue::{Invalid, Issue, Level, Parsed};
pub use structure::check_structure;

use fields::Cx;

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
