//! The server's resources: the capture's findings and its change timeline (what `diagnose` and
//! `changes` return, read through the same tools so they are rendered and redacted alike), and
//! every indexed document by URI, put back together from the index.

use rmcp::ErrorData;
use rmcp::model::{ReadResourceResult, Resource, ResourceContents, ResourceTemplate};
use serde_json::json;

use crate::agent::ToolBox;

/// What `diagnose` finds in the cluster.
pub const FINDINGS: &str = "sleuth://cluster/findings";
/// What changed in the cluster over the last day.
pub const CHANGES: &str = "sleuth://cluster/changes";
/// Prefix of an indexed document's URI; the rest is its id, percent-encoded.
const DOCS: &str = "sleuth://docs/";
/// How far back the change timeline resource looks.
const CHANGES_SINCE: &str = "24h";

/// What a document id keeps as is in its URI: RFC 3986's unreserved characters; everything
/// else (`/` included) is percent-encoded, so the id is one path segment.
const ID: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// The URI of the document `id`.
pub fn doc_uri(id: &str) -> String {
    format!("{DOCS}{}", percent_encoding::utf8_percent_encode(id, ID))
}

/// The cluster's resources (none without a cluster), then one per document.
pub fn list(tools: &ToolBox, docs: &[retriever::DocumentInfo]) -> Vec<Resource> {
    let mut v = Vec::new();
    if tools.cluster.is_some() {
        v.push(
            Resource::new(FINDINGS, "findings")
                .with_title("Findings")
                .with_description("Every analyzer finding of the cluster, ranked, each with its cause tag, evidence and next step (text, then JSON).")
                .with_mime_type("text/plain"),
        );
        v.push(
            Resource::new(CHANGES, "changes")
                .with_title("What changed")
                .with_description("The cluster's change timeline over the last 24 hours: rollouts with their diffs, scaling, config and node changes (text, then JSON).")
                .with_mime_type("text/plain"),
        );
    }
    v.extend(docs.iter().map(|d| {
        Resource::new(doc_uri(&d.id), crate::output::display_location(&d.location))
            .with_title(d.title.clone())
            .with_description(format!(
                "{} document, {}",
                d.kind,
                crate::output::display_location(&d.location)
            ))
            .with_mime_type("text/markdown")
    }));
    v
}

/// The template every document URI follows.
pub fn templates() -> Vec<ResourceTemplate> {
    vec![
        ResourceTemplate::new(format!("{DOCS}{{id}}"), "document")
            .with_title("An indexed document")
            .with_description("One document of the team's index, whole, by id (the ids `resources/list` and `search_docs` give).")
            .with_mime_type("text/markdown"),
    ]
}

/// Read one resource.
pub async fn read(
    tools: &ToolBox,
    uri: &str,
    demo_note: Option<&str>,
) -> Result<ReadResourceResult, ErrorData> {
    let not_found =
        || ErrorData::resource_not_found(format!("no resource {uri:?}; resources/list lists them"), None);
    let tool = match uri {
        FINDINGS if tools.cluster.is_some() => Some(("diagnose", json!({}))),
        CHANGES if tools.cluster.is_some() => Some(("changes", json!({"since": CHANGES_SINCE}))),
        _ => None,
    };
    if let Some((name, args)) = tool {
        let out = tools.call(name, &args).await;
        if !out.ok {
            return Err(ErrorData::internal_error(out.text, None));
        }
        let text = match demo_note {
            Some(note) => format!("{note}\n\n{}", out.text),
            None => out.text,
        };
        return Ok(ReadResourceResult::new(vec![
            ResourceContents::text(text, uri).with_mime_type("text/plain"),
            ResourceContents::text(out.data.to_string(), uri).with_mime_type("application/json"),
        ]));
    }
    let id = uri.strip_prefix(DOCS).ok_or_else(not_found)?;
    let id = percent_encoding::percent_decode_str(id).decode_utf8().map_err(|_| not_found())?.into_owned();
    let searcher = tools.searcher.clone().ok_or_else(not_found)?;
    let doc = tokio::task::spawn_blocking(move || searcher.document(&id))
        .await
        .map_err(|e| ErrorData::internal_error(e.to_string(), None))?
        .map_err(|e| ErrorData::internal_error(e.to_string(), None))?
        .ok_or_else(not_found)?;
    Ok(ReadResourceResult::new(vec![ResourceContents::text(doc.text, uri).with_mime_type("text/markdown")]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_uris_keep_any_id_in_one_segment() {
        let uri = doc_uri("confluence/OPS/Runbook: disk full#2?x");
        assert!(uri.starts_with(DOCS) && !uri[DOCS.len()..].contains(['/', '#', '?', ' ']), "{uri}");
        let back = percent_encoding::percent_decode_str(&uri[DOCS.len()..]).decode_utf8().unwrap();
        assert_eq!(back, "confluence/OPS/Runbook: disk full#2?x");
    }
}
