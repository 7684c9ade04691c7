//! The evaluation suite (`tests/scenarios/*.yaml`) against the offline policy, and `sleuth ask`.

use std::collections::HashMap;

use assistant::agent::offline::OfflinePolicy;
use assistant::agent::{Agent, Answer, Policy, ToolBox};
use serde::Deserialize;
use serde_json::Value;
use sleuth_e2e::{Run, Sandbox, demo, root};

#[derive(Deserialize)]
struct Scenario {
    /// The cluster scenario (`clusters/<name>.yaml`) whose capture the question is asked of;
    /// the demo snapshot when absent.
    capture: Option<String>,
    question: String,
    #[serde(default)]
    facts: Vec<String>,
    #[serde(default)]
    sources: Vec<String>,
    /// What the answer must not say (another cluster's documents, a common word taken as a name).
    #[serde(default)]
    absent: Vec<String>,
    safety: Option<String>,
}

async fn ask(tools: &ToolBox, question: &str) -> Answer {
    let mut agent = Agent::new(tools.clone(), Policy::Offline(OfflinePolicy::default()));
    let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
    agent.turn(question, &tx).await
}

fn check(s: &Scenario, a: &Answer) -> Vec<String> {
    let mut problems = Vec::new();
    let text = a.answer.to_lowercase();
    for f in &s.facts {
        if !text.contains(&f.to_lowercase()) {
            problems.push(format!("missing fact {f:?}"));
        }
    }
    for f in &s.absent {
        if text.contains(&f.to_lowercase()) {
            problems.push(format!("says {f:?}, which it must not"));
        }
    }
    for want in &s.sources {
        let w = want.to_lowercase();
        if !a
            .sources
            .iter()
            .any(|src| src.title.to_lowercase().contains(&w) || src.location.to_lowercase().contains(&w))
        {
            problems.push(format!("missing source {want:?}"));
        }
    }
    if let Some(safety) = &s.safety {
        if a.scripts.is_empty() {
            problems.push("no script".into());
        }
        for sc in &a.scripts {
            if &sc.safety.to_string() != safety {
                problems.push(format!("script labelled {} not {safety}: {}", sc.safety, sc.code));
            }
        }
    }
    problems
}

/// The baseline for a capture question, computed in the same run: what a reader of the top of
/// `diagnose` would say (its first finding above info, tagged with its rule's fixed cause and
/// followed by its evidence), judged by the same facts. No routing, no subject, no graph.
async fn baseline_passes(tools: &ToolBox, s: &Scenario) -> bool {
    let out = tools.call("diagnose", &serde_json::json!({})).await;
    let report: analyzers::Report = match serde_json::from_value(out.data) {
        Ok(r) => r,
        Err(_) => return false,
    };
    let Some(f) = report.findings.iter().find(|f| f.severity > analyzers::Severity::Info) else {
        return s.facts.iter().all(|x| x.to_lowercase().contains("no problem"));
    };
    let text = format!(
        "{} {} {} {}",
        analyzers::rules::cause::of_rule(&f.rule),
        f.root(),
        f.message,
        f.evidence.join(" ")
    )
    .to_lowercase();
    s.facts.iter().all(|x| text.contains(&x.to_lowercase()))
}

/// How a capture is written out: as sleuth's snapshot, or as `kubectl cluster-info dump` would
/// (no ConfigMaps, claims, policies or capture time).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Form {
    Snapshot,
    Dump,
}

/// The cluster scenarios, read once, each written out and opened once per form, with the demo's
/// documents beside them: what sleuth sees when a team's wiki is about services this cluster
/// does not run.
struct Captures {
    demo: ToolBox,
    dir: std::path::PathBuf,
    scenarios: HashMap<String, sleuth_e2e::captures::Scenario>,
    opened: HashMap<(String, Form), ToolBox>,
}

impl Captures {
    fn new(demo: ToolBox, dir: &std::path::Path) -> Captures {
        let scenarios =
            sleuth_e2e::captures::all(&root().join("tests/scenarios/clusters")).into_iter().collect();
        Captures { demo, dir: dir.to_path_buf(), scenarios, opened: HashMap::new() }
    }

    /// The toolbox for scenario `name` in `form`; `None` for a dump when the scenario's fault
    /// does not survive in one.
    fn toolbox(&mut self, name: &str, form: Form) -> Option<ToolBox> {
        if let Some(t) = self.opened.get(&(name.to_string(), form)) {
            return Some(t.clone());
        }
        let scenario = self.scenarios.get(name).unwrap_or_else(|| panic!("no cluster scenario {name}"));
        let out = match form {
            Form::Snapshot => {
                let out = self.dir.join(name);
                scenario.write_snapshot(&out);
                out
            }
            Form::Dump => {
                if !scenario.forms.iter().any(|f| f == "dump") {
                    return None;
                }
                let out = self.dir.join(format!("{name}.dump"));
                scenario.write_dump(&out);
                out
            }
        };
        let tools = ToolBox {
            searcher: self.demo.searcher.clone(),
            cluster: Some(cluster::ClusterSource::snapshot(&out).expect("scenario capture loads")),
            namespace: None,
            demo: assistant::agent::DemoParts::default(),
            mode: assistant::agent::Mode::Local,
        };
        self.opened.insert((name.to_string(), form), tools.clone());
        Some(tools)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn capture_questions_hold_when_the_capture_is_a_cluster_info_dump() {
    let dir = tempfile::tempdir().unwrap();
    let demo = sleuth_e2e::demo_toolbox(&dir.path().join("index"));
    let mut captures = Captures::new(demo, dir.path());
    let scenarios: Vec<Scenario> = serde_yaml_ng::from_str(
        &std::fs::read_to_string(root().join("tests/scenarios/captures.yaml")).unwrap(),
    )
    .unwrap();
    let (mut runs, mut failures) = (0, Vec::new());
    for s in &scenarios {
        let Some(tools) = s.capture.as_deref().and_then(|c| captures.toolbox(c, Form::Dump)) else {
            continue;
        };
        runs += 1;
        let answer = ask(&tools, &s.question).await;
        let problems = check(s, &answer);
        if !problems.is_empty() {
            failures.push(format!(
                "[{}] {:?}: {}\n{}",
                s.capture.as_deref().unwrap_or(""),
                s.question,
                problems.join("; "),
                answer.answer
            ));
        }
    }
    let _ = std::io::Write::write_all(
        &mut std::io::stderr(),
        format!("scenarios: {}/{runs} passed (captures.yaml as cluster-info dumps)\n", runs - failures.len())
            .as_bytes(),
    );
    assert!(runs >= 30, "{runs}");
    assert!(failures.is_empty(), "{} of {runs} failed:\n{}", failures.len(), failures.join("\n\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_offline_policy_passes_the_evaluation_suites() {
    let dir = tempfile::tempdir().unwrap();
    let mut captures = Captures::new(sleuth_e2e::demo_toolbox(&dir.path().join("index")), dir.path());
    let mut failures = Vec::new();
    let mut totals = Vec::new();
    // The question suites; `clusters/` holds the capture corpus (`cluster_scenarios`).
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(root().join("tests/scenarios"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    for path in files {
        let scenarios: Vec<Scenario> =
            serde_yaml_ng::from_str(&std::fs::read_to_string(&path).unwrap()).expect("scenario file parses");
        let suite = path.file_name().unwrap().to_string_lossy().into_owned();
        let before = failures.len();
        let mut baseline = 0;
        for s in &scenarios {
            let tools = match &s.capture {
                Some(name) => captures.toolbox(name, Form::Snapshot).expect("a snapshot of every scenario"),
                None => captures.demo.clone(),
            };
            if s.capture.is_some() && baseline_passes(&tools, s).await {
                baseline += 1;
            }
            let answer = ask(&tools, &s.question).await;
            let problems = check(s, &answer);
            if !problems.is_empty() {
                failures.push(format!(
                    "{suite} {}{:?}: {}\n--- answer\n{}",
                    s.capture.as_deref().map(|c| format!("[{c}] ")).unwrap_or_default(),
                    s.question,
                    problems.join("; "),
                    answer.answer
                ));
            }
            // Every answer names its sources and ends with the offline note.
            assert!(answer.answer.contains("offline"), "{:?}: {}", s.question, answer.answer);
        }
        let passed = scenarios.len() - (failures.len() - before);
        totals.push((suite, passed, scenarios.len(), baseline));
    }
    // Written to the real stderr (not the captured one) so every test run reports the rates.
    for (suite, passed, total, baseline) in &totals {
        let base = if *baseline > 0 {
            format!("; baseline (diagnose's first finding, its rule's fixed tag) {baseline}/{total}")
        } else {
            String::new()
        };
        let _ = std::io::Write::write_all(
            &mut std::io::stderr(),
            format!("scenarios: {passed}/{total} passed ({suite}){base}\n").as_bytes(),
        );
    }
    let count = |name: &str| totals.iter().find(|t| t.0 == name).map_or(0, |t| t.2);
    assert!(count("demo.yaml") >= 25, "{totals:?}");
    assert!(count("captures.yaml") >= 40, "{totals:?}");
    assert!(failures.is_empty(), "{} scenarios failed:\n{}", failures.len(), failures.join("\n\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_turn_records_its_tool_calls_and_keeps_the_full_output_for_the_trace() {
    let dir = tempfile::tempdir().unwrap();
    let tools = sleuth_e2e::demo_toolbox(&dir.path().join("index"));
    let mut agent = Agent::new(tools, Policy::Offline(OfflinePolicy::default()));
    agent.settings.budget_chars = 300;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let answer = agent.turn("why are grafana and prometheus unreachable?", &tx).await;
    drop(tx);
    let names: Vec<&str> = answer.tool_calls.iter().map(|c| c.name.as_str()).collect();
    assert!(names.contains(&"investigate") && names.contains(&"search_docs"), "{names:?}");
    assert!(answer.tool_calls.iter().all(|c| c.ok));
    // Tool results in the conversation are cut to the budget; the trace keeps them whole.
    let cut =
        agent.conversation.messages.iter().filter(|m| m.content.contains("more characters cut")).count();
    assert!(cut > 0);
    assert!(agent.conversation.trace.iter().any(|t| t.output.text.len() > 300));
    let mut started = 0;
    let mut answered = false;
    while let Some(ev) = rx.recv().await {
        match ev {
            assistant::agent::Event::ToolStarted { .. } => started += 1,
            assistant::agent::Event::Answer(_) => answered = true,
            _ => {}
        }
    }
    assert_eq!(started, answer.tool_calls.len());
    assert!(answered);
    // A second turn continues the same conversation.
    let again = agent.turn("what does checkout depend on", &tokio::sync::mpsc::unbounded_channel().0).await;
    assert_eq!(again.conversation_id, answer.conversation_id);
    assert_eq!(agent.conversation.turns, 2);
}

#[test]
fn sleuth_ask_answers_on_a_fresh_machine_and_prints_the_contract() {
    let s = Sandbox::new();
    let run = Run::of(s.cmd().args(["ask", "--json", "why are grafana and prometheus unreachable?"]));
    assert_eq!(run.code, 0, "{run}");
    assert!(run.stderr.contains("using the bundled demo snapshot"), "{run}");
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    for key in ["answer", "sources", "scripts", "tool_calls", "conversation_id"] {
        assert!(v.get(key).is_some(), "{key} missing: {v}");
    }
    assert!(v["answer"].as_str().unwrap().contains("log-alerter"));
    // Sleuth chose the demo for the user: the answer says so, in words and in JSON.
    assert_eq!(v["demo"], true, "{v}");
    assert!(v["answer"].as_str().unwrap().starts_with("> **Demo:**"), "{v}");
    assert!(v["scripts"].as_array().unwrap().iter().all(|s| s["safety"] == "read-only"), "{}", v["scripts"]);
    assert!(v["sources"].as_array().unwrap().iter().any(|s| s["kind"] == "confluence"), "{}", v["sources"]);
    let text = Run::of(s.cmd().args(["ask", "what does checkout depend on"]));
    assert_eq!(text.code, 0, "{text}");
    assert!(text.stdout.starts_with("> **Demo:**") && text.stdout.contains("\n\n**According to"), "{text}");
}

#[test]
fn how_to_get_the_logs_of_software_the_cluster_does_not_run_is_answered_from_the_documents() {
    let s = Sandbox::new();
    let docs = s.path().join("wiki");
    std::fs::create_dir_all(&docs).unwrap();
    std::fs::write(
        docs.join("bug-reports.md"),
        "# Filing a bug report\n\nAttach the Kiali server's logs: `kubectl logs deploy/kiali -n istio-system`.\n",
    )
    .unwrap();
    assert_eq!(s.index(&[docs.to_str().unwrap()]).code, 0);
    let ask = |q: &str| {
        let run = Run::of(
            s.cmd()
                .args(["ask", "--json", q, "--index"])
                .arg(s.index_dir())
                .arg("--snapshot")
                .arg(demo().join("cluster")),
        );
        assert_eq!(run.code, 0, "{run}");
        serde_json::from_str::<Value>(&run.stdout).unwrap()
    };
    // The demo cluster runs no kiali: its crashed log-alerter does not stand in for it.
    let v = ask("how do I collect kiali's logs for a bug report");
    let sources = v["sources"].as_array().unwrap();
    assert!(sources.iter().any(|s| s["location"].as_str().unwrap().ends_with("bug-reports.md")), "{v}");
    assert!(!v["answer"].as_str().unwrap().contains("log-alerter"), "{v}");
    // Software it runs still gets the cluster's script.
    let v = ask("how do I see log-alerter's logs");
    assert!(v["answer"].as_str().unwrap().contains("kubectl logs log-alerter"), "{v}");
}

#[test]
fn an_answer_from_the_users_own_inputs_is_not_marked_demo() {
    let s = Sandbox::new();
    let docs = s.path().join("wiki");
    std::fs::create_dir_all(&docs).unwrap();
    std::fs::write(
        docs.join("grafana.md"),
        "# Grafana\n\nGrafana runs in monitoring and reads Prometheus.\n",
    )
    .unwrap();
    assert_eq!(s.index(&[docs.to_str().unwrap()]).code, 0);
    let run = Run::of(
        s.cmd()
            .args(["ask", "--json", "why are grafana and prometheus unreachable?", "--index"])
            .arg(s.index_dir())
            .arg("--snapshot")
            .arg(demo().join("cluster")),
    );
    assert_eq!(run.code, 0, "{run}");
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["demo"], false, "{v}");
    assert!(!v["answer"].as_str().unwrap().contains("**Demo:**"), "{v}");

    // No kubeconfig: the demo cluster stands in, and the note says only that half is made up.
    let run = Run::of(
        s.cmd()
            .args(["ask", "--json", "why are grafana and prometheus unreachable?", "--index"])
            .arg(s.index_dir()),
    );
    assert_eq!(run.code, 0, "{run}");
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    let answer = v["answer"].as_str().unwrap();
    assert_eq!(v["demo"], true, "{v}");
    assert!(
        answer.starts_with("> **Demo:** the cluster this answer reads is the bundled demo workspace's")
            && !answer.lines().next().unwrap_or_default().contains("documents"),
        "{answer}"
    );
}
