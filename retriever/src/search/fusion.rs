//! Reciprocal-rank fusion of the two orders search ranks documents in: by their sections,
//! and as whole documents.

use std::collections::{HashMap, HashSet};

/// A document ranked by its sections: its identity and best chunk.
#[derive(Debug, Clone, Copy)]
pub(super) struct Ranked {
    pub(super) key: u64,
    pub(super) addr: tantivy::DocAddress,
    /// Its section evidence (best chunk plus a share of the rest).
    pub(super) score: f32,
}

/// The `limit` best documents (score, identity, best chunk) by weighted reciprocal-rank fusion of the two orders — by
/// sections, and as whole documents — each hit scored with its fused score (first place in
/// both orders scores (1 + [`PAGE_WEIGHT`]) · K/(K + 1), K being [`RRF_K`]). Ranks fuse where raw scores cannot: a
/// chunk's BM25 and a whole page's are on different scales. A document the section order did
/// not reach has no chunk to show, so only section candidates are ranked. A document titled by
/// an identifier the question names (`named`) is lifted above the rest by [`NAMED_BONUS`], and
/// one holding a distinctive name the question gives (`holders`) by [`HOLDER_BONUS`].
pub(super) fn fuse(
    sections: &[Ranked],
    pages: &[(u64, f32)],
    named: &HashSet<u64>,
    holders: &HashSet<u64>,
    limit: usize,
) -> Vec<(f32, u64, tantivy::DocAddress)> {
    let page_rank: HashMap<u64, usize> = pages.iter().enumerate().map(|(i, &(k, _))| (k, i)).collect();
    let mut fused: Vec<(f32, u64, tantivy::DocAddress)> = sections
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let whole = page_rank.get(&r.key).map_or(0.0, |&p| PAGE_WEIGHT * rrf(p));
            let title = if named.contains(&r.key) { NAMED_BONUS } else { 0.0 };
            let holds = if holders.contains(&r.key) { HOLDER_BONUS } else { 0.0 };
            (rrf(i) + whole + title + holds, r.key, r.addr)
        })
        .collect();
    fused.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    fused.truncate(limit);
    fused
}

/// A 0-based rank's reciprocal-rank score: 1 for a first place when the constant is large,
/// falling slowly, so ranks far down count little, but not nothing.
#[expect(clippy::cast_precision_loss, reason = "ranks are small")]
pub(super) fn rrf(rank: usize) -> f32 {
    RRF_K / (RRF_K + rank as f32 + 1.0)
}

/// What the whole-document order weighs against the section order. Chosen (with `RRF_K`)
/// on the first two corpora of the retrieval benchmark; re-tuning both on all 18 corpora gained
/// +0.01 MRR there and nothing on three held-out ones (see BENCHMARKS.md).
const PAGE_WEIGHT: f32 = 0.5;
/// Reciprocal-rank fusion's constant: ranks far down count little, but not nothing.
const RRF_K: f32 = 60.0;
/// What a document titled by an identifier the question names gains in the fused order: more
/// than any other document can score (less than 1 + [`PAGE_WEIGHT`]), so the block titled
/// `google_container_node_pool.pools` comes before the outputs that mention it.
const NAMED_BONUS: f32 = 1.0 + PAGE_WEIGHT;
/// What a document holding a distinctive name the question gives (a flag, a camel-case or
/// dotted identifier, a quoted string) gains: as much, so it comes before every document that
/// does not hold one; one titled by it comes first of all.
const HOLDER_BONUS: f32 = NAMED_BONUS;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_strong_as_a_whole_rises_above_one_strong_section() {
        let pages = |keys: &[u64]| keys.iter().map(|&k| (k, 1.0)).collect::<Vec<_>>();
        let ranked = |key: u64| Ranked { key, addr: tantivy::DocAddress::new(0, key as u32), score: 0.0 };
        // By sections: 1, 2, 3, 4. As whole documents: 2, 3, 4, and 1 not among the first: it
        // falls below every document both orders agree on.
        let none = HashSet::new();
        let fused = fuse(&[ranked(1), ranked(2), ranked(3), ranked(4)], &pages(&[2, 3, 4]), &none, &none, 3);
        let order: Vec<u32> = fused.iter().map(|(_, _, a)| a.doc_id).collect();
        assert_eq!(order, [2, 3, 4]);
        let rrf = |rank: f32| RRF_K / (RRF_K + rank + 1.0);
        assert!((fused[0].0 - (rrf(1.0) + PAGE_WEIGHT * rrf(0.0))).abs() < 1e-6);
        // Agreeing orders keep their order; the section order breaks ties.
        let agree = fuse(&[ranked(7), ranked(8)], &pages(&[7, 8]), &none, &none, 2);
        assert_eq!(agree.iter().map(|(_, _, a)| a.doc_id).collect::<Vec<_>>(), [7, 8]);
        assert!((agree[0].0 - (1.0 + PAGE_WEIGHT) * rrf(0.0)).abs() < 1e-6);
        // A document titled by an identifier the question names comes first.
        let named = fuse(&[ranked(7), ranked(8)], &pages(&[7, 8]), &HashSet::from([8]), &none, 2);
        assert_eq!(named.iter().map(|(_, _, a)| a.doc_id).collect::<Vec<_>>(), [8, 7]);
        // One holding a name the question gives comes next; one titled by it first of all.
        let three = [ranked(7), ranked(8), ranked(9)];
        let held = fuse(&three, &pages(&[7, 8, 9]), &HashSet::from([8]), &HashSet::from([8, 9]), 3);
        assert_eq!(held.iter().map(|(_, _, a)| a.doc_id).collect::<Vec<_>>(), [8, 9, 7]);
    }
}
