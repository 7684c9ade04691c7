//! Notion exports ("Markdown & CSV", and the HTML variant).
//!
//! Every page, folder and database file is named `<title> <32 hex id>`. A database is a
//! `.csv` (and an `_all.csv` with hidden columns too) next to a folder holding one page per
//! row; each row becomes one document whose fields come from the CSV and whose body comes
//! from its row page. Folders give the breadcrumbs, ids are stripped from every title, and
//! links between pages are reduced to the title they point at.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;
use scraper::{Html, Selector};

use super::{html, markdown};
use crate::error::InputError;
use crate::model::{Document, Kind};
use redact::redact_text;

static ID_SUFFIX: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^(.*?)\s*\b([0-9a-f]{32})$").unwrap());

/// Splits a Notion file or folder name (extension already removed) into title and id.
pub fn split_name(stem: &str) -> Option<(String, String)> {
    let stem = stem.strip_suffix("_all").unwrap_or(stem);
    let caps = ID_SUFFIX.captures(stem)?;
    Some((caps[1].trim().to_string(), caps[2].to_string()))
}

/// Is this a Notion-style name (`Title <32 hex>`, with or without extension)?
pub fn is_notion_name(name: &str) -> bool {
    let stem = name.rsplit_once('.').map_or(name, |(s, ext)| if ext.len() <= 4 { s } else { name });
    split_name(stem).is_some()
}

/// Title of a Notion path component: the name without extension and id.
pub fn title_of(name: &str) -> String {
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
    split_name(stem).map_or_else(|| stem.to_string(), |(t, _)| t)
}

/// Where a page sits: its ancestors (from Notion-named folders) and, for a row page, the
/// database it belongs to.
#[derive(Debug, Clone, Default)]
pub struct Placement {
    /// Titles of the enclosing pages, top down.
    pub breadcrumbs: Vec<String>,
    /// Title of the database, for row pages.
    pub database: Option<String>,
}

/// Reads a Markdown page. Row pages (`database` set) start with `Property: value` lines.
pub fn parse_markdown_page(text: &str, location: &str, file_name: &str, place: &Placement) -> Document {
    let text = clean_links(text);
    let mut page = markdown::parse(&text);
    let title = page.title.take().unwrap_or_else(|| title_of(file_name));
    let mut doc = Document::new(Kind::Notion, title, location);
    place_doc(&mut doc, place);
    if place.database.is_some() && page.sections.first().is_some_and(|s| s.heading.is_empty()) {
        let first = page.sections.remove(0);
        let (props, rest) = split_properties(&first.text);
        doc.fields.extend(props);
        if !rest.trim().is_empty() {
            page.sections.insert(0, crate::model::Section { text: rest.trim().to_string(), ..first });
        }
    }
    doc.sections = page.sections;
    doc
}

/// Reads an HTML page (`<article class="page">` with an optional properties table).
pub fn parse_html_page(text: &str, location: &str, file_name: &str, place: &Placement) -> Document {
    static TITLE: LazyLock<Selector> = LazyLock::new(|| Selector::parse("h1.page-title").unwrap());
    static PROPS: LazyLock<Selector> = LazyLock::new(|| Selector::parse("table.properties tr").unwrap());
    static CELL: LazyLock<Selector> = LazyLock::new(|| Selector::parse("th, td").unwrap());
    static BODY: LazyLock<Selector> = LazyLock::new(|| Selector::parse(".page-body").unwrap());
    let dom = Html::parse_document(text);
    let title = dom
        .select(&TITLE)
        .next()
        .map(html::text_of)
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| title_of(file_name));
    let mut doc = Document::new(Kind::Notion, title, location);
    place_doc(&mut doc, place);
    for row in dom.select(&PROPS) {
        let cells: Vec<String> = row.select(&CELL).map(html::text_of).collect();
        if let [name, value] = cells.as_slice() {
            doc.fields.push((name.clone(), redact_text(value).into_owned()));
        }
    }
    if let Some(body) = dom.select(&BODY).next() {
        doc.sections = html::sections(body);
    }
    doc
}

fn place_doc(doc: &mut Document, place: &Placement) {
    doc.breadcrumbs.clone_from(&place.breadcrumbs);
    if let Some(db) = &place.database {
        doc.add_scope("database", db);
        doc.fields.insert(0, ("database".into(), db.clone()));
    }
}

/// Reads a database CSV (UTF-8 with BOM, header = property names, first column = title).
/// Each row is merged with its row page when there is one (matched by title, in order);
/// row pages without a CSV row are kept as documents of their own.
pub fn parse_database(
    csv_text: &str,
    location: &str,
    database: &str,
    breadcrumbs: &[String],
    row_pages: Vec<Document>,
) -> Result<Vec<Document>, InputError> {
    let csv_text = csv_text.strip_prefix('\u{feff}').unwrap_or(csv_text);
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(csv_text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| csv_error(location, &e))?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').trim().to_string())
        .collect();
    let mut pages: HashMap<String, Vec<Document>> = HashMap::new();
    for page in row_pages {
        pages.entry(page.title.trim().to_string()).or_default().push(page);
    }
    let mut docs = Vec::new();
    for (n, record) in reader.records().enumerate() {
        let record = record.map_err(|e| csv_error(location, &e))?;
        let title = record.get(0).map(|t| clean_links(t.trim()).into_owned()).unwrap_or_default();
        let page = pages.get_mut(&title).and_then(|v| (!v.is_empty()).then(|| v.remove(0)));
        let mut doc = page.unwrap_or_else(|| {
            let mut d = Document::new(Kind::Notion, title.clone(), format!("{location}:{}", n + 2));
            d.breadcrumbs = breadcrumbs.to_vec();
            d.add_scope("database", database);
            d
        });
        // The CSV (especially `_all.csv`) is the complete set of properties.
        doc.fields.retain(|(k, _)| k == "database");
        if doc.fields.is_empty() {
            doc.fields.push(("database".into(), database.to_string()));
        }
        for (name, value) in headers.iter().zip(record.iter()).skip(1) {
            let value = clean_links(value.trim());
            if !value.is_empty() {
                doc.fields.push((name.clone(), redact_text(&value).into_owned()));
            }
        }
        docs.push(doc);
    }
    let mut rest: Vec<Document> = pages.into_values().flatten().collect();
    rest.sort_by(|a, b| a.location.cmp(&b.location));
    docs.extend(rest);
    Ok(docs)
}

fn csv_error(location: &str, e: &csv::Error) -> InputError {
    match e.position() {
        Some(pos) => InputError::at(location, pos.line() as usize, format!("invalid CSV: {e}")),
        None => InputError::new(location, format!("invalid CSV: {e}")),
    }
}

/// Splits the `Property: value` lines at the top of a row page from the rest of its text.
fn split_properties(text: &str) -> (Vec<(String, String)>, &str) {
    static PROP: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^([^:\n]{1,60}):\s?(.*)$").unwrap());
    let mut props = Vec::new();
    let mut consumed = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_end();
        if trimmed.is_empty() {
            consumed += line.len();
            break;
        }
        match PROP.captures(trimmed) {
            Some(c) if !c[1].starts_with(['#', '-', '*', '|', '`', '>']) => {
                props.push((c[1].trim().to_string(), redact_text(c[2].trim()).into_owned()));
                consumed += line.len();
            }
            _ => break,
        }
    }
    (props, &text[consumed.min(text.len())..])
}

/// Links between export files carry percent-encoded paths with ids; readers want the title.
/// `[Checkout](Services%20abc…/checkout%20def….md)` becomes `Checkout`, a relation value
/// `checkout (Services%20abc…/checkout%20def….md)` becomes `checkout`, and images go.
pub fn clean_links(text: &str) -> std::borrow::Cow<'_, str> {
    static IMAGE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"!\[[^\]]*\]\([^)]*\)").unwrap());
    static LINK: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\[([^\]]*)\]\(([^)\s]*?(?:%20|\s)?[0-9a-f]{32}(?:\.md|\.csv|\.html)?)\)").unwrap()
    });
    static RELATION: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\s*\([^()]*[0-9a-f]{32}\.(?:md|csv|html)\)").unwrap());
    if !text.contains("](") && !text.contains(".md)") && !text.contains(".csv)") {
        return std::borrow::Cow::Borrowed(text);
    }
    let text = IMAGE.replace_all(text, "");
    let text = LINK.replace_all(&text, |c: &regex::Captures| {
        if c[1].trim().is_empty() {
            let target = percent_encoding::percent_decode_str(&c[2]).decode_utf8_lossy().into_owned();
            title_of(target.rsplit('/').next().unwrap_or(&target))
        } else {
            c[1].to_string()
        }
    });
    std::borrow::Cow::Owned(RELATION.replace_all(&text, "").into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_lose_their_ids() {
        assert_eq!(title_of("Home 2a889dba369b48709ec62508d5020d93.md"), "Home");
        assert_eq!(title_of("Services 8a2d4f6b1c3e4a5b9d7f0e1c2b3a4d5e_all.csv"), "Services");
        assert_eq!(title_of("@Today 152bb52ee2b5804da922efa8c3194444"), "@Today");
        assert!(is_notion_name("Team Handbook 3f9c1e2a7b4d4c0e9a51d2b6c8e7f013.md"));
        assert!(!is_notion_name("README.md"));
    }

    #[test]
    fn row_pages_keep_properties_as_fields() {
        let place =
            Placement { breadcrumbs: vec!["Engineering".into()], database: Some("Service Catalog".into()) };
        let md = "# checkout\n\nTeam: Payments (../Teams%20abcdefabcdefabcdefabcdefabcdefab/Payments%2012345678901234567890123456789012.md)\nTier: 1\n\nHandles the basket to order flow.\n\n## Runbook\n\nRestart it.\n";
        let doc = parse_markdown_page(md, "x.md", "checkout 5c7e9a1b3d5f4e6a8c0b2d4f6a8c0e1b.md", &place);
        assert_eq!(doc.title, "checkout");
        assert_eq!(
            doc.fields,
            [
                ("database".into(), "Service Catalog".into()),
                ("Team".into(), "Payments".into()),
                ("Tier".into(), "1".into())
            ]
        );
        assert_eq!(doc.sections[0].text, "Handles the basket to order flow.");
        assert_eq!(doc.sections[1].heading, ["Runbook"]);
        assert_eq!(doc.scopes, ["database:service catalog"]);
    }

    #[test]
    fn csv_rows_merge_with_their_pages() {
        let csv = "\u{feff}Name,Team,Tier\ncheckout,Payments,1\nsearch ,Discovery,2\n";
        let place = Placement { breadcrumbs: vec![], database: Some("Services".into()) };
        let page = parse_markdown_page(
            "# checkout\n\nTeam: Payments\n\nBody text.\n",
            "c.md",
            "checkout.md",
            &place,
        );
        let docs = parse_database(csv, "s.csv", "Services", &[], vec![page]).unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].location, "c.md");
        assert_eq!(docs[0].sections[0].text, "Body text.");
        assert!(docs[0].fields.contains(&("Tier".into(), "1".into())));
        assert_eq!(docs[1].title, "search");
        assert_eq!(docs[1].location, "s.csv:3");
    }

    #[test]
    fn links_become_titles() {
        let md = "See [the runbook](Runbooks%20abcdefabcdefabcdefabcdefabcdefab/Checkout%2012345678901234567890123456789012.md) and ![d](img.png).";
        assert_eq!(clean_links(md), "See the runbook and .");
    }
}
