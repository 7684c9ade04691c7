//! Links between pages, and the words other pages link to a page by. A site's authors name a
//! page in their links as readers ask for it: "[get certificates renewed automatically]
//! (cert-manager.md)", "see [draining connections](../envoy-container-draining/)". Those words
//! are often not the page's own (its title is *Envoy Container Draining*), so search reads
//! them as one more thing a page is called (the reranker's `link_coverage`), as web search has
//! read anchor text since its beginnings.
//!
//! [`extract`] finds the links in a page's source text (Markdown and MDX, HTML, AsciiDoc,
//! reStructuredText, Hugo `ref` shortcodes in either), [`ids`] the names a page declares for
//! links to find it by (AsciiDoc ids, reStructuredText labels), and [`Targets::resolve`] which
//! indexed page a link's target is. All work on the text alone: a link that does not resolve is
//! dropped, never an error.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

use crate::source::{Format, Unit};

/// One link: the words it is shown as, and where it points, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The link's text.
    pub text: String,
    /// Its target, as the source wrote it (relative, site-absolute, with an anchor…).
    pub target: String,
}

impl Link {
    /// Whether it points into the site (a path), not to the web, a mail address or a place on
    /// its own page.
    pub fn is_local(&self) -> bool {
        local(&self.target)
    }
}

fn local(target: &str) -> bool {
    let path = target.split(['#', '?']).next().unwrap_or_default();
    !path.is_empty() && !path.contains("://") && !path.starts_with("mailto:")
}

/// The syntaxes links are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    /// Markdown (inline and reference links; Hugo's `ref` shortcodes; HTML anchors in it).
    Markdown,
    /// HTML anchors only.
    Html,
    /// AsciiDoc (`xref:`, `<<target,text>>`, `link:`).
    AsciiDoc,
    /// reStructuredText (`:doc:` roles and hyperlinks with an embedded target).
    ReStructuredText,
}

impl Syntax {
    /// The syntax a documentation page's links are in (Confluence and Notion pages are read
    /// by their own readers, which know theirs).
    pub fn of(format: &Format) -> Option<Syntax> {
        match format {
            Format::Markdown => Some(Syntax::Markdown),
            Format::SitePage => Some(Syntax::Html),
            Format::AsciiDoc => Some(Syntax::AsciiDoc),
            Format::ReStructuredText => Some(Syntax::ReStructuredText),
            _ => None,
        }
    }
}

/// Whether a unit is one page other pages may link to by its path.
fn linkable(format: &Format) -> bool {
    Syntax::of(format).is_some() || matches!(format, Format::NotionPage(_) | Format::ConfluencePage(_))
}

/// A link's text longer than this is a paragraph made a link, not a name. Checked after
/// matching: a bounded repetition in the patterns (`{1,200}`) compiles to an automaton as many
/// times larger.
const MAX_TEXT: usize = 200;

static MARKDOWN: LazyLock<Regex> = LazyLock::new(|| {
    // `[text](target "title")`, the target possibly a Hugo shortcode with spaces in it, or a
    // path with a template's variable in it (`/docs/{{ page.release }}/policies/retry`); not
    // an image (`![alt](src)`), whose text is not a name for a page.
    Regex::new(
        r"(^|[^!\\])\[([^\[\]\n]+)\]\(\s*(\{\{[<%][^\n]*?[%>]\}\}|<[^>\n]+>|(?:\{\{[^{}\n]*\}\}|[^)\s])+)",
    )
    .expect("valid regex")
});
static REFERENCE_USE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(^|[^!\\])\[([^\[\]\n]+)\]\[([^\[\]\n]*)\]").expect("valid regex"));
static REFERENCE_DEFINITION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?m)^ {0,3}\[([^\[\]\n]+)\]:\s*<?([^\s>]+)").expect("valid regex"));
static HTML: LazyLock<Regex> = LazyLock::new(|| {
    // The target may be a Hugo shortcode, quotes and all: `href="{{< ref "page.md" >}}"`.
    Regex::new(r#"(?is)<a\s[^>]*?href\s*=\s*(?:"(\{\{[<%].*?[%>]\}\})"|["']([^"']+)["'])[^>]*>(.*?)</a\s*>"#)
        .expect("valid regex")
});
static TAG: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"<[^>]*>").expect("valid regex"));
static HUGO_REF: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"(?:rel)?ref\s+"?([^"\s%>]+)"#).expect("valid regex"));
static ASCIIDOC: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:xref|link):([^\s\[\]]+)\[([^\]\n]+)\]|<<([^,>\n]+),\s*([^>\n]+)>>").expect("valid regex")
});
static RST: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?::doc:|:ref:)?`([^`<\n]+?)\s*<([^>`\n]+)>`_{0,2}").expect("valid regex"));

/// The links of a page's source text, in the order written.
pub fn extract(syntax: Syntax, text: &str) -> Vec<Link> {
    let mut links = Vec::new();
    let mut add = |shown: &str, target: &str| {
        let shown = TAG.replace_all(shown, " ");
        let shown =
            html_escape::decode_html_entities(&shown).split_whitespace().collect::<Vec<_>>().join(" ");
        if !shown.is_empty() && shown.len() <= MAX_TEXT && !target.trim().is_empty() {
            links.push(Link { text: shown, target: target.trim().to_string() });
        }
    };
    match syntax {
        Syntax::Markdown => {
            for c in MARKDOWN.captures_iter(text) {
                add(&c[2], path_of(c[3].trim_matches(['<', '>'])));
            }
            let definitions: HashMap<String, &str> = REFERENCE_DEFINITION
                .captures_iter(text)
                .filter_map(|c| Some((c[1].to_lowercase(), c.get(2)?.as_str())))
                .collect();
            for c in REFERENCE_USE.captures_iter(text) {
                // `[text][]` names its definition by its text.
                let label = if c[3].is_empty() { &c[2] } else { &c[3] };
                if let Some(target) = definitions.get(&label.to_lowercase()) {
                    add(&c[2], target);
                }
            }
            html(text, &mut add);
        }
        Syntax::Html => html(text, &mut add),
        Syntax::AsciiDoc => {
            for c in ASCIIDOC.captures_iter(text) {
                match (c.get(1), c.get(2), c.get(3), c.get(4)) {
                    (Some(t), Some(s), ..) | (.., Some(t), Some(s)) => add(s.as_str(), t.as_str()),
                    _ => {}
                }
            }
        }
        Syntax::ReStructuredText => {
            for c in RST.captures_iter(text) {
                add(&c[1], &c[2]);
            }
        }
    }
    links
}

static ASCIIDOC_ID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?m)^\[(?:id=["']?([^"'\],]+)["']?|\[([^\],\n]+)|#([^\].,\n]+))"#).expect("valid regex")
});
static RST_LABEL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?m)^\.\. _([^:`\n]+):\s*$").expect("valid regex"));

/// The names a page declares for links to find it by rather than by its path: AsciiDoc ids
/// (`[id='tls-{context}']`, `[[tls]]`, `[#tls]`) and reStructuredText labels (`.. _tls:`),
/// which `xref:tls[…]`, `<<tls,…>>` and `:ref:` name. Markdown links by path.
pub fn ids(syntax: Syntax, text: &str) -> Vec<String> {
    let pattern: &Regex = match syntax {
        Syntax::AsciiDoc => &ASCIIDOC_ID,
        Syntax::ReStructuredText => &RST_LABEL,
        Syntax::Markdown | Syntax::Html => return Vec::new(),
    };
    pattern
        .captures_iter(text)
        .filter_map(|c| c.iter().skip(1).flatten().next().map(|m| m.as_str().trim().to_lowercase()))
        .filter(|id| !id.is_empty())
        .collect()
}

/// The HTML anchors of `text`, to `add` (text, target).
fn html(text: &str, add: &mut impl FnMut(&str, &str)) {
    for c in HTML.captures_iter(text) {
        if let (Some(target), Some(shown)) = (c.get(1).or_else(|| c.get(2)), c.get(3)) {
            add(shown.as_str(), path_of(target.as_str()));
        }
    }
}

/// A link's target with a Hugo `ref`/`relref` shortcode read as the path it names.
fn path_of(target: &str) -> &str {
    if !target.starts_with("{{") {
        return target;
    }
    HUGO_REF.captures(target).and_then(|r| r.get(1)).map_or(target, |m| m.as_str())
}

/// The pages of an indexing run that links may point to, by the forms of their paths a link
/// may write: the whole path without its extension, and each shorter tail of it.
#[derive(Debug, Default)]
pub struct Targets {
    /// A page's path as a link may write it (see [`slug`]), to its logical path.
    paths: HashMap<String, String>,
    /// Each tail of a page's path (`config/tls`, `tls`), to the one page it names; `None` when
    /// several pages end alike.
    tails: HashMap<String, Option<String>>,
    /// The names pages declare (see [`ids`]), to the one page that declares each.
    names: HashMap<String, Option<String>>,
}

impl Targets {
    /// The pages among `units` (of a format other pages link to by path).
    pub fn new(units: &[Unit]) -> Targets {
        let mut paths = HashMap::new();
        let mut tails: HashMap<String, Option<String>> = HashMap::new();
        for unit in units.iter().filter(|u| linkable(&u.format)) {
            let Some(file) = unit.files.first() else { continue };
            let path = slug(&file.logical);
            let parts: Vec<&str> = path.split('/').collect();
            for i in 1..parts.len() {
                let tail = parts[i..].join("/");
                unique(&mut tails, tail, &file.logical);
            }
            paths.insert(path, file.logical.clone());
        }
        Targets { paths, tails, names: HashMap::new() }
    }

    /// Adds the names the page at `logical` declares (see [`ids`]).
    pub fn declare(&mut self, logical: &str, ids: Vec<String>) {
        for id in ids {
            unique(&mut self.names, id, logical);
        }
    }

    /// The logical path of the page a link in `from` (a logical path) points to, if the run
    /// holds it and it is not `from` itself. A relative target is read against the page's
    /// folder, then against the page as a folder (a site's pages are served as folders:
    /// `../other/` from `guide/page.md` means `guide/other`); a target still not found — or
    /// site-absolute, whose root is the site's, not the index's — names the page whose path
    /// ends the way it does, the longest such tail that one page alone ends with.
    pub fn resolve(&self, from: &str, target: &str) -> Option<&str> {
        if !local(target) {
            return None;
        }
        let target = target.split(['#', '?']).next().unwrap_or_default();
        let target = percent_encoding::percent_decode_str(target).decode_utf8_lossy();
        let found = if target.starts_with('/') {
            None
        } else {
            let folder = from.rsplit_once('/').map_or("", |(dir, _)| dir);
            self.paths
                .get(&slug(&joined(folder, &target)))
                .or_else(|| self.paths.get(&slug(&joined(&slug(from), &target))))
                .map(String::as_str)
        };
        // A name a page declares (`xref:tls-{context}[…]`) before a path's tail: a page
        // declaring it is the one meant.
        let found = found.or_else(|| self.names.get(&target.to_lowercase())?.as_deref());
        let found = found.or_else(|| {
            let path = slug(&target);
            let parts: Vec<&str> = path.split('/').filter(|p| !matches!(*p, "" | "." | "..")).collect();
            (0..parts.len()).find_map(|i| self.tails.get(&parts[i..].join("/"))?.as_deref())
        });
        found.filter(|&to| to != from)
    }
}

/// Maps `key` to `page`, or to nothing when another page holds it too.
fn unique(map: &mut HashMap<String, Option<String>>, key: String, page: &str) {
    map.entry(key)
        .and_modify(|one| {
            if one.as_deref() != Some(page) {
                *one = None;
            }
        })
        .or_insert_with(|| Some(page.to_string()));
}

/// A path as links write it: lower case, without a page's extension, a folder's index page
/// as the folder (`guide/_index.md`, `guide/README.md`: `guide`), no slash at either end.
fn slug(path: &str) -> String {
    let lower = path.to_lowercase();
    let mut s = lower.trim_end_matches('/');
    for ext in [".md", ".mdx", ".markdown", ".html", ".htm", ".adoc", ".asciidoc", ".rst"] {
        if let Some(stem) = s.strip_suffix(ext) {
            s = stem;
            break;
        }
    }
    for index in ["index", "_index", "readme"] {
        if let Some(folder) = s.strip_suffix(index).filter(|f| f.is_empty() || f.ends_with('/')) {
            s = folder;
            break;
        }
    }
    s.trim_matches('/').to_string()
}

/// `target` read from within `folder`, `.` and `..` taken.
fn joined(folder: &str, target: &str) -> String {
    let mut parts: Vec<&str> = folder.split('/').filter(|p| !p.is_empty()).collect();
    for part in target.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    let rooted = if folder.starts_with('/') { "/" } else { "" };
    format!("{rooted}{}", parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn targets(paths: &[&str]) -> Targets {
        let file = |p: &str| crate::source::FileRef { disk: p.into(), logical: p.to_string(), size: 0 };
        let units: Vec<Unit> = paths
            .iter()
            .map(|p| Unit { id: p.to_string(), format: Format::Markdown, files: vec![file(p)] })
            .collect();
        Targets::new(&units)
    }

    fn pairs(syntax: Syntax, text: &str) -> Vec<(String, String)> {
        extract(syntax, text).into_iter().map(|l| (l.text, l.target)).collect()
    }

    #[test]
    fn markdown_links_are_read_in_every_form_and_images_are_not() {
        let text = "See [drain connections](../draining.md#how) and ![a diagram](d.png).\n\
                    Use [the `ref` way]({{< ref \"config/tls.md\" >}}), [a named one][tls] or [tls][].\n\
                    <a href=\"/docs/upgrade/\">Upgrading <b>safely</b></a>\n\n[tls]: ./config/tls.md\n\
                    <a href=\"{{< ref \"../meta#ObjectMeta\" >}}\">ObjectMeta</a>\n\
                    Do not combine with [Retry](/docs/{{ page.release }}/policies/retry).\n";
        assert_eq!(
            pairs(Syntax::Markdown, text),
            [
                ("drain connections", "../draining.md#how"),
                ("the `ref` way", "config/tls.md"),
                ("Retry", "/docs/{{ page.release }}/policies/retry"),
                ("a named one", "./config/tls.md"),
                ("tls", "./config/tls.md"),
                ("Upgrading safely", "/docs/upgrade/"),
                ("ObjectMeta", "../meta#ObjectMeta"),
            ]
            .map(|(a, b)| (a.to_string(), b.to_string()))
        );
    }

    #[test]
    fn asciidoc_and_rst_links_are_read() {
        assert_eq!(
            pairs(Syntax::AsciiDoc, "see xref:assembly-tls.adoc[securing listeners] or <<proxy,the proxy>>"),
            [("securing listeners", "assembly-tls.adoc"), ("the proxy", "proxy")]
                .map(|(a, b)| (a.to_string(), b.to_string()))
        );
        assert_eq!(
            pairs(Syntax::ReStructuredText, "read :doc:`handling errors <errors>` first"),
            [("handling errors".to_string(), "errors".to_string())]
        );
    }

    #[test]
    fn targets_resolve_relative_site_absolute_and_folder_style() {
        let t = targets(&["site/docs/guide/a.md", "site/docs/config/tls.md", "site/docs/ops/_index.md"]);
        let from = "site/docs/guide/a.md";
        assert_eq!(t.resolve(from, "../config/tls.md#x"), Some("site/docs/config/tls.md"));
        assert_eq!(t.resolve(from, "/docs/config/tls/"), Some("site/docs/config/tls.md"));
        assert_eq!(t.resolve(from, "../../ops/"), Some("site/docs/ops/_index.md"));
        assert_eq!(t.resolve(from, "../config/tls%2Emd"), Some("site/docs/config/tls.md"));
        // A template's variable in the path: its tail names the page.
        assert_eq!(t.resolve(from, "/docs/{{ page.release }}/config/tls"), Some("site/docs/config/tls.md"));
        // Itself, elsewhere, an anchor alone: nothing.
        assert_eq!(t.resolve(from, "a.md"), None);
        assert_eq!(t.resolve(from, "https://example.com/config/tls"), None);
        assert_eq!(t.resolve(from, "#top"), None);
    }

    #[test]
    fn names_pages_declare_are_found_by_the_links_that_name_them() {
        let adoc = "[id='proc-tls-{context}']\n= Securing listeners\n\n[[other]]\n== Part\n";
        assert_eq!(ids(Syntax::AsciiDoc, adoc), ["proc-tls-{context}", "other"]);
        assert_eq!(ids(Syntax::ReStructuredText, ".. _never-again:\n\nTitle\n=====\n"), ["never-again"]);
        let mut t = targets(&["docs/tls.adoc", "docs/guide.adoc", "docs/filters.rst"]);
        t.declare("docs/tls.adoc", ids(Syntax::AsciiDoc, adoc));
        t.declare("docs/filters.rst", vec!["never-again".into()]);
        assert_eq!(t.resolve("docs/guide.adoc", "proc-tls-{context}"), Some("docs/tls.adoc"));
        assert_eq!(t.resolve("docs/guide.adoc", "never-again"), Some("docs/filters.rst"));
    }

    #[test]
    fn a_tail_several_pages_end_with_names_none_of_them() {
        let t = targets(&["a/v1/install.md", "a/v2/install.md", "a/guide.md"]);
        assert_eq!(t.resolve("a/guide.md", "/install/"), None);
        assert_eq!(t.resolve("a/guide.md", "/docs/v2/install/"), Some("a/v2/install.md"));
    }

    proptest::proptest! {
        #[test]
        fn any_text_and_any_target_are_read_without_panicking(text in "\\PC{0,300}", target in "\\PC{0,60}") {
            for syntax in [Syntax::Markdown, Syntax::Html, Syntax::AsciiDoc, Syntax::ReStructuredText] {
                for link in extract(syntax, &text) {
                    proptest::prop_assert!(!link.text.is_empty() && link.text.len() <= MAX_TEXT);
                }
            }
            let t = targets(&["docs/a.md", "docs/b/index.md"]);
            let _ = t.resolve("docs/a.md", &target);
        }
    }
}
