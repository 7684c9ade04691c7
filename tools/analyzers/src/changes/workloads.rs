//! Workload changes: revisions (Deployments through their ReplicaSets, StatefulSets and
//! DaemonSets through their ControllerRevisions), rollbacks, manual scaling and HPA rescales.

use std::collections::{BTreeSet, HashMap};

use jiff::Timestamp;
use k8s_openapi::api::apps::v1::ReplicaSet;
use k8s_openapi::api::core::v1::PodSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde_json::{Value, json};

use super::model::{Change, FieldChange, ImageChange, What, Window};
use crate::rules::ObjRef;
use cluster::data::ClusterData;
use cluster::events::EventRecord;
use cluster::spec::{self, EnvValue, RefKind, SpecChange, SpecRef, references};

/// One revision of a workload's pod template, wherever it was recorded.
struct Revision<'a> {
    number: i64,
    /// `ReplicaSet/x` or `ControllerRevision/y`.
    evidence: String,
    created: Option<Timestamp>,
    /// A Deployment rollback re-uses an old ReplicaSet and records it in this annotation.
    rolled_back: bool,
    spec: Option<PodSpec>,
    meta: &'a ObjectMeta,
}

fn revision_annotation(m: &ObjectMeta) -> Option<i64> {
    m.annotations.as_ref()?.get("deployment.kubernetes.io/revision")?.parse().ok()
}

/// Deployment revisions from their ReplicaSets.
pub(super) fn deployments(
    data: &ClusterData,
    events: &[EventRecord],
    window: &Window,
    out: &mut Vec<Change>,
) {
    // One pass over the ReplicaSets and the scale-ups, so a cluster of thousands of
    // Deployments and tens of thousands of events is read in linear time.
    let mut sets: HashMap<(&str, &str), Vec<&ReplicaSet>> = HashMap::new();
    for r in &data.objects.replica_sets {
        let ns = r.metadata.namespace.as_deref().unwrap_or("");
        for o in r.metadata.owner_references.iter().flatten().filter(|o| o.kind == "Deployment") {
            sets.entry((ns, o.name.as_str())).or_default().push(r);
        }
    }
    // (namespace, replica set) → its earliest scale-up.
    let mut scaled_up: HashMap<(String, String), jiff::Timestamp> = HashMap::new();
    for e in events.iter().filter(|e| e.reason == "ScalingReplicaSet" && e.message.contains("Scaled up")) {
        let (Some((rs, _, _)), Some(t)) = (parse_scaling(&e.message), e.first.or(e.last)) else { continue };
        let at = scaled_up.entry((e.namespace.clone().unwrap_or_default(), rs)).or_insert(t);
        *at = (*at).min(t);
    }
    for d in &data.objects.deployments {
        let ns = d.metadata.namespace.clone().unwrap_or_default();
        let name = d.metadata.name.clone().unwrap_or_default();
        if !window.in_scope(&ns) {
            continue;
        }
        let revisions: Vec<Revision> = sets
            .get(&(ns.as_str(), name.as_str()))
            .into_iter()
            .flatten()
            .filter_map(|r| {
                let rs_name = r.metadata.name.clone().unwrap_or_default();
                // A rollback re-uses an old ReplicaSet: its creation time is old, so its
                // scale-up says when.
                let scaled_up = scaled_up.get(&(ns.clone(), rs_name.clone())).copied();
                let rolled_back = r
                    .metadata
                    .annotations
                    .as_ref()
                    .is_some_and(|a| a.contains_key("deployment.kubernetes.io/revision-history"));
                let created = r.metadata.creation_timestamp.as_ref().map(|t| t.0);
                Some(Revision {
                    number: revision_annotation(&r.metadata)?,
                    evidence: format!("ReplicaSet/{rs_name}"),
                    created: if rolled_back { scaled_up.or(created) } else { created.or(scaled_up) },
                    rolled_back,
                    spec: r.spec.as_ref().and_then(|s| s.template.as_ref()).and_then(|t| t.spec.clone()),
                    meta: &r.metadata,
                })
            })
            .collect();
        rollouts(&ObjRef::new("Deployment", &ns, &name), revisions, window, out);
    }
}

/// StatefulSet and DaemonSet revisions from their ControllerRevisions.
pub(super) fn controller_revisions(data: &ClusterData, window: &Window, out: &mut Vec<Change>) {
    let owners = data
        .objects
        .stateful_sets
        .iter()
        .map(|s| ("StatefulSet", &s.metadata))
        .chain(data.objects.daemon_sets.iter().map(|d| ("DaemonSet", &d.metadata)));
    let mut by_owner: HashMap<(&str, &str, &str), Vec<&k8s_openapi::api::apps::v1::ControllerRevision>> =
        HashMap::new();
    for r in &data.objects.controller_revisions {
        let ns = r.metadata.namespace.as_deref().unwrap_or("");
        for o in r.metadata.owner_references.iter().flatten() {
            by_owner.entry((ns, o.kind.as_str(), o.name.as_str())).or_default().push(r);
        }
    }
    for (kind, m) in owners {
        let ns = m.namespace.clone().unwrap_or_default();
        let name = m.name.clone().unwrap_or_default();
        if !window.in_scope(&ns) {
            continue;
        }
        let revisions: Vec<Revision> = by_owner
            .get(&(ns.as_str(), kind, name.as_str()))
            .into_iter()
            .flatten()
            .map(|r| Revision {
                number: r.revision,
                evidence: format!("ControllerRevision/{}", r.metadata.name.as_deref().unwrap_or("")),
                created: r.metadata.creation_timestamp.as_ref().map(|t| t.0),
                rolled_back: false,
                spec: r
                    .data
                    .as_ref()
                    .and_then(|d| d.0.pointer("/spec/template/spec"))
                    .and_then(|s| serde_json::from_value(s.clone()).ok()),
                meta: &r.metadata,
            })
            .collect();
        rollouts(&ObjRef::new(kind, &ns, &name), revisions, window, out);
    }
}

/// One change per revision in the window, each diffed against the revision before it.
fn rollouts(owner: &ObjRef, mut revisions: Vec<Revision>, window: &Window, out: &mut Vec<Change>) {
    revisions.sort_by_key(|r| r.number);
    for (k, rev) in revisions.iter().enumerate() {
        let Some(time) = rev.created.filter(|t| window.contains(*t)) else { continue };
        let by =
            rev.meta.annotations.as_ref().and_then(|a| a.get(cluster::sanitize::LAST_UPDATED_BY)).cloned();
        let base = Change {
            time,
            what: What::Rollout,
            object: owner.clone(),
            summary: String::new(),
            revision: Some(rev.number),
            by: by.filter(|b| !is_controller(b)),
            images: Vec::new(),
            fields: Vec::new(),
            readers: Vec::new(),
            evidence: rev.evidence.clone(),
            bookkeeping: false,
        };
        let previous = k.checked_sub(1).and_then(|p| revisions[p].spec.as_ref());
        let change =
            match (previous, rev.spec.as_ref()) {
                _ if rev.rolled_back => Change {
                    what: What::Rollback,
                    summary: format!("revision {}: rolled back to an earlier pod template", rev.number),
                    ..base
                },
                (Some(a), Some(b)) => {
                    let d = diff(a, b);
                    let mut parts: Vec<String> = d
                        .images
                        .iter()
                        .map(|i| format!("image of {} {} → {}", i.container, i.before, i.after))
                        .collect();
                    parts.extend(d.fields.iter().map(|f| {
                        format!("{} {} → {}", f.field, short_json(&f.before), short_json(&f.after))
                    }));
                    let summary = if parts.is_empty() {
                        format!("revision {} rolled out (pod template metadata only)", rev.number)
                    } else {
                        format!("revision {}: {}", rev.number, parts.join("; "))
                    };
                    Change { summary, images: d.images, fields: d.fields, ..base }
                }
                (Some(_), None) => Change {
                    summary: format!("revision {} rolled out (pod template not recorded)", rev.number),
                    ..base
                },
                (None, spec) => {
                    let images: Vec<ImageChange> = spec
                        .map(|s| {
                            s.containers
                                .iter()
                                .map(|c| ImageChange {
                                    container: c.name.clone(),
                                    before: String::new(),
                                    after: c.image.clone().unwrap_or_default(),
                                })
                                .collect()
                        })
                        .unwrap_or_default();
                    let shown: Vec<&str> = images.iter().map(|i| i.after.as_str()).collect();
                    let first = if rev.number == 1 {
                        "first revision".to_string()
                    } else {
                        format!("revision {} (earlier revisions not kept)", rev.number)
                    };
                    Change {
                        what: if rev.number == 1 { What::Created } else { What::Rollout },
                        summary: format!("{first}, image {}", shown.join(", ")),
                        images,
                        ..base
                    }
                }
            };
        out.push(change);
    }
}

/// Manual scaling (a `ScalingReplicaSet` outside a rollout) and HPA rescales.
pub(super) fn scaling(data: &ClusterData, events: &[EventRecord], window: &Window, out: &mut Vec<Change>) {
    let rollouts: Vec<(ObjRef, Timestamp)> = out
        .iter()
        .filter(|c| matches!(c.what, What::Rollout | What::Rollback | What::Created))
        .map(|c| (c.object.clone(), c.time))
        .collect();
    for e in events.iter().filter(|e| e.reason == "ScalingReplicaSet" && e.kind == "Deployment") {
        let ns = e.namespace.clone().unwrap_or_default();
        let Some(t) = e.first.or(e.last).filter(|t| window.contains(*t)) else { continue };
        if !window.in_scope(&ns) {
            continue;
        }
        let Some((rs_name, after, before)) = parse_scaling(&e.message) else { continue };
        let rs = data.objects.replica_sets.iter().find(|r| {
            r.metadata.namespace.as_deref() == Some(ns.as_str())
                && r.metadata.name.as_deref() == Some(rs_name.as_str())
        });
        let created = rs.and_then(|r| r.metadata.creation_timestamp.as_ref()).map(|c| c.0);
        let owner = ObjRef::new("Deployment", &ns, &e.name);
        // A rollout scales its ReplicaSets up and down itself: those are part of it.
        let part_of_rollout = created.is_none_or(|c| t.duration_since(c).as_secs() < 600)
            || rs.is_some_and(|r| {
                r.metadata
                    .annotations
                    .as_ref()
                    .is_some_and(|a| a.contains_key("deployment.kubernetes.io/revision-history"))
            })
            || rollouts.iter().any(|(o, rt)| *o == owner && t.duration_since(*rt).abs().as_secs() < 600);
        if part_of_rollout {
            continue;
        }
        out.push(Change {
            time: t,
            what: What::Scaled,
            object: owner,
            summary: format!("scaled: {}", e.message),
            revision: None,
            by: None,
            images: Vec::new(),
            fields: vec![FieldChange {
                field: "spec.replicas".into(),
                before: before.map_or(Value::Null, |b| json!(b)),
                after: json!(after),
            }],
            readers: Vec::new(),
            evidence: format!("event ScalingReplicaSet on ReplicaSet/{rs_name}"),
            bookkeeping: false,
        });
    }
    for e in events.iter().filter(|e| e.reason == "SuccessfulRescale" && e.kind == "HorizontalPodAutoscaler")
    {
        let ns = e.namespace.clone().unwrap_or_default();
        let Some(t) = e.first.or(e.last).filter(|t| window.contains(*t)) else { continue };
        if !window.in_scope(&ns) {
            continue;
        }
        let target = data
            .objects
            .hpas
            .iter()
            .find(|h| {
                h.metadata.namespace.as_deref() == Some(ns.as_str())
                    && h.metadata.name.as_deref() == Some(&e.name)
            })
            .and_then(|h| h.spec.as_ref())
            .map_or_else(
                || ObjRef::new("HorizontalPodAutoscaler", &ns, &e.name),
                |s| ObjRef::new(&s.scale_target_ref.kind, &ns, &s.scale_target_ref.name),
            );
        let after = e
            .message
            .split("New size: ")
            .nth(1)
            .and_then(|s| s.split([';', ' ']).next())
            .and_then(|s| s.parse::<u64>().ok());
        out.push(Change {
            time: t,
            what: What::Autoscaled,
            object: target,
            summary: format!("HPA {} rescaled: {}", e.name, e.message),
            revision: None,
            by: Some("horizontal-pod-autoscaler".into()),
            images: Vec::new(),
            fields: vec![FieldChange {
                field: "spec.replicas".into(),
                before: Value::Null,
                after: after.map_or(Value::Null, |a| json!(a)),
            }],
            readers: Vec::new(),
            evidence: format!("event SuccessfulRescale on HorizontalPodAutoscaler/{}", e.name),
            bookkeeping: false,
        });
    }
}

/// Field managers that are controllers keeping the cluster's books, not people or their tools.
pub(super) fn is_controller(manager: &str) -> bool {
    matches!(
        manager,
        "kube-controller-manager"
            | "kube-scheduler"
            | "kubelet"
            | "kube-apiserver"
            | "cloud-controller-manager"
            | "cluster-autoscaler"
            | "kube-proxy"
            | "node-controller"
            | "k3s"
            | "rke2"
    ) || manager.ends_with("-leader-election")
}

/// `Scaled up replica set X to N` / `Scaled down replica set X to N from M` → (X, N, M).
pub(crate) fn parse_scaling(message: &str) -> Option<(String, u64, Option<u64>)> {
    let rest = message.split("replica set ").nth(1)?;
    let (rs, rest) = rest.split_once(" to ")?;
    let mut words = rest.split_whitespace();
    let after = words.next()?.trim_end_matches(|c: char| !c.is_ascii_digit()).parse().ok()?;
    let before = match (words.next(), words.next()) {
        (Some("from"), Some(b)) => b.trim_end_matches(|c: char| !c.is_ascii_digit()).parse().ok(),
        _ => None,
    };
    Some((rs.to_string(), after, before))
}

/// The ConfigMaps and Secrets a pod spec reads (`ConfigMap/name`, `Secret/name`).
pub fn spec_refs(s: &PodSpec) -> BTreeSet<String> {
    references(s)
        .into_iter()
        .filter(|r| r.kind != RefKind::PersistentVolumeClaim)
        .map(|r| r.to_string())
        .collect()
}

/// What changed between two pod templates, typed.
#[derive(Debug, Default)]
pub struct Diff {
    /// Image changes, one per container.
    pub images: Vec<ImageChange>,
    /// Everything else; values as they are after redaction.
    pub fields: Vec<FieldChange>,
}

/// The change between two templates: image changes on their own, every other difference as a
/// (field, before, after) line.
pub fn diff(a: &PodSpec, b: &PodSpec) -> Diff {
    let env = |v: Option<EnvValue>| match v {
        None => Value::Null,
        Some(EnvValue::Literal(s)) => Value::String(s),
        Some(EnvValue::From(_)) => json!("(from a reference)"),
    };
    let mut d = Diff::default();
    let mut field =
        |field: String, before: Value, after: Value| d.fields.push(FieldChange { field, before, after });
    let mut images = Vec::new();
    for c in spec::diff(a, b) {
        match c {
            SpecChange::ContainerAdded(name) => {
                field(format!("containers[{name}]"), Value::Null, json!("added"));
            }
            SpecChange::ContainerRemoved(name) => {
                field(format!("containers[{name}]"), json!("present"), Value::Null);
            }
            SpecChange::Image { container, before, after } => {
                images.push(ImageChange { container, before, after });
            }
            SpecChange::Env { container, key, before, after } => {
                field(format!("containers[{container}].env.{key}"), env(before), env(after));
            }
            SpecChange::Resources { container, before, after } => field(
                format!("containers[{container}].resources"),
                serde_json::to_value(&before).unwrap_or(Value::Null),
                serde_json::to_value(&after).unwrap_or(Value::Null),
            ),
            SpecChange::Command { container, before, after } => {
                field(format!("containers[{container}].command"), json!(before), json!(after));
            }
            SpecChange::Args { container, before, after } => {
                field(format!("containers[{container}].args"), json!(before), json!(after));
            }
            SpecChange::Probes { container } => {
                field(format!("containers[{container}].probes"), json!("previous"), json!("changed"));
            }
            SpecChange::References { added, removed } => {
                // Only what changed: the ConfigMaps and Secrets no longer read, and the new ones.
                let config = |refs: Vec<SpecRef>| -> Vec<String> {
                    refs.into_iter()
                        .filter(|r| r.kind != RefKind::PersistentVolumeClaim)
                        .map(|r| r.to_string())
                        .collect()
                };
                let (gone, new) = (config(removed), config(added));
                if !gone.is_empty() || !new.is_empty() {
                    field("config references".into(), json!(gone), json!(new));
                }
            }
        }
    }
    d.images = images;
    d
}

/// A value short enough for a one-line summary.
pub(crate) fn short_json(v: &Value) -> String {
    let s = match v {
        Value::String(s) => format!("{s:?}"),
        Value::Null => "none".into(),
        other => other.to_string(),
    };
    prompts::ellipsis(&s, 60)
}
