//! Checks on the names a tool call carries before any of them reaches the cluster: whoever
//! writes the arguments (a model, a chat user through a model, a client of the server), a
//! namespace is a DNS-1123 label and an object name a valid path segment, so no argument can
//! reach another path of the API server (`../secrets`, `x?watch=1`, `%2F`).

use serde_json::Value;

/// Longest object name Kubernetes accepts (a DNS-1123 subdomain).
const MAX_NAME: usize = 253;
/// Longest namespace or container name (a DNS-1123 label).
const MAX_LABEL: usize = 63;

/// A DNS-1123 label: lowercase letters, digits and `-`, starting and ending alphanumeric.
fn is_label(v: &str) -> bool {
    !v.is_empty()
        && v.len() <= MAX_LABEL
        && v.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !v.starts_with('-')
        && !v.ends_with('-')
}

/// An object name as the API server accepts it in a path (its `IsValidPathSegmentName`, plus
/// nothing a URL would read as syntax): ClusterRoles' `system:controller:…` pass, `..`, `a/b`,
/// `a%2Fb`, `a?b`, `a#b` and blanks do not.
fn is_name(v: &str) -> bool {
    !v.is_empty()
        && v.len() <= MAX_NAME
        && v != "."
        && v != ".."
        && !v
            .chars()
            .any(|c| matches!(c, '/' | '%' | '?' | '#' | '\\') || c.is_whitespace() || c.is_control())
}

/// The first argument that is not a valid Kubernetes name, as a sentence for the caller.
pub fn check(args: &Value) -> Result<(), String> {
    let get = |k: &str| args.get(k).and_then(Value::as_str).filter(|v| !v.is_empty());
    for key in ["namespace", "container"] {
        if let Some(v) = get(key)
            && !is_label(v)
        {
            return Err(format!(
                "invalid {key} {v:?}: a {key} name is lowercase letters, digits and '-' (at most {MAX_LABEL})"
            ));
        }
    }
    for key in ["name", "pod", "deployment", "node"] {
        if let Some(v) = get(key)
            && !is_name(v)
        {
            return Err(format!("invalid {key} {v:?}: not a Kubernetes object name"));
        }
    }
    if let Some(object) = get("object") {
        let name = object.rsplit_once('/').map_or(object, |(_, n)| n);
        if !is_name(name) || object.matches('/').count() > 1 {
            return Err(format!("invalid object {object:?}: expected [kind/]name"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_that_could_reach_another_path_are_refused() {
        for bad in [
            json!({"namespace": "../kube-system"}),
            json!({"namespace": "Shop"}),
            json!({"namespace": "a".repeat(64)}),
            json!({"name": ".."}),
            json!({"name": "web/../../secrets"}),
            json!({"name": "web%2Fsecrets"}),
            json!({"name": "web?watch=true"}),
            json!({"name": "web pod"}),
            json!({"pod": "web#frag"}),
            json!({"container": "App"}),
            json!({"object": "pod/a/b"}),
        ] {
            assert!(check(&bad).is_err(), "{bad}");
        }
        for good in [
            json!({"namespace": "shop", "name": "checkout-7d9f8c6b5-x2x9z"}),
            json!({"name": "system:controller:replicaset-controller"}),
            json!({"node": "ip-10-0-1-88.eu-west-1.compute.internal"}),
            json!({"object": "deployment/checkout", "container": "app"}),
            json!({"query": "anything at all / ? %"}),
        ] {
            assert!(check(&good).is_ok(), "{good}");
        }
    }
}
