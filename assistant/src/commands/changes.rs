//! `sleuth changes`: the change timeline of a cluster or snapshot.

use std::process::ExitCode;

use cluster::source::NoProgress;

use crate::cli::ChangesArgs;
use crate::connect::{open, runtime};

/// `sleuth changes`.
pub fn changes(args: &ChangesArgs) -> anyhow::Result<ExitCode> {
    runtime()?.block_on(async {
        let (src, scope, note) = open(&args.scope).await?;
        if let Some(n) = note.filter(|_| !args.quiet) {
            eprintln!("{n}");
        }
        let mut timeline = analyzers::changes::read(&src, &scope, args.since, &NoProgress).await?;
        if args.json {
            if !args.all {
                timeline.changes.retain(|c| !c.bookkeeping);
            }
            println!("{}", serde_json::to_string_pretty(&timeline)?);
        } else {
            print!("{}", timeline.render(args.all));
        }
        Ok(ExitCode::SUCCESS)
    })
}
