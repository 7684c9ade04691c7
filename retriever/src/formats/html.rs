//! HTML (and Confluence storage-format XHTML) to heading sections.
//!
//! One DOM walk serves every HTML-based reader: Confluence HTML exports, Confluence XML
//! bodies (storage format, parsed as HTML after CDATA is unwrapped) and Notion HTML pages.
//! It keeps what an engineer needs to read an answer: headings as a path, paragraphs, list
//! items, code blocks with their language, tables as pipe rows, panels with their kind
//! ("Warning: …"). Tables of contents, scripts and styles are dropped.

use scraper::{ElementRef, Node};

use crate::model::Section;

/// Walks `root`'s children and returns the sections under each heading. Text before the
/// first heading becomes a section with an empty heading path.
pub fn sections(root: ElementRef<'_>) -> Vec<Section> {
    let mut b = Builder::default();
    b.children(root);
    b.finish()
}

/// Like [`sections`], for a page of a built documentation site: its chrome (navigation bars,
/// sidebars, headers, footers, breadcrumbs, tables of contents, permalink anchors) is skipped.
pub fn site_sections(root: ElementRef<'_>) -> Vec<Section> {
    let mut b = Builder { skip_chrome: true, ..Builder::default() };
    b.children(root);
    b.finish()
}

/// Classes documentation-site themes give their chrome (MkDocs Material, Docusaurus, Hugo's
/// Docsy, Sphinx): never the page's content.
const CHROME_CLASSES: &[&str] = &[
    "sidebar",
    "md-sidebar",
    "md-header",
    "md-footer",
    "md-tabs",
    "navbar",
    "breadcrumb",
    "breadcrumbs",
    "toc",
    "table-of-contents",
    "headerlink",
    "md-source",
    "td-sidebar",
    "td-toc",
    "theme-doc-toc-desktop",
    "theme-doc-breadcrumbs",
    "pagination-nav",
    "sphinxsidebar",
    "related",
    "footer",
];

/// The visible text of an element, whitespace collapsed (scripts and styles skipped).
pub fn text_of(el: ElementRef<'_>) -> String {
    let mut out = String::new();
    collect_text(el, &mut out);
    collapse(&out)
}

fn collect_text(el: ElementRef<'_>, out: &mut String) {
    for child in el.children() {
        match child.value() {
            Node::Text(t) => out.push_str(t),
            Node::Element(e) if matches!(e.name(), "script" | "style" | "noscript" | "template") => {}
            Node::Element(e) if e.name() == "br" => out.push(' '),
            Node::Element(_) => {
                if let Some(c) = ElementRef::wrap(child) {
                    collect_text(c, out);
                    out.push(' ');
                }
            }
            _ => {}
        }
    }
}

/// Collapses runs of whitespace (HTML's rendering rule) and trims.
pub fn collapse(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

#[derive(Default)]
struct Builder {
    done: Vec<Section>,
    /// Open headings: (level, text).
    stack: Vec<(u8, String)>,
    anchor: Option<String>,
    /// Finished blocks of the current section.
    text: String,
    /// Inline text of the block being read.
    inline: String,
    /// Prefix for the block being read (`- ` inside list items, `Warning: ` in panels).
    prefix: String,
    /// Skip a documentation site's navigation and other chrome.
    skip_chrome: bool,
}

impl Builder {
    fn finish(mut self) -> Vec<Section> {
        self.flush();
        self.close_section();
        self.done
    }

    fn close_section(&mut self) {
        let text = std::mem::take(&mut self.text).trim().to_string();
        let anchor = self.anchor.take();
        if !text.is_empty() {
            let heading = self.stack.iter().map(|(_, h)| h.clone()).collect();
            self.done.push(Section { heading, anchor, text });
        }
    }

    /// Ends the current inline block.
    fn flush(&mut self) {
        let block = collapse(&std::mem::take(&mut self.inline));
        if block.is_empty() {
            return;
        }
        let tight = self.prefix.starts_with('-') || self.prefix.starts_with('|');
        if !self.text.is_empty() {
            self.text.push_str(if tight && self.text.ends_with_list_item() { "\n" } else { "\n\n" });
        }
        self.text.push_str(&self.prefix);
        self.text.push_str(&block);
    }

    fn push_raw_block(&mut self, block: &str) {
        self.flush();
        if !self.text.is_empty() {
            self.text.push_str("\n\n");
        }
        self.text.push_str(block);
    }

    fn heading(&mut self, level: u8, el: ElementRef<'_>) {
        self.flush();
        self.close_section();
        let title = text_of(el);
        while self.stack.last().is_some_and(|(l, _)| *l >= level) {
            self.stack.pop();
        }
        if !title.is_empty() {
            self.stack.push((level, title));
        }
        self.anchor = el.value().id().map(str::to_string);
    }

    fn with_prefix(&mut self, prefix: &str, el: ElementRef<'_>) {
        self.flush();
        let saved = std::mem::replace(&mut self.prefix, prefix.to_string());
        self.children(el);
        self.flush();
        self.prefix = saved;
    }

    fn children(&mut self, el: ElementRef<'_>) {
        for child in el.children() {
            match child.value() {
                Node::Text(t) => self.inline.push_str(t),
                Node::Element(_) => {
                    if let Some(c) = ElementRef::wrap(child) {
                        self.element(c);
                    }
                }
                _ => {}
            }
        }
    }

    fn element(&mut self, el: ElementRef<'_>) {
        let e = el.value();
        let has_class = |c: &str| e.classes().any(|x| x == c);
        match e.name() {
            "script" | "style" | "noscript" | "template" | "head" | "img" | "svg" | "ac:parameter"
            | "ac:image" | "ri:attachment" | "ri:user" | "colgroup" => {}
            _ if has_class("toc-macro") || has_class("katex-mathml") => {}
            "nav" | "aside" | "header" | "footer" if self.skip_chrome => {}
            _ if self.skip_chrome && CHROME_CLASSES.iter().any(|c| has_class(c)) => {}
            name @ ("h1" | "h2" | "h3" | "h4" | "h5" | "h6") => {
                self.heading(name.as_bytes()[1] - b'0', el);
            }
            "pre" => {
                let lang = code_language(el);
                let code = raw_text(el);
                self.push_raw_block(&format!("```{lang}\n{}\n```", code.trim_end()));
            }
            "table" => self.table(el),
            "br" => self.inline.push('\n'),
            "li" => {
                let prefix = if has_class("checked") { "- [x] " } else { "- " };
                self.with_prefix(prefix, el);
            }
            "ac:task" => self.with_prefix("- [ ] ", el),
            "div" if has_class("confluence-information-macro") => {
                let label = e
                    .classes()
                    .find_map(|c| c.strip_prefix("confluence-information-macro-"))
                    .map_or("Note", panel_label);
                self.with_prefix(&format!("{label}: "), el);
            }
            "ac:structured-macro" => self.macro_(el),
            "ac:link" => {
                let text = el
                    .children()
                    .filter_map(ElementRef::wrap)
                    .find_map(|c| match c.value().name() {
                        "ac:plain-text-link-body" | "ac:link-body" => Some(text_of(c)),
                        "ri:page" => c.value().attr("ri:content-title").map(str::to_string),
                        _ => None,
                    })
                    .unwrap_or_default();
                self.inline.push_str(&text);
            }
            "p" | "div" | "ul" | "ol" | "section" | "article" | "blockquote" | "dl" | "dt" | "dd" | "hr"
            | "figure" | "figcaption" | "header" | "footer" | "main" | "details" | "summary"
            | "ac:rich-text-body" | "ac:layout" | "ac:layout-section" | "ac:layout-cell" => {
                self.flush();
                self.children(el);
                self.flush();
            }
            _ => self.children(el),
        }
    }

    fn table(&mut self, el: ElementRef<'_>) {
        self.flush();
        if is_numbered_code(el) {
            // Pygments' `highlighttable` (Sphinx, MkDocs `linenums`) and Hugo's `lntable` put
            // line numbers in one cell and the code in the next: the code alone is the block.
            for cell in descendants_named(el, "td").filter(|c| !is_line_numbers(*c)) {
                self.children(cell);
            }
            self.flush();
            return;
        }
        let mut rows = Vec::new();
        for row in descendants_named(el, "tr") {
            let cells: Vec<String> = row
                .children()
                .filter_map(ElementRef::wrap)
                .filter(|c| matches!(c.value().name(), "td" | "th"))
                .map(|c| text_of(c).replace('|', "/"))
                .collect();
            if cells.iter().any(|c| !c.is_empty()) {
                rows.push(format!("| {} |", cells.join(" | ")));
            }
        }
        if !rows.is_empty() {
            self.push_raw_block(&rows.join("\n"));
        }
    }

    /// Confluence storage-format macros (XML exports).
    fn macro_(&mut self, el: ElementRef<'_>) {
        let name = el.value().attr("ac:name").unwrap_or_default();
        let child = |n: &str| el.children().filter_map(ElementRef::wrap).find(|c| c.value().name() == n);
        match name {
            "code" | "noformat" => {
                let lang = el
                    .children()
                    .filter_map(ElementRef::wrap)
                    .find(|c| {
                        c.value().name() == "ac:parameter" && c.value().attr("ac:name") == Some("language")
                    })
                    .map(text_of)
                    .unwrap_or_default();
                let code = child("ac:plain-text-body").map(raw_text).unwrap_or_default();
                self.push_raw_block(&format!("```{lang}\n{}\n```", code.trim_end()));
            }
            "info" | "note" | "warning" | "tip" | "panel" => {
                if let Some(body) = child("ac:rich-text-body") {
                    self.with_prefix(&format!("{}: ", panel_label(name)), body);
                }
            }
            "toc" | "children" | "recently-updated" | "contributors" | "attachments" => {}
            _ => {
                self.flush();
                self.children(el);
                self.flush();
            }
        }
    }
}

trait EndsWithListItem {
    fn ends_with_list_item(&self) -> bool;
}

impl EndsWithListItem for String {
    fn ends_with_list_item(&self) -> bool {
        let last = self.rsplit('\n').next().unwrap_or_default();
        last.starts_with("- ") || last.starts_with("| ")
    }
}

fn panel_label(kind: &str) -> &'static str {
    match kind {
        "warning" => "Warning",
        "tip" => "Tip",
        "info" => "Info",
        _ => "Note",
    }
}

/// `brush: bash; gutter: false` on Confluence, `language-bash` classes elsewhere.
fn code_language(el: ElementRef<'_>) -> String {
    if let Some(params) = el.value().attr("data-syntaxhighlighter-params") {
        for part in params.split(';') {
            if let Some(lang) = part.trim().strip_prefix("brush:") {
                return lang.trim().to_string();
            }
        }
    }
    let from_classes = |e: &scraper::node::Element| {
        e.classes().find_map(|c| c.strip_prefix("language-").map(str::to_string))
    };
    from_classes(el.value())
        .or_else(|| el.children().filter_map(ElementRef::wrap).find_map(|c| from_classes(c.value())))
        .unwrap_or_default()
}

/// Whether a table is a code block with its lines numbered: a cell of line numbers beside a
/// cell of code.
fn is_numbered_code(table: ElementRef<'_>) -> bool {
    let cells: Vec<ElementRef<'_>> = descendants_named(table, "td").collect();
    cells.iter().any(|c| is_line_numbers(*c))
        && cells.iter().any(|c| descendants_named(*c, "pre").next().is_some())
}

/// Whether a cell holds only line numbers.
fn is_line_numbers(cell: ElementRef<'_>) -> bool {
    let text = raw_text(cell);
    text.chars().any(|c| c.is_ascii_digit()) && text.chars().all(|c| c.is_ascii_digit() || c.is_whitespace())
}

/// Text with whitespace preserved (for code).
fn raw_text(el: ElementRef<'_>) -> String {
    el.text().collect()
}

fn descendants_named<'a>(el: ElementRef<'a>, name: &'a str) -> impl Iterator<Item = ElementRef<'a>> + 'a {
    el.descendants().filter_map(ElementRef::wrap).filter(move |c| c.value().name() == name)
}

#[cfg(test)]
mod tests {
    use scraper::{Html, Selector};

    use super::*;

    fn parse(body: &str) -> Vec<Section> {
        let html = Html::parse_document(&format!("<html><body><div id='m'>{body}</div></body></html>"));
        let root = html.select(&Selector::parse("#m").unwrap()).next().unwrap();
        sections(root)
    }

    #[test]
    fn headings_become_a_path() {
        let s = parse(
            "<p>intro</p><h1 id='a'>Runbook</h1><p>one</p><h2>Restart</h2><p>two</p><h1>Owners</h1><p>three</p>",
        );
        let paths: Vec<_> = s.iter().map(|s| (s.heading.join(" > "), s.text.as_str())).collect();
        assert_eq!(
            paths,
            [
                (String::new(), "intro"),
                ("Runbook".into(), "one"),
                ("Runbook > Restart".into(), "two"),
                ("Owners".into(), "three")
            ]
        );
        assert_eq!(s[1].anchor.as_deref(), Some("a"));
    }

    #[test]
    fn code_tables_panels_and_lists_are_kept_readable() {
        let s = parse(concat!(
            "<div class='code panel pdl'><div class='codeContent'><pre class='syntaxhighlighter-pre' ",
            "data-syntaxhighlighter-params='brush: bash; gutter: false'>kubectl get pods\n  -n shop</pre></div></div>",
            "<table class='confluenceTable'><tr><th>Service</th><th>Owner</th></tr><tr><td>checkout</td><td>Payments</td></tr></table>",
            "<div class='confluence-information-macro confluence-information-macro-warning'><p>Never restart both.</p></div>",
            "<ul><li>first</li><li class='checked'>second</li></ul>",
            "<div class='toc-macro'><ul><li>Repeated heading</li></ul></div>",
        ));
        assert_eq!(
            s[0].text,
            "```bash\nkubectl get pods\n  -n shop\n```\n\n| Service | Owner |\n| checkout | Payments |\n\nWarning: Never restart both.\n\n- first\n- [x] second"
        );
    }

    #[test]
    fn a_code_block_with_numbered_lines_is_its_code() {
        // MkDocs Material with `linenums` (Pygments), and Hugo's Chroma `lineNos=table`.
        for html in [
            "<table class='highlighttable'><tr><td class='linenos'><div class='linenodiv'><pre><span class='normal'><a href='#l1'>1</a></span>\n<span class='normal'>2</span></pre></div></td><td class='code'><div><pre><span></span><code>$ kubectl get pvc\nmysql Pending</code></pre></div></td></tr></table>",
            "<div class='highlight'><div class='chroma'><table class='lntable'><tr><td class='lntd'><pre class='chroma'><code><span class='lnt'>1\n</span><span class='lnt'>2\n</span></code></pre></td><td class='lntd'><pre class='chroma'><code class='language-sh'>$ kubectl get pvc\nmysql Pending</code></pre></td></tr></table></div></div>",
        ] {
            let text = &parse(html)[0].text;
            assert!(text.contains("```") && text.contains("$ kubectl get pvc\nmysql Pending"), "{text:?}");
            assert!(!text.contains('|') && !text.contains("1\n2") && !text.contains("1 2"), "{text:?}");
        }
    }

    #[test]
    fn storage_format_macros_are_understood() {
        let s = parse(concat!(
            "<ac:structured-macro ac:name='code'><ac:parameter ac:name='language'>yaml</ac:parameter>",
            "<ac:plain-text-body>a: 1</ac:plain-text-body></ac:structured-macro>",
            "<ac:structured-macro ac:name='info'><ac:rich-text-body><p>Heads up</p></ac:rich-text-body></ac:structured-macro>",
            "<p>See <ac:link><ri:page ri:content-title='Checkout Service'/></ac:link>.</p>",
        ));
        assert_eq!(s[0].text, "```yaml\na: 1\n```\n\nInfo: Heads up\n\nSee Checkout Service.");
    }
}
