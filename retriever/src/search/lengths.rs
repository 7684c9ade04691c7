//! A configuration's lengths compared among themselves. BM25 weighs a match by how long its
//! entry is against the average entry. A team's workspace holds Terraform beside its wiki:
//! there the average is the wiki's, every ten-line block counts as very short and a module's
//! README as ordinary, and the README outranked the blocks it describes as it never does in an
//! index of the module alone (terraform-aws-vpc indexed with the Kubernetes docs: MRR 0.90 alone,
//! 0.55 together). So in an index holding both, the configuration's side — its blocks, and the
//! pages in and above a module's folders: its README, its guides — is ordered against its own
//! average lengths, and takes, in that order, the scores BM25 over the whole index gives the
//! side: which side's entries come first is the index's to say, as before, and the order within
//! the configuration its own. The rest keeps the index's order: ordered against its own lengths
//! too, the documentation sites lost as much as the modules gained (see BENCHMARKS.md). The
//! rarity of words (IDF) is always the whole index's. An index of one side ranks as it always
//! did.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, ConstScoreQuery, EnableScoring, Occur, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocAddress, DocSet, TERMINATED, Term};

use super::scores::{Population, Rarity, settled};
use crate::index::{Fields, Manifest};
use crate::model::Kind;

/// Entries and tokens per field of the configuration's side, for its average lengths.
#[derive(Debug, Default)]
pub(super) struct Totals {
    /// Its chunks.
    chunks: u64,
    /// Its whole-document entries.
    wholes: u64,
    /// Tokens per field, over its entries.
    tokens: HashMap<Field, u64>,
}

impl Totals {
    /// The average length of `field` over the side's chunks, or its whole documents (the
    /// `page` field is only theirs).
    pub(super) fn average(&self, field: Field, whole: bool) -> f64 {
        let entries = if whole { self.wholes } else { self.chunks };
        self.tokens.get(&field).copied().unwrap_or(0) as f64 / entries.max(1) as f64
    }
}

/// The configuration's side of an index: a query matching its entries, and their lengths.
pub(super) struct Sides {
    configuration: Box<dyn Query>,
    config: Totals,
}

/// Units that are not Terraform but document it: in a folder holding Terraform files, below
/// one (a module's `docs/`) or above one (the README over `modules/`).
fn documenting_configuration(manifest: &Manifest) -> Vec<&str> {
    let folders: HashSet<&Path> = manifest
        .units
        .iter()
        .filter(|(_, u)| u.kind == Kind::Terraform)
        .filter_map(|(id, _)| Path::new(id.as_str()).parent())
        .collect();
    let above: HashSet<&Path> = folders.iter().flat_map(|d| d.ancestors()).collect();
    manifest
        .units
        .iter()
        .filter(|(id, u)| {
            u.kind != Kind::Terraform
                && Path::new(id.as_str())
                    .parent()
                    .is_some_and(|d| above.contains(d) || d.ancestors().any(|a| folders.contains(a)))
        })
        .map(|(id, _)| id.as_str())
        .collect()
}

/// The configuration's side and its lengths, when the index holds it beside other documents.
/// The lengths are counted from its entries' field norms (tantivy's lengths: exact below 40
/// tokens, within a few percent above).
pub(super) fn of_index(
    searcher: &tantivy::Searcher,
    f: &Fields,
    manifest: &Manifest,
    chunks: u64,
) -> tantivy::Result<Option<Sides>> {
    if !manifest.units.values().any(|u| u.kind == Kind::Terraform) {
        return Ok(None);
    }
    let term = |field, text: &str| -> Box<dyn Query> {
        Box::new(TermQuery::new(Term::from_field_text(field, text), IndexRecordOption::Basic))
    };
    let mut any = vec![(Occur::Should, term(f.kind, Kind::Terraform.as_str()))];
    any.extend(
        documenting_configuration(manifest).into_iter().map(|unit| (Occur::Should, term(f.unit, unit))),
    );
    let configuration: Box<dyn Query> = Box::new(BooleanQuery::new(any));
    // The whole-document entry's text is in `page` alone: a norm there says which entry it is.
    let counted = [f.page, f.title, f.heading, f.breadcrumbs, f.fields, f.body];
    let mut config = Totals::default();
    let weight = configuration.weight(EnableScoring::disabled_from_searcher(searcher))?;
    for segment in searcher.segment_readers() {
        let mut docs = weight.scorer(segment, 1.0)?;
        let norms = counted
            .iter()
            .map(|&field| segment.get_fieldnorms_reader(field).map(|r| (field, r)))
            .collect::<tantivy::Result<Vec<_>>>()?;
        let page = &norms[0].1;
        let mut doc = docs.doc();
        while doc != TERMINATED {
            if segment.alive_bitset().is_none_or(|alive| alive.is_alive(doc)) {
                if page.fieldnorm(doc) > 0 {
                    config.wholes += 1;
                } else {
                    config.chunks += 1;
                }
                for (field, norms) in &norms {
                    *config.tokens.entry(*field).or_default() += u64::from(norms.fieldnorm(doc));
                }
            }
            doc = docs.advance();
        }
    }
    if config.chunks == 0 || config.chunks >= chunks {
        return Ok(None);
    }
    Ok(Some(Sides { configuration, config }))
}

/// Which of the index's two populations of entries a search ranks: chunks, or whole
/// documents (see [`Population`]).
#[derive(Debug, Clone, Copy)]
pub(super) struct Entries {
    /// How many there are.
    pub(super) docs: u64,
    /// Whole documents.
    pub(super) whole: bool,
    /// The fields a word's rarity is counted across (see [`Population`]).
    pub(super) prose: [tantivy::schema::Field; 4],
}

/// The first `n` entries for `query` among `entries`, scored as settled by [`settled`], and
/// whether there were no more. With a configuration beside other documents, the first `n` of
/// each side, the configuration's in its own order (see the module's documentation), best
/// first.
pub(super) fn top(
    searcher: &tantivy::Searcher,
    query: &dyn Query,
    n: usize,
    Entries { docs, whole, prose }: Entries,
    sides: Option<&Sides>,
) -> tantivy::Result<(Vec<(f32, DocAddress)>, bool)> {
    let collector = TopDocs::with_limit(n).order_by_score();
    let rarity = Rarity::default();
    let index_wide = Population { searcher, docs, lengths: None, prose, rarity: &rarity };
    let Some(sides) = sides else {
        let top = searcher.search_with_statistics_provider(query, &collector, &index_wide)?;
        let exhausted = top.len() < n;
        return Ok((settled(top, n), exhausted));
    };
    let on_side = |occur| {
        let side: Box<dyn Query> = Box::new(ConstScoreQuery::new(sides.configuration.box_clone(), 0.0));
        BooleanQuery::new(vec![(Occur::Must, query.box_clone()), (occur, side)])
    };
    let configuration = on_side(Occur::Must);
    let own = Population { searcher, docs, lengths: Some((&sides.config, whole)), prose, rarity: &rarity };
    let ordered = searcher.search_with_statistics_provider(&configuration, &collector, &own)?;
    let scored = searcher.search_with_statistics_provider(&configuration, &collector, &index_wide)?;
    let rest = searcher.search_with_statistics_provider(&on_side(Occur::MustNot), &collector, &index_wide)?;
    let exhausted = ordered.len() < n && rest.len() < n;
    // The configuration's i-th entry in its own order takes the i-th best score the whole
    // index's statistics give the side: the order within it is its own, how it interleaves
    // with the rest exactly the index's.
    let mut merged = in_own_order(&settled(scored, n), &settled(ordered, n));
    merged.extend(settled(rest, n));
    merged.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    Ok((merged, exhausted))
}

/// The `ordered` entries, each with the score `scored` has at its place. Entries `ordered`
/// ties (identical blocks in several submodules) all take the best of their places' scores:
/// tantivy orders a tie by where indexing threads wrote the entries, so one identical file
/// took a higher score than its twins on one index and a lower one on the next.
fn in_own_order(scored: &[(f32, DocAddress)], ordered: &[(f32, DocAddress)]) -> Vec<(f32, DocAddress)> {
    let places = scored.len().min(ordered.len());
    let mut out = Vec::with_capacity(places);
    let mut start = 0;
    while start < places {
        // Settled scores are rounded: a tie is the same bits.
        let first = ordered[start].0.to_bits();
        let tie = ordered[start..places].iter().take_while(|(own, _)| own.to_bits() == first).count();
        let best = scored[start..start + tie].iter().map(|(score, _)| *score).fold(f32::MIN, f32::max);
        out.extend(ordered[start..start + tie].iter().map(|&(_, addr)| (best, addr)));
        start += tie;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Searcher;

    #[test]
    fn entries_tied_in_their_own_order_take_one_score() {
        let at = |doc: u32| DocAddress::new(0, doc);
        let scored = [(9.0, at(7)), (8.0, at(8)), (7.5, at(9)), (3.0, at(6))];
        let ordered = [(5.0, at(1)), (4.0, at(2)), (4.0, at(3)), (1.0, at(4))];
        let taken: Vec<f32> = in_own_order(&scored, &ordered).iter().map(|h| h.0).collect();
        assert_eq!(taken, [9.0, 8.0, 8.0, 3.0]);
        // Fewer places on one side: as many entries as both have.
        assert_eq!(in_own_order(&scored[..2], &ordered).len(), 2);
    }
    use crate::index::UnitRecord;

    #[test]
    fn beside_a_wiki_a_block_is_as_short_as_blocks_are_not_as_the_wiki_is() {
        // A short block naming the NAT gateway once; its module's README, a long section that
        // names it four times; a wiki of long pages that never do.
        let main = "resource \"aws_nat_gateway\" \"this\" {\n  count = 1\n}\n";
        let filler: Vec<String> = (0..190).map(|i| format!("word{i}")).collect();
        let readme = format!("# VPC module\n\nnat nat nat nat {}\n", filler.join(" "));
        let runbook: Vec<String> = (0..400).map(|i| format!("step{i}")).collect();
        let mut files =
            vec![("vpc/main.tf".to_string(), main.to_string()), ("vpc/README.md".to_string(), readme)];
        files.extend(
            (0..20).map(|i| {
                (format!("wiki/runbook-{i}.md"), format!("# Runbook {i}\n\n{}\n", runbook.join(" ")))
            }),
        );
        let files: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
        let index = crate::test_docs::index_files(&files);
        let s = Searcher::open(index.path()).unwrap();
        let searcher = s.reader.searcher();
        let nat = TermQuery::new(Term::from_field_text(s.fields.body, "nat"), IndexRecordOption::WithFreqs);
        let first = |sides: Option<&Sides>| {
            let (top, _) = top(
                &searcher,
                &nat,
                5,
                Entries { docs: s.chunks, whole: false, prose: s.fields.prose() },
                sides,
            )
            .unwrap();
            let doc: tantivy::TantivyDocument = searcher.doc(top[0].1).unwrap();
            doc.get_first(s.fields.title)
                .and_then(|v| tantivy::schema::Value::as_str(&v))
                .unwrap()
                .to_string()
        };
        assert!(s.sides.is_some());
        assert_eq!(first(s.sides.as_ref()), "vpc: aws_nat_gateway.this");
        // Against the wiki's average length the README counted as short, and its four mentions won.
        assert_eq!(first(None), "VPC module");
    }

    #[test]
    fn a_modules_readme_and_guides_are_on_its_side_other_pages_are_not() {
        let unit = |kind| UnitRecord::one(kind, 0);
        let mut manifest = Manifest::default();
        for (id, kind) in [
            ("/w/vpc/main.tf", Kind::Terraform),
            ("/w/vpc/README.md", Kind::Markdown),
            ("/w/vpc/docs/faq.md", Kind::Markdown),
            ("/w/iam/modules/role/main.tf", Kind::Terraform),
            ("/w/iam/README.md", Kind::Markdown),
            ("/w/wiki/runbooks/dns.md", Kind::Markdown),
            ("/w/wiki/README.md", Kind::Markdown),
        ] {
            manifest.units.insert(id.to_string(), unit(kind));
        }
        let mut side = documenting_configuration(&manifest);
        side.sort_unstable();
        assert_eq!(side, ["/w/iam/README.md", "/w/vpc/README.md", "/w/vpc/docs/faq.md"]);
    }
}
