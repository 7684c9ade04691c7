//! A faithful stand-in for the Kubernetes API server, which cannot run here (no kube-apiserver
//! or etcd binaries can be fetched).
//!
//! It serves a [`ClusterData`] over real HTTP on 127.0.0.1 through the real REST paths:
//! discovery (`/api`, `/apis`, `/api/v1`, `/apis/{group}/{version}`), `/version` (with a `Date`
//! header at the snapshot's capture time), collection lists with `labelSelector`,
//! `fieldSelector`, `limit` and `continue`, single-object GETs, metadata-only lists
//! (`as=PartialObjectMetadataList`), and `pods/{name}/log` with `container`, `previous` and
//! `tailLines`. Errors are `Status` objects with the codes a real server uses. The real `kubectl`
//! and kube's real client both talk to it; it records every request so tests can count them
//! and prove that writes never arrive.

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use cluster::{ClusterData, Kind, LogKey, LogText};
use serde_json::{Value, json};

/// One request as the server saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    /// HTTP method.
    pub method: String,
    /// Path and query.
    pub uri: String,
    /// Bytes of the response body.
    pub bytes: usize,
}

struct Inner {
    data: ClusterData,
    forbidden: BTreeSet<Kind>,
    seen: Mutex<Vec<Seen>>,
}

/// A running fake API server.
pub struct FakeApiServer {
    /// Its address.
    pub addr: SocketAddr,
    inner: Arc<Inner>,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

impl FakeApiServer {
    /// Serve `data` on a free port; kinds in `forbidden` answer 403 as RBAC would.
    pub async fn start(data: ClusterData, forbidden: &[Kind]) -> FakeApiServer {
        let inner = Arc::new(Inner {
            data,
            forbidden: forbidden.iter().copied().collect(),
            seen: Mutex::new(Vec::new()),
        });
        let app = Router::new().fallback(measured).with_state(Arc::clone(&inner));
        let (addr, tx) = crate::serve(app).await;
        FakeApiServer { addr, inner, _shutdown: tx }
    }

    /// `http://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<Seen> {
        self.inner.seen.lock().expect("lock").clone()
    }

    /// Forget the requests seen so far.
    pub fn reset(&self) {
        self.inner.seen.lock().expect("lock").clear();
    }

    /// A kubeconfig file pointing at this server (context `fake`, namespace `ns`).
    pub fn kubeconfig(&self, dir: &std::path::Path, ns: &str) -> std::path::PathBuf {
        let path = dir.join("kubeconfig");
        let text = format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: fake\n  cluster:\n    server: {}\ncontexts:\n- name: fake\n  context:\n    cluster: fake\n    user: fake\n    namespace: {ns}\ncurrent-context: fake\nusers:\n- name: fake\n  user:\n    token: not-a-real-token\n",
            self.url()
        );
        std::fs::write(&path, text).expect("write kubeconfig");
        path
    }
}

fn status(code: StatusCode, reason: &str, message: &str) -> Response {
    let body = json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": message, "reason": reason, "code": code.as_u16()});
    (code, [("content-type", "application/json")], body.to_string()).into_response()
}

fn ok_json(v: &Value) -> Response {
    (StatusCode::OK, [("content-type", "application/json")], v.to_string()).into_response()
}

fn groups() -> BTreeMap<(String, String), Vec<Kind>> {
    let mut g: BTreeMap<(String, String), Vec<Kind>> = BTreeMap::new();
    for &k in Kind::ALL {
        let i = k.info();
        g.entry((i.group.to_string(), i.version.to_string())).or_default().push(k);
    }
    g
}

fn resource_list(group_version: &str, kinds: &[Kind]) -> Value {
    let resources: Vec<Value> = kinds
        .iter()
        .flat_map(|k| {
            let i = k.info();
            let main = json!({"name": i.plural, "singularName": i.kind.to_lowercase(), "namespaced": i.namespaced, "kind": i.kind, "verbs": ["get", "list"], "shortNames": i.aliases.iter().filter(|a| a.len() <= 3).collect::<Vec<_>>()});
            let log = (*k == Kind::Pod).then(|| json!({"name": "pods/log", "singularName": "", "namespaced": true, "kind": "Pod", "verbs": ["get"]}));
            std::iter::once(main).chain(log)
        })
        .collect();
    json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": group_version, "resources": resources})
}

/// `/api/v1/...` or `/apis/g/v/...` → (group, version, rest of the segments).
fn split_path(path: &str) -> Option<(String, String, Vec<String>)> {
    let segs: Vec<String> = path.trim_matches('/').split('/').map(percent_decode).collect();
    match segs.first().map(String::as_str) {
        Some("api") if segs.len() >= 2 => Some((String::new(), segs[1].clone(), segs[2..].to_vec())),
        Some("apis") if segs.len() >= 3 => Some((segs[1].clone(), segs[2].clone(), segs[3..].to_vec())),
        _ => None,
    }
}

fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned()
}

/// Records each request and the size of its answer.
async fn measured(
    State(inner): State<Arc<Inner>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    query: Query<BTreeMap<String, String>>,
) -> Response {
    let at = {
        let mut seen = inner.seen.lock().expect("lock");
        seen.push(Seen { method: method.to_string(), uri: uri.to_string(), bytes: 0 });
        seen.len() - 1
    };
    let resp = handle(&inner, &method, &uri, &headers, &query.0);
    let (parts, body) = resp.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default();
    if let Some(s) = inner.seen.lock().expect("lock").get_mut(at) {
        s.bytes = bytes.len();
    }
    Response::from_parts(parts, axum::body::Body::from(bytes))
}

fn handle(
    inner: &Inner,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    q: &BTreeMap<String, String>,
) -> Response {
    if *method != Method::GET {
        return status(StatusCode::METHOD_NOT_ALLOWED, "MethodNotAllowed", "this test server is read-only");
    }
    let path = uri.path();
    match path {
        "/version" => {
            let v = inner.data.info.server_version.clone().unwrap_or_else(|| "v1.30.0".into());
            let mut resp =
                ok_json(&json!({"major": "1", "minor": "30", "gitVersion": v, "platform": "linux/amd64"}));
            if let Some(t) = inner.data.info.captured_at {
                let date =
                    jiff::fmt::rfc2822::to_string(&t.to_zoned(jiff::tz::TimeZone::UTC)).unwrap_or_default();
                if let Ok(h) = date.replace("+0000", "GMT").parse() {
                    resp.headers_mut().insert("date", h);
                }
            }
            return resp;
        }
        "/api" => {
            return ok_json(
                &json!({"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"}]}),
            );
        }
        "/apis" => {
            let mut by_group: BTreeMap<String, Vec<String>> = BTreeMap::new();
            for (g, v) in groups().keys() {
                if !g.is_empty() {
                    by_group.entry(g.clone()).or_default().push(v.clone());
                }
            }
            let list: Vec<Value> = by_group
                .iter()
                .map(|(g, vs)| {
                    let versions: Vec<Value> = vs
                        .iter()
                        .map(|v| json!({"groupVersion": format!("{g}/{v}"), "version": v}))
                        .collect();
                    json!({"name": g, "versions": versions, "preferredVersion": versions[0]})
                })
                .collect();
            return ok_json(&json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": list}));
        }
        _ => {}
    }
    let Some((group, version, rest)) = split_path(path) else {
        return status(StatusCode::NOT_FOUND, "NotFound", "the server could not find the requested resource");
    };
    let all = groups();
    let Some(kinds) = all.get(&(group.clone(), version.clone())) else {
        return status(StatusCode::NOT_FOUND, "NotFound", "the server could not find the requested resource");
    };
    let gv = if group.is_empty() { version.clone() } else { format!("{group}/{version}") };
    // [ns-prefix] plural [name [subresource]]
    let (ns, rest) = match rest.as_slice() {
        [n, ns, tail @ ..] if n == "namespaces" && !tail.is_empty() => (Some(ns.clone()), tail.to_vec()),
        other => (None, other.to_vec()),
    };
    if rest.is_empty() {
        return ok_json(&resource_list(&gv, kinds));
    }
    let Some(&kind) = kinds.iter().find(|k| k.info().plural == rest[0]) else {
        return status(
            StatusCode::NOT_FOUND,
            "NotFound",
            &format!("the server could not find the requested resource ({})", rest[0]),
        );
    };
    let info = kind.info();
    if inner.forbidden.contains(&kind) {
        let scope =
            ns.as_ref().map_or("at the cluster scope".to_string(), |n| format!("in the namespace \"{n}\""));
        let grp = if group.is_empty() { "\"\"".to_string() } else { format!("\"{group}\"") };
        return status(
            StatusCode::FORBIDDEN,
            "Forbidden",
            &format!(
                "{}{} is forbidden: User \"oncall\" cannot list resource \"{}\" in API group {grp} {scope}",
                info.plural,
                if group.is_empty() { String::new() } else { format!(".{group}") },
                info.plural
            ),
        );
    }
    let items = inner.data.objects.json_items(kind, ns.as_deref().filter(|_| info.namespaced));
    match rest.as_slice() {
        [_] => list(kind, items, q, headers),
        [_, name] => match items
            .into_iter()
            .find(|o| o.pointer("/metadata/name").and_then(Value::as_str) == Some(name.as_str()))
        {
            Some(o) => ok_json(&o),
            None => {
                status(StatusCode::NOT_FOUND, "NotFound", &format!("{} \"{name}\" not found", info.plural))
            }
        },
        [_, name, sub] if kind == Kind::Pod && sub == "log" => {
            log(&inner.data, ns.as_deref().unwrap_or("default"), name, q)
        }
        _ => status(StatusCode::NOT_FOUND, "NotFound", "the server could not find the requested resource"),
    }
}

/// Whether a real API server lets `kind` be listed by `field`: every kind by its name and
/// namespace, a few kinds by a few more fields (the `AddFieldLabelConversionFunc`s of
/// Kubernetes); anything else is a 400, as there.
fn selectable(kind: Kind, field: &str) -> bool {
    const REFERENCE: [&str; 7] =
        ["kind", "namespace", "name", "uid", "apiVersion", "resourceVersion", "fieldPath"];
    let reference = |prefix: &str| {
        field.strip_prefix(prefix).and_then(|f| f.strip_prefix('.')).is_some_and(|f| REFERENCE.contains(&f))
    };
    matches!(field, "metadata.name" | "metadata.namespace")
        || match kind {
            Kind::Pod => matches!(
                field,
                "spec.nodeName"
                    | "spec.restartPolicy"
                    | "spec.schedulerName"
                    | "spec.serviceAccountName"
                    | "spec.hostNetwork"
                    | "status.phase"
                    | "status.podIP"
                    | "status.nominatedNodeName"
            ),
            Kind::Event => {
                reference("involvedObject")
                    || matches!(field, "reason" | "reportingComponent" | "source" | "type")
            }
            Kind::EventV1 => {
                reference("regarding") || matches!(field, "reason" | "reportingController" | "type")
            }
            Kind::Node => field == "spec.unschedulable",
            Kind::Namespace => field == "status.phase",
            Kind::Secret => field == "type",
            Kind::ReplicaSet => field == "status.replicas",
            Kind::Job => field == "status.successful",
            _ => false,
        }
}

fn list(kind: Kind, items: Vec<Value>, q: &BTreeMap<String, String>, headers: &HeaderMap) -> Response {
    let mut items = items;
    if let Some(sel) = q.get("labelSelector").filter(|s| !s.is_empty()) {
        let Ok(s) = cluster::selector::Selector::parse(sel) else {
            return status(
                StatusCode::BAD_REQUEST,
                "BadRequest",
                &format!("unable to parse requirement: {sel}"),
            );
        };
        items.retain(|o| {
            let labels: Option<BTreeMap<String, String>> =
                o.pointer("/metadata/labels").and_then(|l| serde_json::from_value(l.clone()).ok());
            s.matches(labels.as_ref())
        });
    }
    if let Some(sel) = q.get("fieldSelector").filter(|s| !s.is_empty()) {
        let Ok(fs) = cluster::selector::FieldSelector::parse(sel) else {
            return status(StatusCode::BAD_REQUEST, "BadRequest", &format!("invalid field selector: {sel}"));
        };
        if let Some(field) = fs.fields().find(|f| !selectable(kind, f)) {
            return status(
                StatusCode::BAD_REQUEST,
                "BadRequest",
                &format!("field label not supported: {field}"),
            );
        }
        items.retain(|o| fs.matches(o));
    }
    let start: usize = q.get("continue").and_then(|c| c.parse().ok()).unwrap_or(0);
    let limit: usize = q.get("limit").and_then(|l| l.parse().ok()).filter(|l| *l > 0).unwrap_or(usize::MAX);
    let end = start.saturating_add(limit).min(items.len());
    let page: Vec<Value> = items.get(start..end).map(<[Value]>::to_vec).unwrap_or_default();
    let cont = if end < items.len() { end.to_string() } else { String::new() };
    let meta_only = headers
        .get("accept")
        .and_then(|a| a.to_str().ok())
        .is_some_and(|a| a.contains("as=PartialObjectMetadataList"));
    let info = kind.info();
    if meta_only {
        let items: Vec<Value> = page.into_iter().map(|o| json!({"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": o["metadata"]})).collect();
        return ok_json(
            &json!({"kind": "PartialObjectMetadataList", "apiVersion": "meta.k8s.io/v1", "metadata": {"resourceVersion": "1", "continue": cont}, "items": items}),
        );
    }
    // A real server leaves apiVersion/kind out of list items.
    let items: Vec<Value> = page
        .into_iter()
        .map(|mut o| {
            if let Some(m) = o.as_object_mut() {
                m.remove("apiVersion");
                m.remove("kind");
            }
            o
        })
        .collect();
    let mut meta = json!({"resourceVersion": "1"});
    if !cont.is_empty() {
        meta["continue"] = json!(cont);
    }
    ok_json(
        &json!({"kind": format!("{}List", info.kind), "apiVersion": kind.api_version(), "metadata": meta, "items": items}),
    )
}

fn log(data: &ClusterData, ns: &str, pod: &str, q: &BTreeMap<String, String>) -> Response {
    let Some(p) = data
        .objects
        .pods
        .iter()
        .find(|p| p.metadata.namespace.as_deref() == Some(ns) && p.metadata.name.as_deref() == Some(pod))
    else {
        return status(StatusCode::NOT_FOUND, "NotFound", &format!("pods \"{pod}\" not found"));
    };
    let container = q
        .get("container")
        .cloned()
        .or_else(|| p.spec.as_ref().and_then(|s| s.containers.first()).map(|c| c.name.clone()))
        .unwrap_or_default();
    let previous = q.get("previous").is_some_and(|v| v == "true");
    let key = LogKey { namespace: ns.into(), pod: pod.into(), container: container.clone(), previous };
    match data.logs.get(&key) {
        Some(LogText::Text(t)) => {
            let tail: Option<usize> = q.get("tailLines").and_then(|t| t.parse().ok());
            let lines: Vec<&str> = t.lines().collect();
            let start = tail.map_or(0, |n| lines.len().saturating_sub(n));
            let mut body = lines[start..].join("\n");
            if !body.is_empty() {
                body.push('\n');
            }
            (StatusCode::OK, [("content-type", "text/plain")], Body::from(body)).into_response()
        }
        Some(LogText::Unavailable(e)) => status(StatusCode::BAD_REQUEST, "BadRequest", e),
        None if previous => status(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            &format!("previous terminated container \"{container}\" in pod \"{pod}\" not found"),
        ),
        None => status(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            &format!("container \"{container}\" in pod \"{pod}\" is waiting to start: ContainerCreating"),
        ),
    }
}
