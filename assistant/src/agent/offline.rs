//! The offline policy: deterministic, no model, the reference the scenarios run against.
//!
//! It routes a question by intent (failure, architecture, script request, graph explanation),
//! calls the same tools a model would, in at most two rounds, and writes the answer from the
//! `prompts` templates: the direct answer first, then the evidence, the team's documents and
//! where things are defined, then sources and a read-only script. For failures it combines the
//! sources: the findings about the service, the node findings they link to, the memory consumer
//! on those nodes (the likely root cause) with its rollout history, the runbook pages, and the
//! Terraform that defines the node group.

use analyzers::{Finding, Report, Severity};
use serde::Serialize;
use serde_json::{Value, json};

use super::toolbox::{Source, Vocabulary};
use super::{Conversation, Draft, Step, ToolBox, ToolCall, TraceEntry};
use crate::scripts::classify;

/// What the question is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Intent {
    /// "why is grafana down", "what is wrong in namespace shop".
    Failure,
    /// "what does checkout depend on", "where is the orders database defined".
    Architecture,
    /// "how do I see the logs of the crashed container".
    Script,
    /// "explain this graph".
    Graph,
}

const FAILURE_WORDS: &[&str] = &[
    "why",
    "down",
    "fail",
    "failing",
    "failed",
    "broken",
    "unreachable",
    "crash",
    "crashing",
    "error",
    "errors",
    "wrong",
    "not working",
    "pending",
    "oom",
    "outage",
    "unavailable",
    "problem",
    "problems",
    "issue",
    "issues",
    "incident",
    "restarting",
    "slow",
    "unhealthy",
    "notready",
    "not ready",
    "evicted",
    "stuck",
];
const SCRIPT_STARTS: &[&str] = &[
    "how do i",
    "how can i",
    "how to",
    "what command",
    "which command",
    "give me a command",
    "show me how",
    "command to",
    "script to",
];

/// Which intent a question expresses.
pub fn intent(question: &str) -> Intent {
    let q = question.to_lowercase();
    let words: Vec<&str> =
        q.split(|c: char| !c.is_alphanumeric() && c != '-' && c != '.').filter(|w| !w.is_empty()).collect();
    if q.contains("rcagraph")
        || words.iter().any(|w| *w == "graph" || w.ends_with(".dot") || w.ends_with(".json"))
    {
        return Intent::Graph;
    }
    if SCRIPT_STARTS.iter().any(|s| q.trim_start().starts_with(s)) || q.contains("kubectl") {
        return Intent::Script;
    }
    if FAILURE_WORDS.iter().any(|f| if f.contains(' ') { q.contains(f) } else { words.contains(f) }) {
        return Intent::Failure;
    }
    Intent::Architecture
}

/// Workloads and namespaces a question names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mentions {
    /// Short names as typed (`grafana`), with the objects they matched.
    pub entities: Vec<String>,
    /// Namespace named (`in namespace shop`).
    pub namespace: Option<String>,
}

/// Find the workloads and namespace a question names.
pub fn mentions(question: &str, vocab: &Vocabulary) -> Mentions {
    let q = question.to_lowercase();
    let words: Vec<&str> =
        q.split(|c: char| !c.is_alphanumeric() && c != '-').filter(|w| w.len() >= 3).collect();
    let mut entities: Vec<String> = Vec::new();
    for (_, _, name) in &vocab.workloads {
        let name_l = name.to_lowercase();
        // A workload is named by its full name or by its first dash-separated part
        // (`prometheus` for `prometheus-server`).
        let first = name_l.split('-').next().unwrap_or(&name_l).to_string();
        let hit = words.iter().find(|w| {
            **w == name_l || (**w == first && first.len() >= 4) || (w.len() >= 5 && name_l.starts_with(**w))
        });
        if let Some(w) = hit {
            let w = (*w).to_string();
            if !entities.contains(&w) {
                entities.push(w);
            }
        }
    }
    let namespace = vocab
        .namespaces
        .iter()
        .find(|ns| {
            words.contains(&ns.as_str())
                && (q.contains(&format!("namespace {ns}"))
                    || q.contains(&format!("in {ns}"))
                    || !vocab.workloads.iter().any(|(_, _, n)| n == *ns))
        })
        .cloned();
    // A namespace named as such is not also an entity.
    if let Some(ns) = &namespace {
        entities.retain(|e| e != ns);
    }
    Mentions { entities, namespace }
}

/// The offline policy's per-turn state.
#[derive(Default)]
pub struct OfflinePolicy {
    vocab: Option<Vocabulary>,
}

fn call(name: &str, args: Value) -> ToolCall {
    ToolCall { id: String::new(), name: name.to_string(), args }
}

fn outputs<'a>(conv: &'a Conversation, tool: &'a str) -> impl Iterator<Item = &'a TraceEntry> + 'a {
    conv.this_turn().filter(move |t| t.call.name == tool && t.output.ok)
}

fn hits(conv: &Conversation, filter: impl Fn(&TraceEntry) -> bool) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::new();
    for t in conv.this_turn().filter(|t| t.call.name == "search_docs" && t.output.ok && filter(t)) {
        for h in t.output.data.as_array().into_iter().flatten() {
            if !out.iter().any(|o| o["doc_id"] == h["doc_id"]) {
                out.push(h.clone());
            }
        }
    }
    out
}

fn doc_source(h: &Value) -> Source {
    Source {
        title: h["title"].as_str().unwrap_or("").to_string(),
        kind: h["kind"].as_str().unwrap_or("").to_string(),
        location: crate::output::display_location(h["location"].as_str().unwrap_or("")),
        snippet: h["snippet"].as_str().unwrap_or("").to_string(),
    }
}

/// A hit's snippet without the highlight markers, on one line.
fn snippet(h: &Value) -> String {
    let s = h["snippet"].as_str().unwrap_or("").replace('\n', " ");
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.chars().count() > 240 { format!("{}…", s.chars().take(240).collect::<String>()) } else { s }
}

impl OfflinePolicy {
    /// A policy that knows the cluster's names already (a server shares one list across
    /// turns instead of reading the cluster again for each question).
    pub fn with_vocabulary(vocab: Vocabulary) -> OfflinePolicy {
        OfflinePolicy { vocab: Some(vocab) }
    }

    /// Decide the next step for the conversation's current turn.
    pub async fn next(&mut self, conv: &Conversation, tools: &ToolBox, force_answer: bool) -> Step {
        if self.vocab.is_none() {
            self.vocab = Some(tools.vocabulary().await);
        }
        let vocab = self.vocab.clone().unwrap_or_default();
        let question = conv.question().to_string();
        let intent = intent(&question);
        let m = mentions(&question, &vocab);
        let rounds = {
            let mut turns: Vec<usize> = Vec::new();
            let mut calls = 0;
            for t in conv.this_turn() {
                calls += 1;
                turns.push(t.turn);
            }
            calls
        };
        let has_cluster = tools.cluster.is_some();
        let has_docs = tools.searcher.is_some();
        let done_round_1 = rounds > 0;
        let done_round_2 =
            conv.this_turn().any(|t| t.call.args.get("round").and_then(Value::as_u64) == Some(2));
        if force_answer {
            return Step::Answer(self.compose(conv, intent, &m, &question));
        }
        match intent {
            Intent::Failure if !done_round_1 => {
                let mut calls = Vec::new();
                if has_cluster {
                    calls.push(call(
                        "diagnose",
                        m.namespace.as_ref().map_or(json!({}), |ns| json!({"namespace": ns})),
                    ));
                }
                if has_docs {
                    calls.push(call("search_docs", json!({"query": question, "k": 5})));
                    if !m.entities.is_empty() {
                        calls.push(call(
                            "search_docs",
                            json!({"query": format!("runbook {}", m.entities.join(" ")), "k": 3}),
                        ));
                    }
                }
                if calls.is_empty() {
                    Step::Answer(self.compose(conv, intent, &m, &question))
                } else {
                    Step::Call(calls)
                }
            }
            Intent::Failure if !done_round_2 => {
                let analysis = analyse(conv, &m);
                let mut calls = Vec::new();
                if let Some(root) = &analysis.root {
                    if root.kind == "Deployment" && has_cluster {
                        calls.push(call(
                            "rollout_history",
                            json!({"deployment": root.name, "namespace": root.namespace, "round": 2}),
                        ));
                    }
                    if has_docs && let Some(ns) = &root.namespace {
                        calls.push(call("search_docs", json!({"query": format!("{ns} node group"), "kind": "terraform", "k": 2, "round": 2})));
                    }
                }
                if calls.is_empty() {
                    Step::Answer(self.compose(conv, intent, &m, &question))
                } else {
                    Step::Call(calls)
                }
            }
            Intent::Architecture if !done_round_1 && has_docs => {
                let mut calls = vec![
                    call("search_docs", json!({"query": question, "k": 5})),
                    call("search_docs", json!({"query": question, "kind": "terraform", "k": 3})),
                ];
                if has_cluster && !m.entities.is_empty() {
                    calls.push(call(
                        "list_resources",
                        json!({"kind": "pods", "namespace": workload_ns(&vocab, &m.entities[0])}),
                    ));
                }
                Step::Call(calls)
            }
            Intent::Graph if done_round_1 && !done_round_2 && has_docs => {
                // Round 2: the team's documents about the top cause (runbooks, service pages).
                let entity = conv
                    .this_turn()
                    .find(|t| matches!(t.call.name.as_str(), "explain_graph" | "build_graph") && t.output.ok)
                    .and_then(|t| t.output.data["top_entity"]["name"].as_str().map(String::from));
                match entity {
                    Some(name) => Step::Call(vec![call(
                        "search_docs",
                        json!({"query": format!("{name} runbook"), "k": 3, "round": 2}),
                    )]),
                    None => Step::Answer(self.compose(conv, intent, &m, &question)),
                }
            }
            Intent::Graph if !done_round_1 => {
                if let Some(graph) = crate::graphs::extract(&question) {
                    Step::Call(vec![call("explain_graph", json!({"graph": graph}))])
                } else if let Some(path) = graph_path(&question) {
                    Step::Call(vec![call("explain_graph", json!({"path": path}))])
                } else if has_cluster {
                    Step::Call(vec![call(
                        "build_graph",
                        m.namespace.as_ref().map_or(json!({}), |ns| json!({"namespace": ns})),
                    )])
                } else {
                    Step::Answer(self.compose(conv, intent, &m, &question))
                }
            }
            Intent::Script if !done_round_1 && has_cluster => Step::Call(vec![call(
                "diagnose",
                m.namespace.as_ref().map_or(json!({}), |ns| json!({"namespace": ns})),
            )]),
            _ => Step::Answer(self.compose(conv, intent, &m, &question)),
        }
    }

    fn compose(&self, conv: &Conversation, intent: Intent, m: &Mentions, question: &str) -> Draft {
        let vocab = self.vocab.clone().unwrap_or_default();
        match intent {
            Intent::Failure => failure(conv, m),
            Intent::Architecture => architecture(conv, m, &vocab),
            Intent::Script => script(conv, m, question, &vocab),
            Intent::Graph => graph_answer(conv),
        }
    }
}

/// A word of the question naming an existing `.json` or `.dot` file.
fn graph_path(question: &str) -> Option<String> {
    question
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| c == '`' || c == '"' || c == '\'' || c == ',' || c == '?'))
        .find(|w| (w.ends_with(".json") || w.ends_with(".dot")) && std::path::Path::new(w).is_file())
        .map(String::from)
}

/// The answer to a graph question: the explanation the graph tools wrote, or why there is none.
fn graph_answer(conv: &Conversation) -> Draft {
    let notes = ["Answered offline, without a language model.".to_string()];
    let done = conv.this_turn().find(|t| matches!(t.call.name.as_str(), "explain_graph" | "build_graph"));
    let Some(t) = done else {
        return finish(
            prompts::render(
                "answer/graph.md",
                json!({"problem": null, "hint": "Paste an rcagraph/v1 JSON or DOT graph in a code block, name a graph file, or point sleuth at a cluster (--snapshot or --context) to build one from its events."}),
            ),
            Vec::new(),
            &[],
            &notes,
        );
    };
    if !t.output.ok {
        return finish(
            prompts::render(
                "answer/graph.md",
                json!({"problem": t.output.text, "hint": "Fix these and paste the graph again."}),
            ),
            Vec::new(),
            &[],
            &notes,
        );
    }
    let steps: Vec<ScriptVars> = t.output.data["next_steps"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| {
            let code = s["code"].as_str()?.to_string();
            let purpose = s["purpose"].as_str().unwrap_or("").to_string();
            script_vars(&purpose, &[code])
        })
        .take(3)
        .collect();
    let mut body = t.output.data["narrative"].as_str().unwrap_or(&t.output.text).to_string();
    let mut sources = t.output.sources.clone();
    let docs = hits(conv, |t| t.call.args.get("round").and_then(Value::as_u64) == Some(2));
    if !docs.is_empty() {
        body.push_str("\nFrom the team's documents:\n\n");
        for h in docs.iter().take(3) {
            let heading = h["heading"]
                .as_str()
                .filter(|s| !s.is_empty())
                .map(|s| format!(" ({s})"))
                .unwrap_or_default();
            body.push_str(&format!("- **{}**{heading}: {}\n", h["title"].as_str().unwrap_or(""), snippet(h)));
            sources.push(doc_source(h));
        }
    }
    finish(Ok(body), sources, &steps, &notes)
}

fn workload_ns(vocab: &Vocabulary, entity: &str) -> Option<String> {
    vocab.workloads.iter().find(|(_, _, n)| n.to_lowercase().starts_with(entity)).map(|(_, ns, _)| ns.clone())
}

/// A script for the answer's closing section.
#[derive(Serialize)]
struct ScriptVars {
    label: String,
    purpose: String,
    code: String,
}

fn script_vars(purpose: &str, lines: &[String]) -> Option<ScriptVars> {
    let mut unique: Vec<&String> = Vec::new();
    for l in lines {
        if !unique.contains(&l) {
            unique.push(l);
        }
    }
    if unique.is_empty() {
        return None;
    }
    let code = unique.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("\n");
    Some(ScriptVars { label: classify(&code).label().to_string(), purpose: purpose.to_string(), code })
}

fn finish(
    body: Result<String, prompts::PromptError>,
    sources: Vec<Source>,
    scripts: &[ScriptVars],
    notes: &[String],
) -> Draft {
    let body = body.unwrap_or_else(|e| format!("**Internal error rendering the answer:** {e}"));
    let mut shown: Vec<Value> = Vec::new();
    for s in &sources {
        let v = json!({"title": s.title, "location": s.location});
        if !shown.contains(&v) && shown.len() < 8 {
            shown.push(v);
        }
    }
    let tail = prompts::render("sections.md", json!({"sources": shown, "scripts": scripts, "notes": notes}))
        .unwrap_or_default();
    Draft { markdown: format!("{body}\n{tail}").trim_end().to_string() + "\n", sources }
}

/// What the findings say about the question's subject.
struct Analysis {
    subject_findings: Vec<Finding>,
    node_findings: Vec<Finding>,
    root: Option<Finding>,
    others: Vec<Finding>,
    report: Option<Report>,
}

fn mentions_entity(f: &Finding, entities: &[String]) -> bool {
    entities
        .iter()
        .any(|e| f.name.to_lowercase().contains(e) || f.pods.iter().any(|p| p.to_lowercase().contains(e)))
}

fn node_of(label: &str) -> Option<&str> {
    label.split_once(" Node/").map(|(_, n)| n)
}

fn analyse(conv: &Conversation, m: &Mentions) -> Analysis {
    let report: Option<Report> =
        outputs(conv, "diagnose").last().and_then(|t| serde_json::from_value(t.output.data.clone()).ok());
    let findings: Vec<Finding> = report.as_ref().map(|r| r.findings.clone()).unwrap_or_default();
    let subject_findings: Vec<Finding> = if m.entities.is_empty() {
        findings
            .iter()
            .filter(|f| f.severity >= Severity::Warning)
            .filter(|f| m.namespace.as_ref().is_none_or(|ns| f.namespace.as_ref() == Some(ns)))
            .take(8)
            .cloned()
            .collect()
    } else {
        findings
            .iter()
            .filter(|f| f.severity >= Severity::Warning && mentions_entity(f, &m.entities))
            .cloned()
            .collect()
    };
    let mut nodes: Vec<String> = Vec::new();
    for f in &subject_findings {
        for r in &f.related {
            if let Some(n) = node_of(r)
                && !nodes.iter().any(|x| x == n)
            {
                nodes.push(n.to_string());
            }
        }
        if f.kind == "Node" && !nodes.contains(&f.name) {
            nodes.push(f.name.clone());
        }
    }
    let node_findings: Vec<Finding> = findings
        .iter()
        .filter(|f| f.kind == "Node" && nodes.contains(&f.name) && f.severity >= Severity::Warning)
        .cloned()
        .collect();
    // The memory consumer on those nodes: an unbounded container (POD-14), else one OOM-killed
    // without a limit (POD-9).
    let on_nodes = |f: &&Finding| {
        nodes.iter().any(|n| {
            f.evidence.iter().any(|e| e.contains(n.as_str()))
                || f.related.iter().any(|r| r.ends_with(n.as_str()))
        })
    };
    let root = findings
        .iter()
        .filter(on_nodes)
        .find(|f| f.rule == "POD-14" && f.severity >= Severity::Error)
        .or_else(|| {
            findings
                .iter()
                .filter(on_nodes)
                .find(|f| f.rule == "POD-9" && f.message.contains("memory limit: none"))
        })
        .cloned();
    let used =
        |f: &Finding| subject_findings.contains(f) || node_findings.contains(f) || root.as_ref() == Some(f);
    let others = findings
        .iter()
        .filter(|f| f.severity >= Severity::Error && !used(f))
        .filter(|f| !root.as_ref().is_some_and(|r| r.kind == f.kind && r.name == f.name))
        .take(4)
        .cloned()
        .collect();
    Analysis { subject_findings, node_findings, root, others, report }
}

fn object(f: &Finding) -> String {
    f.root().to_string()
}

fn subject_title(m: &Mentions) -> String {
    match (m.entities.as_slice(), &m.namespace) {
        ([], Some(ns)) => format!("Namespace {ns}"),
        ([], None) => "The cluster".into(),
        ([one], _) => capitalise(one),
        (many, _) => {
            let (last, rest) = many.split_last().expect("non-empty");
            format!("{} and {last}", capitalise(&rest.join(", ")))
        }
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
}

fn failure(conv: &Conversation, m: &Mentions) -> Draft {
    let a = analyse(conv, m);
    let subject = subject_title(m);
    let mut sources: Vec<Source> = Vec::new();
    let mut scripts: Vec<String> = Vec::new();
    let node_names: Vec<&str> = a
        .node_findings
        .iter()
        .map(|f| f.name.as_str())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let not_ready: Vec<&Finding> = a.node_findings.iter().filter(|f| f.rule == "NODE-1").collect();
    let oom = a.node_findings.iter().find(|f| f.rule == "NODE-4");
    let verdict = if a.report.is_none() {
        "no cluster data was available, so this is based on the documents only".to_string()
    } else if a.subject_findings.is_empty() {
        if m.entities.is_empty() {
            "no problem was found".into()
        } else {
            "no finding mentions it in the current capture".into()
        }
    } else if let Some(n) = not_ready.first() {
        let why = if oom.is_some_and(|o| o.name == n.name) { " after running out of memory" } else { "" };
        let consequence = if a.subject_findings.iter().any(|f| f.rule.starts_with("SVC")) {
            ", so their Services have no ready endpoint"
        } else {
            ""
        };
        format!("down — their pods sit on node {}, which went NotReady{why}{consequence}", n.name)
    } else {
        lowercase_first(&plain(&a.subject_findings[0].message))
    };
    let mut chain: Vec<String> = Vec::new();
    let history = outputs(conv, "rollout_history").last().map(|t| t.output.data.clone());
    if let Some(root) = &a.root {
        if let Some(revs) = history.as_ref().and_then(Value::as_array).and_then(|r| r.last()) {
            let changes: Vec<&str> =
                revs["changes"].as_array().into_iter().flatten().filter_map(Value::as_str).take(3).collect();
            chain.push(format!(
                "{} rolled out revision {} ({})",
                object(root),
                revs["revision"],
                changes.join("; ")
            ));
        }
        chain.push(format!("{}: {} ({})", object(root), plain(&root.message), root.rule));
        sources.push(Source {
            title: object(root),
            kind: "cluster".into(),
            location: object(root),
            snippet: root.message.clone(),
        });
        scripts.push(root.hint.clone());
        if let Some(p) = root.pods.first() {
            let (ns, pod) = p.split_once('/').unwrap_or(("", p));
            scripts.push(format!(
                "kubectl logs {pod} -n {ns} --tail=200 | grep -iE 'heap|memory|query returned'"
            ));
        }
    }
    // Causal order on each node: out of memory, under pressure, then NotReady.
    let mut node_steps: Vec<&Finding> = a
        .node_findings
        .iter()
        .filter(|f| {
            matches!(f.rule.as_str(), "NODE-4" | "NODE-1")
                || (f.rule == "NODE-2" && f.severity >= Severity::Error)
        })
        .collect();
    node_steps
        .sort_by_key(|f| (f.name.clone(), ["NODE-4", "NODE-2", "NODE-1"].iter().position(|r| *r == f.rule)));
    for f in node_steps {
        chain.push(format!("node {}: {} ({})", f.name, f.message, f.rule));
        sources.push(Source {
            title: format!("Node {}", f.name),
            kind: "cluster".into(),
            location: object(f),
            snippet: f.message.clone(),
        });
    }
    for f in a
        .subject_findings
        .iter()
        .filter(|f| f.kind != "Node" && !matches!(f.rule.as_str(), "DEP-1" | "DEP-2" | "LOG-3"))
        .take(6)
    {
        chain.push(format!("{}: {} ({})", object(f), plain(&f.message), f.rule));
        sources.push(Source {
            title: object(f),
            kind: "cluster".into(),
            location: object(f),
            snippet: f.message.clone(),
        });
        scripts.push(f.hint.clone());
    }
    for n in &node_names {
        scripts.insert(0, format!("kubectl describe node {n}"));
    }
    let mut evidence: Vec<String> = Vec::new();
    for f in a.root.iter().chain(a.node_findings.iter()).chain(a.subject_findings.iter()) {
        for e in f.evidence.iter().filter(|e| !e.contains("on node ") && !e.ends_with("is NotReady")).take(2)
        {
            let line = format!("{e} — `{}`", object(f));
            if !evidence.contains(&line) && evidence.len() < 8 {
                evidence.push(line);
            }
        }
    }
    // Documents: runbooks first.
    let all_docs = hits(conv, |t| t.call.args.get("kind").is_none());
    let mut docs: Vec<&Value> = all_docs
        .iter()
        .filter(|h| h["title"].as_str().is_some_and(|t| t.to_lowercase().contains("runbook")))
        .collect();
    docs.extend(
        all_docs
            .iter()
            .filter(|h| !h["title"].as_str().is_some_and(|t| t.to_lowercase().contains("runbook"))),
    );
    let docs: Vec<&Value> = docs.into_iter().take(3).collect();
    let mut infra = hits(conv, |t| t.call.args.get("kind").and_then(Value::as_str) == Some("terraform"));
    // Prefer definitions that mention the root cause's namespace (the node group running it).
    if let Some(ns) = a.root.as_ref().and_then(|r| r.namespace.clone()) {
        infra.sort_by_key(|h| !h["text"].as_str().is_some_and(|t| t.contains(ns.as_str())));
    }
    let mut doc_sources: Vec<Source> = docs.iter().map(|h| doc_source(h)).collect();
    doc_sources.extend(infra.iter().take(2).map(doc_source));
    doc_sources.extend(sources);
    let sources = doc_sources;
    let vars = json!({
        "subject": subject,
        "verdict": verdict,
        "root": a.root.as_ref().map(|r| json!({"what": format!("{}: {}", r.name, lowercase_first(&plain(&r.message))), "rule": r.rule, "object": object(r)})),
        "chain": chain,
        "evidence": evidence,
        "docs": docs.iter().map(|h| json!({"title": h["title"], "heading": h["heading"], "snippet": snippet(h)})).collect::<Vec<_>>(),
        "infra": infra.iter().take(2).map(|h| json!({"title": h["title"], "location": crate::output::display_location(h["location"].as_str().unwrap_or(""))})).collect::<Vec<_>>(),
        "others": a.others.iter().map(|f| format!("{} {}: {}", f.rule, object(f), f.message)).collect::<Vec<_>>(),
    });
    let script = script_vars("confirm the diagnosis", &scripts.into_iter().take(6).collect::<Vec<_>>());
    finish(
        prompts::render("answer/failure.md", vars),
        sources,
        &script.into_iter().collect::<Vec<_>>(),
        &["Answered offline from the cluster capture and the document index, without a language model."
            .into()],
    )
}

/// A grouped finding's message without its "N pods of Kind/ns/name: " prefix.
fn plain(message: &str) -> String {
    match message.split_once(": ") {
        Some((head, rest)) if head.contains(" pods of ") => rest.to_string(),
        _ => message.to_string(),
    }
}

fn lowercase_first(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_lowercase().collect::<String>() + c.as_str()).unwrap_or_default()
}

fn architecture(conv: &Conversation, m: &Mentions, vocab: &Vocabulary) -> Draft {
    let docs = hits(conv, |t| t.call.args.get("kind").is_none());
    let infra = hits(conv, |t| t.call.args.get("kind").and_then(Value::as_str) == Some("terraform"));
    let question_mentions_infra = {
        let q = conv.question().to_lowercase();
        [
            "defined",
            "terraform",
            "database",
            "bucket",
            "queue",
            "cache",
            "node group",
            "where is",
            "iam",
            "vpc",
        ]
        .iter()
        .any(|w| q.contains(w))
    };
    // Prefer Terraform's answer for "where is X defined" questions.
    let ordered: Vec<&Value> = if question_mentions_infra && !infra.is_empty() {
        infra.iter().chain(docs.iter()).collect()
    } else {
        docs.iter().chain(infra.iter()).collect()
    };
    let mut unique: Vec<&Value> = Vec::new();
    for h in ordered {
        if !unique.iter().any(|u| u["doc_id"] == h["doc_id"]) {
            unique.push(h);
        }
    }
    // Re-rank by how directly a hit answers: question words in its title and section heading
    // count most; Terraform variables only describe an input, not where a thing is defined.
    let keys = keywords(conv.question());
    let score = |h: &Value| {
        let field = |k: &str| h[k].as_str().unwrap_or("").to_lowercase();
        let (title, heading, snip) = (field("title"), field("heading"), field("snippet"));
        let mut s = 0i32;
        for k in &keys {
            s += 3 * i32::from(title.contains(k.as_str()))
                + 2 * i32::from(heading.contains(k.as_str()))
                + i32::from(snip.contains(k.as_str()));
        }
        if title.starts_with("var.") || title.contains(".var.") {
            s -= 4;
        }
        -s
    };
    unique.sort_by_key(|h| score(h));
    // Nothing found that mentions what was asked: say so rather than quote a loose match.
    let on_topic = |h: &&Value| {
        let text = format!(
            "{} {} {}",
            h["title"].as_str().unwrap_or(""),
            h["heading"].as_str().unwrap_or(""),
            h["text"].as_str().unwrap_or("")
        )
        .to_lowercase();
        keys.iter().any(|k| text.contains(k.as_str()))
    };
    if m.entities.is_empty() && !unique.iter().any(on_topic) {
        let subject = m.namespace.clone().unwrap_or_default();
        let docs: Vec<Value> =
            unique.iter().take(3).map(|h| json!({"title": h["title"], "snippet": snippet(h)})).collect();
        return finish(
            prompts::render("answer/unknown.md", json!({"subject": subject, "docs": docs})),
            Vec::new(),
            &[],
            &["Answered offline, without a language model.".into()],
        );
    }
    let best = unique.first().map(|h| {
        format!(
            "According to “{}” ({}): {}",
            h["title"].as_str().unwrap_or(""),
            crate::output::display_location(h["location"].as_str().unwrap_or("")),
            snippet(h)
        )
    });
    let points: Vec<String> = unique
        .iter()
        .skip(1)
        .take(4)
        .map(|h| format!("**{}** — {}", h["title"].as_str().unwrap_or(""), snippet(h)))
        .collect();
    let conflicts = contradictions(&unique);
    let mut cluster: Vec<String> = Vec::new();
    for t in outputs(conv, "list_resources") {
        let rows = t.output.data["rows"].as_array().cloned().unwrap_or_default();
        let entity = m.entities.first().cloned().unwrap_or_default();
        for r in rows.iter().filter(|r| r[0].as_str().is_some_and(|n| n.starts_with(&entity))).take(6) {
            cluster.push(format!(
                "pod `{}`: {} ready, {}",
                r[0].as_str().unwrap_or(""),
                r[1].as_str().unwrap_or(""),
                r[2].as_str().unwrap_or("")
            ));
        }
    }
    let sources: Vec<Source> = unique.iter().take(6).map(|h| doc_source(h)).collect();
    let mut scripts = Vec::new();
    if let Some(e) = m.entities.first()
        && let Some((kind, ns, name)) =
            vocab.workloads.iter().find(|(_, _, n)| n.to_lowercase().starts_with(e.as_str()))
    {
        scripts.push(format!("kubectl get {} {name} -n {ns} -o wide", kind.to_lowercase()));
        scripts.push(format!("kubectl describe {} {name} -n {ns}", kind.to_lowercase()));
    }
    let vars = json!({"best": best, "points": points, "conflicts": conflicts, "cluster": cluster});
    let script = script_vars("see it in the cluster", &scripts);
    finish(
        prompts::render("answer/architecture.md", vars),
        sources,
        &script.into_iter().collect::<Vec<_>>(),
        &["Answered offline from the document index, without a language model.".into()],
    )
}

/// The words of a question that carry meaning, stemmed crudely (`depends` → `depend`).
fn keywords(question: &str) -> Vec<String> {
    const STOP: &[&str] = &[
        "what", "where", "which", "does", "the", "is", "are", "how", "who", "defined", "define", "about",
        "with", "from", "into", "that", "this", "there", "for", "and", "our", "we", "do", "on", "of", "in",
        "to", "a", "an",
    ];
    question
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() >= 3 && !STOP.contains(w))
        .map(|w| w.trim_end_matches('s').trim_end_matches("ing").to_string())
        .filter(|w| w.len() >= 3)
        .collect()
}

/// Facts two sources state differently: database engines, for now the most common stale-wiki
/// case (a page says MySQL where Terraform says PostgreSQL).
fn contradictions(hits: &[&Value]) -> Vec<String> {
    const ENGINES: &[&str] = &["postgresql", "postgres", "mysql", "mariadb", "aurora", "dynamodb", "mongodb"];
    let mut seen: Vec<(String, String, String)> = Vec::new();
    for h in hits {
        let text = format!("{} {}", h["text"].as_str().unwrap_or(""), h["fields"].as_str().unwrap_or(""))
            .to_lowercase();
        for e in ENGINES {
            if text.contains(e) {
                let canonical = if *e == "postgres" { "postgresql" } else { e };
                seen.push((
                    canonical.to_string(),
                    h["title"].as_str().unwrap_or("").to_string(),
                    h["kind"].as_str().unwrap_or("").to_string(),
                ));
                break;
            }
        }
    }
    let mut out = Vec::new();
    if let (Some(a), Some(b)) = (seen.first(), seen.iter().find(|s| s.0 != seen[0].0)) {
        let (tf, other) = if b.2 == "terraform" { (b, a) } else { (a, b) };
        out.push(format!("“{}” ({}) says {}, but “{}” ({}) says {}; trust Terraform and the cluster over a wiki page, and fix the stale one.", other.1, other.2, other.0, tf.1, tf.2, tf.0));
    }
    out
}

fn script(conv: &Conversation, m: &Mentions, question: &str, vocab: &Vocabulary) -> Draft {
    let q = question.to_lowercase();
    let report: Option<Report> =
        outputs(conv, "diagnose").last().and_then(|t| serde_json::from_value(t.output.data.clone()).ok());
    let findings = report.map(|r| r.findings).unwrap_or_default();
    let pick = |rules: &[&str]| {
        findings
            .iter()
            .find(|f| {
                rules.contains(&f.rule.as_str()) && (m.entities.is_empty() || mentions_entity(f, &m.entities))
            })
            .cloned()
    };
    let mut lines: Vec<String> = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    let mut sources = Vec::new();
    let intro;
    let words: Vec<&str> = q.split(|c: char| !c.is_alphanumeric() && c != '-').collect();
    let has = |w: &str| words.contains(&w);
    if has("log") || has("logs") {
        let crashed = pick(&["POD-5", "POD-9", "POD-11", "POD-7"]);
        if let Some((f, pod)) = crashed.as_ref().and_then(|f| f.pods.first().map(|p| (f, p.clone()))) {
            let (ns, name) = pod.split_once('/').unwrap_or(("default", &pod));
            let container =
                f.message.split("container ").nth(1).and_then(|r| r.split_whitespace().next()).unwrap_or("");
            intro = format!(
                "Use `kubectl logs --previous`: it shows the log of the instance that crashed. Here, {} ({}).",
                object(f),
                f.message
            );
            let c = if container.is_empty() { String::new() } else { format!(" -c {container}") };
            lines.push(format!("kubectl logs {name} -n {ns}{c} --previous --tail=200"));
            lines.push(format!("kubectl describe pod {name} -n {ns}"));
            sources.push(Source {
                title: object(f),
                kind: "cluster".into(),
                location: object(f),
                snippet: f.message.clone(),
            });
        } else {
            intro = "Use `kubectl logs --previous` on the pod whose container restarted: it shows the log of the crashed instance.".into();
            lines.push("kubectl get pods -A | awk '$5 > 0'".into());
            lines.push("kubectl logs POD -n NAMESPACE -c CONTAINER --previous --tail=200".into());
        }
    } else if has("event") || has("events") {
        intro = "List the recent events, warnings first, sorted by time:".into();
        let ns = m.namespace.clone().map_or("-A".to_string(), |n| format!("-n {n}"));
        lines.push(format!("kubectl get events {ns} --field-selector type=Warning --sort-by=.lastTimestamp"));
    } else if q.contains("memory") || q.contains("cpu") || q.contains("usage") || q.contains(" top") {
        intro = "Compare usage with requests and limits:".into();
        let ns = m.namespace.clone().map_or("-A".to_string(), |n| format!("-n {n}"));
        lines.push(format!("kubectl top pods {ns} --containers --sort-by=memory"));
        lines.push("kubectl top nodes".into());
    } else if q.contains("restart")
        || q.contains("rollback")
        || q.contains("roll back")
        || q.contains("undo")
        || q.contains("scale")
    {
        let found = m.entities.first().and_then(|e| {
            vocab
                .workloads
                .iter()
                .find(|(k, _, n)| k == "Deployment" && n.to_lowercase().starts_with(e.as_str()))
        });
        let target = found.map_or_else(
            || m.entities.first().cloned().unwrap_or_else(|| "NAME".into()),
            |(_, _, n)| n.clone(),
        );
        let ns = m
            .namespace
            .clone()
            .or_else(|| found.map(|(_, ns, _)| ns.clone()))
            .unwrap_or_else(|| "NAMESPACE".into());
        intro = "This changes the cluster: sleuth will not run it, and you should check the rollout history first.".into();
        lines.push(format!("kubectl rollout history deployment/{target} -n {ns}"));
        if q.contains("restart") {
            lines.push(format!("kubectl rollout restart deployment/{target} -n {ns}"));
        } else if q.contains("scale") {
            lines.push(format!("kubectl scale deployment/{target} -n {ns} --replicas=N"));
        } else {
            lines.push(format!("kubectl rollout undo deployment/{target} -n {ns}"));
        }
        notes.push("The script is labelled mutating: review it before running it.".into());
    } else {
        intro = "Start with what is failing, then look closer at one object:".into();
        let ns = m.namespace.clone().map_or("-A".to_string(), |n| format!("-n {n}"));
        lines.push(format!("kubectl get pods {ns} --field-selector=status.phase!=Running"));
        lines.push(format!("kubectl get events {ns} --sort-by=.lastTimestamp | tail -30"));
    }
    let script = script_vars("", &lines);
    let mut all_notes = notes.clone();
    all_notes.push("Answered offline, without a language model. sleuth never runs scripts.".into());
    finish(
        prompts::render("answer/script.md", json!({"intro": intro, "notes": Vec::<String>::new()})),
        sources,
        &script.into_iter().collect::<Vec<_>>(),
        &all_notes,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intents_are_routed() {
        for (q, want) in [
            ("why are grafana and prometheus unreachable?", Intent::Failure),
            ("what is wrong in namespace shop", Intent::Failure),
            ("what does checkout depend on", Intent::Architecture),
            ("where is the orders database defined", Intent::Architecture),
            ("how do I see the logs of the crashed container", Intent::Script),
            ("explain graphs/incident.json", Intent::Graph),
        ] {
            assert_eq!(intent(q), want, "{q}");
        }
    }

    #[test]
    fn workloads_and_namespaces_are_recognised() {
        let vocab = Vocabulary {
            workloads: vec![
                ("Deployment".into(), "monitoring".into(), "grafana".into()),
                ("StatefulSet".into(), "monitoring".into(), "prometheus-server".into()),
                ("Deployment".into(), "shop".into(), "checkout".into()),
            ],
            namespaces: vec!["shop".into(), "monitoring".into()],
        };
        let m = mentions("Why are Grafana and Prometheus unreachable?", &vocab);
        assert_eq!(m.entities, ["grafana", "prometheus"]);
        let m = mentions("what is wrong in namespace shop", &vocab);
        assert_eq!((m.entities.len(), m.namespace.as_deref()), (0, Some("shop")));
    }
}
