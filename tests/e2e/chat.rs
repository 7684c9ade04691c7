//! `sleuth chat` through a pseudo-terminal, as a person uses it.

use sleuth_e2e::Sandbox;

fn session(s: &Sandbox) -> rexpect::session::PtySession {
    let mut cmd = s.cmd();
    cmd.arg("chat");
    rexpect::session::spawn_command(cmd, Some(60_000)).expect("sleuth chat starts in a pty")
}

#[test]
fn a_person_asks_reads_the_trace_interrupts_and_leaves() {
    let s = Sandbox::new();
    let mut p = session(&s);
    // A fresh machine: one line about the demo workspace, then the prompt.
    p.exp_string("Opening on the bundled demo workspace").unwrap();
    p.exp_string("sleuth> ").unwrap();
    p.send_line("why are grafana and prometheus unreachable?").unwrap();
    p.exp_string("log-alerter").unwrap();
    p.exp_string("kubectl describe node ip-10-0-1-88").unwrap();
    p.exp_string("sleuth> ").unwrap();
    p.send_line("/trace").unwrap();
    // rexpect reads bytes as Latin-1: match ASCII only.
    p.exp_string("investigate {").unwrap();
    p.exp_string("sleuth> ").unwrap();
    // Tab completes slash commands.
    p.send("/conte").unwrap();
    p.send("\t").unwrap();
    p.send_line("").unwrap();
    p.exp_string("conversation:").unwrap();
    p.exp_string("(1 turns)").unwrap();
    p.exp_string("sleuth> ").unwrap();
    // Ctrl-C stops an answer (or, at the prompt, the line) and keeps the conversation.
    p.send_line("what is wrong in namespace shop").unwrap();
    p.send_control('c').unwrap();
    p.exp_string("sleuth> ").unwrap();
    p.send_line("/context").unwrap();
    p.exp_regex(r"\((1|2) turns\)").unwrap();
    p.exp_string("sleuth> ").unwrap();
    // Multi-line input: a trailing backslash continues the question.
    p.send_line("what does checkout \\").unwrap();
    p.send_line("depend on").unwrap();
    p.exp_string("Checkout Service").unwrap();
    p.exp_string("sleuth> ").unwrap();
    let saved = s.path().join("chat.md");
    p.send_line(&format!("/save {}", saved.display())).unwrap();
    p.exp_string("Saved to").unwrap();
    p.exp_string("sleuth> ").unwrap();
    // Ctrl-D leaves, and the history survives for the next session.
    p.send_control('d').unwrap();
    p.exp_eof().unwrap();
    let transcript = std::fs::read_to_string(saved).unwrap();
    assert!(transcript.contains("## Question") && transcript.contains("log-alerter"), "{transcript}");
    let history = std::fs::read_to_string(s.path().join("data/sleuth/history.txt")).unwrap();
    assert!(history.contains("why are grafana and prometheus unreachable?"), "{history}");
}

#[test]
fn graph_explains_a_file_and_builds_one_from_the_cluster() {
    let s = Sandbox::new();
    let mut p = session(&s);
    p.exp_string("sleuth> ").unwrap();
    let file = sleuth_e2e::demo().join("graphs/checkout-deploy-ctrlstack.json");
    p.send_line(&format!("/graph {}", file.display())).unwrap();
    p.exp_string("Root cause #1").unwrap();
    p.exp_string("the image of Deployment shop/checkout changed").unwrap();
    p.exp_string("sleuth> ").unwrap();
    // Alone, it builds the graph of the cluster it is pointed at (the demo snapshot).
    p.send_line("/graph").unwrap();
    p.exp_string("memory of Deployment monitoring/log-alerter is unbounded").unwrap();
    p.exp_string("sleuth> ").unwrap();
    let bad = s.path().join("bad.json");
    std::fs::write(&bad, "{\"schema_version\": \"rcagraph/v1\", \"nodes\": []}").unwrap();
    p.send_line(&format!("/graph {}", bad.display())).unwrap();
    p.exp_string("empty_graph").unwrap();
    p.exp_string("sleuth> ").unwrap();
    p.send_control('d').unwrap();
    p.exp_eof().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_stops_a_streaming_answer_and_the_conversation_goes_on() {
    use sleuth_e2e::openai::{FakeOpenAi, Reply, text};
    let slow = Reply::Slow(
        text("This answer arrives one slow piece at a time and will be interrupted.", 40),
        std::time::Duration::from_millis(250),
    );
    let server = FakeOpenAi::start(vec![slow, Reply::Stream(text("Second answer PELICAN.", 2))]).await;
    let url = server.base_url();
    let requests = tokio::task::spawn_blocking(move || {
        let s = Sandbox::new();
        let mut cmd = s.cmd();
        cmd.env("OPENAI_BASE_URL", &url)
            .env("OPENAI_API_KEY", "k")
            .env("SLEUTH_MODEL", "slow-model")
            .arg("chat");
        let mut p = rexpect::session::spawn_command(cmd, Some(60_000)).unwrap();
        p.exp_string("sleuth> ").unwrap();
        p.send_line("what does checkout depend on").unwrap();
        p.exp_string("This answer").unwrap();
        p.send_control('c').unwrap();
        p.exp_string("(stopped; the conversation is kept)").unwrap();
        p.exp_string("sleuth> ").unwrap();
        p.send_line("and what about cart?").unwrap();
        p.exp_string("PELICAN").unwrap();
        p.exp_string("sleuth> ").unwrap();
        p.send_line("/context").unwrap();
        p.exp_string("(2 turns)").unwrap();
        p.send_control('d').unwrap();
        p.exp_eof().unwrap();
    })
    .await;
    requests.unwrap();
    let reqs = server.requests();
    assert_eq!(reqs.len(), 2);
    // The interrupted question is still part of the conversation the model sees next.
    let msgs = reqs[1]["messages"].as_array().unwrap();
    assert!(msgs.iter().any(|m| m["content"] == "what does checkout depend on"));
}
