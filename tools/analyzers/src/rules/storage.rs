//! Storage rules: PVC-1 and STO-1 … STO-9.

use std::collections::HashSet;

use cluster::spec::quantity_bytes;

use super::cause;
use super::finding::{Hit, ObjRef, Options, Severity, kubectl};
use super::index::Index;
use super::index::event_line;
use cluster::data::ClusterData;

const GI: f64 = 1024.0 * 1024.0 * 1024.0;

/// Every storage rule.
pub fn run(data: &ClusterData, index: &Index<'_>, _opts: &Options, out: &mut Vec<Hit>) {
    let now = data.now();
    let o = &data.objects;
    let defaults: Vec<&str> = o
        .storage_classes
        .iter()
        .filter(|s| {
            s.metadata
                .annotations
                .as_ref()
                .and_then(|a| a.get("storageclass.kubernetes.io/is-default-class"))
                .map(String::as_str)
                == Some("true")
        })
        .filter_map(|s| s.metadata.name.as_deref())
        .collect();
    let mut classes_in_scope: HashSet<String> = HashSet::new();
    let mut volumes_in_scope: HashSet<String> = HashSet::new();
    let mut pending_no_pv: HashSet<String> = HashSet::new();
    for c in &o.pvcs {
        let ns = c.metadata.namespace.as_deref().unwrap_or("");
        let name = c.metadata.name.as_deref().unwrap_or("");
        let me = ObjRef::new("PersistentVolumeClaim", ns, name);
        let hint = kubectl("describe", "pvc", ns, name);
        let mk = |rule, severity, message: String, evidence: Vec<String>| {
            Hit::on(rule, severity, me.clone(), message, evidence, hint.clone())
        };
        let spec = c.spec.clone().unwrap_or_default();
        let phase = c.status.as_ref().and_then(|s| s.phase.clone()).unwrap_or_default();
        let class = spec.storage_class_name.clone();
        if let Some(cl) = &class {
            classes_in_scope.insert(cl.clone());
        }
        if let Some(v) = &spec.volume_name {
            volumes_in_scope.insert(v.clone());
        }
        let requested = spec
            .resources
            .as_ref()
            .and_then(|r| r.requests.as_ref())
            .and_then(|r| r.get("storage"))
            .map(|q| q.0.clone());
        match phase.as_str() {
            "Pending" => {
                if let Some(e) = index
                    .latest_with("PersistentVolumeClaim", &c.metadata, &["ProvisioningFailed"])
                    .filter(|e| !e.message.is_empty())
                {
                    out.push(provisioning_why(
                        data,
                        mk(
                            "PVC-1",
                            Severity::Error,
                            format!("claim cannot be provisioned: {}", e.message),
                            vec![event_line(e, now)],
                        ),
                        &e.message,
                    ));
                }
                let waiting =
                    index.latest_with("PersistentVolumeClaim", &c.metadata, &["WaitForFirstConsumer"]);
                let (sev, msg) = match waiting {
                    Some(_) => (
                        Severity::Info,
                        "claim is pending: waiting for a first consumer to be scheduled".to_string(),
                    ),
                    None => (
                        Severity::Warning,
                        format!(
                            "claim is pending (StorageClass {})",
                            class.clone().unwrap_or_else(|| "none".into())
                        ),
                    ),
                };
                let mut ev = vec![format!(
                    "status.phase=Pending, storageClassName={}",
                    class.clone().unwrap_or_else(|| "<none>".into())
                )];
                if let Some(cl) = &class {
                    match index.exists(cluster::kind::Kind::StorageClass, "", cl) {
                        Ok(false) => ev.push(format!("StorageClass {cl} does not exist")),
                        Err(r) => ev.push(format!("StorageClass {cl}: {r}")),
                        Ok(true) => {}
                    }
                    let pv_available = o.pvs.iter().any(|v| {
                        v.spec.as_ref().and_then(|s| s.storage_class_name.as_deref()) == Some(cl.as_str())
                            && v.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Available")
                    });
                    if !pv_available {
                        pending_no_pv.insert(cl.clone());
                    }
                }
                out.push(mk("STO-6", sev, msg, ev));
            }
            "Lost" => out.push(mk(
                "STO-7",
                Severity::Critical,
                format!("claim lost its volume {}", spec.volume_name.clone().unwrap_or_default()),
                vec!["status.phase=Lost".into()],
            )),
            _ => {
                if let Some(r) = requested.as_deref().filter(|r| quantity_bytes(r).is_some_and(|b| b < GI)) {
                    out.push(mk(
                        "STO-8",
                        Severity::Info,
                        format!("claim requests only {r}"),
                        vec![format!("spec.resources.requests.storage={r}")],
                    ));
                }
            }
        }
        if class.is_none() && spec.volume_name.is_none() {
            let no_default =
                defaults.is_empty() && data.captured.contains(&cluster::kind::Kind::StorageClass);
            let (sev, msg) = if no_default {
                (Severity::Warning, "claim names no StorageClass and no default StorageClass exists")
            } else {
                (Severity::Info, "claim names no StorageClass (the default one applies)")
            };
            out.push(mk(
                "STO-9",
                sev,
                msg.into(),
                vec!["no spec.storageClassName, no spec.volumeName".into()],
            ));
        }
    }
    for sc in &o.storage_classes {
        let name = sc.metadata.name.as_deref().unwrap_or("");
        if index.scoped && !classes_in_scope.contains(name) {
            continue;
        }
        let me = ObjRef::new("StorageClass", "", name);
        let hint = kubectl("describe", "storageclass", "", name);
        let mk = |rule, severity, message: String, evidence: Vec<String>| {
            Hit::on(rule, severity, me.clone(), message, evidence, hint.clone())
        };
        if sc.provisioner == "kubernetes.io/no-provisioner" {
            if pending_no_pv.contains(name) {
                out.push(mk("STO-1", Severity::Error, "no dynamic provisioning, and a claim of this class is Pending with no Available PersistentVolume to bind".into(), vec![format!("provisioner {}", sc.provisioner)]));
            } else {
                out.push(mk(
                    "STO-1",
                    Severity::Info,
                    "no dynamic provisioning: claims need pre-created PersistentVolumes".into(),
                    vec![format!("provisioner {}", sc.provisioner)],
                ));
            }
        }
        if defaults.len() > 1 && defaults.contains(&name) {
            out.push(mk(
                "STO-2",
                Severity::Warning,
                format!("{} StorageClasses are marked default ({})", defaults.len(), defaults.join(", ")),
                vec!["annotation storageclass.kubernetes.io/is-default-class=true".into()],
            ));
        }
    }
    for pv in &o.pvs {
        let name = pv.metadata.name.as_deref().unwrap_or("");
        if index.scoped && !volumes_in_scope.contains(name) {
            continue;
        }
        let me = ObjRef::new("PersistentVolume", "", name);
        let hint = kubectl("describe", "pv", "", name);
        let mk = |rule, severity, message: String, evidence: Vec<String>| {
            Hit::on(rule, severity, me.clone(), message, evidence, hint.clone())
        };
        match pv.status.as_ref().and_then(|s| s.phase.as_deref()) {
            Some("Released") => out.push(mk(
                "STO-3",
                Severity::Info,
                "volume is released and not reclaimed: clean it up or rebind it".into(),
                vec!["status.phase=Released".into()],
            )),
            Some("Failed") => out.push(mk(
                "STO-4",
                Severity::Error,
                format!(
                    "volume failed: {}",
                    pv.status
                        .as_ref()
                        .and_then(|s| s.message.clone())
                        .unwrap_or_else(|| "reclamation failed".into())
                ),
                vec!["status.phase=Failed".into()],
            )),
            _ => {}
        }
        if let Some(cap) = pv
            .spec
            .as_ref()
            .and_then(|s| s.capacity.as_ref())
            .and_then(|c| c.get("storage"))
            .filter(|q| quantity_bytes(&q.0).is_some_and(|b| b < GI))
        {
            out.push(mk(
                "STO-5",
                Severity::Info,
                format!("volume is unusually small ({})", cap.0),
                vec![format!("spec.capacity.storage={}", cap.0)],
            ));
        }
    }
}

/// The cause of a provisioning failure, with the StorageClasses that do exist when the named one
/// does not.
pub(super) fn provisioning_why(data: &ClusterData, hit: Hit, message: &str) -> Hit {
    let tag = cause::provisioning(message);
    if tag != "storage/storage-class-missing" || !data.captured.contains(&cluster::kind::Kind::StorageClass) {
        return hit.cause(tag);
    }
    let classes: Vec<String> =
        data.objects.storage_classes.iter().filter_map(|c| c.metadata.name.clone()).collect();
    let mut hit = hit.cause(tag).detail("classes", &classes);
    hit.evidence.push(if classes.is_empty() {
        "no StorageClass exists in the cluster".to_string()
    } else {
        format!("StorageClasses that exist: {}", classes.join(", "))
    });
    hit
}
