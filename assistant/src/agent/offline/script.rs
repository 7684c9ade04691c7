//! Answers to "how do I …": a read-only script for the subject, labelled by the classifier.

use analyzers::Report;
use serde_json::json;

use super::compose::{finish, outputs, script_vars};
use super::route::Mentions;
use crate::agent::toolbox::{Source, Vocabulary};
use crate::agent::types::{Conversation, Draft};

/// Whether a finding is about one of the names asked about (its object or one of its pods).
fn mentions_entity(f: &analyzers::Finding, entities: &[String]) -> bool {
    entities
        .iter()
        .any(|e| f.name.to_lowercase().contains(e) || f.pods.iter().any(|p| p.to_lowercase().contains(e)))
}

fn object(f: &analyzers::Finding) -> String {
    f.root().to_string()
}

/// What a "how do I …" question asks for, as far as a script for the cluster can answer it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Topic {
    /// A crashed container's log.
    Logs,
    /// Recent events.
    Events,
    /// Memory or CPU use.
    Usage,
    /// Restart, roll back or scale a workload.
    Rollout,
    /// Nothing a cluster script is known for: the documents may answer it better.
    Other,
}

/// Whether a "how do I …" question is for the documents rather than a cluster script: no script
/// is known for its topic ("how do I stop deploys on friday afternoons"), or it is about
/// something the cluster does not run ("how do I collect kiali's logs").
pub(super) fn for_the_documents(question: &str, m: &Mentions) -> bool {
    topic(question) == Topic::Other || !m.unknown.is_empty()
}

/// The topic of a "how do I …" question.
pub(super) fn topic(question: &str) -> Topic {
    let q = question.to_lowercase();
    let words: Vec<&str> = q.split(|c: char| !c.is_alphanumeric() && c != '-').collect();
    let has = |w: &str| words.contains(&w);
    if has("log") || has("logs") {
        Topic::Logs
    } else if has("event") || has("events") {
        Topic::Events
    } else if q.contains("memory") || q.contains("cpu") || q.contains("usage") || q.contains(" top") {
        Topic::Usage
    } else if ["restart", "rollback", "roll back", "undo", "scale"].iter().any(|w| q.contains(w)) {
        Topic::Rollout
    } else {
        Topic::Other
    }
}

pub(super) fn script(conv: &Conversation, m: &Mentions, question: &str, vocab: &Vocabulary) -> Draft {
    let q = question.to_lowercase();
    let report: Option<Report> =
        outputs(conv, "diagnose").last().and_then(|t| serde_json::from_value(t.output.data.clone()).ok());
    let findings = report.map(|r| r.findings).unwrap_or_default();
    let pick = |rules: &[&str]| {
        findings
            .iter()
            .find(|f| {
                // A subject the cluster does not run: no other object's finding stands in for it.
                rules.contains(&f.rule.as_str())
                    && m.unknown.is_empty()
                    && (m.entities.is_empty() || mentions_entity(f, &m.entities))
            })
            .cloned()
    };
    let mut lines: Vec<String> = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    let mut sources = Vec::new();
    let intro;
    let topic = topic(question);
    if topic == Topic::Logs {
        let crashed = pick(&["POD-5", "POD-9", "POD-11", "POD-7"]);
        if let Some((f, pod)) = crashed.as_ref().and_then(|f| f.pods.first().map(|p| (f, p.clone()))) {
            let (ns, name) = pod.split_once('/').unwrap_or(("default", &pod));
            let container = f.containers.first().map_or("", String::as_str);
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
    } else if topic == Topic::Events {
        intro = "List the recent events, warnings first, sorted by time:".into();
        let ns = m.namespace.clone().map_or("-A".to_string(), |n| format!("-n {n}"));
        lines.push(format!("kubectl get events {ns} --field-selector type=Warning --sort-by=.lastTimestamp"));
    } else if topic == Topic::Usage {
        intro = "Compare usage with requests and limits:".into();
        let ns = m.namespace.clone().map_or("-A".to_string(), |n| format!("-n {n}"));
        lines.push(format!("kubectl top pods {ns} --containers --sort-by=memory"));
        lines.push("kubectl top nodes".into());
    } else if topic == Topic::Rollout {
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
