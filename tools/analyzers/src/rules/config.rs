//! ConfigMap rules (CM-1 … CM-3) and Security rules (SEC-1 … SEC-4).

use std::collections::HashSet;

use k8s_openapi::api::core::v1::PodSpec;

use super::finding::{Hit, ObjRef, Options, Severity, kubectl};
use super::index::Index;
use cluster::data::ClusterData;
use cluster::sanitize::CONFIG_MAP_BYTES;
use cluster::spec::{RefKind, references};

/// Labels that mark ConfigMaps consumed by something other than pods (k8sgpt's list).
const EXEMPT_LABELS: &[&str] =
    &["grafana_dashboard", "grafana_datasource", "prometheus_rule", "fluentd_config"];

fn config_maps_used(spec: &PodSpec, out: &mut HashSet<String>) {
    out.extend(references(spec).into_iter().filter(|r| r.kind == RefKind::ConfigMap).map(|r| r.name));
}

/// Every ConfigMap and Security rule.
pub fn run(data: &ClusterData, index: &Index<'_>, _opts: &Options, out: &mut Vec<Hit>) {
    let o = &data.objects;
    for cm in &o.config_maps {
        let ns = cm.metadata.namespace.as_deref().unwrap_or("");
        let name = cm.metadata.name.as_deref().unwrap_or("");
        let labels = cm.metadata.labels.clone().unwrap_or_default();
        let annotations = cm.metadata.annotations.clone().unwrap_or_default();
        if annotations.get("k8sgpt.ai/skip-usage-check").map(String::as_str) == Some("true") {
            continue;
        }
        let me = ObjRef::new("ConfigMap", ns, name);
        let hint = kubectl("describe", "configmap", ns, name);
        let mk = |rule, severity, message: String, evidence: Vec<String>| {
            Hit::on(rule, severity, me.clone(), message, evidence, hint.clone())
        };
        let exempt = EXEMPT_LABELS.iter().any(|l| labels.contains_key(*l))
            || labels.get("k8sgpt.ai/dynamically-loaded").map(String::as_str) == Some("true");
        // The cluster's own CA bundle is read by clients, not mounted by name.
        let system = name == "kube-root-ca.crt";
        if !exempt && !system && data.captured.contains(&cluster::kind::Kind::Pod) {
            let mut used = HashSet::new();
            for p in index.pods_by_ns.get(ns).into_iter().flatten() {
                if let Some(s) = &p.spec {
                    config_maps_used(s, &mut used);
                }
            }
            if !used.contains(name) {
                out.push(mk(
                    "CM-1",
                    Severity::Info,
                    format!("ConfigMap is not used by any pod in namespace {ns}"),
                    vec!["no volume, projected source, envFrom or env reference".into()],
                ));
            }
        }
        if cm.data.as_ref().is_none_or(std::collections::BTreeMap::is_empty)
            && cm.binary_data.as_ref().is_none_or(std::collections::BTreeMap::is_empty)
        {
            out.push(mk(
                "CM-2",
                Severity::Info,
                "ConfigMap is empty".into(),
                vec!["no data, no binaryData".into()],
            ));
        }
        let bytes: usize = annotations.get(CONFIG_MAP_BYTES).and_then(|b| b.parse().ok()).unwrap_or(0);
        if bytes > 1024 * 1024 {
            out.push(mk(
                "CM-3",
                Severity::Warning,
                format!(
                    "ConfigMap is larger than 1 MiB ({bytes} bytes): the API server rejects updates past that"
                ),
                vec![format!("data size {bytes} bytes")],
            ));
        }
    }

    // SEC-1: pods under the default service account, grouped by owner.
    let default_sa: HashSet<&str> = o
        .service_accounts
        .iter()
        .filter(|s| s.metadata.name.as_deref() == Some("default"))
        .filter_map(|s| s.metadata.namespace.as_deref())
        .collect();
    for p in &o.pods {
        let ns = p.metadata.namespace.as_deref().unwrap_or("");
        let name = p.metadata.name.as_deref().unwrap_or("");
        let Some(spec) = &p.spec else { continue };
        let obj = ObjRef::new("Pod", ns, name);
        let root = index.root("Pod", &p.metadata);
        let mk = |rule, severity, message: String, evidence: Vec<String>, hint: String| {
            Hit::new(rule, severity, obj.clone(), root.clone(), message, evidence, hint)
        };
        let sa = spec.service_account_name.as_deref().unwrap_or("default");
        if sa == "default" && default_sa.contains(ns) {
            out.push(mk(
                "SEC-1",
                Severity::Info,
                "pods run under the default service account".into(),
                vec!["spec.serviceAccountName=default".into()],
                format!("kubectl get pod {name} -n {ns} -o jsonpath='{{.spec.serviceAccountName}}'"),
            ));
        }
        // Node agents (kube-proxy, the CNI, CSI drivers) run privileged by design: worth knowing,
        // never a warning.
        let platform = ns == "kube-system"
            || spec.priority_class_name.as_deref().is_some_and(|p| p.starts_with("system-"));
        for c in spec.containers.iter().chain(spec.init_containers.iter().flatten()) {
            if c.security_context.as_ref().and_then(|s| s.privileged).unwrap_or(false) {
                out.push(mk(
                    "SEC-3",
                    if platform { Severity::Info } else { Severity::Warning },
                    format!("container {} runs privileged", c.name),
                    vec![format!("container {}: securityContext.privileged=true", c.name)],
                    format!("kubectl get pod {name} -n {ns} -o yaml"),
                ));
            }
        }
        // SEC-4: the API server defaults securityContext to {}, so judge what it sets (R10).
        let pod_sc = spec.security_context.clone().unwrap_or_default();
        let pod_level = pod_sc.run_as_non_root.is_some()
            || pod_sc.run_as_user.is_some()
            || pod_sc.seccomp_profile.is_some();
        let container_level = spec.containers.iter().all(|c| {
            c.security_context.as_ref().is_some_and(|s| {
                s.run_as_non_root.is_some() || s.run_as_user.is_some() || s.seccomp_profile.is_some()
            })
        });
        if !pod_level && !container_level {
            out.push(mk(
                "SEC-4",
                Severity::Info,
                "pods define no security context (runAsNonRoot, runAsUser or seccompProfile)".into(),
                vec!["securityContext sets none of runAsNonRoot, runAsUser, seccompProfile".into()],
                format!("kubectl get pod {name} -n {ns} -o jsonpath='{{.spec.securityContext}}'"),
            ));
        }
    }

    // SEC-2: wildcard grants, resolving Roles and ClusterRoles from RoleBindings and
    // ClusterRoleBindings (R10).
    let wildcard_rules = |rules: Option<&Vec<k8s_openapi::api::rbac::v1::PolicyRule>>| -> Vec<String> {
        rules
            .into_iter()
            .flatten()
            .filter(|r| r.verbs.iter().any(|v| v == "*") || r.resources.iter().flatten().any(|x| x == "*"))
            .map(|r| {
                format!(
                    "verbs [{}] on resources [{}]",
                    r.verbs.join(","),
                    r.resources.clone().unwrap_or_default().join(",")
                )
            })
            .collect()
    };
    let mut bindings: Vec<(ObjRef, String, String, String)> = o
        .role_bindings
        .iter()
        .map(|b| {
            (
                ObjRef::new(
                    "RoleBinding",
                    b.metadata.namespace.as_deref().unwrap_or(""),
                    b.metadata.name.as_deref().unwrap_or(""),
                ),
                b.role_ref.kind.clone(),
                b.role_ref.name.clone(),
                b.metadata.namespace.clone().unwrap_or_default(),
            )
        })
        .collect();
    if !index.scoped {
        bindings.extend(o.cluster_role_bindings.iter().map(|b| {
            (
                ObjRef::new("ClusterRoleBinding", "", b.metadata.name.as_deref().unwrap_or("")),
                b.role_ref.kind.clone(),
                b.role_ref.name.clone(),
                String::new(),
            )
        }));
    }
    for (me, role_kind, role_name, ns) in bindings {
        // Built-in system bindings grant wildcards by design.
        if role_name == "cluster-admin" && me.name.starts_with("system:") || me.name.starts_with("system:") {
            continue;
        }
        let rules = if role_kind == "Role" {
            o.roles
                .iter()
                .find(|r| {
                    r.metadata.namespace.as_deref() == Some(ns.as_str())
                        && r.metadata.name.as_deref() == Some(role_name.as_str())
                })
                .and_then(|r| r.rules.as_ref())
        } else {
            o.cluster_roles
                .iter()
                .find(|r| r.metadata.name.as_deref() == Some(role_name.as_str()))
                .and_then(|r| r.rules.as_ref())
        };
        let wild = wildcard_rules(rules);
        if !wild.is_empty() {
            let hint = kubectl("describe", &me.kind, &me.namespace, &me.name);
            out.push(Hit::on(
                "SEC-2",
                Severity::Warning,
                me,
                format!("binding grants wildcard permissions through {role_kind} {role_name}"),
                wild,
                hint,
            ));
        }
    }
}
