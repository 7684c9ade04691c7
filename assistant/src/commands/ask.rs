//! `sleuth ask QUESTION`: one turn of the agent.

use std::io::Write as _;
use std::process::ExitCode;
use std::sync::Arc;

use retriever::Searcher;

use crate::agent::{Agent, Event, Policy, ToolBox};
use crate::cli::{AgentFlags, AskArgs};
use crate::config;

/// Open the index, building the demo one on first use at the default location; the note says
/// what happened when it is worth a line.
pub fn open_index_quietly(flag: Option<&std::path::Path>) -> (Option<Searcher>, Option<String>) {
    let (dir, is_default) = config::index_dir(flag);
    match Searcher::open(&dir) {
        Ok(s) => (Some(s), None),
        Err(retriever::Error::NoIndex(_)) if is_default => {
            match crate::commands::search::build_demo_index(&dir) {
                Ok(note) => (Searcher::open(&dir).ok(), Some(note)),
                Err(e) => (None, Some(format!("sleuth: {e:#}; answering without documents"))),
            }
        }
        Err(e) => (None, Some(format!("sleuth: {e}; answering without documents"))),
    }
}

/// The agent's tools from the shared flags, with the index's and the cluster's notes (each
/// worth a line: demo defaults, an index built on first use, a cluster that could not be read,
/// in which case `without` says what sleuth goes on doing).
pub async fn toolbox(flags: &AgentFlags, without: &str) -> (ToolBox, Option<String>, Option<String>) {
    let (searcher, index_note) = open_index_quietly(flags.location.index.as_deref());
    let (cluster, cluster_note) =
        match super::cluster::source(&flags.cluster, flags.namespace.as_deref()).await {
            Ok((c, note)) => (Some(c), note),
            Err(e) => (None, Some(format!("sleuth: {e:#}; {without}"))),
        };
    let namespace = flags
        .namespace
        .clone()
        .or_else(|| cluster.as_ref().and_then(cluster::ClusterSource::default_namespace));
    (ToolBox { searcher: searcher.map(Arc::new), cluster, namespace }, index_note, cluster_note)
}

/// Runs one turn and prints the answer.
pub fn run(args: &AskArgs) -> anyhow::Result<ExitCode> {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    rt.block_on(async {
        let (toolbox, index_note, cluster_note) = toolbox(&args.agent, "answering without the cluster").await;
        for n in [index_note, cluster_note].into_iter().flatten() {
            eprintln!("{n}");
        }
        let policy =
            Policy::from_settings(crate::agent::llm::LlmSettings::from_env(args.agent.model.as_deref()));
        let mut agent = Agent::new(toolbox, policy);
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let verbose = tracing::enabled!(tracing::Level::INFO);
        let printer = tokio::spawn(async move {
            while let Some(ev) = rx.recv().await {
                if let Event::ToolStarted { name, args } = &ev
                    && verbose
                {
                    eprintln!("→ {name} {args}");
                }
            }
        });
        let answer = agent.turn(&args.question.join(" "), &tx).await;
        drop(tx);
        let _ = printer.await;
        let mut out = std::io::stdout().lock();
        if args.json {
            serde_json::to_writer_pretty(&mut out, &answer)?;
            writeln!(out)?;
        } else {
            write!(out, "{}", answer.answer)?;
        }
        Ok(ExitCode::SUCCESS)
    })
}
