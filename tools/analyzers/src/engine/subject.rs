//! Which objects a question names, and which findings are about them.

use std::collections::BTreeSet;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::rules::{Finding, Index, ObjRef, Report, Severity};
use cluster::data::ClusterData;

/// Every object a name can refer to, as (kind, metadata): workloads, their Services and
/// Ingresses, claims, nodes, and pods (which stand for their workload).
fn candidates(data: &ClusterData) -> Vec<(&'static str, &ObjectMeta)> {
    let o = &data.objects;
    let mut v: Vec<(&'static str, &ObjectMeta)> = Vec::new();
    v.extend(o.deployments.iter().map(|x| ("Deployment", &x.metadata)));
    v.extend(o.stateful_sets.iter().map(|x| ("StatefulSet", &x.metadata)));
    v.extend(o.daemon_sets.iter().map(|x| ("DaemonSet", &x.metadata)));
    v.extend(o.cron_jobs.iter().map(|x| ("CronJob", &x.metadata)));
    v.extend(o.jobs.iter().map(|x| ("Job", &x.metadata)));
    v.extend(o.services.iter().map(|x| ("Service", &x.metadata)));
    v.extend(o.ingresses.iter().map(|x| ("Ingress", &x.metadata)));
    v.extend(o.pvcs.iter().map(|x| ("PersistentVolumeClaim", &x.metadata)));
    v.extend(o.nodes.iter().map(|x| ("Node", &x.metadata)));
    v.extend(o.pods.iter().map(|x| ("Pod", &x.metadata)));
    v
}

/// Resolves names to objects: exact names first, else a prefix that is unique up to the
/// dash-separated suffixes of one workload (`prometheus` → `prometheus-server` and its Service),
/// else a node's first DNS label (`ip-10-0-3-17`). Pods stand for their root owner. Returns the
/// objects and the names that matched nothing.
pub fn resolve(
    data: &ClusterData,
    idx: &Index,
    names: &[String],
    namespace: Option<&str>,
) -> (Vec<ObjRef>, Vec<String>) {
    let all = candidates(data);
    let in_ns = |m: &ObjectMeta| namespace.is_none_or(|ns| m.namespace.as_deref().is_none_or(|n| n == ns));
    let mut found: Vec<ObjRef> = Vec::new();
    let mut unresolved = Vec::new();
    for name in names {
        let n = name.to_lowercase();
        let name_of = |m: &ObjectMeta| m.name.as_deref().unwrap_or("").to_lowercase();
        let exact: Vec<&(&str, &ObjectMeta)> =
            all.iter().filter(|(_, m)| in_ns(m) && name_of(m) == n).collect();
        let hits: Vec<&(&str, &ObjectMeta)> = if exact.is_empty() {
            let prefixed: Vec<&(&str, &ObjectMeta)> = all
                .iter()
                .filter(|(k, m)| {
                    in_ns(m) && *k != "Pod" && {
                        let full = name_of(m);
                        full.starts_with(&format!("{n}-"))
                            || (*k == "Node" && full.starts_with(&format!("{n}.")))
                    }
                })
                .collect();
            // Unique up to one base name: `prometheus` may mean `prometheus-server` (its
            // StatefulSet and Service), not both `prometheus-server` and `prometheus-pushgateway`.
            let names: BTreeSet<String> = prefixed.iter().map(|(_, m)| name_of(m)).collect();
            let shortest = names.iter().min_by_key(|x| x.len()).cloned().unwrap_or_default();
            if names.iter().all(|x| *x == shortest || x.starts_with(&format!("{shortest}-"))) {
                prefixed.into_iter().filter(|(_, m)| name_of(m) == shortest).collect()
            } else {
                Vec::new()
            }
        } else {
            exact
        };
        if hits.is_empty() {
            unresolved.push(name.clone());
        }
        for (kind, m) in hits {
            let r = idx.root(kind, m);
            if !found.contains(&r) {
                found.push(r);
            }
        }
    }
    (found, unresolved)
}

/// Whether a finding is worth telling about: warnings and worse, and the symptoms stepped down
/// to info because another finding explains them (they still say what the user sees).
pub(super) fn notable(f: &Finding) -> bool {
    (f.severity >= Severity::Warning || !f.explained_by.is_empty()) && !f.cause.starts_with("hygiene/")
}

/// The findings about the subject: about one of its objects, naming one, on a node it names,
/// or about the workloads behind a Service it names. With no objects, every notable finding
/// in the namespace (or the cluster).
pub(super) fn findings_about<'a>(
    data: &ClusterData,
    idx: &Index,
    report: &'a Report,
    objects: &[ObjRef],
    namespace: Option<&str>,
) -> Vec<&'a Finding> {
    let in_ns = |f: &Finding| namespace.is_none_or(|ns| f.namespace.as_deref().is_none_or(|n| n == ns));
    if objects.is_empty() {
        return report.findings.iter().filter(|f| notable(f) && in_ns(f)).collect();
    }
    let mut subject: BTreeSet<ObjRef> = objects.iter().cloned().collect();
    for o in objects.iter().filter(|o| o.kind == "Service") {
        for p in cluster::query::service_pods(data, &o.namespace, &o.name) {
            subject.insert(idx.root("Pod", &p.metadata));
        }
    }
    let nodes: Vec<&str> = objects.iter().filter(|o| o.kind == "Node").map(|o| o.name.as_str()).collect();
    report
        .findings
        .iter()
        .filter(|f| notable(f))
        .filter(|f| {
            subject.contains(&f.root())
                || f.objects.iter().any(|o| subject.contains(o))
                || (f.kind == "Node" && nodes.contains(&f.name.as_str()))
        })
        .collect()
}
