//! The scrubbing every object gets before anything else sees it.
//!
//! Runs inside [`ClusterData::insert_raw`](crate::data::ClusterData::insert_raw), so it
//! applies alike to live lists, sleuth's snapshots and a raw `kubectl cluster-info dump` that
//! a colleague attached to a ticket (which may hold anything). Secrets keep metadata only;
//! ConfigMaps keep keys and sizes; env values, args, commands, annotations and event messages
//! go through [`redact`]. `managedFields` is dropped: it is noise for every reader.

use std::collections::BTreeMap;

use k8s_openapi::Metadata;
use k8s_openapi::api::apps::v1::{ControllerRevision, DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::{ConfigMap, Container, Event, Node, Pod, PodSpec, PodTemplateSpec, Secret};
use k8s_openapi::api::events::v1::Event as EventV1;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use redact::{REDACTED, is_reference, is_sensitive_key, redact_text};

/// Annotation sleuth stores a ConfigMap's data size under once the values are dropped.
pub const CONFIG_MAP_BYTES: &str = "sleuth.dev/data-bytes";

/// Annotation sleuth stores the newest write time of a ConfigMap or Secret under (from
/// `managedFields`, which is dropped): an in-place edit changes no revision, and this is the
/// only trace of when it happened.
pub const LAST_UPDATED: &str = "sleuth.dev/last-updated";

/// Who made that write (the field manager: `kubectl-edit`, `helm`, `argocd-controller`, …).
pub const LAST_UPDATED_BY: &str = "sleuth.dev/last-updated-by";

/// Annotation that can embed a whole Secret in clear text.
const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// Keeps the newest write of `managedFields` as annotations before the field is dropped. Writes
/// to the `status` subresource are bookkeeping (a controller reporting, a kubelet heartbeat),
/// not changes: only the others count.
fn note_last_update(meta: &mut ObjectMeta) {
    let newest = meta
        .managed_fields
        .iter()
        .flatten()
        .filter(|f| f.subresource.as_deref() != Some("status"))
        .filter_map(|f| Some((f.time.as_ref()?.0, f.manager.clone().unwrap_or_default())))
        .max_by_key(|(t, _)| *t);
    if let Some((time, manager)) = newest {
        let annotations = meta.annotations.get_or_insert_with(Default::default);
        annotations.insert(LAST_UPDATED.to_string(), time.to_string());
        if !manager.is_empty() {
            annotations.insert(LAST_UPDATED_BY.to_string(), manager);
        }
    }
}

fn scrub_meta(meta: &mut ObjectMeta) {
    note_last_update(meta);
    meta.managed_fields = None;
    if let Some(annotations) = &mut meta.annotations {
        for (key, value) in annotations.iter_mut() {
            if key == LAST_APPLIED || (is_sensitive_key(key) && !is_reference(value)) {
                *value = REDACTED.to_string();
            } else if let std::borrow::Cow::Owned(clean) = redact_text(value) {
                *value = clean;
            }
        }
    }
}

/// Objects with nothing sensitive beyond their metadata.
pub fn meta_only<K: Metadata<Ty = ObjectMeta>>(obj: &mut K) {
    scrub_meta(obj.metadata_mut());
}

/// Nodes: metadata only (status carries no secrets).
pub fn node(obj: &mut Node) {
    scrub_meta(&mut obj.metadata);
}

/// Pods: metadata and every container's env, args and command.
pub fn pod(obj: &mut Pod) {
    scrub_meta(&mut obj.metadata);
    if let Some(spec) = &mut obj.spec {
        pod_spec(spec);
    }
}

fn template(t: &mut PodTemplateSpec) {
    if let Some(meta) = &mut t.metadata {
        scrub_meta(meta);
    }
    if let Some(spec) = &mut t.spec {
        pod_spec(spec);
    }
}

/// Deployments: metadata and pod template.
pub fn deployment(obj: &mut Deployment) {
    scrub_meta(&mut obj.metadata);
    if let Some(s) = &mut obj.spec {
        template(&mut s.template);
    }
}

/// ReplicaSets: metadata and pod template.
pub fn replica_set(obj: &mut ReplicaSet) {
    scrub_meta(&mut obj.metadata);
    if let Some(t) = obj.spec.as_mut().and_then(|s| s.template.as_mut()) {
        template(t);
    }
}

/// StatefulSets: metadata and pod template.
pub fn stateful_set(obj: &mut StatefulSet) {
    scrub_meta(&mut obj.metadata);
    if let Some(s) = &mut obj.spec {
        template(&mut s.template);
    }
}

/// DaemonSets: metadata and pod template.
pub fn daemon_set(obj: &mut DaemonSet) {
    scrub_meta(&mut obj.metadata);
    if let Some(s) = &mut obj.spec {
        template(&mut s.template);
    }
}

/// Jobs: metadata and pod template.
pub fn job(obj: &mut Job) {
    scrub_meta(&mut obj.metadata);
    if let Some(s) = &mut obj.spec {
        template(&mut s.template);
    }
}

/// CronJobs: metadata and the job's pod template.
pub fn cron_job(obj: &mut CronJob) {
    scrub_meta(&mut obj.metadata);
    if let Some(s) = obj.spec.as_mut().and_then(|s| s.job_template.spec.as_mut()) {
        template(&mut s.template);
    }
}

/// Secrets: metadata only, whatever the input held.
pub fn secret(obj: &mut Secret) {
    scrub_meta(&mut obj.metadata);
    obj.data = None;
    obj.string_data = None;
}

/// ConfigMaps: keys and sizes, never values (a value can be a credential or a whole config).
pub fn config_map(obj: &mut ConfigMap) {
    scrub_meta(&mut obj.metadata);
    let recorded = obj.metadata.annotations.as_ref().and_then(|a| a.get(CONFIG_MAP_BYTES)).cloned();
    let mut total = 0usize;
    if let Some(data) = &mut obj.data {
        for value in data.values_mut() {
            total += value.len();
            *value = format!("<{} bytes>", value.len());
        }
    }
    if let Some(binary) = &mut obj.binary_data {
        for value in binary.values_mut() {
            total += value.0.len();
            value.0.clear();
        }
    }
    // A snapshot written by sleuth already holds sizes, not values: keep its record.
    let bytes = recorded.unwrap_or_else(|| total.to_string());
    obj.metadata.annotations.get_or_insert_with(BTreeMap::new).insert(CONFIG_MAP_BYTES.to_string(), bytes);
}

/// Core events: metadata and message.
pub fn event(obj: &mut Event) {
    scrub_meta(&mut obj.metadata);
    if let Some(m) = &mut obj.message {
        *m = redact_text(m).into_owned();
    }
}

/// events.k8s.io events: metadata and note.
pub fn event_v1(obj: &mut EventV1) {
    scrub_meta(&mut obj.metadata);
    if let Some(m) = &mut obj.note {
        *m = redact_text(m).into_owned();
    }
}

/// ControllerRevisions: a StatefulSet's or DaemonSet's pod template at one revision, held as
/// raw JSON; its env values and args get the same scrubbing as a live pod spec's.
pub fn controller_revision(obj: &mut ControllerRevision) {
    scrub_meta(&mut obj.metadata);
    let Some(raw) = obj.data.as_mut() else { return };
    let Some(spec) = raw.0.pointer_mut("/spec/template/spec") else { return };
    match serde_json::from_value::<PodSpec>(spec.clone()) {
        Ok(mut typed) => {
            pod_spec(&mut typed);
            *spec = serde_json::to_value(typed).unwrap_or(serde_json::Value::Null);
        }
        // A template sleuth cannot read is not kept at all: it may hold anything.
        Err(_) => *spec = serde_json::Value::Null,
    }
}

fn pod_spec(spec: &mut PodSpec) {
    for c in spec.containers.iter_mut().chain(spec.init_containers.iter_mut().flatten()) {
        container(c);
    }
    for c in spec.ephemeral_containers.iter_mut().flatten() {
        for e in c.env.iter_mut().flatten() {
            env_value(&e.name, &mut e.value);
        }
        args(c.args.as_mut());
        args(c.command.as_mut());
    }
}

fn container(c: &mut Container) {
    for e in c.env.iter_mut().flatten() {
        env_value(&e.name, &mut e.value);
    }
    args(c.args.as_mut());
    args(c.command.as_mut());
}

fn env_value(name: &str, value: &mut Option<String>) {
    if let Some(v) = value {
        if is_sensitive_key(name) && !v.is_empty() && !is_reference(v) {
            *v = REDACTED.to_string();
        } else if let std::borrow::Cow::Owned(clean) = redact_text(v) {
            *v = clean;
        }
    }
}

/// Args are scrubbed one by one; a secret-named flag (`--password`, `-token`) also hides the
/// argument after it, which pattern matching on that argument alone could not catch.
fn args(list: Option<&mut Vec<String>>) {
    let Some(list) = list else { return };
    let mut hide_next = false;
    for arg in list.iter_mut() {
        if hide_next && !arg.starts_with('-') {
            *arg = REDACTED.to_string();
            hide_next = false;
            continue;
        }
        hide_next =
            arg.starts_with('-') && !arg.contains('=') && is_sensitive_key(arg.trim_start_matches('-'));
        if let std::borrow::Cow::Owned(clean) = redact_text(arg) {
            *arg = clean;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_newest_write_of_a_config_map_or_secret_survives_as_annotations() {
        let mut c: ConfigMap = serde_json::from_value(json!({
            "metadata": {"name": "app", "namespace": "shop", "managedFields": [
                {"manager": "helm", "operation": "Update", "time": "2026-01-01T00:00:00Z"},
                {"manager": "kubectl-edit", "operation": "Update", "time": "2026-02-01T10:00:00Z"}]},
            "data": {"k": "v"}
        }))
        .unwrap();
        config_map(&mut c);
        let a = c.metadata.annotations.unwrap();
        assert_eq!(a[LAST_UPDATED], "2026-02-01T10:00:00Z");
        assert_eq!(a[LAST_UPDATED_BY], "kubectl-edit");
        assert!(c.metadata.managed_fields.is_none());
    }

    #[test]
    fn status_writes_are_bookkeeping_not_the_last_change() {
        let mut n: Node = serde_json::from_value(json!({
            "metadata": {"name": "n1", "managedFields": [
                {"manager": "kubectl-cordon", "operation": "Update", "time": "2026-01-01T00:00:00Z"},
                {"manager": "kubelet", "operation": "Update", "subresource": "status",
                 "time": "2026-02-01T10:00:00Z"}]}
        }))
        .unwrap();
        node(&mut n);
        let a = n.metadata.annotations.unwrap();
        assert_eq!(a[LAST_UPDATED], "2026-01-01T00:00:00Z");
        assert_eq!(a[LAST_UPDATED_BY], "kubectl-cordon");
    }

    #[test]
    fn controller_revisions_lose_env_secrets_like_pod_specs() {
        let mut r: ControllerRevision = serde_json::from_value(json!({
            "metadata": {"name": "db-7c9", "namespace": "shop"},
            "revision": 2,
            "data": {"spec": {"template": {"spec": {"containers": [{"name": "db", "image": "pg:16",
                "env": [{"name": "POSTGRES_PASSWORD", "value": "hunter2"}, {"name": "MODE", "value": "primary"}]}]}}}}
        }))
        .unwrap();
        controller_revision(&mut r);
        let text = serde_json::to_string(&r).unwrap();
        assert!(!text.contains("hunter2") && text.contains("primary") && text.contains("pg:16"), "{text}");
        let mut odd: ControllerRevision = serde_json::from_value(json!({
            "metadata": {"name": "x"}, "revision": 1,
            "data": {"spec": {"template": {"spec": {"containers": "password=hunter2"}}}}
        }))
        .unwrap();
        controller_revision(&mut odd);
        assert!(!serde_json::to_string(&odd).unwrap().contains("hunter2"));
    }

    #[test]
    fn pods_lose_secrets_but_keep_references_and_plain_values() {
        let mut p: Pod = serde_json::from_value(json!({
            "metadata": {"name": "api", "namespace": "shop", "managedFields": [{"manager": "kubectl"}],
                "annotations": {LAST_APPLIED: "{\"data\":{\"password\":\"hunter2\"}}", "team": "payments"}},
            "spec": {"containers": [{"name": "api", "image": "api:1",
                "args": ["--db-password", "hunter2", "--log-level=debug", "--token=abcdefghijklmnop"],
                "env": [
                    {"name": "DB_PASSWORD", "value": "hunter2"},
                    {"name": "LOG_LEVEL", "value": "debug"},
                    {"name": "AUTH_HEADER", "value": "Bearer 9f8a7b6c5d4e3f2a1b0c9d8e"},
                    {"name": "API_KEY", "valueFrom": {"secretKeyRef": {"name": "api", "key": "key"}}}
                ]}]}
        }))
        .unwrap();
        pod(&mut p);
        let text = serde_json::to_string(&p).unwrap();
        assert!(!text.contains("hunter2"), "{text}");
        assert!(!text.contains("abcdefghijklmnop") && !text.contains("9f8a7b6c5d4e"), "{text}");
        assert!(!text.contains("managedFields"));
        assert!(text.contains("debug") && text.contains("payments") && text.contains("secretKeyRef"));
    }

    #[test]
    fn secrets_keep_metadata_and_config_maps_keep_sizes() {
        let mut s: Secret = serde_json::from_value(
            json!({"metadata": {"name": "db"}, "data": {"pw": "aHVudGVyMg=="}, "stringData": {"a": "b"}}),
        )
        .unwrap();
        secret(&mut s);
        assert!(s.data.is_none() && s.string_data.is_none());
        let mut cm: ConfigMap = serde_json::from_value(
            json!({"metadata": {"name": "c"}, "data": {"a": "12345", "b": "password=x"}}),
        )
        .unwrap();
        config_map(&mut cm);
        assert_eq!(cm.data.as_ref().unwrap()["a"], "<5 bytes>");
        assert_eq!(cm.metadata.annotations.as_ref().unwrap()[CONFIG_MAP_BYTES], "15");
        // Scrubbing again (a sleuth snapshot read back) keeps the recorded size.
        config_map(&mut cm);
        assert_eq!(cm.metadata.annotations.as_ref().unwrap()[CONFIG_MAP_BYTES], "15");
    }
}
