use super::*;
use crate::changes::parse_scaling;
use crate::rules::{self, Options as AnalyzeOptions};
use cluster::snapshot;
use rcagraph::schema::{NodeKind, Relation};
use rcagraph::{analyze::analyze as rank, validate::from_value};

fn demo() -> ClusterData {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs-index/cluster");
    snapshot::load(&dir).expect("demo snapshot reads")
}

#[test]
fn the_demo_incident_is_rooted_in_log_alerter_memory() {
    let data = demo();
    let report = rules::analyze(&data, &AnalyzeOptions::default());
    let g = build(&data, &report, &Options::default());
    // What sleuth emits must pass its own validation.
    let v = serde_json::to_value(&g).unwrap();
    let parsed = from_value(&v).unwrap_or_else(|e| panic!("{:#?}", e.issues));
    let a = rank(&parsed.graph);
    let top = a.top().expect("a root cause");
    let node = g.nodes.iter().find(|n| n.id == top.node_id).unwrap();
    assert_eq!(node.entity.as_ref().unwrap().reference(), "Deployment/monitoring/log-alerter", "{node:#?}");
    assert_eq!(node.kind, NodeKind::MetricAnomaly);
    assert!(node.description.as_ref().unwrap().contains("no memory limit"));
    // Dated by its first effect, and honest about it: its edges rest on assumed precedence.
    assert!(node.time_inferred);
    let out: Vec<_> = g.edges.iter().filter(|e| e.from == node.id).collect();
    assert!(!out.is_empty());
    assert!(out.iter().all(|e| e.evidence[0]["kind"] == "assumed_precedence"), "{out:#?}");
    // Events observed at their own times keep temporal precedence.
    assert!(g.edges.iter().any(|e| e.evidence[0]["kind"] == "temporal_precedence"));
    // The rollout of revision 7 is an earlier, weakly linked cause.
    assert!(top.weak_parents.iter().any(|p| p.contains("log-alerter-r7")), "{:?}", top.weak_parents);
    // The notifications image typo is a separate, lower-ranked story rooted in its image change.
    let notif = a
        .root_causes
        .iter()
        .position(|r| r.node_id.starts_with("image-notifications"))
        .expect("notifications ranked");
    assert!(notif > 0);
    // Every edge names its rule and evidence.
    assert!(
        g.edges
            .iter()
            .all(|e| e.method.as_deref().is_some_and(|m| m.starts_with("rule:")) && !e.evidence.is_empty())
    );
}

#[test]
fn an_in_place_config_edit_before_crashes_is_their_cause() {
    let mut data = demo();
    // storefront reads ConfigMap storefront-config; someone edits it, then its pods crash.
    let raw_cm = serde_json::to_string(&json!({
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "storefront-config", "namespace": "shop", "creationTimestamp": "2026-10-11T14:32:00Z",
            "managedFields": [
                {"manager": "helm", "operation": "Update", "time": "2026-10-11T14:32:00Z"},
                {"manager": "kubectl-edit", "operation": "Update", "time": "2026-11-20T14:20:00Z"}]},
        "data": {"feature.json": "{\"checkout\": false}"}
    }))
    .unwrap();
    let raw_ev = serde_json::to_string(&json!({
        "apiVersion": "v1", "kind": "Event",
        "metadata": {"name": "storefront.crash", "namespace": "shop", "creationTimestamp": "2026-11-20T14:22:00Z"},
        "involvedObject": {"kind": "Pod", "namespace": "shop", "name": "storefront-a8f2e11a54-54686"},
        "type": "Warning", "reason": "BackOff", "message": "Back-off restarting failed container storefront",
        "count": 9, "firstTimestamp": "2026-11-20T14:22:00Z", "lastTimestamp": "2026-11-20T14:31:00Z"
    }))
    .unwrap();
    data.objects.config_maps.retain(|c| c.metadata.name.as_deref() != Some("storefront-config"));
    let cm = serde_json::value::RawValue::from_string(raw_cm).unwrap();
    let ev = serde_json::value::RawValue::from_string(raw_ev).unwrap();
    data.insert_raw(cluster::Kind::ConfigMap, &[&cm], "test");
    data.insert_raw(cluster::Kind::Event, &[&ev], "test");
    data.finish();
    let report = rules::analyze(&data, &AnalyzeOptions::default());
    let g = build(&data, &report, &Options::default());
    let edit = g
        .nodes
        .iter()
        .find(|n| n.id.starts_with("edit-configmap-storefront-config"))
        .expect("the edit is a change event");
    assert_eq!(edit.source.as_ref().unwrap().actor.as_deref(), Some("kubectl-edit"));
    assert!(edit.description.as_ref().unwrap().contains("read by Deployment shop/storefront"), "{edit:?}");
    let link = g.edges.iter().find(|e| e.from == edit.id).expect("linked to the crashes");
    assert!(link.to.starts_with("backoff-storefront"), "{link:?}");
    assert_eq!(link.relation, Relation::Caused, "two minutes before: a close link");
    // Creation alone is not an edit: the demo's own ConfigMaps give no such node.
    let plain = build(&demo(), &rules::analyze(&demo(), &AnalyzeOptions::default()), &Options::default());
    assert!(!plain.nodes.iter().any(|n| n.id.starts_with("edit-")));
}

#[test]
fn scaling_messages() {
    assert_eq!(parse_scaling("Scaled up replica set web-5d9c to 6"), Some(("web-5d9c".into(), 6, None)));
    assert_eq!(
        parse_scaling("Scaled down replica set web-5d9c to 2 from 6"),
        Some(("web-5d9c".into(), 2, Some(6)))
    );
    assert_eq!(
        parse_scaling("Scaled up replica set web-5d9c to 3 from 1 (new)"),
        Some(("web-5d9c".into(), 3, Some(1)))
    );
    assert_eq!(parse_scaling("something else"), None);
}

#[test]
fn the_window_and_namespaces_limit_the_evidence() {
    let data = demo();
    let report = rules::analyze(&data, &AnalyzeOptions::default());
    let narrow = build(&data, &report, &Options { since: SignedDuration::from_mins(10), namespaces: vec![] });
    assert!(!narrow.nodes.iter().any(|n| n.id.contains("log-alerter-r7")));
    let shop = build(
        &data,
        &report,
        &Options { since: SignedDuration::from_hours(2), namespaces: vec!["shop".into()] },
    );
    assert!(
        shop.nodes.iter().all(|n| n
            .entity
            .as_ref()
            .and_then(|e| e.namespace.as_deref())
            .is_none_or(|ns| ns == "shop"))
    );
}
