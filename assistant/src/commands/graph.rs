//! `sleuth explain` and `sleuth graph`: causal graphs from a file or a cluster.

use std::io::Write as _;
use std::process::ExitCode;

use rcagraph::{self as causal, Explanation, Format};

use crate::agent::llm::{LlmPolicy, LlmSettings};
use crate::cli::{ExplainArgs, GraphArgs, GraphFormat};
use crate::connect::{open, runtime};
use crate::graphs;
use crate::output::color;

fn format(f: GraphFormat) -> Format {
    match f {
        GraphFormat::Text => Format::Text,
        GraphFormat::Markdown => Format::Markdown,
        GraphFormat::Mermaid => Format::Mermaid,
        GraphFormat::Dot => Format::Dot,
        GraphFormat::Svg | GraphFormat::Png => Format::Svg,
        GraphFormat::Json => Format::Json,
    }
}

/// Writes output to a file, or to standard output.
pub(crate) fn write_out(path: Option<&std::path::Path>, bytes: &[u8]) -> anyhow::Result<()> {
    if let Some(p) = path {
        std::fs::write(p, bytes).map_err(|e| anyhow::anyhow!("cannot write {}: {e}", p.display()))
    } else {
        let mut out = std::io::stdout().lock();
        out.write_all(bytes)?;
        Ok(out.flush()?)
    }
}

/// `sleuth explain FILE|-`.
pub fn explain(args: &ExplainArgs) -> anyhow::Result<ExitCode> {
    let (name, text) = graphs::read_input(&args.file)?;
    let expl = match causal::explain(&text) {
        Ok(e) => e,
        Err(invalid) => {
            eprint!("{}", graphs::error_lines(&name, &invalid));
            eprintln!("{name}: not a valid rcagraph/v1 graph ({} error(s))", invalid.errors().count());
            return Ok(ExitCode::from(crate::EXIT_BAD_INPUT));
        }
    };
    let png = !args.json && args.format == GraphFormat::Png;
    if png && args.output.is_none() && std::io::IsTerminal::is_terminal(&std::io::stdout()) {
        anyhow::bail!("a PNG is binary: write it to a file with -o FILE, or redirect standard output");
    }
    let fmt = if args.json { Format::Json } else { format(args.format) };
    let wants_narrative = matches!(fmt, Format::Text | Format::Markdown | Format::Json);
    let model = if wants_narrative && !args.no_model {
        LlmSettings::from_env(None).map(LlmPolicy::new)
    } else {
        None
    };
    let (narrative, note) = match &model {
        Some(m) => runtime()?.block_on(graphs::narrative(&expl, Some(m))),
        None => (expl.markdown(), None),
    };
    if let Some(note) = &note {
        eprintln!("sleuth: {note}");
    }
    let view = if args.full { causal::View::Full } else { causal::View::Collapsed };
    let out = render(&expl, fmt, &narrative, args.output.is_none() && color(), view);
    let bytes = if png { picture::png(&out)? } else { out.into_bytes() };
    write_out(args.output.as_deref(), &bytes)?;
    if fmt != Format::Json {
        // Warnings after the output, where a terminal leaves them in view; a long list (every
        // edge of an uncalibrated graph lacks a confidence) is cut to its first lines.
        const SHOWN: usize = 8;
        for w in expl.warnings.iter().take(SHOWN) {
            eprintln!("{name}: {w}");
        }
        if expl.warnings.len() > SHOWN {
            eprintln!(
                "{name}: … and {} more warning(s); `--json` lists them all",
                expl.warnings.len() - SHOWN
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Renders with a given narrative (a model's checked rewrite, or sleuth's own); in a terminal
/// the narrative's Markdown is styled.
pub fn render(expl: &Explanation, fmt: Format, narrative: &str, color: bool, view: causal::View) -> String {
    if fmt == Format::Text && color {
        return expl.render_with(
            fmt,
            &termimad::MadSkin::default().term_text(narrative).to_string(),
            color,
            view,
        );
    }
    expl.render_with(fmt, narrative, color, view)
}

/// `sleuth graph`.
pub fn graph(args: &GraphArgs) -> anyhow::Result<ExitCode> {
    runtime()?.block_on(async {
        let (src, scope, note) = open(&args.scope).await?;
        if let Some(n) = note.filter(|_| !args.quiet) {
            eprintln!("{n}");
        }
        let g = graphs::build_from(&src, &scope, args.since).await?;
        if !args.quiet {
            eprintln!(
                "sleuth: {} node(s), {} edge(s), {} symptom(s) from {}",
                g.nodes.len(),
                g.edges.len(),
                g.incident.as_ref().map_or(0, |i| i.symptom_ids.len()),
                src.describe()
            );
        }
        let text = if args.dot {
            let a = causal::analyze(&g);
            causal::render::dot::render(&g, &a)
        } else {
            serde_json::to_string_pretty(&g)? + "\n"
        };
        write_out(args.output.as_deref(), text.as_bytes())?;
        Ok(ExitCode::SUCCESS)
    })
}
