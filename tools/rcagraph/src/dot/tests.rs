use super::*;

const SAMPLE: &str = r#"
// CtrlStack-style export
strict digraph "inc-42" {
  graph [rankdir=LR, "incident.detected_at"="2024-11-26T12:41:10Z", "incident.symptom_ids"="s1"]
  node [shape=box]
  c1 [kind=change_event, time="2024-11-26T12:38:55Z", "entity.kind"=Deployment,
  "entity.namespace"=shop, "entity.name"=checkout, "change.type"=image_change,
  "change.before"="reg/checkout:1.4.2", "change.after"="reg/checkout:1.5.0"]
  m1 [kind=metric_anomaly, time="2024-11-26T12:39:40Z", "metric.name"=pod_error,
  "metric.labels.namespace"=shop, "anomaly.score"="0.97", "anomaly.type"=inflection]
  s1 [kind=symptom, label="checkout 5xx\nabove SLO", severity=critical]
  subgraph cluster_a { k1 [kind=k8s_event, "entity.kind"=Pod, "entity.name"="checkout-" + "78qds",
                     "event.type"=Warning, "event.reason"=BackOff, "event.count"=2,
                     time="2024-11-26T12:39:30Z"] }
  c1 -> m1 [relation=caused, confidence=0.86, evidence="temporal_precedence,same_entity", penwidth=3]
  m1 -> s1 [relation=caused, confidence=0.8]
  m1 -> k1 [relation=correlated, dir=none, confidence=0.5]
}
"#;

#[test]
fn reads_the_attributes_of_section_11() {
    assert!(looks_like_dot(SAMPLE));
    let p = parse_dot(SAMPLE).unwrap();
    let g = &p.graph;
    assert_eq!(g.nodes.len(), 4);
    assert_eq!(g.incident.as_ref().unwrap().symptom_ids, ["s1"]);
    let c1 = &g.nodes[0];
    assert_eq!(c1.entity.as_ref().unwrap().reference(), "Deployment/shop/checkout");
    assert_eq!(c1.change.as_ref().unwrap().after, Some(json!("reg/checkout:1.5.0")));
    let m1 = &g.nodes[1];
    assert_eq!(m1.anomaly.as_ref().unwrap().score, Some(0.97));
    assert_eq!(m1.metric.as_ref().unwrap().labels["namespace"], "shop");
    assert_eq!(g.nodes[2].description.as_deref(), Some("checkout 5xx above SLO"));
    assert_eq!(g.nodes[3].entity.as_ref().unwrap().name, "checkout-78qds");
    assert_eq!(g.nodes[3].event.as_ref().unwrap().count, Some(2));
    assert_eq!(g.edges[0].evidence.len(), 2);
    assert_eq!(g.edges[2].directed, Some(false));
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
}

#[test]
fn graphviz_label_escapes() {
    let p = parse_dot(
        "digraph { node [label=\"\\N\"]; a [kind=symptom, description=x]; b [kind=symptom, label=\"two\\lline\"]; c [kind=change_event, \"entity.kind\"=Deployment, \"entity.name\"=web, \"change.type\"=deploy] }",
    )
    .unwrap();
    assert_eq!(p.graph.nodes[1].description.as_deref(), Some("two line"));
    assert_eq!(p.graph.nodes[2].description, None, "\\N is the node id, not a description");
}

#[test]
fn nodes_only_in_edges_lack_a_kind() {
    let err = parse_dot("digraph { a [kind=symptom, description=x]; b -> a [relation=caused] }").unwrap_err();
    assert!(
        err.issues.iter().any(|i| i.code == "missing_field" && i.path == "nodes[1].kind"),
        "{:?}",
        err.issues
    );
}

#[test]
fn numbers_must_be_numbers_and_unknown_attributes_are_warned_about() {
    let err = parse_dot("digraph { a [kind=symptom, description=x, mood=happy]; b [kind=symptom, description=y]; a -> b [relation=caused, confidence=high] }")
        .unwrap_err();
    assert!(
        err.issues.iter().any(|i| i.code == "wrong_type" && i.path == "edges[0].confidence"),
        "{:?}",
        err.issues
    );
    assert!(
        err.issues.iter().any(|i| i.code == "unknown_field" && i.path.starts_with("line 1")),
        "{:?}",
        err.issues
    );
}

#[test]
fn syntax_errors_name_line_and_column() {
    let err = parse_dot("digraph {\n  a -> \n}").unwrap_err();
    assert_eq!(err.issues[0].code, "parse_error");
    assert_eq!(err.issues[0].path, "line 3, column 1");
    let err = parse_dot("graph { a -- b }").unwrap_err();
    assert!(err.issues[0].message.contains("digraph"));
    let err = parse_dot("digraph { a [label=\"oops }").unwrap_err();
    assert!(err.issues[0].message.contains("unterminated"));
}

proptest::proptest! {
    #[test]
    fn any_text_is_refused_or_read_without_panicking(text in "\\PC{0,300}") {
        let _ = crate::explain(&text);
    }

    #[test]
    fn dot_shaped_text_never_panics(body in "[a-z0-9 \\[\\]=;,{}\"<>:+#/*\n.-]{0,240}") {
        let _ = crate::explain(&format!("digraph {{{body}"));
    }

    #[test]
    fn damaged_graphs_never_panic(at in 0usize..3000, cut in 0usize..40, junk in "[\\]\\[{}:,\"0-9a-z-]{0,6}") {
        let full = include_str!("../testdata/example.json");
        let at = (0..=at.min(full.len())).rev().find(|&i| full.is_char_boundary(i)).unwrap_or(0);
        let end = (at..=(at + cut).min(full.len())).rev().find(|&i| full.is_char_boundary(i)).unwrap_or(at);
        let damaged = format!("{}{junk}{}", &full[..at], &full[end..]);
        if let Ok(e) = crate::explain(&damaged) {
            for f in [crate::Format::Text, crate::Format::Svg, crate::Format::Dot, crate::Format::Mermaid, crate::Format::Json] {
                for view in [crate::View::Collapsed, crate::View::Full] {
                    let _ = e.render(f, false, view);
                }
            }
        }
    }
}

#[test]
fn a_byte_order_mark_is_not_an_error() {
    let json = format!("\u{feff}{}", include_str!("../testdata/example.json"));
    assert!(crate::read(&json).is_ok());
    assert!(crate::read("\u{feff}digraph { a [kind=symptom, description=x] }").is_ok());
}

#[test]
fn subgraphs_as_operands_and_chains_expand() {
    let p = parse_dot(
        "digraph { node [kind=symptom, description=d]; {a b} -> c -> d [relation=caused, confidence=0.9] }",
    )
    .unwrap();
    let pairs: Vec<(String, String)> = p.graph.edges.iter().map(|e| (e.from.clone(), e.to.clone())).collect();
    assert_eq!(pairs, [("a".into(), "c".into()), ("b".into(), "c".into()), ("c".into(), "d".into())]);
}
