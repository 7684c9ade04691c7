use jiff::{SignedDuration, Timestamp};
use serde_json::json;

use super::*;
use cluster::snapshot;

fn demo() -> ClusterData {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs-index/cluster");
    snapshot::load(&dir).expect("demo snapshot reads")
}

fn window(data: &ClusterData, hours: i64) -> Window {
    let end = data.now();
    Window { start: end.checked_sub(SignedDuration::from_hours(hours)).unwrap(), end, namespaces: vec![] }
}

fn read(data: &ClusterData, hours: i64) -> Timeline {
    timeline(data, &cluster::events::all(data), &window(data, hours))
}

/// A small capture: the objects given, captured at 12:00.
fn capture(objects: &serde_json::Value) -> ClusterData {
    let mut data = ClusterData::default();
    data.insert_objects(objects.as_array().unwrap(), "test");
    data.info.captured_at = Some("2026-03-01T12:00:00Z".parse::<Timestamp>().unwrap());
    data
}

fn managed(manager: &str, time: &str) -> serde_json::Value {
    json!([{"manager": manager, "operation": "Update", "time": time}])
}

#[test]
fn the_demo_timeline_holds_the_log_alerter_rollout_with_its_diff() {
    let data = demo();
    let t = read(&data, 24 * 60);
    let r7 = t
        .real()
        .find(|c| c.object.name == "log-alerter" && c.revision == Some(7))
        .unwrap_or_else(|| panic!("{}", t.render(true)));
    assert_eq!(r7.what, What::Rollout);
    assert!(r7.fields.iter().any(|f| f.field.contains("QUERY_MAX_LINES")), "{r7:#?}");
    assert!(r7.images.iter().any(|i| i.after.contains("2.15.0")), "{r7:#?}");
    // Oldest first, and the rendering names the revision.
    assert!(t.changes.windows(2).all(|w| w[0].time <= w[1].time));
    assert!(t.render(false).contains("revision 7"));
    // A narrower window keeps only what happened inside it.
    let short = read(&data, 1);
    assert!(short.changes.iter().all(|c| c.time >= short.start));
}

#[test]
fn first_revisions_statefulset_rollouts_and_daemonset_rollouts_count() {
    let tmpl = |image: &str| json!({"spec": {"template": {"spec": {"containers": [{"name": "db", "image": image}]}}}});
    let data = capture(&json!([
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "shop", "uid": "d1"}},
        {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "web-1", "namespace": "shop",
            "creationTimestamp": "2026-03-01T11:30:00Z",
            "annotations": {"deployment.kubernetes.io/revision": "1"},
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "web", "uid": "d1", "controller": true}]},
         "spec": {"selector": {}, "template": {"spec": {"containers": [{"name": "web", "image": "web:1"}]}}}},
        {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "db", "namespace": "shop", "uid": "s1"},
         "spec": {"selector": {}, "serviceName": "db", "template": {"spec": {"containers": [{"name": "db", "image": "pg:16"}]}}}},
        {"apiVersion": "apps/v1", "kind": "ControllerRevision", "metadata": {"name": "db-a", "namespace": "shop",
            "creationTimestamp": "2026-02-01T00:00:00Z",
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "StatefulSet", "name": "db", "uid": "s1", "controller": true}]},
         "revision": 1, "data": tmpl("pg:15")},
        {"apiVersion": "apps/v1", "kind": "ControllerRevision", "metadata": {"name": "db-b", "namespace": "shop",
            "creationTimestamp": "2026-03-01T11:40:00Z",
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "StatefulSet", "name": "db", "uid": "s1", "controller": true}]},
         "revision": 2, "data": tmpl("pg:16")},
        {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "agent", "namespace": "ops", "uid": "a1"},
         "spec": {"selector": {}, "template": {"spec": {"containers": [{"name": "agent", "image": "agent:2"}]}}}},
        {"apiVersion": "apps/v1", "kind": "ControllerRevision", "metadata": {"name": "agent-a", "namespace": "ops",
            "creationTimestamp": "2026-03-01T11:50:00Z",
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "DaemonSet", "name": "agent", "uid": "a1", "controller": true}]},
         "revision": 3, "data": {"spec": {"template": {"spec": {"containers": [{"name": "agent", "image": "agent:2"}]}}}}},
    ]));
    let t = read(&data, 1);
    let by = |name: &str| {
        t.changes
            .iter()
            .find(|c| c.object.name == name)
            .unwrap_or_else(|| panic!("{name}: {}", t.render(true)))
    };
    let web = by("web");
    assert_eq!((web.what, web.revision), (What::Created, Some(1)));
    assert!(web.summary.contains("first revision") && web.summary.contains("web:1"), "{web:#?}");
    let db = by("db");
    assert_eq!((db.object.kind.as_str(), db.revision), ("StatefulSet", Some(2)));
    assert_eq!(db.images[0].before, "pg:15");
    assert!(db.summary.contains("pg:15 → pg:16"), "{db:#?}");
    let agent = by("agent");
    assert_eq!(agent.object.kind, "DaemonSet");
    assert!(agent.summary.contains("earlier revisions not kept"), "{agent:#?}");
    // The StatefulSet's first revision is a month old: outside the window.
    assert_eq!(t.changes.iter().filter(|c| c.object.name == "db").count(), 1);
}

#[test]
fn edits_are_told_from_bookkeeping_and_from_creation() {
    let data = capture(&json!([
        {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "deny-all", "namespace": "shop",
            "creationTimestamp": "2026-03-01T11:45:00Z", "managedFields": managed("kubectl-client-side-apply", "2026-03-01T11:45:00Z")},
         "spec": {"podSelector": {}}},
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "api", "namespace": "shop",
            "creationTimestamp": "2026-01-01T00:00:00Z", "managedFields": managed("kubectl-edit", "2026-03-01T11:20:00Z")},
         "spec": {"selector": {"app": "api"}}},
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "kube-root-ca.crt", "namespace": "shop",
            "creationTimestamp": "2026-01-01T00:00:00Z", "managedFields": managed("kube-controller-manager", "2026-03-01T11:10:00Z")}},
        {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "sh.helm.release.v1.shop.v4", "namespace": "shop",
            "creationTimestamp": "2026-03-01T11:05:00Z"}},
        {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n1", "creationTimestamp": "2026-01-01T00:00:00Z",
            "managedFields": [{"manager": "kubectl-cordon", "operation": "Update", "time": "2026-03-01T11:55:00Z"},
                              {"manager": "kubelet", "operation": "Update", "subresource": "status", "time": "2026-03-01T11:59:00Z"}]},
         "spec": {"unschedulable": true}},
        {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n2", "creationTimestamp": "2026-03-01T11:30:00Z"}},
    ]));
    let t = read(&data, 1);
    let find = |name: &str| {
        t.changes
            .iter()
            .find(|c| c.object.name == name)
            .unwrap_or_else(|| panic!("{name}: {}", t.render(true)))
    };
    assert_eq!(find("deny-all").what, What::Created, "created, not also edited");
    assert_eq!(t.changes.iter().filter(|c| c.object.name == "deny-all").count(), 1);
    let api = find("api");
    assert_eq!((api.what, api.by.as_deref()), (What::Edited, Some("kubectl-edit")));
    assert!(find("kube-root-ca.crt").bookkeeping);
    assert!(find("sh.helm.release.v1.shop.v4").summary.contains("Helm release shop upgraded"));
    let n1 = find("n1");
    assert_eq!((n1.what, n1.by.as_deref()), (What::Cordoned, Some("kubectl-cordon")));
    assert_eq!(find("n2").what, What::NodeJoined);
    let text = t.render(false);
    assert!(text.contains("1 bookkeeping write") && !text.contains("kube-root-ca.crt"), "{text}");
    assert!(t.render(true).contains("kube-root-ca.crt"));
}
