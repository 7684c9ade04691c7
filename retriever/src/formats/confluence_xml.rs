//! Confluence XML space exports (`entities.xml`), streamed.
//!
//! The file is a flat list of `<object class="…">` records that refer to each other by id,
//! and real exports reach hundreds of megabytes, mostly old page versions. So it is read
//! twice with a streaming parser and never held in memory: the first pass keeps only the
//! small fields (titles, parents, versions, status, users, spaces, labels) and decides which
//! pages are current; the second pass keeps the bodies of those pages only.

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use quick_xml::Reader;
use quick_xml::events::Event;
use scraper::Html;

use super::html;
use crate::error::InputError;
use crate::model::{Document, Kind};

/// Classes whose small properties the first pass keeps.
const KEPT: &[&str] =
    &["Page", "BlogPost", "Space", "ConfluenceUserImpl", "Attachment", "Label", "Labelling"];

#[derive(Debug, Default)]
struct Object {
    class: String,
    id: String,
    props: HashMap<String, String>,
}

/// Reads every current page of an `entities.xml` export.
pub fn read(path: &Path, location: &str) -> Result<Vec<Document>, InputError> {
    let mut objects: Vec<Object> = Vec::new();
    stream(path, location, |class| KEPT.contains(&class), |name| name != "body", |o| objects.push(o))?;

    let by_class = |c: &'static str| objects.iter().filter(move |o| o.class == c);
    let spaces: HashMap<&str, &Object> = by_class("Space").map(|o| (o.id.as_str(), o)).collect();
    let users: HashMap<&str, &str> = by_class("ConfluenceUserImpl")
        .filter_map(|o| Some((o.id.as_str(), o.props.get("name")?.as_str())))
        .collect();
    let label_names: HashMap<&str, &str> =
        by_class("Label").filter_map(|o| Some((o.id.as_str(), o.props.get("name")?.as_str()))).collect();
    let pages: HashMap<&str, &Object> = objects
        .iter()
        .filter(|o| o.class == "Page" || o.class == "BlogPost")
        .map(|o| (o.id.as_str(), o))
        .collect();

    let chosen = current_pages(&pages);
    let chosen_ids: HashSet<&str> = chosen.iter().map(|(id, _)| *id).collect();
    let mut labels: HashMap<&str, Vec<&str>> = HashMap::new();
    for l in by_class("Labelling") {
        if let (Some(content), Some(label)) = (l.props.get("content"), l.props.get("label"))
            && let Some(name) = label_names.get(label.as_str())
        {
            labels.entry(content.as_str()).or_default().push(name);
        }
    }
    let mut attachments: HashMap<&str, Vec<String>> = HashMap::new();
    for a in by_class("Attachment") {
        let current = a.props.get("contentStatus").is_none_or(|s| s == "current")
            && !a.props.contains_key("originalVersion");
        if let (true, Some(page)) = (current, a.props.get("containerContent")) {
            let name = a.props.get("title").or_else(|| a.props.get("fileName")).cloned().unwrap_or_default();
            attachments.entry(page.as_str()).or_default().push(name);
        }
    }

    // Second pass: bodies of the chosen pages only.
    let mut bodies: HashMap<String, String> = HashMap::new();
    stream(
        path,
        location,
        |class| class == "BodyContent",
        |_| true,
        |o| {
            if let (Some(content), Some(body)) = (o.props.get("content"), o.props.get("body"))
                && chosen_ids.contains(content.as_str())
            {
                bodies.entry(content.clone()).or_default().push_str(body);
            }
        },
    )?;

    let mut docs = Vec::new();
    for (id, page) in &chosen {
        let title = page.props.get("title").cloned().unwrap_or_else(|| format!("Untitled page {id}"));
        let mut doc = Document::new(Kind::Confluence, title, format!("{location}#{id}"));
        doc.breadcrumbs = ancestors(page, &pages);
        if page.class == "BlogPost" {
            doc.breadcrumbs.insert(0, "Blog".into());
        }
        if let Some(space) = page.props.get("space").and_then(|s| spaces.get(s.as_str())) {
            for key in ["name", "key"] {
                if let Some(v) = space.props.get(key) {
                    doc.add_scope("space", v);
                }
            }
            if let Some(name) = space.props.get("name") {
                doc.fields.push(("space".into(), name.clone()));
            }
        }
        let who = |field: &str| {
            page.props.get(field).map(|k| users.get(k.as_str()).map_or(k.clone(), |n| (*n).to_string()))
        };
        doc.author =
            who("lastModifier").or_else(|| who("creator")).or_else(|| page.props.get("creatorName").cloned());
        doc.modified =
            page.props.get("lastModificationDate").or_else(|| page.props.get("creationDate")).cloned();
        if let Some(l) = labels.get(id) {
            doc.fields.push(("labels".into(), l.join(", ")));
        }
        doc.attachments = attachments.remove(id).unwrap_or_default();
        if let Some(body) = bodies.get(*id) {
            let dom = Html::parse_fragment(&unwrap_cdata(body));
            doc.sections = html::sections(dom.root_element());
        }
        docs.push(doc);
    }
    Ok(docs)
}

/// Current versions: pages without `originalVersion` whose status is `current` (or absent, in
/// older exports). A page whose current version is missing from the export is represented by
/// its newest historical version.
fn current_pages<'a>(pages: &HashMap<&'a str, &'a Object>) -> Vec<(&'a str, &'a Object)> {
    let is_current = |o: &Object| o.props.get("contentStatus").is_none_or(|s| s == "current");
    let mut chosen: Vec<(&str, &Object)> = pages
        .iter()
        .filter(|(_, o)| !o.props.contains_key("originalVersion") && is_current(o))
        .map(|(k, v)| (*k, *v))
        .collect();
    let mut fallback: HashMap<&str, (&str, &Object)> = HashMap::new();
    for (id, o) in pages {
        if let Some(orig) = o.props.get("originalVersion")
            && !pages.contains_key(orig.as_str())
        {
            let version =
                |o: &Object| o.props.get("version").and_then(|v| v.parse::<u32>().ok()).unwrap_or(0);
            let newer = fallback.get(orig.as_str()).is_none_or(|(_, best)| version(o) > version(best));
            if newer {
                fallback.insert(orig.as_str(), (id, o));
            }
        }
    }
    chosen.extend(fallback.into_values());
    chosen.sort_by_key(|(id, o)| (o.props.get("title").cloned().unwrap_or_default(), *id));
    chosen
}

fn ancestors(page: &Object, pages: &HashMap<&str, &Object>) -> Vec<String> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    let mut cur = page.props.get("parent");
    while let Some(pid) = cur {
        if !seen.insert(pid.clone()) {
            break; // a cycle in a corrupt export
        }
        let Some(parent) = pages.get(pid.as_str()) else {
            break;
        };
        out.push(parent.props.get("title").cloned().unwrap_or_default());
        cur = parent.props.get("parent");
    }
    out.reverse();
    out
}

/// Storage-format bodies contain their own CDATA sections (code macros); HTML parsing would
/// turn them into comments, so they become escaped text first.
fn unwrap_cdata(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut rest = body;
    while let Some(start) = rest.find("<![CDATA[") {
        out.push_str(&rest[..start]);
        let inner = &rest[start + 9..];
        let end = inner.find("]]>").unwrap_or(inner.len());
        out.push_str(&inner[..end].replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;"));
        rest = inner.get(end + 3..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

/// Streams `<object>` records of the classes `want` accepts, keeping the properties `keep`
/// accepts (others are skipped without being stored).
fn stream(
    path: &Path,
    location: &str,
    want: impl Fn(&str) -> bool,
    keep: impl Fn(&str) -> bool,
    mut emit: impl FnMut(Object),
) -> Result<(), InputError> {
    let file = File::open(path).map_err(|e| InputError::new(location, format!("cannot read: {e}")))?;
    let mut reader = Reader::from_reader(BufReader::with_capacity(1 << 16, file));
    let mut buf = Vec::new();
    let mut depth = 0usize;
    let mut seen_root = false;
    let mut obj: Option<Object> = None;
    // Name of the property being read (at depth 3) and whether its text is kept.
    let mut prop: Option<(String, bool)> = None;
    let mut text = String::new();

    loop {
        let event = reader.read_event_into(&mut buf).map_err(|e| {
            let pos = reader.error_position();
            InputError::at(location, line_of(path, pos), format!("malformed XML: {e}"))
        })?;
        match event {
            Event::Start(e) => {
                depth += 1;
                let name = e.local_name();
                let name = name.as_ref();
                if depth == 1 {
                    if name != "hibernate-generic" {
                        return Err(InputError::new(
                            location,
                            "not a Confluence XML export (root element is not <hibernate-generic>)",
                        ));
                    }
                    seen_root = true;
                } else if depth == 2 && name == "object" {
                    let class = attr(&e, "class");
                    obj = want(&class).then(|| Object { class, ..Object::default() });
                } else if depth == 3 && obj.is_some() {
                    let pname = attr(&e, "name");
                    let keep_it = name == "id" || (name == "property" && keep(&pname));
                    prop = keep_it.then(|| (if name == "id" { "@id".to_string() } else { pname }, true));
                    text.clear();
                }
            }
            Event::End(_) => {
                if depth == 3
                    && let (Some(o), Some((name, _))) = (obj.as_mut(), prop.take())
                {
                    let value = std::mem::take(&mut text).trim().to_string();
                    if name == "@id" {
                        o.id = value;
                    } else if !value.is_empty() {
                        o.props.insert(name, value);
                    }
                } else if depth == 2
                    && let Some(o) = obj.take()
                {
                    emit(o);
                }
                depth = depth.saturating_sub(1);
            }
            Event::Text(t) if prop.is_some() => text.push_str(&t.xml10_content()),
            Event::CData(t) if prop.is_some() => text.push_str(&t.xml10_content()),
            Event::GeneralRef(r) if prop.is_some() => match r.resolve_char_ref() {
                Ok(Some(c)) => text.push(c),
                _ => text.push_str(match &*r {
                    "amp" => "&",
                    "lt" => "<",
                    "gt" => ">",
                    "quot" => "\"",
                    "apos" => "'",
                    _ => "",
                }),
            },
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    if !seen_root {
        return Err(InputError::new(location, "not a Confluence XML export (no <hibernate-generic> root)"));
    }
    if depth != 0 {
        return Err(InputError::new(location, "truncated XML: the file ends inside an element"));
    }
    Ok(())
}

fn attr(e: &quick_xml::events::BytesStart<'_>, name: &str) -> String {
    e.try_get_attribute(name).ok().flatten().map(|a| a.value.into_owned()).unwrap_or_default()
}

/// 1-based line of a byte offset, by re-reading the file (only on the error path).
fn line_of(path: &Path, offset: u64) -> usize {
    let Ok(file) = File::open(path) else { return 1 };
    let mut line = 1;
    let mut seen = 0u64;
    for chunk in BufReader::new(file).split(b'\n') {
        let Ok(chunk) = chunk else { break };
        seen += chunk.len() as u64 + 1;
        if seen > offset {
            break;
        }
        line += 1;
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/samples/confluence");

    #[test]
    fn data_center_export_keeps_current_pages_only() {
        let docs = read(Path::new(&format!("{SAMPLES}/xml-8.5.6/entities.xml")), "entities.xml").unwrap();
        let titles: Vec<_> = docs.iter().map(|d| d.title.as_str()).collect();
        assert_eq!(titles, ["2024-04-22 Meeting notes", "Home Test", "Page With Comment"]);
        assert!(docs.iter().all(|d| d.scopes.contains(&"space:ht".to_string())), "{:?}", docs[0].scopes);
        let home = docs.iter().find(|d| d.title == "Home Test").unwrap();
        assert!(home.sections.iter().any(|s| s.text.contains("Home content body")));
        let child = docs.iter().find(|d| d.title == "Page With Comment").unwrap();
        assert_eq!(child.breadcrumbs, ["Home Test"]);
    }

    #[test]
    fn cloud_export_with_history_yields_one_page_per_current_version() {
        let docs =
            read(Path::new(&format!("{SAMPLES}/xml-cloud-attachhist/entities.xml")), "entities.xml").unwrap();
        let with_attachment: Vec<_> = docs.iter().filter(|d| d.title == "Page with attachment").collect();
        assert_eq!(with_attachment.len(), 1, "{:?}", docs.iter().map(|d| &d.title).collect::<Vec<_>>());
        let mut names = with_attachment[0].attachments.clone();
        names.sort();
        assert_eq!(names, ["attachment.txt", "attachment2.txt"]);
    }

    #[test]
    fn truncated_xml_is_reported_with_a_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("entities.xml");
        std::fs::write(&p, "<hibernate-generic>\n<object class=\"Page\">\n<id name=\"id\">1</id>\n").unwrap();
        let err = read(&p, "entities.xml").unwrap_err();
        assert!(err.reason.contains("truncated") || err.reason.contains("malformed"), "{err}");
    }
}
