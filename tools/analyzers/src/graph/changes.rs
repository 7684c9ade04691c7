//! Change events from the change timeline (`crate::changes`): workload revisions (images,
//! config, plain rollouts, rollbacks), scaling, and in-place edits of the ConfigMaps and Secrets
//! workloads read.

use rcagraph::schema::{Change as RcaChange, ChangeType, Node, NodeKind, Source};
use serde_json::{Value, json};

use crate::changes::{Change, Timeline, What, short_json};
use crate::rules::ObjRef;

use super::builder::{Builder, Class, entity_of, slug};

fn change(
    type_: ChangeType,
    field: Option<String>,
    before: Option<Value>,
    after: Option<Value>,
) -> RcaChange {
    RcaChange { type_, field, before, after, added: vec![], removed: vec![] }
}

impl Builder<'_> {
    /// One `change_event` node per change of the timeline that a rule can link: rollouts (one
    /// node per changed image, one for the other fields), rollbacks, scaling, and in-place edits
    /// of the ConfigMaps and Secrets running workloads read (a fact per reader).
    pub(super) fn changes(&mut self, timeline: &Timeline) {
        for c in timeline.real() {
            let workload = matches!(c.object.kind.as_str(), "Deployment" | "StatefulSet" | "DaemonSet");
            match c.what {
                What::Rollout | What::Rollback | What::Created if workload => self.rollout(c),
                What::Scaled | What::Autoscaled => {
                    let before = c.fields.first().map(|f| f.before.clone()).filter(|v| !v.is_null());
                    let after = c.fields.first().map(|f| f.after.clone()).filter(|v| !v.is_null());
                    let i = self.change_node(
                        c,
                        &format!("scale-{}", slug(&c.object.name)),
                        change(ChangeType::Scale, Some("spec.replicas".into()), before, after),
                        c.summary.clone(),
                    );
                    self.fact(i, Class::Change, c.object.clone(), c.object.clone(), None, c.summary.clone());
                }
                // A ConfigMap or Secret created for a rollout is read through that rollout,
                // which is its own node: only in-place edits are changes of their own.
                What::Edited
                    if matches!(c.object.kind.as_str(), "ConfigMap" | "Secret") && !c.readers.is_empty() =>
                {
                    let field = if c.object.kind == "Secret" { "data (values not read)" } else { "data" };
                    let id = format!("edit-{}-{}", slug(&c.object.kind), slug(&c.object.name));
                    let i = self.change_node(
                        c,
                        &id,
                        change(ChangeType::ConfigChange, Some(field.into()), None, None),
                        format!(
                            "{} {}",
                            c.object.kind,
                            c.summary.trim_start_matches(&format!("{} ", c.object.kind))
                        ),
                    );
                    for w in &c.readers {
                        self.fact(i, Class::Change, c.object.clone(), w.clone(), None, String::new());
                        self.facts.last_mut().expect("just pushed").changed = vec!["data".into()];
                    }
                }
                What::Created | What::Edited if c.object.kind == "NetworkPolicy" => self.policy(c),
                What::Created | What::Edited if c.object.kind == "ResourceQuota" => {
                    let id = format!("quota-{}", slug(&c.object.name));
                    let i = self.change_node(
                        c,
                        &id,
                        change(ChangeType::ConfigChange, Some("spec.hard".into()), None, None),
                        c.summary.clone(),
                    );
                    self.fact(i, Class::Quota, c.object.clone(), c.object.clone(), None, c.summary.clone());
                }
                What::Cordoned | What::Edited if c.object.kind == "Node" => {
                    let id = format!("node-change-{}", slug(&c.object.name));
                    let i = self.change_node(
                        c,
                        &id,
                        change(ChangeType::ConfigChange, Some("spec".into()), None, None),
                        c.summary.clone(),
                    );
                    let host = Some(c.object.name.clone());
                    self.fact(
                        i,
                        Class::NodeChange,
                        c.object.clone(),
                        c.object.clone(),
                        host,
                        c.summary.clone(),
                    );
                }
                _ => {}
            }
        }
    }

    /// A NetworkPolicy created or edited: one fact per workload whose pods it selects.
    fn policy(&mut self, c: &Change) {
        let Some(np) = self.data.objects.network_policies.iter().find(|p| {
            p.metadata.namespace.as_deref() == Some(c.object.namespace.as_str())
                && p.metadata.name.as_deref() == Some(c.object.name.as_str())
        }) else {
            return;
        };
        let selector = np
            .spec
            .as_ref()
            .and_then(|s| s.pod_selector.as_ref())
            .map(cluster::selector::Selector::from_label_selector)
            .unwrap_or_default();
        let mut selected: Vec<ObjRef> = self
            .data
            .objects
            .pods
            .iter()
            .filter(|p| p.metadata.namespace.as_deref() == Some(c.object.namespace.as_str()))
            .filter(|p| selector.matches(p.metadata.labels.as_ref()))
            .map(|p| self.idx.root("Pod", &p.metadata))
            .collect();
        selected.sort();
        selected.dedup();
        if selected.is_empty() {
            return;
        }
        let id = format!("policy-{}", slug(&c.object.name));
        let i = self.change_node(
            c,
            &id,
            change(ChangeType::ConfigChange, Some("spec".into()), None, None),
            c.summary.clone(),
        );
        for w in selected {
            self.fact(i, Class::Policy, c.object.clone(), w, None, c.summary.clone());
        }
    }

    fn change_node(&mut self, c: &Change, id: &str, change: RcaChange, description: String) -> usize {
        let mut n = Node::new("", NodeKind::ChangeEvent);
        n.time = Some(c.time);
        n.entity = Some(entity_of(&c.object));
        n.description = Some(description);
        n.source = Some(Source {
            system: Some("kubernetes".into()),
            // The record it was read from (`ReplicaSet/web-7d9f`), else the object itself.
            reference: Some(
                c.evidence
                    .rsplit(' ')
                    .next()
                    .filter(|r| r.contains('/'))
                    .map_or_else(|| format!("{}/{}", c.object.kind, c.object.name), String::from),
            ),
            actor: c.by.clone(),
        });
        n.change = Some(change);
        self.add(id, n)
    }

    /// A workload revision: image changes each on their own node (so a pull failure names the
    /// one that broke), the other fields together, a plain rollout or rollback otherwise.
    fn rollout(&mut self, c: &Change) {
        let owner = &c.object;
        let rev = c.revision.unwrap_or(0);
        let base = format!("revision {rev} of {} {}/{}", owner.kind, owner.namespace, owner.name);
        let mut made: Vec<(usize, Vec<String>)> = Vec::new();
        if c.what == What::Rollback {
            let i = self.change_node(
                c,
                &format!("rollback-{}-r{rev}", slug(&owner.name)),
                change(ChangeType::Rollback, None, None, None),
                format!("{base}: rolled back to an earlier pod template"),
            );
            made.push((i, Vec::new()));
        } else {
            for img in c.images.iter().filter(|i| !i.before.is_empty()) {
                let i = self.change_node(
                    c,
                    &format!("image-{}-r{rev}", slug(&owner.name)),
                    change(
                        ChangeType::ImageChange,
                        Some(format!("spec.template.spec.containers[{}].image", img.container)),
                        Some(json!(img.before)),
                        Some(json!(img.after)),
                    ),
                    format!("{base}: image of {} {} → {}", img.container, img.before, img.after),
                );
                made.push((i, vec![img.after.clone()]));
            }
            let changed_images = c.images.iter().any(|i| !i.before.is_empty());
            if !c.fields.is_empty() {
                let summary: Vec<String> = c
                    .fields
                    .iter()
                    .map(|f| format!("{} {} → {}", f.field, short_json(&f.before), short_json(&f.after)))
                    .collect();
                let before: serde_json::Map<String, Value> =
                    c.fields.iter().map(|f| (f.field.clone(), f.before.clone())).collect();
                let after: serde_json::Map<String, Value> =
                    c.fields.iter().map(|f| (f.field.clone(), f.after.clone())).collect();
                let fields: Vec<&str> = c.fields.iter().map(|f| f.field.as_str()).collect();
                let i = self.change_node(
                    c,
                    &format!("config-{}-r{rev}", slug(&owner.name)),
                    change(
                        ChangeType::ConfigChange,
                        Some(fields.join(",")),
                        Some(Value::Object(before)),
                        Some(Value::Object(after)),
                    ),
                    format!("{base}: {}", summary.join("; ")),
                );
                made.push((i, Vec::new()));
            } else if !changed_images {
                // A first revision, or a rollout of template metadata only.
                let what = if c.images.iter().all(|i| i.before.is_empty()) && !c.images.is_empty() {
                    let imgs: Vec<&str> = c.images.iter().map(|i| i.after.as_str()).collect();
                    format!("{base} (first revision kept) rolled out with image {}", imgs.join(", "))
                } else {
                    format!("{base} rolled out (pod template metadata only)")
                };
                let i = self.change_node(
                    c,
                    &format!("rollout-{}-r{rev}", slug(&owner.name)),
                    change(ChangeType::Deploy, None, None, None),
                    what,
                );
                let new: Vec<String> = c.images.iter().map(|i| i.after.clone()).collect();
                made.push((i, new));
            }
        }
        let changed: Vec<String> = c.fields.iter().map(|f| f.field.clone()).collect();
        for (i, images) in made {
            self.fact(i, Class::Change, owner.clone(), owner.clone(), None, String::new());
            let f = self.facts.last_mut().expect("just pushed");
            f.new_images = images;
            f.changed.clone_from(&changed);
        }
    }
}
