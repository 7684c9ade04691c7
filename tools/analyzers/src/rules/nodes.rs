//! Node rules (NODE-1 … NODE-5), conditions judged by polarity (R6).

use super::finding::{Hit, ObjRef, Options, Severity, kubectl};
use super::index::Index;
use super::index::event_line;
use cluster::data::ClusterData;

const PRESSURE: &[&str] = &["MemoryPressure", "DiskPressure", "PIDPressure", "NetworkUnavailable"];

/// Taints the node lifecycle controller mirrors from conditions: NODE-1/2 already say it.
fn automatic_taint(key: &str) -> bool {
    key.starts_with("node.kubernetes.io/")
        || key.starts_with("node.cloudprovider.kubernetes.io/")
        || key == "node-role.kubernetes.io/control-plane"
        || key == "node-role.kubernetes.io/master"
}

/// Every node rule.
pub fn run(data: &ClusterData, index: &Index<'_>, _opts: &Options, out: &mut Vec<Hit>) {
    let now = data.now();
    for node in &data.objects.nodes {
        let name = node.metadata.name.as_deref().unwrap_or("");
        if !index.node_in_scope(name) {
            continue;
        }
        let me = ObjRef::new("Node", "", name);
        let hint = kubectl("describe", "node", "", name);
        let mk = |rule, severity, message: String, evidence: Vec<String>| {
            Hit::on(rule, severity, me.clone(), message, evidence, hint.clone()).on_node(Some(name))
        };
        let events = index.events_for("Node", "", name, None);
        for c in node.status.iter().flat_map(|s| s.conditions.iter().flatten()) {
            let (reason, message) =
                (c.reason.clone().unwrap_or_default(), c.message.clone().unwrap_or_default());
            let line = format!("condition {}={} {reason}: {message}", c.type_, c.status);
            if c.type_ == "Ready" {
                if c.status != "True" {
                    let mut ev = vec![line];
                    ev.extend(
                        events.iter().filter(|e| e.reason == "NodeNotReady").map(|e| event_line(e, now)),
                    );
                    // A dump without a capture time has its time inferred from the newest record,
                    // often this very transition: "NotReady for 0s" would be false precision.
                    let since = c
                        .last_transition_time
                        .as_ref()
                        .map(|t| {
                            if data.info.captured_at_inferred && t.0 >= now {
                                " at capture (the capture records no time; it is taken from its newest record)".to_string()
                            } else {
                                format!(" for {}", cluster::query::table::age(Some(t.0), now))
                            }
                        })
                        .unwrap_or_default();
                    out.push(mk(
                        "NODE-1",
                        Severity::Critical,
                        format!("node is NotReady{since}: {reason}: {message}"),
                        ev,
                    ));
                }
            } else if PRESSURE.contains(&c.type_.as_str()) {
                match c.status.as_str() {
                    "True" => out.push(
                        mk(
                            "NODE-2",
                            Severity::Error,
                            format!("node is under {}: {reason}: {message}", c.type_),
                            vec![line],
                        )
                        .cause(pressure_cause(&c.type_)),
                    ),
                    "Unknown" => out.push(
                        mk(
                            "NODE-2",
                            Severity::Warning,
                            format!("node {} is unknown: {reason}: {message}", c.type_),
                            vec![line],
                        )
                        .cause(pressure_cause(&c.type_)),
                    ),
                    _ => {}
                }
            } else if c.type_ != "EtcdIsVoter" {
                let healthy_when_true = c.type_.ends_with("Ready");
                let unhealthy = if healthy_when_true { c.status == "False" } else { c.status == "True" };
                if unhealthy {
                    out.push(mk(
                        "NODE-3",
                        Severity::Warning,
                        format!("node reports {}={}: {reason}: {message}", c.type_, c.status),
                        vec![line],
                    ));
                } else if c.status == "Unknown" {
                    out.push(mk(
                        "NODE-3",
                        Severity::Info,
                        format!("node condition {} is Unknown: {reason}", c.type_),
                        vec![line],
                    ));
                }
            }
        }
        if let Some(ooms) = index.system_oom.get(name) {
            let count: i32 = ooms.iter().map(|e| e.count).sum();
            let victims: Vec<String> = ooms
                .iter()
                .filter_map(|e| {
                    e.message
                        .split("victim process: ")
                        .nth(1)
                        .map(|v| v.split(',').next().unwrap_or(v).trim().to_string())
                })
                .collect();
            let victim =
                if victims.is_empty() { String::new() } else { format!("; killed: {}", victims.join(", ")) };
            let ev = ooms.iter().rev().take(5).map(|e| event_line(e, now)).collect();
            out.push(mk(
                "NODE-4",
                Severity::Error,
                format!("node ran out of memory {count} time(s) (SystemOOM){victim}"),
                ev,
            ));
        }
        let spec = node.spec.clone().unwrap_or_default();
        let taints: Vec<String> = spec
            .taints
            .iter()
            .flatten()
            .filter(|t| (t.effect == "NoSchedule" || t.effect == "NoExecute") && !automatic_taint(&t.key))
            .map(|t| format!("{}={}:{}", t.key, t.value.clone().unwrap_or_default(), t.effect))
            .collect();
        let cordoned = spec.unschedulable.unwrap_or(false);
        if cordoned || !taints.is_empty() {
            let mut parts = Vec::new();
            if cordoned {
                parts.push("cordoned".to_string());
            }
            if !taints.is_empty() {
                parts.push(format!("tainted {}", taints.join(", ")));
            }
            out.push(
                mk(
                    "NODE-5",
                    Severity::Info,
                    format!("node is {}: only tolerating pods can be scheduled there", parts.join(" and ")),
                    taints
                        .iter()
                        .map(|t| format!("taint {t}"))
                        .chain(cordoned.then(|| "spec.unschedulable=true".to_string()))
                        .collect(),
                )
                .cause(if cordoned { "scheduling/cordoned" } else { "scheduling/taint" }),
            );
        }
    }
}

/// The cause tag of a node pressure condition.
fn pressure_cause(condition: &str) -> &'static str {
    match condition {
        "MemoryPressure" => "node/memory-pressure",
        "DiskPressure" => "node/disk-pressure",
        "PIDPressure" => "node/pid-pressure",
        _ => "node/not-ready",
    }
}
