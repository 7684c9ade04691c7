//! Pod rules (POD-1 … POD-14) and log rules (LOG-1 … LOG-3).

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::core::v1::{Container, ContainerStatus, Pod};

use cluster::spec::memory_limit;

use super::finding::{Hit, ObjRef, Options, Severity, kubectl};
use super::index::Index;
use super::index::event_line;
use super::{cause, why};
use cluster::data::{ClusterData, LogKey, LogText};
use cluster::query::table::age;

/// Waiting reasons that are image pull failures.
const IMAGE_FAILURES: &[&str] =
    &["ImagePullBackOff", "ErrImagePull", "ErrImageNeverPull", "InvalidImageName", "ImageInspectError"];

const START_FAILURES: &[&str] = &[
    "CrashLoopBackOff",
    "ImagePullBackOff",
    "ErrImagePull",
    "ErrImageNeverPull",
    "InvalidImageName",
    "ImageInspectError",
    "CreateContainerConfigError",
    "CreateContainerError",
    "PreCreateHookError",
    "PreStartHookError",
    "RunContainerError",
];

struct Ctx {
    obj: ObjRef,
    root: ObjRef,
    node: Option<String>,
}

impl Ctx {
    fn hit(
        &self,
        rule: &'static str,
        severity: Severity,
        message: String,
        mut evidence: Vec<String>,
        hint: String,
    ) -> Hit {
        if let Some(n) = &self.node {
            let line = format!("on node {n}");
            if !evidence.contains(&line) {
                evidence.push(line);
            }
        }
        Hit::new(rule, severity, self.obj.clone(), self.root.clone(), message, evidence, hint)
            .on_node(self.node.as_deref())
    }
}

/// Every pod rule.
pub fn run(data: &ClusterData, index: &Index<'_>, opts: &Options, out: &mut Vec<Hit>) {
    let now = data.now();
    for pod in &data.objects.pods {
        let meta = &pod.metadata;
        let ns = meta.namespace.as_deref().unwrap_or("");
        let name = meta.name.as_deref().unwrap_or("");
        let spec = pod.spec.clone().unwrap_or_default();
        let st = pod.status.clone().unwrap_or_default();
        let phase = st.phase.as_deref().unwrap_or("");
        let ctx = Ctx {
            obj: ObjRef::new("Pod", ns, name),
            root: index.root("Pod", meta),
            node: spec.node_name.clone(),
        };
        let describe = kubectl("describe", "pod", ns, name);
        let first = out.len();
        let scheduled = cluster::query::condition(st.conditions.as_ref(), "PodScheduled");

        // POD-1 / POD-2: the scheduler's own explanation.
        if phase == "Pending" {
            if let Some((_, reason, message)) = &scheduled {
                if reason == "Unschedulable" && !message.is_empty() {
                    out.push(
                        ctx.hit(
                            "POD-1",
                            Severity::Error,
                            format!("pod cannot be scheduled: {message}"),
                            vec![format!("condition PodScheduled=False Unschedulable: {message}")],
                            describe.clone(),
                        )
                        .why(why::scheduling(index, &spec, message)),
                    );
                }
                if reason == "SchedulingGated" {
                    let gates: Vec<String> =
                        spec.scheduling_gates.iter().flatten().map(|g| g.name.clone()).collect();
                    let msg = if message.is_empty() { String::new() } else { format!(" ({message})") };
                    out.push(ctx.hit(
                        "POD-2",
                        Severity::Warning,
                        format!("pod is held by scheduling gates: {}{msg}", gates.join(", ")),
                        vec![format!("spec.schedulingGates: {}", gates.join(", "))],
                        describe.clone(),
                    ));
                }
            }
            // POD-10: the event fallback when no condition explains it.
            let explained = scheduled.as_ref().is_some_and(|(_, r, m)| r == "Unschedulable" && !m.is_empty());
            if !explained && let Some(e) = index.latest_with("Pod", meta, &["FailedScheduling"]) {
                out.push(
                    ctx.hit(
                        "POD-10",
                        Severity::Error,
                        format!("pod cannot be scheduled: {}", e.message),
                        vec![event_line(e, now)],
                        describe.clone(),
                    )
                    .why(why::scheduling(index, &spec, &e.message)),
                );
            }
        }

        // POD-3: evictions name the resource that ran short.
        if st.reason.as_deref() == Some("Evicted") {
            let msg = st.message.clone().unwrap_or_default();
            let lower = msg.to_ascii_lowercase();
            // "low on resource: ephemeral-storage", "The node had condition: [DiskPressure]".
            let pressure = if ["ephemeral-storage", "nodefs", "imagefs", "diskpressure"]
                .iter()
                .any(|w| lower.contains(w))
            {
                "node/disk-pressure"
            } else if lower.contains("pids") || lower.contains("pidpressure") {
                "node/pid-pressure"
            } else {
                "node/memory-pressure"
            };
            out.push(
                ctx.hit(
                    "POD-3",
                    Severity::Warning,
                    format!("pod was evicted: {msg}"),
                    vec![format!("status.reason=Evicted: {msg}")],
                    format!("kubectl get events -n {ns} --field-selector involvedObject.name={name}"),
                )
                .cause(pressure),
            );
        }

        let statuses: Vec<(&ContainerStatus, bool)> = st
            .init_container_statuses
            .iter()
            .flatten()
            .map(|s| (s, true))
            .chain(st.container_statuses.iter().flatten().map(|s| (s, false)))
            .collect();
        let containers: Vec<&Container> =
            spec.init_containers.iter().flatten().chain(spec.containers.iter()).collect();

        // POD-4: stuck creating; the newest sandbox or mount failure, whatever came after (R3).
        if phase == "Pending"
            && statuses.iter().any(|(s, _)| {
                s.state.as_ref().and_then(|s| s.waiting.as_ref()).and_then(|w| w.reason.as_deref())
                    == Some("ContainerCreating")
            })
            && let Some(e) = index
                .latest_with("Pod", meta, &["FailedCreatePodSandBox", "FailedMount"])
                .filter(|e| !e.message.is_empty())
        {
            let hit = ctx.hit(
                "POD-4",
                Severity::Error,
                format!("pod is stuck being created: {}", e.message),
                vec![event_line(e, now)],
                describe.clone(),
            );
            out.push(match why::missing(data, ns, &e.message) {
                Some(w) => hit.why(w),
                // Sandboxes fail when the node's network plugin or runtime does.
                None if e.reason == "FailedCreatePodSandBox" => hit.cause("node/not-ready"),
                None => hit,
            });
        }

        for (cs, init) in &statuses {
            let cname = &cs.name;
            let label = if *init { format!("init container {cname}") } else { format!("container {cname}") };
            let state = cs.state.clone().unwrap_or_default();
            let last = cs.last_state.as_ref().and_then(|l| l.terminated.as_ref());
            let logs_hint = format!("kubectl logs {name} -n {ns} -c {cname} --previous");
            // Whether a rule already said why this container fails (POD-15 only speaks otherwise).
            let mut explained = false;
            if let Some(w) = &state.waiting {
                let reason = w.reason.clone().unwrap_or_default();
                let wmsg = w.message.clone().unwrap_or_default();
                if let Some(t) = last.filter(|_| reason == "CrashLoopBackOff") {
                    let why = t.reason.clone().unwrap_or_else(|| "unknown".into());
                    let mut ev = vec![format!(
                        "{label}: waiting CrashLoopBackOff, last terminated {why} (exit code {}), {} restarts",
                        t.exit_code, cs.restart_count
                    )];
                    if let Some(e) = index.latest_with("Pod", meta, &["BackOff"]) {
                        ev.push(event_line(e, now));
                    }
                    out.push(
                        ctx.hit(
                            "POD-5",
                            Severity::Error,
                            format!(
                                "{label} is crash-looping: last terminated {why} with exit code {}",
                                t.exit_code
                            ),
                            ev,
                            logs_hint.clone(),
                        )
                        .container(cname)
                        .why(why::crash(data, index, pod, cname, Some(t), now)),
                    );
                    explained = true;
                } else if START_FAILURES.contains(&reason.as_str()) {
                    let detail = if wmsg.is_empty() { String::new() } else { format!(": {wmsg}") };
                    let image = containers
                        .iter()
                        .find(|c| &c.name == cname)
                        .and_then(|c| c.image.clone())
                        .unwrap_or_default();
                    let mut ev = vec![format!("{label}: waiting {reason}{detail}"), format!("image {image}")];
                    if let Some(e) = index.latest_with("Pod", meta, &["Failed", "BackOff", "FailedCreate"]) {
                        ev.push(event_line(e, now));
                    }
                    let hit = ctx
                        .hit(
                            "POD-6",
                            Severity::Error,
                            format!("{label} cannot start: {reason}{detail}"),
                            ev,
                            describe.clone(),
                        )
                        .container(cname);
                    let cause = if IMAGE_FAILURES.contains(&reason.as_str()) {
                        Some(why::image(index, pod, cname, &reason, &wmsg, now))
                    } else if reason == "CrashLoopBackOff" {
                        Some(why::crash(data, index, pod, cname, None, now))
                    } else {
                        why::waiting(data, ns, &reason, &wmsg)
                    };
                    out.push(match cause {
                        Some(w) => hit.why(w),
                        None => hit.cause("unknown/insufficient-evidence"),
                    });
                    explained = true;
                }
            }
            let evicted = st.reason.as_deref() == Some("Evicted");
            if let Some(t) = state.terminated.as_ref().filter(|t| t.exit_code != 0 && !evicted) {
                let why = t.reason.clone().unwrap_or_else(|| "unknown".into());
                out.push(
                    ctx.hit(
                        "POD-7",
                        Severity::Error,
                        format!("{label} ended in failure: {why} (exit code {})", t.exit_code),
                        vec![format!("{label}: terminated {why}, exit code {}", t.exit_code)],
                        logs_hint.replace(" --previous", ""),
                    )
                    .container(cname)
                    .why(why::crash(data, index, pod, cname, Some(t), now)),
                );
            }
            let running = state.running.is_some() || (state.waiting.is_none() && state.terminated.is_none());
            let node_down = spec.node_name.as_deref().is_some_and(|n| index.not_ready_nodes.contains(n));
            if running && !cs.ready && phase == "Running" && !*init && !node_down {
                let container = containers.iter().find(|c| &c.name == cname);
                let mut ev = Vec::new();
                let msg = if let Some(e) = index.latest_with("Pod", meta, &["Unhealthy"]) {
                    ev.push(event_line(e, now));
                    format!("{label} is running but not ready: {}", e.message)
                } else {
                    let probes: Vec<String> = container
                        .into_iter()
                        .flat_map(|c| {
                            [("readiness", &c.readiness_probe), ("startup", &c.startup_probe)]
                                .into_iter()
                                .filter_map(|(k, p)| {
                                    p.as_ref()
                                        .map(|p| format!("{k} probe {}", cluster::query::describe_probe(p)))
                                })
                                .collect::<Vec<_>>()
                        })
                        .collect();
                    ev.extend(probes.iter().cloned());
                    format!(
                        "{label} is running but not ready{}",
                        if probes.is_empty() { String::new() } else { format!(" ({})", probes.join(", ")) }
                    )
                };
                out.push(
                    ctx.hit("POD-8", Severity::Warning, msg, ev, describe.clone())
                        .container(cname)
                        .why(why::not_ready(index, pod, cname)),
                );
            }
            // POD-9 / POD-11: what k8sgpt misses: a container that died and came back (R7).
            if let Some(t) = last.filter(|t| t.reason.as_deref() == Some("OOMKilled")) {
                let limit = containers
                    .iter()
                    .find(|c| &c.name == cname)
                    .and_then(|c| memory_limit(c))
                    .unwrap_or_else(|| "none".into());
                let when = t
                    .finished_at
                    .as_ref()
                    .map(|f| format!(", last killed {} before capture", age(Some(f.0), now)))
                    .unwrap_or_default();
                let sev = if limit == "none" { Severity::Error } else { Severity::Warning };
                out.push(
                    ctx.hit("POD-9", sev, format!("{label} was OOM-killed ({} restarts{when}); memory limit: {limit}", cs.restart_count), vec![format!("{label}: last terminated OOMKilled (exit code {}), restartCount {}, memory limit {limit}", t.exit_code, cs.restart_count)], logs_hint.clone())
                        .container(cname)
                        .detail("memory_limit", &limit),
                );
                explained = true;
            }
            if running && cs.restart_count >= opts.restart_threshold {
                let why = last
                    .map(|t| {
                        format!(
                            "; last termination {} (exit code {})",
                            t.reason.clone().unwrap_or_else(|| "unknown".into()),
                            t.exit_code
                        )
                    })
                    .unwrap_or_default();
                let hit = ctx
                    .hit(
                        "POD-11",
                        Severity::Warning,
                        format!("{label} restarts repeatedly: {} restarts{why}", cs.restart_count),
                        vec![format!("{label}: restartCount {}{why}", cs.restart_count)],
                        logs_hint.clone(),
                    )
                    .container(cname);
                // A last state of `Unknown` is what the runtime records when the node or the runtime
                // itself restarted under a running container: not a crash of the application.
                let node_restart = cs.ready && last.is_some_and(|t| t.reason.as_deref() == Some("Unknown"));
                out.push(if node_restart {
                    let mut hit = hit.cause("node/not-ready").detail("last_state", "Unknown");
                    hit.severity = Severity::Info;
                    hit.evidence.push(
                        "the last restart followed a node or container runtime restart (last state Unknown)"
                            .into(),
                    );
                    hit
                } else {
                    hit.why(why::crash(data, index, pod, cname, last, now))
                });
                explained = true;
            }
            // POD-15: the kubelet kills the container for failing its liveness or startup probe,
            // even when it has restarted only a few times and the pod looks Ready right now.
            if !explained
                && cs.restart_count > 0
                && let Some(w) = why::probe_kills(index, pod, cname, now)
            {
                out.push(
                    ctx.hit(
                        "POD-15",
                        Severity::Error,
                        format!("{label} is restarted by its failing probe ({} restarts)", cs.restart_count),
                        vec![format!("{label}: restartCount {}", cs.restart_count)],
                        describe.clone(),
                    )
                    .container(cname)
                    .why(w),
                );
            }
        }

        // POD-13: pods on a node that is not Ready.
        if let Some(node) = spec.node_name.as_deref().filter(|n| index.not_ready_nodes.contains(*n))
            && phase != "Succeeded"
            && phase != "Failed"
        {
            out.push(
                ctx.hit(
                    "POD-13",
                    Severity::Error,
                    format!("pod runs on node {node}, which is NotReady"),
                    vec![format!("Node/{node} is NotReady")],
                    kubectl("describe", "node", "", node),
                )
                .about(ObjRef::new("Node", "", node)),
            );
        }

        // POD-14: an unbounded memory consumer on a memory-starved node.
        if let Some(node) = spec.node_name.as_deref() {
            let ooms = index.system_oom.get(node).map_or(0, Vec::len);
            // Node-critical agents (CNI, kube-proxy) are protected by their priority and are
            // never the runaway consumer worth waking someone for.
            let system = spec.priority_class_name.as_deref().is_some_and(|p| p.starts_with("system-"));
            if (index.memory_pressure.contains(node) || ooms > 0) && !system {
                for c in &spec.containers {
                    if memory_limit(c).is_none() {
                        let no_request = c
                            .resources
                            .as_ref()
                            .and_then(|r| r.requests.as_ref())
                            .is_none_or(|r| !r.contains_key("memory"));
                        let mut ev = vec![format!("container {}: no memory limit", c.name)];
                        if index.memory_pressure.contains(node) {
                            ev.push(format!("Node/{node} has MemoryPressure=True"));
                        }
                        if ooms > 0 {
                            ev.push(format!("Node/{node} recorded {ooms} SystemOOM event(s)"));
                        }
                        if let Some(usage) = memory_usage(data, ns, name, &c.name) {
                            ev.push(format!("container {}: memory usage {usage} (metrics.k8s.io)", c.name));
                        }
                        if no_request {
                            ev.push(format!("container {}: no memory request either (BestEffort: the scheduler reserved nothing for it)", c.name));
                        }
                        let sev = if no_request { Severity::Error } else { Severity::Warning };
                        out.push(ctx.hit("POD-14", sev, format!("container {} has no memory limit and runs on node {node}, which is short of memory", c.name), ev, format!("kubectl top pod {name} -n {ns} --containers")));
                    }
                }
            }
        }

        // POD-12: failed, unknown, or pending too long with nothing else explaining it.
        let evicted = st.reason.as_deref() == Some("Evicted");
        let job_pod = meta.owner_references.iter().flatten().any(|o| o.kind == "Job");
        if (phase == "Failed" && !evicted && !job_pod) || phase == "Unknown" {
            let why =
                [st.reason.clone(), st.message.clone()].into_iter().flatten().collect::<Vec<_>>().join(": ");
            out.push(
                ctx.hit(
                    "POD-12",
                    Severity::Error,
                    format!(
                        "pod is in phase {phase}{}",
                        if why.is_empty() { String::new() } else { format!(": {why}") }
                    ),
                    vec![format!("status.phase={phase}")],
                    describe.clone(),
                )
                .cause(if phase == "Unknown" {
                    "node/not-ready"
                } else {
                    "unknown/insufficient-evidence"
                }),
            );
        } else if phase == "Pending" && out.len() == first {
            let created = meta.creation_timestamp.as_ref().map(|t| t.0);
            if let Some(c) = created.filter(|c| now.as_second() - c.as_second() > opts.pending_grace_seconds)
            {
                let hit = ctx.hit(
                    "POD-12",
                    Severity::Warning,
                    format!("pod has been Pending for {}", age(Some(c), now)),
                    vec![format!("status.phase=Pending since {c}")],
                    describe.clone(),
                );
                out.push(match why::unscheduled(index, pod) {
                    Some(w) => hit.why(w),
                    None => hit.cause("unknown/insufficient-evidence"),
                });
            }
        }
    }
}

fn memory_usage(data: &ClusterData, ns: &str, pod: &str, container: &str) -> Option<String> {
    let m =
        data.objects.pod_metrics.iter().find(|m| {
            m.metadata.namespace.as_deref() == Some(ns) && m.metadata.name.as_deref() == Some(pod)
        })?;
    m.containers.iter().find(|c| c.name == container)?.usage.get("memory").map(|q| q.0.clone())
}

/// Lines of the last `tail` that look like errors, grouped (digits ignored) with counts.
fn error_lines(text: &str, tail: usize) -> Vec<(String, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let start = lines.len().saturating_sub(tail);
    let mut groups: BTreeMap<String, (usize, usize, String)> = BTreeMap::new();
    for (i, l) in lines[start..].iter().enumerate() {
        let lower = l.to_lowercase();
        if quiet_level(&lower) {
            continue;
        }
        if lower.contains("error") || lower.contains("exception") || lower.contains("fail") {
            let key: String = lower.chars().filter(|c| !c.is_ascii_digit()).collect();
            let e = groups.entry(key).or_insert((i, 0, l.trim().to_string()));
            e.1 += 1;
        }
    }
    let mut v: Vec<(usize, String, usize)> = groups.into_values().map(|(i, n, l)| (i, l, n)).collect();
    v.sort();
    v.into_iter().map(|(_, l, n)| (l, n)).collect()
}

/// Whether a line declares itself informational (`level=info`, `"level":"debug"`, ` INFO `):
/// then an "error" in it is a field value (a rule named error-burst), not an error.
fn quiet_level(lower: &str) -> bool {
    [
        "level=info",
        "level=debug",
        "level=trace",
        "\"level\":\"info\"",
        "\"level\":\"debug\"",
        " info ",
        "[info]",
        " debug ",
    ]
    .iter()
    .any(|m| lower.contains(m))
}

fn quote(lines: &[(String, usize)]) -> Vec<String> {
    lines
        .iter()
        .take(5)
        .map(|(l, n)| if *n > 1 { format!("log (x{n}): {l}") } else { format!("log: {l}") })
        .collect()
}

/// Containers other rules implicate: the pods named in hits so far, all their containers.
pub fn implicated(hits: &[Hit]) -> BTreeSet<(String, String)> {
    hits.iter()
        .filter(|h| h.object.kind == "Pod")
        .map(|h| (h.object.namespace.clone(), h.object.name.clone()))
        .collect()
}

/// LOG-1 … LOG-3, over the logs the capture holds.
pub fn logs(data: &ClusterData, index: &Index<'_>, _opts: &Options, out: &mut Vec<Hit>) {
    let implicated = implicated(out);
    let pods: std::collections::HashMap<(&str, &str), &Pod> = data
        .objects
        .pods
        .iter()
        .map(|p| {
            ((p.metadata.namespace.as_deref().unwrap_or(""), p.metadata.name.as_deref().unwrap_or("")), p)
        })
        .collect();
    let mut found = Vec::new();
    for (key, text) in &data.logs {
        let Some(pod) = pods.get(&(key.namespace.as_str(), key.pod.as_str())) else { continue };
        let obj = ObjRef::new("Pod", &key.namespace, &key.pod);
        let root = index.root("Pod", &pod.metadata);
        let hot = implicated.contains(&(key.namespace.clone(), key.pod.clone()));
        let LogText::Text(text) = text else { continue };
        let restarts = pod
            .status
            .iter()
            .flat_map(|s| s.container_statuses.iter().flatten())
            .find(|c| c.name == key.container)
            .map_or(0, |c| c.restart_count);
        let lines = error_lines(text, 100);
        if lines.is_empty() {
            continue;
        }
        let (rule, sev, what) = if key.previous {
            if restarts == 0 {
                continue;
            }
            ("LOG-2", Severity::Warning, "previous instance of container")
        } else {
            ("LOG-1", if hot { Severity::Warning } else { Severity::Info }, "container")
        };
        let hint = format!(
            "kubectl logs {} -n {} -c {}{} --tail=100",
            key.pod,
            key.namespace,
            key.container,
            if key.previous { " --previous" } else { "" }
        );
        found.push(
            Hit::new(
                rule,
                sev,
                obj,
                root,
                format!("{what} {} logged errors: {}", key.container, lines[0].0),
                quote(&lines),
                hint,
            )
            .container(&key.container)
            .maybe_cause(lines.iter().find_map(|(l, _)| cause::log_line(l))),
        );
    }
    // LOG-3: logs of implicated containers that cannot be read, and why (R5).
    for (ns, name) in &implicated {
        let Some(pod) = pods.get(&(ns.as_str(), name.as_str())) else { continue };
        for c in pod.spec.iter().flat_map(|s| s.containers.iter()) {
            let key = LogKey {
                namespace: ns.clone(),
                pod: name.clone(),
                container: c.name.clone(),
                previous: false,
            };
            let reason = match data.logs.get(&key) {
                Some(LogText::Text(_)) => continue,
                Some(LogText::Unavailable(e)) if e.contains("forbidden") || e.contains("Forbidden") => {
                    format!("forbidden: {e}")
                }
                Some(LogText::Unavailable(e)) => e.clone(),
                None => {
                    let status = pod
                        .status
                        .iter()
                        .flat_map(|s| s.container_statuses.iter().flatten())
                        .find(|s| s.name == c.name);
                    let never_started = status.is_none_or(|s| {
                        s.state.as_ref().is_some_and(|st| st.waiting.is_some())
                            && s.restart_count == 0
                            && s.last_state.as_ref().and_then(|l| l.terminated.as_ref()).is_none()
                    });
                    if never_started {
                        "container never started: no log exists".to_string()
                    } else {
                        "not captured in the snapshot".to_string()
                    }
                }
            };
            found.push(
                Hit::new(
                    "LOG-3",
                    Severity::Info,
                    ObjRef::new("Pod", ns, name),
                    index.root("Pod", &pod.metadata),
                    format!("log of container {} unavailable: {reason}", c.name),
                    vec![format!("container {}: {reason}", c.name)],
                    format!("kubectl logs {name} -n {ns} -c {}", c.name),
                )
                .container(&c.name),
            );
        }
    }
    out.extend(found);
}
