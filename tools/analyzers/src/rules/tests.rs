//! Conformance: every row of the analyzer table on realistic objects (fixtures/conformance.yaml),
//! plus the behaviours where sleuth departs from k8sgpt (R-numbers of the reference).

use serde::Deserialize;
use serde_json::Value;

use super::*;
use cluster::data::{ClusterData, LogKey, LogText};

#[derive(Deserialize)]
struct Case {
    rule: String,
    expect: String,
    /// The cause tag the finding must carry, when the row decides one.
    #[serde(default)]
    cause: Option<String>,
    bad: Vec<Value>,
    healthy: Vec<Value>,
    #[serde(default)]
    logs: Vec<Log>,
    #[serde(default)]
    healthy_logs: Vec<Log>,
}

/// A container log of a fixture or scenario: its text, or why it could not be read.
#[derive(Deserialize)]
pub(crate) struct Log {
    namespace: String,
    pod: String,
    container: String,
    #[serde(default)]
    previous: bool,
    text: Option<String>,
    error: Option<String>,
}

/// A capture holding `objects` (every kind complete) and `logs`, taken at 01:00.
pub(crate) fn capture(objects: &[Value], logs: &[(LogKey, LogText)]) -> ClusterData {
    let mut data = ClusterData::default();
    for &k in Kind::ALL {
        data.insert_raw(k, &[], "fixture");
    }
    data.insert_objects(objects, "fixture");
    assert!(data.problems.is_empty(), "fixture objects must parse: {:?}", data.problems);
    for (k, t) in logs {
        data.insert_log(k.clone(), t.clone());
    }
    data.info.captured_at = Some("2026-01-01T01:00:00Z".parse().unwrap());
    data.finish();
    data
}

pub(crate) fn logs(list: &[Log]) -> Vec<(LogKey, LogText)> {
    list.iter()
        .map(|l| {
            let key = LogKey {
                namespace: l.namespace.clone(),
                pod: l.pod.clone(),
                container: l.container.clone(),
                previous: l.previous,
            };
            let text = match (&l.text, &l.error) {
                (Some(t), _) => LogText::Text(t.clone()),
                (None, Some(e)) => LogText::Unavailable(e.clone()),
                (None, None) => panic!("a log needs text or error"),
            };
            (key, text)
        })
        .collect()
}

fn fires<'a>(report: &'a Report, rule: &str) -> Vec<&'a Finding> {
    report.findings.iter().filter(|f| f.rule == rule || f.also.iter().any(|a| a == rule)).collect()
}

fn cases() -> Vec<Case> {
    serde_yaml_ng::from_str(include_str!("fixtures/conformance.yaml")).expect("conformance.yaml parses")
}

#[test]
fn every_row_fires_on_its_fixture_and_not_on_the_healthy_counterpart() {
    let mut failures = Vec::new();
    for case in cases() {
        let bad = analyze(&capture(&case.bad, &logs(&case.logs)), &Options::default());
        let hits = fires(&bad, &case.rule);
        if hits.is_empty() {
            failures.push(format!(
                "{}: did not fire; got {:?}",
                case.rule,
                bad.findings.iter().map(|f| (&f.rule, &f.message)).collect::<Vec<_>>()
            ));
        } else if !hits
            .iter()
            .any(|f| f.message.contains(&case.expect) || f.evidence.iter().any(|e| e.contains(&case.expect)))
        {
            failures.push(format!("{}: no finding mentions {:?}: {:?}", case.rule, case.expect, hits));
        }
        if let Some(want) = &case.cause
            && !hits.iter().any(|f| &f.cause == want)
        {
            failures.push(format!(
                "{}: cause {want} expected, got {:?}",
                case.rule,
                hits.iter().map(|f| &f.cause).collect::<Vec<_>>()
            ));
        }
        for f in &hits {
            if f.hint.is_empty() || !f.hint.starts_with("kubectl") {
                failures.push(format!("{}: hint is not a kubectl command: {:?}", case.rule, f.hint));
            }
        }
        let healthy = analyze(&capture(&case.healthy, &logs(&case.healthy_logs)), &Options::default());
        let false_hits = fires(&healthy, &case.rule);
        if !false_hits.is_empty() {
            failures.push(format!("{}: fired on the healthy counterpart: {:?}", case.rule, false_hits));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_fixture_covers_every_required_row() {
    let covered: Vec<String> = cases().into_iter().map(|c| c.rule).collect();
    let mut required = Vec::new();
    for (family, n) in [
        ("POD", 15),
        ("DEP", 3),
        ("STS", 3),
        ("JOB", 2),
        ("CJ", 4),
        ("NODE", 5),
        ("DS", 2),
        ("WH", 3),
        ("CM", 3),
        ("HPA", 5),
        ("NP", 4),
        ("LOG", 3),
        ("STO", 9),
        ("SEC", 4),
        ("SVC", 5),
        ("ING", 6),
    ] {
        required.extend((1..=n).map(|i| format!("{family}-{i}")));
    }
    required.extend(["RS-1", "PVC-1", "PDB-1", "EVT-1", "DNS-1"].map(String::from));
    let missing: Vec<&String> = required.iter().filter(|r| !covered.contains(r)).collect();
    assert!(missing.is_empty(), "rows without a fixture: {missing:?}");
}

fn crashing_pod(i: usize, owner: &str) -> Value {
    serde_json::json!({
        "kind": "Pod",
        "metadata": {"name": format!("{owner}-{i}"), "namespace": "shop", "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": format!("{owner}-rs"), "uid": "rs", "controller": true}]},
        "spec": {"containers": [{"name": "api", "image": "api:1"}]},
        "status": {"phase": "Running", "containerStatuses": [{"name": "api", "image": "api:1", "imageID": "", "ready": false, "restartCount": 9,
            "state": {"waiting": {"reason": "CrashLoopBackOff"}}, "lastState": {"terminated": {"exitCode": 1, "reason": "Error"}}}]}
    })
}

fn rs(owner: &str) -> Value {
    serde_json::json!({"kind": "ReplicaSet", "metadata": {"name": format!("{owner}-rs"), "namespace": "shop",
        "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": owner, "uid": "d", "controller": true}]},
        "spec": {"replicas": 40, "selector": {"matchLabels": {"app": owner}}}, "status": {"replicas": 40}})
}

#[test]
fn forty_crash_looping_pods_of_one_deployment_are_one_finding() {
    let mut objects: Vec<Value> = (0..40).map(|i| crashing_pod(i, "api")).collect();
    objects.push(rs("api"));
    let report = analyze(&capture(&objects, &[]), &Options::default());
    let crash = fires(&report, "POD-5");
    assert_eq!(crash.len(), 1, "{crash:?}");
    assert_eq!((crash[0].kind.as_str(), crash[0].name.as_str()), ("Deployment", "api"));
    assert_eq!(crash[0].pods.len(), 40);
    assert!(crash[0].message.starts_with("40 pods of Deployment/shop/api"), "{}", crash[0].message);
    assert!(crash[0].evidence.len() <= 13, "evidence is bounded");
}

#[test]
fn absence_is_only_asserted_from_a_complete_list() {
    let ingress = serde_json::json!({"kind": "Ingress", "metadata": {"name": "web", "namespace": "shop"},
        "spec": {"ingressClassName": "nginx", "rules": [{"http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "api", "port": {"number": 80}}}}]}}]}});
    let class = serde_json::json!({"kind": "IngressClass", "metadata": {"name": "nginx"}, "spec": {"controller": "x"}});
    let mut data = capture(&[ingress.clone(), class.clone()], &[]);
    data.mark_unreadable(Kind::Service, "forbidden: services is forbidden");
    let report = analyze(&data, &Options::default());
    assert!(fires(&report, "ING-3").is_empty(), "a 403 is not a missing Service");
    assert!(report.summary.unverifiable["services"].contains("forbidden"));

    let mut data = capture(&[ingress, class], &[]);
    data.captured.remove(&Kind::Service);
    let report = analyze(&data, &Options::default());
    assert!(fires(&report, "ING-3").is_empty(), "a kind not in the snapshot is not missing");
    assert_eq!(report.summary.unverifiable["services"], "cannot verify: not in snapshot");
}

#[test]
fn rollouts_in_progress_are_low_severity_and_stuck_ones_are_not() {
    let dep = |last_update: &str| {
        serde_json::json!({"kind": "Deployment", "metadata": {"name": "api", "namespace": "shop"},
            "spec": {"replicas": 3, "progressDeadlineSeconds": 600, "selector": {"matchLabels": {"app": "api"}}, "template": {"metadata": {"labels": {"app": "api"}}, "spec": {"containers": [{"name": "api", "image": "api:2"}]}}},
            "status": {"replicas": 3, "readyReplicas": 2, "conditions": [{"type": "Progressing", "status": "True", "reason": "ReplicaSetUpdated", "lastUpdateTime": last_update}]}})
    };
    let moving = analyze(&capture(&[dep("2026-01-01T00:58:00Z")], &[]), &Options::default());
    let f = fires(&moving, "DEP-2")[0];
    assert_eq!((f.severity, f.state.as_deref()), (Severity::Info, Some("in progress")));
    let stuck = analyze(&capture(&[dep("2026-01-01T00:10:00Z")], &[]), &Options::default());
    let f = fires(&stuck, "DEP-2")[0];
    assert_eq!((f.severity, f.state.as_deref()), (Severity::Warning, Some("stuck")));
}

#[test]
fn suppressions_hide_and_count() {
    let cm = serde_json::json!({"kind": "ConfigMap", "metadata": {"name": "old", "namespace": "shop"}, "data": {"a": "b"}});
    let opts = Options { suppress: vec!["CM-1:shop/*".parse().unwrap()], ..Options::default() };
    let report = analyze(&capture(&[cm], &[]), &opts);
    assert!(fires(&report, "CM-1").is_empty());
    assert_eq!(report.summary.suppressed, 1);
    assert!("".parse::<Suppression>().is_err());
}

#[test]
fn informational_rows_never_outrank_failures() {
    let cm = serde_json::json!({"kind": "ConfigMap", "metadata": {"name": "old", "namespace": "shop"}, "data": {"a": "b"}});
    let mut objects = vec![cm, rs("api")];
    objects.push(crashing_pod(0, "api"));
    let report = analyze(&capture(&objects, &[]), &Options::default());
    let severities: Vec<Severity> = report.findings.iter().map(|f| f.severity).collect();
    let mut sorted = severities.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(severities, sorted);
    assert_eq!(report.findings.last().unwrap().severity, Severity::Info);
}

#[test]
fn a_scoped_run_looks_only_at_nodes_hosting_scoped_pods() {
    let node = |n: &str| serde_json::json!({"kind": "Node", "metadata": {"name": n}, "status": {"conditions": [{"type": "Ready", "status": "False", "reason": "KubeletNotReady"}]}});
    let pod = serde_json::json!({"kind": "Pod", "metadata": {"name": "api-1", "namespace": "shop"}, "spec": {"nodeName": "n1", "containers": [{"name": "a", "image": "a"}]}, "status": {"phase": "Running"}});
    let mut data = capture(&[node("n1"), node("n2"), pod], &[]);
    data.info.namespaces = vec!["shop".into()];
    let report = analyze(&data, &Options::default());
    let nodes: Vec<&str> = fires(&report, "NODE-1").iter().map(|f| f.name.as_str()).collect();
    assert_eq!(nodes, ["n1"]);
}

#[test]
fn node_findings_link_the_pods_they_hit() {
    let node = serde_json::json!({"kind": "Node", "metadata": {"name": "n1"}, "status": {"conditions": [{"type": "Ready", "status": "Unknown", "reason": "NodeStatusUnknown"}]}});
    let pod = serde_json::json!({"kind": "Pod", "metadata": {"name": "api-1", "namespace": "shop"}, "spec": {"nodeName": "n1", "containers": [{"name": "a", "image": "a"}]}, "status": {"phase": "Running"}});
    let report = analyze(&capture(&[node, pod], &[]), &Options::default());
    let f = fires(&report, "POD-13")[0];
    assert!(f.related.contains(&"NODE-1 Node/n1".to_string()), "{:?}", f.related);
    assert_eq!(report.findings[0].rule, "NODE-1", "the node outranks its pods");
}

#[test]
fn a_default_ingress_class_downgrades_ing_1_and_an_empty_service_name_is_named() {
    let ingress =
        serde_json::json!({"kind": "Ingress", "metadata": {"name": "web", "namespace": "shop"}, "spec": {}});
    let default_class = serde_json::json!({"kind": "IngressClass", "metadata": {"name": "alb", "annotations": {"ingressclass.kubernetes.io/is-default-class": "true"}}, "spec": {"controller": "ingress.k8s.aws/alb"}});
    let without = analyze(&capture(std::slice::from_ref(&ingress), &[]), &Options::default());
    assert_eq!(fires(&without, "ING-1")[0].severity, Severity::Warning);
    let with = analyze(&capture(&[ingress, default_class], &[]), &Options::default());
    assert_eq!(fires(&with, "ING-1")[0].severity, Severity::Info);

    let sts = serde_json::json!({"kind": "StatefulSet", "metadata": {"name": "db", "namespace": "shop"},
        "spec": {"replicas": 0, "serviceName": "", "selector": {"matchLabels": {"app": "db"}}, "template": {"metadata": {"labels": {"app": "db"}}, "spec": {"containers": [{"name": "db", "image": "pg"}]}}},
        "status": {"replicas": 0}});
    let report = analyze(&capture(&[sts], &[]), &Options::default());
    assert!(fires(&report, "STS-1")[0].message.contains("no serviceName set"));
}
