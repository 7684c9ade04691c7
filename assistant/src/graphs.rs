//! Causal graphs for every front end: reading one from a file, stdin or a chat message,
//! explaining it (with an optional, checked model rewrite), and building one from a cluster.
//!
//! `sleuth explain`, `sleuth graph`, the REPL's `/graph`, the agent's `build_graph` and
//! `explain_graph` tools and the Slack bot all go through here, so a graph reads the same
//! wherever it is pasted.

use std::io::Read as _;

use analyzers::graph as build;
use cluster::source::NoProgress;
use cluster::{ClusterSource, Scope};
use rcagraph::{self as causal, Explanation, Invalid};

use crate::model::TextModel;

/// A graph's text and a name for messages (the path, or `<stdin>`).
pub fn read_input(path: &str) -> anyhow::Result<(String, String)> {
    if path == "-" {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text)?;
        return Ok(("<stdin>".into(), text));
    }
    let text = std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("cannot read {path}: {e}"))?;
    Ok((path.to_string(), text))
}

/// Every problem of an invalid graph, one per line, prefixed with where it came from.
pub fn error_lines(name: &str, invalid: &Invalid) -> String {
    use std::fmt::Write as _;
    invalid.issues.iter().fold(String::new(), |mut out, i| {
        let _ = writeln!(out, "{name}: {i}");
        out
    })
}

/// A graph in a chat message: a fenced code block holding `rcagraph/v1` JSON or a DOT
/// digraph, or the whole message when it is one. `None` when there is none.
pub fn extract(text: &str) -> Option<String> {
    let looks = |t: &str| {
        let t = t.trim();
        (t.starts_with('{') && t.contains("rcagraph/v1")) || causal::dot::looks_like_dot(t)
    };
    let mut rest = text;
    while let Some(start) = rest.find("```") {
        let after = &rest[start + 3..];
        // An info string (`json`, `dot`) runs to the end of the line; a block written on one
        // line (```{…}```) has none.
        let first_line = after.split('\n').next().unwrap_or("");
        let is_info = first_line.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        let body_start = if is_info { after.find('\n').map_or(after.len(), |i| i + 1) } else { 0 };
        let body = &after[body_start..];
        let Some(end) = body.find("```") else { break };
        let block = &body[..end];
        if looks(block) {
            return Some(block.trim().to_string());
        }
        rest = &body[end + 3..];
    }
    // Slack and chat clients may unwrap the block: take the first `{`/`digraph` to the end.
    if looks(text) {
        return Some(text.trim().to_string());
    }
    let brace = text.find('{')?;
    let candidate = &text[brace..];
    (candidate.contains("rcagraph/v1") && candidate.trim_end().ends_with('}'))
        .then(|| candidate.trim().to_string())
}

/// The narrative to show: a model's rewrite when one is configured and it passes the check
/// (names the top cause, invents no object), else the deterministic text. The note says why a
/// rewrite was not used.
pub async fn narrative(expl: &Explanation, model: Option<&impl TextModel>) -> (String, Option<String>) {
    let deterministic = expl.markdown();
    let Some(model) = model else { return (deterministic, None) };
    let system = prompts::render("causal/rewrite.md", serde_json::json!({})).unwrap_or_default();
    let user = serde_json::to_string_pretty(&expl.narrative).unwrap_or_default();
    match model.complete(&system, &user).await {
        Ok(text) => match causal::narrate::check_rewrite(&expl.graph, &expl.analysis, &text) {
            Ok(()) => (text.trim().to_string() + "\n", None),
            Err(why) => (
                deterministic,
                Some(format!(
                    "the model's rewrite was not used because {why}; this is sleuth's own explanation"
                )),
            ),
        },
        Err(why) => (deterministic, Some(format!("the model ({}) could not be used: {why}", model.name()))),
    }
}

/// Builds a graph from a cluster: one capture, `diagnose`, then the evidence rules.
pub async fn build_from(
    source: &ClusterSource,
    scope: &Scope,
    since: jiff::SignedDuration,
) -> anyhow::Result<causal::Graph> {
    // Node events live in the `default` namespace: a namespace-scoped capture would lose the
    // SystemOOM, pressure and NotReady evidence that explains what happened to its pods. The
    // builder still keeps only the requested namespaces' objects (and their nodes' events).
    let mut capture = scope.clone();
    if !capture.namespaces.is_empty() && !capture.namespaces.iter().any(|n| n == "default") {
        capture.namespaces.push("default".into());
    }
    let (report, data) =
        analyzers::diagnose::diagnose(source, &capture, &analyzers::Options::default(), &NoProgress).await?;
    let opts = build::Options { since, namespaces: scope.namespaces.clone() };
    Ok(build::build(&data, &report, &opts))
}

/// Parses a duration as typed (`90m`, `2h`, `1h30m`, `45s`, `1d`).
pub fn parse_since(s: &str) -> Result<jiff::SignedDuration, String> {
    let t = s.trim();
    let err = || format!("{s:?} is not a duration such as 30m, 2h or 1h30m");
    if t.is_empty() {
        return Err(err());
    }
    let mut total = 0i64;
    let mut num = String::new();
    for c in t.chars() {
        if c.is_ascii_digit() {
            num.push(c);
            continue;
        }
        let n: i64 = num.parse().map_err(|_| err())?;
        num.clear();
        total += n * match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            _ => return Err(err()),
        };
    }
    if !num.is_empty() {
        return Err(err());
    }
    if total <= 0 {
        return Err(err());
    }
    Ok(jiff::SignedDuration::from_secs(total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graphs_are_found_in_chat_messages() {
        let json = r#"{"schema_version": "rcagraph/v1", "nodes": []}"#;
        assert_eq!(
            extract(&format!("explain this please\n```json\n{json}\n```\nthanks")).as_deref(),
            Some(json)
        );
        assert_eq!(extract(&format!("what about {json}")).as_deref(), Some(json));
        assert!(extract("```\ndigraph { a -> b }\n```").unwrap().starts_with("digraph"));
        assert_eq!(extract(&format!("```{json}```")).as_deref(), Some(json));
        assert_eq!(extract("```bash\nkubectl get pods\n```"), None);
        assert_eq!(extract("why is grafana down?"), None);
    }

    #[test]
    fn durations() {
        assert_eq!(parse_since("2h").unwrap().as_secs(), 7200);
        assert_eq!(parse_since("1h30m").unwrap().as_secs(), 5400);
        assert_eq!(parse_since("45s").unwrap().as_secs(), 45);
        assert!(parse_since("2x").is_err());
        assert!(parse_since("90").is_err());
        assert!(parse_since("").is_err());
    }
}
