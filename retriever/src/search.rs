//! Searching: BM25 over title, headings, breadcrumbs, properties and body (boosted in that
//! order of importance), filtered by kind and scope, one hit per document, with a snippet
//! whose matched terms are marked.

use std::collections::{HashMap, HashSet};
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
    reader: IndexReader,
    fields: Fields,
    manifest: Manifest,
    path: PathBuf,
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
        parser.set_field_boost(f.title, 3.0);
        parser.set_field_boost(f.heading, 2.0);
        parser.set_field_boost(f.breadcrumbs, 1.2);
        parser.set_field_boost(f.fields, 1.5);
        let (text_query, _errors) = parser.parse_query_lenient(&q.text);

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
        let chosen = self.top_distinct(&searcher, &*query, limit)?;
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
        Ok(hits)
    }
}

impl Searcher {
    /// The best chunk of each of the `limit` best documents. Several chunks of one document
    /// often match, so more candidates than `limit` are ranked; they are told apart by the
    /// `identity` fast field, without loading stored documents (which is what costs most).
    /// If the candidates run out before `limit` distinct documents, the search is widened.
    fn top_distinct(
        &self,
        searcher: &tantivy::Searcher,
        query: &dyn Query,
        limit: usize,
    ) -> Result<Vec<(f32, tantivy::DocAddress)>, Error> {
        let mut columns = HashMap::new();
        let mut candidates = limit * 4;
        loop {
            let top = searcher
                .search(query, &TopDocs::with_limit(candidates).order_by_score())
                .map_err(|e| Error::tantivy(&self.path, e))?;
            let exhausted = top.len() < candidates;
            let mut seen = HashSet::new();
            let mut chosen = Vec::new();
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
                if seen.insert(key) {
                    chosen.push((score, addr));
                    if chosen.len() == limit {
                        return Ok(chosen);
                    }
                }
            }
            if exhausted || candidates >= limit * 64 {
                return Ok(chosen);
            }
            candidates *= 4;
        }
    }
}

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
