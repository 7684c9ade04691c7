//! The LLM policy end to end: async-openai against the fake OpenAI-compatible server (which
//! stands in for OpenAI, Ollama, vLLM or llama.cpp: none can run here).

use assistant::agent::llm::LlmSettings;
use assistant::agent::{Agent, Answer, Event, Policy};
use serde_json::Value;
use sleuth_e2e::openai::{FakeOpenAi, Reply, text, tool_calls};
use sleuth_e2e::{Run, Sandbox};

async fn turn(server: &FakeOpenAi, question: &str) -> (Answer, Vec<Event>) {
    let dir = tempfile::tempdir().unwrap();
    let settings = LlmSettings {
        model: "test-model".into(),
        base_url: Some(server.base_url()),
        api_key: Some("sk-test".into()),
        context_tokens: 24_000,
        ..LlmSettings::default()
    };
    let mut agent = Agent::new(
        sleuth_e2e::demo_toolbox(&dir.path().join("index")),
        Policy::from_settings(Some(settings)),
    );
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let answer = agent.turn(question, &tx).await;
    drop(tx);
    let mut events = Vec::new();
    while let Some(e) = rx.recv().await {
        events.push(e);
    }
    (answer, events)
}

const FINAL: &str = "Grafana and Prometheus are unreachable because node ip-10-0-1-88 went NotReady after SystemOOM; the cause is log-alerter, which has no memory limit.\n\n```bash\nkubectl describe node ip-10-0-1-88.eu-west-1.compute.internal\n```\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_streamed_tool_calling_turn_goes_through_async_openai() {
    let server = FakeOpenAi::start(vec![
        // Two calls in one message: ids missing on the first, arguments in many fragments.
        Reply::Stream(tool_calls(
            &[
                ("diagnose", r#"{"namespace": "monitoring"}"#, None),
                (
                    "search_docs",
                    r#"{"query": "grafana prometheus unreachable runbook", "k": 3}"#,
                    Some("call_docs"),
                ),
            ],
            7,
        )),
        Reply::Stream(text(FINAL, 9)),
    ])
    .await;
    let (answer, events) = turn(&server, "why are grafana and prometheus unreachable?").await;
    assert_eq!(answer.answer, FINAL);
    let names: Vec<&str> = answer.tool_calls.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["diagnose", "search_docs"]);
    assert!(answer.tool_calls.iter().all(|c| c.ok), "{:?}", answer.tool_calls);
    assert_eq!(answer.tool_calls[0].args["namespace"], "monitoring", "arguments reassembled from fragments");
    assert_eq!(answer.scripts.len(), 1);
    assert_eq!(answer.scripts[0].safety.to_string(), "read-only");
    assert!(
        answer.sources.iter().any(|s| s.title.contains("Runbook")),
        "sources come from the tools: {:?}",
        answer.sources
    );
    let deltas = events.iter().filter(|e| matches!(e, Event::TextDelta(_))).count();
    assert!(deltas >= 9, "the answer streamed ({deltas} deltas)");

    let reqs = server.requests();
    assert_eq!(reqs.len(), 2);
    let first = &reqs[0];
    assert_eq!(first["stream"], true);
    assert_eq!(first["model"], "test-model");
    assert!(first["messages"][0]["content"].as_str().unwrap().contains("read-only"), "system prompt first");
    let tool_names: Vec<&str> =
        first["tools"].as_array().unwrap().iter().map(|t| t["function"]["name"].as_str().unwrap()).collect();
    assert!(
        tool_names.contains(&"diagnose") && tool_names.contains(&"search_docs") && tool_names.len() >= 9,
        "{tool_names:?}"
    );
    // The second request carries the assistant's calls and one tool message per call.
    let msgs = reqs[1]["messages"].as_array().unwrap();
    let assistant = msgs.iter().find(|m| m["role"] == "assistant" && m["tool_calls"].is_array()).unwrap();
    let ids: Vec<&str> =
        assistant["tool_calls"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert!(!ids[0].is_empty() && ids[1] == "call_docs", "{ids:?}");
    let tool_msgs: Vec<&Value> = msgs.iter().filter(|m| m["role"] == "tool").collect();
    assert_eq!(tool_msgs.len(), 2);
    assert_eq!(tool_msgs[0]["tool_call_id"].as_str(), Some(ids[0]));
    assert!(
        tool_msgs[0]["content"].as_str().unwrap().contains("NODE-1"),
        "diagnose output went to the model"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rate_limit_is_retried_after_the_time_the_server_asks_for() {
    let server = FakeOpenAi::start(vec![
        Reply::Status(429, "Rate limit reached for requests".into(), Some(1)),
        Reply::Stream(text("All good.", 2)),
    ])
    .await;
    let started = std::time::Instant::now();
    let (answer, _) = turn(&server, "what does checkout depend on").await;
    assert_eq!(answer.answer, "All good.");
    assert_eq!(server.requests().len(), 2);
    assert!(started.elapsed() >= std::time::Duration::from_millis(900), "Retry-After: 1 was honoured");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_arguments_come_back_to_the_model_as_an_error() {
    let server = FakeOpenAi::start(vec![
        Reply::Stream(tool_calls(&[("describe", "{\"kind\": \"pod\", \"name\": ", Some("c1"))], 3)),
        Reply::Stream(text("Sorry, retrying was not needed.", 1)),
    ])
    .await;
    let (answer, _) = turn(&server, "describe prometheus-server-0").await;
    assert!(!answer.tool_calls[0].ok);
    let msgs = server.requests()[1]["messages"].as_array().unwrap().clone();
    let tool = msgs.iter().find(|m| m["role"] == "tool").unwrap();
    assert!(tool["content"].as_str().unwrap().contains("failed"), "{tool}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_that_breaks_mid_turn_ends_with_the_offline_answer_and_says_so() {
    let server = FakeOpenAi::start(vec![
        Reply::Stream(tool_calls(&[("diagnose", "{}", Some("c1"))], 1)),
        Reply::Broken(text("Grafana is down bec", 3)),
    ])
    .await;
    let (answer, events) = turn(&server, "why are grafana and prometheus unreachable?").await;
    assert!(answer.answer.contains("log-alerter"), "{}", answer.answer);
    assert!(answer.answer.contains("could not be used"), "{}", answer.answer);
    assert!(events.iter().any(|e| matches!(e, Event::Error(m) if m.contains("model failed"))));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_key_and_an_unknown_model_are_named_plainly() {
    let server = FakeOpenAi::start(vec![Reply::Status(401, "Incorrect API key provided".into(), None)]).await;
    let (answer, _) = turn(&server, "what does checkout depend on").await;
    assert!(answer.answer.contains("refused the API key (401"), "{}", answer.answer);
    assert!(answer.answer.contains("Checkout Service"), "the offline answer still comes: {}", answer.answer);
    let server =
        FakeOpenAi::start(vec![Reply::Status(404, "The model `gpt-9` does not exist".into(), None)]).await;
    let (answer, _) = turn(&server, "what does checkout depend on").await;
    assert!(answer.answer.contains("model \"test-model\" was not found"), "{}", answer.answer);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sleuth_ask_uses_a_configured_model() {
    let server = FakeOpenAi::start(vec![
        Reply::Stream(tool_calls(&[("diagnose", "{}", None)], 2)),
        Reply::Stream(text(FINAL, 4)),
    ])
    .await;
    let s = Sandbox::new();
    let url = server.base_url();
    let run = tokio::task::spawn_blocking(move || {
        Run::of(s.cmd().env("OPENAI_BASE_URL", url).env("OPENAI_API_KEY", "sk-test").args([
            "ask",
            "--model",
            "test-model",
            "--json",
            "why is grafana down?",
        ]))
    })
    .await
    .unwrap();
    assert_eq!(run.code, 0, "{run}");
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    // A fresh sandbox answers about the demo, and says so above the model's words.
    assert_eq!(v["demo"], true);
    assert!(v["answer"].as_str().unwrap().starts_with("> **Demo:**"), "{v}");
    assert!(v["answer"].as_str().unwrap().ends_with(&format!("\n\n{FINAL}")), "{v}");
    assert_eq!(v["tool_calls"][0]["name"], "diagnose");
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_keeps_failing_is_retried_with_backoff_then_used() {
    let mut replies: Vec<Reply> =
        (0..5).map(|_| Reply::Status(503, "The engine is currently overloaded".into(), None)).collect();
    replies.push(Reply::Stream(text("Recovered.", 2)));
    let server = FakeOpenAi::start(replies).await;
    let (answer, _) = turn(&server, "what does checkout depend on").await;
    assert_eq!(answer.answer, "Recovered.");
    assert_eq!(server.requests().len(), 6, "the library's retries, then sleuth's jittered ones");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_model_still_streaming_at_the_deadline_is_given_up_and_the_turn_answers_offline() {
    // The model trickles: ten minutes before its first chunk. The turn's deadline is one second.
    let server =
        FakeOpenAi::start(vec![Reply::Slow(text(FINAL, 2), std::time::Duration::from_secs(600))]).await;
    let dir = tempfile::tempdir().unwrap();
    let settings = LlmSettings {
        model: "test-model".into(),
        base_url: Some(server.base_url()),
        api_key: Some("sk-test".into()),
        ..LlmSettings::default()
    };
    let mut agent = Agent::new(
        sleuth_e2e::demo_toolbox(&dir.path().join("index")),
        Policy::from_settings(Some(settings)),
    );
    agent.settings.deadline = std::time::Duration::from_secs(1);
    let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
    let answer = agent.turn("why are grafana and prometheus unreachable?", &tx).await;
    assert!(answer.answer.contains("within the turn's deadline"), "{}", answer.answer);
    assert!(!answer.answer.contains(FINAL), "the late model answer is not used");
}
