//! Objects created or edited in place (policies, Services, Ingresses, autoscalers, budgets,
//! quotas, ConfigMaps and Secrets), Helm releases, and node joins, removals, cordons and edits.

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::model::{Change, What, Window};
use super::workloads::{is_controller, spec_refs};
use crate::rules::{Index, ObjRef};
use cluster::data::ClusterData;
use cluster::events::EventRecord;
use cluster::sanitize::{LAST_UPDATED, LAST_UPDATED_BY};

/// Objects that only a controller writes, to keep its own books.
fn bookkeeping_object(name: &str) -> bool {
    name == "kube-root-ca.crt"
        || name.ends_with("-leader-election")
        || name.ends_with("-leader")
        || name == "cluster-autoscaler-status"
        || name == "extension-apiserver-authentication"
}

fn last_update(m: &ObjectMeta) -> Option<(Timestamp, Option<String>)> {
    let a = m.annotations.as_ref()?;
    let t = a.get(LAST_UPDATED)?.parse::<Timestamp>().ok()?;
    Some((t, a.get(LAST_UPDATED_BY).cloned()))
}

fn change(time: Timestamp, what: What, object: ObjRef, summary: String, evidence: &str) -> Change {
    Change {
        time,
        what,
        object,
        summary,
        revision: None,
        by: None,
        images: Vec::new(),
        fields: Vec::new(),
        readers: Vec::new(),
        evidence: evidence.to_string(),
        bookkeeping: false,
    }
}

/// A Helm release record (`sh.helm.release.v1.<release>.v<N>`): each is one install or upgrade.
fn helm_release(name: &str) -> Option<(&str, &str)> {
    let rest = name.strip_prefix("sh.helm.release.v1.")?;
    let (release, version) = rest.rsplit_once(".v")?;
    version.parse::<u32>().ok()?;
    Some((release, version))
}

/// Creations and in-place edits of the kinds whose changes break workloads.
pub(super) fn objects(data: &ClusterData, idx: &Index, window: &Window, out: &mut Vec<Change>) {
    // Which workloads read each ConfigMap and Secret, so a timeline can say who an edit hits.
    let mut readers: BTreeMap<String, BTreeSet<ObjRef>> = BTreeMap::new();
    for p in &data.objects.pods {
        let ns = p.metadata.namespace.clone().unwrap_or_default();
        let Some(spec) = &p.spec else { continue };
        let root = idx.root("Pod", &p.metadata);
        for r in spec_refs(spec) {
            readers.entry(format!("{ns}/{r}")).or_default().insert(root.clone());
        }
    }
    let o = &data.objects;
    let metas = o
        .network_policies
        .iter()
        .map(|x| ("NetworkPolicy", &x.metadata))
        .chain(o.services.iter().map(|x| ("Service", &x.metadata)))
        .chain(o.ingresses.iter().map(|x| ("Ingress", &x.metadata)))
        .chain(o.hpas.iter().map(|x| ("HorizontalPodAutoscaler", &x.metadata)))
        .chain(o.pdbs.iter().map(|x| ("PodDisruptionBudget", &x.metadata)))
        .chain(o.quotas.iter().map(|x| ("ResourceQuota", &x.metadata)))
        .chain(o.config_maps.iter().map(|x| ("ConfigMap", &x.metadata)))
        .chain(o.secrets.iter().map(|x| ("Secret", &x.metadata)));
    for (kind, m) in metas {
        let ns = m.namespace.clone().unwrap_or_default();
        let name = m.name.clone().unwrap_or_default();
        if !window.in_scope(&ns) {
            continue;
        }
        let object = ObjRef::new(kind, &ns, &name);
        let read_by: Vec<ObjRef> = readers
            .get(&format!("{ns}/{kind}/{name}"))
            .map(|r| r.iter().cloned().collect())
            .unwrap_or_default();
        let readers_note = if read_by.is_empty() {
            String::new()
        } else {
            let names: Vec<String> =
                read_by.iter().map(|w| format!("{} {}/{}", w.kind, w.namespace, w.name)).collect();
            format!(" (read by {})", names.join(", "))
        };
        let created = m.creation_timestamp.as_ref().map(|c| c.0);
        let books = bookkeeping_object(&name);
        if kind == "Secret"
            && let Some((release, version)) = helm_release(&name)
        {
            // A release record is created per install or upgrade: the deploy itself.
            if let Some(t) = created.filter(|t| window.contains(*t)) {
                let what = if version == "1" { "installed" } else { "upgraded" };
                out.push(Change {
                    by: Some("helm".into()),
                    ..change(
                        t,
                        What::Created,
                        object.clone(),
                        format!("Helm release {release} {what} (release revision {version})"),
                        "Helm release record",
                    )
                });
            }
            continue;
        }
        if let Some(t) = created.filter(|t| window.contains(*t)) {
            out.push(Change {
                readers: read_by.clone(),
                bookkeeping: books,
                ..change(
                    t,
                    What::Created,
                    object.clone(),
                    format!("{kind} {name} created{readers_note}"),
                    "creation time",
                )
            });
        }
        if let Some((t, by)) = last_update(m).filter(|(t, _)| window.contains(*t))
            // The first write is the creation, not an edit.
            && created.is_none_or(|c| t.duration_since(c).as_secs() >= 2)
        {
            let controller = by.as_deref().is_some_and(is_controller);
            let who = by.as_deref().map(|b| format!(" by {b}")).unwrap_or_default();
            let values = if kind == "Secret" { " (values not read)" } else { "" };
            out.push(Change {
                by,
                readers: read_by,
                bookkeeping: books || controller,
                ..change(
                    t,
                    What::Edited,
                    object,
                    format!("{kind} {name} edited in place{who}{values}{readers_note}"),
                    "newest write in managedFields",
                )
            });
        }
    }
}

/// Nodes that joined or left, cordons, and edits of labels or taints.
pub(super) fn nodes(data: &ClusterData, events: &[EventRecord], window: &Window, out: &mut Vec<Change>) {
    let mut seen: BTreeSet<(String, &'static str)> = BTreeSet::new();
    for e in events.iter().filter(|e| e.kind == "Node") {
        let Some(t) = e.first.or(e.last).filter(|t| window.contains(*t)) else { continue };
        let what = match e.reason.as_str() {
            "RegisteredNode" => What::NodeJoined,
            "RemovingNode" | "DeletingNode" => What::NodeLeft,
            "NodeNotSchedulable" => What::Cordoned,
            "NodeSchedulable" => What::Uncordoned,
            _ => continue,
        };
        if !seen.insert((e.name.clone(), what.word())) {
            continue;
        }
        out.push(Change {
            by: Some(e.source.clone()).filter(|s| !s.is_empty()),
            ..change(
                t,
                what,
                ObjRef::new("Node", "", &e.name),
                format!("node {} {}: {}", e.name, what.word(), e.message),
                &format!("event {}", e.reason),
            )
        });
    }
    for n in &data.objects.nodes {
        let name = n.metadata.name.clone().unwrap_or_default();
        let created = n.metadata.creation_timestamp.as_ref().map(|c| c.0);
        if let Some(t) = created.filter(|t| window.contains(*t))
            && seen.insert((name.clone(), What::NodeJoined.word()))
        {
            out.push(change(
                t,
                What::NodeJoined,
                ObjRef::new("Node", "", &name),
                format!("node {name} joined the cluster"),
                "creation time",
            ));
        }
        let Some((t, by)) = last_update(&n.metadata).filter(|(t, _)| window.contains(*t)) else { continue };
        if created.is_some_and(|c| t.duration_since(c).as_secs() < 2) {
            continue;
        }
        let spec = n.spec.as_ref();
        let cordoned = spec.and_then(|s| s.unschedulable).unwrap_or(false);
        let taints: Vec<String> = spec
            .and_then(|s| s.taints.as_ref())
            .into_iter()
            .flatten()
            .map(|t| format!("{}={}:{}", t.key, t.value.as_deref().unwrap_or(""), t.effect))
            .collect();
        let what = if cordoned && !seen.contains(&(name.clone(), What::Cordoned.word())) {
            What::Cordoned
        } else {
            What::Edited
        };
        let now_state = match (cordoned, taints.is_empty()) {
            (true, _) => format!(
                "now unschedulable; taints: {}",
                if taints.is_empty() { "none".into() } else { taints.join(", ") }
            ),
            (false, true) => "no taints now".to_string(),
            (false, false) => format!("taints now: {}", taints.join(", ")),
        };
        let who = by.as_deref().map(|b| format!(" by {b}")).unwrap_or_default();
        out.push(Change {
            bookkeeping: by.as_deref().is_some_and(is_controller) && !cordoned,
            by,
            ..change(
                t,
                what,
                ObjRef::new("Node", "", &name),
                format!("node {name} labels, taints or schedulability changed{who} ({now_state})"),
                "newest write in managedFields",
            )
        });
    }
}
