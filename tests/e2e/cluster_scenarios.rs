//! The cluster scenario corpus (`tests/scenarios/clusters/`): each planted fault, as a sleuth
//! snapshot and as a `kubectl cluster-info dump` tree, through the real `sleuth diagnose --json`.
//! The first finding above `info` must name the expected object and cause tag with its proving
//! fact (top-1); every expected finding must be among the first three (top-3).

use serde_json::Value;
use sleuth_e2e::captures::{self, Expect, Scenario};
use sleuth_e2e::{Run, Sandbox, root};

/// Findings above `info`, in the order `diagnose` ranks them.
fn ranked(stdout: &str) -> Vec<Value> {
    let v: Value = serde_json::from_str(stdout).unwrap_or_else(|e| panic!("diagnose --json: {e}\n{stdout}"));
    v["findings"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|f| f["severity"] != "info")
        .collect()
}

fn object_matches(e: &Expect, f: &Value) -> bool {
    f["kind"] == e.kind.as_str()
        && f["namespace"].as_str().unwrap_or("") == e.namespace
        && f["name"] == e.name.as_str()
}

/// Whether finding `f` is `e`: object, cause and every fact.
fn matches(e: &Expect, f: &Value) -> bool {
    let text = format!("{} {} {}", f["message"], f["evidence"], f["detail"]).to_lowercase();
    object_matches(e, f)
        && f["cause"] == e.cause.as_str()
        && e.facts.iter().all(|x| text.contains(&x.to_lowercase()))
}

fn describe(f: &Value) -> String {
    format!(
        "{} {}/{}/{} {} — {}",
        f["rule"].as_str().unwrap_or(""),
        f["kind"].as_str().unwrap_or(""),
        f["namespace"].as_str().unwrap_or(""),
        f["name"].as_str().unwrap_or(""),
        f["cause"].as_str().unwrap_or(""),
        f["message"].as_str().unwrap_or("")
    )
}

#[derive(Default)]
struct Score {
    runs: usize,
    top1: usize,
    top3: usize,
    object1: usize,
    /// Top-1 if each finding carried its rule's fixed tag, with no evidence read: the baseline.
    baseline: usize,
    failures: Vec<String>,
}

fn check(score: &mut Score, name: &str, form: &str, s: &Scenario, run: &Run) {
    score.runs += 1;
    if run.code != 0 {
        score.failures.push(format!("{name} ({form}): diagnose failed: {run}"));
        return;
    }
    let findings = ranked(&run.stdout);
    let first = findings.first();
    if first.is_some_and(|f| s.expect.iter().any(|e| object_matches(e, f))) {
        score.object1 += 1;
    }
    let top1 = first.is_some_and(|f| s.expect.iter().any(|e| matches(e, f)));
    let fixed = first.is_some_and(|f| {
        let tag = analyzers::rules::cause::of_rule(f["rule"].as_str().unwrap_or(""));
        s.expect.iter().any(|e| object_matches(e, f) && tag == e.cause)
    });
    score.baseline += usize::from(fixed);
    let top3 = s.expect.iter().all(|e| findings.iter().take(3).any(|f| matches(e, f)));
    score.top1 += usize::from(top1);
    score.top3 += usize::from(top3);
    if !top1 || !top3 {
        let got: Vec<String> = findings.iter().take(3).map(describe).collect();
        let want: Vec<String> = s
            .expect
            .iter()
            .map(|e| format!("{}/{}/{} {} {:?}", e.kind, e.namespace, e.name, e.cause, e.facts))
            .collect();
        score.failures.push(format!(
            "{name} ({form}): {}\n  want {}\n  got  {}",
            s.description,
            want.join("; "),
            if got.is_empty() { "nothing above info".to_string() } else { got.join("\n       ") }
        ));
    }
}

#[test]
fn every_planted_fault_is_named_with_its_cause_in_both_capture_forms() {
    let scenarios = captures::all(&root().join("tests/scenarios/clusters"));
    assert!(scenarios.len() >= 30, "the corpus has {} scenarios", scenarios.len());
    let mut score = Score::default();
    for (name, s) in &scenarios {
        assert!(!s.source.trim().is_empty() && !s.expect.is_empty(), "{name}: a source and an expectation");
        for form in &s.forms {
            let sb = Sandbox::new();
            let dir = sb.path().join(form);
            match form.as_str() {
                "snapshot" => s.write_snapshot(&dir),
                "dump" => s.write_dump(&dir),
                other => panic!("{name}: unknown form {other}"),
            }
            let mut cmd = sb.cmd();
            cmd.args(["diagnose", "--json", "-A", "--snapshot"]).arg(&dir);
            check(&mut score, name, form, s, &Run::of(&mut cmd));
        }
    }
    // The line CI prints and BENCHMARKS.md quotes, on the real stderr (not the captured one) so
    // every test run reports it.
    let line = format!(
        "cluster scenarios: {}/{} (top-1 cause and object), top-3 {}/{}, object top-1 {}/{}, {} scenarios; \
         baseline (each rule's fixed tag, no evidence read) top-1 {}/{}\n",
        score.top1,
        score.runs,
        score.top3,
        score.runs,
        score.object1,
        score.runs,
        scenarios.len(),
        score.baseline,
        score.runs
    );
    let _ = std::io::Write::write_all(&mut std::io::stderr(), line.as_bytes());
    assert!(
        score.failures.is_empty(),
        "{} of {} runs missed:\n{}",
        score.failures.len(),
        score.runs,
        score.failures.join("\n")
    );
}
