//! NetworkPolicy reachability (NP-3, NP-4): which pods the policies isolate, and whether any rule
//! still admits the traffic they need.
//!
//! - NP-3: pods that a Service fronts are isolated for ingress and no policy selecting them has a
//!   single ingress rule: nothing, not even the Service's clients, can reach them.
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
            let mut hit = Hit::new(
                "NP-3",
                Severity::Error,
                object.clone(),
                root.clone(),
                format!(
                    "NetworkPolicy {} isolates these pods for ingress and no rule admits any peer: Service {} cannot reach them",
                    names.join(", "),
                    fronted.join(", ")
                ),
                vec![format!("policies selecting the pod: {} (no ingress rules)", names.join(", "))],
                check.clone(),
            )
            .cause("network/network-policy-ingress")
            .detail("policies", &names)
            .detail("services", &fronted);
            for n in &names {
                hit = hit.about(ObjRef::new("NetworkPolicy", ns, n));
            }
            out.push(hit);
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
            .cause("network/network-policy-egress")
            .detail("policies", &names);
            if let Some(l) = line {
                hit = hit.detail("log_line", l);
            }
            for n in &names {
                hit = hit.about(ObjRef::new("NetworkPolicy", ns, n));
            }
            out.push(hit);
        }
    }
}
