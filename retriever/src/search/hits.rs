//! Hits made from the chosen documents: each shown by its best chunk, with a snippet whose
//! matched terms are marked.

use std::collections::HashMap;

use tantivy::query::Query;
use tantivy::schema::Value;
use tantivy::snippet::SnippetGenerator;
use tantivy::{DocAddress, TantivyDocument};

use super::rerank::Features;
use super::{Hit, Searcher};
use crate::error::Error;

const SNIPPET_CHARS: usize = 220;

/// The hits for `chosen` (score, identity, best chunk; in order), each with its features when
/// it was reranked.
pub(super) fn of(
    owner: &Searcher,
    searcher: &tantivy::Searcher,
    query: &dyn Query,
    chosen: &[(f32, u64, DocAddress)],
    features: &HashMap<u64, Features>,
) -> Result<Vec<(Hit, Option<Features>)>, Error> {
    let f = &owner.fields;
    let mut snippets =
        SnippetGenerator::create(searcher, query, f.body).map_err(|e| Error::tantivy(&owner.path, e))?;
    snippets.set_max_num_chars(SNIPPET_CHARS);
    let mut hits = Vec::with_capacity(chosen.len());
    for &(score, key, addr) in chosen {
        let doc: TantivyDocument = searcher.doc(addr).map_err(|e| Error::tantivy(&owner.path, e))?;
        let get = |field| doc.get_first(field).and_then(|v| v.as_str()).unwrap_or_default().to_string();
        let text = get(f.body);
        let fields = get(f.fields);
        let snippet = snippets.snippet_from_doc(&doc);
        let (snippet_text, highlights) = if snippet.fragment().trim().is_empty() {
            // Matched on the title or properties only: show the start of the text.
            (lead(if text.trim().is_empty() { &fields } else { &text }), Vec::new())
        } else {
            (
                snippet.fragment().to_string(),
                merged(snippet.highlighted().iter().map(|r| (r.start, r.end)).collect()),
            )
        };
        let anchor = get(f.anchor);
        let mut location = get(f.location);
        if !anchor.is_empty() && !location.contains('#') {
            location = format!("{location}#{anchor}");
        }
        let breadcrumbs = get(f.breadcrumbs);
        let hit = Hit {
            title: get(f.title),
            kind: get(f.kind),
            location,
            heading: get(f.heading),
            breadcrumbs: if breadcrumbs.is_empty() {
                Vec::new()
            } else {
                breadcrumbs.split(" > ").map(str::to_string).collect()
            },
            snippet: snippet_text,
            highlights,
            score,
            doc_id: get(f.doc_id),
            text,
            scopes: doc.get_all(f.scope).filter_map(|v| v.as_str().map(str::to_string)).collect(),
            fields,
        };
        hits.push((hit, features.get(&key).copied()));
    }
    Ok(hits)
}

/// Highlight ranges in order, overlapping or touching ones made one: a camel-case word
/// matches whole and by its parts (`PodDisruptionBudget`, `Pod`, `Disruption`), and a reader of
/// the ranges wants the word marked once.
pub(super) fn merged(mut ranges: Vec<(usize, usize)>) -> Vec<(usize, usize)> {
    ranges.sort_unstable();
    let mut out: Vec<(usize, usize)> = Vec::with_capacity(ranges.len());
    for (start, end) in ranges {
        match out.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => out.push((start, end)),
        }
    }
    out
}

/// The first words of a text, for hits that matched on the title only.
fn lead(text: &str) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.len() <= SNIPPET_CHARS {
        return flat;
    }
    let mut cut = SNIPPET_CHARS;
    while !flat.is_char_boundary(cut) {
        cut -= 1;
    }
    let cut = flat[..cut].rfind(' ').unwrap_or(cut);
    format!("{}…", &flat[..cut])
}
