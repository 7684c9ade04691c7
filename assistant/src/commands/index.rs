//! `sleuth index PATH…`

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use retriever::{IndexOptions, Summary, source::human_bytes};

use crate::cli::IndexArgs;
use crate::output::{Bar, display_location};
use crate::{EXIT_BAD_INPUT, config};

/// Indexes the paths and prints a summary. Exit code 0 when anything is in the index
/// afterwards from these inputs (indexed or unchanged), 2 when nothing could be indexed.
pub fn run(args: &IndexArgs, verbose: bool) -> anyhow::Result<ExitCode> {
    let (dir, _) = config::index_dir(args.location.index.as_deref());
    let opts = IndexOptions {
        kind: args.kind,
        max_file_size: args.max_file_size.saturating_mul(1 << 20),
        rebuild: args.rebuild,
        ..IndexOptions::default()
    };
    let bar = Bar::new(args.quiet || args.json);
    let summary = match retriever::index(&dir, &args.paths, &opts, &bar) {
        Ok(s) => s,
        Err(
            e @ (retriever::Error::IncompatibleSchema { .. }
            | retriever::Error::NotAnIndex(_)
            | retriever::Error::CorruptManifest { .. }),
        ) => {
            eprintln!("sleuth: {e}");
            return Ok(ExitCode::from(EXIT_BAD_INPUT));
        }
        Err(e) => return Err(e).with_context(|| format!("indexing into {}", dir.display())),
    };
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &summary)?;
        writeln!(out)?;
    } else {
        print_summary(&mut out, &summary, &dir, verbose)?;
    }
    let usable = summary.indexed_units + summary.unchanged_units > 0;
    Ok(if usable || summary.skipped.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(EXIT_BAD_INPUT) })
}

fn print_summary(
    out: &mut impl Write,
    s: &Summary,
    dir: &std::path::Path,
    verbose: bool,
) -> std::io::Result<()> {
    let secs = s.elapsed.as_secs_f64();
    let kinds: Vec<String> = s.by_kind.iter().map(|(k, n)| format!("{n} {k}")).collect();
    let kinds = if kinds.is_empty() { String::new() } else { format!(" ({})", kinds.join(", ")) };
    writeln!(
        out,
        "Indexed {} documents in {} chunks{kinds} from {} files, {} in {secs:.2}s",
        s.documents,
        s.chunks,
        s.indexed_units,
        human_bytes(s.bytes)
    )?;
    let count = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
    // What the index made of the site's structure, each said only when it applies.
    let notes = [
        (s.pages_with_includes > 0).then(|| {
            format!(
                "Includes: {} read with the {} they include",
                count(s.pages_with_includes, "page"),
                count(s.included_fragments, "shared fragment")
            )
        }),
        (s.links > 0).then(|| {
            format!(
                "Links: {} between pages read, the words of each a name of the page it points to ({} more point to no indexed page)",
                s.links, s.unresolved_links
            )
        }),
        (s.included_topics > 0).then(|| {
            format!(
                "Topics: {} included by title into guides that list them, each searched as itself",
                count(s.included_topics, "titled page")
            )
        }),
        (s.other_editions + s.retired_pages > 0).then(|| {
            format!(
                "Editions: {} pages are older releases' or API versions' editions or translations of another (search shows the newest English one), {} only older releases have (ranked lower)",
                s.other_editions, s.retired_pages
            )
        }),
        (s.dated_posts > 0).then(|| {
            format!(
                "Posts: {} of a blog or news folder, ranked below the documentation beside them",
                count(s.dated_posts, "dated post")
            )
        }),
        (s.archived_pages > 0).then(|| {
            format!(
                "Archived: {} in a legacy, archive or deprecated folder, ranked below the documentation beside them",
                count(s.archived_pages, "page")
            )
        }),
    ];
    for note in notes.into_iter().flatten() {
        writeln!(out, "{note}")?;
    }
    if s.unchanged_units > 0 || s.removed_units > 0 {
        writeln!(
            out,
            "Unchanged: {} files skipped by content hash; removed: {}",
            s.unchanged_units, s.removed_units
        )?;
    }
    if s.ignored > 0 {
        let hint = if verbose { ":" } else { " (-v lists them)" };
        writeln!(
            out,
            "Ignored {} files that are not documents (images, attachments, styles…){hint}",
            s.ignored
        )?;
        if verbose {
            for f in &s.ignored_files {
                writeln!(out, "  {}", display_location(f))?;
            }
        }
    }
    writeln!(
        out,
        "Index: {} ({} documents, {} chunks in total)",
        dir.display(),
        s.total_documents,
        s.total_chunks
    )?;
    if !s.skipped.is_empty() {
        writeln!(out, "Skipped {} files:", s.skipped.len())?;
        for e in &s.skipped {
            let mut e = e.clone();
            e.path = display_location(&e.path);
            writeln!(out, "  {e}")?;
        }
    }
    Ok(())
}
