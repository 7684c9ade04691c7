//! DNS-1: the cluster DNS (CoreDNS or kube-dns in `kube-system`) has no ready pod, scaled to zero
//! or failing, so every name lookup in the cluster fails; the applications that log resolution
//! errors are its victims, not its cause.

use super::cause;
use super::finding::{Hit, ObjRef, Options, Severity, kubectl};
use super::index::Index;
use cluster::data::{ClusterData, LogText};

/// Whether a Deployment is the cluster's DNS.
fn is_cluster_dns(d: &k8s_openapi::api::apps::v1::Deployment) -> bool {
    d.metadata.namespace.as_deref() == Some("kube-system")
        && (matches!(d.metadata.name.as_deref(), Some("coredns" | "kube-dns"))
            || d.metadata.labels.as_ref().and_then(|l| l.get("k8s-app")).is_some_and(|a| a == "kube-dns"))
}

/// DNS-1.
pub fn run(data: &ClusterData, _index: &Index<'_>, _opts: &Options, out: &mut Vec<Hit>) {
    for d in data.objects.deployments.iter().filter(|d| is_cluster_dns(d)) {
        let desired = d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
        let ready = d.status.as_ref().and_then(|s| s.ready_replicas).unwrap_or(0);
        if ready > 0 {
            continue;
        }
        let name = d.metadata.name.clone().unwrap_or_default();
        let me = ObjRef::new("Deployment", "kube-system", &name);
        let mut evidence = vec![if desired == 0 {
            format!("Deployment kube-system/{name} is scaled to 0 replicas")
        } else {
            format!("Deployment kube-system/{name}: 0 of {desired} replicas ready")
        }];
        // The victims: containers whose logs say names do not resolve.
        let mut victims: Vec<String> = Vec::new();
        let mut victim_pods: Vec<ObjRef> = Vec::new();
        let mut example = None;
        for (key, text) in &data.logs {
            let LogText::Text(t) = text else { continue };
            if let Some(line) = t.lines().rev().find(|l| cause::log_line(l) == Some("network/dns-failure")) {
                let who = format!("{}/{}", key.namespace, key.pod);
                if !victims.contains(&who) {
                    victims.push(who);
                    victim_pods.push(ObjRef::new("Pod", &key.namespace, &key.pod));
                }
                example.get_or_insert_with(|| prompts::ellipsis(line.trim(), 200));
            }
        }
        if let Some(line) = &example {
            evidence.push(format!("{} pod(s) log name-resolution failures, e.g. {line}", victims.len()));
        }
        let mut hit = Hit::on(
            "DNS-1",
            Severity::Critical,
            me,
            format!("the cluster DNS ({name}) has no ready pod: name lookups fail cluster-wide"),
            evidence,
            kubectl("describe", "deployment", "kube-system", &name),
        )
        .cause("network/dns-failure")
        .detail("replicas", desired)
        .detail("ready", ready)
        .detail("failing_clients", &victims);
        // The failing pods, typed, for whoever links this failure to its victims.
        for pod in victim_pods {
            hit = hit.about(pod);
        }
        out.push(hit);
    }
}
