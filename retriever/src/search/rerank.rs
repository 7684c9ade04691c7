//! The first pages reranked: what search knows of each of the first [`DEPTH`] candidates —
//! its places and scores in the two lexical orders, how near in meaning its nearest section is
//! to the question ([`crate::meaning`]'s vectors), how much of the question its names say (its
//! title, or the words other pages link to it by: [`crate::links`]), how long it is — weighed
//! by a linear model learnt from the retrieval benchmark's questions.
//! Fusing ranks alone threw the magnitudes away: a page whose nearest section says what the
//! question says in other words ("remove the operator from the cluster", "Uninstalling") and a
//! page a shade nearer than the rest ranked alike.
//!
//! Only prose is reranked, among the places prose holds: configuration has no vector and keeps
//! its places, so Terraform beside a wiki ranks as before, and a block's role (an output asked
//! for, a variable that only names a thing) keeps the weight the lexical order gives it; so do
//! pages that weigh less than a page of their own (copies, included fragments, retired
//! editions, dated posts: see [`Features::demoted`]). A question naming something exactly (a
//! flag, an identifier, a quoted string) that few pages hold, or that titles one, is not
//! reranked at all: the page holding the name is the answer, whatever else it is about.
//!
//! The weights were learnt by `scripts/train-rerank.py` (pairwise logistic regression over the
//! features the benchmark dumps with `SLEUTH_BENCH_DUMP`) and checked by leaving each corpus
//! out in turn: see BENCHMARKS.md (eleventh session).

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use tantivy::collector::DocSetCollector;
use tantivy::query::{BooleanQuery, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, DocSet as _, Term};

use super::fusion::Ranked;
use crate::index::Fields;

/// How many of the first pages are reranked. Chosen on the benchmark: 20, 30 and 40 within
/// 0.004 MRR of each other left-out, 30 the best.
pub(super) const DEPTH: usize = 30;

/// The place a page the whole-document order did not rank takes in it, for its feature.
const UNRANKED: usize = 60;

/// What the reranker reads of a candidate page. Ranks and lengths are as `ln(1 + x)`: the
/// difference between the first and the fifth place matters more than between the 25th and
/// the 30th.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Features {
    /// Whether the page is prose (its sections have vectors), not configuration.
    pub prose: bool,
    /// Whether it weighs less than a page of its own: a copy, a fragment other pages include, a
    /// page only older releases have, a dated post. It keeps its place, as configuration does:
    /// the reranker has not learnt what these are worth, the lexical order has weighed them.
    pub demoted: bool,
    /// Its place in the order by sections.
    pub section_rank: f32,
    /// Its place in the order as whole documents (60 when not among the first 50).
    pub page_rank: f32,
    /// Its section evidence over the first page's.
    pub section_ratio: f32,
    /// Its whole-document score over the first page's (0 when not ranked).
    pub page_ratio: f32,
    /// The cosine of its nearest section to the question (0 for configuration).
    pub cosine: f32,
    /// Its length in words, as a whole.
    pub page_length: f32,
    /// How much of the question its title holds, each word by its rarity among pages.
    pub title_coverage: f32,
    /// How much of its title the question holds: the question's words found in it over its
    /// length.
    pub title_precision: f32,
    /// Its title's length in words.
    pub title_length: f32,
    /// How many sections it has.
    pub sections: f32,
    /// How much of the question the words other pages link to it by hold, each word by its
    /// rarity among pages (see [`crate::links`]).
    pub link_coverage: f32,
}

impl Features {
    fn values(&self) -> [f32; 10] {
        [
            self.section_rank,
            self.page_rank,
            self.section_ratio,
            self.page_ratio,
            self.cosine,
            self.page_length,
            self.names_coverage(),
            self.title_precision,
            self.title_length,
            self.sections,
        ]
    }

    /// How much of the question the page's names hold: its title, or the words other pages
    /// link to it by, whichever holds more. One feature, not two: where links name a page,
    /// they mostly say its title again, and learnt apart the links took the title's weight
    /// from the sites whose links could not be read (see BENCHMARKS.md, twelfth session).
    pub fn names_coverage(&self) -> f32 {
        self.title_coverage.max(self.link_coverage)
    }

    /// The model's score: higher ranks first, among prose pages.
    fn score(&self) -> f32 {
        self.values().iter().zip(&WEIGHTS).map(|(v, w)| v * w).sum()
    }
}

/// The weights, in the order of [`Features::values`]. The nearest section's cosine weighs most
/// (its range among the first pages is narrow: 0.1 of cosine is worth a place or two); then the
/// two lexical orders' scores relative to their first; a title the question holds all of helps,
/// a long page with many sections does not by its length alone.
const WEIGHTS: [f32; 10] = [-0.038, -0.419, 2.530, 1.367, 7.273, 0.005, 4.051, 0.664, -0.735, -0.488];

/// What search ranked the candidates by, for their features.
pub(super) struct Orders<'a> {
    /// Documents by their sections, best first, with their evidence.
    pub(super) sections: &'a [Ranked],
    /// Documents as wholes, best first, with their scores.
    pub(super) pages: &'a [(u64, f32)],
    /// The candidates whose hits weigh less (see [`Features::demoted`]).
    pub(super) demoted: &'a HashSet<u64>,
}

/// Reranks the prose among the first [`DEPTH`] of `ranked` (score, identity, address; best
/// first), each page taking the score of the place it lands in. Returns each candidate's
/// features.
pub(super) fn rerank(
    searcher: &tantivy::Searcher,
    fields: &Fields,
    question: &Question,
    orders: &Orders<'_>,
    ranked: &mut [(f32, u64, DocAddress)],
) -> tantivy::Result<HashMap<u64, Features>> {
    let top = ranked.len().min(DEPTH);
    let seen = survey(searcher, fields, question.vector.as_deref(), ranked[..top].iter().map(|r| r.1))?;
    let titles = question.in_titles(searcher, fields, ranked[..top].iter().map(|r| r.2))?;
    let linked = question.in_links(searcher, fields, &ranked[..top].iter().map(|r| r.1).collect())?;
    let section_places: HashMap<u64, (usize, f32)> =
        orders.sections.iter().enumerate().map(|(i, r)| (r.key, (i, r.score))).collect();
    let page_places: HashMap<u64, (usize, f32)> =
        orders.pages.iter().enumerate().map(|(i, &(k, s))| (k, (i, s))).collect();
    let first_section = orders.sections.first().map_or(1.0, |r| r.score).max(f32::EPSILON);
    let first_page = orders.pages.first().map_or(1.0, |p| p.1).max(f32::EPSILON);
    let mut features = HashMap::with_capacity(top);
    let mut scored = Vec::with_capacity(top);
    for &(_, key, addr) in &ranked[..top] {
        let (section_place, section_score) = section_places.get(&key).copied().unwrap_or((UNRANKED, 0.0));
        let (page_place, page_score) = page_places.get(&key).copied().unwrap_or((UNRANKED, 0.0));
        let page = seen.get(&key).copied().unwrap_or_default();
        let title = titles.get(&addr).copied().unwrap_or_default();
        let f = Features {
            prose: page.cosine.is_some(),
            demoted: orders.demoted.contains(&key),
            section_rank: ln_1p(section_place),
            page_rank: ln_1p(page_place.min(UNRANKED)),
            section_ratio: section_score / first_section,
            page_ratio: page_score / first_page,
            cosine: page.cosine.unwrap_or(0.0),
            page_length: ln_1p(page.length),
            title_coverage: title.coverage,
            title_precision: title.words / title.length.max(1.0),
            title_length: title.length.ln_1p(),
            sections: ln_1p(page.sections),
            link_coverage: linked.get(&key).copied().unwrap_or(0.0),
        };
        features.insert(key, f);
        scored.push(f);
    }
    let moved: Vec<(u64, DocAddress)> =
        order(&scored).into_iter().map(|i| (ranked[i].1, ranked[i].2)).collect();
    for (place, (key, addr)) in ranked.iter_mut().zip(moved) {
        (place.1, place.2) = (key, addr);
    }
    Ok(features)
}

#[expect(clippy::cast_precision_loss, reason = "ranks and lengths are small")]
fn ln_1p(n: usize) -> f32 {
    (n as f32).ln_1p()
}

/// The new arrangement of places: which place's page goes to each place. Prose pages are
/// ordered by their score among the places they hold (a tie keeps the earlier place);
/// configuration and demoted pages keep theirs.
fn order(features: &[Features]) -> Vec<usize> {
    let mut arrangement: Vec<usize> = (0..features.len()).collect();
    let places: Vec<usize> =
        (0..features.len()).filter(|&i| features[i].prose && !features[i].demoted).collect();
    let mut by_score = places.clone();
    by_score.sort_by(|&a, &b| features[b].score().total_cmp(&features[a].score()).then(a.cmp(&b)));
    for (&place, &page) in places.iter().zip(&by_score) {
        arrangement[place] = page;
    }
    arrangement
}

/// The question as the reranker reads it: its vector, and its words in the index's analysis
/// with their rarity among pages.
pub(super) struct Question {
    vector: Option<Vec<f32>>,
    words: Vec<(String, f32)>,
    /// The sum of its words' rarity, that a title or links hold a share of.
    rarity: f32,
}

impl Question {
    /// `meant` is the question's text with the names of the situations it describes (its
    /// vector is read from both), `analysed` its own words as the index analysed its titles;
    /// `pages` is how many documents the index holds.
    pub(super) fn new(
        searcher: &tantivy::Searcher,
        fields: &Fields,
        meant: &str,
        analysed: Vec<String>,
        pages: u64,
    ) -> tantivy::Result<Question> {
        #[expect(clippy::cast_precision_loss, reason = "counts of documents")]
        let n = pages.max(1) as f32;
        let mut words: Vec<(String, f32)> = Vec::with_capacity(analysed.len());
        for word in analysed {
            // A word the question repeats counts once.
            if words.iter().any(|(w, _)| *w == word) {
                continue;
            }
            #[expect(clippy::cast_precision_loss, reason = "counts of documents")]
            let df = searcher.doc_freq(&Term::from_field_text(fields.page, &word))? as f32;
            words.push((word, (1.0 + (n - df + 0.5) / (df + 0.5)).ln()));
        }
        let rarity = words.iter().map(|w| w.1).sum::<f32>().max(f32::EPSILON);
        Ok(Question { vector: crate::meaning::of_text(meant), words, rarity })
    }

    /// What the title of each chunk at `addrs` holds of the question.
    fn in_titles(
        &self,
        searcher: &tantivy::Searcher,
        fields: &Fields,
        addrs: impl Iterator<Item = DocAddress>,
    ) -> tantivy::Result<HashMap<DocAddress, Title>> {
        let mut by_segment: HashMap<u32, Vec<u32>> = HashMap::new();
        for a in addrs {
            by_segment.entry(a.segment_ord).or_default().push(a.doc_id);
        }
        let mut out = HashMap::new();
        for (segment, mut docs) in by_segment {
            docs.sort_unstable();
            docs.dedup();
            let reader = searcher.segment_reader(segment);
            let norms = reader.get_fieldnorms_reader(fields.title)?;
            let titles = reader.inverted_index(fields.title)?;
            let mut found: HashMap<u32, Title> = docs
                .iter()
                .map(|&d| (d, Title { length: norms.fieldnorm(d) as f32, ..Title::default() }))
                .collect();
            for (word, idf) in &self.words {
                let term = Term::from_field_text(fields.title, word);
                let Some(mut postings) = titles.read_postings(&term, IndexRecordOption::Basic)? else {
                    continue;
                };
                for &d in &docs {
                    // Seeking behind the postings' place is not allowed: once past `d`, it is not there.
                    let at = if postings.doc() < d { postings.seek(d) } else { postings.doc() };
                    if at == d {
                        let t = found.get_mut(&d).expect("every doc has an entry");
                        t.coverage += idf / self.rarity;
                        t.words += 1.0;
                    }
                }
            }
            out.extend(found.into_iter().map(|(d, t)| (DocAddress::new(segment, d), t)));
        }
        Ok(out)
    }

    /// What the words other pages link to each of `keys` by hold of the question, each of the
    /// question's words found in any of its links by its share of the question's rarity.
    fn in_links(
        &self,
        searcher: &tantivy::Searcher,
        fields: &Fields,
        keys: &HashSet<u64>,
    ) -> tantivy::Result<HashMap<u64, f32>> {
        // For each of the question's words, the pages some link holds it for, each once however
        // many links do.
        let mut linked: Vec<HashSet<u64>> = vec![HashSet::new(); self.words.len()];
        for reader in searcher.segment_readers() {
            let links = reader.inverted_index(fields.link_text)?;
            let targets = reader.fast_fields().u64("link_to")?;
            for ((word, _), pages) in self.words.iter().zip(&mut linked) {
                let term = Term::from_field_text(fields.link_text, word);
                let Some(mut postings) = links.read_postings(&term, IndexRecordOption::Basic)? else {
                    continue;
                };
                let mut d = postings.doc();
                while d != tantivy::TERMINATED {
                    let alive = reader.alive_bitset().is_none_or(|a| a.is_alive(d));
                    pages.extend(targets.first(d).filter(|to| alive && keys.contains(to)));
                    d = postings.advance();
                }
            }
        }
        let mut coverage: HashMap<u64, f32> = HashMap::new();
        for ((_, idf), pages) in self.words.iter().zip(linked) {
            for key in pages {
                *coverage.entry(key).or_default() += idf / self.rarity;
            }
        }
        Ok(coverage)
    }
}

/// What a chunk's title holds of the question.
#[derive(Debug, Clone, Copy, Default)]
struct Title {
    /// The question's words found in it, each by its share of the question's rarity.
    coverage: f32,
    /// How many of the question's words it holds.
    words: f32,
    /// Its length in words.
    length: f32,
}

/// What the entries of a page say of it.
#[derive(Debug, Clone, Copy, Default)]
struct Page {
    /// Its nearest section's cosine to the question (0 without a question vector); `None`
    /// when no section has a vector (configuration).
    cosine: Option<f32>,
    /// How many sections (chunks) it has.
    sections: usize,
    /// Its length in words, as a whole.
    length: usize,
}

/// Each page's (identity's) entries surveyed: its sections, its nearest in meaning to
/// `question`, and its whole-document entry's length.
fn survey(
    searcher: &tantivy::Searcher,
    fields: &Fields,
    question: Option<&[f32]>,
    keys: impl Iterator<Item = u64>,
) -> tantivy::Result<HashMap<u64, Page>> {
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
    let mut pages: HashMap<u64, Page> = HashMap::new();
    for (segment, docs) in by_segment {
        let reader = searcher.segment_reader(segment);
        let fast = reader.fast_fields();
        let (identity, vectors) = (fast.u64("identity")?, fast.u64("meaning")?);
        let whole = reader.get_fieldnorms_reader(fields.page)?;
        for d in docs {
            let Some(key) = identity.first(d) else { continue };
            let page = pages.entry(key).or_default();
            // Only the whole-document entry has words in `page`.
            let length = whole.fieldnorm(d);
            if length > 0 {
                page.length = length as usize;
                continue;
            }
            page.sections += 1;
            if let Some(v) = crate::meaning::unpacked(vectors.values_for_doc(d)) {
                let c = question.map_or(0.0, |q| crate::meaning::cosine(q, &v));
                page.cosine = Some(page.cosine.map_or(c, |b| b.max(c)));
            }
        }
    }
    Ok(pages)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_docs::index_files;

    fn prose(cosine: f32) -> Features {
        Features {
            prose: true,
            demoted: false,
            section_rank: 0.0,
            page_rank: 0.0,
            section_ratio: 1.0,
            page_ratio: 1.0,
            cosine,
            page_length: 5.0,
            title_coverage: 0.0,
            title_precision: 0.0,
            title_length: 1.0,
            sections: 1.0,
            link_coverage: 0.0,
        }
    }

    #[test]
    fn prose_is_reordered_among_its_own_places_and_configuration_keeps_its_own() {
        // Prose nearer in meaning rises; configuration and a demoted page keep their places.
        let config = Features { prose: false, cosine: 0.0, ..prose(0.0) };
        let copy = Features { demoted: true, ..prose(0.95) };
        let features = [prose(0.2), config, prose(0.9), copy, prose(0.5)];
        assert_eq!(order(&features), [2, 1, 4, 3, 0]);
        // Equal scores keep their order.
        assert_eq!(order(&[prose(0.5), prose(0.5)]), [0, 1]);
        // A page far down in both lexical orders needs more than a shade of meaning to rise.
        let far = Features {
            section_rank: 3.4,
            page_rank: 4.1,
            section_ratio: 0.4,
            page_ratio: 0.0,
            ..prose(0.52)
        };
        assert_eq!(order(&[prose(0.5), far]), [0, 1]);
        // A title the question holds all of lifts a page the lexical orders put second.
        let second =
            Features { section_rank: 0.7, page_rank: 0.7, section_ratio: 0.9, page_ratio: 0.9, ..prose(0.5) };
        let titled = Features { title_precision: 1.0, title_coverage: 0.6, ..second };
        assert_eq!(order(&[prose(0.5), second]), [0, 1]);
        assert_eq!(order(&[prose(0.5), titled]), [1, 0]);
    }

    /// The first five hits for `text` in the index at `dir`, with what the reranker read of each.
    fn explained(dir: &std::path::Path, text: &str) -> Vec<(crate::Hit, Option<Features>)> {
        let s = crate::Searcher::open(dir).unwrap();
        s.search_explained(&crate::SearchQuery { text: text.into(), limit: 5, ..Default::default() }).unwrap()
    }

    #[test]
    fn a_title_is_read_for_how_much_of_the_question_it_holds_and_of_itself_the_question_holds() {
        let index = index_files(&[
            ("quota.md", "# Resource quota\n\nLimit what a namespace may use.\n"),
            ("limits.md", "# Limits and quota for every namespace of a tenant\n\nMore words.\n"),
            ("other.md", "# Scheduling\n\nPods go to nodes; a quota is not involved.\n"),
        ]);
        let explained = explained(index.path(), "namespace quota");
        let title = |file: &str| {
            let (_, f) = explained.iter().find(|(h, _)| h.location.ends_with(file)).unwrap();
            let f = f.unwrap();
            (f.title_coverage, f.title_precision)
        };
        // Its two words hold one of the question's two: half its words, some of the rarity.
        let (coverage, precision) = title("quota.md");
        assert!(coverage > 0.0 && coverage < 1.0 && (precision - 0.5).abs() < 1e-6, "{coverage} {precision}");
        // All of the question, in a longer title.
        let (coverage, precision) = title("limits.md");
        assert!((coverage - 1.0).abs() < 1e-6 && precision < 0.5, "{coverage} {precision}");
        // None of it.
        assert_eq!(title("other.md"), (0.0, 0.0));
    }

    #[test]
    fn a_page_is_read_for_the_words_other_pages_link_to_it_by_until_they_no_longer_do() {
        let index = index_files(&[
            ("ops/draining.md", "# Envoy container draining\n\nThe shutdown manager waits on restart.\n"),
            (
                "guide.md",
                "# Guide\n\nBefore a restart, [let open connections finish](ops/draining.md#how).\n",
            ),
            ("other.md", "# Restarts\n\nRestart the pods [one](gone.md) at a [time](https://example.com).\n"),
        ]);
        // One link between pages; one into the site pointing to no page; the web's not counted.
        assert_eq!((index.summary.links, index.summary.unresolved_links), (1, 1));
        let links = || {
            explained(index.path(), "let connections finish on restart")
                .into_iter()
                .map(|(h, f)| (h.location.rsplit('/').next().unwrap().to_string(), f.unwrap().link_coverage))
                .collect::<HashMap<_, _>>()
        };
        let before = links();
        assert!(before["draining.md"] > 0.5 && before["other.md"] <= 0.0, "{before:?}");
        // The model reads the links where they hold more of the question than the title does.
        let model = Features { link_coverage: before["draining.md"], ..prose(0.5) };
        assert!(model.names_coverage() > model.title_coverage);
        // The guide drops its link: re-indexed, the page is no longer linked to by it.
        std::fs::write(index.docs_path().join("guide.md"), "# Guide\n\nRestart with care.\n").unwrap();
        let again = [index.docs_path().to_path_buf()];
        crate::index(index.path(), &again, &crate::IndexOptions::default(), &crate::NoProgress).unwrap();
        assert!(links().get("draining.md").is_none_or(|&c| c <= 0.0));
    }

    #[test]
    fn pages_are_surveyed_for_their_sections_nearest_meaning_and_length() {
        let index = index_files(&[
            (
                "uninstall.md",
                "# Uninstalling\n\nDelete the Helm release.\n\n## Then\n\nDelete its custom resources.\n",
            ),
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
        let seen =
            survey(&searcher, &s.fields, Some(&question), [uninstall, metrics, bucket].into_iter()).unwrap();
        assert!(seen[&uninstall].cosine > seen[&metrics].cosine, "{seen:?}");
        assert_eq!(seen.get(&bucket).and_then(|p| p.cosine), None, "configuration has no vector");
        assert!(seen[&uninstall].sections > seen[&metrics].sections, "{seen:?}");
        assert!(seen[&uninstall].length > seen[&metrics].length, "{seen:?}");
    }
}
