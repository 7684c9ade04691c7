//! `sleuth mcp` driven by a real client, the official MCP Python SDK (`tests/mcp/client.py`,
//! installed by `scripts/mcp-venv.sh`), over stdio on the demo and over streamable HTTP on a
//! live (fake) API server: every tool, the resources, the prompts, the protocol checks the SDK
//! does not make, no secret in any response, and no write reaching the cluster.

use cluster::{ClusterData, LogKey, LogText};
use serde_json::{Value, json};
use sleuth_e2e::apiserver::FakeApiServer;
use sleuth_e2e::mcp::drive;
use sleuth_e2e::server::{Server, demo_index, http};
use sleuth_e2e::{Run, Sandbox, demo, sleuth_bin};

/// One call of every tool of the catalogue.
fn every_tool(namespace: &str, pod: &str) -> Value {
    let graph = std::fs::read_to_string(demo().join("graphs/pinecart-monitoring-outage.json")).unwrap();
    json!([
        {"name": "search_docs", "arguments": {"query": "grafana and prometheus unreachable runbook"}},
        {"name": "list_resources", "arguments": {"kind": "pods", "namespace": namespace}},
        {"name": "get_resource", "arguments": {"kind": "pod", "name": pod, "namespace": namespace}},
        {"name": "describe", "arguments": {"kind": "pod", "name": pod, "namespace": namespace}},
        {"name": "events", "arguments": {"namespace": namespace, "warnings_only": true}},
        {"name": "logs", "arguments": {"pod": "loki-0", "namespace": "monitoring"}},
        {"name": "diagnose", "arguments": {"namespace": "monitoring"}},
        {"name": "related", "arguments": {"kind": "pod", "name": pod, "namespace": namespace}},
        {"name": "build_graph", "arguments": {"namespace": "monitoring"}},
        {"name": "investigate", "arguments": {"names": ["grafana"]}},
        {"name": "changes", "arguments": {"since": "30d"}},
        {"name": "rollout_history", "arguments": {"deployment": "grafana", "namespace": "monitoring"}},
        {"name": "explain_graph", "arguments": {"graph": graph}},
    ])
}

/// Secret values that must never come out: the demo documents' (redacted at indexing) and
/// the ones planted in the live cluster's objects and logs.
const SECRETS: &[&str] = &[
    "rotate-me",
    "redis-auth-token-7f3a9c2e1b",
    "LS0tLS1CRUdJTi",
    "eyJzY2hlbWFfdmVyc2lvbiI",
    "hunter2-planted",
    "aHVudGVyMi1wbGFudGVk",
    "ghp_plantedplantedplantedplanted0123",
    "eyJhbGciOiJIUzI1NiJ9",
];

fn assert_no_secret(transcript: &Value) {
    let all = transcript.to_string();
    for s in SECRETS {
        assert!(!all.contains(s), "{s} reached an MCP client");
    }
}

/// The SDK's high-level client, which negotiates the newest protocol it and the server share
/// (`server/discover`), gets the same tools.
fn assert_modern(t: &Value) {
    let m = &t["modern"];
    assert_eq!(m["tools"], t["tools"].as_array().unwrap().len(), "{m}");
    assert_eq!(m["call_ok"], true, "{m}");
    // The session above used the initialize handshake (2025-11-25); this one the newest.
    assert_eq!(t["initialize"]["protocolVersion"], "2025-11-25");
    assert_eq!(m["protocol"], "2026-07-28", "{m}");
}

fn calls(t: &Value) -> &Vec<Value> {
    t["calls"].as_array().unwrap()
}

#[test]
fn an_mcp_client_investigates_the_demo_over_stdio() {
    let s = Sandbox::new();
    let index = demo_index();
    let data = cluster::snapshot::load(&demo().join("cluster")).unwrap();
    let pod = data.objects.pods.iter().find(|p| p.metadata.namespace.as_deref() == Some("shop")).unwrap();
    let pod = pod.metadata.name.clone().unwrap();
    let scenario = json!({
        "transport": "stdio",
        "command": [sleuth_bin(), "mcp", "--snapshot", demo().join("cluster"), "--index", index],
        "env": {"HOME": s.path(), "XDG_DATA_HOME": s.path().join("data"), "XDG_CONFIG_HOME": s.path().join("config")},
        "stderr": s.path().join("mcp.log"),
        "calls": every_tool("shop", &pod),
        "read": ["sleuth://cluster/findings", "sleuth://cluster/changes", "first-document"],
        "prompts": [
            {"name": "investigate", "arguments": {"workload": "checkout", "namespace": "shop"}},
            {"name": "explain_graph", "arguments": {"graph": "digraph { deploy -> oom }"}},
        ],
        "checks": true,
        "modern": true,
    });
    let t = drive(&scenario);

    let init = &t["initialize"];
    assert_eq!(init["serverInfo"]["name"], "sleuth");
    let instructions = init["instructions"].as_str().unwrap();
    assert!(
        instructions.contains("Nothing here can change the cluster") && instructions.contains("Demo:"),
        "{instructions}"
    );

    // The agent's tools, with the agent's schemas (one definition for both), all read-only.
    let mut agent = sleuth_e2e::demo_toolbox(index);
    agent.mode = assistant::agent::Mode::Server;
    let agent = agent.specs();
    let tools = t["tools"].as_array().unwrap();
    assert_eq!(tools.len(), agent.len());
    for (tool, spec) in tools.iter().zip(&agent) {
        assert_eq!(tool["name"], spec.name);
        assert_eq!(tool["inputSchema"], spec.parameters, "{}", spec.name);
        assert_eq!(tool["annotations"]["readOnlyHint"], true, "{tool}");
        assert_eq!(tool["annotations"]["destructiveHint"], false, "{tool}");
        assert!(tool["title"].as_str().is_some_and(|t| !t.is_empty()), "{tool}");
    }

    // Every tool answers, in text and as JSON, and says it is the demo.
    assert_eq!(calls(&t).len(), tools.len());
    for c in calls(&t) {
        assert_eq!(c["is_error"], false, "{c}");
        assert_eq!(c["structured"]["ok"], true, "{c}");
        assert_eq!(c["structured"]["demo"], true, "{c}");
        assert!(c["text"].as_str().unwrap().starts_with("Demo:"), "{c}");
    }
    // The demo incident, end to end: the investigation names the process that ate the node.
    let investigate = calls(&t).iter().find(|c| c["name"] == "investigate").unwrap();
    assert!(investigate["text"].as_str().unwrap().contains("log-alerter"), "{investigate}");
    let explained = calls(&t).iter().find(|c| c["name"] == "explain_graph").unwrap();
    assert!(explained["text"].as_str().unwrap().contains("root cause"), "{explained}");
    // Graph tools hand the client the collapsed picture as a PNG beside the text.
    for name in ["explain_graph", "build_graph"] {
        let c = calls(&t).iter().find(|c| c["name"] == name).unwrap();
        assert_eq!(c["images"], json!(["image/png"]), "{name}");
        assert_eq!(c["image_head"], "iVBORw0KGgoA", "{name}: base64 of the PNG signature");
        assert!(c["structured"]["data"].get("svg").is_none(), "{name}");
    }
    assert_eq!(calls(&t).iter().filter(|c| c["images"] != json!([])).count(), 2);

    // Resources: the findings and the timeline, then every document, in pages.
    let resources = t["resources"].as_array().unwrap();
    assert!(t["resource_pages"].as_u64().unwrap() >= 2, "the demo's documents fill more than one page");
    let uris: std::collections::BTreeSet<&str> =
        resources.iter().map(|r| r["uri"].as_str().unwrap()).collect();
    assert_eq!(uris.len(), resources.len(), "every resource once");
    assert!(uris.contains("sleuth://cluster/findings") && uris.contains("sleuth://cluster/changes"));
    let reads = t["reads"].as_array().unwrap();
    let findings = &reads[0]["contents"];
    assert_eq!(findings[0]["mimeType"], "text/plain");
    assert!(findings[0]["text"].as_str().unwrap().contains("[error]"), "{findings}");
    let json_findings: Value = serde_json::from_str(findings[1]["text"].as_str().unwrap()).unwrap();
    assert!(json_findings["findings"].as_array().is_some_and(|f| !f.is_empty()));
    assert!(reads[1]["contents"][0]["text"].as_str().unwrap().contains("ConfigMap"), "{}", reads[1]);
    let doc = &reads[2]["contents"][0];
    assert_eq!(doc["mimeType"], "text/markdown");
    assert!(doc["text"].as_str().unwrap().starts_with("# "), "{doc}");

    // Prompts that steer the client's model to the tools.
    let prompts = t["prompt_results"].as_array().unwrap();
    let investigate = prompts[0]["result"]["messages"][0]["content"]["text"].as_str().unwrap();
    assert!(investigate.contains("checkout") && investigate.contains("`diagnose`"), "{investigate}");
    let explain = prompts[1]["result"]["messages"][0]["content"]["text"].as_str().unwrap();
    assert!(explain.contains("digraph { deploy -> oom }"), "{explain}");

    // What the SDK does not check.
    let c = &t["checks"];
    assert_eq!(c["bad_cursor"]["code"], -32602, "{c}");
    assert_eq!(c["invalid_arguments"]["is_error"], true);
    assert!(c["invalid_arguments"]["text"].as_str().unwrap().contains("kind: invalid type"), "{c}");
    assert_eq!(c["file_path"]["is_error"], true);
    assert!(c["file_path"]["text"].as_str().unwrap().contains("reads no files"), "{c}");
    assert_eq!(c["unknown_tool"]["code"], -32602, "{c}");
    assert_eq!(c["unknown_resource"]["code"], -32002, "{c}");
    assert_eq!(c["missing_prompt_argument"]["code"], -32602, "{c}");
    assert_eq!(c["after_cancel"], json!({"is_error": false, "tool": "search_docs"}), "{c}");
    assert_modern(&t);
    assert_no_secret(&t);
    let log = std::fs::read_to_string(s.path().join("mcp.log")).unwrap();
    assert!(!log.contains("panicked"), "{log}");
}

/// The demo cluster with secrets planted where a careless tool would pass them on: a Secret's
/// data, a container's environment, a last-applied annotation, a log line.
fn cluster_with_secrets() -> ClusterData {
    let mut data = cluster::snapshot::load(&demo().join("cluster")).unwrap();
    data.objects.secrets.push(
        serde_json::from_value(json!({
            "metadata": {"name": "planted", "namespace": "shop"},
            "data": {"password": "aHVudGVyMi1wbGFudGVk"}, "type": "Opaque"
        }))
        .unwrap(),
    );
    let pod = data.objects.pods.iter_mut().find(|p| p.metadata.namespace.as_deref() == Some("shop")).unwrap();
    pod.metadata.annotations.get_or_insert_default().insert(
        "kubectl.kubernetes.io/last-applied-configuration".into(),
        r#"{"env":[{"name":"GITHUB_TOKEN","value":"ghp_plantedplantedplantedplanted0123"}]}"#.into(),
    );
    let container = &mut pod.spec.as_mut().unwrap().containers[0];
    container
        .env
        .get_or_insert_default()
        .push(serde_json::from_value(json!({"name": "DB_PASSWORD", "value": "hunter2-planted"})).unwrap());
    data.logs.insert(
        LogKey {
            namespace: "monitoring".into(),
            pod: "loki-0".into(),
            container: "loki".into(),
            previous: false,
        },
        LogText::Text("msg=start\nAuthorization: Bearer eyJhbGciOiJIUzI1NiJ9.cGxhbnRlZA.sig\n".into()),
    );
    data
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_mcp_client_reads_a_live_cluster_over_http_and_nothing_can_write() {
    let data = cluster_with_secrets();
    let pod = data.objects.pods.iter().find(|p| p.metadata.namespace.as_deref() == Some("shop")).unwrap();
    let pod = pod.metadata.name.clone().unwrap();
    let api = FakeApiServer::start(data, &[]).await;
    let s = Sandbox::new();
    let kubeconfig = api.kubeconfig(s.path(), "shop");
    let token = "mcp-test-token-1234".to_string();
    let mut cmd = s.cmd();
    cmd.args(["mcp", "--http", "127.0.0.1:0", "--context", "fake", "--index"]).arg(demo_index());
    let server = Server::launch(
        &s,
        cmd,
        &[("KUBECONFIG", kubeconfig.display().to_string()), ("SLEUTH_API_TOKEN", token.clone())],
    );
    assert!(server.url.ends_with("/mcp"), "{}", server.url);

    // Without the token, or with a wrong one, nothing is served.
    let http = http();
    let init = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "curl", "version": "0"}}});
    for auth in [None, Some("Bearer wrong")] {
        let mut req =
            http.post(&server.url).header("accept", "application/json, text/event-stream").json(&init);
        if let Some(a) = auth {
            req = req.header("authorization", a);
        }
        let resp = req.send().await.unwrap();
        assert_eq!(resp.status(), 401, "{auth:?}");
    }

    let scenario = json!({
        "transport": "http", "url": server.url, "token": token,
        "calls": every_tool("shop", &pod),
        "read": ["sleuth://cluster/findings", "sleuth://cluster/changes"],
        "checks": true,
        "modern": true,
    });
    let t = tokio::task::spawn_blocking(move || drive(&scenario)).await.unwrap();
    for c in calls(&t) {
        assert_eq!(c["is_error"], false, "{c}");
    }
    assert!(
        t["initialize"]["instructions"].as_str().unwrap().contains("live cluster"),
        "{}",
        t["initialize"]
    );
    let env_shown = calls(&t).iter().find(|c| c["name"] == "get_resource").unwrap();
    assert!(
        env_shown["text"].as_str().unwrap().contains("DB_PASSWORD"),
        "the variable is shown, its value is not"
    );
    assert_eq!(t["checks"]["after_cancel"]["is_error"], false, "{}", t["checks"]);
    assert_modern(&t);
    assert_no_secret(&t);
    // Reads only: every request that reached the cluster was a GET, and something was read.
    let requests = api.requests();
    assert!(requests.len() > 20, "{}", requests.len());
    assert!(requests.iter().all(|r| r.method == "GET"), "{:?}", requests.iter().find(|r| r.method != "GET"));
    assert!(!server.log().contains("panicked"), "{}", server.log());
}

#[test]
fn mcp_over_http_fails_closed() {
    let s = Sandbox::new();
    // Reachable from other machines without a token: refused before anything is opened.
    let run = Run::of(s.cmd().args(["mcp", "--http", "0.0.0.0:0", "--demo"]).env_remove("SLEUTH_API_TOKEN"));
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stderr.contains("SLEUTH_API_TOKEN") && run.stderr.contains("--insecure-no-auth"), "{run}");
    // Nothing to serve and no --demo: says what is missing instead of serving a made-up company.
    let run = Run::of(s.cmd().args(["mcp", "--http", "127.0.0.1:0"]));
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stderr.contains("nothing to serve") && run.stderr.contains("--demo"), "{run}");
    assert!(run.stdout.is_empty(), "never listened: {run}");
}
