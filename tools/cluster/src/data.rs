//! [`ClusterData`]: one consistent capture of a cluster, whatever it came from.
//!
//! Every source ends here: the live client lists each kind once, snapshot readers parse files,
//! and both hand raw JSON items to [`ClusterData::insert_raw`]. That one function parses each
//! item into its typed k8s-openapi struct (a bad item is reported and skipped, never fatal) and
//! scrubs it ([`crate::sanitize`]) before anything else can see it. Queries and analyzers are pure
//! functions over this struct, which is why a live run and a snapshot of the same cluster agree.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use jiff::Timestamp;
use k8s_openapi::Metadata;
use k8s_openapi::api::admissionregistration::v1::{
    MutatingWebhookConfiguration, ValidatingWebhookConfiguration,
};
use k8s_openapi::api::apps::v1::{ControllerRevision, DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::{
    ConfigMap, Endpoints, Event, Namespace, Node, PersistentVolume, PersistentVolumeClaim, Pod,
    ResourceQuota, Secret, Service, ServiceAccount,
};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::api::events::v1::Event as EventV1;
use k8s_openapi::api::networking::v1::{Ingress, IngressClass, NetworkPolicy};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, Role, RoleBinding};
use k8s_openapi::api::storage::v1::StorageClass;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use rayon::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

use crate::kind::Kind;
use crate::metrics::{NodeMetrics, PodMetrics};
use crate::sanitize;

/// A typed object sleuth stores.
pub trait Object: Serialize + DeserializeOwned + Metadata<Ty = ObjectMeta> + Clone + Send + Sync {}
impl<T: Serialize + DeserializeOwned + Metadata<Ty = ObjectMeta> + Clone + Send + Sync> Object for T {}

/// Name and namespace of an object, for messages.
pub fn object_name(meta: &ObjectMeta) -> String {
    let name = meta.name.as_deref().unwrap_or("<unnamed>");
    match &meta.namespace {
        Some(ns) => format!("{ns}/{name}"),
        None => name.to_string(),
    }
}

/// Something in the input that could not be used, with where and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// File (or API path) it came from.
    pub path: String,
    /// 1-based line, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// What is wrong and what was done about it.
    pub reason: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.path, self.reason),
            None => write!(f, "{}: {}", self.path, self.reason),
        }
    }
}

macro_rules! objects {
    ($($kind:ident => $field:ident: $ty:ty, $sanitize:path;)*) => {
        /// Typed objects of every kind, each list sorted by namespace and name.
        #[derive(Debug, Default, Clone)]
        pub struct Objects {
            $(#[doc = concat!("`", stringify!($field), "`")] pub $field: Vec<$ty>,)*
        }

        impl Objects {
            /// Parse and scrub raw items of `kind`; unusable items become problems.
            fn insert_raw(&mut self, kind: Kind, items: &[&RawValue], origin: &str, problems: &mut Vec<Problem>) {
                match kind {
                    $(Kind::$kind => parse_items::<$ty>(&mut self.$field, items, $sanitize, origin, problems),)*
                }
            }

            /// Number of objects of `kind`.
            pub fn count(&self, kind: Kind) -> usize {
                match kind { $(Kind::$kind => self.$field.len(),)* }
            }

            /// Objects of `kind` as JSON (with `apiVersion` and `kind`), optionally one namespace.
            pub fn json_items(&self, kind: Kind, namespace: Option<&str>) -> Vec<serde_json::Value> {
                match kind { $(Kind::$kind => to_json(&self.$field, namespace),)* }
            }

            /// Whether the capture holds an object, by namespace (ignored for cluster-scoped kinds)
            /// and name.
            pub fn contains(&self, kind: Kind, namespace: Option<&str>, name: &str) -> bool {
                match kind { $(Kind::$kind => find(&self.$field, kind, namespace, name).is_some(),)* }
            }

            /// One object as JSON, by namespace (ignored for cluster-scoped kinds) and name.
            pub fn find_json(&self, kind: Kind, namespace: Option<&str>, name: &str) -> Option<serde_json::Value> {
                match kind { $(Kind::$kind => find(&self.$field, kind, namespace, name).and_then(|o| serde_json::to_value(o).ok()),)* }
            }

            fn retain(&mut self, keep_kind: &dyn Fn(Kind) -> bool, keep: &dyn Fn(&ObjectMeta) -> bool) {
                $(if keep_kind(Kind::$kind) { self.$field.retain(|o| keep(o.metadata())); } else { self.$field.clear(); })*
            }

            /// Keep only the objects of `kind` whose JSON form `keep` accepts (field selectors).
            fn retain_json(&mut self, kind: Kind, keep: &dyn Fn(&serde_json::Value) -> bool) {
                match kind {
                    $(Kind::$kind => self.$field.retain(|o| serde_json::to_value(o).is_ok_and(|v| keep(&v))),)*
                }
            }

            fn sort(&mut self) {
                $(self.$field.par_sort_by(|a, b| key(a.metadata()).cmp(&key(b.metadata())));)*
            }

            fn for_each_meta(&self, f: &mut dyn FnMut(&ObjectMeta)) {
                $(self.$field.iter().for_each(|o| f(o.metadata()));)*
            }
        }
    };
}

objects! {
    Namespace => namespaces: Namespace, sanitize::meta_only;
    Node => nodes: Node, sanitize::node;
    Pod => pods: Pod, sanitize::pod;
    Service => services: Service, sanitize::meta_only;
    Endpoints => endpoints: Endpoints, sanitize::meta_only;
    EndpointSlice => endpoint_slices: EndpointSlice, sanitize::meta_only;
    ConfigMap => config_maps: ConfigMap, sanitize::config_map;
    Secret => secrets: Secret, sanitize::secret;
    ServiceAccount => service_accounts: ServiceAccount, sanitize::meta_only;
    PersistentVolumeClaim => pvcs: PersistentVolumeClaim, sanitize::meta_only;
    PersistentVolume => pvs: PersistentVolume, sanitize::meta_only;
    StorageClass => storage_classes: StorageClass, sanitize::meta_only;
    Event => events: Event, sanitize::event;
    EventV1 => events_v1: EventV1, sanitize::event_v1;
    Deployment => deployments: Deployment, sanitize::deployment;
    ReplicaSet => replica_sets: ReplicaSet, sanitize::replica_set;
    StatefulSet => stateful_sets: StatefulSet, sanitize::stateful_set;
    DaemonSet => daemon_sets: DaemonSet, sanitize::daemon_set;
    Job => jobs: Job, sanitize::job;
    CronJob => cron_jobs: CronJob, sanitize::cron_job;
    Ingress => ingresses: Ingress, sanitize::meta_only;
    IngressClass => ingress_classes: IngressClass, sanitize::meta_only;
    NetworkPolicy => network_policies: NetworkPolicy, sanitize::meta_only;
    HorizontalPodAutoscaler => hpas: HorizontalPodAutoscaler, sanitize::meta_only;
    PodDisruptionBudget => pdbs: PodDisruptionBudget, sanitize::meta_only;
    ResourceQuota => quotas: ResourceQuota, sanitize::meta_only;
    ControllerRevision => controller_revisions: ControllerRevision, sanitize::controller_revision;
    Role => roles: Role, sanitize::meta_only;
    RoleBinding => role_bindings: RoleBinding, sanitize::meta_only;
    ClusterRole => cluster_roles: ClusterRole, sanitize::meta_only;
    ClusterRoleBinding => cluster_role_bindings: ClusterRoleBinding, sanitize::meta_only;
    ValidatingWebhookConfiguration => validating_webhooks: ValidatingWebhookConfiguration, sanitize::meta_only;
    MutatingWebhookConfiguration => mutating_webhooks: MutatingWebhookConfiguration, sanitize::meta_only;
    PodMetrics => pod_metrics: PodMetrics, sanitize::meta_only;
    NodeMetrics => node_metrics: NodeMetrics, sanitize::meta_only;
}

fn key(meta: &ObjectMeta) -> (&str, &str) {
    (meta.namespace.as_deref().unwrap_or(""), meta.name.as_deref().unwrap_or(""))
}

fn parse_items<K: Object>(
    out: &mut Vec<K>,
    items: &[&RawValue],
    sanitize: fn(&mut K),
    origin: &str,
    problems: &mut Vec<Problem>,
) {
    let parsed: Vec<Result<K, Problem>> = items
        .par_iter()
        .map(|raw| {
            serde_json::from_str::<K>(raw.get())
                .map(|mut obj| {
                    sanitize(&mut obj);
                    obj
                })
                .map_err(|e| Problem {
                    path: origin.to_string(),
                    line: None,
                    reason: format!("skipped {} {}: {e}", K::KIND, describe_raw(raw)),
                })
        })
        .collect();
    out.reserve(parsed.len());
    for p in parsed {
        match p {
            Ok(obj) => out.push(obj),
            Err(p) => problems.push(p),
        }
    }
}

/// `ns/name` of an item that failed to parse, read as loosely as possible.
fn describe_raw(raw: &RawValue) -> String {
    #[derive(serde::Deserialize)]
    struct Loose {
        metadata: Option<LooseMeta>,
    }
    #[derive(serde::Deserialize)]
    struct LooseMeta {
        name: Option<String>,
        namespace: Option<String>,
    }
    match serde_json::from_str::<Loose>(raw.get()).ok().and_then(|l| l.metadata) {
        Some(LooseMeta { name: Some(n), namespace: Some(ns) }) => format!("{ns}/{n}"),
        Some(LooseMeta { name: Some(n), namespace: None }) => n,
        _ => "(no name)".to_string(),
    }
}

fn find<'a, K: Object>(items: &'a [K], kind: Kind, namespace: Option<&str>, name: &str) -> Option<&'a K> {
    let ns = if kind.info().namespaced { namespace.unwrap_or("") } else { "" };
    items.binary_search_by(|o| key(o.metadata()).cmp(&(ns, name))).ok().map(|i| &items[i])
}

fn to_json<K: Object>(items: &[K], namespace: Option<&str>) -> Vec<serde_json::Value> {
    items
        .iter()
        .filter(|o| namespace.is_none() || o.metadata().namespace.as_deref() == namespace)
        .filter_map(|o| serde_json::to_value(o).ok())
        .collect()
}

/// Which container log, current or previous instance.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize)]
pub struct LogKey {
    /// Pod namespace.
    pub namespace: String,
    /// Pod name.
    pub pod: String,
    /// Container name.
    pub container: String,
    /// The previous (terminated) instance rather than the current one.
    pub previous: bool,
}

/// A captured log, or why it could not be captured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogText {
    /// The (redacted) log text.
    Text(String),
    /// The error the API server or the dump recorded instead.
    Unavailable(String),
}

/// When, where and how a capture was made.
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize)]
pub struct CaptureInfo {
    /// When the objects were read. For dumps that do not record it, the latest time seen in them.
    pub captured_at: Option<Timestamp>,
    /// Whether `captured_at` was inferred from the data rather than recorded.
    #[serde(default)]
    pub captured_at_inferred: bool,
    /// kubeconfig context, when known.
    pub context: Option<String>,
    /// API server version (`v1.30.4`), when known.
    pub server_version: Option<String>,
    /// What was read: a URL, or a directory and its layout.
    pub source: String,
    /// Namespaces captured; empty means all.
    #[serde(default)]
    pub namespaces: Vec<String>,
}

/// One consistent capture of a cluster: typed objects, logs, and what could not be read.
#[derive(Debug, Default, Clone)]
pub struct ClusterData {
    /// The objects, sanitized.
    pub objects: Objects,
    /// Captured container logs, redacted.
    pub logs: BTreeMap<LogKey, LogText>,
    /// Capture metadata.
    pub info: CaptureInfo,
    /// Kinds whose list was read completely (for the captured namespaces).
    pub captured: BTreeSet<Kind>,
    /// Kinds that could not be read, and why (`forbidden`, `not served`).
    pub unreadable: BTreeMap<Kind, String>,
    /// Input that was skipped, with file/line and reason.
    pub problems: Vec<Problem>,
}

impl ClusterData {
    /// Add raw JSON items of one kind; the kind then counts as captured.
    pub fn insert_raw(&mut self, kind: Kind, items: &[&RawValue], origin: &str) {
        self.objects.insert_raw(kind, items, origin, &mut self.problems);
        self.captured.insert(kind);
    }

    /// Add objects of any kinds, each naming its `kind` (and `apiVersion`), as in a `List` that
    /// `kubectl get … -o json` prints for several kinds. Every kind named counts as captured; an
    /// object of an unknown kind is a problem, and the rest still loads.
    pub fn insert_objects(&mut self, objects: &[serde_json::Value], origin: &str) {
        let mut by_kind: BTreeMap<Kind, Vec<Box<RawValue>>> = BTreeMap::new();
        for (i, o) in objects.iter().enumerate() {
            let (kind, api) = (o["kind"].as_str().unwrap_or(""), o["apiVersion"].as_str().unwrap_or(""));
            let Some(k) = Kind::of(kind, api) else {
                self.problems.push(Problem {
                    path: origin.to_string(),
                    line: None,
                    reason: format!("item {i}: unknown kind {kind:?} ({api:?}); skipped"),
                });
                continue;
            };
            let mut o = o.clone();
            if let Some(m) = o.as_object_mut() {
                m.remove("kind");
                m.remove("apiVersion");
            }
            if let Ok(raw) = RawValue::from_string(o.to_string()) {
                by_kind.entry(k).or_default().push(raw);
            }
        }
        for (k, raws) in by_kind {
            let refs: Vec<&RawValue> = raws.iter().map(AsRef::as_ref).collect();
            self.insert_raw(k, &refs, origin);
        }
    }

    /// Record that a kind could not be read.
    pub fn mark_unreadable(&mut self, kind: Kind, reason: impl Into<String>) {
        self.unreadable.insert(kind, reason.into());
    }

    /// Add a log, redacting it first.
    pub fn insert_log(&mut self, key: LogKey, text: LogText) {
        let text = match text {
            LogText::Text(t) => LogText::Text(redact::redact_text(&t).into_owned()),
            LogText::Unavailable(e) => LogText::Unavailable(redact::redact_text(&e).into_owned()),
        };
        self.logs.insert(key, text);
    }

    /// Sort every list, and infer the capture time when the source did not record one.
    pub fn finish(&mut self) {
        self.objects.sort();
        if self.info.captured_at.is_none() {
            self.info.captured_at = self.latest_time();
            self.info.captured_at_inferred = true;
        }
    }

    /// Whether absence of `kind` in `namespace` proves the object does not exist.
    pub fn completeness(&self, kind: Kind, namespace: Option<&str>) -> Completeness {
        if let Some(reason) = self.unreadable.get(&kind) {
            return Completeness::Unverifiable(format!("cannot verify: {reason}"));
        }
        if !self.captured.contains(&kind) {
            return Completeness::Unverifiable("cannot verify: not in snapshot".to_string());
        }
        match namespace {
            Some(ns)
                if kind.info().namespaced
                    && !self.info.namespaces.is_empty()
                    && !self.info.namespaces.iter().any(|n| n == ns) =>
            {
                Completeness::Unverifiable(format!("cannot verify: namespace {ns} not in snapshot"))
            }
            _ => Completeness::Complete,
        }
    }

    /// A copy restricted to some kinds and namespaces (cluster-scoped objects are kept).
    #[must_use]
    pub fn restricted(&self, kinds: Option<&[Kind]>, namespaces: &[String]) -> ClusterData {
        let mut out = self.clone();
        let keep_kind = |k: Kind| kinds.is_none_or(|ks| ks.contains(&k));
        let keep = |m: &ObjectMeta| {
            namespaces.is_empty() || m.namespace.as_ref().is_none_or(|ns| namespaces.contains(ns))
        };
        out.objects.retain(&keep_kind, &keep);
        out.captured.retain(|k| keep_kind(*k));
        out.logs.retain(|k, _| namespaces.is_empty() || namespaces.contains(&k.namespace));
        if !namespaces.is_empty() {
            out.info.namespaces = if self.info.namespaces.is_empty() {
                namespaces.to_vec()
            } else {
                namespaces.iter().filter(|n| self.info.namespaces.contains(n)).cloned().collect()
            };
        }
        out
    }

    /// Keep only objects whose labels match `selector` (every kind).
    pub fn retain_labels(&mut self, selector: &crate::selector::Selector) {
        self.objects.retain(&|_| true, &|m| selector.matches(m.labels.as_ref()));
    }

    /// What a live server would have answered for `kinds` (all when `None`) in `scope`: this
    /// capture restricted to the kinds and namespaces, then the label selector and each kind's
    /// field selector applied, as the API server applies them.
    pub fn narrowed(
        &self,
        kinds: Option<&[Kind]>,
        scope: &crate::scope::Scope,
    ) -> crate::error::Result<ClusterData> {
        let mut out = self.restricted(kinds, &scope.namespaces);
        if let Some(sel) = scope.label_selector.as_deref().filter(|s| !s.is_empty()) {
            out.retain_labels(&crate::selector::Selector::parse(sel)?);
        }
        for (&kind, sel) in &scope.fields {
            let sel = crate::selector::FieldSelector::parse(sel)?;
            out.objects.retain_json(kind, &|o| sel.matches(o));
        }
        Ok(out)
    }

    /// Namespaces that appear in the data (from objects and Namespace objects).
    pub fn namespace_names(&self) -> BTreeSet<String> {
        let mut names = BTreeSet::new();
        self.objects.for_each_meta(&mut |m| {
            if let Some(ns) = &m.namespace {
                names.insert(ns.clone());
            }
        });
        for ns in &self.objects.namespaces {
            if let Some(n) = &ns.metadata.name {
                names.insert(n.clone());
            }
        }
        names
    }

    /// The capture time, or the epoch when nothing at all is known.
    pub fn now(&self) -> Timestamp {
        self.info.captured_at.unwrap_or(Timestamp::UNIX_EPOCH)
    }

    fn latest_time(&self) -> Option<Timestamp> {
        let mut latest: Option<Timestamp> = None;
        let mut see = |t: Option<Timestamp>| {
            if let Some(t) = t {
                latest = Some(latest.map_or(t, |l| l.max(t)));
            }
        };
        for e in crate::events::all(self) {
            see(e.last);
        }
        self.objects.for_each_meta(&mut |m| see(m.creation_timestamp.as_ref().map(|t| t.0)));
        for p in &self.objects.pods {
            for c in p.status.iter().flat_map(|s| s.conditions.iter().flatten()) {
                see(c.last_transition_time.as_ref().map(|t| t.0));
            }
        }
        latest
    }
}

/// Whether the absence of an object can be trusted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Completeness {
    /// The kind was listed completely: absent means missing.
    Complete,
    /// Absence proves nothing; the reason says why.
    Unverifiable(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_of_mixed_kinds_loads_and_an_unknown_kind_is_reported() {
        let objects: Vec<serde_json::Value> = serde_json::from_str(
            r#"[{"kind": "Pod", "apiVersion": "v1", "metadata": {"name": "web-1", "namespace": "shop"}},
                {"kind": "Service", "metadata": {"name": "web", "namespace": "shop"}},
                {"kind": "Widget", "apiVersion": "acme.io/v1", "metadata": {"name": "w"}}]"#,
        )
        .unwrap();
        let mut data = ClusterData::default();
        data.insert_objects(&objects, "list.json");
        assert_eq!(data.objects.pods.len(), 1);
        assert_eq!(data.objects.services.len(), 1);
        assert!(data.captured.contains(&Kind::Pod) && !data.captured.contains(&Kind::Node));
        assert_eq!(data.problems.len(), 1, "{:?}", data.problems);
        assert!(data.problems[0].reason.contains("Widget"));
    }
}
