//! The names a question gives — a flag (`--node-count`), a camel-case identifier
//! (`CommitManifestDetails`), a dotted or underscored one (`cluster.x-k8s.io/paused`), a quoted
//! string — and the query for the documents that hold one. A name few documents hold says
//! which pages the question is about: measured on questions generated from each corpus's own
//! names (`cargo bench -p retriever --bench retrieval`), sleuth ranked the page holding
//! `StatusCode` fifth for "StatusCode error", under short sections headed "errors", where a
//! plain whole-document BM25 ranked it first.

use std::collections::HashSet;

use tantivy::Term;
use tantivy::query::{BooleanQuery, Occur, PhraseQuery, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::TextAnalyzer;

use super::Searcher;
use super::columns::Columns;
use super::lengths::Entries;
use super::query_text::{is_identifier, trimmed};
use crate::error::Error;

/// A name the question gives: as it writes it, and as the index's tokens (one for a word,
/// several for a phrase).
pub(super) struct Name {
    shown: String,
    tokens: Vec<String>,
}

/// Each name of the question once. `raw` is the question as typed (flags are read from it),
/// `plain` as searched (see `syntax::plain`).
pub(super) fn of_question(analyzer: &mut TextAnalyzer, raw: &str, plain: &str) -> Vec<Name> {
    let mut names: Vec<Name> = Vec::new();
    let mut add = |shown: &str, tokens: Vec<String>| {
        if !tokens.is_empty() && !names.iter().any(|n| n.tokens == tokens) {
            names.push(Name { shown: shown.to_string(), tokens });
        }
    };
    // A flag is its whole token, dashes and all (see `tokens::Words`), not its words.
    for token in raw.split_whitespace().filter(|t| t.starts_with("--")) {
        let flag = trimmed(token.split('=').next().unwrap_or_default());
        let mut stream = analyzer.token_stream(flag);
        if let Some(t) = stream.next().filter(|t| t.text.starts_with("--")) {
            let whole = vec![t.text.clone()];
            add(flag, whole);
        }
    }
    let mut spelled: Vec<(&str, String)> = Vec::new();
    for (i, part) in plain.split('"').enumerate() {
        if i % 2 == 1 {
            spelled.push((part, part.to_string()));
            continue;
        }
        for token in part.split_whitespace().map(trimmed) {
            // A camel-case word is searched whole (as `camel_case_whole` does), not by its parts;
            // a plural abbreviation (`VMs`, `SSDs`) is a word.
            let plural = token.strip_suffix('s').is_some_and(|t| t.chars().all(|c| c.is_ascii_uppercase()));
            if crate::tokens::is_camel_case(token) && !plural {
                spelled.push((token, token.to_lowercase()));
            } else if is_identifier(token) {
                spelled.push((token, token.to_string()));
            }
        }
    }
    for (shown, name) in spelled {
        let mut tokens = Vec::new();
        let mut stream = analyzer.token_stream(&name);
        while let Some(t) = stream.next() {
            // A flag's whole token shares its first word's position: a phrase is of its words.
            if !t.text.starts_with("--") {
                tokens.push(t.text.clone());
            }
        }
        add(shown, tokens);
    }
    names
}

impl Searcher {
    /// The documents holding a distinctive name the question gives (see the module's
    /// documentation), among the first entries of `entries` that hold one.
    pub(super) fn holders(
        &self,
        searcher: &tantivy::Searcher,
        entries: Entries,
        columns: &mut Columns<'_>,
        given: Vec<Name>,
        filtered: &dyn Fn(&dyn Query) -> Box<dyn Query>,
    ) -> Result<HashSet<u64>, Error> {
        let mut distinctive = Vec::new();
        for name in given {
            let held = held_by(searcher, self.fields.page, &name.tokens)
                .map_err(|e| Error::tantivy(&self.path, e))?;
            // A name most pages share (`ConfigMap` in the Kubernetes docs) tells them apart no
            // more than any word.
            if held > 0 && held <= (self.documents / DISTINCTIVE).max(1) {
                distinctive.push(name.tokens);
            }
        }
        let Some(query) = holding(&distinctive, &self.fields.searched()) else {
            return Ok(HashSet::new());
        };
        self.documents_matching(searcher, entries, columns, &*filtered(&*query))
    }

    /// The names a question gives — flags, camel-case or dotted identifiers, quoted strings —
    /// that no document holds, as the question writes them: hits for such a question share
    /// only its other words, and a reader should be told.
    pub fn unheld_names(&self, text: &str) -> Result<Vec<String>, Error> {
        let plain = self.plain(text);
        let mut analyzer = self.analyzer()?;
        let searcher = self.reader.searcher();
        let mut unheld = Vec::new();
        for name in of_question(&mut analyzer, text, &plain) {
            if held_by(&searcher, self.fields.page, &name.tokens)
                .map_err(|e| Error::tantivy(&self.path, e))?
                == 0
            {
                unheld.push(name.shown);
            }
        }
        Ok(unheld)
    }
}

/// The documents holding any of `names` in any of `fields`, or `None` without names.
fn holding(names: &[Vec<String>], fields: &[Field]) -> Option<Box<dyn Query>> {
    let clauses: Vec<(Occur, Box<dyn Query>)> = names
        .iter()
        .flat_map(|tokens| fields.iter().map(move |&field| (Occur::Should, in_field(field, tokens))))
        .collect();
    (!clauses.is_empty()).then(|| Box::new(BooleanQuery::new(clauses)) as Box<dyn Query>)
}

fn in_field(field: Field, tokens: &[String]) -> Box<dyn Query> {
    let mut terms: Vec<Term> = tokens.iter().map(|t| Term::from_field_text(field, t)).collect();
    if terms.len() == 1 {
        Box::new(TermQuery::new(terms.remove(0), IndexRecordOption::WithFreqs))
    } else {
        Box::new(PhraseQuery::new(terms))
    }
}

/// How many documents hold a name (counted on `page`, one entry per document).
fn held_by(searcher: &tantivy::Searcher, page: Field, tokens: &[String]) -> tantivy::Result<u64> {
    Ok(match tokens {
        [word] => searcher.doc_freq(&Term::from_field_text(page, word))?,
        _ => searcher.search(&*in_field(page, tokens), &tantivy::collector::Count)? as u64,
    })
}

/// A name tells documents apart when at most one document in this many holds it.
const DISTINCTIVE: u64 = 20;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_holding_the_flag_or_name_asked_about_comes_first() {
        let mut flags = String::from("# Command line arguments\n\n");
        for (flag, what) in [
            ("--election-id", "the lock the replicas elect a leader with"),
            ("--http-port", "the port to listen on for HTTP traffic"),
            ("--ingress-class", "the class of ingresses this controller satisfies"),
            ("--watch-namespace", "the namespace to watch for ingresses"),
        ] {
            flags.push_str(&format!("| `{flag}` | {what}, with a default the chart sets. |\n"));
        }
        let faq = "# FAQ\n\n## What does the controller do?\n\nIt does what the ingresses say.\n";
        let errors = "# Errors\n\n## Custom error pages\n\nAn error page per status.\n";
        let tracing = "# Tracing\n\n## Examples\n\nA span records the method, the path, the \
            StatusCode and the time each request took, then the exporter sends it on.\n";
        let more: Vec<(String, String)> = (0..20)
            .map(|i| (format!("topic{i}.md"), format!("# Topic {i}\n\nIt may end in an error, on a port.\n")))
            .collect();
        let mut files: Vec<(&str, &str)> =
            vec![("cli.md", &flags), ("faq.md", faq), ("errors.md", errors), ("tracing.md", tracing)];
        files.extend(more.iter().map(|(a, b)| (a.as_str(), b.as_str())));
        let index = crate::test_docs::index_files(&files);
        let s = crate::Searcher::open(index.path()).unwrap();
        let first = |text: &str| {
            s.search(&crate::SearchQuery { text: text.into(), limit: 3, ..Default::default() }).unwrap()[0]
                .title
                .clone()
        };
        assert_eq!(first("what does --http-port do"), "Command line arguments");
        assert_eq!(first("StatusCode error"), "Tracing");
        // What no document holds is told, as the question wrote it.
        assert_eq!(s.unheld_names("what does --http-port do").unwrap(), Vec::<String>::new());
        assert_eq!(
            s.unheld_names("--no-such-flag fails with NoSuchKind").unwrap(),
            ["--no-such-flag", "NoSuchKind"]
        );
    }

    #[test]
    fn a_name_only_a_top_heading_gives_is_held_by_its_page() {
        // A runbook's page: its title in words, the alert's name only in the heading that opens
        // it, with no text before the first subheading.
        let index = crate::test_docs::index_files(&[
            (
                "QuotaExceeded.md",
                "---\ntitle: Quota Exceeded\n---\n\n# KubeQuotaExceeded\n\n## Meaning\n\nA namespace hit its hard limits.\n",
            ),
            (
                "ClientErrors.md",
                "# Client Errors\n\n## Meaning\n\nThe API server client sees errors: error rate high.\n",
            ),
        ]);
        let s = crate::Searcher::open(index.path()).unwrap();
        assert_eq!(s.unheld_names("KubeQuotaExceeded error").unwrap(), Vec::<String>::new());
        let hits = s.search(&crate::SearchQuery {
            text: "KubeQuotaExceeded error".into(),
            limit: 1,
            ..Default::default()
        });
        assert_eq!(hits.unwrap()[0].title, "Quota Exceeded");
    }

    #[test]
    fn flags_identifiers_camel_case_and_quotes_are_names_words_are_not() {
        let mut analyzer = crate::index::analyzer();
        let raw = "why do --node-count=3 VMs fail with StatusCode on cluster.x-k8s.io/paused \"connection refused\" \"apply --prune\"";
        let plain = "why do node-count 3 VMs fail with StatusCode on cluster.x-k8s.io/paused \"connection refused\" \"apply --prune\"";
        let names = of_question(&mut analyzer, raw, plain);
        let joined: Vec<String> = names.iter().map(|n| n.tokens.join(" ")).collect();
        let shown: Vec<&str> = names.iter().map(|n| n.shown.as_str()).collect();
        assert_eq!(
            shown,
            [
                "--node-count",
                "--prune",
                "StatusCode",
                "cluster.x-k8s.io/paused",
                "connection refused",
                "apply --prune"
            ]
        );
        assert_eq!(
            joined,
            ["--node-count", "--prune", "statuscod", "cluster x k8s io paus", "connect refus", "appli prune"]
        );
    }
}
