//! The first prose pages reordered by what they are about: each page's nearest section to the
//! question by [`crate::meaning`]'s vectors is a third ranking, fused with the lexical order
//! by reciprocal rank among the first [`DEPTH`] pages only. Alone the vectors rank far below
//! BM25; beside it they lift a page that answers in other words ("remove the operator from the
//! cluster" for a page titled "Uninstalling") over one that shares a common word.
//!
//! Only prose is reordered: configuration has no vector and keeps its places, so Terraform
//! beside a wiki ranks as before. A question naming something exactly (a flag, an identifier,
//! a quoted string) that few pages hold, or that titles one, is not reordered at all: the page
//! holding the name is the answer, whatever else it is about. A name no page holds, or many
//! do, tells pages apart no more than any word, and the question is reordered as any other.

use std::collections::HashMap;

use tantivy::collector::DocSetCollector;
use tantivy::query::{BooleanQuery, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, Term};

use super::fusion::rrf;
use crate::index::Fields;

/// How many of the first pages are reordered. Chosen on the retrieval benchmark's
/// documentation corpora (10, 20 and 30 within 0.005 MRR of each other; see BENCHMARKS.md).
pub(super) const DEPTH: usize = 20;

/// What the order by meaning weighs against the lexical order. Chosen with [`DEPTH`]: at ½
/// and at ¼ documentation MRR gains alike; at 1 it loses on the larger sites.
const WEIGHT: f32 = 0.5;

/// Reorders the prose pages among the first [`DEPTH`] of `ranked` (score, identity, address;
/// best first) by the fused order, each taking the score of the place it lands in.
pub(super) fn reorder(
    searcher: &tantivy::Searcher,
    fields: &Fields,
    question: &[f32],
    ranked: &mut [(f32, u64, DocAddress)],
) -> tantivy::Result<()> {
    let top = ranked.len().min(DEPTH);
    let nearest = nearest(searcher, fields, question, ranked[..top].iter().map(|r| r.1))?;
    let cosines: Vec<Option<f32>> = ranked[..top].iter().map(|r| nearest.get(&r.1).copied()).collect();
    let moved: Vec<(u64, DocAddress)> =
        order(&cosines).into_iter().map(|i| (ranked[i].1, ranked[i].2)).collect();
    for (place, (key, addr)) in ranked.iter_mut().zip(moved) {
        (place.1, place.2) = (key, addr);
    }
    Ok(())
}

/// The new arrangement of places given each place's cosine (`None`: configuration, which keeps
/// its place): which place's page goes to each place. Prose pages are ordered by the fused
/// reciprocal ranks of their lexical order and their order by cosine.
fn order(cosines: &[Option<f32>]) -> Vec<usize> {
    let prose: Vec<(usize, f32)> = cosines.iter().enumerate().filter_map(|(i, c)| Some((i, (*c)?))).collect();
    let mut by_cosine: Vec<usize> = (0..prose.len()).collect();
    by_cosine.sort_by(|&a, &b| prose[b].1.total_cmp(&prose[a].1).then(a.cmp(&b)));
    let mut fused: Vec<(f32, usize)> = (0..prose.len()).map(|i| (rrf(i), i)).collect();
    for (rank, &i) in by_cosine.iter().enumerate() {
        fused[i].0 += WEIGHT * rrf(rank);
    }
    fused.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut arrangement: Vec<usize> = (0..cosines.len()).collect();
    for (&(place, _), &(_, i)) in prose.iter().zip(&fused) {
        arrangement[place] = prose[i].0;
    }
    arrangement
}

/// Each page's (identity's) best cosine over its chunks that have a vector; pages without one
/// are absent.
fn nearest(
    searcher: &tantivy::Searcher,
    fields: &Fields,
    question: &[f32],
    keys: impl Iterator<Item = u64>,
) -> tantivy::Result<HashMap<u64, f32>> {
    let any: Vec<Box<dyn Query>> = keys
        .map(|k| {
            Box::new(TermQuery::new(Term::from_field_u64(fields.identity, k), IndexRecordOption::Basic))
                as Box<dyn Query>
        })
        .collect();
    let mut by_segment: HashMap<u32, Vec<u32>> = HashMap::new();
    for addr in searcher.search(&BooleanQuery::union(any), &DocSetCollector)? {
        by_segment.entry(addr.segment_ord).or_default().push(addr.doc_id);
    }
    let mut best: HashMap<u64, f32> = HashMap::new();
    for (segment, docs) in by_segment {
        let fast = searcher.segment_reader(segment).fast_fields();
        let (identity, vectors) = (fast.u64("identity")?, fast.u64("meaning")?);
        for d in docs {
            let (Some(key), Some(v)) =
                (identity.first(d), crate::meaning::unpacked(vectors.values_for_doc(d)))
            else {
                continue;
            };
            let c = crate::meaning::cosine(question, &v);
            best.entry(key).and_modify(|b| *b = b.max(c)).or_insert(c);
        }
    }
    Ok(best)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_docs::index_files;

    #[test]
    fn a_page_far_down_that_is_nearest_in_meaning_rises_and_configuration_keeps_its_place() {
        // Ten places: the last is the nearest in meaning, the four before it the farthest, the
        // third is configuration. The last rises above the far ones (not above the pages both
        // orders rank well: a page far down gains by meaning, it does not leap to the top).
        let cosines = [
            Some(0.5),
            Some(0.6),
            None,
            Some(0.4),
            Some(0.45),
            Some(0.05),
            Some(0.05),
            Some(0.05),
            Some(0.05),
            Some(0.9),
        ];
        let arrangement = order(&cosines);
        assert_eq!(arrangement[2], 2, "configuration keeps its place");
        assert_eq!(arrangement.iter().position(|&p| p == 9), Some(6), "{arrangement:?}");
        assert_eq!(&arrangement[..2], [0, 1]);
        let mut sorted = arrangement.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..10).collect::<Vec<_>>(), "a permutation");
        // Orders that agree change nothing, and neither does a lone prose page.
        assert_eq!(order(&[Some(0.9), Some(0.5), Some(0.1)]), [0, 1, 2]);
        assert_eq!(order(&[None, Some(0.2), None]), [0, 1, 2]);
        // Two adjacent pages are not swapped on meaning alone: the lexical order breaks a tie.
        assert_eq!(order(&[Some(0.2), Some(0.9)]), [0, 1]);
    }

    #[test]
    fn prose_chunks_carry_a_vector_and_configuration_none() {
        let index = index_files(&[
            ("uninstall.md", "# Uninstalling\n\nDelete the Helm release, then its custom resources.\n"),
            ("metrics.md", "# Metrics\n\nPrometheus scrapes the exporter every thirty seconds.\n"),
            ("main.tf", "resource \"aws_s3_bucket\" \"logs\" {\n  bucket = \"logs\"\n}\n"),
        ]);
        let s = crate::Searcher::open(index.path()).unwrap();
        let searcher = s.reader.searcher();
        let keys = |q: &str| {
            let hits =
                s.search(&crate::SearchQuery { text: q.into(), limit: 5, ..Default::default() }).unwrap();
            assert_eq!(hits.len(), 1, "{q}");
            crate::index::identity_key(None, &hits[0].doc_id)
        };
        let (uninstall, metrics, bucket) = (keys("helm release"), keys("prometheus"), keys("aws_s3_bucket"));
        let question = crate::meaning::of_text("remove the operator from the cluster").unwrap();
        let near =
            nearest(&searcher, &s.fields, &question, [uninstall, metrics, bucket].into_iter()).unwrap();
        assert!(near[&uninstall] > near[&metrics], "{near:?}");
        assert!(!near.contains_key(&bucket), "configuration has no vector");
    }
}
