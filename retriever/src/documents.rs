//! Whole documents out of the index: the list of what is indexed and one document's text put
//! back together from its chunks, for front ends that hand documents over by reference (the
//! MCP server's resources) rather than as search hits.

use std::collections::BTreeMap;

use serde::Serialize;
use tantivy::collector::DocSetCollector;
use tantivy::query::{AllQuery, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{TantivyDocument, Term};

use crate::error::Error;
use crate::search::Searcher;

/// One indexed document, without its text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocumentInfo {
    /// Document id (stable across re-indexing of the same file).
    pub id: String,
    /// Title.
    pub title: String,
    /// `confluence`, `notion`, `terraform`, `markdown`, …
    pub kind: String,
    /// File (or page) it came from.
    pub location: String,
}

/// One document's text, chunk by chunk in order, each section under its heading.
#[derive(Debug, Clone, Serialize)]
pub struct DocumentText {
    /// What it is.
    pub info: DocumentInfo,
    /// Its text as Markdown: the title, then each section's heading path and text.
    pub text: String,
}

impl Searcher {
    /// Every document of the index, ordered by title then id.
    pub fn documents(&self) -> Result<Vec<DocumentInfo>, Error> {
        let searcher = self.reader.searcher();
        let all = searcher.search(&AllQuery, &DocSetCollector).map_err(|e| Error::tantivy(&self.path, e))?;
        let mut by_id: BTreeMap<String, DocumentInfo> = BTreeMap::new();
        for addr in all {
            let doc: TantivyDocument = searcher.doc(addr).map_err(|e| Error::tantivy(&self.path, e))?;
            let info = self.info(&doc);
            // A document's whole-text entry carries no id: its chunks stand for it here.
            if !info.id.is_empty() {
                by_id.entry(info.id.clone()).or_insert(info);
            }
        }
        let mut docs: Vec<DocumentInfo> = by_id.into_values().collect();
        docs.sort_by(|a, b| a.title.cmp(&b.title).then_with(|| a.id.cmp(&b.id)));
        Ok(docs)
    }

    /// One document by id, its chunks joined in order; `None` when no such document exists.
    pub fn document(&self, id: &str) -> Result<Option<DocumentText>, Error> {
        let f = &self.fields;
        let searcher = self.reader.searcher();
        let query = TermQuery::new(Term::from_field_text(f.doc_id, id), IndexRecordOption::Basic);
        let addrs = searcher.search(&query, &DocSetCollector).map_err(|e| Error::tantivy(&self.path, e))?;
        let mut chunks: Vec<(usize, TantivyDocument)> = Vec::with_capacity(addrs.len());
        for addr in addrs {
            let doc: TantivyDocument = searcher.doc(addr).map_err(|e| Error::tantivy(&self.path, e))?;
            // Chunk ids are `<document id>#<position>`.
            let position =
                text(&doc, f.chunk_id).rsplit('#').next().and_then(|n| n.parse().ok()).unwrap_or(0);
            chunks.push((position, doc));
        }
        chunks.sort_by_key(|(n, _)| *n);
        let Some((_, first)) = chunks.first() else { return Ok(None) };
        let info = self.info(first);
        let mut out = format!("# {}\n\n", info.title);
        let properties = text(first, f.fields);
        if !properties.trim().is_empty() {
            out.push_str(properties.trim_end());
            out.push_str("\n\n");
        }
        let mut heading = String::new();
        for (_, doc) in &chunks {
            let h = text(doc, f.heading);
            if !h.is_empty() && h != heading {
                out.push_str(&format!("## {h}\n\n"));
                heading = h;
            }
            let body = text(doc, f.body);
            if !body.trim().is_empty() {
                out.push_str(body.trim_end());
                out.push_str("\n\n");
            }
        }
        Ok(Some(DocumentText { info, text: out.trim_end().to_string() + "\n" }))
    }

    fn info(&self, doc: &TantivyDocument) -> DocumentInfo {
        let f = &self.fields;
        DocumentInfo {
            id: text(doc, f.doc_id),
            title: text(doc, f.title),
            kind: text(doc, f.kind),
            location: text(doc, f.location),
        }
    }
}

fn text(doc: &TantivyDocument, field: tantivy::schema::Field) -> String {
    doc.get_first(field).and_then(|v| v.as_str()).unwrap_or_default().to_string()
}

#[cfg(test)]
mod tests {
    use crate::{IndexOptions, NoProgress, Searcher, index};

    #[test]
    fn documents_are_listed_once_and_read_back_whole() {
        let src = tempfile::tempdir().unwrap();
        std::fs::write(
            src.path().join("runbook.md"),
            "# Disk full on db nodes\n\nIntro text.\n\n## Check\n\nRun df -h on the node.\n\n## Fix\n\nRotate the WAL archive.\n",
        )
        .unwrap();
        std::fs::write(src.path().join("other.md"), "# Another page\n\nNothing to see.\n").unwrap();
        let dir = tempfile::tempdir().unwrap();
        index(dir.path(), &[src.path().to_path_buf()], &IndexOptions::default(), &NoProgress).unwrap();
        let s = Searcher::open(dir.path()).unwrap();
        let docs = s.documents().unwrap();
        let titles: Vec<&str> = docs.iter().map(|d| d.title.as_str()).collect();
        assert_eq!(titles, ["Another page", "Disk full on db nodes"]);
        let runbook = s.document(&docs[1].id).unwrap().unwrap();
        assert_eq!(runbook.info, docs[1]);
        let (check, fix) =
            (runbook.text.find("Run df -h").unwrap(), runbook.text.find("Rotate the WAL").unwrap());
        assert!(runbook.text.starts_with("# Disk full on db nodes\n") && check < fix, "{}", runbook.text);
        assert!(s.document("no-such-id").unwrap().is_none());
    }
}
