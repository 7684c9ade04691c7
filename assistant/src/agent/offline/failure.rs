//! Answers to "why is X failing", written from the root-cause engine's investigation (the
//! `investigate` tool): the top cause with its tag and proving fact, the chain in time order,
//! the competing hypotheses with their confidence and what would confirm or refute each, the
//! changes on the objects involved, and the team's documents about those objects.

use analyzers::engine::{Hypothesis, Investigation, Step};
use analyzers::rules::ObjRef;
use retriever::Hit;
use serde_json::{Value, json};

use super::compose::{capitalise, doc_source, finish, hits, outputs, script_vars, snippet};
use super::route::Mentions;
use crate::agent::toolbox::{Source, object_source};
use crate::agent::types::{Conversation, Draft};

/// The investigation of this turn, if the cluster was asked.
pub(super) fn investigation(conv: &Conversation) -> Option<Investigation> {
    outputs(conv, "investigate").last().and_then(|t| serde_json::from_value(t.output.data.clone()).ok())
}

pub(super) fn subject_title(m: &Mentions) -> String {
    let named: Vec<String> = m.entities.iter().chain(&m.unknown).cloned().collect();
    match (named.as_slice(), &m.namespace) {
        ([], Some(ns)) => format!("Namespace {ns}"),
        ([], None) => "The cluster".into(),
        ([one], _) => capitalise(one),
        (many, _) => {
            let (last, rest) = many.split_last().expect("non-empty");
            format!("{} and {last}", capitalise(&rest.join(", ")))
        }
    }
}

/// Names that make a document about this answer: the names asked about and the objects of the
/// causes and symptoms found.
pub(super) fn answer_names(inv: Option<&Investigation>, m: &Mentions) -> Vec<String> {
    let mut names: Vec<String> = m.entities.iter().chain(&m.unknown).cloned().collect();
    if let Some(inv) = inv {
        for p in inv.problems.iter().take(4) {
            names.extend(p.hypotheses.iter().take(1).map(|h| h.object.name.clone()));
            names.extend(p.symptoms.iter().map(|s| s.object.name.clone()));
        }
    }
    names.retain(|n| n.len() >= 3);
    names.sort();
    names.dedup();
    names
}

/// Whether a document hit is about one of `names` (title or text names it).
pub(super) fn about(hit: &Hit, names: &[String]) -> bool {
    let text = format!("{} {}", hit.title, hit.text).to_lowercase();
    names.iter().any(|n| text.contains(&n.to_lowercase()))
}

fn when(s: &Step) -> String {
    match (s.time, s.time_inferred) {
        (Some(t), false) => t.strftime("%H:%M:%S").to_string(),
        _ => "at capture".into(),
    }
}

/// The lines that prove a hypothesis: its evidence, then the structured facts (a log line, a
/// limit, a missing object) that no evidence line already states.
fn proof(h: &Hypothesis) -> Vec<String> {
    let mut lines: Vec<String> = h.evidence.iter().take(5).cloned().collect();
    let said = format!("{} {}", h.fact, lines.join(" "));
    for (k, v) in &h.detail {
        let v = match v {
            Value::String(s) => s.clone(),
            Value::Array(a) if a.iter().all(Value::is_string) => {
                a.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", ")
            }
            Value::Number(n) => n.to_string(),
            _ => continue,
        };
        if !v.is_empty() && !said.contains(&v) {
            lines.push(format!("{}: {}", k.replace('_', " "), prompts::ellipsis(&v, 240)));
        }
    }
    lines
}

fn hypothesis_vars(h: &Hypothesis) -> Value {
    json!({
        "cause": h.cause,
        "object": h.object.to_string(),
        "rule": h.rule,
        "fact": h.fact,
        "confidence": format!("{:.0}%", h.confidence * 100.0),
        "confidence_words": h.confidence_words,
        "basis": h.basis,
        "evidence": proof(h),
        "chain": h.chain.iter().map(|s| json!({"when": when(s), "what": s.what})).collect::<Vec<_>>(),
        "confirm": h.confirm.first(),
        "refute": h.refute,
    })
}

/// What people see, one line per object (its worst finding first), the cause's own finding
/// left out.
fn symptom_lines(p: &analyzers::engine::Problem, top: &Hypothesis) -> Vec<String> {
    let mut seen: Vec<&ObjRef> = Vec::new();
    let mut ordered: Vec<&analyzers::engine::Symptom> = p.symptoms.iter().collect();
    ordered.sort_by_key(|s| std::cmp::Reverse(s.severity));
    let mut lines = Vec::new();
    for s in ordered {
        if (s.object == top.object && s.rule == top.rule) || seen.contains(&&s.object) {
            continue;
        }
        seen.push(&s.object);
        lines.push(format!("{} `{}`: {}", s.rule, s.object, prompts::ellipsis(&s.message, 240)));
    }
    lines.truncate(6);
    lines
}

pub(super) fn failure(conv: &Conversation, m: &Mentions) -> Draft {
    let inv = investigation(conv);
    let subject = subject_title(m);
    let mut sources: Vec<Source> = Vec::new();
    let mut scripts: Vec<String> = Vec::new();
    let verdict = match &inv {
        None => "no cluster data was available, so this is based on the documents only".to_string(),
        Some(i) if i.problems.is_empty() && i.subject.is_empty() && !i.unresolved.is_empty() => {
            format!("nothing named {} is in the cluster capture", i.unresolved.join(" or "))
        }
        Some(i) if i.problems.is_empty() => {
            if i.subject.is_empty() {
                "no problem was found".into()
            } else {
                "no problem was found about it".into()
            }
        }
        Some(i) => {
            let top = i.top().expect("a problem has a hypothesis");
            format!("most likely `{}` on `{}`", top.cause, top.object)
        }
    };
    let mut problems: Vec<Value> = Vec::new();
    if let Some(inv) = &inv {
        for p in inv.problems.iter().take(4) {
            let Some(top) = p.hypotheses.first() else { continue };
            sources.push(object_source(&top.object, &top.fact));
            for s in top.chain.iter().filter(|s| s.object != top.object) {
                sources.push(object_source(&s.object, &s.what));
            }
            for s in &p.symptoms {
                sources.push(object_source(&s.object, &s.message));
            }
            scripts.extend(top.confirm.iter().cloned());
            problems.push(json!({
                "top": hypothesis_vars(top),
                "symptoms": symptom_lines(p, top),
                "alternatives": p.hypotheses.iter().skip(1).take(3).map(hypothesis_vars).collect::<Vec<_>>(),
            }));
        }
        for n in &inv.nodes {
            scripts.insert(0, format!("kubectl describe node {}", n.node));
        }
    }
    let changes: Vec<String> = inv
        .iter()
        .flat_map(|i| i.changes.iter().rev().take(6))
        .map(|c| {
            format!(
                "{} {} `{}`: {}",
                c.time.strftime("%Y-%m-%d %H:%M:%S"),
                c.what.word(),
                c.object,
                c.summary
            )
        })
        .collect();
    let checked = inv.as_ref().map(|i| i.checked.sentence());
    // The team's documents, only those about the objects of this answer.
    let names = answer_names(inv.as_ref(), m);
    let all_docs = hits(conv, |t| t.call.args.get("kind").is_none());
    let mut docs: Vec<&Hit> = all_docs.iter().filter(|h| about(h, &names)).collect();
    docs.sort_by_key(|h| !h.title.to_lowercase().contains("runbook"));
    if m.entities.is_empty() {
        // The question names nothing in the cluster ("cannot clone a private repo"): what the
        // documents say about it as asked comes first — the retriever's first three, in its
        // order — whatever the cluster's own problems are (they follow).
        for (i, h) in super::architecture::asked_and_on_topic(conv).iter().take(3).enumerate() {
            if let Some(hit) = all_docs.iter().find(|d| d.doc_id == h.doc_id) {
                docs.retain(|d| d.doc_id != hit.doc_id);
                docs.insert(i, hit);
            }
        }
    }
    docs.truncate(3);
    // The Terraform that defines the node groups involved.
    let groups: Vec<String> =
        inv.iter().flat_map(|i| i.nodes.iter().filter_map(|n| n.group.clone())).collect();
    let infra: Vec<Hit> =
        hits(conv, |t| t.call.args.get("kind").and_then(Value::as_str) == Some("terraform"))
            .into_iter()
            .filter(|h| about(h, &groups))
            .take(2)
            .collect();
    let mut all_sources: Vec<Source> = docs.iter().map(|h| doc_source(h)).collect();
    all_sources.extend(infra.iter().map(doc_source));
    all_sources.extend(sources);
    let vars = json!({
        "subject": subject,
        "verdict": verdict,
        "problems": problems,
        "unresolved": inv.as_ref().map(|i| i.unresolved.clone()).unwrap_or_default(),
        "changes": changes,
        "checked": checked,
        "found": problems.len(),
        // A question that names nothing in the cluster is answered from the documents first.
        "docs_first": m.entities.is_empty(),
        "docs": docs.iter().map(|h| json!({"title": h.title, "heading": h.heading, "snippet": snippet(h)})).collect::<Vec<_>>(),
        "infra": infra.iter().map(|h| json!({"title": h.title, "location": crate::output::display_location(&h.location)})).collect::<Vec<_>>(),
    });
    let script = script_vars("confirm the diagnosis", &scripts.into_iter().take(6).collect::<Vec<_>>());
    finish(
        prompts::render("answer/failure.md", vars),
        all_sources,
        &script.into_iter().collect::<Vec<_>>(),
        &["Answered offline from the cluster capture and the document index, without a language model."
            .into()],
    )
}
