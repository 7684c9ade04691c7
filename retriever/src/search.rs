//! Searching: BM25 over title, headings, breadcrumbs, properties and body (the title weighs
//! most, then headings and properties, then breadcrumbs, then body), filtered by kind and
//! scope, one hit per document, with a snippet whose matched terms are marked.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tantivy::query::{BooleanQuery, ConstScoreQuery, Occur, Query, QueryParser, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{Index, IndexReader, ReloadPolicy, Term};

use crate::error::Error;
use crate::index::{self, Fields, Manifest};
use crate::model::Kind;
use columns::Columns;
use evidence::Evidence;
use fusion::{Ranked, fuse};
use lengths::Entries;
use query_text::{asks, camel_case_whole, expanded, title_identifiers};
pub use rerank::Features;
use shape::{only_excludes, without_excluded_phrases};

mod columns;
mod concepts;
mod evidence;
mod fusion;
mod hits;
mod lengths;
mod names;
mod query_text;
mod rerank;
mod scores;
mod shape;
mod syntax;

/// What to look for.
#[derive(Debug, Clone, Default)]
pub struct SearchQuery {
    /// Free text (a question, keywords, or tantivy query syntax).
    pub text: String,
    /// Only this kind.
    pub kind: Option<Kind>,
    /// Only documents in any of these scopes (`space:ops`, `database:service catalog`,
    /// `module:module.eks`); see [`scope`].
    pub scopes: Vec<String>,
    /// Number of hits.
    pub limit: usize,
}

/// Normalises a scope filter: `scope("module", "eks")` is `module:module.eks`.
pub fn scope(facet: &str, value: &str) -> String {
    let value = value.trim().to_lowercase();
    let value = if facet == "module" && value != "root" && !value.starts_with("module.") {
        format!("module.{value}")
    } else {
        value
    };
    format!("{facet}:{value}")
}

/// One search result: the best-matching chunk of a document.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Hit {
    /// Document title.
    pub title: String,
    /// Document kind.
    pub kind: String,
    /// File (and `#anchor` of the section, when known).
    pub location: String,
    /// Heading path of the chunk, joined with ` > `.
    pub heading: String,
    /// Ancestors of the document.
    pub breadcrumbs: Vec<String>,
    /// A short passage around the matched terms.
    pub snippet: String,
    /// Byte ranges of matched terms within `snippet`.
    pub highlights: Vec<(usize, usize)>,
    /// Relevance, higher is better: the document's ranks by its sections and as a whole,
    /// fused (first in both is 1.5; a document titled by, or holding, a name the question gives
    /// scores 1.5 more); a prose page the reranker moved (see [`Features`]) has the score of
    /// the place it took.
    pub score: f32,
    /// Document id.
    pub doc_id: String,
    /// The chunk's whole text (what an LLM would be given).
    pub text: String,
    /// Scopes of the document.
    pub scopes: Vec<String>,
    /// Document properties as `name: value` lines.
    pub fields: String,
}

/// A handle on an index, opened once and reused for many queries.
pub struct Searcher {
    index: Index,
    pub(crate) reader: IndexReader,
    pub(crate) fields: Fields,
    manifest: Manifest,
    pub(crate) path: PathBuf,
    /// Chunks and documents in the index (from the manifest, counted once at open): the sizes
    /// of the two populations BM25 scores.
    chunks: u64,
    documents: u64,
    /// The configuration's side and its lengths, when the index holds Terraform beside other
    /// documents (see [`lengths`]).
    sides: Option<lengths::Sides>,
    /// Identities of documents weighed like copies: fragments other pages include (see
    /// [`crate::includes`]), so the page a reader knows ranks above the snippet it is made of,
    /// pages the newest release of their site no longer has (see [`crate::editions`]), a
    /// site's dated posts (see [`index::is_post`]) and its archived pages ([`index::is_archived`]).
    demoted: HashSet<u64>,
    /// Older editions of a page (see [`crate::editions`]), each to the newest edition's
    /// identity: search folds them into it.
    editions: HashMap<u64, u64>,
}

impl Searcher {
    /// Opens the index at `dir`.
    pub fn open(dir: &Path) -> Result<Searcher, Error> {
        let (index, fields, manifest) = index::open(dir)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(|e| Error::tantivy(dir, e))?;
        let chunks = manifest.units.values().map(|u| u.chunks as u64).sum();
        let documents = manifest.units.values().map(|u| u.documents as u64).sum();
        let identity = |id: &str| index::identity_key(None, id);
        let found = crate::editions::of_index(&manifest);
        let editions =
            found.folded.iter().map(|(older, newest)| (identity(older), identity(newest))).collect();
        // Pages not kept up like the documentation beside them.
        let unkept = manifest
            .units
            .keys()
            .map(String::as_str)
            .filter(|id| index::is_post(id) || index::is_archived(id));
        let demoted = manifest
            .units
            .values()
            .flat_map(index::UnitRecord::snippets)
            .chain(found.retired.iter().copied())
            .chain(unkept)
            .map(identity)
            .collect();
        let sides = lengths::of_index(&reader.searcher(), &fields, &manifest, chunks)
            .map_err(|e| Error::tantivy(dir, e))?;
        Ok(Searcher {
            sides,
            index,
            reader,
            fields,
            manifest,
            path: dir.to_path_buf(),
            chunks,
            documents,
            demoted,
            editions,
        })
    }

    /// The index's own analysis (registered when it was opened), for a question's words as the
    /// documents' were analysed.
    fn analyzer(&self) -> Result<tantivy::tokenizer::TextAnalyzer, Error> {
        self.index.tokenizer_for_field(self.fields.title).map_err(|e| Error::tantivy(&self.path, e))
    }

    /// The index's manifest (what was indexed).
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// Number of segments (a measure of how merged the index is).
    pub fn num_segments(&self) -> usize {
        self.reader.searcher().segment_readers().len()
    }

    /// Number of chunks in the index (the whole-document entries are not chunks).
    pub fn num_chunks(&self) -> u64 {
        self.chunks
    }

    /// Runs a query. Query syntax errors never fail: the text is parsed leniently, and what
    /// an engineer pastes is searched as words (see the `syntax` module); a query that only leaves
    /// words out is refused ([`Error::OnlyExcluded`]).
    pub fn search(&self, q: &SearchQuery) -> Result<Vec<Hit>, Error> {
        Ok(self.search_explained(q)?.into_iter().map(|(hit, _)| hit).collect())
    }

    /// [`Searcher::search`], each hit with what the reranker read of it when it was reranked
    /// (see [`Features`]): how the benchmark learns the reranker's weights, and why a page
    /// ranks where it does.
    pub fn search_explained(&self, q: &SearchQuery) -> Result<Vec<(Hit, Option<Features>)>, Error> {
        let f = &self.fields;
        let mut parser = QueryParser::for_index(&self.index, f.searched().to_vec());
        parser.set_field_boost(f.title, TITLE_BOOST);
        parser.set_field_boost(f.heading, HEADING_BOOST);
        parser.set_field_boost(f.breadcrumbs, 1.2);
        parser.set_field_boost(f.fields, 1.5);
        let plain = self.plain(&q.text);
        let question = camel_case_whole(&plain);
        // The names of what the question describes, asked for and read into its meaning below.
        let described = query_text::described(&question);
        let text = expanded(&question, &described);
        let (text_query, _errors) = parser.parse_query_lenient(&text);
        // Tantivy matches every entry, whole-document entries too (no title, no location),
        // when all a query does is leave words out.
        if only_excludes(&*text_query) {
            return Err(Error::OnlyExcluded(q.text.clone()));
        }
        let text_query = without_excluded_phrases(text_query);
        let (page_query, _errors) =
            QueryParser::for_index(&self.index, vec![f.page]).parse_query_lenient(&text);
        let page_query = without_excluded_phrases(page_query);

        // Filters must not change scores, and a query without filters stays a plain
        // disjunction of terms so that tantivy can prune with block-max WAND.
        let mut filters: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        if let Some(kind) = q.kind {
            filters.push((Occur::Must, term(f.kind, kind.as_str())));
        }
        if !q.scopes.is_empty() {
            let any: Vec<(Occur, Box<dyn Query>)> =
                q.scopes.iter().map(|s| (Occur::Should, term(f.scope, s))).collect();
            filters.push((Occur::Must, Box::new(BooleanQuery::new(any))));
        }
        let filtered = |query: &dyn Query| -> Box<dyn Query> {
            if filters.is_empty() {
                return query.box_clone();
            }
            let filter: Vec<(Occur, Box<dyn Query>)> =
                filters.iter().map(|(o, q)| (*o, q.box_clone())).collect();
            let filter: Box<dyn Query> =
                Box::new(ConstScoreQuery::new(Box::new(BooleanQuery::new(filter)), 0.0));
            Box::new(BooleanQuery::new(vec![(Occur::Must, query.box_clone()), (Occur::Must, filter)]))
        };

        let searcher = self.reader.searcher();
        let limit = q.limit.max(1);
        // Chunks and whole-document entries share one index but are two populations: each
        // is scored with its own document count, so neither dilutes the other's statistics.
        let chunks = Entries { docs: self.chunks, whole: false, prose: f.prose() };
        let wholes = Entries { docs: self.documents, whole: true, prose: f.prose() };
        // The kinds of thing the question names, in the index's own analysis (registered when
        // it was opened), as the documents' names were hashed.
        let mut analyzer = self.analyzer()?;
        let named = crate::phrases::of_question(&mut analyzer, &question);
        // Hit weights read from fast fields, opened once per segment for all three rankings.
        let mut columns = Columns::new(self, &searcher, asks(&plain), named);
        // Pages are ranked as deep as the whole-document order whatever `limit` is: with fewer,
        // a site that keeps dozens of releases fills the candidates with one page's editions, so
        // the first five of `-k 5` were not the first five of `-k 10`.
        let depth = limit.max(PAGE_DEPTH);
        let sections = self.top_distinct(&searcher, chunks, &mut columns, &*filtered(&*text_query), depth)?;
        let pages = self.top_pages(&searcher, wholes, &mut columns, &*filtered(&*page_query))?;
        let named = match title_identifiers(&mut analyzer, f.title, &question) {
            Some(titled) => self.documents_matching(&searcher, chunks, &mut columns, &*filtered(&*titled))?,
            None => HashSet::new(),
        };
        let given = names::of_question(&mut analyzer, &q.text, &plain);
        let holders = self.holders(&searcher, chunks, &mut columns, given, &filtered)?;
        // A page holding (few do) or titled by a name the question gives is its answer, whatever
        // else it is about (see `rerank`).
        let exact = !holders.is_empty() || !named.is_empty();
        let mut chosen = fuse(&sections, &pages, &named, &holders, limit.max(rerank::DEPTH));
        let features = if exact {
            HashMap::new()
        } else {
            // The question's meaning is read with the names of what it describes: "pods fail
            // their probes" means health checks.
            let meant =
                if described.is_empty() { plain.clone() } else { format!("{plain} {}", described.join(" ")) };
            let question = rerank::Question::new(
                &searcher,
                f,
                &meant,
                crate::phrases::analysed(&mut analyzer, &question),
                self.documents,
            )
            .map_err(|e| Error::tantivy(&self.path, e))?;
            let mut demoted = HashSet::new();
            for &(_, key, addr) in chosen.iter().take(rerank::DEPTH) {
                if columns.get(addr)?.weight < 1.0 {
                    demoted.insert(key);
                }
            }
            let orders = rerank::Orders { sections: &sections, pages: &pages, demoted: &demoted };
            rerank::rerank(&searcher, f, &question, &orders, &mut chosen)
                .map_err(|e| Error::tantivy(&self.path, e))?
        };
        chosen.truncate(limit);
        hits::of(self, &searcher, &*text_query, &chosen, &features)
    }
}
impl Searcher {
    /// Documents ranked by their sections: each document's best chunk plus a share of its other
    /// matching chunks, copies (examples, tests) demoted. Several chunks of one document often
    /// match, so many more chunks than `depth` are ranked; they are told apart by the
    /// `identity` fast field, without loading stored documents (which is what costs most). If
    /// the candidates run out before `depth` distinct documents, the search is widened. Every
    /// candidate document is returned, best first, with the address of its best chunk.
    fn top_distinct(
        &self,
        searcher: &tantivy::Searcher,
        entries: Entries,
        columns: &mut Columns<'_>,
        query: &dyn Query,
        depth: usize,
    ) -> Result<Vec<Ranked>, Error> {
        let mut candidates = (depth * 8).max(200);
        loop {
            let (top, exhausted) = lengths::top(searcher, query, candidates, entries, self.sides.as_ref())
                .map_err(|e| Error::tantivy(&self.path, e))?;
            // Page evidence: each page's best chunk, and the scores of its other matching
            // chunks, so a page that answers across several sections is not outranked by one
            // section of another page that shares a word or two.
            let mut pages: HashMap<u64, Evidence> = HashMap::new();
            let mut order: Vec<u64> = Vec::new();
            let mut hits = Vec::with_capacity(top.len());
            for (score, addr) in top {
                let hit = columns.get(addr)?;
                hits.push((score * hit.weight, hit, addr));
            }
            // Best first, equal scores by identity: chunks are summed in an order that does not
            // depend on where indexing threads happened to write them, so identical files
            // (an example's copy of a module's outputs) tie exactly and are ordered by
            // identity, the same on every index of the same files; so is the edition a page
            // is shown by among editions that match alike.
            hits.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.key.cmp(&b.1.key)).then(a.1.own.cmp(&b.1.own)));
            for (score, hit, addr) in hits {
                match pages.entry(hit.key) {
                    std::collections::hash_map::Entry::Occupied(mut e) => {
                        e.get_mut().add(score, addr, hit.edition());
                    }
                    std::collections::hash_map::Entry::Vacant(e) => {
                        e.insert(Evidence::new(score, addr, hit.edition()));
                        order.push(hit.key);
                    }
                }
            }
            if order.len() >= depth || exhausted || candidates >= depth * 64 {
                let mut chosen: Vec<(f32, Ranked)> = order
                    .iter()
                    .map(|k| {
                        let Evidence { best, rest, .. } = pages[k];
                        let score = best + SECTION_SHARE * rest.min(best);
                        (score, Ranked { key: *k, addr: pages[k].shown(), score })
                    })
                    .collect();
                // Equal scores (the same block copied into examples/ and tests/) are ordered by
                // the document's identity, not by which indexing thread wrote it first: the same
                // index answers the same question the same way on every run.
                chosen.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.key.cmp(&b.1.key)));
                return Ok(chosen.into_iter().map(|(_, r)| r).collect());
            }
            candidates *= 4;
        }
    }

    /// The `n` best entries for `query`, each as its document's identity and its weighted
    /// score (copies and fragments weigh less), and whether there were no more.
    fn weighed(
        &self,
        searcher: &tantivy::Searcher,
        entries: Entries,
        columns: &mut Columns<'_>,
        query: &dyn Query,
        n: usize,
    ) -> Result<(Vec<(f32, u64)>, bool), Error> {
        let (top, exhausted) = lengths::top(searcher, query, n, entries, self.sides.as_ref())
            .map_err(|e| Error::tantivy(&self.path, e))?;
        let weighed = top
            .into_iter()
            .map(|(score, addr)| columns.get(addr).map(|hit| (score * hit.weight, hit.key)))
            .collect::<Result<_, _>>()?;
        Ok((weighed, exhausted))
    }

    /// The documents of the first [`PAGE_DEPTH`] entries matching `query`: those titled by an
    /// identifier of the question (see `query_text::title_identifiers`), or holding a name it
    /// gives (see [`names`]).
    fn documents_matching(
        &self,
        searcher: &tantivy::Searcher,
        entries: Entries,
        columns: &mut Columns<'_>,
        query: &dyn Query,
    ) -> Result<HashSet<u64>, Error> {
        Ok(self
            .weighed(searcher, entries, columns, query, PAGE_DEPTH)?
            .0
            .into_iter()
            .map(|(_, key)| key)
            .collect())
    }

    /// Documents ranked as wholes (their `page` entries), copies demoted: the identities of
    /// the first [`PAGE_DEPTH`], best first.
    fn top_pages(
        &self,
        searcher: &tantivy::Searcher,
        entries: Entries,
        columns: &mut Columns<'_>,
        query: &dyn Query,
    ) -> Result<Vec<(u64, f32)>, Error> {
        // Older editions fold into their page, so one page can fill many of the places: rank
        // more entries than are kept, and more again while they hold fewer than PAGE_DEPTH
        // pages (a site keeping 60 releases held 16 pages in the first 400).
        let mut n = PAGE_DEPTH * PAGE_WIDEN;
        loop {
            let (mut ranked, exhausted) = self.weighed(searcher, entries, columns, query, n)?;
            ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            let mut seen = HashSet::new();
            let pages: Vec<(u64, f32)> = ranked
                .into_iter()
                .map(|(s, k)| (k, s))
                .filter(|(k, _)| seen.insert(*k))
                .take(PAGE_DEPTH)
                .collect();
            if pages.len() >= PAGE_DEPTH || exhausted || n >= PAGE_DEPTH * PAGE_WIDEN * 16 {
                return Ok(pages);
            }
            n *= 4;
        }
    }
}

/// How many whole documents are ranked for fusion.
const PAGE_DEPTH: usize = 50;
/// How many more whole-document entries are ranked than kept, for the editions folded away.
const PAGE_WIDEN: usize = 8;
/// How much a page's other matching chunks add to its best one (at most their sum, at most
/// the best chunk's own score): evidence spread over a page counts, without letting a long
/// page win on volume alone.
const SECTION_SHARE: f32 = 0.25;
/// What a word of the question found in a page's title weighs against one in its body
/// (headings weigh [`HEADING_BOOST`], properties 1.5, breadcrumbs 1.2). This and
/// [`SECTION_SHARE`] were chosen on a grid over all 33 corpora of the retrieval benchmark, among
/// the settings that keep every ranking test passing, and checked by leaving each corpus out
/// in turn: the setting chosen without a corpus is this one for every corpus, and it scores
/// +0.020 MRR on the documentation corpora (see BENCHMARKS.md, eighth session). Titles count
/// for more than when the first weights were set because a word's rarity is now the largest
/// over the prose fields: a title's common word no longer weighs as a rare one.
const TITLE_BOOST: f32 = 2.5;
/// Headings stay at 2: at 1.5 the grid gained 0.003 MRR, within noise, and a section headed by
/// the question's topic ("Dependencies" for "what does checkout depend on") lost to one whose
/// body mentions it once.
const HEADING_BOOST: f32 = 2.0;

fn term(field: tantivy::schema::Field, value: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(Term::from_field_text(field, value), IndexRecordOption::Basic))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_docs::index_files;

    /// A Terraform node group and its variable, described in words a synonym expands (`oom`).
    const NODE_GROUP: &[(&str, &str)] = &[
        ("main.tf", "resource \"aws_eks_node_group\" \"this\" {\n  node_group_name = \"x\"\n}\n"),
        ("vars.tf", "variable \"node_count\" {\n  description = \"Nodes that run out of memory\"\n}\n"),
    ];

    fn locations(dir: &std::path::Path, query: &str) -> Vec<String> {
        let s = Searcher::open(dir).unwrap();
        s.search(&SearchQuery { text: query.into(), limit: 5, ..Default::default() })
            .unwrap()
            .into_iter()
            .map(|h| h.location.rsplit('/').next().unwrap_or("").split('#').next().unwrap_or("").to_string())
            .collect()
    }

    #[test]
    fn older_editions_fold_into_the_newest_and_retired_pages_rank_below_current_ones() {
        let page = |extra: &str| format!("# Cron scaler\n\nScale on a cron schedule{extra}.\n");
        let index = index_files(&[
            ("docs/2.20/scalers/cron.md", &page("")),
            // Older editions repeat the words more: without folding they would rank first.
            ("docs/2.9/scalers/cron.md", &page(", a cron schedule, a schedule")),
            ("docs/archives/1.4/scalers/cron.md", &page(", a cron schedule")),
            // Only an older release has it: out of date.
            ("docs/2.9/scalers/legacy-cron.md", &page(", cron schedule, cron schedule")),
            ("docs/2.20/scalers/timer.md", "# Timer\n\nA schedule.\n"),
        ]);
        let s = Searcher::open(index.path()).unwrap();
        let hits =
            s.search(&SearchQuery { text: "cron schedule".into(), limit: 5, ..Default::default() }).unwrap();
        let root = index.docs_path().to_string_lossy().to_string();
        let locations: Vec<&str> = hits.iter().map(|h| h.location.strip_prefix(&root).unwrap()).collect();
        assert_eq!(
            locations,
            ["/docs/2.20/scalers/cron.md", "/docs/2.9/scalers/legacy-cron.md", "/docs/2.20/scalers/timer.md"]
        );
    }

    #[test]
    fn the_first_hits_do_not_depend_on_how_many_are_asked_for() {
        // A site that keeps 250 releases of one page: its editions alone fill the first
        // candidates, so a shallow look showed the page by an older edition's text (`1.24/`)
        // and missed a page that answers across its sections.
        let mut files: Vec<(String, String)> = (0..250)
            .map(|v| {
                (format!("docs/1.{v}/rwx.md"), "# RWX volumes\n\nMount one volume on several nodes.\n".into())
            })
            .collect();
        files.push((
            "docs/1.249/b.md".into(),
            "# Several nodes\n\nSeveral nodes, several pods mount a volume.\n".into(),
        ));
        let filler = " Around it the section talks of other matters at length: lunch, trains, weather, \
                      budgets, holidays, the office plants and the coffee machine.";
        let mut c = String::from("# Shared\n\n");
        for (i, words) in ["Several pods", "One volume", "Several nodes", "Mount it"].iter().enumerate() {
            c.push_str(&format!("## Part {i}\n\n{words}.{filler}\n\n"));
        }
        files.push(("docs/1.249/c.md".into(), c));
        // Other pages, so that the question's words are rare enough to tell pages apart.
        files.extend(
            (0..1000).map(|i| (format!("other/{i}.md"), format!("# Other {i}\n\nLunch and trains {i}.\n"))),
        );
        let refs: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
        let index = index_files(&refs);
        let s = Searcher::open(index.path()).unwrap();
        let first = |limit| -> Vec<(String, String)> {
            let q = SearchQuery {
                text: "several pods mount one volume on several nodes".into(),
                limit,
                ..Default::default()
            };
            s.search(&q).unwrap().into_iter().map(|h| (h.location, format!("{:.4}", h.score))).collect()
        };
        assert_eq!(first(2)[..], first(10)[..2]);
    }

    #[test]
    fn a_copy_in_examples_or_tests_does_not_crowd_out_the_original() {
        let index = index_files(&[
            ("node-group.md", "# Node group\n\nThe managed node group scales the nodes.\n"),
            // The example repeats the words once more: without the demotion it would rank first.
            (
                "examples/complete/node-group.md",
                "# Node group\n\nThe managed node group scales the nodes of the managed node group.\n",
            ),
        ]);
        let s = Searcher::open(index.path()).unwrap();
        let hits = s
            .search(&SearchQuery { text: "managed node group".into(), limit: 1, ..Default::default() })
            .unwrap();
        assert_eq!(hits.len(), 1);
        assert!(!hits[0].location.contains("examples"), "{}", hits[0].location);
        assert!(
            crate::index::is_copy("repo/tests/fixture/main.tf")
                && crate::index::is_copy("site/versioned_docs/version-2.6/install.md")
                && crate::index::is_copy("site/i18n/zh/docusaurus-plugin-content-docs/current/install.md")
                && crate::index::is_copy("website/content/zh-cn/docs/tasks/run.md")
                && !crate::index::is_copy("website/content/en/docs/tasks/run.md")
                && !crate::index::is_copy("repo/modules/ng/main.tf")
        );
    }

    #[test]
    fn a_described_situation_finds_the_page_named_for_its_mechanism_below_its_own_words() {
        let index = index_files(&[
            (
                "health.md",
                "# Health checks\n\nAn upstream whose health check turns red is taken out of rotation.\n",
            ),
            ("traffic.md", "# Traffic\n\nTraffic goes to the pods behind a service, still on their ports.\n"),
            ("readiness.md", "# Readiness probe\n\nA pod that fails its readiness probe gets no traffic.\n"),
        ]);
        // health.md shares no word with the question: only the name of the mechanism a probe
        // is finds it, and below the pages that share the question's own words.
        let found = locations(index.path(), "traffic still goes to pods that fail a probe");
        assert_eq!(found.len(), 3, "{found:?}");
        assert_eq!(found.last().map(String::as_str), Some("health.md"), "{found:?}");
        // Without a word for the situation the names stay out.
        let found = locations(index.path(), "traffic still goes to pods that fail");
        assert!(!found.contains(&"health.md".to_string()), "{found:?}");
    }

    #[test]
    fn a_phrasal_verb_finds_its_noun() {
        assert_eq!(expanded("fail over to the standby", &[]), "fail over to the standby failover");
        assert_eq!(expanded("client ip is lost", &[]), "client ip is lost", "only particles join");
        let index = index_files(&[
            ("failover.md", "# Failover\n\nThe mirrored service in another cluster takes the traffic.\n"),
            ("nodes.md", "# Nodes\n\nWhen a node fails in a cluster, another node takes over its pods.\n"),
            ("probes.md", "# Probes\n\nA probe that fails over and over restarts the container.\n"),
            ("links.md", "# Links\n\nLink another cluster; it is over the network.\n"),
        ]);
        assert_eq!(
            locations(index.path(), "fail over to another cluster").first().map(String::as_str),
            Some("failover.md")
        );
    }

    #[test]
    fn abbreviations_and_long_forms_find_each_other() {
        assert_eq!(expanded("pods OOM", &[]), "pods OOM \"out of memory\"");
        assert_eq!(
            expanded("scale with the horizontal pod autoscaler", &[]),
            "scale with the horizontal pod autoscaler hpa"
        );
        assert_eq!(
            expanded("\"exact phrase\" oom", &[]),
            "\"exact phrase\" oom",
            "query syntax is left alone"
        );
        let index = index_files(&[
            ("memory.md", "# Memory\n\nA container that runs out of memory is killed.\n"),
            ("scaling.md", "# Scaling\n\nThe HPA adds replicas under load.\n"),
        ]);
        assert_eq!(locations(index.path(), "pods OOM").first().map(String::as_str), Some("memory.md"));
        assert_eq!(
            locations(index.path(), "horizontal pod autoscaler").first().map(String::as_str),
            Some("scaling.md")
        );
    }

    #[test]
    fn exact_identifiers_and_quoted_strings_win_over_pages_that_share_their_words() {
        let index = index_files(&[
            // Prose that uses every word of the identifiers and of the error, more often.
            (
                "upgrades.md",
                "# Upgrades\n\nDuring an upgrade the max number of unavailable nodes is a percentage: \
                 keep the unavailable percentage low, the max low. A context that exceeded its \
                 deadline, a deadline exceeded in another context: both are retried.\n",
            ),
            (
                "variables.md",
                "# Node group settings\n\n`max_unavailable_percentage`: how many nodes may be replaced at once.\n",
            ),
            (
                "errors.md",
                "# Errors\n\nThe sync failed with `context deadline exceeded` after five minutes.\n",
            ),
        ]);
        let first = |q: &str| locations(index.path(), q).first().cloned().unwrap_or_default();
        assert_eq!(first("max_unavailable_percentage"), "variables.md");
        assert_eq!(first("where is max_unavailable_percentage set"), "variables.md");
        assert_eq!(first("\"context deadline exceeded\""), "errors.md");
        assert_eq!(first("sync fails: context deadline exceeded"), "errors.md");
    }

    #[test]
    fn negations_are_kept() {
        let index = index_files(&[
            (
                "probes.md",
                "# Probes\n\nPods become ready when the readiness probe passes; ready pods get traffic.\n",
            ),
            (
                "endpoints.md",
                "# Endpoints\n\nPods that are not ready are taken out of the Service's endpoints.\n",
            ),
        ]);
        assert_eq!(
            locations(index.path(), "pods not ready").first().map(String::as_str),
            Some("endpoints.md")
        );
    }

    #[test]
    fn a_page_that_answers_across_sections_leads_the_order_by_sections() {
        // The runbook answers in two sections; the glossary's one section scores higher than either
        // of them alone (its heading names etcd), lower than both together.
        let index = index_files(&[
            (
                "runbook.md",
                "# Disaster recovery\n\n## Snapshots\n\nTake an etcd snapshot every hour and keep a week of them.\n\n\
                 ## Restore\n\nRestore the latest etcd snapshot on a fresh control plane before anything else.\n",
            ),
            ("glossary.md", "# Glossary\n\n## Etcd\n\nEtcd snapshot restore: restoring an etcd snapshot.\n"),
        ]);
        // The order by sections puts the runbook first; where it ends up is the reranker's
        // (the glossary's one section says the question's very words).
        let s = Searcher::open(index.path()).unwrap();
        let explained = s.search_explained(&SearchQuery {
            text: "etcd snapshot restore".into(),
            limit: 5,
            ..Default::default()
        });
        let section_rank = |file: &str| {
            let explained = explained.as_ref().unwrap();
            let (_, features) = explained.iter().find(|(h, _)| h.location.ends_with(file)).unwrap();
            features.unwrap().section_rank
        };
        assert!(section_rank("runbook.md") == 0.0 && section_rank("glossary.md") > 0.0, "{explained:?}");
    }

    #[test]
    fn query_syntax_on_fields_both_entries_carry_is_searched_not_a_crash() {
        // More Terraform entries (chunks and whole documents) than chunks in all.
        let index = index_files(NODE_GROUP);
        let s = Searcher::open(index.path()).unwrap();
        for text in ["kind:terraform node", "scope:module:root group", "unit:x node"] {
            let hits = s.search(&SearchQuery { text: text.into(), limit: 5, ..Default::default() }).unwrap();
            assert!(!hits.is_empty(), "{text}");
        }
    }

    #[test]
    fn excluded_phrases_are_searched_not_a_crash() {
        let index = index_files(NODE_GROUP);
        let s = Searcher::open(index.path()).unwrap();
        for text in [
            "oom^2node^2-",
            "oom^2* -",
            "-body:node\"node",
            "node -\"out of memory\"",
            "node -aws_eks_node_group",
        ] {
            let _ = s.search(&SearchQuery { text: text.into(), limit: 5, ..Default::default() }).unwrap();
        }
        // Excluding words still excludes.
        let hits =
            s.search(&SearchQuery { text: "node -memory".into(), limit: 5, ..Default::default() }).unwrap();
        assert!(!hits.is_empty() && hits.iter().all(|h| !h.text.contains("memory")), "{hits:?}");
    }

    #[test]
    fn a_camel_case_word_matched_whole_and_in_parts_is_marked_once() {
        assert_eq!(
            hits::merged(vec![(127, 130), (127, 146), (130, 140), (52, 55), (55, 65)]),
            [(52, 65), (127, 146)]
        );
        let index = index_files(&[("pdb.md", "# Budgets\n\nCreate a PodDisruptionBudget for the app.\n")]);
        let s = Searcher::open(index.path()).unwrap();
        let hits = s.search(&SearchQuery {
            text: "PodDisruptionBudget pod budget".into(),
            limit: 1,
            ..Default::default()
        });
        let hit = &hits.unwrap()[0];
        let marked: Vec<&str> = hit.highlights.iter().map(|&(a, b)| &hit.snippet[a..b]).collect();
        assert_eq!(marked, ["PodDisruptionBudget"]);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(96))]
        #[test]
        fn any_query_text_is_answered_never_a_crash(
            text in "(((kind|scope|title|page|unit|body|error):(terraform|markdown|node|root|x))|node|group|oom|NOT|AND|--node-group=x|-n|Node_Group|\"|\\(|\\)|\\[|\\]|\\{|\\}|\\^2|~1|-|\\+|\\*|:|\\\\|'|<|>|=|!|é| ){0,10}",
        ) {
            static INDEX: std::sync::OnceLock<crate::test_docs::Indexed> = std::sync::OnceLock::new();
            let index = INDEX.get_or_init(|| index_files(NODE_GROUP));
            let s = Searcher::open(index.path()).unwrap();
            // Answered, or refused for leaving words out only: never another error.
            match s.search(&SearchQuery { text: text.clone(), limit: 5, ..Default::default() }) {
                Ok(_) | Err(Error::OnlyExcluded(_)) => {}
                Err(e) => proptest::prop_assert!(false, "{text:?}: {e}"),
            }
        }
    }
}
