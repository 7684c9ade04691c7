//! Causal graphs end to end: `sleuth explain` on the demo graphs (JSON and DOT), every output
//! format, invalid graphs refused with every problem and exit 2, `sleuth graph` on the demo
//! snapshot piped into `sleuth explain -`, the agent's graph answers, and a model's rewrite
//! accepted or refused (the fake OpenAI-compatible server stands in for the model).

use std::io::Write as _;
use std::process::Stdio;

use serde_json::Value;
use sleuth_e2e::apiserver::FakeApiServer;
use sleuth_e2e::openai::{FakeOpenAi, Reply, text};
use sleuth_e2e::{Run, Sandbox, demo};

fn ctrlstack() -> String {
    demo().join("graphs/checkout-deploy-ctrlstack.json").display().to_string()
}

fn explain(s: &Sandbox, args: &[&str]) -> Run {
    let mut cmd = s.cmd();
    cmd.arg("explain").args(args);
    Run::of(&mut cmd)
}

#[test]
fn the_ctrlstack_style_graph_reads_like_an_sre_summary() {
    let s = Sandbox::new();
    let run = explain(&s, &[&ctrlstack()]);
    assert_eq!(run.code, 0, "{run}");
    let out = &run.stdout;
    for expected in [
        "Root cause #1 [likely] c1",
        "Most likely root cause (likely confidence): the image of Deployment shop/checkout changed",
        "45 s after the image of checkout changed, pod_error rate of checkout inflected upward",
        "Weaker routes to the same symptoms",
        "uptime of the checkout pods dropped",
        "only correlate",
        "evidence, not a cause",
        "sleuth agrees with the ranking ctrlstack supplied",
        "No evidence links the rescheduling onto ip-10-0-2-34.eu-west-1.compute.internal",
        "kubectl rollout history deployment/checkout -n shop",
    ] {
        assert!(out.contains(expected), "missing {expected:?} in\n{out}");
    }
    // Confidence in words, never as numbers.
    assert!(!out.contains("0.86") && !out.contains("0.97"), "{out}");
}

#[test]
fn json_output_is_the_documented_contract() {
    let s = Sandbox::new();
    let run = explain(&s, &[&ctrlstack(), "--json"]);
    assert_eq!(run.code, 0, "{run}");
    let v: Value = serde_json::from_str(&run.stdout).expect("JSON");
    let top = &v["root_causes"][0];
    assert_eq!(top["node_id"], "c1");
    assert!(top["score"].as_f64().unwrap() > 0.5);
    assert!(top["confidence"].as_f64().unwrap() > 0.6);
    assert_eq!(top["paths"][0], serde_json::json!(["c1", "m_err", "s1"]));
    assert_eq!(v["symptoms"], serde_json::json!(["s1", "s2"]));
    assert!(v["narrative"].as_str().unwrap().starts_with("**Most likely root cause"));
    assert!(v["warnings"].is_array());
}

#[test]
fn every_format_renders() {
    let s = Sandbox::new();
    let dot = demo().join("graphs/pinecart-monitoring-outage.dot").display().to_string();
    let mermaid = explain(&s, &[&dot, "--format", "mermaid"]);
    assert_eq!(mermaid.code, 0, "{mermaid}");
    assert!(mermaid.stdout.starts_with("flowchart LR\n"), "{mermaid}");
    let md = explain(&s, &[&ctrlstack(), "--format", "markdown"]);
    assert!(md.stdout.contains("```mermaid\nflowchart LR"), "{md}");
    let redot = explain(&s, &[&ctrlstack(), "--format", "dot"]);
    assert!(redot.stdout.starts_with("strict digraph rcagraph {"), "{redot}");
    // DOT output reads back to the same ranking.
    let path = s.path().join("again.dot");
    std::fs::write(&path, &redot.stdout).unwrap();
    let back = explain(&s, &[path.to_str().unwrap(), "--json"]);
    let v: Value = serde_json::from_str(&back.stdout).expect("JSON");
    assert_eq!(v["root_causes"][0]["node_id"], "c1");
    let svg_path = s.path().join("graph.svg");
    let svg = explain(&s, &[&ctrlstack(), "--format", "svg", "-o", svg_path.to_str().unwrap()]);
    assert_eq!(svg.code, 0, "{svg}");
    let written = std::fs::read_to_string(&svg_path).unwrap();
    assert!(written.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(written.contains("checkout 5xx rate above SLO"));
}

#[test]
fn invalid_graphs_fail_with_every_problem_one_per_line() {
    let s = Sandbox::new();
    let bad = s.path().join("bad.json");
    std::fs::write(
        &bad,
        r#"{"schema_version": "rcagraph/v1",
            "nodes": [
              {"id": "a", "kind": "change_event", "time": "2024-01-01T00:00:00Z",
               "entity": {"kind": "Deployment", "name": "web"}, "change": {"type": "image_change"}},
              {"id": "a", "kind": "symptom", "description": "dup"},
              {"id": "b", "kind": "metric_anomaly", "time": "2023-12-31T23:00:00Z", "metric": {"name": "x"}}
            ],
            "edges": [
              {"from": "a", "to": "ghost", "relation": "caused", "confidence": 0.9},
              {"from": "a", "to": "b", "relation": "caused", "confidence": 1.7}
            ]}"#,
    )
    .unwrap();
    let run = explain(&s, &[bad.to_str().unwrap()]);
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stdout.is_empty(), "{run}");
    for line in [
        "bad.json: error[duplicate_id] nodes[1].id (a)",
        "bad.json: error[dangling_edge] edges[0].to (a→ghost): to \"ghost\" is not a node id",
        "bad.json: error[out_of_range] edges[1].confidence (a→b): confidence 1.7 is outside [0, 1]",
    ] {
        assert!(run.stderr.lines().any(|l| l.contains(line)), "missing {line:?}: {run}");
    }
    // A time-travelling edge (cause after effect) is caught once the structure is sound.
    let travel = s.path().join("travel.json");
    std::fs::write(
        &travel,
        r#"{"schema_version": "rcagraph/v1",
            "nodes": [{"id": "a", "kind": "symptom", "description": "x", "time": "2024-01-01T00:10:00Z"},
                      {"id": "b", "kind": "symptom", "description": "y", "time": "2024-01-01T00:00:00Z"}],
            "edges": [{"from": "a", "to": "b", "relation": "caused", "confidence": 0.9}]}"#,
    )
    .unwrap();
    let run = explain(&s, &[travel.to_str().unwrap()]);
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stderr.contains("error[cause_after_effect] edges[0] (a→b)"), "{run}");
    // DOT syntax errors name the line.
    let dot = s.path().join("bad.dot");
    std::fs::write(&dot, "digraph {\n  a [kind=symptom, description=x]\n  a -> \n}\n").unwrap();
    let run = explain(&s, &[dot.to_str().unwrap()]);
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stderr.contains("bad.dot: error[parse_error] line 4, column 1"), "{run}");
    // Not JSON at all.
    let garbage = s.path().join("garbage.json");
    std::fs::write(&garbage, "{\"schema_version\": \"rcagraph/v1\", \"nodes\": [").unwrap();
    let run = explain(&s, &[garbage.to_str().unwrap()]);
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stderr.contains("error[parse_error] line 1, column"), "{run}");
}

/// Boxes (one `<g><title>` per node) and edges (unfilled paths) of an SVG, and its width.
fn svg_shape(svg: &str) -> (usize, usize, f64) {
    let width = svg.split("width=\"").nth(1).and_then(|w| w.split('"').next()).unwrap().parse().unwrap();
    (svg.matches("<g><title>").count(), svg.matches(r#"fill="none" stroke="#).count(), width)
}

#[test]
fn the_collapsed_views_of_the_demo_graphs_keep_their_shape() {
    let s = Sandbox::new();
    // (file, boxes, edges) of the default picture: small graphs whole, the outage collapsed.
    for (file, boxes, edges) in [
        ("checkout-deploy-ctrlstack.json", 11, 11),
        ("pinecart-monitoring-outage.json", 16, 14),
        ("pinecart-monitoring-outage.dot", 16, 14),
    ] {
        let path = demo().join("graphs").join(file);
        let run = explain(&s, &[path.to_str().unwrap(), "--format", "svg"]);
        assert_eq!(run.code, 0, "{run}");
        let (b, e, w) = svg_shape(&run.stdout);
        assert_eq!((b, e), (boxes, edges), "{file}");
        assert!(w <= 1600.0, "{file}: {w} px");
    }
}

#[test]
fn the_demo_incident_is_a_picture_taken_in_at_a_glance() {
    let s = Sandbox::new();
    let mut graph = s.cmd();
    graph.args(["graph", "--snapshot"]).arg(demo().join("cluster")).arg("--quiet");
    let built = Run::of(&mut graph);
    assert_eq!(built.code, 0, "{built}");
    let file = s.path().join("incident.json");
    std::fs::write(&file, &built.stdout).unwrap();
    let g: Value = serde_json::from_str(&built.stdout).unwrap();
    let file = file.to_str().unwrap();
    let svg = explain(&s, &[file, "--format", "svg"]);
    assert_eq!(svg.code, 0, "{svg}");
    let (boxes, edges, width) = svg_shape(&svg.stdout);
    // The story in about fifteen boxes on a laptop screen; everything else counted.
    assert!((10..=16).contains(&boxes), "{boxes} boxes");
    assert!(edges <= 20, "{edges} edges");
    assert!(width <= 1600.0, "{width} px wide");
    assert!(svg.stdout.contains("more nodes off these paths (--full draws everything)"));
    assert!(svg.stdout.contains("3 Services: Service has no ready endpoint"), "evidence grouped");
    // Object names are never broken across lines.
    assert!(svg.stdout.contains(">ip-10-0-1-88.eu-west-1.compute.internal"), "the node's name whole");
    let full = explain(&s, &[file, "--format", "svg", "--full"]);
    let (all, all_edges, _) = svg_shape(&full.stdout);
    assert_eq!(all, g["nodes"].as_array().unwrap().len());
    assert!(all_edges >= g["edges"].as_array().unwrap().len() / 2, "{all_edges}");
    assert!(!full.stdout.contains("--full draws everything"));
    // The same picture as a PNG, drawn in-process with the embedded font.
    let png = s.path().join("incident.png");
    let run = explain(&s, &[file, "--format", "png", "-o", png.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{run}");
    let bytes = std::fs::read(&png).unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    let png_width = f64::from(u32::from_be_bytes(bytes[16..20].try_into().unwrap()));
    assert!((png_width - width).abs() < 1.0, "{png_width} vs {width}");
    // The text forms are collapsed the same way.
    let text = explain(&s, &[file]);
    assert!(text.stdout.contains("more nodes off these paths"), "{text}");
}

#[test]
fn a_graph_built_from_the_demo_snapshot_names_the_real_cause() {
    let s = Sandbox::new();
    let mut graph = s.cmd();
    graph.args(["graph", "--snapshot"]).arg(demo().join("cluster")).arg("--quiet");
    let built = Run::of(&mut graph);
    assert_eq!(built.code, 0, "{built}");
    let g: Value = serde_json::from_str(&built.stdout).expect("rcagraph JSON");
    assert_eq!(g["schema_version"], "rcagraph/v1");
    assert_eq!(g["provenance"]["generator"], "sleuth");

    // `sleuth graph … | sleuth explain -`
    let mut child = s
        .cmd()
        .args(["explain", "-", "--json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(built.stdout.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let top = v["root_causes"][0]["node_id"].as_str().unwrap();
    let node = g["nodes"].as_array().unwrap().iter().find(|n| n["id"] == top).unwrap();
    assert_eq!(node["entity"]["name"], "log-alerter", "{node}");
    assert_eq!(node["kind"], "metric_anomaly");
    let narrative = v["narrative"].as_str().unwrap();
    assert!(narrative.contains("memory of Deployment monitoring/log-alerter is unbounded"), "{narrative}");
    assert!(narrative.contains("SystemOOM"), "{narrative}");
    assert!(narrative.contains("NotReady"), "{narrative}");
    // The unrelated image typo is its own, lower-ranked story.
    let ranked: Vec<&str> =
        v["root_causes"].as_array().unwrap().iter().map(|r| r["node_id"].as_str().unwrap()).collect();
    assert!(ranked.iter().skip(1).any(|id| id.starts_with("image-notifications")), "{ranked:?}");
}

#[test]
fn the_agent_explains_pasted_graphs_and_builds_one_when_asked() {
    let s = Sandbox::new();
    let graph = std::fs::read_to_string(ctrlstack()).unwrap();
    let question = format!("can you explain this graph?\n```json\n{graph}\n```");
    let mut ask = s.cmd();
    ask.args(["ask", "--json", &question]).arg("--snapshot").arg(demo().join("cluster"));
    let run = Run::of(&mut ask);
    assert_eq!(run.code, 0, "{run}");
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["tool_calls"][0]["name"], "explain_graph");
    assert!(
        v["answer"].as_str().unwrap().contains("the image of Deployment shop/checkout changed"),
        "{}",
        v["answer"]
    );
    assert!(v["scripts"].as_array().unwrap().iter().all(|s| s["safety"] == "read-only"), "{}", v["scripts"]);

    let mut ask = s.cmd();
    ask.args(["ask", "--json", "build the causal graph of this incident"])
        .arg("--snapshot")
        .arg(demo().join("cluster"));
    let run = Run::of(&mut ask);
    assert_eq!(run.code, 0, "{run}");
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["tool_calls"][0]["name"], "build_graph");
    assert!(v["answer"].as_str().unwrap().contains("log-alerter"), "{}", v["answer"]);
    // The team's documents about the top cause come with it.
    assert_eq!(v["tool_calls"][1]["name"], "search_docs");
    assert!(v["answer"].as_str().unwrap().contains("From the team's documents:"), "{}", v["answer"]);
    assert!(v["sources"].as_array().unwrap().iter().any(|s| s["kind"] == "confluence"), "{}", v["sources"]);
    assert!(
        v["sources"].as_array().unwrap().iter().any(|s| s["location"] == "Deployment/monitoring/log-alerter"),
        "{}",
        v["sources"]
    );

    // A broken graph gets its problems, not an explanation.
    let mut ask = s.cmd();
    ask.args(["ask", "--json", "explain this graph: {\"schema_version\": \"rcagraph/v1\", \"nodes\": [{\"id\": \"a\", \"kind\": \"nope\"}]}"]);
    let run = Run::of(&mut ask);
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    assert!(v["answer"].as_str().unwrap().contains("unknown_kind"), "{}", v["answer"]);
}

async fn explain_with_model(reply: &str) -> Run {
    let server = FakeOpenAi::start(vec![Reply::Stream(text(reply, 5))]).await;
    let s = Sandbox::new();
    let mut cmd = s.cmd();
    cmd.args(["explain", &ctrlstack(), "--format", "markdown"])
        .env("SLEUTH_MODEL", "test-model")
        .env("OPENAI_BASE_URL", server.base_url())
        .env("OPENAI_API_KEY", "sk-test");
    let run = tokio::task::spawn_blocking(move || Run::of(&mut cmd)).await.unwrap();
    let reqs = server.requests();
    assert_eq!(reqs.len(), 1, "one rewrite request");
    let user = reqs[0]["messages"][1]["content"].as_str().unwrap();
    assert!(user.contains("\"verdict\""), "the model sees the structured analysis only: {user}");
    assert!(!user.contains("schema_version"), "not the raw graph");
    run
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_models_rewrite_is_kept_only_when_it_stays_true_to_the_graph() {
    let good = "The new checkout image (3.8.0) is the likely root cause: 45 s after it rolled out, pod_error of checkout started rising and the 5xx SLO broke.";
    let run = explain_with_model(good).await;
    assert_eq!(run.code, 0, "{run}");
    assert!(run.stdout.starts_with(good), "{run}");

    let invented = "The root cause is the checkout image change, which also broke payments-api-7d9f and Deployment payments.";
    let run = explain_with_model(invented).await;
    assert_eq!(run.code, 0, "{run}");
    assert!(run.stdout.starts_with("**Most likely root cause"), "deterministic text kept: {run}");
    assert!(run.stderr.contains("rewrite was not used because it names"), "{run}");

    let no_cause = "Something went wrong with the storefront and cart latency.";
    let run = explain_with_model(no_cause).await;
    assert!(run.stdout.starts_with("**Most likely root cause"), "{run}");
    assert!(run.stderr.contains("does not name the top root cause"), "{run}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_live_cluster_and_its_snapshot_give_the_same_graph() {
    // The fake API server stands in for kube-apiserver (none can run here).
    let data = cluster::snapshot::load(&demo().join("cluster")).expect("demo snapshot loads");
    let server = FakeApiServer::start(data, &[]).await;
    let s = Sandbox::new();
    let kubeconfig = server.kubeconfig(s.path(), "default");
    let (live, offline) = tokio::task::spawn_blocking(move || {
        let live = Run::of(s.cmd().env("KUBECONFIG", &kubeconfig).args([
            "graph",
            "--context",
            "fake",
            "-A",
            "--quiet",
        ]));
        let offline = Run::of(s.cmd().args(["graph", "--quiet", "--snapshot"]).arg(demo().join("cluster")));
        (live, offline)
    })
    .await
    .unwrap();
    assert_eq!(live.code, 0, "{live}");
    assert_eq!(offline.code, 0, "{offline}");
    let strip = |t: &str| {
        let mut v: Value = serde_json::from_str(t).unwrap();
        v.as_object_mut().unwrap().remove("provenance");
        v["incident"].as_object_mut().unwrap().remove("cluster");
        v
    };
    let (a, b) = (strip(&live.stdout), strip(&offline.stdout));
    let ids = |v: &Value| {
        v["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["id"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&a), ids(&b));
    assert_eq!(a["edges"], b["edges"]);
    assert!(ids(&a).iter().any(|id| id == "memory-log-alerter"));
}
