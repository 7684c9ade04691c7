//! `sleuth serve` end to end over real sockets: the real binary, Slack's side played by signed
//! requests and by the fake Slack Web API (`sleuth_e2e::slack`, standing in for slack.com,
//! which cannot be reached here), and the JSON API.

use std::time::Duration;

use serde_json::{Value, json};
use sleuth_e2e::server::{Server, http};
use sleuth_e2e::slack::{BOT_TOKEN, Behaviour, FakeSlack, SIGNING_SECRET, envelope, mention, now, sign};
use sleuth_e2e::{Sandbox, demo};

fn bot(sandbox: &Sandbox, slack: &FakeSlack, extra: &[&str]) -> Server {
    Server::start(
        sandbox,
        extra,
        &[
            ("SLACK_SIGNING_SECRET", SIGNING_SECRET.into()),
            ("SLACK_BOT_TOKEN", BOT_TOKEN.into()),
            ("SLACK_API_URL", slack.api_url()),
        ],
    )
}

/// Posts `body` to `path` signed as Slack would (`ts` = the request timestamp).
async fn signed(
    server: &Server,
    path: &str,
    body: &str,
    content_type: &str,
    ts: i64,
    extra: &[(&str, &str)],
) -> reqwest::Response {
    let mut req = http()
        .post(format!("{}{path}", server.url))
        .header("content-type", content_type)
        .header("x-slack-request-timestamp", ts.to_string())
        .header("x-slack-signature", sign(SIGNING_SECRET, ts, body.as_bytes()))
        .body(body.to_string());
    for (k, v) in extra {
        req = req.header(*k, *v);
    }
    req.send().await.unwrap()
}

async fn event(server: &Server, payload: &Value) -> reqwest::Response {
    signed(server, "/slack/events", &payload.to_string(), "application/json", now(), &[]).await
}

/// `/metrics` once it contains `needle` (up to ten seconds), for counters updated just after
/// what the test waited for.
async fn metrics_with(server: &Server, needle: &str) -> String {
    let mut text = String::new();
    for _ in 0..100 {
        text = http().get(format!("{}/metrics", server.url)).send().await.unwrap().text().await.unwrap();
        if text.contains(needle) {
            return text;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{needle:?} never appeared in\n{text}");
}

fn post_text(p: &sleuth_e2e::slack::Post) -> String {
    p.body["blocks"].to_string() + &p.body["text"].to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_slack_request_that_is_not_signed_correctly_is_refused() {
    let slack = FakeSlack::start().await;
    let s = Sandbox::new();
    let server = bot(&s, &slack, &[]);
    let challenge = json!({"token": "t", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P", "type": "url_verification"});
    let body = challenge.to_string();
    let url = format!("{}/slack/events", server.url);

    // Correctly signed: the challenge is echoed.
    let ok = event(&server, &challenge).await;
    assert_eq!(ok.status(), 200);
    assert_eq!(ok.json::<Value>().await.unwrap()["challenge"], challenge["challenge"]);

    let refused = |r: reqwest::Response| async move {
        assert_eq!(r.status(), 401);
        assert!(r.text().await.unwrap().is_empty(), "401 with no detail");
    };
    // No signature at all.
    refused(http().post(&url).body(body.clone()).send().await.unwrap()).await;
    // Signed with another secret.
    let ts = now();
    refused(
        http()
            .post(&url)
            .header("x-slack-request-timestamp", ts.to_string())
            .header("x-slack-signature", sign("not-the-secret", ts, body.as_bytes()))
            .body(body.clone())
            .send()
            .await
            .unwrap(),
    )
    .await;
    // A stale (replayed) request, correctly signed six minutes ago.
    refused(signed(&server, "/slack/events", &body, "application/json", now() - 360, &[]).await).await;
    // A body changed after signing.
    let ts = now();
    refused(
        http()
            .post(&url)
            .header("x-slack-request-timestamp", ts.to_string())
            .header("x-slack-signature", sign(SIGNING_SECRET, ts, body.as_bytes()))
            .body(body.replace("url_verification", "event_callback"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    // Slash commands too.
    refused(http().post(format!("{}/slack/commands", server.url)).body("text=ask+x").send().await.unwrap())
        .await;
    assert!(slack.posts().is_empty());
    // The reason is in the log, not in the response.
    assert!(server.log().contains("refused an unsigned or badly signed request"), "{}", server.log());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mention_is_answered_in_its_thread_and_retries_are_dropped() {
    let slack = FakeSlack::start().await;
    let s = Sandbox::new();
    let server = bot(&s, &slack, &[]);
    let payload =
        envelope("Ev001", mention("why are grafana and prometheus unreachable?", "1763900000.000100", None));
    let r = event(&server, &payload).await;
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().is_empty());
    // Slack retries when it thinks the ack was late: the retry is acknowledged, not answered.
    let retry = signed(
        &server,
        "/slack/events",
        &payload.to_string(),
        "application/json",
        now(),
        &[("x-slack-retry-num", "1"), ("x-slack-retry-reason", "http_timeout")],
    )
    .await;
    assert_eq!(retry.status(), 200);
    let posts = slack.wait_posts(1).await;
    let p = &posts[0];
    assert_eq!(p.auth, format!("Bearer {BOT_TOKEN}"));
    assert_eq!(p.body["channel"], "C0INCIDENT");
    assert_eq!(p.body["thread_ts"], "1763900000.000100", "answered in the thread of the question");
    let text = post_text(p);
    assert!(text.contains("log-alerter"), "{text}");
    let blocks = p.body["blocks"].as_array().unwrap();
    assert!(blocks.len() <= 50);
    assert!(blocks.iter().any(|b| b["type"] == "context" && b.to_string().contains("Sources")), "{blocks:?}");
    assert!(blocks.iter().any(|b| b.to_string().contains("*Read-only*")), "scripts are labelled: {blocks:?}");
    for b in blocks.iter().filter(|b| b["type"] == "section") {
        assert!(b["text"]["text"].as_str().unwrap().chars().count() <= 3000);
    }

    // Bots (this one included), edits and channel chatter are not answered.
    let ignored = [
        envelope(
            "Ev002",
            json!({"type": "message", "subtype": "bot_message", "bot_id": "B1", "text": "hi", "ts": "1763900001.0", "channel": "D1", "channel_type": "im"}),
        ),
        envelope(
            "Ev003",
            json!({"type": "message", "user": "U0SLEUTH", "text": "my own reply", "ts": "1763900002.0", "channel": "D1", "channel_type": "im"}),
        ),
        envelope(
            "Ev004",
            json!({"type": "message", "subtype": "message_changed", "message": {"text": "edited"}, "ts": "1763900003.0", "channel": "D1", "channel_type": "im"}),
        ),
        envelope(
            "Ev005",
            json!({"type": "message", "user": "U0BOB", "text": "lunch?", "ts": "1763900004.0", "channel": "C0RANDOM", "channel_type": "channel"}),
        ),
    ];
    for e in &ignored {
        assert_eq!(event(&server, e).await.status(), 200);
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(slack.posts().len(), 1, "one question, one answer: {:?}", slack.posts());

    // A direct message is a question too.
    let dm = envelope(
        "Ev006",
        json!({"type": "message", "user": "U0ALICE", "text": "what does the notifications service do?", "ts": "1763900005.0", "channel": "D0ALICE", "channel_type": "im"}),
    );
    assert_eq!(event(&server, &dm).await.status(), 200);
    let posts = slack.wait_posts(2).await;
    assert_eq!(posts[1].body["channel"], "D0ALICE");
    // The fake records a post before answering; the server counts the call after reading the
    // answer: wait for the counter rather than race it.
    let metrics =
        metrics_with(&server, "sleuth_slack_api_calls_total{method=\"chat.postMessage\",result=\"ok\"} 2")
            .await;
    assert!(
        metrics.contains("sleuth_slack_events_total{kind=\"app_mention\",action=\"duplicate\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("sleuth_slack_api_calls_total{method=\"chat.postMessage\",result=\"ok\"} 2"),
        "{metrics}"
    );
    assert!(metrics.contains("sleuth_tool_calls_total{tool=\"investigate\",ok=\"true\"}"), "{metrics}");
}

fn conversation_files(dir: &std::path::Path) -> Vec<Value> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
        .map(|e| serde_json::from_str(&std::fs::read_to_string(e.path()).unwrap()).unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thread_is_one_conversation_and_survives_a_restart() {
    let slack = FakeSlack::start().await;
    let s = Sandbox::new();
    let data = s.path().join("conversations");
    let data_arg = data.display().to_string();
    let mut server = bot(&s, &slack, &["--data-dir", &data_arg]);
    let thread = "1763900100.000100";
    event(&server, &envelope("Ev101", mention("why is grafana down?", thread, None))).await;
    slack.wait_posts(1).await;
    event(
        &server,
        &envelope("Ev102", mention("and what about prometheus?", "1763900160.000100", Some(thread))),
    )
    .await;
    let posts = slack.wait_posts(2).await;
    assert_eq!(posts[1].body["thread_ts"], thread);
    let files = conversation_files(&data);
    assert_eq!(files.len(), 1, "one thread, one conversation");
    let users = |f: &Value| f["messages"].as_array().unwrap().iter().filter(|m| m["role"] == "user").count();
    assert_eq!(users(&files[0]), 2);
    assert_eq!(files[0]["key"], format!("slack:T0PINECART:C0INCIDENT:{thread}"));

    // Restart in the middle of the conversation.
    assert!(server.stop().success(), "{}", server.log());
    let server = bot(&s, &slack, &["--data-dir", &data_arg]);
    event(
        &server,
        &envelope("Ev103", mention("how do I check the node?", "1763900220.000100", Some(thread))),
    )
    .await;
    let posts = slack.wait_posts(3).await;
    assert_eq!(posts[2].body["thread_ts"], thread);
    let files = conversation_files(&data);
    assert_eq!(files.len(), 1);
    assert_eq!(users(&files[0]), 3, "the conversation continued after the restart");
    assert_eq!(files[0]["turns"], 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pasted_and_shared_graphs_are_explained_inline() {
    let slack = FakeSlack::start().await;
    let s = Sandbox::new();
    let server = bot(&s, &slack, &[]);
    let graph = std::fs::read_to_string(demo().join("graphs/checkout-deploy-ctrlstack.json")).unwrap();
    event(
        &server,
        &envelope(
            "Ev201",
            mention(&format!("what happened here?\n```\n{graph}\n```"), "1763900300.000100", None),
        ),
    )
    .await;
    let p = &slack.wait_posts(1).await[0];
    let text = post_text(p);
    assert!(text.contains("Most likely root cause"), "{text}");
    assert!(text.contains("the image of Deployment shop/checkout changed"), "{text}");
    // The picture went into the thread as a PNG, so the text carries no Mermaid.
    let uploads = slack.uploads();
    assert_eq!(uploads.len(), 1);
    assert_eq!(uploads[0].filename, "causal-graph.png");
    assert_eq!(&uploads[0].bytes[..8], b"\x89PNG\r\n\x1a\n");
    assert_eq!(uploads[0].thread_ts.as_deref(), Some("1763900300.000100"));
    assert_eq!(uploads[0].channel, p.body["channel"].as_str().unwrap());
    assert!(!text.contains("flowchart LR"), "{text}");

    // Without `files:write` the upload is refused: the answer still arrives, with the Mermaid.
    slack.refuse_uploads(vec!["missing_scope"]);
    event(
        &server,
        &envelope("Ev204", mention(&format!("and now?\n```\n{graph}\n```"), "1763900350.000100", None)),
    )
    .await;
    let p = &slack.wait_posts(2).await[1];
    assert!(post_text(p).contains("flowchart LR"), "the Mermaid rendering: {}", post_text(p));
    assert_eq!(slack.uploads().len(), 1);
    assert!(server.log().contains("missing_scope"), "{}", server.log());

    // A question that builds the cluster's graph gets its picture too.
    event(
        &server,
        &envelope("Ev205", mention("build the causal graph of this outage", "1763900370.000100", None)),
    )
    .await;
    let p = &slack.wait_posts(3).await[2];
    assert!(post_text(p).contains("log-alerter"), "{}", post_text(p));
    let uploads = slack.uploads();
    assert_eq!(uploads.len(), 2, "{uploads:?}");
    assert_eq!(uploads[1].thread_ts.as_deref(), Some("1763900370.000100"));

    // A shared .dot file, downloaded with the bot token.
    let dot = std::fs::read_to_string(demo().join("graphs/pinecart-monitoring-outage.dot")).unwrap();
    let url = slack.add_file("outage.dot", &dot);
    let shared = json!({"type": "message", "subtype": "file_share", "user": "U0ALICE", "text": "", "ts": "1763900400.000100", "channel": "D0ALICE", "channel_type": "im",
        "files": [{"id": "F1", "name": "outage.dot", "filetype": "text", "url_private": url, "url_private_download": url}]});
    event(&server, &envelope("Ev202", shared)).await;
    let p = &slack.wait_posts(4).await[3];
    assert!(post_text(p).contains("log-alerter"), "{}", post_text(p));
    assert_eq!(slack.downloads(), ["outage.dot"]);

    // An invalid graph gets its problems.
    let bad = r#"{"schema_version": "rcagraph/v1", "nodes": [{"id": "a", "kind": "symptom", "description": "x"}], "edges": [{"from": "a", "to": "zz", "relation": "caused"}]}"#;
    event(&server, &envelope("Ev203", mention(&format!("```{bad}```"), "1763900500.000100", None))).await;
    let p = &slack.wait_posts(5).await[4];
    let text = post_text(p);
    assert!(text.contains("could not be read") && text.contains("dangling_edge"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slack_api_errors_and_rate_limits_are_handled() {
    let slack = FakeSlack::start().await;
    slack.script(vec![Behaviour::RateLimit(1), Behaviour::Fail("not_in_channel")]);
    let s = Sandbox::new();
    let server = bot(&s, &slack, &[]);
    // The first answer meets a 429, waits Retry-After and is delivered.
    event(&server, &envelope("Ev301", mention("why is grafana down?", "1763900600.000100", None))).await;
    // The second is refused by Slack (`ok: false`): logged, counted, nothing crashes.
    event(&server, &envelope("Ev302", mention("what is log-alerter?", "1763900700.000100", None))).await;
    let posts = slack.wait_posts(1).await;
    assert_eq!(posts.len(), 1);
    for _ in 0..100 {
        if server.log().contains("not_in_channel") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(slack.refused(), 2);
    assert!(server.log().contains("Slack refused chat.postMessage: not_in_channel"), "{}", server.log());
    let metrics = metrics_with(&server, "result=\"error\"} 1").await;
    assert!(
        metrics.contains("result=\"rate_limited\"} 1") && metrics.contains("result=\"error\"} 1"),
        "{metrics}"
    );
    // Still serving.
    assert_eq!(http().get(format!("{}/healthz", server.url)).send().await.unwrap().status(), 200);
}

fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| {
            format!("{k}={}", percent_encoding::utf8_percent_encode(v, percent_encoding::NON_ALPHANUMERIC))
        })
        .collect::<Vec<_>>()
        .join("&")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slash_commands_acknowledge_at_once_and_answer_by_response_url() {
    let slack = FakeSlack::start().await;
    let s = Sandbox::new();
    let server = bot(&s, &slack, &[]);
    let command = |text: &str, id: &str| {
        form(&[
            ("token", "legacy"),
            ("team_id", "T0PINECART"),
            ("channel_id", "C0INCIDENT"),
            ("user_id", "U0ALICE"),
            ("command", "/sleuth"),
            ("text", text),
            ("response_url", &slack.response_url(id)),
            ("trigger_id", "1.2.3"),
        ])
    };
    let r = signed(
        &server,
        "/slack/commands",
        &command("ask why is grafana down?", "r1"),
        "application/x-www-form-urlencoded",
        now(),
        &[],
    )
    .await;
    assert_eq!(r.status(), 200);
    let ack: Value = r.json().await.unwrap();
    assert_eq!(ack["response_type"], "ephemeral");
    assert!(ack["text"].as_str().unwrap().starts_with("Working on it"), "{ack}");
    let answer = &slack.wait_responses(1).await[0];
    assert_eq!(answer["response_type"], "in_channel");
    assert!(answer["blocks"].to_string().contains("log-alerter"), "{answer}");

    signed(
        &server,
        "/slack/commands",
        &command("diagnose monitoring", "r2"),
        "application/x-www-form-urlencoded",
        now(),
        &[],
    )
    .await;
    let r = &slack.wait_responses(2).await[1];
    assert!(r["blocks"].to_string().contains("NODE-1") || r["blocks"].to_string().contains("POD-14"), "{r}");

    let graph = std::fs::read_to_string(demo().join("graphs/checkout-deploy-ctrlstack.json")).unwrap();
    signed(
        &server,
        "/slack/commands",
        &command(&format!("explain {graph}"), "r3"),
        "application/x-www-form-urlencoded",
        now(),
        &[],
    )
    .await;
    let r = &slack.wait_responses(3).await[2];
    assert!(r["blocks"].to_string().contains("flowchart LR"), "{r}");

    let help = signed(
        &server,
        "/slack/commands",
        &command("", "r4"),
        "application/x-www-form-urlencoded",
        now(),
        &[],
    )
    .await;
    assert!(help.json::<Value>().await.unwrap()["text"].as_str().unwrap().contains("Usage"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_json_api() {
    let s = Sandbox::new();
    let server = Server::start(
        &s,
        &["--api-only", "--body-limit-kb", "256"],
        &[("SLEUTH_API_TOKEN", "secret-api-token".into())],
    );
    let client = http();
    let url = |p: &str| format!("{}{p}", server.url);
    let unauth =
        client.post(url("/v1/ask")).json(&json!({"question": "why is grafana down?"})).send().await.unwrap();
    assert_eq!(unauth.status(), 401);
    let wrong =
        client.post(url("/v1/ask")).bearer_auth("nope").json(&json!({"question": "x"})).send().await.unwrap();
    assert_eq!(wrong.status(), 401);
    let r = client
        .post(url("/v1/ask"))
        .bearer_auth("secret-api-token")
        .json(&json!({"question": "why is grafana down?"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let a: Value = r.json().await.unwrap();
    for k in ["answer", "sources", "scripts", "tool_calls", "conversation_id"] {
        assert!(a.get(k).is_some(), "{k} in {a}");
    }
    assert!(a["answer"].as_str().unwrap().contains("log-alerter"));
    let id = a["conversation_id"].as_str().unwrap().to_string();
    let follow = client
        .post(url("/v1/ask"))
        .bearer_auth("secret-api-token")
        .json(&json!({"question": "and prometheus?", "conversation_id": id}))
        .send()
        .await
        .unwrap();
    assert_eq!(follow.json::<Value>().await.unwrap()["conversation_id"], id.as_str());
    let bad =
        client.post(url("/v1/ask")).bearer_auth("secret-api-token").body("{\"q\": 1}").send().await.unwrap();
    assert_eq!(bad.status(), 400);

    let graph = std::fs::read_to_string(demo().join("graphs/checkout-deploy-ctrlstack.json")).unwrap();
    let e = client
        .post(url("/v1/explain"))
        .bearer_auth("secret-api-token")
        .body(graph.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(e.status(), 200);
    assert_eq!(e.json::<Value>().await.unwrap()["root_causes"][0]["node_id"], "c1");
    let svg = client
        .post(url("/v1/explain?format=svg"))
        .bearer_auth("secret-api-token")
        .body(graph.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(svg.headers()["content-type"], "image/svg+xml");
    assert!(svg.text().await.unwrap().starts_with("<svg"));
    let png = client
        .post(url("/v1/explain?format=png"))
        .bearer_auth("secret-api-token")
        .body(graph.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(png.status(), 200);
    assert_eq!(png.headers()["content-type"], "image/png");
    assert_eq!(&png.bytes().await.unwrap()[..8], b"\x89PNG\r\n\x1a\n");
    // A large graph is collapsed unless `full=true`.
    let outage = std::fs::read_to_string(demo().join("graphs/pinecart-monitoring-outage.json")).unwrap();
    let mut boxes = Vec::new();
    for query in ["format=svg", "format=svg&full=true"] {
        let svg = client
            .post(url(&format!("/v1/explain?{query}")))
            .bearer_auth("secret-api-token")
            .body(outage.clone())
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        boxes.push(svg.matches("<g><title>").count());
    }
    assert_eq!(boxes, [16, 36]);
    let mermaid = client
        .post(url("/v1/explain?format=mermaid"))
        .bearer_auth("secret-api-token")
        .body(graph)
        .send()
        .await
        .unwrap();
    assert!(mermaid.text().await.unwrap().starts_with("flowchart LR"));
    let invalid = client
        .post(url("/v1/explain"))
        .bearer_auth("secret-api-token")
        .body("{\"schema_version\": \"rcagraph/v1\", \"nodes\": []}")
        .send()
        .await
        .unwrap();
    assert_eq!(invalid.status(), 422);
    assert_eq!(invalid.json::<Value>().await.unwrap()["errors"][0]["code"], "empty_graph");
    let huge = client
        .post(url("/v1/explain"))
        .bearer_auth("secret-api-token")
        .body("x".repeat(300 * 1024))
        .send()
        .await
        .unwrap();
    assert_eq!(huge.status(), 413);

    assert_eq!(client.get(url("/healthz")).send().await.unwrap().text().await.unwrap(), "ok\n");
    let ready: Value = client.get(url("/readyz")).send().await.unwrap().json().await.unwrap();
    assert_eq!(ready["ready"], true, "{ready}");
    assert_eq!(ready["index"], true);
    let openapi: Value = client.get(url("/openapi.json")).send().await.unwrap().json().await.unwrap();
    assert_eq!(openapi["openapi"], "3.1.0");
    assert!(openapi["paths"]["/v1/ask"]["post"].is_object());
    let metrics = client.get(url("/metrics")).send().await.unwrap().text().await.unwrap();
    assert!(metrics.contains("sleuth_http_requests_total{route=\"/v1/ask\",status=\"200\"} 2"), "{metrics}");
    assert!(metrics.contains("sleuth_http_requests_total{route=\"/v1/ask\",status=\"401\"} 2"), "{metrics}");
    assert!(
        metrics.contains("sleuth_http_request_duration_seconds_bucket{route=\"/v1/explain\""),
        "{metrics}"
    );
    // The bot's routes do not exist in --api-only.
    assert_eq!(client.post(url("/slack/events")).body("{}").send().await.unwrap().status(), 404);
    // Request logs carry no secrets.
    assert!(!server.log().contains("secret-api-token"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_past_the_deadline_are_refused_and_requests_are_logged_without_secrets() {
    let s = Sandbox::new();
    let server = Server::start(
        &s,
        &["--api-only", "--deadline-seconds", "0"],
        &[("SLEUTH_API_TOKEN", "tok-123".into())],
    );
    let r = http()
        .post(format!("{}/v1/ask", server.url))
        .bearer_auth("tok-123")
        .json(&json!({"question": "why is grafana down?"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 504);
    assert!(r.json::<Value>().await.unwrap()["error"].as_str().unwrap().contains("no answer within 0 s"));
    tokio::time::sleep(Duration::from_millis(200)).await;
    let log = server.log();
    assert!(log.contains("route=\"/v1/ask\"") || log.contains("route=/v1/ask"), "{log}");
    assert!(log.contains("status=504"), "{log}");
    assert!(!log.contains("tok-123") && !log.contains("grafana"), "no token, no question in the log: {log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_reads_no_file_a_question_names() {
    let s = Sandbox::new();
    let server = Server::start(&s, &["--api-only"], &[]);
    let graph = sleuth_e2e::demo().join("graphs/checkout-deploy-ctrlstack.json");
    assert!(graph.is_file());
    let r = http()
        .post(format!("{}/v1/ask", server.url))
        .json(&json!({"question": format!("explain the graph {}", graph.display())}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    let answer = v["answer"].as_str().unwrap();
    assert!(answer.contains("reads no files"), "{answer}");
    // Nothing of the file reaches the answer: not its incident, not its cluster's name.
    for leaked in ["checkout 3.8.0", "3.8.0", "pod_error"] {
        assert!(!answer.contains(leaked), "{leaked} leaked: {answer}");
    }
    let call = &v["tool_calls"][0];
    assert_eq!((call["name"].as_str(), call["ok"].as_bool()), (Some("explain_graph"), Some(false)), "{v}");
}

#[test]
fn the_server_fails_closed() {
    let s = Sandbox::new();
    // Reachable from other machines without a token: refused, and told how to fix it.
    let open = sleuth_e2e::Run::of(
        s.cmd().args(["serve", "--api-only", "--demo", "--addr", "0.0.0.0:0"]).env_remove("SLEUTH_API_TOKEN"),
    );
    assert_eq!(open.code, 2, "{open}");
    assert!(open.stderr.contains("SLEUTH_API_TOKEN") && open.stderr.contains("--insecure-no-auth"), "{open}");
    // No cluster, no index and no --demo: it says what is missing instead of serving the demo.
    let nothing = sleuth_e2e::Run::of(
        s.cmd().args(["serve", "--api-only", "--addr", "127.0.0.1:0"]).env_remove("SLEUTH_API_TOKEN"),
    );
    assert_eq!(nothing.code, 2, "{nothing}");
    for missing in ["no index at", "no cluster", "--demo"] {
        assert!(nothing.stderr.contains(missing), "{missing}: {nothing}");
    }
    assert!(!nothing.stderr.contains("using the bundled demo"), "{nothing}");
}

#[test]
fn missing_secrets_stop_the_server_with_a_clear_message() {
    let s = Sandbox::new();
    let mut cmd = s.cmd();
    cmd.args(["serve", "--addr", "127.0.0.1:0"])
        .env_remove("SLACK_SIGNING_SECRET")
        .env_remove("SLACK_BOT_TOKEN")
        .env("SLACK_SIGNING_SECRET", "x");
    let run = sleuth_e2e::Run::of(&mut cmd);
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stderr.contains("SLACK_BOT_TOKEN not set"), "{run}");
    assert!(run.stderr.contains("--api-only"), "{run}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_finishes_answers_in_flight() {
    let slack = FakeSlack::start().await;
    let s = Sandbox::new();
    let mut server = bot(&s, &slack, &[]);
    event(
        &server,
        &envelope("Ev401", mention("why are grafana and prometheus unreachable?", "1763900800.000100", None)),
    )
    .await;
    // Stop right away: the answer being computed is still delivered before the process exits.
    let status = tokio::task::spawn_blocking(move || {
        let st = server.stop();
        (st, server.log())
    })
    .await
    .unwrap();
    assert!(status.0.success(), "{}", status.1);
    assert_eq!(slack.posts().len(), 1, "{}", status.1);
}
