use serde_json::json;

use super::*;

fn codes(r: &Result<Parsed, Invalid>) -> Vec<&'static str> {
    match r {
        Ok(p) => p.warnings.iter().map(|i| i.code).collect(),
        Err(e) => e.issues.iter().map(|i| i.code).collect(),
    }
}

fn base() -> Value {
    json!({
        "schema_version": "rcagraph/v1",
        "nodes": [
            {"id": "c1", "kind": "change_event", "time": "2024-11-26T12:38:55Z",
             "entity": {"kind": "Deployment", "namespace": "shop", "name": "checkout"},
             "change": {"type": "image_change"}},
            {"id": "s1", "kind": "symptom", "time": "2024-11-26T12:41:10Z", "description": "5xx"}
        ],
        "edges": [{"from": "c1", "to": "s1", "relation": "caused", "confidence": 0.8}]
    })
}

#[test]
fn a_clean_graph_has_no_issues() {
    let r = from_value(&base());
    assert!(r.is_ok(), "{r:?}");
    assert!(codes(&r).is_empty(), "{:?}", codes(&r));
}

#[test]
fn every_problem_is_reported_at_once_with_its_place() {
    let doc = json!({
        "schema_version": "rcagraph/v1",
        "nodes": [
            {"id": "a", "kind": "change_event", "time": "2024-11-26T12:00:00Z",
             "entity": {"kind": "Deployment", "name": "x"}, "change": {"type": "pods_rescheduled"}},
            {"id": "a", "kind": "symptom", "description": "dup"},
            {"id": "b", "kind": "gremlin"},
            {"id": "c", "kind": "k8s_event", "time": "yesterday", "entity": {"kind": "Pod", "name": "p"},
             "event": {"type": "Warning", "reason": "BackOff", "count": 0}},
            {"id": "d", "kind": "metric_anomaly", "metric": {"name": "m"}, "anomaly": {"score": 1.5}}
        ],
        "edges": [
            {"from": "a", "to": "zz", "relation": "caused", "confidence": 2},
            {"from": "a", "to": "a", "relation": "caused"},
            {"from": "a", "to": "d", "relation": "caused", "directed": false, "lag_seconds": -3},
            {"from": "a", "to": "d", "relation": "influenced"}
        ],
        "incident": {"symptom_ids": ["nope"], "clock_skew_seconds": -1}
    });
    let err = from_value(&doc).unwrap_err();
    let lines: Vec<String> = err.errors().map(ToString::to_string).collect();
    let has = |needle: &str| lines.iter().any(|l| l.contains(needle));
    assert!(has("error[unknown_value] nodes[0].change.type (a)"), "{lines:#?}");
    assert!(has("error[duplicate_id] nodes[1].id (a)"), "{lines:#?}");
    assert!(has("error[unknown_kind] nodes[2].kind (b)"), "{lines:#?}");
    assert!(has("error[bad_time] nodes[3].time (c)"), "{lines:#?}");
    assert!(has("error[out_of_range] nodes[3].event.count (c)"), "{lines:#?}");
    assert!(has("error[out_of_range] nodes[4].anomaly.score (d)"), "{lines:#?}");
    assert!(has("error[dangling_edge] edges[0].to (a→zz)"), "{lines:#?}");
    assert!(has("error[out_of_range] edges[0].confidence (a→zz)"), "{lines:#?}");
    assert!(has("error[self_loop] edges[1] (a→a)"), "{lines:#?}");
    assert!(has("error[undirected_causal] edges[2].directed (a→d)"), "{lines:#?}");
    assert!(has("error[negative_lag] edges[2].lag_seconds (a→d)"), "{lines:#?}");
    assert!(has("error[unknown_value] edges[3].relation (a→d)"), "{lines:#?}");
    assert!(has("error[unknown_reference] incident.symptom_ids[0] (nope)"), "{lines:#?}");
    assert!(has("error[out_of_range] incident.clock_skew_seconds"), "{lines:#?}");
}

#[test]
fn parse_errors_carry_line_and_column() {
    let err = parse_json("{\n  \"schema_version\": \"rcagraph/v1\",\n  \"nodes\": [,]\n}").unwrap_err();
    assert_eq!(err.issues[0].code, "parse_error");
    assert!(err.issues[0].path.starts_with("line 3, column"), "{}", err.issues[0]);
    let err = parse_json("[1, 2]").unwrap_err();
    assert_eq!(err.issues[0].code, "parse_error");
}

#[test]
fn versions_and_empty_graphs() {
    let mut d = base();
    d["schema_version"] = json!("rcagraph/v2");
    assert_eq!(codes(&from_value(&d)), ["unsupported_version"]);
    d.as_object_mut().unwrap().remove("schema_version");
    assert_eq!(codes(&from_value(&d)), ["unsupported_version"]);
    let mut d = base();
    d["nodes"] = json!([]);
    d["edges"] = json!([]);
    assert_eq!(codes(&from_value(&d)), ["empty_graph"]);
}

#[test]
fn required_members_and_types() {
    let mut d = base();
    d["nodes"][0].as_object_mut().unwrap().remove("entity");
    d["nodes"][1].as_object_mut().unwrap().remove("description");
    d["edges"][0]["confidence"] = json!("high");
    let r = from_value(&d);
    let c = codes(&r);
    assert!(c.contains(&"missing_field") && c.contains(&"wrong_type"), "{c:?}");
    let err = r.unwrap_err();
    assert!(err.issues.iter().any(|i| i.path == "nodes[0].entity" && i.code == "missing_field"));
    assert!(err.issues.iter().any(|i| i.path == "nodes[1].description" && i.code == "missing_field"));
}

#[test]
fn time_order_along_causal_edges() {
    let mut d = base();
    d["nodes"][1]["time"] = json!("2024-11-26T12:30:00Z");
    let err = from_value(&d).unwrap_err();
    assert_eq!(err.issues[0].code, "cause_after_effect");
    assert_eq!(err.issues[0].id.as_deref(), Some("c1→s1"));
    // Within the declared skew it is a warning, not an error.
    d["nodes"][1]["time"] = json!("2024-11-26T12:38:53Z");
    d["incident"] = json!({"clock_skew_seconds": 5});
    assert!(codes(&from_value(&d)).contains(&"clock_skew"));
    // A declared lag that disagrees with the times.
    let mut d = base();
    d["edges"][0]["lag_seconds"] = json!(10);
    assert!(codes(&from_value(&d)).contains(&"lag_mismatch"));
}

#[test]
fn warnings_do_not_invalidate() {
    let mut d = base();
    d["extra"] = json!(1);
    d["nodes"][0]["colour"] = json!("red");
    d["nodes"]
        .as_array_mut()
        .unwrap()
        .push(json!({"id": "lonely", "kind": "symptom", "description": "x", "severity": "info"}));
    d["nodes"]
        .as_array_mut()
        .unwrap()
        .push(json!({"id": "orphan", "kind": "metric_anomaly", "metric": {"name": "cpu"}}));
    d["edges"].as_array_mut().unwrap().push(json!({"from": "c1", "to": "s1", "relation": "caused"}));
    d["edges"].as_array_mut().unwrap().push(
        json!({"from": "c1", "to": "s1", "relation": "correlated", "directed": true, "confidence": 0.2}),
    );
    d["incident"] = json!({"window": {"start": "2024-11-26T12:39:00Z", "end": "2024-11-26T13:00:00Z"}});
    let r = from_value(&d);
    let c = codes(&r);
    for code in [
        "unknown_field",
        "isolated_node",
        "missing_time",
        "duplicate_edge",
        "default_confidence",
        "directed_correlation",
        "outside_window",
    ] {
        assert!(c.contains(&code), "{code} in {c:?}");
    }
    assert!(r.is_ok());
}

#[test]
fn broken_ranking_paths_are_warned_about() {
    let mut d = base();
    d["ranking"] = json!([{"node_id": "c1", "rank": 1, "paths": [{"node_ids": ["s1", "c1"]}]}]);
    assert_eq!(codes(&from_value(&d)), ["broken_path"]);
    d["ranking"] = json!([{"node_id": "ghost", "rank": 1}, {"node_id": "c1", "rank": 0}]);
    let c = codes(&from_value(&d));
    assert!(c.contains(&"unknown_reference") && c.contains(&"out_of_range"), "{c:?}");
}

#[test]
fn typed_graph_round_trips_through_serde() {
    let p = from_value(&base()).unwrap();
    let text = serde_json::to_string(&p.graph).unwrap();
    let again = parse_json(&text).unwrap();
    assert_eq!(again.graph, p.graph);
}
