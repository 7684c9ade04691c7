//! `describe`: what kubectl describe shows, plus the object's own events only.

use std::fmt::Write as _;

use k8s_openapi::api::core::v1::{ContainerState, ContainerStatus, Pod};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::event_filter::{EventFilter, select_events};
use super::lookup::not_found;
use super::status::pod_summary;
use super::table::{Table, age};
use crate::data::ClusterData;
use crate::error::Result;
use crate::kind::Kind;

/// Describe one object: metadata, status, conditions, containers (for pods), and the events of
/// *that* object (kind + namespace + name, uid when recorded).
pub fn describe(data: &ClusterData, kind: Kind, namespace: Option<&str>, name: &str) -> Result<String> {
    let obj = data
        .objects
        .find_json(kind, namespace, name)
        .ok_or_else(|| not_found(data, kind, namespace, name))?;
    let meta: ObjectMeta =
        serde_json::from_value(obj.get("metadata").cloned().unwrap_or_default()).unwrap_or_default();
    let now = data.now();
    let mut out = String::new();
    let _ = writeln!(out, "Name:         {name}");
    if let Some(ns) = &meta.namespace {
        let _ = writeln!(out, "Namespace:    {ns}");
    }
    let _ = writeln!(out, "Kind:         {kind}");
    let created = meta.creation_timestamp.as_ref().map(|t| t.0);
    let _ = writeln!(
        out,
        "Created:      {} ({} ago)",
        created.map_or("<unknown>".into(), |t| t.to_string()),
        age(created, now)
    );
    let labels: Vec<String> = meta.labels.iter().flatten().map(|(k, v)| format!("{k}={v}")).collect();
    let _ = writeln!(
        out,
        "Labels:       {}",
        if labels.is_empty() { "<none>".into() } else { labels.join(", ") }
    );
    if let Some(owners) = &meta.owner_references {
        let o: Vec<String> = owners.iter().map(|o| format!("{}/{}", o.kind, o.name)).collect();
        let _ = writeln!(out, "Controlled By: {}", o.join(", "));
    }
    match kind {
        Kind::Pod => {
            if let Some(p) = data.objects.pods.iter().find(|p| {
                p.metadata.name.as_deref() == Some(name) && p.metadata.namespace.as_deref() == namespace
            }) {
                pod(&mut out, p, now);
            }
        }
        Kind::Node => {
            if let Some(n) = data.objects.nodes.iter().find(|n| n.metadata.name.as_deref() == Some(name)) {
                let spec = n.spec.clone().unwrap_or_default();
                if spec.unschedulable.unwrap_or(false) {
                    out.push_str("Unschedulable: true (cordoned)\n");
                }
                let taints: Vec<String> = spec
                    .taints
                    .iter()
                    .flatten()
                    .map(|t| format!("{}={}:{}", t.key, t.value.clone().unwrap_or_default(), t.effect))
                    .collect();
                let _ = writeln!(
                    out,
                    "Taints:       {}",
                    if taints.is_empty() { "<none>".into() } else { taints.join(", ") }
                );
                let st = n.status.clone().unwrap_or_default();
                for (title, map) in [("Capacity", st.capacity), ("Allocatable", st.allocatable)] {
                    if let Some(m) = map {
                        let vals: Vec<String> = m
                            .iter()
                            .filter(|(k, _)| ["cpu", "memory", "pods"].contains(&k.as_str()))
                            .map(|(k, v)| format!("{k}={}", v.0))
                            .collect();
                        let _ = writeln!(out, "{title}:{}{}", " ".repeat(13 - title.len()), vals.join(", "));
                    }
                }
                let pods: Vec<&Pod> = data
                    .objects
                    .pods
                    .iter()
                    .filter(|p| p.spec.as_ref().and_then(|s| s.node_name.as_deref()) == Some(name))
                    .collect();
                let _ = writeln!(out, "Pods:         {} on this node", pods.len());
                for p in pods.iter().take(50) {
                    let s = pod_summary(p, now);
                    let _ = writeln!(
                        out,
                        "  {}/{}  {}  {}",
                        p.metadata.namespace.as_deref().unwrap_or(""),
                        p.metadata.name.as_deref().unwrap_or(""),
                        s.ready,
                        s.status
                    );
                }
            }
        }
        Kind::Service => {
            if let Some(spec) = obj.get("spec") {
                let _ = writeln!(
                    out,
                    "Type:         {}",
                    spec.get("type").and_then(|t| t.as_str()).unwrap_or("ClusterIP")
                );
                let _ = writeln!(
                    out,
                    "Selector:     {}",
                    spec.get("selector").map_or("<none>".into(), ToString::to_string)
                );
                let _ = writeln!(
                    out,
                    "Ports:        {}",
                    spec.get("ports").map_or("<none>".into(), ToString::to_string)
                );
            }
            let (ready, not_ready) =
                super::related::service_endpoints(data, namespace.unwrap_or_default(), name);
            let _ = writeln!(
                out,
                "Endpoints:    {} ready{}",
                ready.len(),
                if not_ready.is_empty() {
                    String::new()
                } else {
                    format!(", {} not ready ({})", not_ready.len(), not_ready.join(", "))
                }
            );
        }
        _ => {
            if let Some(spec) = obj.get("spec") {
                for key in [
                    "replicas",
                    "schedule",
                    "suspend",
                    "serviceName",
                    "storageClassName",
                    "volumeName",
                    "ingressClassName",
                ] {
                    if let Some(v) = spec.get(key) {
                        let _ = writeln!(out, "{key}: {v}");
                    }
                }
            }
            if let Some(status) = obj.get("status") {
                let mut brief = status.clone();
                if let Some(m) = brief.as_object_mut() {
                    m.remove("conditions");
                }
                if brief.as_object().is_some_and(|m| !m.is_empty()) {
                    let _ = writeln!(out, "Status:       {brief}");
                }
            }
        }
    }
    if let Some(conds) =
        obj.pointer("/status/conditions").and_then(|c| c.as_array()).filter(|c| !c.is_empty())
    {
        let mut t = Table::new(&["TYPE", "STATUS", "REASON", "MESSAGE"]);
        for c in conds {
            let f = |k: &str| c.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string();
            t.rows.push(vec![f("type"), f("status"), f("reason"), f("message")]);
        }
        out.push_str("Conditions:\n");
        for line in t.render().lines() {
            let _ = writeln!(out, "  {line}");
        }
    }
    let filter = EventFilter { namespace: meta.namespace.clone(), ..EventFilter::default() };
    let uid = meta.uid.as_deref();
    let evs: Vec<_> = select_events(data, &filter)
        .into_iter()
        .filter(|e| e.is_about(kind.info().kind, meta.namespace.as_deref(), name, uid))
        .collect();
    if evs.is_empty() {
        out.push_str("Events:       <none>\n");
    } else {
        let mut t = Table::new(&["LAST SEEN", "TYPE", "REASON", "COUNT", "FROM", "MESSAGE"]);
        for e in evs {
            t.rows.push(vec![
                age(e.last, now),
                e.type_,
                e.reason,
                e.count.to_string(),
                e.source,
                e.message.replace('\n', " "),
            ]);
        }
        out.push_str("Events:\n");
        for line in t.render().lines() {
            let _ = writeln!(out, "  {line}");
        }
    }
    Ok(out)
}

fn pod(out: &mut String, p: &Pod, now: jiff::Timestamp) {
    let spec = p.spec.clone().unwrap_or_default();
    let st = p.status.clone().unwrap_or_default();
    let summary = pod_summary(p, now);
    let _ = writeln!(out, "Node:         {}", spec.node_name.clone().unwrap_or_else(|| "<none>".into()));
    let _ =
        writeln!(out, "Status:       {} (phase {})", summary.status, st.phase.clone().unwrap_or_default());
    if let Some(m) = &st.message {
        let _ = writeln!(out, "Message:      {m}");
    }
    let _ = writeln!(out, "IP:           {}", st.pod_ip.clone().unwrap_or_else(|| "<none>".into()));
    let _ = writeln!(
        out,
        "Service Account: {}",
        spec.service_account_name.clone().unwrap_or_else(|| "default".into())
    );
    let statuses: Vec<ContainerStatus> = st
        .init_container_statuses
        .clone()
        .unwrap_or_default()
        .into_iter()
        .chain(st.container_statuses.clone().unwrap_or_default())
        .collect();
    for (title, containers) in [
        ("Init Containers", spec.init_containers.clone().unwrap_or_default()),
        ("Containers", spec.containers.clone()),
    ] {
        if containers.is_empty() {
            continue;
        }
        let _ = writeln!(out, "{title}:");
        for c in containers {
            let _ = writeln!(out, "  {}:", c.name);
            let _ = writeln!(out, "    Image:          {}", c.image.clone().unwrap_or_default());
            let status = statuses.iter().find(|s| s.name == c.name);
            if let Some(s) = status {
                let _ = writeln!(out, "    State:          {}", state(s.state.as_ref()));
                if let Some(last) = s.last_state.as_ref().filter(|l| l.terminated.is_some()) {
                    let _ = writeln!(out, "    Last State:     {}", state(Some(last)));
                }
                let _ = writeln!(out, "    Ready:          {}", s.ready);
                let _ = writeln!(out, "    Restart Count:  {}", s.restart_count);
            }
            let res = c.resources.clone().unwrap_or_default();
            let fmt = |m: Option<
                std::collections::BTreeMap<String, k8s_openapi::apimachinery::pkg::api::resource::Quantity>,
            >| {
                m.map(|m| m.iter().map(|(k, v)| format!("{k}={}", v.0)).collect::<Vec<_>>().join(", "))
                    .filter(|s| !s.is_empty())
                    .unwrap_or_else(|| "<none>".into())
            };
            let _ = writeln!(out, "    Requests:       {}", fmt(res.requests));
            let _ = writeln!(out, "    Limits:         {}", fmt(res.limits));
            for (kind, probe) in [
                ("Liveness", &c.liveness_probe),
                ("Readiness", &c.readiness_probe),
                ("Startup", &c.startup_probe),
            ] {
                if let Some(p) = probe {
                    let _ = writeln!(out, "    {kind}:{}{}", " ".repeat(16 - kind.len()), probe_text(p));
                }
            }
        }
    }
}

/// `http-get :8080/healthz`, `tcp-socket :5432`, `exec [cat /tmp/ready]`.
pub fn probe_text(p: &k8s_openapi::api::core::v1::Probe) -> String {
    let port = |p: &k8s_openapi::apimachinery::pkg::util::intstr::IntOrString| match p {
        k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::Int(i) => i.to_string(),
        k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::String(s) => s.clone(),
    };
    if let Some(h) = &p.http_get {
        format!("http-get :{}{}", port(&h.port), h.path.clone().unwrap_or_default())
    } else if let Some(t) = &p.tcp_socket {
        format!("tcp-socket :{}", port(&t.port))
    } else if let Some(g) = &p.grpc {
        format!("grpc :{}", g.port)
    } else if let Some(e) = &p.exec {
        format!("exec [{}]", e.command.clone().unwrap_or_default().join(" "))
    } else {
        "probe".into()
    }
}

fn state(s: Option<&ContainerState>) -> String {
    let Some(s) = s else { return "<unknown>".into() };
    if let Some(w) = &s.waiting {
        format!(
            "Waiting: {}{}",
            w.reason.clone().unwrap_or_default(),
            w.message.as_ref().map(|m| format!(" — {m}")).unwrap_or_default()
        )
    } else if let Some(t) = &s.terminated {
        format!(
            "Terminated: {} (exit code {}){}",
            t.reason.clone().unwrap_or_else(|| "unknown".into()),
            t.exit_code,
            t.finished_at.as_ref().map(|f| format!(", finished {}", f.0)).unwrap_or_default()
        )
    } else if let Some(r) = &s.running {
        format!("Running{}", r.started_at.as_ref().map(|t| format!(" since {}", t.0)).unwrap_or_default())
    } else {
        "<unknown>".into()
    }
}
