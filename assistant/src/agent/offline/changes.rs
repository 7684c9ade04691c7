//! Answers to "what changed": the change timeline of the window the question names, newest
//! first, each change with its object, who made it when known, and its diff.

use analyzers::changes::Timeline;
use serde_json::json;

use super::compose::{finish, outputs, script_vars};
use super::route::Mentions;
use crate::agent::toolbox::Source;
use crate::agent::types::{Conversation, Draft};

pub(super) fn changes(conv: &Conversation, m: &Mentions) -> Draft {
    let timeline: Option<Timeline> =
        outputs(conv, "changes").last().and_then(|t| serde_json::from_value(t.output.data.clone()).ok());
    let mut sources = Vec::new();
    let mut lines = Vec::new();
    let mut window = String::new();
    if let Some(t) = &timeline {
        window = format!("{} to {}", t.start.strftime("%Y-%m-%d %H:%M"), t.end.strftime("%Y-%m-%d %H:%M"));
        // Changes about what the question names first, then the rest, newest first.
        let named = |c: &analyzers::changes::Change| {
            m.entities.iter().any(|e| c.object.name.to_lowercase().starts_with(e.as_str()))
        };
        let mut shown: Vec<&analyzers::changes::Change> = t.real().collect();
        shown.sort_by_key(|c| (!named(c), std::cmp::Reverse(c.time)));
        for c in shown.iter().take(20) {
            let by = c.by.as_deref().map(|b| format!(" (by {b})")).unwrap_or_default();
            lines.push(format!(
                "{} — {} `{}`{by}: {}",
                c.time.strftime("%Y-%m-%d %H:%M:%S"),
                c.what.word(),
                c.object,
                c.summary
            ));
            let src = Source {
                title: c.object.to_string(),
                kind: "cluster".into(),
                location: c.object.to_string(),
                snippet: prompts::ellipsis(&c.summary, 200),
            };
            if !sources.contains(&src) {
                sources.push(src);
            }
        }
    }
    let total = timeline.as_ref().map_or(0, |t| t.real().count());
    let vars = json!({
        "available": timeline.is_some(),
        "window": window,
        "namespace": m.namespace,
        "total": total,
        "changes": lines,
    });
    let ns = m.namespace.as_ref().map_or(" -A".to_string(), |n| format!(" -n {n}"));
    let script = script_vars(
        "see the same history yourself",
        &[
            format!(
                "kubectl get events{ns} --sort-by=.lastTimestamp | grep -E 'ScalingReplicaSet|SuccessfulRescale|RegisteredNode|RemovingNode'"
            ),
            format!(
                "kubectl get replicasets{ns} -o custom-columns=NAME:.metadata.name,REVISION:.metadata.annotations.deployment\\.kubernetes\\.io/revision,CREATED:.metadata.creationTimestamp"
            ),
        ],
    );
    finish(
        prompts::render("answer/changes.md", vars),
        sources,
        &script.into_iter().collect::<Vec<_>>(),
        &["Answered offline from the cluster capture's change timeline, without a language model.".into()],
    )
}
