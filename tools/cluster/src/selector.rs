//! Label and field selectors, evaluated the way the API server evaluates them.
//!
//! A snapshot must answer `list pods -l app=web` exactly like a live server, so the string
//! syntax (`a=b,c!=d,e in (x,y),!f`) and `LabelSelector` objects (`matchLabels` plus
//! `matchExpressions`) are both implemented in full; an empty selector matches everything.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

/// A selector string that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid selector {selector:?}: {reason}")]
pub struct SelectorError {
    /// The selector as given.
    pub selector: String,
    /// What is wrong with it.
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Op {
    Eq(String),
    Ne(String),
    In(Vec<String>),
    NotIn(Vec<String>),
    Exists,
    Missing,
}

/// A parsed label selector: every requirement must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selector {
    reqs: Vec<(String, Op)>,
}

impl Selector {
    /// Parse `a=b,c!=d,e in (x,y),f notin (z),g,!h`.
    pub fn parse(s: &str) -> Result<Selector, SelectorError> {
        let err = |reason: &str| SelectorError { selector: s.to_string(), reason: reason.to_string() };
        let mut reqs = Vec::new();
        for part in split_top_level(s) {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            if let Some(key) = part.strip_prefix('!') {
                reqs.push((valid_key(key.trim()).map_err(|r| err(&r))?, Op::Missing));
            } else if let Some((k, v)) = part.split_once("!=") {
                reqs.push((valid_key(k.trim()).map_err(|r| err(&r))?, Op::Ne(v.trim().to_string())));
            } else if let Some((k, v)) = part.split_once("==").or_else(|| part.split_once('=')) {
                reqs.push((valid_key(k.trim()).map_err(|r| err(&r))?, Op::Eq(v.trim().to_string())));
            } else if let Some((k, rest)) = split_set_op(part, " notin ") {
                reqs.push((valid_key(k).map_err(|r| err(&r))?, Op::NotIn(set(rest).map_err(|r| err(&r))?)));
            } else if let Some((k, rest)) = split_set_op(part, " in ") {
                reqs.push((valid_key(k).map_err(|r| err(&r))?, Op::In(set(rest).map_err(|r| err(&r))?)));
            } else {
                reqs.push((valid_key(part).map_err(|r| err(&r))?, Op::Exists));
            }
        }
        Ok(Selector { reqs })
    }

    /// The selector of a `LabelSelector` object (`None` and `{}` select everything).
    pub fn from_label_selector(ls: &LabelSelector) -> Selector {
        let mut reqs: Vec<(String, Op)> =
            ls.match_labels.iter().flatten().map(|(k, v)| (k.clone(), Op::Eq(v.clone()))).collect();
        for e in ls.match_expressions.iter().flatten() {
            let values = e.values.clone().unwrap_or_default();
            let op = match e.operator.as_str() {
                "In" => Op::In(values),
                "NotIn" => Op::NotIn(values),
                "Exists" => Op::Exists,
                "DoesNotExist" => Op::Missing,
                // An operator the API server would reject selects nothing.
                _ => Op::In(Vec::new()),
            };
            reqs.push((e.key.clone(), op));
        }
        Selector { reqs }
    }

    /// The selector of a Service or ReplicationController (`matchLabels` only).
    pub fn from_map(map: &BTreeMap<String, String>) -> Selector {
        Selector { reqs: map.iter().map(|(k, v)| (k.clone(), Op::Eq(v.clone()))).collect() }
    }

    /// Whether it has no requirement (and so selects everything).
    pub fn is_empty(&self) -> bool {
        self.reqs.is_empty()
    }

    /// Whether these labels satisfy every requirement.
    pub fn matches(&self, labels: Option<&BTreeMap<String, String>>) -> bool {
        let get = |k: &str| labels.and_then(|l| l.get(k));
        self.reqs.iter().all(|(k, op)| match op {
            Op::Eq(v) => get(k) == Some(v),
            Op::Ne(v) => get(k) != Some(v),
            Op::In(vs) => get(k).is_some_and(|x| vs.contains(x)),
            Op::NotIn(vs) => get(k).is_none_or(|x| !vs.contains(x)),
            Op::Exists => get(k).is_some(),
            Op::Missing => get(k).is_none(),
        })
    }
}

impl std::fmt::Display for Selector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self
            .reqs
            .iter()
            .map(|(k, op)| match op {
                Op::Eq(v) => format!("{k}={v}"),
                Op::Ne(v) => format!("{k}!={v}"),
                Op::In(vs) => format!("{k} in ({})", vs.join(",")),
                Op::NotIn(vs) => format!("{k} notin ({})", vs.join(",")),
                Op::Exists => k.clone(),
                Op::Missing => format!("!{k}"),
            })
            .collect();
        f.write_str(&parts.join(","))
    }
}

fn split_top_level(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut start) = (0i32, 0);
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

fn split_set_op<'a>(part: &'a str, op: &str) -> Option<(&'a str, &'a str)> {
    part.find(op).map(|i| (part[..i].trim(), part[i + op.len()..].trim()))
}

fn set(s: &str) -> Result<Vec<String>, String> {
    let inner =
        s.strip_prefix('(').and_then(|s| s.strip_suffix(')')).ok_or("a set must be in parentheses")?;
    Ok(inner.split(',').map(|v| v.trim().to_string()).filter(|v| !v.is_empty()).collect())
}

fn valid_key(k: &str) -> Result<String, String> {
    if k.is_empty() || k.contains(|c: char| c.is_whitespace() || "()!=<>".contains(c)) {
        return Err(format!("bad label key {k:?}"));
    }
    Ok(k.to_string())
}

/// A parsed field selector (`metadata.name=x,status.phase!=Running`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldSelector {
    reqs: Vec<(String, bool, String)>,
}

impl FieldSelector {
    /// Parse a field selector; only `=`, `==` and `!=` exist for fields, and a value's `\`,
    /// `,` and `=` are escaped with a backslash (as the API server reads them).
    pub fn parse(s: &str) -> Result<FieldSelector, SelectorError> {
        let mut reqs = Vec::new();
        for part in split_unescaped(s, ',').iter().map(|p| p.trim()).filter(|p| !p.is_empty()) {
            let (path, eq, value) = if let Some((k, v)) = part.split_once("!=") {
                (k, false, v)
            } else if let Some((k, v)) = part.split_once("==").or_else(|| part.split_once('=')) {
                (k, true, v)
            } else {
                return Err(SelectorError {
                    selector: s.to_string(),
                    reason: format!("{part:?} has no operator"),
                });
            };
            reqs.push((path.trim().to_string(), eq, unescape(value.trim())));
        }
        Ok(FieldSelector { reqs })
    }

    /// The fields it reads (`metadata.name`, `involvedObject.kind`).
    pub fn fields(&self) -> impl Iterator<Item = &str> {
        self.reqs.iter().map(|(path, _, _)| path.as_str())
    }

    /// Whether a JSON object satisfies the selector (a missing field reads as `""`).
    pub fn matches(&self, obj: &serde_json::Value) -> bool {
        self.reqs.iter().all(|(path, eq, want)| {
            let pointer = format!("/{}", path.replace('.', "/"));
            let got = match obj.pointer(&pointer) {
                Some(serde_json::Value::String(s)) => s.clone(),
                Some(serde_json::Value::Null) | None => String::new(),
                Some(v) => v.to_string(),
            };
            (got == *want) == *eq
        })
    }
}

/// A value as it must be written in a field selector (`a,b` → `a\,b`).
pub fn escape_field_value(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for c in v.chars() {
        if matches!(c, '\\' | ',' | '=') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// `s` split at every `sep` not escaped by a backslash (escapes kept).
fn split_unescaped(s: &str, sep: char) -> Vec<&str> {
    let (mut out, mut start, mut escaped) = (Vec::new(), 0, false);
    for (i, c) in s.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            c if c == sep => {
                out.push(&s[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

fn unescape(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    let mut chars = v.chars();
    while let Some(c) = chars.next() {
        out.push(if c == '\\' { chars.next().unwrap_or('\\') } else { c });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| ((*k).to_string(), (*v).to_string())).collect()
    }

    #[test]
    fn string_selectors_follow_api_semantics() {
        let l = labels(&[("app", "web"), ("tier", "front")]);
        for (sel, want) in [
            ("", true),
            ("app=web", true),
            ("app==web,tier=front", true),
            ("app!=web", false),
            ("app!=db", true),
            ("missing!=x", true),
            ("app in (web,api)", true),
            ("app notin (web)", false),
            ("tier,!canary", true),
            ("!app", false),
            ("env in (prod)", false),
        ] {
            assert_eq!(Selector::parse(sel).unwrap().matches(Some(&l)), want, "{sel}");
        }
        assert!(Selector::parse("app in web").is_err());
        assert!(Selector::parse("a b=c").is_err());
    }

    #[test]
    fn label_selector_objects_use_expressions_too() {
        let ls: LabelSelector = serde_json::from_value(serde_json::json!({
            "matchLabels": {"app": "web"},
            "matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["db"]}]
        }))
        .unwrap();
        let s = Selector::from_label_selector(&ls);
        assert!(s.matches(Some(&labels(&[("app", "web")]))));
        assert!(!s.matches(Some(&labels(&[("app", "web"), ("tier", "db")]))));
        assert!(Selector::from_label_selector(&LabelSelector::default()).matches(None));
    }

    #[test]
    fn field_selectors_read_nested_fields() {
        let pod = serde_json::json!({"metadata": {"name": "a"}, "spec": {"nodeName": "n1"}, "status": {"phase": "Running"}});
        assert!(FieldSelector::parse("spec.nodeName=n1,status.phase!=Pending").unwrap().matches(&pod));
        assert!(!FieldSelector::parse("metadata.name=b").unwrap().matches(&pod));
        assert!(FieldSelector::parse("metadata.name").is_err());
    }

    #[test]
    fn field_values_with_commas_and_equals_round_trip_escaped() {
        let name = r"odd,name=x\y";
        let obj = serde_json::json!({"metadata": {"name": name}, "involvedObject": {"kind": "Pod"}});
        let sel = format!("metadata.name={},involvedObject.kind=Pod", escape_field_value(name));
        let parsed = FieldSelector::parse(&sel).unwrap();
        assert!(parsed.matches(&obj), "{sel}");
        assert_eq!(parsed.fields().collect::<Vec<_>>(), ["metadata.name", "involvedObject.kind"]);
        assert!(!FieldSelector::parse("metadata.name=odd").unwrap().matches(&obj));
    }
}
