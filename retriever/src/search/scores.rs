//! Scores as tantivy gives them, made fit to rank by: BM25 statistics of one population of
//! the index's entries, and hits settled so that two indexes of the same files rank alike.

use tantivy::Term;

/// The first `limit` hits, their scores rounded, so that two indexes of the same files answer
/// alike. Of entries scoring exactly the same (one page kept in ten releases), the collector
/// keeps those that indexing threads happened to write first: when the limit cut such a tie,
/// the tied entries are left out (every entry scoring above them is always there). And tantivy
/// adds a hit's term scores in an order that depends on where other entries were written, so
/// the same page scored a last bit apart on two indexes (7.815599 and 7.8155994) and swapped
/// places with its near-copy: rounded, they tie, and ties are ordered by identity.
pub(super) fn settled(
    mut top: Vec<(f32, tantivy::DocAddress)>,
    limit: usize,
) -> Vec<(f32, tantivy::DocAddress)> {
    if top.len() == limit
        && let Some(&(last, _)) = top.last()
    {
        let above = top.iter().take_while(|(score, _)| *score > last).count();
        // All tied: keep them rather than nothing.
        if above > 0 {
            top.truncate(above);
        }
    }
    for (score, _) in &mut top {
        *score = rounded(*score);
    }
    top
}

/// A score to 15 significant bits (about 4.5 digits): last-bit differences fall together, and
/// the order of scores is kept (ties aside).
fn rounded(score: f32) -> f32 {
    f32::from_bits(score.to_bits() & !0xff)
}

/// BM25 statistics of one population of the index's entries (chunks, or whole documents):
/// term and token counts come from the index (only entries with the field have its tokens),
/// the number of entries from the manifest.
pub(super) struct Population<'a> {
    pub(super) searcher: &'a tantivy::Searcher,
    pub(super) docs: u64,
    /// The configuration's lengths (and whether the population is of whole documents), when
    /// its entries are ordered against their own average (see [`super::lengths`]).
    pub(super) lengths: Option<(&'a super::lengths::Totals, bool)>,
    /// The fields a word's rarity is counted across (see [`doc_freq`](Self::doc_freq)).
    pub(super) prose: [tantivy::schema::Field; 4],
    /// Each word's rarity once counted: a word is one clause per field of the query, and one
    /// ranking runs a query up to three times (see `lengths::top`).
    pub(super) rarity: &'a Rarity,
}

/// Words' document frequencies across the prose fields, counted once per ranking.
pub(super) type Rarity = std::cell::RefCell<std::collections::HashMap<String, u64>>;

impl tantivy::query::Bm25StatisticsProvider for Population<'_> {
    fn total_num_tokens(&self, field: tantivy::schema::Field) -> tantivy::Result<u64> {
        // BM25's average length is these tokens over `docs` entries.
        match self.lengths {
            Some((totals, whole)) => {
                Ok((totals.average(field, whole) * self.docs.max(1) as f64).round() as u64)
            }
            None => self.searcher.total_num_tokens(field),
        }
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        Ok(self.docs.max(1))
    }

    /// A word's rarity is the word's, not its field's: counted in the field where the most
    /// entries hold it, as Elasticsearch's cross-field queries blend it. Counted per field, a
    /// common word that few headings happen to hold ("error") weighed as much in a heading as
    /// a name the question gives that one section holds (`CommitManifestDetails`), and, added
    /// up over title, heading and body, outranked it.
    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        let most = match term.value().as_str().filter(|_| self.prose.contains(&term.field())) {
            Some(word) => {
                if let Some(&counted) = self.rarity.borrow().get(word) {
                    counted
                } else {
                    let mut most = 0;
                    for field in self.prose {
                        most = most.max(self.searcher.doc_freq(&Term::from_field_text(field, word))?);
                    }
                    self.rarity.borrow_mut().insert(word.to_string(), most);
                    most
                }
            }
            None => self.searcher.doc_freq(term)?,
        };
        // A field both populations carry (`kind:terraform` typed as query syntax) counts entries
        // of both; more documents holding a term than there are documents would break BM25.
        Ok(most.min(self.docs.max(1)))
    }
}

#[cfg(test)]
mod tests {
    use tantivy::DocAddress;

    use super::*;

    fn hits(scores: &[f32]) -> Vec<(f32, DocAddress)> {
        scores.iter().enumerate().map(|(i, s)| (*s, DocAddress::new(0, i as u32))).collect()
    }

    #[test]
    fn a_name_one_section_holds_outranks_a_common_word_in_headings() {
        // "error" is in many bodies but few headings: counted per field, it was rare as a
        // heading word, and the short section headed by it outranked the one naming the struct.
        let mut files: Vec<(String, String)> = (0..8)
            .map(|i| (format!("topic{i}.md"), format!("# Topic {i}\n\nThis step may end in an error.\n")))
            .collect();
        files.push(("errors.md".into(), "# Errors\n\n## Error codes\n\nAn error code.\n".into()));
        files.push((
            "design.md".into(),
            "# Design\n\n## Commit metadata\n\nThe CommitManifestDetails struct holds the hydrated \
             commit's author, message and date, written to the repository beside the manifests it \
             describes, so that a reader of the branch knows where each came from.\n"
                .into(),
        ));
        let files: Vec<(&str, &str)> = files.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let index = crate::test_docs::index_files(&files);
        let s = crate::Searcher::open(index.path()).unwrap();
        let hits = s
            .search(&crate::SearchQuery {
                text: "CommitManifestDetails error".into(),
                limit: 3,
                ..Default::default()
            })
            .unwrap();
        assert_eq!(hits[0].title, "Design", "{:?}", hits.iter().map(|h| &h.title).collect::<Vec<_>>());
    }

    #[test]
    fn a_tie_the_limit_cut_is_left_out_and_last_bits_fall_together() {
        // Full: the entries tied with the last may be any of their tie, so none is kept.
        let top = settled(hits(&[9.0, 8.0, 7.0, 7.0]), 4);
        assert_eq!(top.iter().map(|h| h.0).collect::<Vec<_>>(), [9.0, 8.0]);
        // Not full: nothing was cut.
        assert_eq!(settled(hits(&[9.0, 7.0, 7.0]), 4).len(), 3);
        // All tied: all kept rather than nothing.
        assert_eq!(settled(hits(&[7.0, 7.0]), 2).len(), 2);
        // The same page scored a last bit apart on two indexes.
        let (a, b) = (7.815_599_f32, f32::from_bits(7.815_599_f32.to_bits() + 1));
        assert_ne!(a.to_bits(), b.to_bits());
        assert_eq!(rounded(a).to_bits(), rounded(b).to_bits());
        assert!(rounded(9.0) > rounded(8.999));
    }
}
