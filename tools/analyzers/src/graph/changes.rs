//! Change events: Deployment revisions (images, config, plain rollouts, rollbacks), manual
//! scaling and HPA rescales, and in-place edits of the ConfigMaps and Secrets workloads read.

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;
use k8s_openapi::api::core::v1::PodSpec;
use rcagraph::schema::{Change, ChangeType, Node, NodeKind, Source};
use serde_json::{Value, json};

use crate::rules::ObjRef;
use cluster::events::EventRecord;

use cluster::spec::{self, EnvValue, RefKind, SpecChange, SpecRef, references};

use super::builder::{Builder, Class, entity_of, short_json, slug};

impl Builder<'_> {
    pub(super) fn revisions(&mut self, all_events: &[EventRecord]) {
        let data = self.data;
        for d in &data.objects.deployments {
            let ns = d.metadata.namespace.clone().unwrap_or_default();
            let name = d.metadata.name.clone().unwrap_or_default();
            if !self.in_scope(&ns) {
                continue;
            }
            let rev_of = |m: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta| {
                m.annotations
                    .as_ref()
                    .and_then(|a| a.get("deployment.kubernetes.io/revision"))
                    .and_then(|v| v.parse::<i64>().ok())
            };
            let mut sets: Vec<_> = data
                .objects
                .replica_sets
                .iter()
                .filter(|r| {
                    r.metadata.namespace.as_deref() == Some(ns.as_str())
                        && r.metadata
                            .owner_references
                            .iter()
                            .flatten()
                            .any(|o| o.kind == "Deployment" && o.name == name)
                })
                .filter_map(|r| Some((rev_of(&r.metadata)?, r)))
                .collect();
            sets.sort_by_key(|(rev, _)| *rev);
            for w in sets.windows(2) {
                let ((_, prev), (rev, rs)) = (&w[0], &w[1]);
                let rs_name = rs.metadata.name.clone().unwrap_or_default();
                let history = rs
                    .metadata
                    .annotations
                    .as_ref()
                    .and_then(|a| a.get("deployment.kubernetes.io/revision-history"))
                    .cloned();
                // A rollback re-uses an old ReplicaSet: its creation time is old, so the scale-up says when.
                let scaled_up = all_events
                    .iter()
                    .filter(|e| {
                        e.reason == "ScalingReplicaSet"
                            && e.name == name
                            && e.message.contains(&format!("replica set {rs_name} to"))
                            && e.message.contains("Scaled up")
                    })
                    .filter_map(|e| e.first.or(e.last))
                    .min();
                let created = rs.metadata.creation_timestamp.as_ref().map(|t| t.0);
                let time = if history.is_some() { scaled_up.or(created) } else { created.or(scaled_up) };
                let Some(time) = time.filter(|t| self.in_window(*t)) else { continue };
                let (Some(a), Some(b)) = (
                    prev.spec.as_ref().and_then(|s| s.template.as_ref()).and_then(|t| t.spec.as_ref()),
                    rs.spec.as_ref().and_then(|s| s.template.as_ref()).and_then(|t| t.spec.as_ref()),
                ) else {
                    continue;
                };
                let owner = ObjRef::new("Deployment", &ns, &name);
                let source = Source {
                    system: Some("kubernetes".into()),
                    reference: Some(format!("ReplicaSet/{rs_name}")),
                    actor: None,
                };
                let diff = diff(a, b);
                let mut made = Vec::new();
                let base_desc = format!("revision {rev} of Deployment {ns}/{name}");
                if history.is_some() {
                    let mut n = Node::new("", NodeKind::ChangeEvent);
                    n.time = Some(time);
                    n.entity = Some(entity_of(&owner));
                    n.source = Some(source.clone());
                    n.description = Some(format!("{base_desc}: rolled back to an earlier pod template"));
                    n.change = Some(Change {
                        type_: ChangeType::Rollback,
                        field: None,
                        before: None,
                        after: None,
                        added: vec![],
                        removed: vec![],
                    });
                    made.push((self.add(&format!("rollback-{}-r{rev}", slug(&name)), n), Vec::new()));
                } else {
                    for (container, before, after) in &diff.images {
                        let mut n = Node::new("", NodeKind::ChangeEvent);
                        n.time = Some(time);
                        n.entity = Some(entity_of(&owner));
                        n.source = Some(source.clone());
                        n.description = Some(format!("{base_desc}: image of {container} {before} → {after}"));
                        n.change = Some(Change {
                            type_: ChangeType::ImageChange,
                            field: Some(format!("spec.template.spec.containers[{container}].image")),
                            before: Some(json!(before)),
                            after: Some(json!(after)),
                            added: vec![],
                            removed: vec![],
                        });
                        let i = self.add(&format!("image-{}-r{rev}", slug(&name)), n);
                        made.push((i, vec![after.clone()]));
                    }
                    if !diff.config.is_empty() || diff.images.is_empty() {
                        let mut n = Node::new("", NodeKind::ChangeEvent);
                        n.time = Some(time);
                        n.entity = Some(entity_of(&owner));
                        n.source = Some(source.clone());
                        if diff.config.is_empty() {
                            n.description =
                                Some(format!("{base_desc} rolled out (pod template metadata only)"));
                            n.change = Some(Change {
                                type_: ChangeType::Deploy,
                                field: None,
                                before: None,
                                after: None,
                                added: vec![],
                                removed: vec![],
                            });
                            made.push((self.add(&format!("rollout-{}-r{rev}", slug(&name)), n), Vec::new()));
                        } else {
                            let summary: Vec<String> = diff
                                .config
                                .iter()
                                .map(|(f, b, a)| format!("{f} {} → {}", short_json(b), short_json(a)))
                                .collect();
                            n.description = Some(format!("{base_desc}: {}", summary.join("; ")));
                            let before: serde_json::Map<String, Value> =
                                diff.config.iter().map(|(f, b, _)| (f.clone(), b.clone())).collect();
                            let after: serde_json::Map<String, Value> =
                                diff.config.iter().map(|(f, _, a)| (f.clone(), a.clone())).collect();
                            n.change = Some(Change {
                                type_: ChangeType::ConfigChange,
                                field: Some(
                                    diff.config
                                        .iter()
                                        .map(|(f, _, _)| f.as_str())
                                        .collect::<Vec<_>>()
                                        .join(","),
                                ),
                                before: Some(Value::Object(before)),
                                after: Some(Value::Object(after)),
                                added: vec![],
                                removed: vec![],
                            });
                            made.push((self.add(&format!("config-{}-r{rev}", slug(&name)), n), Vec::new()));
                        }
                    }
                }
                for (i, images) in made {
                    self.fact(i, Class::Change, owner.clone(), owner.clone(), None, String::new());
                    self.facts.last_mut().expect("just pushed").new_images = images;
                }
            }
        }
        // Manual scaling: a ScalingReplicaSet of a ReplicaSet that is not new at the time (a
        // rollout's own scale-ups are the revision nodes above).
        for e in all_events.iter().filter(|e| e.reason == "ScalingReplicaSet" && e.kind == "Deployment") {
            let ns = e.namespace.clone().unwrap_or_default();
            let Some(t) = e.first.or(e.last).filter(|t| self.in_window(*t)) else { continue };
            if !self.in_scope(&ns) {
                continue;
            }
            let Some((rs_name, after, before)) = parse_scaling(&e.message) else { continue };
            let rs = data.objects.replica_sets.iter().find(|r| {
                r.metadata.namespace.as_deref() == Some(ns.as_str())
                    && r.metadata.name.as_deref() == Some(rs_name.as_str())
            });
            let created = rs.and_then(|r| r.metadata.creation_timestamp.as_ref()).map(|c| c.0);
            let rollback = rs
                .and_then(|r| r.metadata.annotations.as_ref())
                .is_some_and(|a| a.contains_key("deployment.kubernetes.io/revision-history"));
            let part_of_rollout = created.is_none_or(|c| t.duration_since(c).as_secs() < 600)
                || rollback
                || self.facts.iter().any(|f| {
                    f.class == Class::Change
                        && f.root.name == e.name
                        && t.duration_since(f.time).abs().as_secs() < 600
                });
            if part_of_rollout {
                continue;
            }
            let owner = ObjRef::new("Deployment", &ns, &e.name);
            let mut n = Node::new("", NodeKind::ChangeEvent);
            n.time = Some(t);
            n.entity = Some(entity_of(&owner));
            n.description = Some(format!("Deployment {ns}/{} scaled: {}", e.name, e.message));
            n.source = Some(Source {
                system: Some("kubernetes".into()),
                reference: Some(format!("ReplicaSet/{rs_name}")),
                actor: None,
            });
            n.change = Some(Change {
                type_: ChangeType::Scale,
                field: Some("spec.replicas".into()),
                before: before.map(|b| json!(b)),
                after: Some(json!(after)),
                added: vec![],
                removed: vec![],
            });
            let i = self.add(&format!("scale-{}", slug(&e.name)), n);
            self.fact(i, Class::Change, owner.clone(), owner, None, e.message.clone());
        }
        // HPA rescales.
        for e in all_events
            .iter()
            .filter(|e| e.reason == "SuccessfulRescale" && e.kind == "HorizontalPodAutoscaler")
        {
            let ns = e.namespace.clone().unwrap_or_default();
            let Some(t) = e.first.or(e.last).filter(|t| self.in_window(*t)) else { continue };
            if !self.in_scope(&ns) {
                continue;
            }
            let target = self
                .data
                .objects
                .hpas
                .iter()
                .find(|h| {
                    h.metadata.namespace.as_deref() == Some(ns.as_str())
                        && h.metadata.name.as_deref() == Some(e.name.as_str())
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
            let mut n = Node::new("", NodeKind::ChangeEvent);
            n.time = Some(t);
            n.entity = Some(entity_of(&target));
            n.description = Some(format!("HPA {} rescaled {}: {}", e.name, target.name, e.message));
            n.source = Some(Source {
                system: Some("kubernetes".into()),
                reference: Some(format!("HorizontalPodAutoscaler/{}", e.name)),
                actor: None,
            });
            n.change = Some(Change {
                type_: ChangeType::Scale,
                field: Some("spec.replicas".into()),
                before: None,
                after: after.map(|a| json!(a)),
                added: vec![],
                removed: vec![],
            });
            let i = self.add(&format!("scale-{}", slug(&target.name)), n);
            self.fact(i, Class::Change, target.clone(), target, None, e.message.clone());
        }
    }

    /// In-place edits of the ConfigMaps and Secrets running workloads read: no revision records
    /// them, but the write time survives sanitizing as an annotation.
    pub(super) fn config_edits(&mut self) {
        let mut users: BTreeMap<String, BTreeSet<ObjRef>> = BTreeMap::new();
        for p in &self.data.objects.pods {
            let ns = p.metadata.namespace.clone().unwrap_or_default();
            if !self.in_scope(&ns) {
                continue;
            }
            let Some(spec) = &p.spec else { continue };
            let root = self.idx.root("Pod", &p.metadata);
            for r in spec_refs(spec) {
                users.entry(format!("{ns}/{r}")).or_default().insert(root.clone());
            }
        }
        let metas = self
            .data
            .objects
            .config_maps
            .iter()
            .map(|c| ("ConfigMap", &c.metadata))
            .chain(self.data.objects.secrets.iter().map(|s| ("Secret", &s.metadata)));
        let mut found = Vec::new();
        for (kind, m) in metas {
            let ns = m.namespace.clone().unwrap_or_default();
            let name = m.name.clone().unwrap_or_default();
            let Some(workloads) = users.get(&format!("{ns}/{kind}/{name}")) else { continue };
            let notes = m.annotations.as_ref();
            let Some(updated) = notes
                .and_then(|a| a.get(cluster::sanitize::LAST_UPDATED))
                .and_then(|t| t.parse::<Timestamp>().ok())
                .filter(|t| self.in_window(*t))
            else {
                continue;
            };
            // The first write is the creation, not an edit.
            if m.creation_timestamp.as_ref().is_some_and(|c| updated.duration_since(c.0).as_secs() < 2) {
                continue;
            }
            let by = notes.and_then(|a| a.get(cluster::sanitize::LAST_UPDATED_BY)).cloned();
            found.push((kind, ns, name, updated, by, workloads.clone()));
        }
        for (kind, ns, name, updated, by, workloads) in found {
            let object = ObjRef::new(kind, &ns, &name);
            let mut n = Node::new("", NodeKind::ChangeEvent);
            n.time = Some(updated);
            n.entity = Some(entity_of(&object));
            let readers: Vec<String> =
                workloads.iter().map(|w| format!("{} {}/{}", w.kind, w.namespace, w.name)).collect();
            n.description = Some(format!(
                "{kind} {ns}/{name} was edited in place{} (read by {})",
                by.as_deref().map(|b| format!(" by {b}")).unwrap_or_default(),
                readers.join(", ")
            ));
            n.change = Some(Change {
                type_: ChangeType::ConfigChange,
                field: Some(if kind == "Secret" { "data (values not read)".into() } else { "data".into() }),
                before: None,
                after: None,
                added: vec![],
                removed: vec![],
            });
            n.source = Some(Source {
                system: Some("kubernetes".into()),
                reference: Some(format!("{kind}/{name}")),
                actor: by,
            });
            let i = self.add(&format!("edit-{}-{}", slug(kind), slug(&name)), n);
            for w in workloads {
                self.fact(i, Class::Change, object.clone(), w, None, String::new());
            }
        }
    }
}

/// `Scaled up replica set X to N` / `Scaled down replica set X to N from M` → (X, N, M).
pub(super) fn parse_scaling(message: &str) -> Option<(String, u64, Option<u64>)> {
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
pub(super) fn spec_refs(s: &PodSpec) -> BTreeSet<String> {
    references(s)
        .into_iter()
        .filter(|r| r.kind != RefKind::PersistentVolumeClaim)
        .map(|r| r.to_string())
        .collect()
}

/// What changed between two pod templates, typed.
#[derive(Debug, Default)]
pub(super) struct Diff {
    /// (container, before, after).
    images: Vec<(String, String, String)>,
    /// (field, before, after) for everything else; values as they are after redaction.
    config: Vec<(String, Value, Value)>,
}

/// The change between two templates as the graph shows it: image changes on their own, every
/// other difference as a (field, before, after) line.
pub(super) fn diff(a: &PodSpec, b: &PodSpec) -> Diff {
    let env = |v: Option<EnvValue>| match v {
        None => Value::Null,
        Some(EnvValue::Literal(s)) => Value::String(s),
        Some(EnvValue::From(_)) => json!("(from a reference)"),
    };
    let mut d = Diff::default();
    for c in spec::diff(a, b) {
        match c {
            SpecChange::ContainerAdded(name) => {
                d.config.push((format!("containers[{name}]"), Value::Null, json!("added")));
            }
            SpecChange::ContainerRemoved(name) => {
                d.config.push((format!("containers[{name}]"), json!("present"), Value::Null));
            }
            SpecChange::Image { container, before, after } => d.images.push((container, before, after)),
            SpecChange::Env { container, key, before, after } => {
                d.config.push((format!("containers[{container}].env.{key}"), env(before), env(after)));
            }
            SpecChange::Resources { container, before, after } => d.config.push((
                format!("containers[{container}].resources"),
                serde_json::to_value(&before).unwrap_or(Value::Null),
                serde_json::to_value(&after).unwrap_or(Value::Null),
            )),
            SpecChange::Args { container, before, after } => {
                d.config.push((format!("containers[{container}].args"), json!(before), json!(after)));
            }
            SpecChange::Probes { container } => {
                d.config.push((
                    format!("containers[{container}].probes"),
                    json!("previous"),
                    json!("changed"),
                ));
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
                    d.config.push(("config references".into(), json!(gone), json!(new)));
                }
            }
        }
    }
    d
}
