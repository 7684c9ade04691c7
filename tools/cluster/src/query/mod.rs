//! The agent's read tools (DESIGN §3), as pure functions over a [`ClusterData`].
//!
//! Each takes a capture and returns text shaped for a person or a model: compact tables like
//! kubectl's, YAML without `managedFields`, a describe with the object's own events (matched by
//! kind, namespace and name), logs cut to a tail and filtered, the related-object tree, and the
//! rollout history of a Deployment. Because they never touch the network, a live cluster and a
//! snapshot of it give identical answers; [`crate::source::ClusterSource`] does the loading.

mod describe;
mod event_filter;
mod lookup;
mod reads;
mod related;
mod status;
pub mod table;

pub use describe::describe;
pub use describe::probe_text as describe_probe;
pub use event_filter::{EventFilter, events, select_events};
pub use lookup::not_found;
pub use reads::{Query, kinds_read};
pub use related::{
    Revision, diff_specs, owner_chain, related, render_history, rollout_history, service_endpoints,
    service_pods,
};
pub use status::{ConditionLike, PodSummary, condition, has_condition, pod_summary};
use table::{Table, age, or_none};

use crate::data::ClusterData;
use crate::error::Result;
use crate::kind::Kind;
use crate::selector::{FieldSelector, Selector};

/// Objects of `kind` as a table, optionally one namespace and a label selector.
pub fn list(
    data: &ClusterData,
    kind: Kind,
    namespace: Option<&str>,
    selector: Option<&str>,
) -> Result<Table> {
    let sel = Selector::parse(selector.unwrap_or(""))?;
    let now = data.now();
    let o = &data.objects;
    let in_ns = |m: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta| {
        (namespace.is_none() || !kind.info().namespaced || m.namespace.as_deref() == namespace)
            && sel.matches(m.labels.as_ref())
    };
    let ns_of = |m: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta| {
        m.namespace.clone().unwrap_or_default()
    };
    let name_of =
        |m: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta| m.name.clone().unwrap_or_default();
    let created = |m: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta| {
        age(m.creation_timestamp.as_ref().map(|t| t.0), now)
    };
    let mut t = match kind {
        Kind::Pod => {
            let mut t = Table::new(&["NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE", "NODE"]);
            for p in o.pods.iter().filter(|p| in_ns(&p.metadata)) {
                let s = pod_summary(p, now);
                t.rows.push(vec![
                    ns_of(&p.metadata),
                    name_of(&p.metadata),
                    s.ready,
                    s.status,
                    s.restarts,
                    created(&p.metadata),
                    or_none(p.spec.as_ref().and_then(|s| s.node_name.clone()).unwrap_or_default()),
                ]);
            }
            t
        }
        Kind::Deployment => {
            let mut t = Table::new(&["NAMESPACE", "NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]);
            for d in o.deployments.iter().filter(|d| in_ns(&d.metadata)) {
                let st = d.status.clone().unwrap_or_default();
                let want = d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
                t.rows.push(vec![
                    ns_of(&d.metadata),
                    name_of(&d.metadata),
                    format!("{}/{want}", st.ready_replicas.unwrap_or(0)),
                    st.updated_replicas.unwrap_or(0).to_string(),
                    st.available_replicas.unwrap_or(0).to_string(),
                    created(&d.metadata),
                ]);
            }
            t
        }
        Kind::ReplicaSet => {
            let mut t = Table::new(&["NAMESPACE", "NAME", "DESIRED", "CURRENT", "READY", "AGE"]);
            for r in o.replica_sets.iter().filter(|r| in_ns(&r.metadata)) {
                let st = r.status.clone().unwrap_or_default();
                t.rows.push(vec![
                    ns_of(&r.metadata),
                    name_of(&r.metadata),
                    r.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1).to_string(),
                    st.replicas.to_string(),
                    st.ready_replicas.unwrap_or(0).to_string(),
                    created(&r.metadata),
                ]);
            }
            t
        }
        Kind::StatefulSet => {
            let mut t = Table::new(&["NAMESPACE", "NAME", "READY", "AGE"]);
            for s in o.stateful_sets.iter().filter(|s| in_ns(&s.metadata)) {
                let want = s.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
                let ready = s.status.as_ref().and_then(|s| s.ready_replicas).unwrap_or(0);
                t.rows.push(vec![
                    ns_of(&s.metadata),
                    name_of(&s.metadata),
                    format!("{ready}/{want}"),
                    created(&s.metadata),
                ]);
            }
            t
        }
        Kind::DaemonSet => {
            let mut t = Table::new(&[
                "NAMESPACE",
                "NAME",
                "DESIRED",
                "CURRENT",
                "READY",
                "UP-TO-DATE",
                "AVAILABLE",
                "AGE",
            ]);
            for d in o.daemon_sets.iter().filter(|d| in_ns(&d.metadata)) {
                let st = d.status.clone().unwrap_or_default();
                t.rows.push(vec![
                    ns_of(&d.metadata),
                    name_of(&d.metadata),
                    st.desired_number_scheduled.to_string(),
                    st.current_number_scheduled.to_string(),
                    st.number_ready.to_string(),
                    st.updated_number_scheduled.unwrap_or(0).to_string(),
                    st.number_available.unwrap_or(0).to_string(),
                    created(&d.metadata),
                ]);
            }
            t
        }
        Kind::Service => {
            let mut t =
                Table::new(&["NAMESPACE", "NAME", "TYPE", "CLUSTER-IP", "PORT(S)", "SELECTOR", "AGE"]);
            for s in o.services.iter().filter(|s| in_ns(&s.metadata)) {
                let spec = s.spec.clone().unwrap_or_default();
                let ports: Vec<String> = spec
                    .ports
                    .iter()
                    .flatten()
                    .map(|p| format!("{}/{}", p.port, p.protocol.clone().unwrap_or_else(|| "TCP".into())))
                    .collect();
                let selector = spec
                    .selector
                    .iter()
                    .flatten()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(",");
                t.rows.push(vec![
                    ns_of(&s.metadata),
                    name_of(&s.metadata),
                    spec.type_.unwrap_or_else(|| "ClusterIP".into()),
                    or_none(spec.cluster_ip.unwrap_or_default()),
                    or_none(ports.join(",")),
                    or_none(selector),
                    created(&s.metadata),
                ]);
            }
            t
        }
        Kind::Node => {
            let mut t = Table::new(&["NAME", "STATUS", "ROLES", "AGE", "VERSION"]);
            for n in o.nodes.iter().filter(|n| in_ns(&n.metadata)) {
                let ready = condition(n.status.as_ref().and_then(|s| s.conditions.as_ref()), "Ready");
                let mut status = if ready.is_some_and(|c| c.0 == "True") {
                    "Ready".to_string()
                } else {
                    "NotReady".to_string()
                };
                if n.spec.as_ref().and_then(|s| s.unschedulable).unwrap_or(false) {
                    status.push_str(",SchedulingDisabled");
                }
                let roles: Vec<&str> = n
                    .metadata
                    .labels
                    .iter()
                    .flatten()
                    .filter_map(|(k, _)| k.strip_prefix("node-role.kubernetes.io/"))
                    .collect();
                let version = n
                    .status
                    .as_ref()
                    .and_then(|s| s.node_info.as_ref())
                    .map(|i| i.kubelet_version.clone())
                    .unwrap_or_default();
                t.rows.push(vec![
                    name_of(&n.metadata),
                    status,
                    or_none(roles.join(",")),
                    created(&n.metadata),
                    version,
                ]);
            }
            t
        }
        Kind::Event | Kind::EventV1 => {
            return Ok(events(
                data,
                &EventFilter { namespace: namespace.map(String::from), ..EventFilter::default() },
            ));
        }
        Kind::Job => {
            let mut t = Table::new(&["NAMESPACE", "NAME", "STATUS", "COMPLETIONS", "AGE"]);
            for j in o.jobs.iter().filter(|j| in_ns(&j.metadata)) {
                let st = j.status.clone().unwrap_or_default();
                let status = if has_condition(st.conditions.as_ref(), "Failed") {
                    "Failed"
                } else if has_condition(st.conditions.as_ref(), "Complete") {
                    "Complete"
                } else if j.spec.as_ref().and_then(|s| s.suspend).unwrap_or(false) {
                    "Suspended"
                } else {
                    "Running"
                };
                let want = j.spec.as_ref().and_then(|s| s.completions).unwrap_or(1);
                t.rows.push(vec![
                    ns_of(&j.metadata),
                    name_of(&j.metadata),
                    status.into(),
                    format!("{}/{want}", st.succeeded.unwrap_or(0)),
                    created(&j.metadata),
                ]);
            }
            t
        }
        Kind::CronJob => {
            let mut t =
                Table::new(&["NAMESPACE", "NAME", "SCHEDULE", "SUSPEND", "ACTIVE", "LAST SCHEDULE", "AGE"]);
            for c in o.cron_jobs.iter().filter(|c| in_ns(&c.metadata)) {
                let spec = c.spec.clone().unwrap_or_default();
                let st = c.status.clone().unwrap_or_default();
                t.rows.push(vec![
                    ns_of(&c.metadata),
                    name_of(&c.metadata),
                    spec.schedule,
                    spec.suspend
                        .unwrap_or(false)
                        .to_string()
                        .replace("false", "False")
                        .replace("true", "True"),
                    st.active.map_or(0, |a| a.len()).to_string(),
                    st.last_schedule_time.map_or("<none>".into(), |t| age(Some(t.0), now)),
                    created(&c.metadata),
                ]);
            }
            t
        }
        Kind::PersistentVolumeClaim => {
            let mut t =
                Table::new(&["NAMESPACE", "NAME", "STATUS", "VOLUME", "CAPACITY", "STORAGECLASS", "AGE"]);
            for c in o.pvcs.iter().filter(|c| in_ns(&c.metadata)) {
                let spec = c.spec.clone().unwrap_or_default();
                let st = c.status.clone().unwrap_or_default();
                let cap = st
                    .capacity
                    .as_ref()
                    .and_then(|m| m.get("storage"))
                    .map(|q| q.0.clone())
                    .unwrap_or_default();
                t.rows.push(vec![
                    ns_of(&c.metadata),
                    name_of(&c.metadata),
                    st.phase.unwrap_or_default(),
                    spec.volume_name.unwrap_or_default(),
                    cap,
                    or_none(spec.storage_class_name.unwrap_or_default()),
                    created(&c.metadata),
                ]);
            }
            t
        }
        Kind::Ingress => {
            let mut t = Table::new(&["NAMESPACE", "NAME", "CLASS", "HOSTS", "AGE"]);
            for i in o.ingresses.iter().filter(|i| in_ns(&i.metadata)) {
                let spec = i.spec.clone().unwrap_or_default();
                let hosts: Vec<String> = spec.rules.iter().flatten().filter_map(|r| r.host.clone()).collect();
                t.rows.push(vec![
                    ns_of(&i.metadata),
                    name_of(&i.metadata),
                    or_none(spec.ingress_class_name.unwrap_or_default()),
                    if hosts.is_empty() { "*".into() } else { hosts.join(",") },
                    created(&i.metadata),
                ]);
            }
            t
        }
        _ => {
            let mut t = Table::new(&["NAMESPACE", "NAME", "AGE"]);
            for item in o.json_items(kind, namespace) {
                let meta: k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta =
                    serde_json::from_value(item.get("metadata").cloned().unwrap_or_default())
                        .unwrap_or_default();
                if in_ns(&meta) {
                    t.rows.push(vec![ns_of(&meta), name_of(&meta), created(&meta)]);
                }
            }
            t
        }
    };
    if namespace.is_some() || !kind.info().namespaced {
        t = t.without("NAMESPACE");
    }
    Ok(t)
}

/// One object as YAML (`managedFields` already dropped, Secret data never present).
pub fn get(data: &ClusterData, kind: Kind, namespace: Option<&str>, name: &str) -> Result<String> {
    let obj = data
        .objects
        .find_json(kind, namespace, name)
        .ok_or_else(|| not_found(data, kind, namespace, name))?;
    Ok(serde_yaml_ng::to_string(&obj).unwrap_or_default())
}

/// The last `tail` lines of a log, then only lines containing `grep` (case-insensitive).
pub fn cut_log(text: &str, tail: Option<usize>, grep: Option<&str>) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let start = tail.map_or(0, |t| lines.len().saturating_sub(t));
    let needle = grep.map(str::to_lowercase);
    let mut out = String::new();
    for l in &lines[start..] {
        if needle.as_ref().is_none_or(|n| l.to_lowercase().contains(n)) {
            out.push_str(l);
            out.push('\n');
        }
    }
    out
}

/// The pod's first container when none is named, for `logs`.
pub fn default_container(data: &ClusterData, namespace: &str, pod: &str) -> Option<String> {
    let p = data.objects.pods.iter().find(|p| {
        p.metadata.namespace.as_deref() == Some(namespace) && p.metadata.name.as_deref() == Some(pod)
    })?;
    let spec = p.spec.as_ref()?;
    p.metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get("kubectl.kubernetes.io/default-container").cloned())
        .or_else(|| spec.containers.first().map(|c| c.name.clone()))
}

/// Apply a field selector to JSON items (used by list when one is given).
pub fn field_filter(items: Vec<serde_json::Value>, selector: &str) -> Result<Vec<serde_json::Value>> {
    let fs = FieldSelector::parse(selector)?;
    Ok(items.into_iter().filter(|i| fs.matches(i)).collect())
}
