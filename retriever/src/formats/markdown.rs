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
    let (front_title, body) = strip_front_matter(text);
    let mut sections = Vec::new();
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
        let text = body[from..to].trim();
        if !text.is_empty() {
            out.push(Section {
                heading: stack.iter().map(|(_, h)| h.clone()).collect(),
                anchor,
                text: text.to_string(),
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
                let heading = heading.trim().to_string();
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

/// YAML front matter (`---` … `---`) is metadata, not body; its `title:` names the page.
fn strip_front_matter(text: &str) -> (Option<String>, &str) {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let Some(rest) = text.strip_prefix("---\n").or_else(|| text.strip_prefix("---\r\n")) else {
        return (None, text);
    };
    let Some(end) = rest.find("\n---") else {
        return (None, text);
    };
    let title = rest[..end]
        .lines()
        .find_map(|l| l.strip_prefix("title:").map(|t| t.trim().trim_matches(['"', '\'']).to_string()));
    let after = &rest[end + 4..];
    (title, after.split_once('\n').map_or("", |(_, b)| b))
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
    fn front_matter_names_the_page() {
        let page = parse("---\ntitle: \"On-call\"\nowner: sre\n---\n# Rotation\n\ntext\n");
        assert_eq!(page.title.as_deref(), Some("On-call"));
        assert_eq!(page.sections[0].heading, ["Rotation"]);
    }
}
