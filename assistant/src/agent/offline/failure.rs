//! Answers to "why is X failing": the findings about the subject, the nodes they link to, the
//! likely root cause and its rollout history, the runbooks and the infrastructure behind it.

use analyzers::{Finding, Report, Severity};
use serde_json::{Value, json};

use super::compose::{
    capitalise, doc_source, finish, hits, lowercase_first, outputs, plain, script_vars, snippet,
};
use super::route::Mentions;
use crate::agent::toolbox::Source;
use crate::agent::types::{Conversation, Draft};

/// What the findings say about the question's subject.
pub(super) struct Analysis {
    pub(super) subject_findings: Vec<Finding>,
    pub(super) node_findings: Vec<Finding>,
    pub(super) root: Option<Finding>,
    pub(super) others: Vec<Finding>,
    pub(super) report: Option<Report>,
}

/// Findings worth telling: warnings and worse, and the symptoms the analyzers stepped down to
/// info because another finding explains them (they still say what the user sees).
fn notable(f: &Finding) -> bool {
    f.severity >= Severity::Warning || !f.explained_by.is_empty()
}

pub(super) fn mentions_entity(f: &Finding, entities: &[String]) -> bool {
    entities
        .iter()
        .any(|e| f.name.to_lowercase().contains(e) || f.pods.iter().any(|p| p.to_lowercase().contains(e)))
}

pub(super) fn node_of(label: &str) -> Option<&str> {
    label.split_once(" Node/").map(|(_, n)| n)
}

pub(super) fn analyse(conv: &Conversation, m: &Mentions) -> Analysis {
    let report: Option<Report> =
        outputs(conv, "diagnose").last().and_then(|t| serde_json::from_value(t.output.data.clone()).ok());
    let findings: Vec<Finding> = report.as_ref().map(|r| r.findings.clone()).unwrap_or_default();
    let subject_findings: Vec<Finding> = if m.entities.is_empty() {
        findings
            .iter()
            .filter(|f| notable(f))
            .filter(|f| m.namespace.as_ref().is_none_or(|ns| f.namespace.as_ref() == Some(ns)))
            .take(8)
            .cloned()
            .collect()
    } else {
        findings.iter().filter(|f| notable(f) && mentions_entity(f, &m.entities)).cloned().collect()
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

pub(super) fn object(f: &Finding) -> String {
    f.root().to_string()
}

pub(super) fn subject_title(m: &Mentions) -> String {
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

pub(super) fn failure(conv: &Conversation, m: &Mentions) -> Draft {
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
            scripts.push(format!("kubectl logs {pod} -n {ns} --tail=200 | grep -iE 'heap|memory|oom'"));
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
