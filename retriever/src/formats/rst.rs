//! reStructuredText pages (`.rst`), as Sphinx and Read the Docs documentation sites write them.
//! As for AsciiDoc, the page is rewritten into the Markdown that says the same and handed to
//! the Markdown reader, so sections, anchors and snippets behave exactly as for Markdown:
//! underlined (and overlined) section titles become headings, their level taken from the order
//! in which each adornment style first appears (rST fixes no style per level); `code-block`
//! directives and `::` literal blocks become code fences; admonitions become their title and
//! text; roles and references become their text (`:ref:`Retries <retries>`` → `Retries`).
//! Markup that is not content — comments, link targets, substitution definitions, `toctree`,
//! `include`, `image`, `raw` — is dropped, never shown raw.

use std::sync::LazyLock;

use regex::{Captures, Regex};

use super::markdown::{self, Page};
use super::markup::capitalised;

/// Parses a reStructuredText page: its title (the first section title) and its body split at
/// its section titles.
pub fn parse(text: &str) -> Page {
    markdown::parse(&to_markdown(text))
}

/// Directives whose body is not text a reader sees on the page.
pub(crate) const DROPPED: &[&str] = &[
    "toctree",
    "include",
    "literalinclude",
    "image",
    "raw",
    "contents",
    "meta",
    "index",
    "highlight",
    "sectnum",
    "autoclass",
    "autofunction",
    "automodule",
    "automethod",
    "autodata",
    "todo",
    "spelling",
];

/// Directives whose body is code.
pub(crate) const CODE: &[&str] = &["code-block", "code", "sourcecode", "parsed-literal"];

/// What to do with the indented block under the line just read.
#[derive(Clone, Copy)]
enum Body {
    /// A code fence: the block's lines verbatim, dedented.
    Code,
    /// Text: the block's lines rendered, dedented.
    Text,
    /// Nothing of it.
    Dropped,
}

/// The same page in Markdown.
pub fn to_markdown(text: &str) -> String {
    static DIRECTIVE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^\.\.\s+(?:\|[^|]+\|\s+)?([\w:-]+)::\s*(.*)$").unwrap());
    let lines: Vec<&str> = text.lines().collect();
    let mut out = String::with_capacity(text.len());
    // Adornment styles (character, overlined) in the order they first appear: the level.
    let mut styles: Vec<(char, bool)> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i].trim_end();
        // A title: optional overline, text, underline of one repeated punctuation character.
        if let Some((title, style, used)) = section_title(&lines[i..]) {
            let level = styles.iter().position(|s| *s == style).unwrap_or_else(|| {
                styles.push(style);
                styles.len() - 1
            }) + 1;
            out.push_str(&format!("{} {}\n\n", "#".repeat(level.min(6)), inline(title)));
            i += used;
            continue;
        }
        let indent = indent_of(line);
        let t = line.trim_start();
        if t.starts_with("..") && (t.len() == 2 || t[2..].starts_with(char::is_whitespace)) {
            let body = match DIRECTIVE.captures(t) {
                // Substitution definitions (`.. |logo| image:: logo.png`).
                Some(_) if t.find('|') < t.find("::") && t.contains('|') => Body::Dropped,
                Some(c) => {
                    let name = c[1].to_ascii_lowercase();
                    let arg = c[2].trim();
                    if CODE.contains(&name.as_str()) {
                        Body::Code
                    } else if DROPPED.contains(&name.as_str()) {
                        Body::Dropped
                    } else {
                        // An admonition (`.. note::`, `.. warning:: Careful`) or any other
                        // directive whose body is text: its argument, else its name, as a lead.
                        let lead =
                            if arg.is_empty() { format!("{}:", capitalised(&name)) } else { inline(arg) };
                        out.push_str(&lead);
                        out.push_str("\n\n");
                        Body::Text
                    }
                }
                // Comments and link targets (`.. _install:`, `.. _Helm: https://…`).
                None => Body::Dropped,
            };
            i = block(&lines, i + 1, indent, body, &mut out);
            continue;
        }
        if t.starts_with("__ ") {
            // The anonymous target of a `word__` reference: its URL only.
            i += 1;
            continue;
        }
        if t == "::" {
            i = block(&lines, i + 1, indent, Body::Code, &mut out);
            continue;
        }
        if let Some(para) = t.strip_suffix("::").filter(|_| !t.starts_with(':')) {
            // `Run this::` introduces a literal block and reads "Run this:".
            out.push_str(&" ".repeat(indent));
            out.push_str(&inline(para.trim_end()));
            out.push_str(if para.ends_with(char::is_whitespace) { "\n\n" } else { ":\n\n" });
            i = block(&lines, i + 1, indent, Body::Code, &mut out);
            continue;
        }
        if t.starts_with(':') && out.trim().is_empty() {
            // Page-wide fields before the title (`:orphan:`, `:tocdepth: 2`).
            i += 1;
            continue;
        }
        out.push_str(&" ".repeat(indent));
        out.push_str(&inline(t));
        out.push('\n');
        i += 1;
    }
    out
}

/// The section title starting at `lines[0]`, with its style and how many lines it takes.
fn section_title<'a>(lines: &[&'a str]) -> Option<(&'a str, (char, bool), usize)> {
    let adornment = |l: &str| {
        let l = l.trim_end();
        let c = l.chars().next()?;
        (l.len() >= 2 && c.is_ascii_punctuation() && l.chars().all(|x| x == c)).then_some((c, l.len()))
    };
    if let Some((c, len)) = adornment(lines.first()?) {
        // Overlined: overline, text, underline of the same character.
        let text = lines.get(1)?.trim();
        let (under, _) = adornment(lines.get(2)?)?;
        return (under == c && !text.is_empty() && len + 1 >= text.len()).then_some((text, (c, true), 3));
    }
    let text = lines[0].trim_end();
    let (c, len) = adornment(lines.get(1)?)?;
    // An underline shorter than its title is an error Sphinx warns about but still renders.
    let starts_text = text.starts_with(|ch: char| !ch.is_whitespace());
    (starts_text && len >= text.chars().count().min(3)).then_some((text, (c, false), 2))
}

/// Writes the block indented under line `start - 1` (more than `indent`) as `body` says, and
/// returns the index of the first line after it. Options at the block's head (`:caption: x`)
/// are not content.
fn block(lines: &[&str], start: usize, indent: usize, body: Body, out: &mut String) -> usize {
    let mut end = start;
    while end < lines.len() && (lines[end].trim().is_empty() || indent_of(lines[end]) > indent) {
        end += 1;
    }
    // Trailing blank lines belong to what follows.
    while end > start && lines[end - 1].trim().is_empty() {
        end -= 1;
    }
    let mut content: Vec<&str> = lines[start..end].to_vec();
    while content.first().is_some_and(|l| l.trim_start().starts_with(':')) {
        content.remove(0);
    }
    let dedent = content.iter().filter(|l| !l.trim().is_empty()).map(|l| indent_of(l)).min().unwrap_or(0);
    let strip = |l: &str| l.get(dedent..).unwrap_or_else(|| l.trim_start()).trim_end().to_string();
    match body {
        Body::Dropped => {}
        Body::Code => {
            out.push_str("```\n");
            for l in content.iter().skip_while(|l| l.trim().is_empty()) {
                out.push_str(&strip(l));
                out.push('\n');
            }
            out.push_str("```\n");
        }
        Body::Text => {
            let inner: Vec<String> =
                content.iter().skip_while(|l| l.trim().is_empty()).map(|l| strip(l)).collect();
            out.push_str(&to_markdown(&inner.join("\n")));
        }
    }
    end
}

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// Inline markup to its text: roles (`:ref:`Retries <retries>``, `:class:`~kopf.Memo``),
/// hyperlink references (`` `Helm <https://helm.sh>`_ ``, `` `Helm`_ ``), inline literals
/// (` ``kubectl`` ` → `` `kubectl` ``).
fn inline(text: &str) -> String {
    static ROLE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r":[\w:+-]+:`([^`]+)`").unwrap());
    static LINK: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"`([^`<]+?)\s*(?:<[^>`]*>)?`__?").unwrap());
    static WORD_REF: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(\w)__?([\s,.;:)!?]|$)").unwrap());
    static LITERAL: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"``([^`]+)``").unwrap());
    let text = LITERAL.replace_all(text, "`$1`");
    let text = ROLE.replace_all(&text, |c: &Captures<'_>| {
        let inner = c[1].trim();
        // `Shown text <target>` shows the text; `~a.b.c` shows `c`.
        match inner.rfind(" <").filter(|_| inner.ends_with('>')) {
            Some(at) => inner[..at].trim().to_string(),
            None => inner.strip_prefix('~').map_or(inner, |t| t.rsplit('.').next().unwrap_or(t)).to_string(),
        }
    });
    let text = LINK.replace_all(&text, "$1");
    // `RBAC__` and `Helm_` are references to targets given elsewhere: the word is the text.
    // Inline literals keep their underscores (`__init__`).
    text.split('`')
        .enumerate()
        .map(
            |(i, part)| {
                if i % 2 == 0 { WORD_REF.replace_all(part, "$1$2").into_owned() } else { part.to_string() }
            },
        )
        .collect::<Vec<_>>()
        .join("`")
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = "\
:orphan:

.. _handlers:

========
Handlers
========

.. todo:: Multiple handlers per script.

Handlers are Python functions, see :ref:`the events <events>` and :class:`~kopf.Memo`, RBAC__.

__ https://kubernetes.io/docs/reference/access-authn-authz/rbac/

Registering
===========

To register a handler, use the ``@kopf.on`` decorator:

.. code-block:: python
    :caption: example.py

    @kopf.on.create('kopfexamples')
    def fn(**_):
        pass

.. note:: Order matters

   Handlers run in the order they are declared.

.. toctree::
   :maxdepth: 2

   walkthrough

.. This is a comment
   spanning two lines.

Retries
-------

Run this::

    kubectl get kex

See `Kubernetes <https://kubernetes.io>`_ for more.
";

    #[test]
    fn sections_code_admonitions_and_roles_become_markdown() {
        let page = parse(PAGE);
        assert_eq!(page.title.as_deref(), Some("Handlers"));
        let got: Vec<(String, &str)> =
            page.sections.iter().map(|s| (s.heading.join(" > "), s.text.as_str())).collect();
        assert_eq!(got[0], (String::new(), "Handlers are Python functions, see the events and Memo, RBAC."));
        assert_eq!(got[1].0, "Registering");
        let registering = got[1].1;
        assert!(
            registering.starts_with("To register a handler, use the `@kopf.on` decorator:"),
            "{registering}"
        );
        assert!(registering.contains("```\n@kopf.on.create('kopfexamples')\ndef fn(**_):\n    pass\n```"));
        assert!(registering.contains("Order matters\n\nHandlers run in the order they are declared."));
        assert_eq!(
            got[2],
            (
                "Registering > Retries".into(),
                "Run this:\n\n```\nkubectl get kex\n```\n\nSee Kubernetes for more."
            )
        );
        let all: String = page.sections.iter().map(|s| s.text.as_str()).collect();
        for raw in [
            ":orphan:",
            ".. ",
            "toctree",
            "walkthrough",
            "comment",
            ":caption:",
            "todo",
            ":ref:",
            "``@",
            "`_",
        ] {
            assert!(!all.contains(raw), "{raw} left in {all:?}");
        }
    }

    #[test]
    fn damaged_pages_do_not_panic() {
        for text in
            ["..", "::", "=\n=", "Title\n=\n", ".. code-block::", "a::\n", "===\nx\n", "\u{e9}\u{e9}\n--\n"]
        {
            let _ = parse(text);
        }
    }

    proptest::proptest! {
        #[test]
        fn any_text_parses(text in "([=:`<>|._ \u{3000}-]{0,6}(code-block|note|ref|_)?[a-zé:,]{0,6}\n?){0,30}") {
            let _ = parse(&text);
        }
    }
}
