//! Documentation-site markup inside Markdown, rendered to the text a reader sees.
//!
//! Hugo, MkDocs, Docusaurus (MDX) and Jekyll sites put template and component syntax into
//! their Markdown. Left raw it shows up in headings and snippets (`{{% heading "whatsnext" %}}`,
//! `<TabItem value="helm" label="Helm">`) and its attribute names (`className`, `value`) are
//! indexed as if the page said them. Each construct is rendered to what it says (a tab's or an
//! admonition's title, the text a component wraps) or dropped (imports, comments, includes).
//! Code — fenced or inline — is shown as written, except that Hugo shortcodes are expanded
//! there too, as Hugo does. A shortcode may span lines (its attributes wrapped); the lines are
//! read as one.

use std::sync::LazyLock;

use regex::{Captures, Regex};

/// Renders the site markup of a Markdown text, line by line (see the module's docs).
pub fn site_markup(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut fenced = false;
    // The end marker of a comment still open at the end of the previous line.
    let mut open_comment: Option<&'static str> = None;
    // Inside an MDX component's opening tag that spans lines (`<Tabs values={[` … `]}>`).
    let mut in_tag = false;
    // A line whose Hugo shortcode goes on over the next lines (`{{< glossary_tooltip
    // term_id="dra"` / `text="DRA" >}}`), and how many lines it has taken.
    let mut carried: Option<(String, usize)> = None;
    // The same inside code.
    let mut code_carried: Option<(String, usize)> = None;
    for raw in text.lines() {
        let t = raw.trim_start();
        if carried.is_some() && (t.is_empty() || t.starts_with("```") || t.starts_with("~~~")) {
            // A shortcode does not span paragraphs: what never closed is rendered as it is.
            let (line, _) = carried.take().expect("checked");
            render_line(&mut out, &line);
        }
        if open_comment.is_none() && (t.starts_with("```") || t.starts_with("~~~")) {
            if let Some((line, _)) = code_carried.take() {
                push_line(&mut out, &line);
            }
            fenced = !fenced;
            push_line(&mut out, raw);
            continue;
        }
        if fenced {
            // Jinja's and Liquid's `{% raw %}` … `{% endraw %}` keep a code sample's `{{ }}`
            // from the site's templating (mkdocs-macros runs over code too); the reader sees
            // neither marker.
            if RAW_MARKER.is_match(t) {
                continue;
            }
            // A shortcode wrapped over lines of code (`{{% param` / `providers-vers %}}`).
            if let Some(line) = joined(&mut code_carried, raw.to_string()) {
                push_line(&mut out, &shortcodes(&line, Within::Code));
            }
            continue;
        }
        if in_tag {
            in_tag = !raw.trim_end().ends_with('>');
            continue;
        }
        let mut line = strip_comments(raw, &mut open_comment);
        if let Some(before) = unclosed_component(&line) {
            in_tag = true;
            line = before;
        }
        let Some(line) = joined(&mut carried, line) else { continue };
        let t = line.trim_start();
        if t.is_empty() {
            // A line that was all comment vanishes rather than splitting a paragraph.
            if raw.trim().is_empty() {
                out.push('\n');
            }
            continue;
        }
        render_line(&mut out, &line);
    }
    if let Some((line, _)) = carried {
        render_line(&mut out, &line);
    }
    if let Some((line, _)) = code_carried {
        push_line(&mut out, &line);
    }
    out
}

/// A line joined to the shortcode `carried` over from the lines before it: `None` while the
/// shortcode is still open (the line is carried on, up to [`SHORTCODE_LINES`]), else the whole
/// line to render.
fn joined(carried: &mut Option<(String, usize)>, line: String) -> Option<String> {
    match carried.take() {
        Some((mut so_far, taken)) => {
            so_far.push(' ');
            so_far.push_str(line.trim());
            if taken < SHORTCODE_LINES && opens_shortcode(&so_far) {
                *carried = Some((so_far, taken + 1));
                return None;
            }
            Some(so_far)
        }
        None if opens_shortcode(&line) => {
            *carried = Some((line, 1));
            None
        }
        None => Some(line),
    }
}

/// A line that is only a template's raw-block marker: `{% raw %}`, `{%- endraw -%}`.
static RAW_MARKER: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^\{%-?\s*(end)?raw\s*-?%\}\s*$").unwrap());

/// How many lines one shortcode may span before it is taken as never closing.
const SHORTCODE_LINES: usize = 8;

/// One line outside code and comments, rendered and added to `out` (dropped when it renders to
/// nothing: an import, a snippet marker, a tag alone on its line).
fn render_line(out: &mut String, line: &str) {
    // Kramdown's and MkDocs' attribute lists (`{: .subtitle }` under a paragraph, `## Setup {:
    // #setup }`) style what they follow; they say nothing.
    static ATTRIBUTES: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\s*\{:[^{}]*\}\s*$").unwrap());
    let line = if line.contains("{:") { ATTRIBUTES.replace(line, "") } else { line.into() };
    let line = &*line;
    let t = line.trim_start();
    if t.is_empty() || is_module_line(t) || t.starts_with("--8<--") {
        return;
    }
    let rendered = block_title(t).unwrap_or_else(|| inline(line));
    if !rendered.trim().is_empty() {
        push_line(out, &rendered);
    }
}

/// Whether the line opens a Hugo shortcode (`{{<`, `{{%`) that does not close on it.
fn opens_shortcode(line: &str) -> bool {
    let mut rest = line;
    while let Some(start) = rest.find("{{") {
        let Some(close) = closer(rest, start, Within::Code) else {
            rest = &rest[start + 2..];
            continue;
        };
        let Some(end) = rest[start + 3..].find(close) else { return true };
        rest = &rest[start + 3 + end + close.len()..];
    }
    false
}

fn push_line(out: &mut String, line: &str) {
    out.push_str(line);
    out.push('\n');
}

/// The title an admonition or tab line stands for (empty for a closing `:::`, which is
/// dropped), `None` when the line is none of these.
fn block_title(t: &str) -> Option<String> {
    static ALERT: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^((?:>\s*)+)\[!([A-Za-z]+)\][+-]?\s*(.*)$").unwrap());
    let titled = |rest: &str| {
        let rest = rest.trim();
        // Docusaurus 3 writes the title in brackets: `:::tip[Before you start]`.
        let (kind, title) = match rest.split_once('[') {
            Some((kind, title)) if !kind.contains(' ') => (kind, title.trim_end().trim_end_matches(']')),
            _ => rest.split_once(' ').unwrap_or((rest, "")),
        };
        let title = title.trim().trim_matches('"');
        if title.is_empty() {
            format!("{}:", capitalised(&kind.to_ascii_lowercase()))
        } else {
            title.to_string()
        }
    };
    if let Some(c) = ALERT.captures(t) {
        // GitHub alerts and Obsidian callouts: `> [!WARNING]`, `> [!tip]- Title`.
        let title = c[3].trim();
        let lead = if title.is_empty() { titled(&c[2]) } else { inline(title) };
        return Some(format!("{}{lead}", &c[1]));
    }
    if let Some(rest) = ["!!!", "???+", "???"].iter().find_map(|p| t.strip_prefix(p)) {
        // MkDocs `!!! note "Title"`: the title, else the kind.
        return Some(titled(rest));
    }
    if let Some(rest) = t.strip_prefix(":::") {
        // Docusaurus `:::tip Title` … `:::`.
        let rest = rest.trim();
        return Some(if rest.is_empty() { String::new() } else { titled(rest) });
    }
    if let Some(rest) = t.strip_prefix("=== ").filter(|r| r.starts_with('"')) {
        // MkDocs content tabs `=== "Helm"`.
        return Some(rest.trim().trim_matches('"').to_string());
    }
    None
}

/// The text before an MDX component's or a layout element's opening tag left open at the line's
/// end, whose attributes (JavaScript objects, often: `<a style={{float: "left"}}`) go on over
/// the next lines.
fn unclosed_component(line: &str) -> Option<String> {
    static OPEN: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^([^`]*?)<([A-Za-z][A-Za-z0-9.]*)(\s[^>]*)?$").unwrap());
    let c = OPEN.captures(line)?;
    let name = &c[2];
    // An element only with an attribute begun (`<a style=`): "answers in <a second" is prose,
    // and the lines after it must not be taken for the tag's.
    let attributes = c.get(3).is_some_and(|a| a.as_str().contains('='));
    (name.starts_with(|ch: char| ch.is_ascii_uppercase()) || (HTML_ELEMENTS.contains(&name) && attributes))
        .then(|| c[1].to_string())
}

/// MDX module syntax (`import Tabs from '@theme/Tabs'`, `export const x = …`): code for the
/// site's build, not words of the page.
fn is_module_line(t: &str) -> bool {
    static MODULE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r#"^(import\s+(\S.*\s+from\s+)?['"][^'"]+['"];?\s*$|export\s+(const|let|default|function)\b)"#,
        )
        .unwrap()
    });
    MODULE.is_match(t)
}

/// HTML (`<!-- … -->`), MDX (`{/* … */}`) and Hugo (`{{< comment >}} … {{< /comment >}}`, the
/// Kubernetes website's notes to maintainers) comments removed from a line; a comment left open
/// at the line's end is remembered in `open`, so the lines it spans are dropped too.
fn strip_comments(line: &str, open: &mut Option<&'static str>) -> String {
    let mut out = String::new();
    let mut rest = line;
    loop {
        if let Some(end) = *open {
            let Some(at) = rest.find(end) else { return out };
            rest = &rest[at + end.len()..];
            *open = None;
        }
        let next = COMMENTS
            .into_iter()
            .filter_map(|(start, end)| rest.find(start).map(|at| (at, start, end)))
            .min_by_key(|(at, ..)| *at);
        let Some((at, start, end)) = next else {
            out.push_str(rest);
            return out;
        };
        out.push_str(&rest[..at]);
        rest = &rest[at + start.len()..];
        *open = Some(end);
    }
}

/// Comments' start and end markers.
const COMMENTS: [(&str, &str); 4] = [
    ("<!--", "-->"),
    ("{/*", "*/}"),
    ("{{< comment >}}", "{{< /comment >}}"),
    ("{{% comment %}}", "{{% /comment %}}"),
];

/// One line's inline markup rendered: Hugo shortcodes everywhere (Hugo expands them inside
/// code too: `` `{{< glossary_tooltip text="replicas" term_id="replica" >}}` `` shows
/// `replicas`), the rest outside its inline code spans.
fn inline(line: &str) -> String {
    let expanded = shortcodes(line, Within::Text);
    let mut out = String::with_capacity(expanded.len());
    let mut changed = expanded != line;
    for (i, part) in expanded.split('`').enumerate() {
        if i > 0 {
            out.push('`');
        }
        if i % 2 == 1 {
            out.push_str(part);
            continue;
        }
        // Entities last: an escaped `&lt;div&gt;` is text about an element, not one.
        let rendered = decoded(&wikilinks(&tags(&liquid(part))));
        changed |= rendered != part;
        out.push_str(&rendered);
    }
    if !changed {
        return out;
    }
    // Removed tags leave runs of spaces; the indentation (a list's, a code block's) stays.
    let indent = line.len() - line.trim_start().len();
    let body = out.split_whitespace().collect::<Vec<_>>().join(" ");
    format!("{}{body}", &line[..indent])
}

/// HTML's character references as the reader sees them (`&nbsp;`, `&lt;`, `&#039;`): generated
/// reference pages are full of them, and left raw they index `nbsp` as a word. A non-breaking
/// space is a space.
fn decoded(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    html_escape::decode_html_entities(text).replace('\u{a0}', " ")
}

/// Where a shortcode is read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Within {
    /// Text, inline code included.
    Text,
    /// A fenced code block: Hugo expands its shortcodes there too (`v{{< skew currentVersion
    /// >}}` in a manifest), but mdBook's `{{#…}}` tags there are what the page shows.
    Code,
}

/// Jekyll/Liquid tags (`{% include note.html %}`) dropped, but for what the reader sees of
/// them: a GitBook tab's `{% tab title="AWS" %}` says "AWS", a Jekyll include's
/// `content="…"` its text.
fn liquid(text: &str) -> std::borrow::Cow<'_, str> {
    static LIQUID: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\{%-?(.*?)-?%\}").unwrap());
    LIQUID.replace_all(text, |c: &Captures<'_>| shown(&c[1]).join(" "))
}

/// The attribute values a tag shows its reader: a title, a label, a tab's header, a
/// caption, a button's text (`title="Note"`, `header="Linux"`, `content="Check quotas."`).
/// A set of tabs shows its tabs' labels, not its own name (`{{< tabs name="install" >}}`), and
/// a Liquid variable's value is not shown (`{% assign title = "x" %}`).
fn shown(tag: &str) -> Vec<&str> {
    let tag = tag.trim_start();
    if ["tabs", "assign", "capture"].iter().any(|t| tag.starts_with(t)) {
        return Vec::new();
    }
    static SHOWN: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"\b(?:title|text|caption|header|label|name|content)\s*=\s*"([^"]*)""#).unwrap()
    });
    SHOWN.captures_iter(tag).filter_map(|c| c.get(1)).map(|m| m.as_str().trim()).collect()
}

/// The marker that closes the tag whose `{{` is at `start` of `text`: Hugo's `{{< … >}}` and
/// `{{% … %}}`, and in text mdBook's `{{#… }}`; `None` for anything else (template text).
fn closer(text: &str, start: usize, within: Within) -> Option<&'static str> {
    match text.as_bytes().get(start + 2) {
        Some(b'%') => Some("%}}"),
        Some(b'<') => Some(">}}"),
        // mdBook's preprocessors: `{{#tab Docker}}` … `{{#/tabs}}`, `{{#releaselink …}}`.
        Some(b'#') if within == Within::Text => Some("}}"),
        _ => None,
    }
}

/// Hugo shortcodes (`{{% heading "whatsnext" %}}` says "What's next"; other tags are dropped
/// and what they enclose is kept; an escaped one, `{{</* note */>}}`, is shown as written
/// unescaped) and mdBook preprocessor tags (`{{#tab Docker}}` says "Docker", `{{#tabs …}}` is
/// dropped).
fn shortcodes(line: &str, within: Within) -> String {
    static TERM: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"^glossary_tooltip\b.*\bterm_id\s*=\s*"([^"]*)""#).unwrap());
    let mut out = String::new();
    let mut rest = line;
    while let Some(start) = rest.find("{{") {
        let Some(close) = closer(rest, start, within) else {
            // `{{ .Values.x }}` and the like are template text the page shows.
            out.push_str(&rest[..start + 2]);
            rest = &rest[start + 2..];
            continue;
        };
        // The closing marker is looked for after the opening one (`{{%}}` is not a shortcode
        // that closes itself).
        let Some(end) = rest[start + 3..].find(close).map(|e| e + 3) else { break };
        out.push_str(&rest[..start]);
        let inner = rest[start + 3..start + end].trim();
        let visible = shown(inner);
        if let Some(escaped) = inner.strip_prefix("/*").and_then(|i| i.strip_suffix("*/")) {
            // `{{</* note */>}}` is how a Hugo page shows a shortcode without running it.
            out.push_str(&rest[start..start + 3]);
            out.push_str(escaped);
            out.push_str(close);
        } else if let Some(label) = inner.strip_prefix("tab ").filter(|_| close == "}}") {
            // An mdBook tab's label (`{{#tab Docker}}`); other `{{#…}}` tags are dropped.
            out.push_str(label.trim());
        } else if let Some(label) =
            inner.strip_prefix("tab ").map(str::trim).filter(|l| l.starts_with('"') && !l.contains('='))
        {
            // A Hugo theme's tab labelled by position (`{{< tab "macOS" >}}`).
            out.push_str(label.trim_matches('"'));
        } else if inner.starts_with("heading") && inner.contains("whatsnext") {
            out.push_str("What's next");
        } else if let Some(arg) = inner.strip_prefix("heading") {
            out.push_str(arg.trim().trim_matches('"'));
        } else if !visible.is_empty() {
            // Docsy's `{{% alert title="Note" %}}`, a tab's `header="Linux"`, a button's
            // `text="…"`, a figure's `title="Figure 1." caption="…"`: what the reader sees.
            out.push_str(&visible.join(" "));
        } else if let Some(term) = TERM.captures(inner) {
            // The Kubernetes website's `{{< glossary_tooltip term_id="replica-set" >}}` shows
            // the term's name.
            out.push_str(&term[1].replace(['-', '_'], " "));
        }
        rest = &rest[start + end + close.len()..];
    }
    out.push_str(rest);
    out
}

/// Wiki links (GitHub wikis, Obsidian, Foam): `[[Runbook|the runbook]]` reads "the runbook",
/// `[[Runbook#Rollback]]` "Runbook Rollback"; an embed left here (`![[diagram.png]]`, one the
/// run does not index) is dropped.
fn wikilinks(text: &str) -> String {
    static LINK: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(!?)\[\[([^\[\]|#]*)(?:#([^\[\]|]*))?(?:\|([^\[\]]*))?\]\]").unwrap());
    if !text.contains("[[") {
        return text.to_string();
    }
    LINK.replace_all(text, |c: &Captures<'_>| {
        if &c[1] == "!" {
            return String::new();
        }
        if let Some(alias) = c.get(4).map(|m| m.as_str().trim()).filter(|a| !a.is_empty()) {
            return alias.to_string();
        }
        let page = c[2].trim();
        let page = page.rsplit('/').next().unwrap_or(page);
        let page = page.strip_suffix(".md").unwrap_or(page);
        match c.get(3).map(|m| m.as_str().trim_start_matches('^').trim()) {
            Some(h) if !h.is_empty() && !page.is_empty() => format!("{page} {h}"),
            Some(h) if !h.is_empty() => h.to_string(),
            _ => page.to_string(),
        }
    })
    .into_owned()
}

/// HTML elements and MDX components (`<TabItem value="helm" label="Helm">`, `</Tabs>`,
/// `<br/>`) replaced by the title they carry (`label`, `title`, `alt`), else by nothing; what
/// they wrap stays. A placeholder such as `<pod-name>` or `<namespace>` is not an element and
/// is kept.
fn tags(text: &str) -> String {
    static TAG: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"</?([A-Za-z][A-Za-z0-9.]*)(\s[^<>]*?)?\s*/?>").unwrap());
    static TITLE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"\b(?:label|title|alt)=(?:"([^"]*)"|'([^']*)')"#).unwrap());
    TAG.replace_all(text, |c: &Captures<'_>| {
        let name = &c[1];
        let component = name.starts_with(|ch: char| ch.is_ascii_uppercase());
        if !component && !HTML_ELEMENTS.contains(&name.to_ascii_lowercase().as_str()) {
            return c[0].to_string();
        }
        let title = c
            .get(2)
            .and_then(|attrs| TITLE.captures(attrs.as_str()))
            .and_then(|t| t.get(1).or_else(|| t.get(2)).map(|m| m.as_str().trim().to_string()));
        match title {
            Some(t) if !t.is_empty() => format!(" {t} "),
            _ => " ".to_string(),
        }
    })
    .into_owned()
}

/// Elements a documentation page uses for layout. Names that also read as placeholders in
/// commands (`<source>`, `<label>`, `<input>`, `<name>`) are left out on purpose.
const HTML_ELEMENTS: &[&str] = &[
    "a",
    "abbr",
    "article",
    "aside",
    "b",
    "blockquote",
    "br",
    "caption",
    "center",
    "cite",
    "code",
    "col",
    "colgroup",
    "dd",
    "del",
    "details",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "font",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "iframe",
    "img",
    "ins",
    "kbd",
    "li",
    "mark",
    "nav",
    "ol",
    "p",
    "picture",
    "pre",
    "small",
    "span",
    "strike",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "u",
    "ul",
    "video",
];

/// The word with its first letter in upper case (`note` → `Note`), for admonition leads.
pub(crate) fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mdx_imports_components_and_comments_are_rendered_to_text() {
        let got = site_markup(
            "import Tabs from '@theme/Tabs'\nimport TabItem from '@theme/TabItem';\n\
             import './styles.css'\nexport const meta = { a: 1 }\n\n\
             Install it.\n\n<Tabs>\n<TabItem value=\"helm\" label=\"Helm\">\n\n\
             <PickHelmVersion>helm install chaos-mesh</PickHelmVersion>\n\n</TabItem>\n</Tabs>\n\n\
             {/* hidden note */}\n<!-- an editor's\nnote over lines -->\nVisible <br/>text.\n\
             <VerifyInstallation />\n<Tabs defaultValue=\"k8s\" values={[\n  { label: 'Kubernetes', value: 'k8s' },\n]}>\nAfter.\n",
        );
        assert_eq!(got, "\nInstall it.\n\nHelm\n\nhelm install chaos-mesh\n\n\nVisible text.\nAfter.\n");
        // A shortcode wrapped over lines of code is read whole (the OpenTelemetry site's
        // `{{% param … %}}` in a manifest); attribute lists say nothing (Traefik's MkDocs).
        renders(&[
            (
                "```yaml\n- gomod: envprovider {{% param\n    providers-vers %}}\n- next\n```\n",
                "```yaml\n- gomod: envprovider \n- next\n```\n",
            ),
            ("Routing rules.\n{: .subtitle }\n", "Routing rules.\n"),
        ]);
        // Character references read as the characters they stand for, outside code only.
        assert_eq!(
            site_markup("--dry-run&nbsp;&nbsp;Default: &quot;false&quot; &lt;br&gt; `a&amp;b`\n"),
            "--dry-run Default: \"false\" <br> `a&amp;b`\n"
        );
        // Layout elements too, their attributes over lines (cert-manager's MDX), and mdBook's
        // asides (Cluster API's book).
        let got = site_markup(
            "<a style={{float: \"left\", padding: \"10px\"}}\n    href=\"../tutorials/acme\">\n\
             <img style={{margin: \"0\"}}\n  alt=\"NGINX icon\" src=\"/x.svg\" />\nNGINX and ACME</a>\n\n\
             <aside class=\"note warning\">\n\n<h1>Warning</h1>\n\nSkipping versions is unsupported.\n\n</aside>\n\
             <table>\n<colgroup>\n<col span=\"1\" />\n</colgroup>\n<tr><td>--help</td></tr>\n</table>\n",
        );
        assert_eq!(got, "NGINX and ACME\n\n\nWarning\n\nSkipping versions is unsupported.\n\n--help\n");
    }

    #[test]
    fn placeholders_code_and_template_text_are_kept() {
        for kept in [
            "kubectl logs <pod-name> -n <namespace>",
            "Run `<div class=\"x\">` and `{% raw %}` as written.",
            "The chart reads {{ .Values.image }} here.",
            "a < b and c > d",
            "import the dashboard from Grafana.",
            "It answers in <a second\nor two.",
        ] {
            assert_eq!(site_markup(kept), format!("{kept}\n"), "{kept}");
        }
        let fenced = "```html\n<div>\n<!-- kept -->\nimport X from 'y'\n```\n";
        assert_eq!(site_markup(fenced), fenced);
        // But not a template's raw-block markers around a code sample (mkdocs-macros pages).
        assert_eq!(
            site_markup("```yaml\n{% raw %}\nurl: \"{{ .remoteRef.key }}\"\n{%- endraw %}\n```\n"),
            "```yaml\nurl: \"{{ .remoteRef.key }}\"\n```\n"
        );
    }

    /// Each site-markup input and the text a reader sees.
    fn renders(cases: &[(&str, &str)]) {
        for (raw, text) in cases {
            assert_eq!(site_markup(raw), *text, "{raw}");
        }
    }

    #[test]
    fn hugo_jekyll_and_mkdocs_markup_is_rendered() {
        renders(&[
            ("## {{% heading \"whatsnext\" %}}\n", "## What's next\n"),
            ("{{< note >}}\nTaints repel pods.\n{{< /note >}}\n", "Taints repel pods.\n"),
            ("{% include note.html %}Check quotas.\n", "Check quotas.\n"),
            ("{% include note.html content=\"Check quotas.\" %}\n", "Check quotas.\n"),
            ("{% assign title = \"Runbooks\" %}Page.\n", "Page.\n"),
            (
                "{% tabs %}\n{% tab title=\"AWS\" %}\nUse IRSA.\n{% endtab %}\n{% endtabs %}\n",
                "AWS\nUse IRSA.\n",
            ),
            (
                "{{< tabs name=\"tab-install\" >}}\n{{< tab header=\"Linux\" lang=\"bash\" >}}\nUntar.\n{{< /tab >}}\n{{< /tabs >}}\n",
                "Linux\nUntar.\n",
            ),
            ("{{< tab \"macOS\" >}}\nbrew install.\n{{< /tab >}}\n", "macOS\nbrew install.\n"),
            (
                "{{% alert title=\"Warning\" color=\"warning\" %}}\nMind the sidecar.\n{{% /alert %}}\n",
                "Warning\nMind the sidecar.\n",
            ),
            ("!!! note\n", "Note:\n"),
            ("!!! warning \"Careful\"\n", "Careful\n"),
            (":::tip Tolerations\nAdd one.\n:::\n", "Tolerations\nAdd one.\n"),
            ("=== \"kubectl\"\n--8<-- \"x.md\"\n", "kubectl\n"),
            ("<img src=\"a.png\" alt=\"Sync flow\"/>\n", "Sync flow\n"),
            (":::tip[Before you start]\nDrain.\n:::\n", "Before you start\nDrain.\n"),
            (
                "Scale.\n{{< comment >}}\nMaintainers: fix the zebra.\n{{< /comment >}}\nOut.\n",
                "Scale.\nOut.\n",
            ),
            (
                "{{< figure src=\"/hpa.svg\" caption=\"The HPA scales a Deployment\" >}}\n",
                "The HPA scales a Deployment\n",
            ),
            (
                "{{#tabs name:\"t\" tabs:\"Docker,AWS\"}}\n{{#tab Docker}}\nRun kind.\n{{#/tabs }}\n",
                "Docker\nRun kind.\n",
            ),
            (
                "A {{< glossary_tooltip term_id=\"replica-set\" >}} or {{< glossary_tooltip text=\"Pods\" term_id=\"pod\" >}}.\n",
                "A replica set or Pods.\n",
            ),
            (
                "Install {{< glossary_tooltip term_id=\"dra\"\ntext=\"Dynamic Resource Allocation\" >}} drivers.\n{{< feature-state\n  for_k8s_version=\"v1.34\" state=\"stable\" >}}\nNext.\n",
                "Install Dynamic Resource Allocation drivers.\nNext.\n",
            ),
            // Hugo expands shortcodes inside code too; an escaped one shows as written.
            (
                "The `{{< glossary_tooltip text=\"replicas\" term_id=\"replica\" >}}` field.\n",
                "The `replicas` field.\n",
            ),
            (
                "```yaml\nversion: v{{< skew currentVersion >}}\n{{#include x.rs}}\n{% raw %}\n```\n",
                "```yaml\nversion: v\n{{#include x.rs}}\n```\n",
            ),
            ("Use `{{</* note */>}}` for notes.\n", "Use `{{< note >}}` for notes.\n"),
            (
                "{{< figure src=\"/pod.svg\" title=\"Figure 1.\" caption=\"A Pod with a `sidecar`.\" >}}\n",
                "Figure 1. A Pod with a `sidecar`.\n",
            ),
            // A shortcode that never closes is left as written, and the paragraph after it kept.
            ("{{< note\nUnclosed.\n\nNext.\n", "{{< note Unclosed.\n\nNext.\n"),
        ]);
    }

    #[test]
    fn github_alerts_obsidian_callouts_and_wiki_links_read_as_text() {
        renders(&[
            ("> [!WARNING]\n> Drain first.\n", "> Warning:\n> Drain first.\n"),
            ("> [!tip]- Faster restarts\n", "> Faster restarts\n"),
            (
                "See [[Runbooks/Rollback|the rollback runbook]], [[Oncall#Paging]] and [[#Escalation]].\n",
                "See the rollback runbook, Oncall Paging and Escalation.\n",
            ),
            ("![[topology.png]] Traffic flows left to right.\n", "Traffic flows left to right.\n"),
            // Code keeps its brackets.
            ("Run `a[[0]]` now.\n", "Run `a[[0]]` now.\n"),
        ]);
    }

    #[test]
    fn markers_that_never_close_or_overlap_are_left_as_text() {
        for text in ["{{%}}", "{{<}}", "{{% x", "<!--", "{/*", "<Tabs", "`<div>", "{% x", ":::", "!!!"] {
            let _ = site_markup(text);
        }
        assert_eq!(site_markup("a {{%}} b\n"), "a {{%}} b\n");
    }

    proptest::proptest! {
        #[test]
        fn any_text_renders(text in "([{}<>%/*!:=`#|\"' \u{3000}a-zé-]{0,8}(Tabs|div|--8<--|import|export)?\n?){0,30}") {
            let _ = site_markup(&text);
        }
    }
}
