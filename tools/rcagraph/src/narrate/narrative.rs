//! The structured explanation (what a model may rewrite from) and its Markdown.

use serde::Serialize;

/// One step of the chain.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    /// Node id.
    pub id: String,
    /// Wall-clock time (`12:38:55 UTC`), when known.
    pub when: Option<String>,
    /// Relative to the previous step (`45 s later`), when both times are known.
    pub after: Option<String>,
    /// What happened.
    pub text: String,
    /// How it links to the previous step (`high confidence that the image change caused it`).
    pub link: Option<String>,
}

/// A suggested read-only command.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NextStep {
    /// Why to run it.
    pub purpose: String,
    /// The command.
    pub code: String,
}

/// Everything the explanation says, structured (what a model may rewrite from).
#[derive(Debug, Clone, Serialize)]
pub struct Narrative {
    /// One sentence.
    pub verdict: String,
    /// Top root cause's strongest path, in time order.
    pub chain: Vec<Step>,
    /// Where the chain stands against detection.
    pub detection: Option<String>,
    /// Other symptoms the top cause explains.
    pub also_explains: Vec<String>,
    /// Weaker routes from the top cause to the symptoms, off its strongest paths.
    pub other_routes: Vec<String>,
    /// Consequences of the top cause that reach no symptom.
    pub side_branches: Vec<String>,
    /// Correlated pairs: evidence, not causes.
    pub correlations: Vec<String>,
    /// Runner-up hypotheses.
    pub alternatives: Vec<String>,
    /// How sleuth's ranking compares with the producer's (agreement, or why it differs).
    pub comparison: Vec<String>,
    /// What the graph does not show.
    pub gaps: Vec<String>,
    /// Read-only commands to check the story.
    pub next_steps: Vec<NextStep>,
}

/// The narrative as Markdown, from the `causal/explain.md` template.
pub fn markdown(n: &Narrative) -> String {
    prompts::render("causal/explain.md", n)
        .unwrap_or_else(|e| format!("{}\n\n(template error: {e})", n.verdict))
}
