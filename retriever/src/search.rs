//! Searching: BM25 over title, headings, breadcrumbs, properties and body (boosted in that
//! order of importance), filtered by kind and scope, one hit per document, with a snippet
//! whose matched terms are marked.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Serialize;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, ConstScoreQuery, Occur, Query, QueryParser, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::{Index, IndexReader, ReloadPolicy, TantivyDocument, Term};

use crate::error::Error;
use crate::index::{self, Fields, Manifest};
use crate::model::Kind;

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
#[derive(Debug, Clone, Serialize, PartialEq)]
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
    /// BM25 score.
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
}

const SNIPPET_CHARS: usize = 220;

impl Searcher {
    /// Opens the index at `dir`.
    pub fn open(dir: &Path) -> Result<Searcher, Error> {
        let (index, fields, manifest) = index::open(dir)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(|e| Error::tantivy(dir, e))?;
        Ok(Searcher { index, reader, fields, manifest, path: dir.to_path_buf() })
    }

    /// The index's manifest (what was indexed).
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// Number of segments (a measure of how merged the index is).
    pub fn num_segments(&self) -> usize {
        self.reader.searcher().segment_readers().len()
    }

    /// Number of chunks in the index.
    pub fn num_chunks(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Runs a query. Query syntax errors never fail: the text is parsed leniently.
    pub fn search(&self, q: &SearchQuery) -> Result<Vec<Hit>, Error> {
        let f = &self.fields;
        let mut parser =
            QueryParser::for_index(&self.index, vec![f.title, f.heading, f.breadcrumbs, f.fields, f.body]);
        parser.set_field_boost(f.title, 1.5);
        parser.set_field_boost(f.heading, 2.0);
        parser.set_field_boost(f.breadcrumbs, 1.2);
        parser.set_field_boost(f.fields, 1.5);
        let (text_query, _errors) = parser.parse_query_lenient(&with_synonyms(&q.text));

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
        let query: Box<dyn Query> = if filters.is_empty() {
            text_query.box_clone()
        } else {
            let filter: Box<dyn Query> =
                Box::new(ConstScoreQuery::new(Box::new(BooleanQuery::new(filters)), 0.0));
            Box::new(BooleanQuery::new(vec![(Occur::Must, text_query.box_clone()), (Occur::Must, filter)]))
        };

        let searcher = self.reader.searcher();
        let limit = q.limit.max(1);
        // Twice the pages asked for, so that copies demoted below (examples, tests) can give
        // their place to the pages they copy.
        let chosen = self.top_distinct(&searcher, &*query, limit * 2)?;
        let mut snippets = SnippetGenerator::create(&searcher, &*text_query, f.body)
            .map_err(|e| Error::tantivy(&self.path, e))?;
        snippets.set_max_num_chars(SNIPPET_CHARS);

        let mut hits = Vec::with_capacity(chosen.len());
        for (score, addr) in chosen {
            let doc: TantivyDocument = searcher.doc(addr).map_err(|e| Error::tantivy(&self.path, e))?;
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
                    snippet.highlighted().iter().map(|r| (r.start, r.end)).collect(),
                )
            };
            let anchor = get(f.anchor);
            let mut location = get(f.location);
            if !anchor.is_empty() && !location.contains('#') {
                location = format!("{location}#{anchor}");
            }
            let breadcrumbs = get(f.breadcrumbs);
            hits.push(Hit {
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
            });
        }
        for h in &mut hits {
            if is_copy(&h.location) {
                h.score *= COPY_WEIGHT;
            }
        }
        hits.sort_by(|a, b| b.score.total_cmp(&a.score));
        hits.truncate(limit);
        Ok(hits)
    }
}

impl Searcher {
    /// The best chunk of each of the `limit` best documents, documents ranked by their best
    /// chunk plus a share of their other matching chunks. Several chunks of one document often
    /// match, so more candidates than `limit` are ranked; they are told apart by the `identity`
    /// fast field, without loading stored documents (which is what costs most). If the
    /// candidates run out before `limit` distinct documents, the search is widened.
    fn top_distinct(
        &self,
        searcher: &tantivy::Searcher,
        query: &dyn Query,
        limit: usize,
    ) -> Result<Vec<(f32, tantivy::DocAddress)>, Error> {
        let mut columns = HashMap::new();
        let mut candidates = (limit * 8).max(200);
        loop {
            let top = searcher
                .search(query, &TopDocs::with_limit(candidates).order_by_score())
                .map_err(|e| Error::tantivy(&self.path, e))?;
            let exhausted = top.len() < candidates;
            // Page evidence: each page's best chunk, and the scores of its other matching
            // chunks, so a page that answers across several sections is not outranked by one
            // section of another page that shares a word or two.
            let mut pages: HashMap<u64, (f32, tantivy::DocAddress, f32)> = HashMap::new();
            let mut order: Vec<u64> = Vec::new();
            for (score, addr) in top {
                let column = match columns.entry(addr.segment_ord) {
                    std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                    std::collections::hash_map::Entry::Vacant(e) => e.insert(
                        searcher
                            .segment_reader(addr.segment_ord)
                            .fast_fields()
                            .u64("identity")
                            .map_err(|e| Error::tantivy(&self.path, e))?,
                    ),
                };
                let key = column.first(addr.doc_id).unwrap_or(u64::from(addr.doc_id));
                match pages.entry(key) {
                    std::collections::hash_map::Entry::Occupied(mut e) => e.get_mut().2 += score,
                    std::collections::hash_map::Entry::Vacant(e) => {
                        e.insert((score, addr, 0.0));
                        order.push(key);
                    }
                }
            }
            if order.len() >= limit || exhausted || candidates >= limit * 64 {
                let mut chosen: Vec<(f32, u64, tantivy::DocAddress)> = order
                    .iter()
                    .map(|k| {
                        let (best, addr, rest) = pages[k];
                        (best + SECTION_SHARE * rest.min(best), *k, addr)
                    })
                    .collect();
                // Equal scores (the same block copied into examples/ and tests/) are ordered by
                // the document's identity, not by which indexing thread wrote it first: the same
                // index answers the same question the same way on every run.
                chosen.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
                chosen.truncate(limit);
                return Ok(chosen.into_iter().map(|(score, _, addr)| (score, addr)).collect());
            }
            candidates *= 4;
        }
    }
}

/// Kubernetes and cloud abbreviations and their long forms: a question in one form finds
/// pages written in the other. Ambiguous short forms (`ca`, `ns`, `cm`) are left out.
const SYNONYMS: &[(&str, &str)] = &[
    ("oom", "out of memory"),
    ("oomkilled", "out of memory"),
    ("hpa", "horizontal pod autoscaler"),
    ("vpa", "vertical pod autoscaler"),
    ("pvc", "persistent volume claim"),
    ("pv", "persistent volume"),
    ("sa", "service account"),
    ("rbac", "role based access control"),
    ("lb", "load balancer"),
    ("alb", "application load balancer"),
    ("nlb", "network load balancer"),
    ("k8s", "kubernetes"),
    ("crd", "custom resource definition"),
    ("pdb", "pod disruption budget"),
    ("irsa", "iam roles for service accounts"),
    ("asg", "autoscaling group"),
    ("kms", "key management service"),
    ("netpol", "network policy"),
    ("configmap", "config map"),
    ("statefulset", "stateful set"),
    ("daemonset", "daemon set"),
    ("nodegroup", "node group"),
];

/// The question with the other form of each abbreviation or long form it uses appended (as a
/// phrase for long forms), so either spelling matches. Text with query syntax is left alone.
fn with_synonyms(text: &str) -> String {
    if text.contains(['"', ':', '(', ')']) {
        return text.to_string();
    }
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    let has_phrase = |p: &str| {
        let parts: Vec<&str> = p.split(' ').collect();
        words.windows(parts.len()).any(|w| w == parts.as_slice())
    };
    let mut extra: Vec<String> = Vec::new();
    for (short, long) in SYNONYMS {
        if words.contains(short) && !has_phrase(long) {
            extra.push(if long.contains(' ') { format!("\"{long}\"") } else { (*long).to_string() });
        } else if has_phrase(long) && !words.contains(short) {
            extra.push((*short).to_string());
        }
    }
    extra.dedup();
    if extra.is_empty() { text.to_string() } else { format!("{text} {}", extra.join(" ")) }
}

/// What a page under `examples/`, `tests/` or `fixtures/` weighs against the page it copies or
/// calls: the same block copied into an example must not crowd out the module's own.
const COPY_WEIGHT: f32 = 0.6;

/// Whether a location is an example, a test or a fixture rather than the thing itself.
fn is_copy(location: &str) -> bool {
    location.split(['/', '\\']).any(|c| {
        matches!(c, "examples" | "example" | "tests" | "test" | "fixtures" | "testdata" | "__tests__")
    })
}

/// How much a page's other matching chunks add to its best one (at most their sum, at most
/// the best chunk's own score): evidence spread over a page counts, without letting a long
/// page win on volume alone.
const SECTION_SHARE: f32 = 0.5;

fn term(field: tantivy::schema::Field, value: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(Term::from_field_text(field, value), IndexRecordOption::Basic))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_docs::index_files;

    fn locations(dir: &std::path::Path, query: &str) -> Vec<String> {
        let s = Searcher::open(dir).unwrap();
        s.search(&SearchQuery { text: query.into(), limit: 5, ..Default::default() })
            .unwrap()
            .into_iter()
            .map(|h| h.location.rsplit('/').next().unwrap_or("").split('#').next().unwrap_or("").to_string())
            .collect()
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
        assert!(is_copy("repo/tests/fixture/main.tf") && !is_copy("repo/modules/ng/main.tf"));
    }

    #[test]
    fn abbreviations_and_long_forms_find_each_other() {
        assert_eq!(with_synonyms("pods OOM"), "pods OOM \"out of memory\"");
        assert_eq!(
            with_synonyms("scale with the horizontal pod autoscaler"),
            "scale with the horizontal pod autoscaler hpa"
        );
        assert_eq!(
            with_synonyms("\"exact phrase\" oom"),
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
    fn a_page_that_answers_across_sections_outranks_one_matching_section() {
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
        let found = locations(index.path(), "etcd snapshot restore");
        assert_eq!(found.first().map(String::as_str), Some("runbook.md"), "{found:?}");
    }
}
