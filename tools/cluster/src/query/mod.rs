//! The agent's read tools (DESIGN §3), as pure functions over a [`ClusterData`].
//!
//! Each takes a capture and returns text shaped for a person or a model: compact tables like
//! kubectl's, YAML without `managedFields`, a describe with the object's own events (matched by
//! kind, namespace and name), logs cut to a tail and filtered, the related-object tree, and the
//! rollout history of a Deployment. Because they never touch the network, a live cluster and a
//! snapshot of it give identical answers; [`crate::source::ClusterSource`] does the loading.

mod describe;
mod related;
pub mod table;

use jiff::Timestamp;
use k8s_openapi::api::core::v1::Pod;

pub use describe::describe;
pub use describe::probe_text as describe_probe;
pub use related::{
    Revision, diff_specs, owner_chain, related, render_history, rollout_history, service_endpoints,
    service_pods,
};
use table::{Table, age, or_none};

use crate::data::ClusterData;
use crate::error::{Error, Result};
use crate::events::{self, EventRecord};
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

pub(crate) fn not_found(data: &ClusterData, kind: Kind, namespace: Option<&str>, name: &str) -> Error {
    let namespace = namespace.filter(|_| kind.info().namespaced).map(String::from);
    match data.completeness(kind, namespace.as_deref()) {
        crate::data::Completeness::Unverifiable(reason) => {
            Error::Unverifiable { kind, namespace, name: name.to_string(), reason }
        }
        crate::data::Completeness::Complete => Error::NotFound { kind, namespace, name: name.to_string() },
    }
}

/// What `events` shows.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    /// Only this namespace.
    pub namespace: Option<String>,
    /// Only events about this object: kind (optional) and name.
    pub object: Option<(Option<Kind>, String)>,
    /// Only events at most this many seconds before the capture time.
    pub since_seconds: Option<i64>,
    /// Only warnings.
    pub warnings_only: bool,
    /// Only this reason.
    pub reason: Option<String>,
}

/// Events matching `filter`, oldest first, as a table.
pub fn events(data: &ClusterData, filter: &EventFilter) -> Table {
    let now = data.now();
    let mut t = Table::new(&["NAMESPACE", "LAST SEEN", "TYPE", "REASON", "OBJECT", "COUNT", "MESSAGE"]);
    for e in select_events(data, filter) {
        t.rows.push(vec![
            e.namespace.clone().unwrap_or_default(),
            age(e.last, now),
            e.type_.clone(),
            e.reason.clone(),
            format!("{}/{}", e.kind.to_ascii_lowercase(), e.name),
            e.count.to_string(),
            e.message.replace('\n', " "),
        ]);
    }
    if filter.namespace.is_some() { t.without("NAMESPACE") } else { t }
}

/// The events `filter` selects, oldest first.
pub fn select_events(data: &ClusterData, filter: &EventFilter) -> Vec<EventRecord> {
    let now = data.now();
    events::all(data)
        .into_iter()
        .filter(|e| filter.namespace.as_deref().is_none_or(|ns| e.namespace.as_deref() == Some(ns)))
        .filter(|e| {
            filter
                .object
                .as_ref()
                .is_none_or(|(kind, name)| &e.name == name && kind.is_none_or(|k| e.kind == k.info().kind))
        })
        .filter(|e| !filter.warnings_only || e.is_warning())
        .filter(|e| filter.reason.as_deref().is_none_or(|r| e.reason.eq_ignore_ascii_case(r)))
        .filter(|e| {
            filter.since_seconds.is_none_or(|s| e.last.is_some_and(|t| now.as_second() - t.as_second() <= s))
        })
        .collect()
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

/// READY, STATUS and RESTARTS the way kubectl computes them.
pub struct PodSummary {
    /// `1/2`.
    pub ready: String,
    /// `Running`, `CrashLoopBackOff`, `Init:0/1`, `Evicted`, `Terminating`.
    pub status: String,
    /// `5 (2m ago)`.
    pub restarts: String,
}

/// Summarise a pod like `kubectl get pods`.
pub fn pod_summary(p: &Pod, now: Timestamp) -> PodSummary {
    let st = p.status.clone().unwrap_or_default();
    let total = p.spec.as_ref().map_or(0, |s| s.containers.len());
    let statuses = st.container_statuses.clone().unwrap_or_default();
    let ready = statuses.iter().filter(|c| c.ready).count();
    let mut reason =
        st.reason.clone().unwrap_or_else(|| st.phase.clone().unwrap_or_else(|| "Unknown".into()));
    let inits = st.init_container_statuses.clone().unwrap_or_default();
    let mut initializing = false;
    for (i, c) in inits.iter().enumerate() {
        let state = c.state.clone().unwrap_or_default();
        if state.terminated.as_ref().is_some_and(|t| t.exit_code == 0) {
            continue;
        }
        initializing = true;
        reason = if let Some(t) = &state.terminated {
            format!("Init:{}", t.reason.clone().unwrap_or_else(|| format!("ExitCode:{}", t.exit_code)))
        } else if let Some(w) =
            state.waiting.as_ref().and_then(|w| w.reason.clone()).filter(|r| r != "PodInitializing")
        {
            format!("Init:{w}")
        } else {
            format!(
                "Init:{i}/{}",
                p.spec.as_ref().and_then(|s| s.init_containers.as_ref()).map_or(0, Vec::len)
            )
        };
        break;
    }
    if !initializing {
        for c in statuses.iter().rev() {
            let state = c.state.clone().unwrap_or_default();
            if let Some(r) = state.waiting.as_ref().and_then(|w| w.reason.clone()) {
                reason = r;
            } else if let Some(t) = &state.terminated {
                reason = t.reason.clone().unwrap_or_else(|| format!("ExitCode:{}", t.exit_code));
            }
        }
    }
    if p.metadata.deletion_timestamp.is_some() {
        reason =
            if st.reason.as_deref() == Some("NodeLost") { "Unknown".into() } else { "Terminating".into() };
    }
    let restarts: i32 = statuses.iter().map(|c| c.restart_count).sum();
    let last = statuses
        .iter()
        .filter_map(|c| c.last_state.as_ref()?.terminated.as_ref()?.finished_at.as_ref().map(|t| t.0))
        .max();
    let restarts = match last {
        Some(t) if restarts > 0 => format!("{restarts} ({} ago)", age(Some(t), now)),
        _ => restarts.to_string(),
    };
    PodSummary { ready: format!("{ready}/{total}"), status: reason, restarts }
}

/// `(status, reason, message)` of the condition of type `ty`.
pub fn condition<C: ConditionLike>(
    conditions: Option<&Vec<C>>,
    ty: &str,
) -> Option<(String, String, String)> {
    conditions?
        .iter()
        .find(|c| c.type_() == ty)
        .map(|c| (c.status().to_string(), c.reason().to_string(), c.message().to_string()))
}

/// Whether the condition of type `ty` is `True`.
pub fn has_condition<C: ConditionLike>(conditions: Option<&Vec<C>>, ty: &str) -> bool {
    condition(conditions, ty).is_some_and(|c| c.0 == "True")
}

/// The fields every `*Condition` type shares.
pub trait ConditionLike {
    /// The condition's type (`Ready`, `Available`, …).
    fn type_(&self) -> &str;
    /// `True`, `False` or `Unknown`.
    fn status(&self) -> &str;
    /// The machine-readable reason, or "".
    fn reason(&self) -> &str;
    /// The human-readable message, or "".
    fn message(&self) -> &str;
}

macro_rules! condition_like {
    ($($t:ty),*) => {$(
        impl ConditionLike for $t {
            fn type_(&self) -> &str { &self.type_ }
            fn status(&self) -> &str { &self.status }
            fn reason(&self) -> &str { self.reason.as_deref().unwrap_or("") }
            fn message(&self) -> &str { self.message.as_deref().unwrap_or("") }
        }
    )*};
}

condition_like!(
    k8s_openapi::api::core::v1::NodeCondition,
    k8s_openapi::api::core::v1::PodCondition,
    k8s_openapi::api::core::v1::PersistentVolumeClaimCondition,
    k8s_openapi::api::apps::v1::DeploymentCondition,
    k8s_openapi::api::apps::v1::ReplicaSetCondition,
    k8s_openapi::api::apps::v1::StatefulSetCondition,
    k8s_openapi::api::apps::v1::DaemonSetCondition,
    k8s_openapi::api::batch::v1::JobCondition,
    k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscalerCondition
);

impl ConditionLike for k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition {
    fn type_(&self) -> &str {
        &self.type_
    }
    fn status(&self) -> &str {
        &self.status
    }
    fn reason(&self) -> &str {
        &self.reason
    }
    fn message(&self) -> &str {
        &self.message
    }
}

/// Apply a field selector to JSON items (used by list when one is given).
pub fn field_filter(items: Vec<serde_json::Value>, selector: &str) -> Result<Vec<serde_json::Value>> {
    let fs = FieldSelector::parse(selector)?;
    Ok(items.into_iter().filter(|i| fs.matches(i)).collect())
}
