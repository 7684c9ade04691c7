use serde::Deserialize;
use serde_json::Value;

use super::*;
use crate::rules::{self, Options};
use cluster::snapshot;

fn demo() -> ClusterData {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs-index/cluster");
    snapshot::load(&dir).expect("demo snapshot reads")
}

fn ask(data: &ClusterData, names: &[&str], namespace: Option<&str>) -> Investigation {
    let report = rules::analyze(data, &Options::default());
    let subject = Subject {
        names: names.iter().map(ToString::to_string).collect(),
        namespace: namespace.map(String::from),
    };
    investigate(data, &report, &subject)
}

#[test]
fn grafana_is_down_because_log_alerter_ate_its_nodes_memory() {
    let inv = ask(&demo(), &["grafana", "prometheus"], None);
    assert!(
        inv.subject.iter().any(|o| o.to_string() == "StatefulSet/monitoring/prometheus-server"),
        "{:?}",
        inv.subject
    );
    let top = inv.top().expect("a cause");
    assert_eq!(top.object.to_string(), "Deployment/monitoring/log-alerter", "{top:#?}");
    assert!(top.fact.contains("no memory limit"), "{top:#?}");
    assert_eq!(top.confidence_words, "high", "{top:#?}");
    // The chain runs in time order through the node's failure to the symptoms.
    let text: Vec<&str> = top.chain.iter().map(|s| s.what.as_str()).collect();
    assert!(text.iter().any(|t| t.contains("SystemOOM") || t.contains("NotReady")), "{text:#?}");
    let timed: Vec<_> = top.chain.iter().filter(|s| !s.time_inferred).filter_map(|s| s.time).collect();
    assert!(timed.windows(2).all(|w| w[0] <= w[1]));
    assert!(!top.confirm.is_empty() && !top.refute.is_empty());
    // The rollout of log-alerter is among the changes the answer reports.
    assert!(
        inv.changes.iter().any(|c| c.object.name == "log-alerter" && c.revision == Some(7)),
        "{:#?}",
        inv.changes
    );
}

#[test]
fn a_rollout_before_the_symptoms_competes_but_never_leads_over_a_proved_cause() {
    let inv = ask(&demo(), &["log-alerter"], None);
    let p = &inv.problems[0];
    let top = &p.hypotheses[0];
    assert_ne!(top.cause, "rollout/regression");
    let rollout = p
        .hypotheses
        .iter()
        .find(|h| h.cause == "rollout/regression")
        .unwrap_or_else(|| panic!("{:#?}", p.hypotheses));
    assert!(rollout.fact.contains("revision 7") && rollout.fact.contains("QUERY_MAX_LINES"), "{rollout:#?}");
    assert!(rollout.confidence < top.confidence);
    assert!(rollout.confirm[0].contains("--revision=7"), "{:?}", rollout.confirm);
    // A healthy workload's old rollouts are no hypothesis at all.
    assert!(ask(&demo(), &["catalog"], None).problems.is_empty());
}

#[test]
fn a_namespace_question_lists_its_separate_problems() {
    let inv = ask(&demo(), &[], Some("shop"));
    let causes: Vec<(String, String)> = inv
        .problems
        .iter()
        .map(|p| (p.hypotheses[0].cause.clone(), p.hypotheses[0].object.name.clone()))
        .collect();
    for want in [
        ("image/image-not-found", "notifications"),
        ("storage/storage-class-missing", "orders-export"),
        ("network/service-selector-mismatch", "payments-internal"),
    ] {
        assert!(causes.iter().any(|(c, o)| c == want.0 && o == want.1), "{want:?} in {causes:#?}");
    }
}

#[test]
fn a_healthy_object_gets_no_cause_and_says_what_was_checked() {
    let inv = ask(&demo(), &["catalog"], None);
    assert!(inv.problems.is_empty(), "{:#?}", inv.problems);
    assert!(inv.checked.objects > 0 && inv.checked.graph_nodes > 0);
    let nobody = ask(&demo(), &["no-such-thing"], None);
    assert_eq!(nobody.unresolved, vec!["no-such-thing".to_string()]);
}

#[derive(Deserialize)]
struct Scenario {
    expect: Vec<Expect>,
    objects: Vec<Value>,
    #[serde(default)]
    logs: Vec<rules::tests::Log>,
}

#[derive(Deserialize)]
struct Expect {
    kind: String,
    #[serde(default)]
    namespace: String,
    name: String,
    cause: String,
    #[serde(default)]
    facts: Vec<String>,
}

fn proves(h: &Hypothesis, e: &Expect) -> bool {
    let text =
        format!("{} {} {}", h.fact, h.evidence.join(" "), Value::Object(h.detail.clone())).to_lowercase();
    h.cause == e.cause
        && h.object.kind == e.kind
        && h.object.name == e.name
        && h.object.namespace == e.namespace
        && e.facts.iter().all(|f| text.contains(&f.to_lowercase()))
}

/// Every planted fault of the scenario corpus, asked about by the object's name: the top
/// hypothesis names the cause and object with the proving fact, and every planted cause is
/// among the first three.
#[test]
fn the_engine_names_the_planted_cause_across_the_scenario_corpus() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/scenarios/clusters");
    let mut total = 0;
    let mut misses = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap().flatten() {
        let s: Scenario = serde_yaml_ng::from_str(&std::fs::read_to_string(entry.path()).unwrap()).unwrap();
        let data = rules::tests::capture(&s.objects, &rules::tests::logs(&s.logs));
        let mut names: Vec<&str> = s.expect.iter().map(|e| e.name.as_str()).collect();
        names.dedup();
        total += 1;
        let inv = ask(&data, &names, None);
        let ranked: Vec<&Hypothesis> = inv.problems.iter().flat_map(|p| p.hypotheses.iter()).collect();
        let top1 = ranked.first().is_some_and(|h| s.expect.iter().any(|e| proves(h, e)));
        let top3 = s.expect.iter().all(|e| ranked.iter().take(3).any(|h| proves(h, e)));
        if !top1 || !top3 {
            let got: Vec<String> = ranked
                .iter()
                .map(|h| format!("{} {} {} {} — {}", h.confidence, h.rule, h.cause, h.object, h.fact))
                .collect();
            misses.push(format!("{}: got {got:#?}", entry.path().display()));
        }
    }
    assert!(total >= 40, "{total}");
    assert!(misses.is_empty(), "{} of {total} missed:\n{}", misses.len(), misses.join("\n"));
}
