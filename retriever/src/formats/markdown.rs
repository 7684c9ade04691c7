//! Markdown files (plain, and the page bodies of Notion exports) to heading sections.

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use super::markup::site_markup;
use crate::model::Section;

/// A parsed Markdown page: its title (front matter `title:`, else a leading `# H1`) and its
/// sections. The title heading itself is not repeated in the sections' heading paths.
#[derive(Debug, Default, PartialEq)]
pub struct Page {
    /// Title, when the text names one.
    pub title: Option<String>,
    /// Body split at headings.
    pub sections: Vec<Section>,
}

/// Splits Markdown at its headings with pulldown-cmark (so `#` inside code fences is not a
/// heading), keeping each section's original Markdown.
pub fn parse(text: &str) -> Page {
    let (front, body) = strip_front_matter(text);
    // MyST's Sphinx syntax (directives, roles, targets) rewritten into plain Markdown first.
    let body = &*super::myst::to_markdown(body);
    let mut sections = Vec::new();
    // A site's page description says what the page is about: searchable, before the body.
    if let Some(d) = front.description.filter(|d| !d.is_empty()) {
        sections.push(Section { heading: Vec::new(), anchor: None, text: d });
    }
    let front_title = front.title;
    let mut stack: Vec<(HeadingLevel, String)> = Vec::new();
    let mut section_start = 0;
    let mut in_heading: Option<(HeadingLevel, String, Option<String>)> = None;
    let mut anchor = None;
    let mut title = front_title;
    let mut seen_content = false;

    let close = |stack: &[(HeadingLevel, String)],
                 from: usize,
                 to: usize,
                 anchor: Option<String>,
                 out: &mut Vec<Section>| {
        let text = site_markup(body[from..to].trim());
        if !text.trim().is_empty() {
            out.push(Section {
                heading: stack.iter().map(|(_, h)| h.clone()).collect(),
                anchor,
                text: text.trim().to_string(),
            });
        }
    };

    for (event, range) in Parser::new_ext(
        body,
        // Heading attributes (`## Install {#install}`, as Docusaurus, Hugo and MkDocs write
        // them) give the anchor, not words of the heading.
        Options::ENABLE_TABLES
            | Options::ENABLE_STRIKETHROUGH
            | Options::ENABLE_TASKLISTS
            | Options::ENABLE_HEADING_ATTRIBUTES,
    )
    .into_offset_iter()
    {
        match event {
            Event::Start(Tag::Heading { level, id, .. }) => {
                close(&stack, section_start, range.start, anchor.take(), &mut sections);
                in_heading = Some((level, String::new(), id.map(|i| i.to_string())));
            }
            Event::Text(t) | Event::Code(t) if in_heading.is_some() => {
                if let Some((_, h, _)) = in_heading.as_mut() {
                    h.push_str(&t);
                }
            }
            Event::End(TagEnd::Heading(_)) => {
                let (level, heading, id) =
                    in_heading.take().unwrap_or((HeadingLevel::H1, String::new(), None));
                let heading = site_markup(heading.trim()).trim().to_string();
                section_start = range.end;
                if level == HeadingLevel::H1 && title.is_none() && !seen_content && stack.is_empty() {
                    // A leading H1 is the page title, not a section.
                    title = Some(heading);
                    continue;
                }
                while stack.last().is_some_and(|(l, _)| *l >= level) {
                    stack.pop();
                }
                stack.push((level, heading));
                anchor = id;
            }
            _ if in_heading.is_none() => seen_content = true,
            _ => {}
        }
    }
    close(&stack, section_start, body.len(), anchor, &mut sections);
    Page { title: title.filter(|t| !t.is_empty()), sections }
}

/// A page's text without its front matter (for a fragment another page includes: its
/// metadata is not text of the page).
pub(crate) fn without_front_matter(text: &str) -> &str {
    strip_front_matter(text).1
}

/// What a page's front matter says about it.
#[derive(Default)]
struct Front {
    title: Option<String>,
    description: Option<String>,
}

/// Front matter (YAML between `---` lines as Hugo, Docusaurus, MkDocs and Jekyll write it, or
/// TOML between `+++` lines as Hugo also does) is metadata, not body; its `title` names the page
/// and its `description` says what it is about. Read with a real YAML/TOML parser so quoted
/// colons and folded (`>-`) descriptions come out right; front matter a parser refuses (a
/// template inside it, say) is still split off, and read line by line.
fn strip_front_matter(text: &str) -> (Front, &str) {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let Some((fence, toml)) = [("---", false), ("+++", true)]
        .into_iter()
        .find(|(f, _)| text.strip_prefix(f).is_some_and(|r| r.starts_with('\n') || r.starts_with("\r\n")))
    else {
        return (Front::default(), text);
    };
    let rest = text[fence.len()..].trim_start_matches('\r').strip_prefix('\n').unwrap_or_default();
    let closing = if rest.starts_with(fence) {
        Some((0, fence.len()))
    } else {
        rest.find(&format!("\n{fence}")).map(|at| (at, at + 1 + fence.len()))
    };
    let Some((end, after)) = closing else {
        return (Front::default(), text);
    };
    let block = &rest[..end];
    let after = &rest[after..];
    let body = after.split_once('\n').map_or("", |(_, b)| b);
    let parsed = if toml {
        toml::from_str::<toml::Table>(block).ok().map(|t| {
            let get = |k: &str| t.get(k).and_then(toml::Value::as_str).map(str::to_string);
            (get("title").or_else(|| get("linkTitle")), get("description"))
        })
    } else {
        serde_yaml_ng::from_str::<serde_yaml_ng::Value>(block).ok().map(|v| {
            let get = |k: &str| v.get(k).and_then(serde_yaml_ng::Value::as_str).map(str::to_string);
            (get("title").or_else(|| get("linkTitle")), get("description"))
        })
    };
    let (title, description) = parsed.unwrap_or_else(|| {
        let sep = if toml { '=' } else { ':' };
        let value = |key: &str| {
            block.lines().find_map(|l| {
                let (k, v) = l.split_once(sep)?;
                (k.trim_end() == key).then(|| v.trim().trim_matches(['"', '\'']).to_string())
            })
        };
        (value("title"), value("description"))
    });
    let clean = |s: Option<String>| s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    (Front { title: clean(title), description: clean(description) }, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leading_h1_is_the_title_and_headings_nest() {
        let page = parse(
            "# Checkout\n\nIntro.\n\n## Dependencies\n\n- payments\n\n### Database\n\norders-db\n\n## Owners\n\nTeam Cart\n",
        );
        assert_eq!(page.title.as_deref(), Some("Checkout"));
        let got: Vec<_> = page.sections.iter().map(|s| (s.heading.join(" > "), s.text.as_str())).collect();
        assert_eq!(
            got,
            [
                (String::new(), "Intro."),
                ("Dependencies".into(), "- payments"),
                ("Dependencies > Database".into(), "orders-db"),
                ("Owners".into(), "Team Cart"),
            ]
        );
    }

    #[test]
    fn hashes_in_code_fences_are_not_headings() {
        let page = parse("## Run\n\n```bash\n# not a heading\nkubectl get pods\n```\n");
        assert_eq!(page.sections.len(), 1);
        assert!(page.sections[0].text.contains("# not a heading"));
    }

    #[test]
    fn doc_site_markup_is_rendered_to_its_text() {
        let page = parse(
            "---\ntitle: Taints\ndescription: Keep pods off nodes\n---\n\
             ## {{% heading \"whatsnext\" %}}\n\n\
             {{< note >}}\nTaints repel pods.\n{{< /note >}}\n\n\
             !!! warning \"Careful\"\n    A NoExecute taint evicts.\n\n\
             :::tip Tolerations\nAdd a toleration.\n:::\n\n\
             === \"kubectl\"\n    kubectl taint nodes n1 key=value:NoSchedule\n\n--8<-- \"includes/footer.md\"\n",
        );
        assert_eq!(page.title.as_deref(), Some("Taints"));
        assert_eq!(page.sections[0].text, "Keep pods off nodes");
        let s = &page.sections[1];
        assert_eq!(s.heading, ["What's next"]);
        for raw in ["{{", "}}", "!!!", ":::", "===", "--8<--"] {
            assert!(!s.text.contains(raw), "{raw} left in {:?}", s.text);
        }
        for kept in [
            "Taints repel pods.",
            "Careful",
            "A NoExecute taint evicts.",
            "Tolerations",
            "kubectl taint nodes",
        ] {
            assert!(s.text.contains(kept), "{kept} missing from {:?}", s.text);
        }
    }

    #[test]
    fn front_matter_names_the_page() {
        let page = parse("---\ntitle: \"On-call\"\nowner: sre\n---\n# Rotation\n\ntext\n");
        assert_eq!(page.title.as_deref(), Some("On-call"));
        assert_eq!(page.sections[0].heading, ["Rotation"]);
    }

    #[test]
    fn toml_and_folded_front_matter_and_heading_ids() {
        let page =
            parse("+++\ntitle = \"Upgrade: step by step\"\nweight = 3\n+++\n## Drain {#drain}\n\ntext\n");
        assert_eq!(page.title.as_deref(), Some("Upgrade: step by step"));
        assert_eq!(page.sections[0].heading, ["Drain"]);
        assert_eq!(page.sections[0].anchor.as_deref(), Some("drain"));
        let page = parse(
            "---\ntitle: 'Sync: windows'\ndescription: >-\n  Block syncs\n  at set times.\n---\nbody\n",
        );
        assert_eq!(page.title.as_deref(), Some("Sync: windows"));
        assert_eq!(page.sections[0].text, "Block syncs at set times.");
        // A front matter YAML refuses is still metadata, read line by line.
        let page = parse("---\ntitle: Hooks\nweight: {{ .x }\n---\nbody\n");
        assert_eq!(page.title.as_deref(), Some("Hooks"));
        assert_eq!(page.sections[0].text, "body");
        assert_eq!(parse("---\n---\nbody\n").sections[0].text, "body");
    }
}
