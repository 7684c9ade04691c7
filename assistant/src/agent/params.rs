//! Every tool's arguments as one typed definition: the JSON schema a model (or, next, an MCP
//! client) is shown is derived from the same struct the call is parsed into, so the two cannot
//! drift. Parsing fails with the field and the reason (`missing field `name``, `invalid type:
//! string "x", expected u64`); names are then checked by [`super::args`]. Unknown fields are
//! ignored: models add their own, and the offline policy tags its search rounds.

use schemars::JsonSchema;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// `search_docs`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct SearchDocs {
    /// what to look for
    pub query: String,
    /// only confluence, notion, terraform or markdown
    pub kind: Option<String>,
    /// number of results (default 5)
    pub k: Option<u64>,
}

/// `list_resources`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ListResources {
    /// kind: pods, deployments, services, nodes, …
    pub kind: String,
    /// namespace (default: the current one)
    pub namespace: Option<String>,
    /// label selector, e.g. app=web
    pub selector: Option<String>,
}

/// `get_resource`, `describe`, `related`: one object.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct Object {
    /// kind: pods, deployments, services, nodes, …
    pub kind: String,
    /// object name
    pub name: String,
    /// namespace (default: the current one)
    pub namespace: Option<String>,
}

/// `events`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct Events {
    /// namespace (default: the current one)
    pub namespace: Option<String>,
    /// [kind/]name of one object
    pub object: Option<String>,
    /// only the last N minutes
    pub since_minutes: Option<u64>,
    /// only warnings
    pub warnings_only: Option<bool>,
}

/// `logs`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct Logs {
    /// pod name
    pub pod: String,
    /// container name
    pub container: Option<String>,
    /// namespace (default: the current one)
    pub namespace: Option<String>,
    /// the previous (crashed) instance
    pub previous: Option<bool>,
    /// last N lines (default 100)
    pub tail: Option<u64>,
    /// only lines containing this
    pub grep: Option<String>,
}

/// `diagnose`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct Diagnose {
    /// only this namespace (default: all)
    pub namespace: Option<String>,
    /// only findings about this kind
    pub kind: Option<String>,
}

/// `build_graph`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct BuildGraph {
    /// only this namespace (default: all)
    pub namespace: Option<String>,
    /// how far back, e.g. 30m, 2h (default 2h)
    pub since: Option<String>,
}

/// `investigate`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct Investigate {
    /// objects the question names: workload, Service, claim, node or pod names, or unique prefixes
    #[serde(default)]
    pub names: Vec<String>,
    /// only this namespace (default: all)
    pub namespace: Option<String>,
}

/// `changes`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct Changes {
    /// how far back from the capture time, e.g. 1h, 30m, 1d (default 1h)
    pub since: Option<String>,
    /// only this namespace (default: all)
    pub namespace: Option<String>,
}

/// `rollout_history`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct RolloutHistory {
    /// Deployment name
    pub deployment: String,
    /// namespace (default: the current one)
    pub namespace: Option<String>,
}

/// `explain_graph` on one's own machine.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ExplainGraph {
    /// the graph itself: rcagraph/v1 JSON or a DOT digraph
    pub graph: Option<String>,
    /// or a file holding it
    pub path: Option<String>,
}

/// `explain_graph` in a server: content only.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ExplainGraphContent {
    /// the graph itself: rcagraph/v1 JSON or a DOT digraph
    pub graph: String,
}

/// The JSON schema of `T` as function-calling APIs take it: an object with `properties` and
/// `required`, optional fields plain (not `null`-able), no `$schema` or `title`. Generated once
/// per type: the catalogue is asked for at every model step and every served turn.
pub fn schema<T: JsonSchema + 'static>() -> Value {
    static DONE: std::sync::LazyLock<std::sync::Mutex<std::collections::HashMap<std::any::TypeId, Value>>> =
        std::sync::LazyLock::new(Default::default);
    let mut done = DONE.lock().expect("schema cache");
    done.entry(std::any::TypeId::of::<T>()).or_insert_with(generate::<T>).clone()
}

fn generate<T: JsonSchema>() -> Value {
    let mut v = serde_json::to_value(schemars::SchemaGenerator::default().into_root_schema_for::<T>())
        .unwrap_or_else(|_| serde_json::json!({"type": "object"}));
    if let Some(o) = v.as_object_mut() {
        o.remove("$schema");
        o.remove("title");
        o.remove("description");
        o.entry("required").or_insert_with(|| Value::Array(Vec::new()));
        if let Some(props) = o.get_mut("properties").and_then(Value::as_object_mut) {
            for p in props.values_mut() {
                // `["string", "null"]` → `"string"`: an absent field already means "not given".
                if let Some(t) = p.get("type").and_then(Value::as_array).filter(|t| t.len() == 2) {
                    let plain = t.iter().find(|x| x.as_str() != Some("null")).cloned();
                    if let Some(plain) = plain {
                        p["type"] = plain;
                    }
                }
                if let Some(o) = p.as_object_mut() {
                    o.remove("default");
                    o.remove("format");
                    o.remove("minimum");
                }
            }
        }
    }
    v
}

/// Parses a call's arguments into `T`; the error names the field and the reason.
pub fn parse<T: DeserializeOwned>(tool: &str, args: &Value) -> anyhow::Result<T> {
    let args = if args.is_null() { Value::Object(serde_json::Map::new()) } else { args.clone() };
    serde_path_to_error::deserialize(args).map_err(|e| {
        let field = e.path().to_string();
        let field = if field == "." { String::new() } else { format!("{field}: ") };
        anyhow::anyhow!("invalid arguments for {tool}: {field}{}", e.into_inner())
    })
}

/// `Some` non-empty text: a model's `""` means "not given".
pub fn given(v: Option<String>) -> Option<String> {
    v.filter(|s| !s.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn schemas_are_plain_objects_with_their_required_fields() {
        let s = schema::<Object>();
        assert_eq!(s["type"], "object");
        assert_eq!(s["required"], json!(["kind", "name"]));
        assert_eq!(s["properties"]["namespace"]["type"], "string", "{s}");
        assert_eq!(s["properties"]["name"]["description"], "object name");
        assert!(s.get("$schema").is_none() && s.get("title").is_none(), "{s}");
        let logs = schema::<Logs>();
        assert_eq!(logs["properties"]["tail"]["type"], "integer", "{logs}");
        assert_eq!(schema::<Investigate>()["properties"]["names"]["type"], "array");
    }

    #[test]
    fn bad_arguments_name_the_field() {
        let e = parse::<Object>("describe", &json!({"kind": "pod"})).unwrap_err().to_string();
        assert!(e.contains("describe") && e.contains("missing field `name`"), "{e}");
        let e = parse::<Logs>("logs", &json!({"pod": "p", "tail": "many"})).unwrap_err().to_string();
        assert!(e.contains("tail: invalid type"), "{e}");
        // Extra fields (a model's, the offline policy's `round`) are ignored; null is no arguments.
        assert!(parse::<SearchDocs>("search_docs", &json!({"query": "q", "round": 2})).is_ok());
        assert!(parse::<Diagnose>("diagnose", &Value::Null).is_ok());
    }
}
