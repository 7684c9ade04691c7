//! Related objects (owner chains, selectors, references) and Deployment rollout history.

use std::fmt::Write as _;

use k8s_openapi::api::apps::v1::ReplicaSet;
use k8s_openapi::api::core::v1::{Pod, PodSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Serialize;

use super::lookup::not_found;
use super::status::{condition, pod_summary};
use super::table::age;
use crate::data::ClusterData;
use crate::error::Result;
use crate::kind::Kind;
use crate::selector::Selector;
use crate::spec::{self, EnvValue, SpecChange};

fn named(m: &ObjectMeta, ns: &str, name: &str) -> bool {
    m.name.as_deref() == Some(name) && m.namespace.as_deref().unwrap_or("") == ns
}

fn owned_by(m: &ObjectMeta, kind: &str, name: &str) -> bool {
    m.owner_references.iter().flatten().any(|o| o.kind == kind && o.name == name)
}

/// Pods a Service's selector picks (none for a Service without a selector).
pub fn service_pods<'a>(data: &'a ClusterData, ns: &str, svc: &str) -> Vec<&'a Pod> {
    let Some(s) = data.objects.services.iter().find(|s| named(&s.metadata, ns, svc)) else {
        return Vec::new();
    };
    let Some(sel) = s.spec.as_ref().and_then(|s| s.selector.as_ref()).filter(|m| !m.is_empty()) else {
        return Vec::new();
    };
    let sel = Selector::from_map(sel);
    data.objects
        .pods
        .iter()
        .filter(|p| p.metadata.namespace.as_deref() == Some(ns) && sel.matches(p.metadata.labels.as_ref()))
        .collect()
}

/// Ready and not-ready endpoint targets of a Service, from its EndpointSlices (or Endpoints
/// when no slice was captured).
pub fn service_endpoints(data: &ClusterData, ns: &str, svc: &str) -> (Vec<String>, Vec<String>) {
    let (mut ready, mut not_ready) = (Vec::new(), Vec::new());
    let target = |e: &k8s_openapi::api::discovery::v1::Endpoint| {
        e.target_ref.as_ref().and_then(|t| t.name.clone()).unwrap_or_else(|| e.addresses.join(","))
    };
    let slices: Vec<_> = data
        .objects
        .endpoint_slices
        .iter()
        .filter(|s| {
            s.metadata.namespace.as_deref() == Some(ns)
                && s.metadata
                    .labels
                    .as_ref()
                    .and_then(|l| l.get("kubernetes.io/service-name"))
                    .map(String::as_str)
                    == Some(svc)
        })
        .collect();
    if data.captured.contains(&Kind::EndpointSlice) {
        for s in slices {
            for e in &s.endpoints {
                if e.conditions.as_ref().and_then(|c| c.ready).unwrap_or(true) {
                    ready.push(target(e));
                } else {
                    not_ready.push(target(e));
                }
            }
        }
    } else if let Some(ep) = data.objects.endpoints.iter().find(|e| named(&e.metadata, ns, svc)) {
        for s in ep.subsets.iter().flatten() {
            let t = |a: &k8s_openapi::api::core::v1::EndpointAddress| {
                a.target_ref.as_ref().and_then(|t| t.name.clone()).unwrap_or_else(|| a.ip.clone())
            };
            ready.extend(s.addresses.iter().flatten().map(t));
            not_ready.extend(s.not_ready_addresses.iter().flatten().map(t));
        }
    }
    (ready, not_ready)
}

/// The owner chain of an object, nearest first (`ReplicaSet/x`, `Deployment/y`).
pub fn owner_chain(data: &ClusterData, ns: &str, meta: &ObjectMeta) -> Vec<(String, String)> {
    let mut chain = Vec::new();
    let mut current = meta.clone();
    for _ in 0..5 {
        let Some(owner) =
            current.owner_references.iter().flatten().find(|o| o.controller.unwrap_or(true)).cloned()
        else {
            break;
        };
        chain.push((owner.kind.clone(), owner.name.clone()));
        let next = match owner.kind.as_str() {
            "ReplicaSet" => data
                .objects
                .replica_sets
                .iter()
                .find(|r| named(&r.metadata, ns, &owner.name))
                .map(|r| r.metadata.clone()),
            "Job" => data
                .objects
                .jobs
                .iter()
                .find(|j| named(&j.metadata, ns, &owner.name))
                .map(|j| j.metadata.clone()),
            _ => None,
        };
        match next {
            Some(m) => current = m,
            None => break,
        }
    }
    chain
}

fn pod_refs(spec: &PodSpec) -> Vec<String> {
    crate::spec::references(spec).iter().map(ToString::to_string).collect()
}

/// Everything related to one object, as an indented tree.
pub fn related(data: &ClusterData, kind: Kind, namespace: Option<&str>, name: &str) -> Result<String> {
    if data.objects.find_json(kind, namespace, name).is_none() {
        return Err(not_found(data, kind, namespace, name));
    }
    let ns = namespace.unwrap_or("");
    let o = &data.objects;
    let mut out = format!("{kind}/{name}\n");
    let pod_line = |out: &mut String, p: &Pod, indent: &str| {
        let s = pod_summary(p, data.now());
        let node =
            p.spec.as_ref().and_then(|s| s.node_name.clone()).unwrap_or_else(|| "<unscheduled>".into());
        let node_state =
            o.nodes.iter().find(|n| n.metadata.name.as_deref() == Some(node.as_str())).map(|n| {
                let ready =
                    condition(n.status.as_ref().and_then(|s| s.conditions.as_ref()), "Ready").map(|c| c.0);
                if ready.as_deref() == Some("True") { "" } else { " (NotReady)" }
            });
        let _ = writeln!(
            out,
            "{indent}Pod/{} [{} {}] on Node/{node}{}",
            p.metadata.name.as_deref().unwrap_or(""),
            s.ready,
            s.status,
            node_state.unwrap_or("")
        );
    };
    match kind {
        Kind::Pod => {
            if let Some(p) = o.pods.iter().find(|p| named(&p.metadata, ns, name)) {
                for (k, n) in owner_chain(data, ns, &p.metadata) {
                    let _ = writeln!(out, "  owned by {k}/{n}");
                }
                if let Some(node) = p.spec.as_ref().and_then(|s| s.node_name.clone()) {
                    let _ = writeln!(out, "  runs on Node/{node}");
                }
                for s in o.services.iter().filter(|s| s.metadata.namespace.as_deref() == Some(ns)) {
                    if service_pods(data, ns, s.metadata.name.as_deref().unwrap_or(""))
                        .iter()
                        .any(|sp| sp.metadata.name.as_deref() == Some(name))
                    {
                        let _ = writeln!(
                            out,
                            "  selected by Service/{}",
                            s.metadata.name.as_deref().unwrap_or("")
                        );
                    }
                }
                for r in p.spec.as_ref().map(pod_refs).unwrap_or_default() {
                    let _ = writeln!(out, "  uses {r}");
                }
            }
        }
        Kind::Deployment
        | Kind::StatefulSet
        | Kind::DaemonSet
        | Kind::Job
        | Kind::CronJob
        | Kind::ReplicaSet => {
            let kind_name = kind.info().kind;
            let mut owners: Vec<(String, String)> = vec![(kind_name.to_string(), name.to_string())];
            if kind == Kind::Deployment {
                for r in o.replica_sets.iter().filter(|r| {
                    r.metadata.namespace.as_deref() == Some(ns) && owned_by(&r.metadata, "Deployment", name)
                }) {
                    let rev = r
                        .metadata
                        .annotations
                        .as_ref()
                        .and_then(|a| a.get("deployment.kubernetes.io/revision"))
                        .cloned()
                        .unwrap_or_default();
                    let _ = writeln!(
                        out,
                        "  ReplicaSet/{} (revision {rev}, {} replicas)",
                        r.metadata.name.as_deref().unwrap_or(""),
                        r.spec.as_ref().and_then(|s| s.replicas).unwrap_or(0)
                    );
                    owners.push(("ReplicaSet".into(), r.metadata.name.clone().unwrap_or_default()));
                }
            }
            if kind == Kind::CronJob {
                for j in o.jobs.iter().filter(|j| {
                    j.metadata.namespace.as_deref() == Some(ns) && owned_by(&j.metadata, "CronJob", name)
                }) {
                    let _ = writeln!(out, "  Job/{}", j.metadata.name.as_deref().unwrap_or(""));
                    owners.push(("Job".into(), j.metadata.name.clone().unwrap_or_default()));
                }
            }
            for p in o.pods.iter().filter(|p| {
                p.metadata.namespace.as_deref() == Some(ns)
                    && owners.iter().any(|(k, n)| owned_by(&p.metadata, k, n))
            }) {
                pod_line(&mut out, p, "    ");
            }
            for h in o.hpas.iter().filter(|h| {
                h.metadata.namespace.as_deref() == Some(ns)
                    && h.spec.as_ref().is_some_and(|s| {
                        s.scale_target_ref.kind == kind_name && s.scale_target_ref.name == name
                    })
            }) {
                let _ = writeln!(
                    out,
                    "  scaled by HorizontalPodAutoscaler/{}",
                    h.metadata.name.as_deref().unwrap_or("")
                );
            }
        }
        Kind::Service => {
            for i in o.ingresses.iter().filter(|i| i.metadata.namespace.as_deref() == Some(ns)) {
                let spec = i.spec.clone().unwrap_or_default();
                let routes = spec
                    .rules
                    .iter()
                    .flatten()
                    .flat_map(|r| r.http.iter().flat_map(|h| h.paths.iter()))
                    .filter_map(|p| p.backend.service.as_ref())
                    .chain(spec.default_backend.iter().filter_map(|b| b.service.as_ref()))
                    .any(|s| s.name == name);
                if routes {
                    let _ =
                        writeln!(out, "  routed from Ingress/{}", i.metadata.name.as_deref().unwrap_or(""));
                }
            }
            let (ready, not_ready) = service_endpoints(data, ns, name);
            let _ = writeln!(out, "  endpoints: {} ready, {} not ready", ready.len(), not_ready.len());
            let pods = service_pods(data, ns, name);
            if pods.is_empty() {
                out.push_str("  selects no pod\n");
            }
            for p in pods {
                pod_line(&mut out, p, "    ");
            }
        }
        Kind::Ingress => {
            if let Some(i) = o.ingresses.iter().find(|i| named(&i.metadata, ns, name)) {
                let spec = i.spec.clone().unwrap_or_default();
                let backends = spec
                    .rules
                    .iter()
                    .flatten()
                    .flat_map(|r| r.http.iter().flat_map(|h| h.paths.iter()))
                    .filter_map(|p| p.backend.service.clone())
                    .chain(spec.default_backend.iter().filter_map(|b| b.service.clone()));
                for b in backends {
                    let exists = o.services.iter().any(|s| named(&s.metadata, ns, &b.name));
                    let _ = writeln!(out, "  Service/{}{}", b.name, if exists { "" } else { " (missing)" });
                    for p in service_pods(data, ns, &b.name) {
                        pod_line(&mut out, p, "    ");
                    }
                }
            }
        }
        Kind::PersistentVolumeClaim => {
            if let Some(c) = o.pvcs.iter().find(|c| named(&c.metadata, ns, name)) {
                let spec = c.spec.clone().unwrap_or_default();
                if let Some(v) = &spec.volume_name {
                    let _ = writeln!(out, "  bound to PersistentVolume/{v}");
                }
                if let Some(sc) = &spec.storage_class_name {
                    let exists =
                        o.storage_classes.iter().any(|s| s.metadata.name.as_deref() == Some(sc.as_str()));
                    let _ = writeln!(out, "  StorageClass/{sc}{}", if exists { "" } else { " (missing)" });
                }
                for p in o.pods.iter().filter(|p| {
                    p.metadata.namespace.as_deref() == Some(ns)
                        && p.spec
                            .as_ref()
                            .map(pod_refs)
                            .unwrap_or_default()
                            .contains(&format!("PersistentVolumeClaim/{name}"))
                }) {
                    pod_line(&mut out, p, "  used by ");
                }
            }
        }
        Kind::PersistentVolume => {
            if let Some(v) = o.pvs.iter().find(|v| v.metadata.name.as_deref() == Some(name)) {
                let spec = v.spec.clone().unwrap_or_default();
                if let Some(c) = &spec.claim_ref {
                    let _ = writeln!(
                        out,
                        "  claimed by PersistentVolumeClaim/{}/{}",
                        c.namespace.clone().unwrap_or_default(),
                        c.name.clone().unwrap_or_default()
                    );
                }
                if let Some(sc) = &spec.storage_class_name {
                    let _ = writeln!(out, "  StorageClass/{sc}");
                }
            }
        }
        Kind::HorizontalPodAutoscaler => {
            if let Some(h) = o.hpas.iter().find(|h| named(&h.metadata, ns, name))
                && let Some(t) = h.spec.as_ref().map(|s| &s.scale_target_ref)
            {
                let _ = writeln!(out, "  scales {}/{}", t.kind, t.name);
            }
        }
        Kind::Node => {
            for p in
                o.pods.iter().filter(|p| p.spec.as_ref().and_then(|s| s.node_name.as_deref()) == Some(name))
            {
                let owner =
                    owner_chain(data, p.metadata.namespace.as_deref().unwrap_or(""), &p.metadata).pop();
                let _ = write!(out, "  {}/", p.metadata.namespace.as_deref().unwrap_or(""));
                pod_line(&mut out, p, "");
                if let Some((k, n)) = owner {
                    out.pop();
                    let _ = writeln!(out, " (of {k}/{n})");
                }
            }
        }
        _ => out.push_str("  (no relations tracked for this kind)\n"),
    }
    Ok(out)
}

/// One revision of a Deployment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Revision {
    /// `deployment.kubernetes.io/revision`.
    pub revision: i64,
    /// The ReplicaSet holding it.
    pub replica_set: String,
    /// When the ReplicaSet was created.
    pub created: Option<jiff::Timestamp>,
    /// `container=image` for each container.
    pub images: Vec<String>,
    /// Desired replicas of that ReplicaSet now (0 for old revisions).
    pub replicas: i32,
    /// What changed from the previous revision.
    pub changes: Vec<String>,
}

/// Revisions of a Deployment, oldest first, each with what changed from the one before.
pub fn rollout_history(data: &ClusterData, namespace: &str, deployment: &str) -> Result<Vec<Revision>> {
    if data.objects.find_json(Kind::Deployment, Some(namespace), deployment).is_none() {
        return Err(not_found(data, Kind::Deployment, Some(namespace), deployment));
    }
    let mut sets: Vec<&ReplicaSet> = data
        .objects
        .replica_sets
        .iter()
        .filter(|r| {
            r.metadata.namespace.as_deref() == Some(namespace)
                && owned_by(&r.metadata, "Deployment", deployment)
        })
        .collect();
    let rev = |r: &ReplicaSet| {
        r.metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get("deployment.kubernetes.io/revision"))
            .and_then(|v| v.parse::<i64>().ok())
            .unwrap_or(0)
    };
    sets.sort_by_key(|r| (rev(r), r.metadata.creation_timestamp.as_ref().map(|t| t.0)));
    let mut out: Vec<Revision> = Vec::new();
    let mut previous: Option<&PodSpec> = None;
    for r in sets {
        let spec = r.spec.as_ref().and_then(|s| s.template.as_ref()).and_then(|t| t.spec.as_ref());
        let images = spec
            .map(|s| {
                s.containers
                    .iter()
                    .map(|c| format!("{}={}", c.name, c.image.clone().unwrap_or_default()))
                    .collect()
            })
            .unwrap_or_default();
        let changes = match (previous, spec) {
            (Some(a), Some(b)) => diff_specs(a, b),
            (None, _) => vec!["first recorded revision".to_string()],
            _ => Vec::new(),
        };
        out.push(Revision {
            revision: rev(r),
            replica_set: r.metadata.name.clone().unwrap_or_default(),
            created: r.metadata.creation_timestamp.as_ref().map(|t| t.0),
            images,
            replicas: r.spec.as_ref().and_then(|s| s.replicas).unwrap_or(0),
            changes,
        });
        previous = spec;
    }
    Ok(out)
}

/// Render a history as text.
pub fn render_history(revisions: &[Revision], now: jiff::Timestamp) -> String {
    let mut out = String::new();
    for r in revisions {
        let _ = writeln!(
            out,
            "revision {} — ReplicaSet/{} — created {} ago — {} replicas",
            r.revision,
            r.replica_set,
            age(r.created, now),
            r.replicas
        );
        let _ = writeln!(out, "  images: {}", r.images.join(", "));
        for c in &r.changes {
            let _ = writeln!(out, "  - {c}");
        }
    }
    if out.is_empty() {
        out.push_str("no ReplicaSets recorded for this Deployment\n");
    }
    out
}

/// What changed between two pod templates: images, env, resources, args, referenced config.
pub fn diff_specs(a: &PodSpec, b: &PodSpec) -> Vec<String> {
    let shown = |v: &EnvValue| match v {
        EnvValue::Literal(v) => shown_value(v),
        EnvValue::From(f) => shown_value(&serde_json::to_string(f).unwrap_or_default()),
    };
    let mut changes = Vec::new();
    for c in spec::diff(a, b) {
        match c {
            SpecChange::ContainerAdded(name) => changes.push(format!("container {name} added")),
            SpecChange::ContainerRemoved(name) => changes.push(format!("container {name} removed")),
            SpecChange::Image { container, before, after } => {
                changes.push(format!("container {container}: image {before} → {after}"));
            }
            SpecChange::Env { container, key, before, after } => changes.push(match (before, after) {
                (None, Some(new)) => format!("container {container}: env {key} added ({})", shown(&new)),
                (Some(_), None) => format!("container {container}: env {key} removed"),
                (Some(old), Some(new)) => {
                    format!("container {container}: env {key} {} → {}", shown(&old), shown(&new))
                }
                (None, None) => continue,
            }),
            SpecChange::Resources { container, before, after } => {
                let fmt = |r: &Option<_>| serde_json::to_string(r).unwrap_or_default();
                changes.push(format!("container {container}: resources {} → {}", fmt(&before), fmt(&after)));
            }
            SpecChange::Args { container, .. } => {
                changes.push(format!("container {container}: args changed"));
            }
            SpecChange::Command { container, .. } => {
                changes.push(format!("container {container}: command changed"));
            }
            SpecChange::Probes { container } => {
                changes.push(format!("container {container}: probes changed"));
            }
            SpecChange::References { added, removed } => {
                changes.extend(added.iter().map(|r| format!("now uses {r}")));
                changes.extend(removed.iter().map(|r| format!("no longer uses {r}")));
            }
        }
    }
    if changes.is_empty() {
        changes.push("pod template metadata only (e.g. a restart annotation)".into());
    }
    changes
}

fn shown_value(v: &str) -> String {
    format!("{:?}", prompts::ellipsis(v, 60))
}
