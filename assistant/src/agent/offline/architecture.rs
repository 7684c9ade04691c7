//! Answers about how things fit together, from the team's documents and Terraform, with the
//! pods that run the service and contradictions between sources.

use serde_json::{Value, json};

use retriever::Hit;

use super::compose::{doc_source, finish, hits, outputs, script_vars, snippet, unheld};
use super::route::Mentions;
use crate::agent::toolbox::{Source, Vocabulary};
use crate::agent::types::{Conversation, Draft};

pub(super) fn architecture(conv: &Conversation, m: &Mentions, vocab: &Vocabulary) -> Draft {
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
    let ordered: Vec<&Hit> = if question_mentions_infra && !infra.is_empty() {
        infra.iter().chain(docs.iter()).collect()
    } else {
        docs.iter().chain(infra.iter()).collect()
    };
    let mut unique: Vec<&Hit> = Vec::new();
    for h in ordered {
        if !unique.iter().any(|u| u.doc_id == h.doc_id) {
            unique.push(h);
        }
    }
    // The question gives a flag, identifier or quoted string no document holds: the hits
    // share only its other words, so say that rather than quote the nearest page as the answer.
    let missing = unheld(conv, |t| t.call.args["query"].as_str() == Some(conv.question()));
    if !missing.is_empty() {
        let nearest = &unique[..unique.len().min(3)];
        let docs: Vec<Value> =
            nearest.iter().map(|h| json!({"title": h.title, "snippet": snippet(h)})).collect();
        return finish(
            prompts::render("answer/unheld.md", json!({"names": missing, "docs": docs})),
            nearest.iter().map(|h| doc_source(h)).collect(),
            &[],
            &["Answered offline from the document index, without a language model.".into()],
        );
    }
    // The retriever's order stands: re-ranking its hits by question words in their titles
    // (as this policy once did) cost a third of the first places on other teams' documentation.
    let keys = keywords(conv.question());
    // Nothing found that mentions what was asked: say so rather than quote a loose match.
    if m.entities.is_empty() && !unique.iter().any(|h| on_topic(h, &keys)) {
        let subject = m.namespace.clone().unwrap_or_default();
        let docs: Vec<Value> =
            unique.iter().take(3).map(|h| json!({"title": h.title, "snippet": snippet(h)})).collect();
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
            h.title,
            crate::output::display_location(&h.location),
            snippet(h)
        )
    });
    let points: Vec<String> =
        unique.iter().skip(1).take(4).map(|h| format!("**{}** — {}", h.title, snippet(h))).collect();
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

/// Whether a hit mentions any of the question's words (in its title, heading or text).
pub(super) fn on_topic(hit: &Hit, keys: &[String]) -> bool {
    let text = format!("{} {} {}", hit.title, hit.heading, hit.text).to_lowercase();
    keys.iter().any(|k| text.contains(k.as_str()))
}

/// The documents found for the question as asked that are on its topic, in the retriever's
/// order.
pub(super) fn asked_and_on_topic(conv: &Conversation) -> Vec<Hit> {
    let keys = keywords(conv.question());
    hits(conv, |t| {
        t.call.args.get("kind").is_none() && t.call.args["query"].as_str() == Some(conv.question())
    })
    .into_iter()
    .filter(|h| on_topic(h, &keys))
    .collect()
}

/// The words of a question that carry meaning, stemmed crudely (`depends` → `depend`).
pub(super) fn keywords(question: &str) -> Vec<String> {
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
pub(super) fn contradictions(hits: &[&Hit]) -> Vec<String> {
    const ENGINES: &[&str] = &["postgresql", "postgres", "mysql", "mariadb", "aurora", "dynamodb", "mongodb"];
    let mut seen: Vec<(String, String, String)> = Vec::new();
    for h in hits {
        let text = format!("{} {}", h.text, h.fields).to_lowercase();
        for e in ENGINES {
            if text.contains(e) {
                let canonical = if *e == "postgres" { "postgresql" } else { e };
                seen.push((canonical.to_string(), h.title.clone(), h.kind.clone()));
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
