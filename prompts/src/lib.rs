/*!
sleuth's prompts and answer formats. A prompt is product copy: reviewed like code and
snapshot-tested. This crate performs no I/O.

# Design tour

Every text lives as a file under `prompts/templates/`, embedded at build time
([`TEMPLATES`]), and is rendered by [minijinja](https://docs.rs/minijinja) with named
variables; an undefined variable is an error, never an empty string, so a renamed field cannot
silently blank out part of an answer.

- `system.md` — the system prompt for a model: role, read-only stance, citing sources, never
  inventing resource names, document and log text treated as data, the answer format.
- `tools/<name>.md` — one description per agent tool ([`tool_description`]).
- `answer/<intent>.md` — the offline policy's answers (failure, architecture, script, graph,
  unknown, and unheld: a name the question gives that no document holds): a direct answer
  first, then evidence, documents and definitions.
- `sections.md` — what every answer ends with: sources, labelled scripts, notes.
- `mcp/` — what the MCP server tells a client's model: its instructions, and the prompts
  "investigate a failing workload" and "explain this graph".
- `causal/explain.md` — the plain-language explanation of a causal graph: verdict, chain in
  time order, side branches, correlation vs causation, alternatives, gaps, next steps.

[`ellipsis`] is the one way any text sleuth shows (a snippet, a value in a diff, a log line in a
graph node) is cut to a length; every crate that shows text depends on this one for it, which
is why the cluster crate depends on a crate of templates.
*/

use minijinja::{Environment, UndefinedBehavior};
use serde::Serialize;

/// `text` cut to at most `max` characters (trailing space dropped) with `…` when anything was
/// left out; unchanged when it fits.
pub fn ellipsis(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let kept: String = text.chars().take(max).collect();
    format!("{}…", kept.trim_end())
}

/// Every template, by name, embedded at build time.
pub const TEMPLATES: &[(&str, &str)] = &[
    ("system.md", include_str!("../templates/system.md")),
    ("sections.md", include_str!("../templates/sections.md")),
    ("answer/failure.md", include_str!("../templates/answer/failure.md")),
    ("answer/changes.md", include_str!("../templates/answer/changes.md")),
    ("answer/architecture.md", include_str!("../templates/answer/architecture.md")),
    ("answer/script.md", include_str!("../templates/answer/script.md")),
    ("answer/graph.md", include_str!("../templates/answer/graph.md")),
    ("answer/unknown.md", include_str!("../templates/answer/unknown.md")),
    ("answer/unheld.md", include_str!("../templates/answer/unheld.md")),
    ("causal/explain.md", include_str!("../templates/causal/explain.md")),
    ("causal/rewrite.md", include_str!("../templates/causal/rewrite.md")),
    ("tools/build_graph.md", include_str!("../templates/tools/build_graph.md")),
    ("tools/explain_graph.md", include_str!("../templates/tools/explain_graph.md")),
    ("tools/search_docs.md", include_str!("../templates/tools/search_docs.md")),
    ("tools/list_resources.md", include_str!("../templates/tools/list_resources.md")),
    ("tools/get_resource.md", include_str!("../templates/tools/get_resource.md")),
    ("tools/describe.md", include_str!("../templates/tools/describe.md")),
    ("tools/events.md", include_str!("../templates/tools/events.md")),
    ("tools/logs.md", include_str!("../templates/tools/logs.md")),
    ("tools/diagnose.md", include_str!("../templates/tools/diagnose.md")),
    ("tools/related.md", include_str!("../templates/tools/related.md")),
    ("tools/rollout_history.md", include_str!("../templates/tools/rollout_history.md")),
    ("tools/investigate.md", include_str!("../templates/tools/investigate.md")),
    ("tools/changes.md", include_str!("../templates/tools/changes.md")),
    ("mcp/instructions.md", include_str!("../templates/mcp/instructions.md")),
    ("mcp/investigate.md", include_str!("../templates/mcp/investigate.md")),
    ("mcp/explain_graph.md", include_str!("../templates/mcp/explain_graph.md")),
];

/// Bumped whenever a template changes meaning; part of any cache key built on prompts.
pub const VERSION: u32 = 1;

/// A template that is missing or does not render.
#[derive(Debug, thiserror::Error)]
#[error("prompt template {name}: {source}")]
pub struct PromptError {
    /// The template's name.
    pub name: String,
    /// What went wrong (unknown template, undefined variable, syntax).
    #[source]
    pub source: minijinja::Error,
}

fn env() -> &'static Environment<'static> {
    static ENV: std::sync::OnceLock<Environment<'static>> = std::sync::OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_syntax(
            minijinja::syntax::SyntaxConfig::builder()
                .trim_blocks(true)
                .lstrip_blocks(true)
                .build()
                .expect("valid syntax"),
        );
        for (name, source) in TEMPLATES {
            env.add_template(name, source).expect("embedded templates parse (checked by a test)");
        }
        env
    })
}

/// Render a template with named variables.
pub fn render(name: &str, vars: impl Serialize) -> Result<String, PromptError> {
    let err = |source| PromptError { name: name.to_string(), source };
    let text = env().get_template(name).map_err(err)?.render(minijinja::value::Serde(vars)).map_err(err)?;
    Ok(tidy(&text))
}

/// Collapse runs of blank lines left by skipped blocks and trim the ends.
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank = 0;
    for line in text.trim().lines() {
        if line.trim().is_empty() {
            blank += 1;
            if blank > 1 {
                continue;
            }
        } else {
            blank = 0;
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The description of an agent tool, for the model's tool catalogue.
pub fn tool_description(tool: &str) -> Option<String> {
    let name = format!("tools/{tool}.md");
    TEMPLATES.iter().find(|(n, _)| *n == name).map(|(_, t)| t.trim().to_string())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn text_is_cut_by_characters_with_an_ellipsis() {
        assert_eq!(ellipsis("short", 10), "short");
        assert_eq!(ellipsis("exactly ten", 11), "exactly ten");
        assert_eq!(ellipsis("two words", 4), "two…");
        // The space before the cut is not kept, and multi-byte text is cut on characters.
        assert_eq!(ellipsis("a   b", 3), "a…");
        assert_eq!(ellipsis("two words", 5), "two w…");
        assert_eq!(ellipsis("ünïcödé text", 7), "ünïcödé…");
    }

    #[test]
    fn every_template_parses() {
        for (name, _) in TEMPLATES {
            assert!(env().get_template(name).is_ok(), "{name}");
        }
    }

    #[test]
    fn undefined_variables_are_errors_not_blanks() {
        let err = render("answer/script.md", json!({})).unwrap_err();
        assert!(err.to_string().contains("answer/script.md"), "{err}");
        assert!(render("nope.md", json!({})).is_err());
    }

    #[test]
    fn system_prompt() {
        insta::assert_snapshot!(
            render(
                "system.md",
                json!({"company": "Pinecart", "cluster": "snapshot of pinecart-prod", "namespace": "shop"})
            )
            .unwrap()
        );
    }

    #[test]
    fn failure_answer() {
        let hypothesis = |cause: &str, object: &str, fact: &str| {
            json!({
                "cause": cause, "object": object, "rule": "POD-14", "fact": fact,
                "confidence": "95%", "confidence_words": "high", "basis": [],
                "evidence": ["container app: no memory limit"],
                "chain": [{"when": "13:40:00", "what": "revision 7 rolled out"}, {"when": "14:05:00", "what": "node n1 ran out of memory (SystemOOM)"}],
                "confirm": "kubectl top pod app-1 -n ops", "refute": "memory stays flat",
            })
        };
        let text = render(
            "answer/failure.md",
            json!({
                "subject": "Web",
                "verdict": "most likely `node/memory-pressure` on `Deployment/ops/app`",
                "unresolved": [],
                "found": 1,
                "problems": [{
                    "top": hypothesis("node/memory-pressure", "Deployment/ops/app", "container app has no memory limit"),
                    "symptoms": ["SVC-2 `Service/web/web`: Service has no ready endpoint"],
                    "alternatives": [hypothesis("runtime/oom-killed", "Deployment/web/web", "container web was OOM-killed")],
                }],
                "changes": ["2026-01-01 13:40:00 rollout `Deployment/ops/app`: revision 7"],
                "checked": "20 objects",
                "docs_first": false,
                "docs": [{"title": "Runbook: web unreachable", "heading": "Diagnosis", "snippet": "check the ops nodes"}],
                "infra": [{"title": "aws_eks_node_group.ops", "location": "terraform/eks.tf:40"}],
            }),
        )
        .unwrap();
        insta::assert_snapshot!(text);
        // Nothing found: said plainly, with what was checked.
        let none = render(
            "answer/failure.md",
            json!({"subject": "Web", "verdict": "no problem was found about it", "unresolved": [], "found": 0,
                   "problems": [], "changes": [], "checked": "20 objects and 3 changes", "docs": [], "infra": [],
                   "docs_first": false}),
        )
        .unwrap();
        assert!(none.contains("No root cause found. I checked 20 objects and 3 changes."), "{none}");
        // A question that names nothing in the cluster: the documents lead, once.
        let first = render(
            "answer/failure.md",
            json!({"subject": "The cluster", "verdict": "no problem was found", "unresolved": [], "found": 0,
                   "problems": [], "changes": [], "checked": "20 objects", "infra": [], "docs_first": true,
                   "docs": [{"title": "Private repositories", "heading": "SSH", "snippet": "add the known host"}]}),
        )
        .unwrap();
        assert!(
            first.starts_with("From the team's documents:\n\n- **Private repositories** (SSH)"),
            "{first}"
        );
        assert_eq!(first.matches("Private repositories").count(), 1, "{first}");
    }

    #[test]
    fn changes_answer() {
        let text = render(
            "answer/changes.md",
            json!({"available": true, "window": "12:00 to 13:00", "namespace": null, "total": 3,
                   "changes": ["13:45 — rollout `Deployment/shop/web`: revision 2", "13:40 — edited `ConfigMap/shop/web`"]}),
        )
        .unwrap();
        assert!(text.contains("**3 change(s) from 12:00 to 13:00**"), "{text}");
        assert!(text.contains("… and 1 more"), "{text}");
        let none = render(
            "answer/changes.md",
            json!({"available": true, "window": "12:00 to 13:00", "namespace": "shop", "total": 0, "changes": []}),
        )
        .unwrap();
        assert!(none.contains("No changes from 12:00 to 13:00 in namespace shop"), "{none}");
    }

    #[test]
    fn unheld_answer_names_what_no_document_holds() {
        let text = render(
            "answer/unheld.md",
            json!({"names": ["--dry-run", "RetryBudget"],
                   "docs": [{"title": "Deploying", "snippet": "run kubectl apply"}]}),
        )
        .unwrap();
        assert!(
            text.starts_with("**No document in the index mentions `--dry-run`, `RetryBudget`.**"),
            "{text}"
        );
        assert!(text.contains("- **Deploying**: run kubectl apply"), "{text}");
        let alone = render("answer/unheld.md", json!({"names": ["--dry-run"], "docs": []})).unwrap();
        assert!(!alone.contains("nearest documents"), "{alone}");
    }

    #[test]
    fn sections_label_scripts() {
        let text = render(
            "sections.md",
            json!({
                "sources": [{"title": "Runbook", "location": "confluence/SHOP/1020.html"}],
                "scripts": [{"label": "Read-only", "purpose": "confirm the node's memory", "code": "kubectl describe node ip-10-0-1-88"}],
                "notes": ["Answered offline."],
            }),
        )
        .unwrap();
        insta::assert_snapshot!(text);
    }

    #[test]
    fn every_tool_has_a_description() {
        for tool in [
            "search_docs",
            "list_resources",
            "get_resource",
            "describe",
            "events",
            "logs",
            "diagnose",
            "related",
            "rollout_history",
            "build_graph",
            "explain_graph",
        ] {
            assert!(tool_description(tool).is_some_and(|d| d.len() > 40), "{tool}");
        }
        assert!(tool_description("delete_everything").is_none());
    }
}
