//! `sleuth ask QUESTION`: one turn of the agent.

use std::io::Write as _;
use std::process::ExitCode;

use crate::agent::{Agent, Event, Policy};
use crate::cli::AskArgs;

/// Runs one turn and prints the answer.
pub fn run(args: &AskArgs) -> anyhow::Result<ExitCode> {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    rt.block_on(async {
        let (toolbox, index_note, cluster_note) = crate::agent::setup::toolbox(
            &args.agent.sources,
            "answering without the cluster",
            crate::connect::Demo::Allowed,
            crate::agent::Mode::Local,
        )
        .await;
        for n in [index_note, cluster_note].into_iter().flatten() {
            eprintln!("{n}");
        }
        // An input the user named explicitly and that cannot be read is bad input, not a detail
        // to answer around: the answer would not be about what they asked.
        if (args.agent.sources.cluster.snapshot.is_some() && toolbox.cluster.is_none())
            || (args.agent.sources.location.index.is_some() && toolbox.searcher.is_none())
        {
            return Ok(ExitCode::from(crate::EXIT_BAD_INPUT));
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
