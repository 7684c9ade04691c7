//! MyST Markdown: the Markdown that Sphinx sites (Jupyter, Read the Docs, executablebooks and
//! many Python projects) write instead of reStructuredText. It is CommonMark plus Sphinx's
//! directives and roles in Markdown dress, which a CommonMark reader shows raw: a ```` ```{note} ````
//! admonition reads as a code block, a `(install)=` target before the `# Title` hides the title,
//! `{ref}`install <install>`` shows its braces. This pass rewrites them into the Markdown that
//! says the same, before the Markdown reader runs — as reStructuredText is ([`super::rst`]),
//! whose lists of dropped and code directives it shares:
//! - directive fences (```` ```{name} arg ````, any number of backticks or tildes, and `:::{name}`
//!   colon fences) become their text: an admonition its title (or kind) and body, a code
//!   directive a code fence, `eval-rst` its body read as reStructuredText; `toctree`, `image`,
//!   `include` and the like are dropped, and so are directive options (`:maxdepth: 2`);
//! - roles become their text (`{ref}`the guide <setup>`` → `the guide`);
//! - targets (`(setup)=`) and comments (`% …`) are dropped.
//!
//! A page with none of this syntax is not touched.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::{Captures, Regex};

use super::markup::capitalised;
use super::rst;

/// The page rewritten as plain Markdown, or the page itself when it uses no MyST syntax.
pub fn to_markdown(text: &str) -> Cow<'_, str> {
    static MYST: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?m)^\s*(```+|~~~+|:::+)\s*\{[A-Za-z][\w:-]*\}|^\([\w.:-]+\)=\s*$").unwrap()
    });
    if !MYST.is_match(text) && !ROLE.is_match(text) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut open: Vec<Open> = Vec::new();
    // Directive options (`:class: warning`) may follow an opening fence; they are not text.
    let mut options = false;
    for line in text.lines() {
        let t = line.trim_start();
        let dropped = open.iter().any(|o| o.body == Body::Dropped);
        if let Some(top) = open.last() {
            if top.closes(t) {
                let closed = open.pop().map(|o| o.body);
                if !dropped {
                    match closed {
                        Some(Body::Code) => push(&mut out, "```"),
                        Some(Body::Plain) => push(&mut out, line),
                        Some(Body::Rst(rst)) => out.push_str(&rst::to_markdown(&rst)),
                        Some(Body::Text) => out.push('\n'),
                        Some(Body::Dropped) | None => {}
                    }
                }
                options = false;
                continue;
            }
            if options {
                if OPTION.is_match(t) {
                    continue;
                }
                options = false;
            }
            if top.verbatim() {
                if let Some(Open { body: Body::Rst(rst), .. }) = open.last_mut() {
                    rst.push_str(line);
                    rst.push('\n');
                } else if !dropped {
                    push(&mut out, line);
                }
                continue;
            }
        }
        if let Some((fence, info)) = fence(t) {
            match directive(info) {
                Some((name, arg)) => {
                    let body = body_of(&name);
                    if !dropped {
                        match &body {
                            Body::Code => push(&mut out, &format!("```{arg}")),
                            Body::Text => {
                                if let Some(lead) = lead(&name, arg) {
                                    push(&mut out, &lead);
                                    out.push('\n');
                                }
                            }
                            Body::Plain | Body::Rst(_) | Body::Dropped => {}
                        }
                    }
                    open.push(Open { fence, body });
                    options = true;
                }
                // A plain code fence: verbatim to its end (colons open no code).
                None if fence.0 != ':' => {
                    open.push(Open { fence, body: Body::Plain });
                    if !dropped {
                        push(&mut out, line);
                    }
                }
                None => {
                    if !dropped {
                        push(&mut out, line);
                    }
                }
            }
            continue;
        }
        if dropped || TARGET.is_match(t) || (t.starts_with('%') && !t.starts_with("%%")) {
            continue;
        }
        push(&mut out, &roles(line));
    }
    // Fences left open at the end are closed where the page ends.
    while let Some(top) = open.pop() {
        if let Body::Rst(rst) = top.body {
            out.push_str(&rst::to_markdown(&rst));
        } else if matches!(top.body, Body::Code | Body::Plain) {
            push(&mut out, "```");
        }
    }
    Cow::Owned(out)
}

static OPTION: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^:[\w-]+:(\s|$)").unwrap());
static TARGET: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^\([\w.:-]+\)=\s*$").unwrap());

/// What a fence's body is.
#[derive(Debug, PartialEq)]
enum Body {
    /// Text a reader sees (an admonition, a tab, a directive not known to be otherwise).
    Text,
    /// Code: written as a code fence.
    Code,
    /// A plain Markdown code fence: copied as written, closing fence included.
    Plain,
    /// reStructuredText (`eval-rst`), gathered and read as such at the fence's end.
    Rst(String),
    /// Nothing a reader sees as text (`toctree`, `image`, …).
    Dropped,
}

/// An open fence: its character and length, and what its body is.
struct Open {
    fence: (char, usize),
    body: Body,
}

impl Open {
    /// Whether a line closes this fence: the same character, at least as many, nothing else.
    fn closes(&self, t: &str) -> bool {
        let (c, n) = self.fence;
        let t = t.trim_end();
        t.len() >= n && t.chars().all(|x| x == c)
    }

    /// Whether the body is copied without reading it for MyST syntax (code, rST).
    fn verbatim(&self) -> bool {
        matches!(self.body, Body::Code | Body::Plain | Body::Rst(_))
    }
}

/// An opening fence: its character and length, and its info string.
fn fence(t: &str) -> Option<((char, usize), &str)> {
    let c = t.chars().next().filter(|c| ['`', '~', ':'].contains(c))?;
    let n = t.chars().take_while(|&x| x == c).count();
    (n >= 3).then(|| ((c, n), t[n..].trim()))
}

/// A directive's name (lower case) and argument, from a fence's info string (`{note} Title`).
fn directive(info: &str) -> Option<(String, &str)> {
    let rest = info.strip_prefix('{')?;
    let (name, arg) = rest.split_once('}')?;
    let ok = name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || "-_:".contains(c));
    ok.then(|| (name.to_ascii_lowercase(), arg.trim()))
}

/// What a directive's body is.
fn body_of(name: &str) -> Body {
    if name == "eval-rst" || name == "eval_rst" {
        Body::Rst(String::new())
    } else if rst::CODE.contains(&name) || name == "code-cell" {
        Body::Code
    } else if rst::DROPPED.contains(&name) || name == "figure-md" {
        Body::Dropped
    } else {
        Body::Text
    }
}

/// The line a text directive opens with: a titled one's title (`{admonition} Careful`,
/// `{tab-item} Helm`), else its kind and argument (`{note}` → `Note:`); layout containers
/// (`{tab-set}`, `{grid}`, `{figure} path.png`) open with nothing.
fn lead(name: &str, arg: &str) -> Option<String> {
    const TITLED: &[&str] =
        &["admonition", "tab-item", "tab", "dropdown", "card", "grid-item-card", "topic", "sidebar"];
    const CONTAINERS: &[&str] =
        &["tab-set", "grid", "grid-item", "div", "container", "only", "figure", "margin"];
    if CONTAINERS.contains(&name) || (TITLED.contains(&name) && arg.is_empty()) {
        None
    } else if TITLED.contains(&name) {
        Some(roles(arg))
    } else if arg.is_empty() {
        Some(format!("{}:", capitalised(name)))
    } else {
        Some(format!("{}: {}", capitalised(name), roles(arg)))
    }
}

/// Roles rendered to their text: `{ref}`the guide <setup>`` → `the guide`, `{doc}`install`` →
/// `install`; code and keyboard roles keep their code marks.
fn roles(line: &str) -> String {
    ROLE.replace_all(line, |c: &Captures<'_>| {
        let content = c[3].trim();
        let text = match content.rfind('<') {
            Some(at) if content.ends_with('>') && at > 0 => content[..at].trim(),
            _ => content.trim_start_matches('~').trim_start_matches('!'),
        };
        let text = if matches!(&c[2], "code" | "kbd" | "literal" | "file" | "command" | "samp") {
            format!("`{text}`")
        } else {
            text.to_string()
        };
        format!("{}{text}", &c[1])
    })
    .into_owned()
}

/// A role: a known Sphinx role or a domain's (`{py:class}`), at a word's start — so a path or
/// template in inline code (`/api/{uid}`, `${id}`) is not one.
static ROLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(^|[\s(\["'])\{(ref|doc|term|numref|eq|download|abbr|code|kbd|guilabel|menuselection|command|file|envvar|option|program|math|sup|sub|literal|samp|rfc|pep|any|external|[a-z]+:[a-z]+)\}`([^`]*)`"#,
    )
    .unwrap()
});

fn push(out: &mut String, line: &str) {
    out.push_str(line);
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::markdown;

    #[test]
    fn plain_markdown_is_not_touched() {
        let text = "# Title\n\n```{not myst\n50% of pods\n";
        assert!(matches!(to_markdown("# T\n\nSee `x`.\n\n```yaml\na: {b}\n```\n"), Cow::Borrowed(_)));
        // Paths and templates in inline code are not roles.
        let code = "Call `/api/attack/{uid}` in `/tmp/e2e/${id}` or `value.{collection}`.\n";
        assert!(matches!(to_markdown(code), Cow::Borrowed(_)));
        let _ = to_markdown(text);
    }

    #[test]
    fn targets_admonitions_roles_and_options_become_text() {
        let page = markdown::parse(
            "(user-storage)=\n\n# Customizing User Storage\n\n% an editor's comment\n\
             Read {ref}`the Helm guide <setup-helm>` and {doc}`install`; press {kbd}`Ctrl-C`.\n\n\
             ```{note}\n:class: tip\nVolumes outlive pods.\n```\n\n\
             ````{admonition} Careful\nDelete with:\n```bash\nkubectl delete pvc x\n```\n````\n\n\
             :::{warning}\nBack up first.\n:::\n\n\
             ```{toctree}\n:maxdepth: 2\nsetup\nusage\n```\n\n\
             ```{code-block} yaml\n:linenos:\nsingleuser:\n  storage: {}\n```\n",
        );
        assert_eq!(page.title.as_deref(), Some("Customizing User Storage"));
        let text = &page.sections[0].text;
        for kept in [
            "Read the Helm guide and install; press `Ctrl-C`.",
            "Note:\n\nVolumes outlive pods.",
            "Careful\n\nDelete with:\n```bash\nkubectl delete pvc x\n```",
            "Warning:\n\nBack up first.",
            "```yaml\nsingleuser:\n  storage: {}\n```",
        ] {
            assert!(text.contains(kept), "{kept:?} missing from {text:?}");
        }
        for raw in ["{note}", "{ref}", ":class:", "toctree", "maxdepth", "usage", ":linenos:", "%", "(user"] {
            assert!(!text.contains(raw), "{raw:?} left in {text:?}");
        }
    }

    #[test]
    fn eval_rst_is_read_as_restructuredtext() {
        let got = to_markdown("```{eval-rst}\n.. note:: Mind the gap\n\n   Trains.\n```\nAfter.\n");
        assert!(got.contains("Mind the gap") && got.contains("Trains.") && !got.contains(".. note"), "{got}");
        assert!(got.contains("After."));
    }

    #[test]
    fn unclosed_fences_end_with_the_page() {
        for text in [
            "```{note}\ntext",
            "````{code-block} sh\nls",
            "```{eval-rst}\n.. note:: x",
            ":::{toctree}\na",
            "```{",
            "(x)=\n```\n{ref}`",
        ] {
            let _ = markdown::parse(&to_markdown(text));
        }
        assert!(to_markdown("```{code-block} sh\nls -l\n").ends_with("```sh\nls -l\n```\n"));
    }

    proptest::proptest! {
        #[test]
        fn any_text_renders(text in "((```|````|:::|~~~)?\\{?(note|toctree|eval-rst|code-block|ref)?\\}?`?[ a-z<>:%()=-]{0,6}\n?){0,30}") {
            let _ = markdown::parse(&to_markdown(&text));
        }
    }
}
