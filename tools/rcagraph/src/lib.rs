/*!
Causal root-cause graphs (`rcagraph/v1`) on their own: read, validate, rank, explain, render.

This crate knows nothing about Kubernetes clients or async runtimes (`cargo tree -p rcagraph`
shows no kube, k8s-openapi or tokio, and CI checks it), so a graph from any producer can be
explained without pulling a cluster client in. Graphs *built* from cluster evidence come from
the `analyzers` crate, which produces this crate's [`Graph`].

# Design tour

- [`schema`] — the typed document (what a *valid* graph is).
- [`validate`] — reads JSON into those types, reporting every problem at once with its path
  and node/edge id; [`dot`] reads DOT digraphs with the same attributes and hands them to the
  same validator. [`read`] picks the reader from the text.
- [`analyze`] — symptoms, root-cause candidates, ranking by path strength, cycle breaking,
  comparison with a producer's ranking.
- [`narrate`] — the plain-language explanation, and the guard a model's rewrite must pass.
  Its wording lives in the `causal/explain.md` template of the `prompts` crate, which is why
  `prompts` (templates only, no I/O) is this crate's one sleuth dependency: the narrative is
  product copy, reviewed and snapshot-tested beside the other prompts.
- [`render`] — terminal tree, Mermaid, DOT, SVG.
- `generate` (feature `generate`) — random graphs with a known root cause, for the accuracy
  benchmark (`cargo bench -p rcagraph --features generate --bench causal`).

[`explain`] runs the whole pipeline on a text and returns an [`Explanation`], whose
[`Explanation::json`] is the `sleuth explain --json` contract.
*/

// Graph code reads best in the notation of the papers and the schema (g, a, e, u → v); the
// pedantic lints against short and similar names fight that.
#![allow(clippy::many_single_char_names, clippy::similar_names)]

pub mod analyze;
pub mod dot;
#[cfg(any(test, feature = "generate"))]
pub mod generate;
pub mod narrate;
pub mod render;
pub mod schema;
pub mod validate;

use serde::Serialize;

pub use analyze::{Analysis, RootCause, analyze};
pub use narrate::Narrative;
pub use render::collapse::Collapsed;
pub use schema::Graph;
pub use validate::{Invalid, Issue, Level, Parsed};

/// Reads a graph from JSON or DOT text (DOT when it starts with `digraph`/`strict`/`graph`).
pub fn read(text: &str) -> Result<Parsed, Invalid> {
    // Editors on Windows and some exporters start files with a byte-order mark.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if dot::looks_like_dot(text) { dot::parse_dot(text) } else { validate::parse_json(text) }
}

/// A graph with its analysis and narrative.
#[derive(Debug, Clone)]
pub struct Explanation {
    /// The graph.
    pub graph: Graph,
    /// Validation warnings, then analysis warnings.
    pub warnings: Vec<Issue>,
    /// Ranking and structure.
    pub analysis: Analysis,
    /// The story.
    pub narrative: Narrative,
}

/// One root cause in the JSON output.
#[derive(Debug, Clone, Serialize)]
pub struct JsonCause {
    /// Node id.
    pub node_id: String,
    /// Ranking score in [0, 1].
    pub score: f64,
    /// Confidence of its strongest path.
    pub confidence: f64,
    /// The same in words.
    pub confidence_words: &'static str,
    /// Strongest path to each symptom it reaches, node ids cause first.
    pub paths: Vec<Vec<String>>,
}

/// The `sleuth explain --json` document.
#[derive(Debug, Clone, Serialize)]
pub struct JsonExplanation {
    /// Candidates, best first.
    pub root_causes: Vec<JsonCause>,
    /// Symptom ids.
    pub symptoms: Vec<String>,
    /// Symptoms nothing explains.
    pub unexplained: Vec<String>,
    /// The narrative, Markdown.
    pub narrative: String,
    /// Validation and analysis warnings.
    pub warnings: Vec<Issue>,
    /// Comparison with the producer's ranking.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comparison: Option<analyze::Comparison>,
}

impl Explanation {
    /// Analyses and narrates a valid graph.
    pub fn new(parsed: Parsed) -> Explanation {
        let analysis = analyze(&parsed.graph);
        let narrative = narrate::narrate(&parsed.graph, &analysis);
        let mut warnings = parsed.warnings;
        warnings.extend(analysis.warnings.iter().cloned());
        Explanation { graph: parsed.graph, warnings, analysis, narrative }
    }

    /// The narrative as Markdown.
    pub fn markdown(&self) -> String {
        narrate::markdown(&self.narrative)
    }

    /// The JSON contract.
    pub fn json(&self) -> JsonExplanation {
        self.json_with(self.markdown())
    }

    /// The JSON contract with a narrative from elsewhere (a checked model rewrite).
    pub fn json_with(&self, narrative: String) -> JsonExplanation {
        JsonExplanation {
            root_causes: self
                .analysis
                .root_causes
                .iter()
                .map(|r| JsonCause {
                    node_id: r.node_id.clone(),
                    score: round(r.score),
                    confidence: round(r.confidence),
                    confidence_words: analyze::confidence_word(r.confidence),
                    paths: r.paths.iter().map(|p| p.node_ids.clone()).collect(),
                })
                .collect(),
            symptoms: self.analysis.symptoms.clone(),
            unexplained: self.analysis.unexplained.clone(),
            narrative,
            warnings: self.warnings.clone(),
            comparison: self.analysis.comparison.clone(),
        }
    }

    /// Rendering in one of the output formats, with sleuth's own narrative.
    pub fn render(&self, format: Format, color: bool, view: View) -> String {
        // Only the formats that carry the narrative pay for rendering it.
        let narrative = match format {
            Format::Text | Format::Markdown | Format::Json => self.markdown(),
            Format::Mermaid | Format::Dot | Format::Svg => String::new(),
        };
        self.render_with(format, &narrative, color, view)
    }

    /// What a picture draws: the collapsed view (the stories and the symptoms, evidence grouped,
    /// the rest counted), or the whole graph.
    pub fn picture(&self, view: View) -> render::collapse::Collapsed {
        match view {
            View::Collapsed => render::collapse::collapse(&self.graph, &self.analysis),
            View::Full => render::collapse::Collapsed {
                graph: self.graph.clone(),
                analysis: self.analysis.clone(),
                folded: 0,
            },
        }
    }

    /// Rendering with a given narrative (sleuth's own, or a model's checked rewrite) where the
    /// format carries one. The JSON contract always describes the whole graph.
    pub fn render_with(&self, format: Format, narrative: &str, color: bool, view: View) -> String {
        let picture = || {
            let p = self.picture(view);
            let note = p.note();
            (p, note)
        };
        match format {
            Format::Json => {
                serde_json::to_string_pretty(&self.json_with(narrative.to_string())).unwrap_or_default()
                    + "\n"
            }
            Format::Text => {
                let (p, note) = picture();
                let note = note.map(|n| format!("{n}\n")).unwrap_or_default();
                format!("{}{note}\n{narrative}", render::terminal::render(&p.graph, &p.analysis, color, 3))
            }
            Format::Markdown => {
                let (p, note) = picture();
                let note = note.map(|n| format!("\n_{n}_\n")).unwrap_or_default();
                format!(
                    "{narrative}\n```mermaid\n{}```\n{note}",
                    render::mermaid::render(&p.graph, &p.analysis)
                )
            }
            Format::Mermaid => {
                let (p, _) = picture();
                render::mermaid::render(&p.graph, &p.analysis)
            }
            Format::Dot => {
                let (p, _) = picture();
                render::dot::render(&p.graph, &p.analysis)
            }
            Format::Svg => {
                let (p, note) = picture();
                render::svg::render_with_note(&p.graph, &p.analysis, note.as_deref())
            }
        }
    }
}

fn round(f: f64) -> f64 {
    (f * 1000.0).round() / 1000.0
}

/// Whether a rendering draws the collapsed view or everything.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum View {
    /// The top cause's story, the next hypotheses' paths and the symptoms, evidence grouped.
    #[default]
    Collapsed,
    /// Every node and edge, as given.
    Full,
}

/// Output formats of `sleuth explain`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Terminal tree and narrative.
    Text,
    /// Narrative and a Mermaid block.
    Markdown,
    /// Mermaid source.
    Mermaid,
    /// DOT source.
    Dot,
    /// SVG document.
    Svg,
    /// The JSON contract.
    Json,
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Format, String> {
        Ok(match s {
            "text" => Format::Text,
            "markdown" | "md" => Format::Markdown,
            "mermaid" => Format::Mermaid,
            "dot" => Format::Dot,
            "svg" => Format::Svg,
            "json" => Format::Json,
            other => {
                return Err(format!("unknown format {other:?}: text, markdown, mermaid, dot, svg or json"));
            }
        })
    }
}

/// Reads, validates, analyses and narrates a graph text.
pub fn explain(text: &str) -> Result<Explanation, Invalid> {
    read(text).map(Explanation::new)
}
