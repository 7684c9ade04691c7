//! NetworkPolicy reachability (NP-3, NP-4): which pods the policies isolate, and whether any rule
//! still admits the traffic they need.
//!
//! - NP-3: pods that a Service fronts are isolated for ingress and no policy selecting them has a
//!   single ingress rule (nothing, not even the Service's clients, can reach them), or an Ingress
//!   routes to them and no rule admits the ingress controller. Whether the isolation bites depends
//!   on the network plugin enforcing policies, so a client's failing connection in the captured
//!   logs is what makes it an error; a deliberate default-deny posture without one is info.
//! - NP-4: pods isolated for egress with no egress rule that admits port 53: they cannot resolve
//!   names, which applications report as "no such host" or "Temporary failure in name
//!   resolution" — when their logs say so, that is the proof.

use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::api::networking::v1::NetworkPolicy;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::cause;
use super::finding::{Hit, ObjRef, Options, Severity, kubectl};
use super::index::Index;
use cluster::data::{ClusterData, LogText};
use cluster::selector::Selector;

fn selects(p: &NetworkPolicy, pod: &Pod) -> bool {
    let sel = p.spec.as_ref().and_then(|s| s.pod_selector.clone()).unwrap_or_default();
    Selector::from_label_selector(&sel).matches(pod.metadata.labels.as_ref())
}

/// The directions a policy isolates: `policyTypes`, or Ingress (plus Egress when it has egress
/// rules) when they are not given, as the API server defaults them.
fn isolates(p: &NetworkPolicy, direction: &str) -> bool {
    let spec = p.spec.clone().unwrap_or_default();
    match &spec.policy_types {
        Some(t) if !t.is_empty() => t.iter().any(|x| x == direction),
        _ => direction == "Ingress" || spec.egress.as_ref().is_some_and(|e| !e.is_empty()),
    }
}

/// Whether any egress rule admits DNS (port 53, or every port).
fn allows_dns(p: &NetworkPolicy) -> bool {
    p.spec.iter().flat_map(|s| s.egress.iter().flatten()).any(|rule| match &rule.ports {
        None => true,
        Some(ports) if ports.is_empty() => true,
        Some(ports) => ports.iter().any(|port| match &port.port {
            None => true,
            Some(IntOrString::Int(n)) => *n == 53 || port.end_port.is_some_and(|e| *n <= 53 && 53 <= e),
            Some(IntOrString::String(s)) => s.contains("dns"),
        }),
    })
}

fn name(p: &NetworkPolicy) -> String {
    p.metadata.name.clone().unwrap_or_default()
}

/// The pod's log line that shows names failing to resolve, if it logged one.
fn dns_line(data: &ClusterData, pod: &Pod) -> Option<String> {
    let ns = pod.metadata.namespace.as_deref().unwrap_or("");
    let pn = pod.metadata.name.as_deref().unwrap_or("");
    data.logs.iter().filter(|(k, _)| k.namespace == ns && k.pod == pn).find_map(|(_, t)| match t {
        LogText::Text(t) => t
            .lines()
            .rev()
            .find(|l| cause::log_line(l) == Some("network/dns-failure"))
            .map(|l| prompts::ellipsis(l.trim(), 200)),
        LogText::Unavailable(_) => None,
    })
}

/// NP-3 and NP-4 over every pod that a policy selects.
pub fn run(data: &ClusterData, index: &Index<'_>, _opts: &Options, out: &mut Vec<Hit>) {
    let o = &data.objects;
    if o.network_policies.is_empty() {
        return;
    }
    // Every pod behind the same Services asks the logs the same question: scan them once.
    let mut proofs: std::collections::HashMap<(String, Vec<String>), Option<String>> =
        std::collections::HashMap::new();
    let mut proof_for = |ns: &str, services: &[String]| {
        proofs
            .entry((ns.to_string(), services.to_vec()))
            .or_insert_with(|| client_failure(data, ns, services))
            .clone()
    };
    for pod in &o.pods {
        if pod
            .status
            .as_ref()
            .and_then(|s| s.phase.as_deref())
            .is_some_and(|p| p == "Succeeded" || p == "Failed")
        {
            continue;
        }
        let ns = pod.metadata.namespace.as_deref().unwrap_or("");
        let pn = pod.metadata.name.as_deref().unwrap_or("");
        let policies: Vec<&NetworkPolicy> = o
            .network_policies
            .iter()
            .filter(|p| p.metadata.namespace.as_deref() == Some(ns) && selects(p, pod))
            .collect();
        if policies.is_empty() {
            continue;
        }
        let object = ObjRef::new("Pod", ns, pn);
        let root = index.root("Pod", &pod.metadata);
        let check = kubectl("describe", "networkpolicy", ns, &name(policies[0]));
        let ingress: Vec<&&NetworkPolicy> = policies.iter().filter(|p| isolates(p, "Ingress")).collect();
        let fronted: Vec<String> = o
            .services
            .iter()
            .filter(|s| s.metadata.namespace.as_deref() == Some(ns))
            .filter(|s| {
                s.spec.as_ref().and_then(|x| x.selector.as_ref()).is_some_and(|sel| {
                    !sel.is_empty() && Selector::from_map(sel).matches(pod.metadata.labels.as_ref())
                })
            })
            .filter_map(|s| s.metadata.name.clone())
            .collect();
        if !ingress.is_empty()
            && !fronted.is_empty()
            && ingress
                .iter()
                .all(|p| p.spec.as_ref().and_then(|s| s.ingress.as_ref()).is_none_or(Vec::is_empty))
        {
            let names: Vec<String> = ingress.iter().map(|p| name(p)).collect();
            let proof = proof_for(ns, &fronted);
            // A namespace that denies by default and admits some pods elsewhere has chosen its
            // posture; without a failing client, isolation alone is worth knowing, not alarming.
            let posture = o.network_policies.iter().any(|p| {
                p.metadata.namespace.as_deref() == Some(ns)
                    && p.spec.as_ref().and_then(|s| s.ingress.as_ref()).is_some_and(|r| !r.is_empty())
            });
            let severity = match (&proof, posture) {
                (Some(_), _) => Severity::Error,
                (None, false) => Severity::Warning,
                (None, true) => Severity::Info,
            };
            let mut ev = vec![format!("policies selecting the pod: {} (no ingress rules)", names.join(", "))];
            ev.extend(proof.iter().map(|l| format!("a client fails to reach it: {l}")));
            let hit = Hit::new(
                "NP-3",
                severity,
                object.clone(),
                root.clone(),
                format!(
                    "NetworkPolicy {} isolates these pods for ingress and no rule admits any peer: Service {} cannot reach them",
                    names.join(", "),
                    fronted.join(", ")
                ),
                ev,
                check.clone(),
            )
            .cause("network/network-policy-ingress")
            .detail("services", &fronted);
            out.push(about_policies(hit, ns, &names));
        }
        // NP-3 for pods an Ingress routes to: the ingress controller's pods must be admitted.
        if !ingress.is_empty()
            && ingress
                .iter()
                .any(|p| p.spec.as_ref().and_then(|s| s.ingress.as_ref()).is_some_and(|r| !r.is_empty()))
            && routed(data, ns, &fronted)
        {
            let controllers = ingress_controllers(data);
            if let Some(ctrl) = controllers.first()
                && !controllers.iter().any(|c| ingress.iter().any(|p| admits(data, p, c)))
            {
                let names: Vec<String> = ingress.iter().map(|p| name(p)).collect();
                let who = format!(
                    "{}/{}",
                    ctrl.metadata.namespace.as_deref().unwrap_or(""),
                    ctrl.metadata.name.as_deref().unwrap_or("")
                );
                let proof = proof_for(ns, &fronted);
                let mut ev = vec![format!(
                    "policies selecting the pod: {}; none has a rule whose peers include pod {who}",
                    names.join(", ")
                )];
                ev.extend(proof.iter().map(|l| format!("a client fails to reach it: {l}")));
                let hit = Hit::new(
                    "NP-3",
                    if proof.is_some() { Severity::Error } else { Severity::Warning },
                    object.clone(),
                    root.clone(),
                    format!(
                        "NetworkPolicy {} admits no traffic from the ingress controller ({who}), so the Ingress routes to Service {} fail",
                        names.join(", "),
                        fronted.join(", ")
                    ),
                    ev,
                    check.clone(),
                )
                .cause("network/network-policy-ingress")
                .detail("blocked_peer", &who);
                out.push(about_policies(hit, ns, &names));
            }
        }
        let egress: Vec<&&NetworkPolicy> = policies.iter().filter(|p| isolates(p, "Egress")).collect();
        if !egress.is_empty() && !egress.iter().any(|p| allows_dns(p)) {
            let names: Vec<String> = egress.iter().map(|p| name(p)).collect();
            let line = dns_line(data, pod);
            let mut ev = vec![format!(
                "egress policies selecting the pod: {} (none admits port 53)",
                names.join(", ")
            )];
            if let Some(l) = &line {
                ev.push(format!("log: {l}"));
            }
            let mut hit = Hit::new(
                "NP-4",
                if line.is_some() { Severity::Error } else { Severity::Warning },
                object.clone(),
                root.clone(),
                format!("NetworkPolicy {} blocks DNS: no egress rule admits port 53", names.join(", ")),
                ev,
                check.clone(),
            )
            .cause("network/network-policy-egress");
            if let Some(l) = line {
                hit = hit.detail("log_line", l);
            }
            out.push(about_policies(hit, ns, &names));
        }
    }
}

/// The policies a finding is about, as typed references and in its detail.
fn about_policies(mut hit: Hit, ns: &str, names: &[String]) -> Hit {
    for n in names {
        hit = hit.about(ObjRef::new("NetworkPolicy", ns, n));
    }
    hit.detail("policies", names)
}

/// A log line of any captured container that names one of the Services (as a host) and says
/// the connection failed: proof that the isolation bites, whatever the network plugin.
fn client_failure(data: &ClusterData, ns: &str, services: &[String]) -> Option<String> {
    const FAILED: &[&str] = &[
        "timed out",
        "timeout",
        "connection refused",
        "connection reset",
        "no route to host",
        "context deadline exceeded",
        " 502",
        " 503",
        " 504",
    ];
    // A Service's name as clients write it: its DNS name, a bare host in a URL, and ingress-nginx's
    // upstream name (`[ns-svc-port]`).
    let hosts: Vec<String> = services
        .iter()
        .flat_map(|s| {
            [
                format!("{s}.{ns}"),
                format!("//{s}:"),
                format!("//{s}/"),
                format!(" {s}:"),
                format!("[{ns}-{s}-"),
            ]
        })
        .collect();
    data.logs.values().find_map(|t| match t {
        LogText::Text(t) => t
            .lines()
            .rev()
            .find(|l| {
                let lower = l.to_ascii_lowercase();
                hosts.iter().any(|h| lower.contains(h.as_str())) && FAILED.iter().any(|f| lower.contains(f))
            })
            .map(|l| prompts::ellipsis(l.trim(), 200)),
        LogText::Unavailable(_) => None,
    })
}

/// Whether an Ingress routes to one of these Services in `ns`.
fn routed(data: &ClusterData, ns: &str, services: &[String]) -> bool {
    data.objects.ingresses.iter().filter(|i| i.metadata.namespace.as_deref() == Some(ns)).any(|i| {
        let spec = i.spec.clone().unwrap_or_default();
        let default = spec.default_backend.and_then(|b| b.service).map(|s| s.name);
        let paths = spec
            .rules
            .into_iter()
            .flatten()
            .flat_map(|r| r.http.into_iter().flat_map(|h| h.paths))
            .filter_map(|p| p.backend.service.map(|s| s.name));
        default.into_iter().chain(paths).any(|n| services.contains(&n))
    })
}

/// Pods of the well-known ingress controllers, by their standard labels.
fn ingress_controllers(data: &ClusterData) -> Vec<&Pod> {
    const NAMES: &[&str] =
        &["ingress-nginx", "traefik", "haproxy-ingress", "contour", "envoy", "kong", "nginx-ingress"];
    data.objects
        .pods
        .iter()
        .filter(|p| {
            p.metadata.labels.as_ref().is_some_and(|l| {
                ["app.kubernetes.io/name", "app"]
                    .iter()
                    .any(|k| l.get(*k).is_some_and(|v| NAMES.contains(&v.as_str())))
            })
        })
        .collect()
}

/// Whether some ingress rule of `policy` admits traffic from `peer` (ports aside); an `ipBlock`
/// peer counts as admitting, since pod addresses cannot be judged from a capture.
fn admits(data: &ClusterData, policy: &NetworkPolicy, peer: &Pod) -> bool {
    let policy_ns = policy.metadata.namespace.as_deref().unwrap_or("");
    let peer_ns = peer.metadata.namespace.as_deref().unwrap_or("");
    let ns_labels = data
        .objects
        .namespaces
        .iter()
        .find(|n| n.metadata.name.as_deref() == Some(peer_ns))
        .and_then(|n| n.metadata.labels.clone())
        .unwrap_or_else(|| [("kubernetes.io/metadata.name".to_string(), peer_ns.to_string())].into());
    policy.spec.iter().flat_map(|s| s.ingress.iter().flatten()).any(|rule| match &rule.from {
        None => true,
        Some(from) if from.is_empty() => true,
        Some(from) => from.iter().any(|f| {
            if f.ip_block.is_some() {
                return true;
            }
            let ns_ok = match &f.namespace_selector {
                Some(sel) => Selector::from_label_selector(sel).matches(Some(&ns_labels)),
                None => peer_ns == policy_ns,
            };
            let pod_ok = f
                .pod_selector
                .as_ref()
                .is_none_or(|sel| Selector::from_label_selector(sel).matches(peer.metadata.labels.as_ref()));
            ns_ok && pod_ok
        }),
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::tests::capture;
    use super::*;

    fn objects(from: &serde_json::Value) -> Vec<serde_json::Value> {
        vec![
            json!({"kind": "Pod", "metadata": {"name": "ctrl", "namespace": "ingress-nginx", "labels": {"app.kubernetes.io/name": "ingress-nginx"}}, "spec": {"containers": [{"name": "c", "image": "c"}]}, "status": {"phase": "Running"}}),
            json!({"kind": "Pod", "metadata": {"name": "api-1", "namespace": "shop", "labels": {"app": "api"}}, "spec": {"containers": [{"name": "api", "image": "api"}]}, "status": {"phase": "Running"}}),
            json!({"kind": "Service", "metadata": {"name": "api", "namespace": "shop"}, "spec": {"selector": {"app": "api"}, "ports": [{"port": 80}]}}),
            json!({"kind": "Ingress", "metadata": {"name": "public", "namespace": "shop"}, "spec": {"rules": [{"http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "api", "port": {"number": 80}}}}]}}]}}),
            json!({"kind": "NetworkPolicy", "metadata": {"name": "p", "namespace": "shop"}, "spec": {"podSelector": {"matchLabels": {"app": "api"}}, "policyTypes": ["Ingress"], "ingress": [{"from": from}]}}),
        ]
    }

    fn np3(from: &serde_json::Value) -> usize {
        let data = capture(&objects(from), &[]);
        let index = Index::build(&data);
        let mut out = Vec::new();
        run(&data, &index, &Options::default(), &mut out);
        out.iter().filter(|h| h.rule == "NP-3").count()
    }

    #[test]
    fn the_ingress_controller_must_be_among_the_admitted_peers() {
        assert_eq!(np3(&json!([{"podSelector": {"matchLabels": {"app": "frontend"}}}])), 1);
        assert_eq!(
            np3(
                &json!([{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}}}])
            ),
            0
        );
        assert_eq!(np3(&json!([{"ipBlock": {"cidr": "10.0.0.0/8"}}])), 0);
    }
}
