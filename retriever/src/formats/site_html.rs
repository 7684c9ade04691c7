//! Static HTML documentation pages (a built MkDocs, Hugo, Docusaurus or Sphinx site, or pages
//! written by hand): the main content only, with its headings as sections; navigation, sidebars,
//! headers and footers dropped. Its title is the page's first `<h1>`, else its `<title>` without
//! the site name after a separator.

use scraper::{Html, Selector};

use super::html;
use super::markdown::Page;

/// Where themes put a page's own content, most specific first.
const MAIN: &[&str] = &[
    "main article",
    "article",
    "main",
    "[role=main]",
    ".md-content",
    ".theme-doc-markdown",
    "#content",
    ".content",
    ".document",
    "body",
];

/// Parses one page.
pub fn parse(text: &str) -> Page {
    let doc = Html::parse_document(text);
    let first = |css: &str| Selector::parse(css).ok().and_then(|s| doc.select(&s).next());
    let Some(root) = MAIN.iter().find_map(|css| first(css)) else { return Page::default() };
    let mut sections = html::site_sections(root);
    // Themes end headings with a permalink sign (`¶`, `#`): not part of the title.
    let h1 = first("h1")
        .map(|h| html::text_of(h).trim_end_matches(['¶', '#', ' ']).to_string())
        .filter(|t| !t.is_empty());
    let title = h1.clone().or_else(|| {
        first("title").map(html::text_of).map(|t| {
            // "Taints | Kubernetes", "Sync Options - Argo CD": the page's part.
            t.split(['|', '–', '—']).next().unwrap_or(&t).split(" - ").next().unwrap_or(&t).trim().to_string()
        })
    });
    for s in &mut sections {
        for h in &mut s.heading {
            *h = h.trim_end_matches(['¶', '#', ' ']).to_string();
        }
        // The title heading itself is the page, not a section of it.
        if h1.as_ref().is_some_and(|t| s.heading.first() == Some(t)) {
            s.heading.remove(0);
        }
    }
    Page { title: title.filter(|t| !t.is_empty()), sections }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_main_content_is_kept() {
        let page = parse(
            "<html><head><title>Sync Options - Argo CD</title></head><body>\
             <header class=\"md-header\"><a>Argo CD</a><nav>Home Docs Blog</nav></header>\
             <div class=\"md-sidebar\"><ul><li>Getting started</li><li>Operator manual</li></ul></div>\
             <main><article><h1>Sync Options<a class=\"headerlink\" href=\"#x\">¶</a></h1>\
             <p>Argo CD can prune resources.</p><h2>No Prune Resources</h2><p>Use Prune=false.</p></article></main>\
             <footer>Copyright the Argo Authors</footer></body></html>",
        );
        assert_eq!(page.title.as_deref(), Some("Sync Options"));
        let text: Vec<String> =
            page.sections.iter().map(|s| format!("{} | {}", s.heading.join(" > "), s.text)).collect();
        let all = text.join("\n");
        assert!(
            all.contains("Argo CD can prune resources.")
                && all.contains("No Prune Resources | Use Prune=false."),
            "{all}"
        );
        for chrome in ["Home Docs Blog", "Operator manual", "Copyright", "¶"] {
            assert!(!all.contains(chrome), "{chrome} kept: {all}");
        }
    }

    #[test]
    fn a_page_without_main_falls_back_to_its_body_and_title() {
        let page = parse(
            "<html><head><title>Runbook | Ops</title></head><body><nav>menu</nav><p>Restart the pod.</p></body></html>",
        );
        assert_eq!(page.title.as_deref(), Some("Runbook"));
        assert_eq!(page.sections.len(), 1);
        assert_eq!(page.sections[0].text, "Restart the pod.");
    }

    #[test]
    fn a_built_site_is_indexed_page_by_page() {
        let site = crate::test_docs::index_files(&[
            (
                "ops/restart.html",
                "<html><body><nav>Home</nav><main><h1>Restarting</h1><p>Roll the deployment.</p></main></body></html>",
            ),
            ("index.html", "<html><body><main><h1>Docs</h1><p>Welcome.</p></main></body></html>"),
        ]);
        let summary = &site.summary;
        assert_eq!(summary.documents, 2, "{summary:?}");
        let hits = crate::Searcher::open(site.path())
            .unwrap()
            .search(&crate::SearchQuery { text: "roll deployment".into(), limit: 3, ..Default::default() })
            .unwrap();
        assert_eq!(hits[0].title, "Restarting");
        assert!(!hits[0].text.contains("Home"));
    }
}
