//! Lookups every rule shares, built once per run.

use std::collections::{HashMap, HashSet};

use k8s_openapi::api::core::v1::{Node, Pod};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::finding::ObjRef;
use cluster::data::{ClusterData, Completeness};
use cluster::events::{self, EventRecord};
use cluster::kind::Kind;

/// Events by object, owners, names that exist, node health.
pub struct Index<'a> {
    data: &'a ClusterData,
    events: HashMap<(String, String, String), Vec<EventRecord>>,
    rs_owner: HashMap<(String, String), (String, String)>,
    job_owner: HashMap<(String, String), (String, String)>,
    names: HashSet<(Kind, String, String)>,
    /// Nodes by name.
    pub nodes: HashMap<&'a str, &'a Node>,
    /// Pods by namespace.
    pub pods_by_ns: HashMap<&'a str, Vec<&'a Pod>>,
    /// Nodes whose `Ready` condition is not True.
    pub not_ready_nodes: HashSet<String>,
    /// Nodes with `MemoryPressure=True`.
    pub memory_pressure: HashSet<String>,
    /// SystemOOM events per node.
    pub system_oom: HashMap<String, Vec<EventRecord>>,
    /// Whether the capture is restricted to some namespaces (R16).
    pub scoped: bool,
    /// Nodes hosting captured pods (what a scoped run looks at).
    pub pod_nodes: HashSet<String>,
}

fn cluster_scoped(kind: &str) -> bool {
    matches!(
        kind,
        "Node"
            | "PersistentVolume"
            | "StorageClass"
            | "Namespace"
            | "IngressClass"
            | "ClusterRole"
            | "ClusterRoleBinding"
    )
}

impl<'a> Index<'a> {
    /// Build the index.
    pub fn build(data: &'a ClusterData) -> Index<'a> {
        let mut events: HashMap<(String, String, String), Vec<EventRecord>> = HashMap::new();
        let mut system_oom: HashMap<String, Vec<EventRecord>> = HashMap::new();
        for e in events::all(data) {
            let ns =
                if cluster_scoped(&e.kind) { String::new() } else { e.namespace.clone().unwrap_or_default() };
            if e.kind == "Node" && e.reason == "SystemOOM" {
                system_oom.entry(e.name.clone()).or_default().push(e.clone());
            }
            events.entry((e.kind.clone(), ns, e.name.clone())).or_default().push(e);
        }
        let key =
            |m: &ObjectMeta| (m.namespace.clone().unwrap_or_default(), m.name.clone().unwrap_or_default());
        let controller = |m: &ObjectMeta| {
            m.owner_references
                .iter()
                .flatten()
                .find(|o| o.controller.unwrap_or(true))
                .map(|o| (o.kind.clone(), o.name.clone()))
        };
        let o = &data.objects;
        let rs_owner = o
            .replica_sets
            .iter()
            .filter_map(|r| Some((key(&r.metadata), controller(&r.metadata)?)))
            .collect();
        let job_owner =
            o.jobs.iter().filter_map(|j| Some((key(&j.metadata), controller(&j.metadata)?))).collect();
        let mut names = HashSet::new();
        let mut add = |kind: Kind, m: &ObjectMeta| {
            let (ns, n) = key(m);
            names.insert((kind, if kind.info().namespaced { ns } else { String::new() }, n));
        };
        o.services.iter().for_each(|x| add(Kind::Service, &x.metadata));
        o.secrets.iter().for_each(|x| add(Kind::Secret, &x.metadata));
        o.config_maps.iter().for_each(|x| add(Kind::ConfigMap, &x.metadata));
        o.storage_classes.iter().for_each(|x| add(Kind::StorageClass, &x.metadata));
        o.ingress_classes.iter().for_each(|x| add(Kind::IngressClass, &x.metadata));
        o.service_accounts.iter().for_each(|x| add(Kind::ServiceAccount, &x.metadata));
        o.deployments.iter().for_each(|x| add(Kind::Deployment, &x.metadata));
        o.stateful_sets.iter().for_each(|x| add(Kind::StatefulSet, &x.metadata));
        o.replica_sets.iter().for_each(|x| add(Kind::ReplicaSet, &x.metadata));
        o.pvcs.iter().for_each(|x| add(Kind::PersistentVolumeClaim, &x.metadata));
        let nodes: HashMap<&str, &Node> =
            o.nodes.iter().filter_map(|n| Some((n.metadata.name.as_deref()?, n))).collect();
        let mut not_ready_nodes = HashSet::new();
        let mut memory_pressure = HashSet::new();
        for (name, n) in &nodes {
            let conds = n.status.as_ref().and_then(|s| s.conditions.as_ref());
            if cluster::query::condition(conds, "Ready").is_none_or(|c| c.0 != "True") {
                not_ready_nodes.insert((*name).to_string());
            }
            if cluster::query::condition(conds, "MemoryPressure").is_some_and(|c| c.0 == "True") {
                memory_pressure.insert((*name).to_string());
            }
        }
        let mut pods_by_ns: HashMap<&str, Vec<&Pod>> = HashMap::new();
        let mut pod_nodes = HashSet::new();
        for p in &o.pods {
            pods_by_ns.entry(p.metadata.namespace.as_deref().unwrap_or("")).or_default().push(p);
            if let Some(n) = p.spec.as_ref().and_then(|s| s.node_name.clone()) {
                pod_nodes.insert(n);
            }
        }
        Index {
            data,
            events,
            rs_owner,
            job_owner,
            names,
            nodes,
            pods_by_ns,
            not_ready_nodes,
            memory_pressure,
            system_oom,
            scoped: !data.info.namespaces.is_empty(),
            pod_nodes,
        }
    }

    /// Events about one object (kind + namespace + name, and uid when both sides have one),
    /// oldest first.
    pub fn events_for(&self, kind: &str, ns: &str, name: &str, uid: Option<&str>) -> Vec<&EventRecord> {
        let ns = if cluster_scoped(kind) { "" } else { ns };
        self.events
            .get(&(kind.to_string(), ns.to_string(), name.to_string()))
            .map(|v| {
                v.iter().filter(|e| uid.is_none() || e.uid.is_none() || e.uid.as_deref() == uid).collect()
            })
            .unwrap_or_default()
    }

    /// Every object events were recorded about, as (kind, namespace, name), with its events.
    pub fn event_objects(&self) -> impl Iterator<Item = (&(String, String, String), &Vec<EventRecord>)> {
        self.events.iter()
    }

    /// The newest event about an object among those with one of `reasons` (R3).
    pub fn latest_with(&self, kind: &str, meta: &ObjectMeta, reasons: &[&str]) -> Option<&EventRecord> {
        self.events_for(
            kind,
            meta.namespace.as_deref().unwrap_or(""),
            meta.name.as_deref().unwrap_or(""),
            meta.uid.as_deref(),
        )
        .into_iter()
        .filter(|e| reasons.contains(&e.reason.as_str()))
        .max_by_key(|e| e.last)
    }

    /// Whether an object exists: `Some(true)`/`Some(false)` when the capture can tell,
    /// `Err(reason)` when it cannot (R5).
    pub fn exists(&self, kind: Kind, ns: &str, name: &str) -> Result<bool, String> {
        let ns = if kind.info().namespaced { ns } else { "" };
        if self.names.contains(&(kind, ns.to_string(), name.to_string())) {
            return Ok(true);
        }
        match self.data.completeness(kind, Some(ns).filter(|n| !n.is_empty())) {
            Completeness::Complete => Ok(false),
            Completeness::Unverifiable(r) => Err(r),
        }
    }

    /// The root owner of an object: Pod → ReplicaSet → Deployment, Pod → Job → CronJob, or the
    /// StatefulSet/DaemonSet/Job itself; the object when it has no controller.
    pub fn root(&self, kind: &str, meta: &ObjectMeta) -> ObjRef {
        let ns = meta.namespace.clone().unwrap_or_default();
        let name = meta.name.clone().unwrap_or_default();
        let Some(owner) = meta.owner_references.iter().flatten().find(|o| o.controller.unwrap_or(true))
        else {
            return ObjRef::new(kind, &ns, &name);
        };
        let up = match owner.kind.as_str() {
            "ReplicaSet" => self.rs_owner.get(&(ns.clone(), owner.name.clone())),
            "Job" => self.job_owner.get(&(ns.clone(), owner.name.clone())),
            _ => None,
        };
        match up {
            Some((k, n)) => ObjRef::new(k, &ns, n),
            None => ObjRef::new(&owner.kind, &ns, &owner.name),
        }
    }

    /// Pods whose root is `root`.
    pub fn pods_of(&self, root: &ObjRef) -> Vec<&'a Pod> {
        self.pods_by_ns
            .get(root.namespace.as_str())
            .map(|pods| pods.iter().copied().filter(|p| &self.root("Pod", &p.metadata) == root).collect())
            .unwrap_or_default()
    }

    /// Whether a cluster-scoped node matters to this run (every node unless scoped, R16).
    pub fn node_in_scope(&self, node: &str) -> bool {
        !self.scoped || self.pod_nodes.contains(node)
    }
}

/// `ns/name` of a pod.
pub fn pod_name(p: &Pod) -> String {
    format!("{}/{}", p.metadata.namespace.as_deref().unwrap_or(""), p.metadata.name.as_deref().unwrap_or(""))
}

/// An event as one evidence line: `Warning BackOff (x12, last 2m before capture): message`.
pub fn event_line(e: &EventRecord, now: jiff::Timestamp) -> String {
    let when = e
        .last
        .map(|t| format!(", last {} before capture", cluster::query::table::age(Some(t), now)))
        .unwrap_or_default();
    let count = if e.count > 1 { format!("x{}", e.count) } else { "x1".to_string() };
    format!("event {} {} ({count}{when}): {}", e.type_, e.reason, e.message.trim())
}
