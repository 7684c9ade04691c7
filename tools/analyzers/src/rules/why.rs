//! Why a pod fails: the cause tag and the facts that prove it, from everything the capture
//! holds about the pod — its spec, its containers' states, its events (the most specific one,
//! not just the newest), its logs, and the nodes it could have run on.
//!
//! Each function returns a [`Why`] that a pod rule attaches to its hit; the rules decide *that*
//! something is wrong, these decide *what*.

use k8s_openapi::api::core::v1::{Container, ContainerStateTerminated, Node, Pod, PodSpec, Probe};
use serde_json::{Value, json};

use super::cause;
use super::finding::{ObjRef, Why};
use super::index::{Index, event_line};
use cluster::data::{ClusterData, LogKey, LogText};
use cluster::events::EventRecord;
use cluster::kind::Kind;

/// Longest log line quoted as proof.
const LOG_LINE_MAX: usize = 240;

fn pod_events<'a>(index: &'a Index<'_>, pod: &Pod) -> Vec<&'a EventRecord> {
    let m = &pod.metadata;
    index.events_for(
        "Pod",
        m.namespace.as_deref().unwrap_or(""),
        m.name.as_deref().unwrap_or(""),
        m.uid.as_deref(),
    )
}

/// Events of `reasons` about the pod whose message mentions the container (or any when the
/// message names none), newest first.
fn container_events<'a>(
    index: &'a Index<'_>,
    pod: &Pod,
    container: &str,
    reasons: &[&str],
) -> Vec<&'a EventRecord> {
    let mut v: Vec<&EventRecord> = pod_events(index, pod)
        .into_iter()
        .filter(|e| reasons.contains(&e.reason.as_str()))
        .filter(|e| !e.message.contains("container ") || e.message.contains(container))
        .collect();
    v.sort_by_key(|e| std::cmp::Reverse(e.last));
    v
}

/// Why an image could not be pulled: the event that says why (not found, 401/403, no such
/// host), which is often older than the newest "Error: ImagePullBackOff".
pub(super) fn image(
    index: &Index<'_>,
    pod: &Pod,
    container: &str,
    reason: &str,
    message: &str,
    now: jiff::Timestamp,
) -> Why {
    if reason == "InvalidImageName" {
        return Why::tag("image/invalid-image-name");
    }
    let events = container_events(index, pod, container, &["Failed", "ErrImagePull", "BackOff", "Pulling"]);
    let telling = events.iter().find_map(|e| cause::image_pull(&e.message).map(|t| (t, *e)));
    let mut why = match (telling, cause::image_pull(message)) {
        (Some((tag, e)), _) => {
            let mut w = Why::tag(tag);
            w.evidence.push(event_line(e, now));
            w
        }
        (None, Some(tag)) => Why::tag(tag),
        // Kubernetes said only "back-off pulling": the capture cannot tell which of the three.
        (None, None) => Why::tag("unknown/insufficient-evidence").fact(
            "candidates",
            ["image/image-not-found", "image/registry-unauthorized", "image/registry-unreachable"],
        ),
    };
    let spec = pod.spec.as_ref();
    let image = spec
        .and_then(|s| {
            s.containers.iter().chain(s.init_containers.iter().flatten()).find(|c| c.name == container)
        })
        .and_then(|c| c.image.clone())
        .unwrap_or_default();
    why = why.fact("image", &image);
    if why.tag == Some("image/registry-unauthorized") {
        let secrets: Vec<String> = spec
            .into_iter()
            .flat_map(|s| s.image_pull_secrets.iter().flatten())
            .map(|r| r.name.clone())
            .collect();
        why = why.fact("image_pull_secrets", &secrets);
        if secrets.is_empty() {
            why.evidence.push("the pod names no imagePullSecrets".into());
        }
    }
    why
}

/// A ConfigMap, Secret, key or ServiceAccount that Kubernetes could not find, with the names of
/// that kind that do exist in the namespace and look alike.
pub(super) fn missing(data: &ClusterData, ns: &str, message: &str) -> Option<Why> {
    let (tag, name) = cause::missing_object(message)?;
    let kind = match tag {
        "config/missing-configmap" => Some(Kind::ConfigMap),
        "config/missing-secret" => Some(Kind::Secret),
        "config/missing-service-account" => Some(Kind::ServiceAccount),
        _ => None,
    };
    let mut why = Why::tag(tag).fact("name", &name);
    if let Some(kind) = kind {
        why.objects.push(ObjRef::new(kind.info().kind, ns, &name));
        let near = near_misses(data, kind, ns, &name);
        if !near.is_empty() {
            why.evidence.push(format!(
                "{} in {ns} with similar names: {}",
                kind.info().kind,
                near.join(", ")
            ));
            why = why.fact("similar", near);
        }
    }
    Some(why)
}

/// Names of `kind` in `ns` that share a stem with `name` (a typo, a version suffix).
fn near_misses(data: &ClusterData, kind: Kind, ns: &str, name: &str) -> Vec<String> {
    let names: Vec<String> = data
        .objects
        .json_items(kind, Some(ns))
        .iter()
        .filter_map(|o| o["metadata"]["name"].as_str().map(String::from))
        .collect();
    let stem = |s: &str| s.split(['-', '.', '_']).next().unwrap_or(s).to_string();
    let mut v: Vec<String> = names
        .into_iter()
        .filter(|n| {
            n != name
                && (stem(n) == stem(name)
                    || n.contains(name)
                    || name.contains(n.as_str())
                    || edit_distance(n, name) <= 2)
        })
        .collect();
    v.sort();
    v.truncate(5);
    v
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            cur.push((prev[j] + usize::from(ca != *cb)).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Why a container keeps dying: the runtime's own reason (OOMKilled, StartError), probe kills,
/// exit 0 under `restartPolicy: Always`, then what its last log lines say.
pub(super) fn crash(
    data: &ClusterData,
    index: &Index<'_>,
    pod: &Pod,
    container: &str,
    last: Option<&ContainerStateTerminated>,
    now: jiff::Timestamp,
) -> Why {
    let spec = pod.spec.as_ref();
    let reason = last.and_then(|t| t.reason.as_deref()).unwrap_or("");
    let message = last.and_then(|t| t.message.as_deref()).unwrap_or("");
    if reason == "OOMKilled" {
        let limit = spec
            .and_then(|s| s.containers.iter().find(|c| c.name == container))
            .and_then(cluster::spec::memory_limit);
        return Why::tag("runtime/oom-killed").fact("memory_limit", limit);
    }
    if let Some(tag) = cause::start_failure(message).filter(|_| reason != "Completed") {
        let mut w = Why::tag(tag).fact("message", message);
        w.evidence.push(format!("container {container}: terminated {reason}: {message}"));
        return w;
    }
    if let Some(w) = probe_kills(index, pod, container, now) {
        return w;
    }
    let exit = last.map(|t| t.exit_code);
    let policy = spec.and_then(|s| s.restart_policy.as_deref()).unwrap_or("Always");
    if exit == Some(0) && policy == "Always" {
        let mut w = Why::tag("runtime/completed-restarting").fact("restart_policy", policy);
        w.evidence.push(format!("container {container} exits with code 0 while restartPolicy is Always"));
        return w;
    }
    let mut w = match log_why(data, pod, container) {
        Some(w) => w,
        None => Why::tag("runtime/crash"),
    };
    if let Some(code) = exit {
        w = w.fact("exit_code", code);
    }
    w
}

/// The line of the container's log (previous instance first) that explains its exit.
fn log_why(data: &ClusterData, pod: &Pod, container: &str) -> Option<Why> {
    let key = |previous| LogKey {
        namespace: pod.metadata.namespace.clone().unwrap_or_default(),
        pod: pod.metadata.name.clone().unwrap_or_default(),
        container: container.to_string(),
        previous,
    };
    let text = [true, false].into_iter().find_map(|p| match data.logs.get(&key(p)) {
        Some(LogText::Text(t)) if !t.trim().is_empty() => Some(t.clone()),
        _ => None,
    })?;
    let (line, tag) = cause::telling_line(&text, LOG_LINE_MAX)?;
    let mut w = Why::tag(tag.unwrap_or("runtime/crash")).fact("log_line", &line);
    w.evidence.push(format!("last log of container {container}: {line}"));
    if tag == Some("network/dns-failure") {
        w = dns_health(data, w);
    }
    if tag == Some("runtime/disk-full") {
        w = volumes(data, pod, container, w);
    }
    Some(w)
}

/// The volumes the container writes to, with their sizes: an emptyDir's `sizeLimit`, a claim's
/// requested storage. The one whose mount path the log line names comes first.
fn volumes(data: &ClusterData, pod: &Pod, container: &str, mut w: Why) -> Why {
    let Some(spec) = pod.spec.as_ref() else { return w };
    let Some(c) =
        spec.containers.iter().chain(spec.init_containers.iter().flatten()).find(|c| c.name == container)
    else {
        return w;
    };
    let line = w.detail.get("log_line").and_then(Value::as_str).unwrap_or("").to_string();
    let ns = pod.metadata.namespace.as_deref().unwrap_or("");
    let mut found: Vec<(bool, String, Value)> = Vec::new();
    for m in c.volume_mounts.iter().flatten() {
        let Some(v) = spec.volumes.iter().flatten().find(|v| v.name == m.name) else { continue };
        let size = if let Some(e) = &v.empty_dir {
            format!(
                "emptyDir, sizeLimit {}",
                e.size_limit.as_ref().map_or("none (node disk)", |q| q.0.as_str())
            )
        } else if let Some(pvc) = &v.persistent_volume_claim {
            let requested = data
                .objects
                .pvcs
                .iter()
                .find(|p| {
                    p.metadata.namespace.as_deref() == Some(ns)
                        && p.metadata.name.as_deref() == Some(pvc.claim_name.as_str())
                })
                .and_then(|p| {
                    p.spec
                        .as_ref()?
                        .resources
                        .as_ref()?
                        .requests
                        .as_ref()?
                        .get("storage")
                        .map(|q| q.0.clone())
                });
            format!(
                "claim {}, {}",
                pvc.claim_name,
                requested.map_or_else(|| "size not in the capture".into(), |r| format!("requests {r}"))
            )
        } else {
            continue;
        };
        let named = !m.mount_path.is_empty() && line.contains(m.mount_path.as_str());
        found.push((
            named,
            format!("volume {} at {}: {size}", m.name, m.mount_path),
            json!({"volume": m.name, "mount_path": m.mount_path, "size": size}),
        ));
    }
    found.sort_by_key(|(named, _, _)| !*named);
    if let Some((_, text, _)) = found.first() {
        w.evidence.push(text.clone());
    }
    if !found.is_empty() {
        w = w.fact("volumes", found.into_iter().map(|(_, _, v)| v).collect::<Vec<_>>());
    }
    w
}

/// Name resolution failing in an application: is the cluster's DNS itself healthy? CoreDNS
/// (or kube-dns) pods that are not ready are the likelier cause than the application.
fn dns_health(data: &ClusterData, mut w: Why) -> Why {
    let dns: Vec<&Pod> = data
        .objects
        .pods
        .iter()
        .filter(|p| p.metadata.namespace.as_deref() == Some("kube-system"))
        .filter(|p| {
            p.metadata.labels.as_ref().and_then(|l| l.get("k8s-app")).is_some_and(|a| a == "kube-dns")
        })
        .collect();
    if dns.is_empty() {
        return w;
    }
    let ready = dns
        .iter()
        .filter(|p| {
            p.status
                .as_ref()
                .and_then(|s| s.conditions.as_ref())
                .is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
        })
        .count();
    if ready == 0 {
        w.evidence
            .push(format!("the cluster DNS has no ready pod ({} in kube-system, none ready)", dns.len()));
    }
    w.fact("cluster_dns_ready", format!("{ready}/{}", dns.len()))
}

/// Liveness or startup probe failures that made the kubelet restart the container.
pub(super) fn probe_kills(
    index: &Index<'_>,
    pod: &Pod,
    container: &str,
    now: jiff::Timestamp,
) -> Option<Why> {
    let events = container_events(index, pod, container, &["Unhealthy", "Killing"]);
    let failed = |kind: &str| {
        events.iter().find(|e| {
            e.reason == "Unhealthy"
                && e.message.to_ascii_lowercase().starts_with(&format!("{kind} probe failed"))
        })
    };
    let killed = |kind: &str| {
        events.iter().find(|e| {
            e.reason == "Killing" && e.message.to_ascii_lowercase().contains(&format!("failed {kind} probe"))
        })
    };
    let (kind, tag) = if failed("startup").or(killed("startup")).is_some() {
        ("startup", "probe/startup-failing")
    } else if failed("liveness").or(killed("liveness")).is_some() {
        ("liveness", "probe/liveness-failing")
    } else {
        return None;
    };
    let mut w = Why::tag(tag);
    // Why the probe failed, then what the kubelet did about it.
    for e in [failed(kind), killed(kind)].into_iter().flatten() {
        w.evidence.push(event_line(e, now));
    }
    let c = pod.spec.as_ref().and_then(|s| s.containers.iter().find(|c| c.name == container));
    if let Some((c, p)) = c.and_then(|c| probe_of(c, kind).map(|p| (c, p))) {
        w = probe_facts(w, c, p, kind);
    }
    Some(w)
}

fn probe_of<'a>(c: &'a Container, kind: &str) -> Option<&'a Probe> {
    match kind {
        "liveness" => c.liveness_probe.as_ref(),
        "readiness" => c.readiness_probe.as_ref(),
        _ => c.startup_probe.as_ref(),
    }
}

/// The probe against the container: its port vs the ports the container declares, its timing.
fn probe_facts(mut w: Why, c: &Container, p: &Probe, kind: &str) -> Why {
    let text = cluster::query::describe_probe(p);
    w.evidence.push(format!("{kind} probe {text}"));
    let ports: Vec<i32> = c.ports.iter().flatten().map(|p| p.container_port).collect();
    let names: Vec<String> = c.ports.iter().flatten().filter_map(|p| p.name.clone()).collect();
    let port = p
        .http_get
        .as_ref()
        .map(|h| h.port.clone())
        .or_else(|| p.tcp_socket.as_ref().map(|t| t.port.clone()))
        .or_else(|| {
            p.grpc.as_ref().map(|g| k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::Int(g.port))
        });
    use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
    if let Some(port) = &port {
        let (shown, declared) = match port {
            IntOrString::Int(n) => (n.to_string(), ports.contains(n)),
            IntOrString::String(s) => (s.clone(), names.contains(s)),
        };
        if !ports.is_empty() && !declared {
            w.evidence.push(format!(
                "the probe targets port {shown}, which container {} does not declare (ports: {})",
                c.name,
                ports.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
            ));
        }
        w = w.fact("probe_port", shown).fact("container_ports", &ports);
    }
    // How long a starting container has before this probe restarts it: the app must answer
    // within that, or it is killed while still starting.
    let (delay, period, threshold) = (
        p.initial_delay_seconds.unwrap_or(0),
        p.period_seconds.unwrap_or(10),
        p.failure_threshold.unwrap_or(3),
    );
    let grace = delay + period * threshold;
    w.evidence.push(format!(
        "the {kind} probe allows {grace} s after start (initialDelaySeconds {delay} + periodSeconds {period} × failureThreshold {threshold})"
    ));
    w.fact("probe", text)
        .fact("initial_delay_seconds", delay)
        .fact("failure_threshold", threshold)
        .fact("seconds_before_restart", grace)
}

/// Why a running container is not ready: the Unhealthy event's probe kind, with the probe.
pub(super) fn not_ready(index: &Index<'_>, pod: &Pod, container: &str) -> Why {
    let events = container_events(index, pod, container, &["Unhealthy"]);
    let kind = events.first().map_or("readiness", |e| {
        let m = e.message.to_ascii_lowercase();
        if m.starts_with("startup") {
            "startup"
        } else if m.starts_with("liveness") {
            "liveness"
        } else {
            "readiness"
        }
    });
    let tag = match kind {
        "startup" => "probe/startup-failing",
        "liveness" => "probe/liveness-failing",
        _ => "probe/readiness-failing",
    };
    let c = pod.spec.as_ref().and_then(|s| s.containers.iter().find(|c| c.name == container));
    match c.and_then(|c| probe_of(c, kind).map(|p| (c, p))) {
        Some((c, p)) => probe_facts(Why::tag(tag), c, p, kind),
        None => Why::tag(tag),
    }
}

/// What the scheduler's message leaves out: the pod's nodeSelector and which nodes carry those
/// labels, required node affinity, the taints it does not tolerate, cordoned nodes. When the
/// nodes the selector allows are all tainted or cordoned, that is the cause, and a taint Kubernetes
/// puts on a failing node names the node's failure.
pub(super) fn scheduling(index: &Index<'_>, spec: &PodSpec, message: &str) -> Why {
    let mut w = Why::tag(cause::scheduling(message));
    let mut nodes: Vec<&Node> = index.nodes.values().copied().collect();
    nodes.sort_by(|a, b| a.metadata.name.cmp(&b.metadata.name));
    let labels = |n: &Node| n.metadata.labels.clone().unwrap_or_default();
    let selector = spec.node_selector.clone().unwrap_or_default();
    let eligible: Vec<&Node> =
        nodes.iter().copied().filter(|n| selector.iter().all(|(k, v)| labels(n).get(k) == Some(v))).collect();
    if !selector.is_empty() {
        let names: Vec<String> = eligible.iter().filter_map(|n| n.metadata.name.clone()).collect();
        let pairs: Vec<String> = selector.iter().map(|(k, v)| format!("{k}={v}")).collect();
        w.evidence.push(format!(
            "nodeSelector {}: {} of {} nodes carry it{}",
            pairs.join(","),
            names.len(),
            nodes.len(),
            if names.is_empty() { String::new() } else { format!(" ({})", names.join(", ")) }
        ));
        w = w.fact("selector", &selector).fact("nodes_with_label", names.len());
        if names.is_empty() && !nodes.is_empty() {
            w.tag = Some("scheduling/node-selector");
        }
    }
    let terms = spec
        .affinity
        .as_ref()
        .and_then(|a| a.node_affinity.as_ref())
        .and_then(|a| a.required_during_scheduling_ignored_during_execution.as_ref());
    if let Some(t) = terms {
        let shown = serde_json::to_string(&t.node_selector_terms).unwrap_or_default();
        w.evidence.push(format!("required node affinity: {}", prompts::ellipsis(&shown, 200)));
        w = w.fact("node_affinity", json!(t.node_selector_terms));
        if w.tag == Some("scheduling/node-selector") && selector.is_empty() {
            w.tag = Some("scheduling/node-affinity");
        }
    }
    let tolerations = spec.tolerations.clone().unwrap_or_default();
    let blocking = |n: &Node| -> Vec<(String, String)> {
        n.spec
            .iter()
            .flat_map(|s| s.taints.iter().flatten())
            .filter(|t| t.effect != "PreferNoSchedule")
            .filter(|t| {
                !tolerations.iter().any(|tol| {
                    tol.key.as_deref().is_none_or(|k| k == t.key)
                        && (tol.operator.as_deref() == Some("Exists")
                            || tol.value.as_deref() == t.value.as_deref())
                        && tol.effect.as_deref().is_none_or(|e| e.is_empty() || e == t.effect)
                })
            })
            .map(|t| {
                (
                    t.key.clone(),
                    format!(
                        "{}{}:{}",
                        t.key,
                        t.value.as_deref().map(|v| format!("={v}")).unwrap_or_default(),
                        t.effect
                    ),
                )
            })
            .collect()
    };
    let cordoned = |n: &Node| n.spec.as_ref().and_then(|s| s.unschedulable).unwrap_or(false);
    let tainted: Vec<String> = nodes
        .iter()
        .flat_map(|n| {
            blocking(n)
                .into_iter()
                .map(move |(_, t)| format!("{} ({t})", n.metadata.name.as_deref().unwrap_or("")))
        })
        .collect();
    if !tainted.is_empty() {
        w.evidence.push(format!("taints the pod does not tolerate: {}", tainted.join(", ")));
        w = w.fact("untolerated_taints", &tainted);
    }
    let cordoned_names: Vec<String> =
        nodes.iter().filter(|n| cordoned(n)).filter_map(|n| n.metadata.name.clone()).collect();
    if !cordoned_names.is_empty() {
        w.evidence.push(format!("cordoned nodes: {}", cordoned_names.join(", ")));
        w = w.fact("cordoned", &cordoned_names);
    }
    // Every node the selector allows is closed to the pod: name why.
    if !eligible.is_empty() && eligible.iter().all(|n| cordoned(n) || !blocking(n).is_empty()) {
        let keys: Vec<String> =
            eligible.iter().flat_map(|n| blocking(n).into_iter().map(|(k, _)| k)).collect();
        let has = |k: &str| keys.iter().any(|x| x == k);
        w.tag = Some(if keys.is_empty() || eligible.iter().all(|n| cordoned(n)) {
            "scheduling/cordoned"
        } else if has("node.kubernetes.io/memory-pressure") {
            "node/memory-pressure"
        } else if has("node.kubernetes.io/disk-pressure") {
            "node/disk-pressure"
        } else if has("node.kubernetes.io/pid-pressure") {
            "node/pid-pressure"
        } else if has("node.kubernetes.io/unreachable") || has("node.kubernetes.io/not-ready") {
            "node/not-ready"
        } else if has("node.kubernetes.io/unschedulable") {
            "scheduling/cordoned"
        } else {
            "scheduling/taint"
        });
    }
    w
}

/// Why a pod stays Pending with no explanation: no node assigned and no scheduling event at
/// all means nothing is scheduling it.
pub(super) fn unscheduled(index: &Index<'_>, pod: &Pod) -> Option<Why> {
    let unassigned = pod.spec.as_ref().is_none_or(|s| s.node_name.is_none());
    let scheduler_spoke =
        pod_events(index, pod).iter().any(|e| matches!(e.reason.as_str(), "FailedScheduling" | "Scheduled"));
    (unassigned && !scheduler_spoke).then(|| {
        let scheduler = pod
            .spec
            .as_ref()
            .and_then(|s| s.scheduler_name.clone())
            .unwrap_or_else(|| "default-scheduler".into());
        let mut w = Why::tag("scheduling/not-scheduled").fact("scheduler", &scheduler);
        w.evidence.push(format!("no node assigned and no scheduling event from {scheduler}"));
        w
    })
}

/// A container's `state`/`lastState` messages (StartError, RunContainerError,
/// CreateContainerConfigError) as the runtime wrote them.
pub(super) fn waiting(data: &ClusterData, ns: &str, reason: &str, message: &str) -> Option<Why> {
    if let Some(w) = missing(data, ns, message) {
        return Some(w);
    }
    if matches!(reason, "CreateContainerError" | "RunContainerError" | "StartError" | "ContainerCannotRun") {
        return Some(match cause::start_failure(message) {
            Some(tag) => Why::tag(tag).fact("message", message),
            None => Why::tag("runtime/crash").fact("message", message),
        });
    }
    None
}
