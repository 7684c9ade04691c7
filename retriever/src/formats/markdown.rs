//! Markdown files (plain, and the page bodies of Notion exports) to heading sections.

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

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
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS,
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

/// What a page's front matter says about it.
#[derive(Default)]
struct Front {
    title: Option<String>,
    description: Option<String>,
}

/// YAML front matter (`---` … `---`, as Hugo, Docusaurus and MkDocs write it) is metadata, not
/// body; its `title:` names the page and its `description:` says what it is about.
fn strip_front_matter(text: &str) -> (Front, &str) {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let Some(rest) = text.strip_prefix("---\n").or_else(|| text.strip_prefix("---\r\n")) else {
        return (Front::default(), text);
    };
    let Some(end) = rest.find("\n---") else {
        return (Front::default(), text);
    };
    let value = |key: &str| {
        rest[..end].lines().find_map(|l| {
            l.strip_prefix(key)
                .map(|t| t.trim().trim_matches(['"', '\'']).to_string())
                .filter(|t| !t.is_empty())
        })
    };
    let front = Front { title: value("title:"), description: value("description:") };
    let after = &rest[end + 4..];
    (front, after.split_once('\n').map_or("", |(_, b)| b))
}

/// Documentation-site markup rendered to its text: Hugo shortcodes (`{{< note >}}`,
/// `{{% heading "whatsnext" %}}`) dropped or replaced by what they say, MkDocs and Docusaurus
/// admonitions (`!!! warning "Title"`, `:::tip Title`) and tabs (`=== "Helm"`) reduced to their
/// titles, snippet includes (`--8<-- "file"`) dropped. Never shown raw in a heading or snippet.
pub fn site_markup(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut fenced = false;
    for line in text.lines() {
        let t = line.trim_start();
        // Code is shown as written.
        if t.starts_with("```") || t.starts_with("~~~") {
            fenced = !fenced;
        }
        if fenced || t.starts_with("```") || t.starts_with("~~~") {
            out.push_str(line);
            out.push('\n');
            continue;
        }
        let admonition = ["!!!", "???+", "???"].iter().find_map(|p| t.strip_prefix(p));
        let line: String = if let Some(rest) = admonition {
            // `!!! note "Title"`: the title, else the kind.
            let (kind, title) = rest.trim().split_once(' ').unwrap_or((rest.trim(), ""));
            let title = title.trim().trim_matches('"');
            if title.is_empty() { format!("{}:", capitalised(kind)) } else { title.to_string() }
        } else if let Some(rest) = t.strip_prefix(":::") {
            let rest = rest.trim();
            if rest.is_empty() {
                continue;
            }
            let (kind, title) = rest.split_once(' ').unwrap_or((rest, ""));
            if title.trim().is_empty() { format!("{}:", capitalised(kind)) } else { title.trim().to_string() }
        } else if let Some(rest) = t.strip_prefix("=== ").filter(|r| r.starts_with('"')) {
            rest.trim().trim_matches('"').to_string()
        } else if t.starts_with("--8<--") {
            continue;
        } else {
            shortcodes(line)
        };
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// Hugo shortcodes in one line: `{{% heading "whatsnext" %}}` says "What's next"; other tags
/// are dropped and what they enclose is kept.
fn shortcodes(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(start) = rest.find("{{") {
        let close = if rest[start..].starts_with("{{%") { "%}}" } else { ">}}" };
        let Some(end) = rest[start..].find(close) else { break };
        out.push_str(&rest[..start]);
        let inner = rest[start + 3..start + end].trim();
        if inner.starts_with("heading") && inner.contains("whatsnext") {
            out.push_str("What's next");
        } else if let Some(arg) = inner.strip_prefix("heading") {
            out.push_str(arg.trim().trim_matches('"'));
        }
        rest = &rest[start + end + close.len()..];
    }
    out.push_str(rest);
    out
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
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
        assert_eq!(site_markup("!!! note\n"), "Note:\n");
        assert_eq!(site_markup("```\n!!! not markup in code\n```\n"), "```\n!!! not markup in code\n```\n");
    }

    #[test]
    fn front_matter_names_the_page() {
        let page = parse("---\ntitle: \"On-call\"\nowner: sre\n---\n# Rotation\n\ntext\n");
        assert_eq!(page.title.as_deref(), Some("On-call"));
        assert_eq!(page.sections[0].heading, ["Rotation"]);
    }
}
