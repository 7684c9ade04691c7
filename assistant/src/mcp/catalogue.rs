//! What the MCP server lists: the agent's tools as MCP tools (the same names, descriptions and
//! argument schemas, one definition for both), with titles and read-only annotations; the
//! prompts that steer a client's model; and the pages every list is cut into.

use std::sync::Arc;

use rmcp::ErrorData;
use rmcp::model::{Prompt, PromptArgument, Tool, ToolAnnotations};

use crate::agent::{ToolBox, ToolSpec};

/// Items per page of `tools/list`, `resources/list` and `prompts/list`.
pub const PAGE: usize = 50;

/// A title a person reads in a client's tool picker.
fn title(tool: &str) -> &'static str {
    match tool {
        "search_docs" => "Search the team's documents",
        "list_resources" => "List cluster objects",
        "get_resource" => "Get a cluster object",
        "describe" => "Describe a cluster object",
        "events" => "Cluster events",
        "logs" => "Container logs",
        "diagnose" => "Diagnose a namespace",
        "related" => "Objects related to an object",
        "build_graph" => "Build a causal graph",
        "investigate" => "Investigate a failure",
        "changes" => "What changed",
        "rollout_history" => "Rollout history",
        "explain_graph" => "Explain a causal graph",
        _ => "sleuth tool",
    }
}

/// One agent tool as an MCP tool: every one reads and none writes, so each says so.
pub fn tool(spec: &ToolSpec) -> Tool {
    let schema = match &spec.parameters {
        serde_json::Value::Object(o) => o.clone(),
        _ => serde_json::Map::new(),
    };
    Tool::new(spec.name, spec.description.clone(), Arc::new(schema)).with_title(title(spec.name)).annotate(
        ToolAnnotations::with_title(title(spec.name))
            .read_only(true)
            .destructive(false)
            .idempotent(true)
            .open_world(false),
    )
}

/// The server's tools, in the agent's order.
pub fn tools(tools: &ToolBox) -> Vec<Tool> {
    tools.specs().iter().map(tool).collect()
}

/// The prompts: how to investigate a failing workload, and how to read a causal graph.
pub fn prompts(tools: &ToolBox) -> Vec<Prompt> {
    let arg = |name: &str, description: &str, required: bool| {
        PromptArgument::new(name).with_description(description).with_required(required)
    };
    let mut v = Vec::new();
    if tools.cluster.is_some() {
        v.push(
            Prompt::new(
                "investigate",
                Some("Investigate a failing workload with sleuth's read-only tools: findings, events, logs, changes, then the cause with its evidence."),
                Some(vec![
                    arg("workload", "The failing workload, service or pod (`checkout`, `deployment/api`).", true),
                    arg("namespace", "Its namespace, when known.", false),
                    arg("symptom", "What is seen (`502s`, `CrashLoopBackOff`, `slow checkout`).", false),
                ]),
            )
            .with_title("Investigate a failing workload"),
        );
    }
    v.push(
        Prompt::new(
            "explain_graph",
            Some("Explain a causal root-cause graph (rcagraph/v1 JSON or a DOT digraph) and check its top cause against the cluster."),
            Some(vec![arg("graph", "The graph itself: rcagraph/v1 JSON or a DOT digraph (its text, not a path).", true)]),
        )
        .with_title("Explain this graph"),
    );
    v
}

/// One page of `items` from an opaque cursor (the offset, as the server last gave it), and the
/// cursor of the next page; a cursor this server did not give is an invalid-params error.
pub fn page<T: Clone>(items: &[T], cursor: Option<&str>) -> Result<(Vec<T>, Option<String>), ErrorData> {
    let start = match cursor {
        None => 0,
        Some(c) => c
            .parse::<usize>()
            .ok()
            .filter(|n| *n > 0 && *n < items.len())
            .ok_or_else(|| ErrorData::invalid_params(format!("invalid cursor {c:?}"), None))?,
    };
    let end = (start + PAGE).min(items.len());
    let next = (end < items.len()).then(|| end.to_string());
    Ok((items[start..end].to_vec(), next))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_cover_every_item_once_and_refuse_foreign_cursors() {
        let items: Vec<usize> = (0..PAGE * 2 + 3).collect();
        let (mut seen, mut cursor) = (Vec::new(), None::<String>);
        loop {
            let (items, next) = page(&items, cursor.as_deref()).unwrap();
            seen.extend(items);
            match next {
                Some(n) => cursor = Some(n),
                None => break,
            }
        }
        assert_eq!(seen, items);
        for bad in ["x", "0", "-1", &items.len().to_string(), "99999"] {
            assert!(page(&items, Some(bad)).is_err(), "{bad}");
        }
        assert_eq!(page::<usize>(&[], None).unwrap(), (Vec::new(), None));
    }
}
