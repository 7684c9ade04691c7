//! EVT-1: Warning events about objects the capture does not hold. A `kubectl cluster-info dump`
//! has no PersistentVolumeClaims, ConfigMaps or quotas, and a ReplicaSet or claim may be gone by
//! capture time, but the events they left behind still say what went wrong (a claim's
//! ProvisioningFailed, a ReplicaSet's FailedCreate with the quota it exceeded).

use std::collections::BTreeMap;

use super::cause;
use super::finding::{Hit, ObjRef, Options, Severity};
use super::index::{Index, event_line};
use cluster::data::ClusterData;
use cluster::events::EventRecord;
use cluster::kind::Kind;

/// Reasons that mean something could not be created, bound, mounted or scheduled.
const FAILURES: &[&str] = &[
    "FailedCreate",
    "ProvisioningFailed",
    "FailedMount",
    "FailedAttachVolume",
    "FailedScheduling",
    "FailedBinding",
];

/// Every absent object's most telling Warning event.
pub fn run(data: &ClusterData, index: &Index<'_>, _opts: &Options, out: &mut Vec<Hit>) {
    let now = data.now();
    let mut found: BTreeMap<ObjRef, Hit> = BTreeMap::new();
    for ((kind, ns, name), events) in index.event_objects() {
        // Pods and nodes are in every capture; a pod gone by capture time is history.
        if matches!(kind.as_str(), "Pod" | "Node" | "") {
            continue;
        }
        let Some(k) = Kind::ALL.iter().copied().find(|k| k.info().kind == kind.as_str()) else { continue };
        if data.objects.contains(k, Some(ns.as_str()), name) {
            continue;
        }
        let warnings: Vec<&EventRecord> = events.iter().filter(|e| e.is_warning()).collect();
        // The event that says why beats the newest one (R3): a failure reason first.
        let Some(e) = warnings
            .iter()
            .filter(|e| FAILURES.contains(&e.reason.as_str()))
            .max_by_key(|e| e.last)
            .or_else(|| warnings.iter().max_by_key(|e| e.last))
        else {
            continue;
        };
        let object = ObjRef::new(kind, ns, name);
        let root = root_of(data, &object);
        let severity =
            if FAILURES.contains(&e.reason.as_str()) { Severity::Error } else { Severity::Warning };
        let unverified = if data.captured.contains(&k) {
            "it is not in the capture"
        } else {
            "the capture does not hold this kind"
        };
        let hit = Hit::new(
            "EVT-1",
            severity,
            object.clone(),
            root,
            format!("{} {} on {kind}/{name} ({unverified}): {}", e.type_, e.reason, e.message.trim()),
            vec![event_line(e, now)],
            format!("kubectl get events -n {ns} --field-selector involvedObject.kind={kind},involvedObject.name={name}"),
        )
        .about(object.clone())
        .cause(classify(&e.reason, &e.message))
        .detail("reason", &e.reason)
        .detail("message", &e.message);
        found.insert(object, hit);
    }
    out.extend(found.into_values());
}

/// The owner a ReplicaSet's name points to when that Deployment exists (`web-7c9f8d6b54` →
/// Deployment `web`), so the finding lands where the workload's other findings are.
fn root_of(data: &ClusterData, o: &ObjRef) -> ObjRef {
    if o.kind == "ReplicaSet"
        && let Some((deploy, _)) = o.name.rsplit_once('-')
        && data.objects.deployments.iter().any(|d| {
            d.metadata.namespace.as_deref() == Some(o.namespace.as_str())
                && d.metadata.name.as_deref() == Some(deploy)
        })
    {
        return ObjRef::new("Deployment", &o.namespace, deploy);
    }
    o.clone()
}

/// The cause an event's reason and message name.
fn classify(reason: &str, message: &str) -> &'static str {
    if let Some((tag, _)) = cause::missing_object(message) {
        return tag;
    }
    match reason {
        "FailedCreate" => cause::admission(message).unwrap_or("unknown/insufficient-evidence"),
        "ProvisioningFailed" => cause::provisioning(message),
        "FailedMount" | "FailedAttachVolume" => "storage/mount-failed",
        "FailedBinding" => "storage/pv-binding",
        "FailedScheduling" => cause::scheduling(message),
        "Failed" | "ErrImagePull" => cause::image_pull(message).unwrap_or("unknown/insufficient-evidence"),
        "BackOff" => "runtime/crash",
        "BackoffLimitExceeded" | "DeadlineExceeded" => "workload/job-failed",
        "FailedNeedsStart" | "MissSchedule" => "workload/cronjob-not-running",
        "FailedGetResourceMetric" | "FailedComputeMetricsReplicas" | "FailedGetScale" => {
            "autoscaling/hpa-misconfigured"
        }
        _ => "unknown/insufficient-evidence",
    }
}

#[cfg(test)]
mod tests {
    use super::classify;

    #[test]
    fn reasons_and_messages_name_the_cause() {
        assert_eq!(
            classify("ProvisioningFailed", "storageclass.storage.k8s.io \"fast\" not found"),
            "storage/storage-class-missing"
        );
        assert_eq!(
            classify("FailedCreate", "Error creating: pods \"w\" is forbidden: exceeded quota: q"),
            "admission/quota-exceeded"
        );
        assert_eq!(
            classify("FailedMount", "MountVolume.SetUp failed for volume \"c\" : secret \"db\" not found"),
            "config/missing-secret"
        );
        assert_eq!(
            classify("BackoffLimitExceeded", "Job has reached the specified backoff limit"),
            "workload/job-failed"
        );
        assert_eq!(
            classify("FailedGetResourceMetric", "failed to get cpu utilization"),
            "autoscaling/hpa-misconfigured"
        );
        assert_eq!(classify("SomethingElse", "?"), "unknown/insufficient-evidence");
    }
}
