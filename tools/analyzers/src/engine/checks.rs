//! What would confirm or refute a cause: read-only commands per cause family, and the
//! observation that would prove the hypothesis wrong.

use crate::rules::{Finding, ObjRef};

/// `-n ns` for namespaced objects.
fn ns_flag(o: &ObjRef) -> String {
    if o.namespace.is_empty() { String::new() } else { format!(" -n {}", o.namespace) }
}

fn first_pod(f: &Finding) -> Option<(String, String)> {
    f.pods.first().map(|p| match p.split_once('/') {
        Some((ns, name)) => (ns.to_string(), name.to_string()),
        None => (f.namespace.clone().unwrap_or_default(), p.clone()),
    })
}

/// Read-only commands that would confirm the cause `f` names, the finding's own hint first,
/// and what would refute it.
pub(super) fn checks(f: &Finding) -> (Vec<String>, String) {
    let o = f.root();
    let ns = ns_flag(&o);
    let kind = o.kind.to_lowercase();
    let pod = first_pod(f);
    let describe_pod = pod.as_ref().map(|(pns, p)| format!("kubectl describe pod {p} -n {pns}"));
    let family = f.cause.split('/').next().unwrap_or("");
    let mut confirm: Vec<String> = Vec::new();
    if !f.hint.is_empty() {
        confirm.push(f.hint.clone());
    }
    let refute = match family {
        "image" => {
            confirm.extend(describe_pod.clone());
            confirm.push(format!("kubectl get {kind} {}{ns} -o jsonpath='{{..image}}'", o.name));
            "the same image reference pulls elsewhere with the same credentials (then the node or its \
             network is at fault, not the image)"
        }
        "config" => {
            for r in f
                .objects
                .iter()
                .filter(|r| matches!(r.kind.as_str(), "ConfigMap" | "Secret" | "ServiceAccount"))
            {
                confirm.push(format!("kubectl get {} {}{}", r.kind.to_lowercase(), r.name, ns_flag(r)));
            }
            confirm.extend(describe_pod.clone());
            "the object the pod reads exists with every key it asks for, and the container still fails \
             the same way"
        }
        "runtime" | "probe" => {
            if let Some((pns, p)) = &pod {
                let c = f.containers.first().map(|c| format!(" -c {c}")).unwrap_or_default();
                confirm.push(format!("kubectl logs {p} -n {pns}{c} --previous --tail=50"));
            }
            confirm.extend(describe_pod.clone());
            if family == "probe" {
                "the container's own log shows it serving normally while the probe fails (then the probe, \
                 not the application, is misconfigured), or restarts continue with the probe removed"
            } else if f.cause == "runtime/oom-killed" {
                "the last termination reason is not OOMKilled, or memory stayed well under the limit \
                 before the restart"
            } else {
                "the previous container's log ends without an error and its exit code is 0"
            }
        }
        "scheduling" => {
            confirm.extend(describe_pod.clone());
            confirm.push("kubectl get nodes -o wide".into());
            "a Ready, schedulable node has the capacity and labels the pod asks for and tolerates its taints"
        }
        "node" => {
            let node = f.node.clone().unwrap_or_else(|| o.name.clone());
            if o.kind == "Node" {
                confirm.push(format!("kubectl describe node {node}"));
                confirm.push(format!(
                    "kubectl get events -A --field-selector involvedObject.kind=Node,involvedObject.name={node}"
                ));
                "the node's kubelet kept posting Ready status and no memory or disk pressure was recorded \
                 during the window"
            } else {
                confirm.extend(describe_pod.clone());
                confirm.push(format!("kubectl top pod{ns} --sort-by=memory"));
                "the workload's memory stays flat, or the node's pressure began before it was scheduled there"
            }
        }
        "network" => {
            if o.kind == "Service" {
                confirm
                    .push(format!("kubectl get endpointslices{ns} -l kubernetes.io/service-name={}", o.name));
            }
            confirm.push(format!("kubectl get networkpolicy{ns}"));
            "the Service lists ready endpoints on the right port and a client in the same namespace \
             connects"
        }
        "storage" => {
            confirm.push(format!("kubectl get events{ns} --field-selector involvedObject.name={}", o.name));
            confirm.push("kubectl get storageclass".into());
            "the claim is Bound and its pods mount it"
        }
        "admission" => {
            confirm.push(format!("kubectl get events{ns} --field-selector reason=FailedCreate"));
            if f.cause == "admission/quota-exceeded" {
                confirm.push(format!("kubectl describe resourcequota{ns}"));
            }
            "the controller creates pods again without a FailedCreate event"
        }
        "rollout" => {
            confirm.push(format!("kubectl rollout status {kind}/{}{ns} --timeout=1s", o.name));
            confirm.push(format!("kubectl rollout history {kind}/{}{ns}", o.name));
            "the previous revision fails the same way (then the rollout is not the cause)"
        }
        _ => {
            confirm.extend(describe_pod.clone());
            "another finding explains the same symptoms with more evidence"
        }
    };
    confirm.dedup();
    confirm.truncate(3);
    (confirm, refute.to_string())
}
