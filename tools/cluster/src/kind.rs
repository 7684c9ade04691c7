//! The kinds sleuth reads, and the one table that says where each lives.
//!
//! Every source (the API server, a `kubectl cluster-info dump`, a support bundle, sleuth's own
//! snapshot) names kinds differently; this table is the single place that maps them, so adding
//! a kind is one line in [`kinds!`](crate::data) plus its file names here.

use std::fmt;
use std::str::FromStr;

/// A kind of object sleuth can capture and query. Variants are named after the API kind;
/// `EventV1` is `events.k8s.io/v1` Event.
#[allow(missing_docs)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Namespace,
    Node,
    Pod,
    Service,
    Endpoints,
    EndpointSlice,
    ConfigMap,
    Secret,
    ServiceAccount,
    PersistentVolumeClaim,
    PersistentVolume,
    StorageClass,
    Event,
    EventV1,
    Deployment,
    ReplicaSet,
    StatefulSet,
    DaemonSet,
    Job,
    CronJob,
    Ingress,
    IngressClass,
    NetworkPolicy,
    HorizontalPodAutoscaler,
    PodDisruptionBudget,
    ResourceQuota,
    ControllerRevision,
    Role,
    RoleBinding,
    ClusterRole,
    ClusterRoleBinding,
    ValidatingWebhookConfiguration,
    MutatingWebhookConfiguration,
    PodMetrics,
    NodeMetrics,
}

/// Where a kind is served and how it is named.
#[derive(Debug, Clone, Copy)]
pub struct KindInfo {
    /// API group, empty for the core group.
    pub group: &'static str,
    /// API version within the group.
    pub version: &'static str,
    /// The `kind` field of its objects.
    pub kind: &'static str,
    /// The resource name in URLs (`pods`).
    pub plural: &'static str,
    /// Whether objects live in a namespace.
    pub namespaced: bool,
    /// Other names a user may type (`po`, `deploy`).
    pub aliases: &'static [&'static str],
    /// File stem in `kubectl cluster-info dump` output, when dumped.
    pub dump: Option<&'static str>,
    /// Folder (namespaced) or file stem (cluster-scoped) in a troubleshoot support bundle.
    pub bundle: Option<&'static str>,
}

macro_rules! info {
    ($g:literal, $v:literal, $k:literal, $p:literal, $ns:literal, [$($a:literal),*], $dump:expr, $bundle:expr) => {
        KindInfo { group: $g, version: $v, kind: $k, plural: $p, namespaced: $ns, aliases: &[$($a),*], dump: $dump, bundle: $bundle }
    };
}

impl Kind {
    /// Every kind, in capture order (cluster-scoped context first, events last).
    pub const ALL: &'static [Kind] = &[
        Kind::Namespace,
        Kind::Node,
        Kind::StorageClass,
        Kind::PersistentVolume,
        Kind::IngressClass,
        Kind::ClusterRole,
        Kind::ClusterRoleBinding,
        Kind::ValidatingWebhookConfiguration,
        Kind::MutatingWebhookConfiguration,
        Kind::Pod,
        Kind::Deployment,
        Kind::ReplicaSet,
        Kind::StatefulSet,
        Kind::DaemonSet,
        Kind::Job,
        Kind::CronJob,
        Kind::Service,
        Kind::EndpointSlice,
        Kind::Endpoints,
        Kind::Ingress,
        Kind::ConfigMap,
        Kind::Secret,
        Kind::ServiceAccount,
        Kind::PersistentVolumeClaim,
        Kind::HorizontalPodAutoscaler,
        Kind::PodDisruptionBudget,
        Kind::ResourceQuota,
        Kind::ControllerRevision,
        Kind::NetworkPolicy,
        Kind::Role,
        Kind::RoleBinding,
        Kind::PodMetrics,
        Kind::NodeMetrics,
        Kind::Event,
        Kind::EventV1,
    ];

    /// Names, API location and file names of this kind.
    pub fn info(self) -> KindInfo {
        match self {
            Kind::Namespace => info!(
                "",
                "v1",
                "Namespace",
                "namespaces",
                false,
                ["ns", "namespace"],
                None,
                Some("namespaces")
            ),
            Kind::Node => {
                info!("", "v1", "Node", "nodes", false, ["no", "node"], Some("nodes"), Some("nodes"))
            }
            Kind::Pod => info!("", "v1", "Pod", "pods", true, ["po", "pod"], Some("pods"), Some("pods")),
            Kind::Service => info!(
                "",
                "v1",
                "Service",
                "services",
                true,
                ["svc", "service"],
                Some("services"),
                Some("services")
            ),
            Kind::Endpoints => {
                info!("", "v1", "Endpoints", "endpoints", true, ["ep"], None, Some("endpoints"))
            }
            Kind::EndpointSlice => info!(
                "discovery.k8s.io",
                "v1",
                "EndpointSlice",
                "endpointslices",
                true,
                ["endpointslice"],
                None,
                Some("endpointslices")
            ),
            Kind::ConfigMap => info!(
                "",
                "v1",
                "ConfigMap",
                "configmaps",
                true,
                ["cm", "configmap"],
                None,
                Some("configmaps")
            ),
            Kind::Secret => info!("", "v1", "Secret", "secrets", true, ["secret"], None, Some("secrets")),
            Kind::ServiceAccount => info!(
                "",
                "v1",
                "ServiceAccount",
                "serviceaccounts",
                true,
                ["sa", "serviceaccount"],
                None,
                Some("serviceaccounts")
            ),
            Kind::PersistentVolumeClaim => info!(
                "",
                "v1",
                "PersistentVolumeClaim",
                "persistentvolumeclaims",
                true,
                ["pvc", "pvcs"],
                None,
                Some("pvcs")
            ),
            Kind::PersistentVolume => info!(
                "",
                "v1",
                "PersistentVolume",
                "persistentvolumes",
                false,
                ["pv", "pvs"],
                None,
                Some("pvs")
            ),
            Kind::StorageClass => info!(
                "storage.k8s.io",
                "v1",
                "StorageClass",
                "storageclasses",
                false,
                ["sc", "storageclass"],
                None,
                Some("storage-classes")
            ),
            Kind::Event => {
                info!("", "v1", "Event", "events", true, ["ev", "event"], Some("events"), Some("events"))
            }
            Kind::EventV1 => info!("events.k8s.io", "v1", "Event", "events", true, [], None, None),
            Kind::Deployment => info!(
                "apps",
                "v1",
                "Deployment",
                "deployments",
                true,
                ["deploy", "deployment"],
                Some("deployments"),
                Some("deployments")
            ),
            Kind::ReplicaSet => info!(
                "apps",
                "v1",
                "ReplicaSet",
                "replicasets",
                true,
                ["rs", "replicaset"],
                Some("replicasets"),
                Some("replicasets")
            ),
            Kind::StatefulSet => info!(
                "apps",
                "v1",
                "StatefulSet",
                "statefulsets",
                true,
                ["sts", "statefulset"],
                None,
                Some("statefulsets")
            ),
            Kind::DaemonSet => info!(
                "apps",
                "v1",
                "DaemonSet",
                "daemonsets",
                true,
                ["ds", "daemonset"],
                Some("daemonsets"),
                Some("daemonsets")
            ),
            Kind::Job => info!("batch", "v1", "Job", "jobs", true, ["job"], None, Some("jobs")),
            Kind::CronJob => {
                info!("batch", "v1", "CronJob", "cronjobs", true, ["cj", "cronjob"], None, Some("cronjobs"))
            }
            Kind::Ingress => info!(
                "networking.k8s.io",
                "v1",
                "Ingress",
                "ingresses",
                true,
                ["ing", "ingress"],
                None,
                Some("ingress")
            ),
            Kind::IngressClass => info!(
                "networking.k8s.io",
                "v1",
                "IngressClass",
                "ingressclasses",
                false,
                ["ingressclass"],
                None,
                Some("ingress-classes")
            ),
            Kind::NetworkPolicy => info!(
                "networking.k8s.io",
                "v1",
                "NetworkPolicy",
                "networkpolicies",
                true,
                ["netpol", "networkpolicy"],
                None,
                Some("network-policy")
            ),
            Kind::HorizontalPodAutoscaler => info!(
                "autoscaling",
                "v2",
                "HorizontalPodAutoscaler",
                "horizontalpodautoscalers",
                true,
                ["hpa", "hpas"],
                None,
                Some("horizontal-pod-autoscalers")
            ),
            Kind::PodDisruptionBudget => info!(
                "policy",
                "v1",
                "PodDisruptionBudget",
                "poddisruptionbudgets",
                true,
                ["pdb", "pdbs"],
                None,
                Some("pod-disruption-budgets")
            ),
            Kind::ResourceQuota => info!(
                "",
                "v1",
                "ResourceQuota",
                "resourcequotas",
                true,
                ["quota", "resourcequota"],
                None,
                Some("resource-quotas")
            ),
            Kind::ControllerRevision => info!(
                "apps",
                "v1",
                "ControllerRevision",
                "controllerrevisions",
                true,
                ["controllerrevision"],
                None,
                None
            ),
            Kind::Role => {
                info!("rbac.authorization.k8s.io", "v1", "Role", "roles", true, ["role"], None, Some("roles"))
            }
            Kind::RoleBinding => info!(
                "rbac.authorization.k8s.io",
                "v1",
                "RoleBinding",
                "rolebindings",
                true,
                ["rolebinding"],
                None,
                Some("rolebindings")
            ),
            Kind::ClusterRole => info!(
                "rbac.authorization.k8s.io",
                "v1",
                "ClusterRole",
                "clusterroles",
                false,
                ["clusterrole"],
                None,
                Some("clusterroles")
            ),
            Kind::ClusterRoleBinding => info!(
                "rbac.authorization.k8s.io",
                "v1",
                "ClusterRoleBinding",
                "clusterrolebindings",
                false,
                ["clusterrolebinding"],
                None,
                Some("clusterRoleBindings")
            ),
            Kind::ValidatingWebhookConfiguration => info!(
                "admissionregistration.k8s.io",
                "v1",
                "ValidatingWebhookConfiguration",
                "validatingwebhookconfigurations",
                false,
                [],
                None,
                None
            ),
            Kind::MutatingWebhookConfiguration => info!(
                "admissionregistration.k8s.io",
                "v1",
                "MutatingWebhookConfiguration",
                "mutatingwebhookconfigurations",
                false,
                [],
                None,
                None
            ),
            Kind::PodMetrics => {
                info!("metrics.k8s.io", "v1beta1", "PodMetrics", "pods", true, [], None, None)
            }
            Kind::NodeMetrics => {
                info!("metrics.k8s.io", "v1beta1", "NodeMetrics", "nodes", false, [], None, None)
            }
        }
    }

    /// The kind an object names with its `kind` and `apiVersion` (`apiVersion` may be empty when
    /// the kind alone decides; the metrics kinds are never guessed).
    pub fn of(kind: &str, api_version: &str) -> Option<Kind> {
        Kind::ALL.iter().copied().find(|k| {
            k.info().kind == kind
                && (api_version.is_empty() || k.api_version() == api_version)
                && (!api_version.is_empty()
                    || !matches!(k, Kind::PodMetrics | Kind::NodeMetrics | Kind::EventV1))
        })
    }

    /// `apiVersion` of this kind's objects (`apps/v1`, `v1`).
    pub fn api_version(self) -> String {
        let i = self.info();
        if i.group.is_empty() { i.version.to_string() } else { format!("{}/{}", i.group, i.version) }
    }

    /// The name sleuth's own snapshot layout and users use: the plural, qualified by group
    /// where two kinds share a plural (`events.events.k8s.io`, `pods.metrics.k8s.io`).
    pub fn name(self) -> String {
        let i = self.info();
        match self {
            Kind::EventV1 | Kind::PodMetrics | Kind::NodeMetrics => format!("{}.{}", i.plural, i.group),
            _ => i.plural.to_string(),
        }
    }

    /// URL of the collection, across all namespaces or in one (the namespace percent-encoded as
    /// a path segment: whatever it holds, it stays one segment).
    pub fn collection_path(self, namespace: Option<&str>) -> String {
        let i = self.info();
        let base = if i.group.is_empty() {
            format!("/api/{}", i.version)
        } else {
            format!("/apis/{}/{}", i.group, i.version)
        };
        match namespace {
            Some(ns) if i.namespaced => format!("{base}/namespaces/{}/{}", path_segment(ns), i.plural),
            _ => format!("{base}/{}", i.plural),
        }
    }

    /// Whether a user-typed name (`po`, `Deployment`, `deployments.apps`) means this kind.
    fn matches(self, typed: &str) -> bool {
        let i = self.info();
        let typed = typed.to_ascii_lowercase();
        let bare = typed.split_once('.').map_or(typed.as_str(), |(b, _)| b);
        typed == self.name()
            || (typed == i.plural && !matches!(self, Kind::EventV1 | Kind::PodMetrics | Kind::NodeMetrics))
            || typed == i.kind.to_ascii_lowercase()
                && !matches!(self, Kind::EventV1 | Kind::PodMetrics | Kind::NodeMetrics)
            || i.aliases.contains(&typed.as_str())
            || (bare == i.plural && typed == format!("{}.{}", i.plural, i.group))
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.info().kind)
    }
}

/// A kind name no one knows.
#[derive(Debug, Clone, thiserror::Error)]
#[error("unknown kind {0:?} (try pods, deployments, services, nodes, events, …)")]
pub struct UnknownKind(pub String);

impl FromStr for Kind {
    type Err = UnknownKind;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Kind::ALL.iter().copied().find(|k| k.matches(s)).ok_or_else(|| UnknownKind(s.to_string()))
    }
}

/// Characters that would end or change a URL path segment: percent-encoded, so a name can
/// never reach another path of the API server (`a/../secrets`, `a?watch=1`, `a#x`, `%2F`).
const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b'?')
    .add(b'<')
    .add(b'>')
    .add(b'\\')
    .add(b'`')
    .add(b'{')
    .add(b'}');

/// One URL path segment, percent-encoded where it must be (Kubernetes names pass unchanged).
pub fn path_segment(s: &str) -> std::borrow::Cow<'_, str> {
    percent_encoding::utf8_percent_encode(s, SEGMENT).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_aliases_resolve() {
        for &k in Kind::ALL {
            assert_eq!(k.name().parse::<Kind>().unwrap(), k, "{k:?}");
        }
        assert_eq!("po".parse::<Kind>().unwrap(), Kind::Pod);
        assert_eq!("Deployment".parse::<Kind>().unwrap(), Kind::Deployment);
        assert_eq!("events".parse::<Kind>().unwrap(), Kind::Event);
        assert_eq!("deployments.apps".parse::<Kind>().unwrap(), Kind::Deployment);
        assert!("widgets".parse::<Kind>().is_err());
    }

    #[test]
    fn objects_name_their_kind_with_kind_and_api_version() {
        assert_eq!(Kind::of("Event", "v1"), Some(Kind::Event));
        assert_eq!(Kind::of("Event", "events.k8s.io/v1"), Some(Kind::EventV1));
        assert_eq!(Kind::of("Event", ""), Some(Kind::Event));
        assert_eq!(Kind::of("Deployment", ""), Some(Kind::Deployment));
        assert_eq!(Kind::of("Deployment", "extensions/v1beta1"), None);
        assert_eq!(Kind::of("Widget", "v1"), None);
    }

    #[test]
    fn paths_follow_the_api_layout() {
        assert_eq!(Kind::Pod.collection_path(Some("shop")), "/api/v1/namespaces/shop/pods");
        assert_eq!(Kind::Pod.collection_path(Some("kube-system")), "/api/v1/namespaces/kube-system/pods");
        assert_eq!(
            Kind::Pod.collection_path(Some("a/../b?x#y")),
            "/api/v1/namespaces/a%2F..%2Fb%3Fx%23y/pods"
        );
        assert_eq!(path_segment("system:controller:x"), "system:controller:x");
        assert_eq!(Kind::Node.collection_path(Some("shop")), "/api/v1/nodes");
        assert_eq!(Kind::Deployment.collection_path(None), "/apis/apps/v1/deployments");
        assert_eq!(Kind::EventV1.api_version(), "events.k8s.io/v1");
    }
}
