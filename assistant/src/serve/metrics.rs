//! Prometheus metrics in the text exposition format (version 0.0.4): HTTP requests and their
//! latencies by route, tool calls, LLM tokens and errors, Slack events and Web API calls, and
//! gauges for conversations and work in flight.
//!
//! Hand-written: a dozen series behind one mutex is all the bot needs, and the format is a few
//! lines of text; a metrics framework would be most of the code it replaces.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

const BUCKETS: &[f64] = &[0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];

type Key = (&'static str, Vec<(&'static str, String)>);

#[derive(Default)]
struct Histogram {
    buckets: [u64; 12],
    sum: f64,
    count: u64,
}

#[derive(Default)]
struct Inner {
    counters: Mutex<BTreeMap<Key, u64>>,
    histograms: Mutex<BTreeMap<Key, Histogram>>,
    in_flight: AtomicI64,
}

/// Shared metrics (cheap to clone).
#[derive(Clone, Default)]
pub struct Metrics(Arc<Inner>);

const HELP: &[(&str, &str, &str)] = &[
    ("sleuth_http_requests_total", "counter", "HTTP requests by route and status."),
    ("sleuth_http_request_duration_seconds", "histogram", "Time to answer an HTTP request, by route."),
    ("sleuth_tool_calls_total", "counter", "Agent tool calls by tool and outcome."),
    (
        "sleuth_llm_tokens_total",
        "counter",
        "Tokens sent to and received from the model (estimated at four characters a token).",
    ),
    (
        "sleuth_llm_errors_total",
        "counter",
        "Turns in which the model failed and the offline policy answered.",
    ),
    ("sleuth_answer_duration_seconds", "histogram", "Time to compute an answer, by front end."),
    (
        "sleuth_slack_events_total",
        "counter",
        "Slack events and commands received, by kind and what was done.",
    ),
    ("sleuth_slack_api_calls_total", "counter", "Calls to Slack's Web API by method and result."),
];

/// Slack's event and request kinds that sleuth handles or knowingly ignores.
const SLACK_KINDS: &[&str] =
    &["request", "url_verification", "event_callback", "app_mention", "message", "command", "unknown"];

/// `value` when it is one of `known`, else `other`.
fn bounded<'a>(value: &'a str, known: &[&str]) -> &'a str {
    if known.contains(&value) { value } else { "other" }
}

fn labels(l: &[(&'static str, String)]) -> String {
    if l.is_empty() {
        return String::new();
    }
    let inner: Vec<String> = l
        .iter()
        .map(|(k, v)| {
            format!("{k}=\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n"))
        })
        .collect();
    format!("{{{}}}", inner.join(","))
}

impl Metrics {
    /// Adds `n` to a counter.
    pub fn add(&self, name: &'static str, l: Vec<(&'static str, String)>, n: u64) {
        *self.0.counters.lock().expect("metrics").entry((name, l)).or_default() += n;
    }

    /// Records a duration in seconds.
    pub fn observe(&self, name: &'static str, l: Vec<(&'static str, String)>, secs: f64) {
        let mut h = self.0.histograms.lock().expect("metrics");
        let e = h.entry((name, l)).or_default();
        for (i, b) in BUCKETS.iter().enumerate() {
            if secs <= *b {
                e.buckets[i] += 1;
            }
        }
        e.sum += secs;
        e.count += 1;
    }

    /// One HTTP request.
    pub fn request(&self, route: &str, status: u16, secs: f64) {
        self.add(
            "sleuth_http_requests_total",
            vec![("route", route.into()), ("status", status.to_string())],
            1,
        );
        self.observe("sleuth_http_request_duration_seconds", vec![("route", route.into())], secs);
    }

    /// One Slack event or command. A kind Slack did not document (or a forged one) is counted as
    /// `other`: label values come from a fixed set, so no request can grow the metrics.
    pub fn slack_event(&self, kind: &str, action: &str) {
        let kind = bounded(kind, SLACK_KINDS);
        self.add("sleuth_slack_events_total", vec![("kind", kind.into()), ("action", action.into())], 1);
    }

    /// One Web API call.
    pub fn slack_api(&self, method: &str, result: &str) {
        self.add(
            "sleuth_slack_api_calls_total",
            vec![("method", method.into()), ("result", result.into())],
            1,
        );
    }

    /// What one answered turn cost: tool calls, model tokens and failures. `tools` names the
    /// catalogue: a tool name a model made up is counted as `other`.
    pub fn turn(
        &self,
        front: &str,
        answer: &crate::agent::Answer,
        tools: &[&str],
        model: Option<(usize, usize, bool)>,
        secs: f64,
    ) {
        for c in &answer.tool_calls {
            let tool = bounded(&c.name, tools);
            self.add("sleuth_tool_calls_total", vec![("tool", tool.into()), ("ok", c.ok.to_string())], 1);
        }
        if let Some((prompt, completion, failed)) = model {
            self.add("sleuth_llm_tokens_total", vec![("direction", "prompt".into())], prompt as u64);
            self.add("sleuth_llm_tokens_total", vec![("direction", "completion".into())], completion as u64);
            if failed {
                self.add("sleuth_llm_errors_total", vec![], 1);
            }
        }
        self.observe("sleuth_answer_duration_seconds", vec![("front_end", front.into())], secs);
    }

    /// Work in flight (answers being computed), as a guard.
    pub fn in_flight(&self) -> InFlight {
        self.0.in_flight.fetch_add(1, Ordering::Relaxed);
        InFlight(self.clone())
    }

    /// Answers being computed now.
    pub fn busy(&self) -> i64 {
        self.0.in_flight.load(Ordering::Relaxed)
    }

    /// The exposition text; `conversations` is the store's size.
    pub fn render(&self, conversations: usize) -> String {
        let mut out = String::new();
        let counters = self.0.counters.lock().expect("metrics");
        let histograms = self.0.histograms.lock().expect("metrics");
        for (name, kind, help) in HELP {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
            if *kind == "counter" {
                for ((n, l), v) in counters.iter().filter(|((n, _), _)| n == name) {
                    let _ = writeln!(out, "{n}{} {v}", labels(l));
                }
            } else {
                for ((n, l), h) in histograms.iter().filter(|((n, _), _)| n == name) {
                    for (i, b) in BUCKETS.iter().enumerate() {
                        let mut with = l.clone();
                        with.push(("le", b.to_string()));
                        let _ = writeln!(out, "{n}_bucket{} {}", labels(&with), h.buckets[i]);
                    }
                    let mut inf = l.clone();
                    inf.push(("le", "+Inf".into()));
                    let _ = writeln!(out, "{n}_bucket{} {}", labels(&inf), h.count);
                    let _ = writeln!(out, "{n}_sum{} {}", labels(l), h.sum);
                    let _ = writeln!(out, "{n}_count{} {}", labels(l), h.count);
                }
            }
        }
        let _ = writeln!(
            out,
            "# HELP sleuth_conversations Conversations in the store.\n# TYPE sleuth_conversations gauge\nsleuth_conversations {conversations}"
        );
        let _ = writeln!(
            out,
            "# HELP sleuth_answers_in_flight Answers being computed.\n# TYPE sleuth_answers_in_flight gauge\nsleuth_answers_in_flight {}",
            self.busy()
        );
        out
    }
}

/// Decrements the in-flight gauge when dropped.
pub struct InFlight(Metrics);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.0.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_format() {
        let m = Metrics::default();
        m.request("/v1/ask", 200, 0.02);
        m.request("/v1/ask", 200, 3.0);
        m.slack_api("chat.postMessage", "rate_limited");
        let _busy = m.in_flight();
        let text = m.render(7);
        assert!(text.contains("# TYPE sleuth_http_requests_total counter\nsleuth_http_requests_total{route=\"/v1/ask\",status=\"200\"} 2\n"), "{text}");
        assert!(
            text.contains("sleuth_http_request_duration_seconds_bucket{route=\"/v1/ask\",le=\"0.025\"} 1\n"),
            "{text}"
        );
        assert!(
            text.contains("sleuth_http_request_duration_seconds_bucket{route=\"/v1/ask\",le=\"+Inf\"} 2\n"),
            "{text}"
        );
        assert!(text.contains("sleuth_http_request_duration_seconds_count{route=\"/v1/ask\"} 2\n"), "{text}");
        assert!(
            text.contains(
                "sleuth_slack_api_calls_total{method=\"chat.postMessage\",result=\"rate_limited\"} 1"
            ),
            "{text}"
        );
        assert!(
            text.contains("sleuth_conversations 7\n") && text.contains("sleuth_answers_in_flight 1\n"),
            "{text}"
        );
    }

    #[test]
    fn label_values_come_from_fixed_sets() {
        let m = Metrics::default();
        for i in 0..50 {
            m.slack_event(&format!("forged_{i}"), "ignored");
        }
        m.slack_event("app_mention", "accepted");
        let answer = crate::agent::Answer {
            answer: String::new(),
            sources: Vec::new(),
            scripts: Vec::new(),
            tool_calls: (0..50)
                .map(|i| crate::agent::types::ToolCallRecord {
                    name: if i == 0 { "search_docs".into() } else { format!("made_up_{i}") },
                    args: serde_json::Value::Null,
                    elapsed_ms: 1,
                    ok: false,
                })
                .collect(),
            conversation_id: "c".into(),
            demo: false,
            graph: None,
        };
        m.turn("api", &answer, &["search_docs", "diagnose"], None, 0.1);
        let text = m.render(0);
        assert!(text.contains("sleuth_slack_events_total{kind=\"other\",action=\"ignored\"} 50"), "{text}");
        assert!(
            text.contains("sleuth_slack_events_total{kind=\"app_mention\",action=\"accepted\"} 1"),
            "{text}"
        );
        assert!(text.contains("sleuth_tool_calls_total{tool=\"other\",ok=\"false\"} 49"), "{text}");
        assert!(text.contains("sleuth_tool_calls_total{tool=\"search_docs\",ok=\"false\"} 1"), "{text}");
        assert!(!text.contains("forged") && !text.contains("made_up"), "{text}");
    }
}
