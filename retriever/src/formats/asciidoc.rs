//! AsciiDoc pages (`.adoc`, `.asciidoc`), as Antora and Asciidoctor documentation sites write
//! them. Rather than a second section splitter, the page is rewritten line by line into the
//! Markdown that says the same (`== Section` → `## Section`, listing blocks → code fences,
//! `xref:page.adoc[Text]` → `Text`) and handed to the Markdown reader: sections, anchors and
//! snippets then behave exactly as for Markdown. Markup that is not content — attribute entries,
//! block attributes, comments, includes, passthrough HTML — is dropped, never shown raw.

use std::sync::LazyLock;

use regex::Regex;

use super::markdown::{self, Page};

/// Parses an AsciiDoc page: its title (`= Title`), its description attribute, and its body
/// split at its section titles.
pub fn parse(text: &str) -> Page {
    markdown::parse(&to_markdown(text))
}

/// What a delimited block does to the lines inside it.
#[derive(Clone, Copy, PartialEq)]
enum Block {
    /// `----`, `....`: verbatim, as a code fence.
    Verbatim,
    /// `////` comments and `++++` passthrough (raw HTML): dropped.
    Dropped,
    /// Example, sidebar, quote, open and table blocks: only the delimiter goes, the content
    /// stays text.
    Text,
}

/// The same page in Markdown.
pub fn to_markdown(text: &str) -> String {
    static HEADING: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^(={1,6})\s+(\S.*)$").unwrap());
    static ATTRIBUTE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^:([\w-]+)!?:\s*(.*)$").unwrap());
    static ADMONITION: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^(NOTE|TIP|IMPORTANT|WARNING|CAUTION):\s+").unwrap());
    let mut out = String::with_capacity(text.len());
    let mut open: Option<(String, Block)> = None;
    let mut description = None;
    // Where the page title's line ends: the description (an attribute of the header, which
    // comes after the title) goes there.
    let mut after_title: Option<usize> = None;
    for line in text.lines() {
        let trimmed = line.trim_end();
        if let Some((delimiter, block)) = &open {
            if trimmed == delimiter {
                if *block == Block::Verbatim {
                    out.push_str("```\n");
                }
                open = None;
            } else if *block == Block::Verbatim {
                out.push_str(line);
                out.push('\n');
            }
            continue;
        }
        if let Some(block) = delimiter(trimmed) {
            if block == Block::Verbatim {
                out.push_str("```\n");
            }
            if block != Block::Text {
                open = Some((trimmed.to_string(), block));
            }
            continue;
        }
        if trimmed.starts_with("//") || trimmed == "+" || is_macro_line(trimmed) {
            continue;
        }
        if trimmed.starts_with('[') && trimmed.ends_with(']') {
            continue; // block attributes, anchors: `[source,yaml]`, `[NOTE]`, `[[install]]`
        }
        if let Some(c) = ATTRIBUTE.captures(trimmed) {
            if &c[1] == "description" && !c[2].trim().is_empty() {
                description = Some(c[2].trim().to_string());
            }
            continue;
        }
        if let Some(c) = HEADING.captures(trimmed) {
            let level = c[1].len();
            out.push_str(&"#".repeat(level));
            out.push(' ');
            out.push_str(&inline(&c[2]));
            out.push_str("\n\n");
            if level == 1 && after_title.is_none() {
                after_title = Some(out.len());
            }
            continue;
        }
        let line = ADMONITION.replace(trimmed, |c: &regex::Captures| {
            let word = &c[1];
            format!("{}{}: ", &word[..1], word[1..].to_lowercase())
        });
        // List items, `. Step`, `.. Sub-step`, `** Point`, as Markdown lists nested alike.
        let line = match LIST_ITEM.captures(&line) {
            Some(c) => {
                let depth = c[1].len() - 1;
                let marker = if c[1].starts_with('.') { "1." } else { "-" };
                std::borrow::Cow::Owned(format!("{}{marker} {}", "  ".repeat(depth), &c[2]))
            }
            None => line,
        };
        // `.Title` of a block is a caption, not a sentence starting with a dot.
        let line = match line.strip_prefix('.') {
            Some(rest) if rest.starts_with(|c: char| c.is_alphanumeric()) => rest.to_string(),
            _ => line.into_owned(),
        };
        // Table cells: `| a | b` reads as text.
        let line = if line.starts_with('|') {
            line.split('|').map(str::trim).filter(|c| !c.is_empty()).collect::<Vec<_>>().join(" ")
        } else {
            line
        };
        out.push_str(&inline(&line));
        out.push('\n');
    }
    if let Some(d) = description {
        // Right under the title, where a reader looks first (or first, without a title).
        out.insert_str(after_title.unwrap_or(0), &format!("{}\n\n", inline(&d)));
    }
    out
}

/// An ordered (`.`, `..`) or unordered (`*`, `**`) list item's marker and text.
static LIST_ITEM: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^(\.{1,5}|\*{1,5})\s+(\S.*)$").unwrap());

/// The kind of delimited block a line opens, if it is a delimiter.
fn delimiter(line: &str) -> Option<Block> {
    let repeated = |c: char| line.len() >= 4 && line.chars().all(|x| x == c);
    if repeated('-') || repeated('.') {
        Some(Block::Verbatim)
    } else if repeated('/') || repeated('+') {
        Some(Block::Dropped)
    } else if repeated('=') || repeated('*') || repeated('_') || line == "--" || line.starts_with("|===") {
        Some(Block::Text)
    } else {
        None
    }
}

/// Block macros that carry no text of their own: `include::`, `image::`, `toc::`, `ifdef::`…
fn is_macro_line(line: &str) -> bool {
    static MACRO: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[a-z]+::\S*\[.*\]$").unwrap());
    MACRO.is_match(line)
}

/// Inline macros to their text: `xref:page.adoc[Text]`, `link:url[Text]`, `https://…[Text]`,
/// `<<anchor,Text>>`, `kbd:[Ctrl+C]`; an empty text keeps the target.
fn inline(line: &str) -> String {
    static MACRO: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\b(?:xref|link|mailto|kbd|btn|menu|pass|footnote|image|icon):([^\[\s]*)\[([^\]]*)\]")
            .unwrap()
    });
    static URL: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(https?://[^\[\s]+)\[([^\]]*)\]").unwrap());
    static XREF: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"<<([^,>]+)(?:,\s*([^>]+))?>>").unwrap());
    let keep = |target: &str, text: &str| {
        let text = text.trim().trim_matches('"');
        if text.is_empty() { target.to_string() } else { text.to_string() }
    };
    let line = MACRO.replace_all(line, |c: &regex::Captures| keep(&c[1], &c[2]));
    let line = URL.replace_all(&line, |c: &regex::Captures| keep(&c[1], &c[2]));
    XREF.replace_all(&line, |c: &regex::Captures| keep(&c[1], c.get(2).map_or("", |m| m.as_str())))
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = "\
= Upgrading the operator
:description: How to move the operator to a new minor version.
:toc: left
// a line comment nobody should see

[[before]]
== Before you start

NOTE: Read xref:release-notes.adoc[the release notes] and <<rollback,how to roll back>>.

.Check the version
[source,shell]
----
kubectl get deploy operator -o yaml
== not a heading inside a listing
----

////
An internal comment block.
////

include::partial$shared.adoc[]

[#rollback]
=== Roll back

|===
| Version | Command
| 1.2 | helm rollback operator
|===

. Edit the `Kafka` resource.
.. Change `spec.kafka.version`.
* Check the logs.

See https://example.org/docs[the docs] or link:faq.html[].
";

    #[test]
    fn sections_titles_and_text_without_markup() {
        let page = parse(PAGE);
        assert_eq!(page.title.as_deref(), Some("Upgrading the operator"));
        let headings: Vec<String> = page.sections.iter().map(|s| s.heading.join(" > ")).collect();
        assert_eq!(headings, ["", "Before you start", "Before you start > Roll back"], "{:?}", page.sections);
        let all: String = page.sections.iter().map(|s| s.text.as_str()).collect::<Vec<_>>().join("\n");
        assert!(all.contains("How to move the operator to a new minor version."), "{all}");
        assert!(all.contains("Note: Read the release notes and how to roll back."), "{all}");
        assert!(all.contains("kubectl get deploy operator -o yaml"), "{all}");
        assert!(all.contains("== not a heading inside a listing"), "the listing is verbatim: {all}");
        assert!(all.contains("1.2 helm rollback operator"), "{all}");
        assert!(all.contains("See the docs or faq.html."), "{all}");
        // List items as Markdown's, nested alike, not as dots.
        assert!(
            all.contains(
                "1. Edit the `Kafka` resource.\n  1. Change `spec.kafka.version`.\n- Check the logs."
            ),
            "{all}"
        );
        for raw in ["xref:", "<<", "////", "comment", "include::", "[source", ":toc:", "|===", "[[before]]"] {
            assert!(!all.contains(raw), "{raw} leaked: {all}");
        }
    }

    #[test]
    fn an_unclosed_block_or_odd_markup_never_panics() {
        for text in ["----\nno end", "////", "= ", ":description:", "<<>>", "xref:[]", "|===\n|", ".", "["] {
            let _ = parse(text);
        }
    }

    #[test]
    fn adoc_files_are_indexed_and_found() {
        let index = crate::test_docs::index_files(&[("guide/upgrade.adoc", PAGE)]);
        assert_eq!(index.summary.documents, 1);
        let hits = crate::Searcher::open(index.path())
            .unwrap()
            .search(&crate::SearchQuery { text: "helm rollback".into(), limit: 3, ..Default::default() })
            .unwrap();
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].title, "Upgrading the operator");
        assert_eq!(hits[0].kind, "markdown");
        assert!(hits[0].location.contains("guide/upgrade.adoc"), "{}", hits[0].location);
    }

    proptest::proptest! {
        #[test]
        fn any_text_parses(text in "([=:\\[\\]<>|.+/*_ -]{0,6}(xref|link|NOTE|include)?[a-zé:,]{0,6}\n?){0,30}") {
            let _ = parse(&text);
        }
    }
}
