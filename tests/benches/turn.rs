//! `cargo bench -p sleuth-e2e --bench turn`
//!
//! Issue 4's targets: the assistant's own overhead per turn (everything except waiting for the
//! model) for a three-tool turn on the demo, with the fake OpenAI-compatible server answering
//! instantly — p50 < 50 ms; and the time to the first streamed byte in the REPL.

use std::time::{Duration, Instant};

use assistant::agent::llm::LlmSettings;
use assistant::agent::{Agent, Policy};
use sleuth_e2e::Sandbox;
use sleuth_e2e::openai::{FakeOpenAi, Reply, text, tool_calls};

const TURNS: usize = 200;

fn pct(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let tools = sleuth_e2e::demo_toolbox(&dir.path().join("index"));
    rt.block_on(async {
        // The model asks for three tools at once, then answers; the server replies instantly.
        let mut replies = Vec::new();
        for _ in 0..TURNS + 5 {
            replies.push(Reply::Stream(tool_calls(
                &[
                    ("diagnose", r#"{"namespace": "monitoring"}"#, Some("a")),
                    ("search_docs", r#"{"query": "grafana prometheus unreachable runbook"}"#, Some("b")),
                    ("rollout_history", r#"{"deployment": "log-alerter", "namespace": "monitoring"}"#, Some("c")),
                ],
                4,
            )));
            replies.push(Reply::Stream(text("Grafana is down because log-alerter exhausted the node's memory.", 8)));
        }
        let server = FakeOpenAi::start(replies).await;
        let settings = LlmSettings { model: "bench".into(), base_url: Some(server.base_url()), api_key: Some("k".into()), context_tokens: 24_000, ..LlmSettings::default() };
        let mut times = Vec::new();
        for i in 0..TURNS + 5 {
            let mut agent = Agent::new(tools.clone(), Policy::from_settings(Some(settings.clone())));
            let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
            let t = Instant::now();
            let a = agent.turn("why are grafana and prometheus unreachable?", &tx).await;
            assert_eq!(a.tool_calls.len(), 3);
            if i >= 5 {
                times.push(t.elapsed());
            }
        }
        times.sort();
        println!("LLM three-tool turn, model answering instantly ({TURNS} turns): p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms", pct(&times, 0.5), pct(&times, 0.99), pct(&times, 1.0));

        let mut times = Vec::new();
        for i in 0..TURNS + 5 {
            let mut agent = Agent::new(tools.clone(), Policy::from_settings(None));
            let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
            let t = Instant::now();
            agent.turn("why are grafana and prometheus unreachable?", &tx).await;
            if i >= 5 {
                times.push(t.elapsed());
            }
        }
        times.sort();
        println!("offline turn (5 tools in two rounds, answer rendered) ({TURNS} turns): p50 {:.1} ms, p99 {:.1} ms", pct(&times, 0.5), pct(&times, 0.99));

        // Time to first streamed byte in the REPL, through a pseudo-terminal.
        let mut replies = Vec::new();
        for _ in 0..12 {
            replies.push(Reply::Stream(text("ZEBRA answer streamed in pieces.", 6)));
        }
        let server = FakeOpenAi::start(replies).await;
        let url = server.base_url();
        let firsts = tokio::task::spawn_blocking(move || {
            let s = Sandbox::new();
            let mut cmd = s.cmd();
            cmd.env("OPENAI_BASE_URL", &url).env("OPENAI_API_KEY", "k").env("SLEUTH_MODEL", "bench").arg("chat");
            let mut p = rexpect::session::spawn_command(cmd, Some(120_000)).unwrap();
            p.exp_string("sleuth> ").unwrap();
            let mut firsts = Vec::new();
            for _ in 0..11 {
                let t = Instant::now();
                p.send_line("what does checkout depend on").unwrap();
                p.exp_string("ZEBRA").unwrap();
                firsts.push(t.elapsed());
                p.exp_string("sleuth> ").unwrap();
            }
            p.send_control('d').unwrap();
            firsts.remove(0);
            firsts
        })
        .await
        .unwrap();
        let mut firsts = firsts;
        firsts.sort();
        println!("REPL time to first streamed byte (10 questions): p50 {:.1} ms, max {:.1} ms", pct(&firsts, 0.5), pct(&firsts, 1.0));
    });
}
