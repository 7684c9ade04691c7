//! `cargo bench -p sleuth-e2e --bench mcp`
//!
//! Issue 16's speed targets for `sleuth mcp` (release build) on the demo, driven by the
//! official MCP Python SDK:
//! - a tool call's overhead: the client's round trip for a call over stdio and over streamable
//!   HTTP, against the same call made in-process on the same tools (what `sleuth ask` pays for
//!   it), median of many; target under 5 ms;
//! - start to ready: from spawning `sleuth mcp` to the answer to `initialize`, as the client
//!   sees it; target under 200 ms.

use std::time::Instant;

use serde_json::{Value, json};
use sleuth_e2e::mcp::drive;
use sleuth_e2e::server::{Server, demo_index};
use sleuth_e2e::{Sandbox, demo, sleuth_bin};

const REPEAT: usize = 40;
const STARTS: usize = 7;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn calls() -> Value {
    json!([
        {"name": "search_docs", "arguments": {"query": "grafana and prometheus unreachable"}},
        {"name": "describe", "arguments": {"kind": "pod", "name": "loki-0", "namespace": "monitoring"}},
        {"name": "diagnose", "arguments": {"namespace": "monitoring"}},
        {"name": "changes", "arguments": {"since": "30d"}},
    ])
}

/// Median client-side milliseconds per tool over the transcript's calls.
fn per_tool(t: &Value) -> Vec<(String, f64)> {
    let mut out = Vec::new();
    for c in calls().as_array().unwrap() {
        let name = c["name"].as_str().unwrap();
        let ms: Vec<f64> = t["calls"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|x| x["name"] == name)
            .map(|x| {
                assert!(x["is_error"] == false, "{x}");
                x["ms"].as_f64().unwrap()
            })
            .collect();
        out.push((name.to_string(), median(ms)));
    }
    out
}

fn main() {
    let index = demo_index();
    let snapshot = demo().join("cluster");
    let s = Sandbox::new();
    let env = json!({"HOME": s.path(), "XDG_DATA_HOME": s.path().join("data"), "XDG_CONFIG_HOME": s.path().join("config")});
    let command = json!([sleuth_bin(), "mcp", "--snapshot", snapshot, "--index", index]);

    // In-process: the same calls on the same tools, as the agent makes them.
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let mut tools = sleuth_e2e::demo_toolbox(index);
    tools.mode = assistant::agent::Mode::Server;
    let mut direct = Vec::new();
    for c in calls().as_array().unwrap() {
        let (name, args) = (c["name"].as_str().unwrap(), &c["arguments"]);
        let ms: Vec<f64> = (0..REPEAT)
            .map(|_| {
                let t = Instant::now();
                let out = rt.block_on(tools.call(name, args));
                assert!(out.ok, "{}", out.text);
                t.elapsed().as_secs_f64() * 1000.0
            })
            .collect();
        direct.push(median(ms));
    }

    let stdio = drive(
        &json!({"transport": "stdio", "command": command, "env": env, "calls": calls(), "repeat": REPEAT}),
    );
    let mut cmd = s.cmd();
    cmd.args(["mcp", "--http", "127.0.0.1:0", "--snapshot"]).arg(&snapshot).arg("--index").arg(index);
    let server = Server::launch(&s, cmd, &[]);
    let http = drive(&json!({"transport": "http", "url": server.url, "calls": calls(), "repeat": REPEAT}));
    drop(server);

    println!(
        "| tool | in-process (as `ask` calls it) | MCP over stdio | overhead | MCP over HTTP | overhead |"
    );
    println!("|---|---:|---:|---:|---:|---:|");
    for (i, ((name, over_stdio), (_, over_http))) in
        per_tool(&stdio).into_iter().zip(per_tool(&http)).enumerate()
    {
        println!(
            "| `{name}` | {:.2} ms | {over_stdio:.2} ms | **{:.2} ms** | {over_http:.2} ms | **{:.2} ms** |",
            direct[i],
            over_stdio - direct[i],
            over_http - direct[i]
        );
    }

    // Start to ready: from the client spawning the server to the answer to `initialize`
    // (the process start, opening the index and snapshot, and the handshake).
    let ready: Vec<f64> = (0..STARTS)
        .map(|_| {
            drive(&json!({"transport": "stdio", "command": command, "env": env}))["ready_ms"]
                .as_f64()
                .unwrap()
        })
        .collect();
    println!("start to ready over stdio (client-measured, median of {STARTS}): {:.1} ms", median(ready));
}
