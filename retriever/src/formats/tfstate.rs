//! Terraform state (`terraform.tfstate`, format 4) and `terraform show -json` output (state
//! and plan): one document per resource instance (or planned change), addressed like
//! Terraform addresses it.
//!
//! State files hold secrets in the clear. Everything Terraform marks sensitive
//! (`sensitive_attributes` paths, `sensitive_values` / `after_sensitive` masks, sensitive
//! outputs) is redacted, `private` is dropped, and the rest passes through
//! [`redact_json`](redact::redact_json) for secret-named keys and secret-shaped values.

use serde_json::{Map, Value};

use crate::error::InputError;
use crate::model::{Document, Kind, Section};
use redact::{REDACTED, redact_json};

/// What a JSON file is, as far as Terraform goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonKind {
    /// A raw state file (`version`, `serial`, `lineage`, `resources`).
    State,
    /// `terraform show -json` of a state or a plan (`format_version`, `values` or
    /// `planned_values`/`resource_changes`).
    Show,
}

/// Sniffs the first bytes of a JSON file.
pub fn sniff(head: &str) -> Option<JsonKind> {
    let has = |k: &str| head.contains(&format!("\"{k}\""));
    if has("format_version")
        && (has("values") || has("planned_values") || has("resource_changes") || has("terraform_version"))
    {
        Some(JsonKind::Show)
    } else if has("version")
        && (has("lineage") || has("serial"))
        && (has("resources") || has("modules") || has("terraform_version"))
    {
        Some(JsonKind::State)
    } else {
        None
    }
}

/// Reads a state or show-json file.
pub fn parse(text: &str, location: &str) -> Result<Vec<Document>, InputError> {
    let root: Value = serde_json::from_str(text).map_err(|e| {
        let what = if e.is_eof() { "truncated JSON" } else { "invalid JSON" };
        InputError::at(location, e.line(), format!("{what}: {e}"))
    })?;
    let Some(obj) = root.as_object() else {
        return Err(InputError::new(location, "not a Terraform state (top level is not an object)"));
    };
    if obj.contains_key("format_version") {
        Ok(parse_show(obj, location))
    } else {
        parse_state(obj, location)
    }
}

fn parse_state(obj: &Map<String, Value>, location: &str) -> Result<Vec<Document>, InputError> {
    match obj.get("version").and_then(Value::as_u64) {
        Some(4) => {}
        Some(v @ 0..=3) => {
            return Err(InputError::new(
                location,
                format!(
                    "state format version {v} (Terraform 0.11 or older) is not supported; upgrade it with Terraform 0.12 or later"
                ),
            ));
        }
        Some(v) => {
            return Err(InputError::new(location, format!("unknown state format version {v} (expected 4)")));
        }
        None => {
            return Err(InputError::new(location, "not a Terraform state: field `version` is missing"));
        }
    }
    let tf_version = obj.get("terraform_version").and_then(Value::as_str).unwrap_or("unknown");
    let mut docs = Vec::new();
    for (i, res) in obj.get("resources").and_then(Value::as_array).into_iter().flatten().enumerate() {
        let field = |k: &str| res.get(k).and_then(Value::as_str).unwrap_or_default();
        let (module, mode, ty, name) = (field("module"), field("mode"), field("type"), field("name"));
        if ty.is_empty() || name.is_empty() {
            return Err(InputError::new(location, format!("resources[{i}]: missing `type` or `name`")));
        }
        // 0.12-era states write `provider.aws`; later ones `provider["registry…/aws"]`.
        let provider = field("provider").to_string();
        for inst in res.get("instances").and_then(Value::as_array).into_iter().flatten() {
            let address = address(module, mode, ty, name, inst.get("index_key"));
            let mut attrs = inst.get("attributes").cloned().unwrap_or(Value::Null);
            if let Some(paths) = inst.get("sensitive_attributes").and_then(Value::as_array) {
                for path in paths {
                    redact_path(&mut attrs, path);
                }
            }
            redact_json(&mut attrs);
            let deps = strings(inst.get("dependencies").or_else(|| inst.get("depends_on")));
            let mut doc = resource_doc(&address, module, mode, ty, location);
            doc.fields.push(("provider".into(), provider.clone()));
            doc.fields.push(("terraform_version".into(), tf_version.to_string()));
            let mut text = render_attributes(&attrs);
            if !deps.is_empty() {
                text.push_str(&format!("\ndepends on: {}", deps.join(", ")));
                doc.fields.push(("depends_on".into(), deps.join(", ")));
            }
            doc.sections.push(Section { heading: Vec::new(), anchor: None, text });
            docs.push(doc);
        }
    }
    if let Some(outputs) = obj.get("outputs").and_then(Value::as_object) {
        docs.extend(outputs_doc(outputs, location));
    }
    Ok(docs)
}

fn parse_show(obj: &Map<String, Value>, location: &str) -> Vec<Document> {
    let mut docs = Vec::new();
    if let Some(changes) = obj.get("resource_changes").and_then(Value::as_array) {
        for rc in changes {
            let field = |k: &str| rc.get(k).and_then(Value::as_str).unwrap_or_default();
            let change = rc.get("change").cloned().unwrap_or(Value::Null);
            let actions = strings(change.get("actions"));
            let action = if actions.contains(&"delete") && actions.contains(&"create") {
                "replace".to_string()
            } else {
                actions.join(", ")
            };
            let mut after = change.get("after").cloned().unwrap_or(Value::Null);
            if let Some(mask) = change.get("after_sensitive") {
                apply_mask(&mut after, mask);
            }
            redact_json(&mut after);
            let module = field("module_address");
            let mut doc = resource_doc(field("address"), module, field("mode"), field("type"), location);
            doc.title = format!("{} (planned: {action})", field("address"));
            doc.fields.push(("planned_action".into(), action.clone()));
            if let Some(reason) = rc.get("action_reason").and_then(Value::as_str) {
                doc.fields.push(("action_reason".into(), reason.to_string()));
            }
            let text = format!("planned action: {action}\n{}", render_attributes(&after));
            doc.sections.push(Section { heading: Vec::new(), anchor: None, text });
            docs.push(doc);
        }
    } else if let Some(values) = obj.get("values") {
        if let Some(root) = values.get("root_module") {
            module_resources(root, location, &mut docs);
        }
        if let Some(outputs) = values.get("outputs").and_then(Value::as_object) {
            docs.extend(outputs_doc(outputs, location));
        }
    }
    docs
}

fn module_resources(module: &Value, location: &str, docs: &mut Vec<Document>) {
    let module_addr = module.get("address").and_then(Value::as_str).unwrap_or_default();
    for res in module.get("resources").and_then(Value::as_array).into_iter().flatten() {
        let field = |k: &str| res.get(k).and_then(Value::as_str).unwrap_or_default();
        let mut values = res.get("values").cloned().unwrap_or(Value::Null);
        if let Some(mask) = res.get("sensitive_values") {
            apply_mask(&mut values, mask);
        }
        redact_json(&mut values);
        // Old show-json (format 0.1) leaves the module and the index out of `address`.
        let mut address = field("address").to_string();
        if !module_addr.is_empty() && !address.starts_with(module_addr) {
            address = format!("{module_addr}.{address}");
        }
        if let Some(index) = res.get("index").filter(|_| !address.ends_with(']')) {
            address.push_str(&format!("[{index}]"));
        }
        let mut doc = resource_doc(&address, module_addr, field("mode"), field("type"), location);
        doc.fields.push(("provider".into(), field("provider_name").to_string()));
        let mut text = render_attributes(&values);
        let deps = strings(res.get("depends_on"));
        if !deps.is_empty() {
            text.push_str(&format!("\ndepends on: {}", deps.join(", ")));
        }
        doc.sections.push(Section { heading: Vec::new(), anchor: None, text });
        docs.push(doc);
    }
    for child in module.get("child_modules").and_then(Value::as_array).into_iter().flatten() {
        module_resources(child, location, docs);
    }
}

fn resource_doc(address: &str, module: &str, mode: &str, ty: &str, location: &str) -> Document {
    let mut doc = Document::new(Kind::Terraform, address, location);
    doc.id = format!("{location}#{address}");
    doc.object = Some(address.to_string());
    doc.fields.push(("address".into(), address.to_string()));
    doc.fields.push(("type".into(), ty.to_string()));
    let words = super::terraform::type_keywords(ty);
    if !words.is_empty() {
        doc.fields.push(("kind of resource".into(), words));
    }
    if mode == "data" {
        doc.fields.push(("mode".into(), "data".into()));
    }
    let module = if module.is_empty() { "root" } else { module };
    doc.fields.push(("module".into(), module.to_string()));
    doc.add_scope("module", module);
    doc.breadcrumbs = vec!["state".into()];
    doc
}

fn outputs_doc(outputs: &Map<String, Value>, location: &str) -> Option<Document> {
    if outputs.is_empty() {
        return None;
    }
    let mut doc = Document::new(Kind::Terraform, "Terraform outputs", location);
    doc.id = format!("{location}#outputs");
    doc.breadcrumbs = vec!["state".into()];
    let mut lines = Vec::new();
    for (name, out) in outputs {
        let sensitive = out.get("sensitive").and_then(Value::as_bool).unwrap_or(false);
        let value = if sensitive {
            REDACTED.to_string()
        } else {
            let mut v = out.get("value").cloned().unwrap_or(Value::Null);
            redact_json(&mut v);
            v.to_string()
        };
        lines.push(format!("output.{name} = {value}"));
    }
    doc.sections.push(Section { heading: Vec::new(), anchor: None, text: lines.join("\n") });
    Some(doc)
}

/// The strings of a JSON array (none when absent or not an array).
fn strings(value: Option<&Value>) -> Vec<&str> {
    value.and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect()
}

/// `module.eks.data.aws_ami.this["al2023"]`
fn address(module: &str, mode: &str, ty: &str, name: &str, index: Option<&Value>) -> String {
    let mut a = String::new();
    if !module.is_empty() {
        a.push_str(module);
        a.push('.');
    }
    if mode == "data" {
        a.push_str("data.");
    }
    a.push_str(ty);
    a.push('.');
    a.push_str(name);
    match index {
        Some(Value::Number(n)) => a.push_str(&format!("[{n}]")),
        Some(Value::String(s)) => a.push_str(&format!("[{}]", Value::String(s.clone()))),
        _ => {}
    }
    a
}

/// Top-level attributes as `key = value` lines (nulls and empties left out).
fn render_attributes(attrs: &Value) -> String {
    let Some(map) = attrs.as_object() else {
        return String::new();
    };
    map.iter()
        .filter(|(_, v)| {
            !(v.is_null()
                || v.as_array().is_some_and(Vec::is_empty)
                || v.as_object().is_some_and(Map::is_empty)
                || v.as_str() == Some(""))
        })
        .map(|(k, v)| match v {
            Value::String(s) => format!("{k} = {s}"),
            other => format!("{k} = {other}"),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Follows a `sensitive_attributes` path (`[{"type":"get_attr","value":"password"}, …]`) and
/// redacts what it reaches.
fn redact_path(value: &mut Value, path: &Value) {
    let Some(steps) = path.as_array() else { return };
    let mut cur = value;
    for step in steps {
        let next = match (step.get("type").and_then(Value::as_str), step.get("value")) {
            (Some("get_attr"), Some(Value::String(k))) => cur.get_mut(k.as_str()),
            (Some("index"), Some(idx)) => match idx.get("value").unwrap_or(idx) {
                Value::Number(n) => n.as_u64().and_then(|i| cur.get_mut(i as usize)),
                Value::String(k) => cur.get_mut(k.as_str()),
                _ => None,
            },
            _ => None,
        };
        match next {
            Some(n) => cur = n,
            None => return,
        }
    }
    *cur = Value::String(REDACTED.into());
}

/// Applies a `sensitive_values`-style mask: `true` at a leaf means redact it.
fn apply_mask(value: &mut Value, mask: &Value) {
    match mask {
        Value::Bool(true) => *value = Value::String(REDACTED.into()),
        Value::Object(m) => {
            for (k, sub) in m {
                if let Some(v) = value.get_mut(k.as_str()) {
                    apply_mask(v, sub);
                }
            }
        }
        Value::Array(items) => {
            for (i, sub) in items.iter().enumerate() {
                if let Some(v) = value.get_mut(i) {
                    apply_mask(v, sub);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STATES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/samples/terraform/state");

    fn load(rel: &str) -> Vec<Document> {
        let text = std::fs::read_to_string(format!("{STATES}/{rel}")).unwrap();
        assert!(sniff(&text[..text.len().min(4096)]).is_some(), "{rel} not sniffed");
        parse(&text, rel).unwrap()
    }

    fn titles(docs: &[Document]) -> Vec<String> {
        let mut t: Vec<String> = docs.iter().map(|d| d.title.clone()).collect();
        t.sort();
        t
    }

    #[test]
    fn raw_state_and_show_json_give_the_same_addresses() {
        let raw = load("no_changes/terraform.tfstate");
        let show = load("no_changes/state.json");
        let t = titles(&raw);
        assert!(
            t.contains(&"null_resource.baz[0]".to_string())
                && t.contains(&"module.foo.null_resource.foo".to_string()),
            "{t:?}"
        );
        assert_eq!(t, titles(&show));
        for docs in [&raw, &show] {
            let outputs = docs.iter().find(|d| d.title == "Terraform outputs").unwrap();
            assert!(
                outputs.sections[0].text.contains(&format!("output.foo = {REDACTED}")),
                "{}",
                outputs.sections[0].text
            );
            assert!(!outputs.sections[0].text.contains("output.foo = \"bar\""));
        }
    }

    #[test]
    fn modern_state_and_plans_parse() {
        assert!(!load("110_sensitive_values/terraform.tfstate").is_empty());
        let plan = load("110_basic/plan.json");
        assert!(
            plan.iter().any(|d| d.title == "module.foo.null_resource.foo (planned: create)"),
            "{:?}",
            titles(&plan)
        );
        let replace = load("action_reason/plan.json");
        assert_eq!(replace[0].fields.iter().find(|(k, _)| k == "planned_action").unwrap().1, "replace");
        let deep = load("deep_module/plan.json");
        assert!(deep[0].title.starts_with("module.foo.module.bar.null_resource.baz"));
    }

    #[test]
    fn sensitive_attribute_paths_are_redacted() {
        let state = r#"{"version":4,"serial":1,"lineage":"x","resources":[{"mode":"managed","type":"aws_db_instance","name":"orders",
          "provider":"provider[\"registry.terraform.io/hashicorp/aws\"]",
          "instances":[{"attributes":{"identifier":"orders","master_secret":"abc","endpoint":"db:5432","cfg":{"pw":"zzz"}},
          "sensitive_attributes":[[{"type":"get_attr","value":"cfg"},{"type":"get_attr","value":"pw"}]],"private":"bXlzZWNyZXQ="}]}]}"#;
        let docs = parse(state, "s.tfstate").unwrap();
        let text = &docs[0].sections[0].text;
        assert!(text.contains("endpoint = db:5432"), "{text}");
        assert!(!text.contains("zzz") && !text.contains("abc") && !text.contains("bXlzZWNyZXQ"), "{text}");
    }

    #[test]
    fn truncated_and_old_states_are_refused_clearly() {
        let err = parse("{\"version\": 4, \"resources\": [", "t.tfstate").unwrap_err();
        assert!(err.reason.starts_with("truncated JSON"), "{err}");
        let err = parse(r#"{"version": 3, "serial": 1, "lineage": "x", "modules": []}"#, "old.tfstate")
            .unwrap_err();
        assert!(err.reason.contains("version 3"), "{err}");
    }
}
