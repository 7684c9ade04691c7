//! Pages that include other files: a documentation page is often little more than includes of
//! shared fragments (MkDocs `--8<-- "collecting-metrics.md"`, Hugo `{{< include "x.md" >}}` and
//! Grafana's `{{< docs/shared lookup="x.md" >}}`,
//! Sphinx `.. include::` and MyST ```` ```{include} ````, AsciiDoc `include::x.adoc[]` (and
//! Antora's `include::partial$x.adoc[]`), mdBook's `{{#include ../README.md}}`, and
//! the wiki embeds of Obsidian and Foam, `![[Runbook]]`). Indexed
//! as written, such a page says nothing, and a question about its topic finds the fragment —
//! under the fragment's file name, not the page a reader knows. So a page is read with its
//! includes expanded in place, as the site generator renders it.
//!
//! An include is only ever resolved to another document being indexed in the same run (the
//! [`Library`]): never a file outside what the user named, never a URL. A target is looked for
//! next to the including page, then in each folder above it (a site's root, as MkDocs'
//! `base_path` and Hugo's `readfile` name them), directly or in a fragments folder (`snippets/`,
//! `includes/`, `partials/`, `shared/`, with or without a leading `_`). A target found nowhere leaves the
//! line as written (the page readers drop it). Includes nest, up to [`DEPTH`] levels and
//! [`BUDGET`] bytes of fragments per page; a page never includes itself. A fragment stays a document of its own, but search weighs it like a
//! copy, below the pages made of it (the manifest records which documents each page included).

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

use crate::formats::markdown::without_front_matter;
use crate::source::{FileRef, Format, Unit};

/// How deep includes nest before the rest are left unexpanded.
pub const DEPTH: usize = 4;

/// How many bytes of fragments one page may take in, in all: fragments that include each
/// other many times over (a diamond at every level) must not grow a page without bound.
pub const BUDGET: usize = 4 << 20;

/// Folders sites keep their fragments in, looked for in each folder above a page.
const FRAGMENT_DIRS: &[&str] =
    &["snippets", "_snippets", "includes", "_includes", "partials", "_partials", "shared", "_shared"];

/// The documents of one indexing run that a page may include, by logical path.
pub struct Library<'a> {
    files: HashMap<&'a str, &'a FileRef>,
    /// By file name, lower case, for wiki embeds, which name a note wherever it is.
    by_name: HashMap<String, Vec<&'a FileRef>>,
}

impl<'a> Library<'a> {
    /// The main files of the run's page units (Markdown, AsciiDoc, reStructuredText).
    pub fn new(units: &'a [Unit]) -> Self {
        let files = units
            .iter()
            .filter(|u| matches!(u.format, Format::Markdown | Format::AsciiDoc | Format::ReStructuredText))
            .filter_map(|u| u.files.first())
            .map(|f| (f.logical.as_str(), f))
            .collect::<HashMap<_, _>>();
        let mut by_name: HashMap<String, Vec<&FileRef>> = HashMap::new();
        for f in files.values() {
            by_name.entry(f.name().to_lowercase()).or_default().push(f);
        }
        Library { files, by_name }
    }

    /// A file of the library by its logical path.
    pub fn get(&self, logical: &str) -> Option<&'a FileRef> {
        self.files.get(logical).copied()
    }

    /// The document an include in `from` names, if the run indexes it; a wiki embed's note is
    /// also found by its name alone, wherever it is, when no other document has that name.
    fn resolve(&self, from: &str, target: &Target) -> Option<&'a FileRef> {
        let found = self.resolve_path(from, &target.path);
        if found.is_some() || !target.by_name {
            return found;
        }
        let name = target.path.rsplit('/').next().unwrap_or(&target.path).to_lowercase();
        match self.by_name.get(&name).map(Vec::as_slice) {
            Some([one]) if one.logical != from => Some(one),
            _ => None,
        }
    }

    /// The document a path names, next to `from` or in a folder above it.
    fn resolve_path(&self, from: &str, target: &str) -> Option<&'a FileRef> {
        if target.contains("://") {
            return None;
        }
        let target = target.trim();
        // Antora names a module's fragments by family (`partial$prereqs.adoc`, `ROOT:partial$…`):
        // the file is in the module's `partials/` folder, found from any page above it.
        let target = match target.split_once('$') {
            Some((family, file)) if !family.contains('/') => file,
            _ => target,
        };
        let (rooted, target) = match target.strip_prefix('/') {
            Some(t) => (true, t),
            None => (false, target.trim_start_matches("./")),
        };
        // `file.md:3:9` and `file.md:section` (MkDocs line ranges and sections) name the file.
        let names = [Some(target), target.split_once(':').map(|(file, _)| file)];
        let dir = from.rsplit_once('/').map_or("", |(d, _)| d);
        let mut candidates = Vec::new();
        for name in names.into_iter().flatten().filter(|n| !n.is_empty()) {
            if !rooted {
                candidates.push(format!("{dir}/{name}"));
            }
            let mut up = Some(dir);
            while let Some(d) = up {
                candidates.push(format!("{d}/{name}"));
                candidates.extend(FRAGMENT_DIRS.iter().map(|f| format!("{d}/{f}/{name}")));
                up = d.rsplit_once('/').map(|(parent, _)| parent);
            }
        }
        candidates.iter().filter_map(|c| normalise(c)).filter(|c| c != from).find_map(|c| self.get(&c))
    }
}

/// A logical path with its `.` and `..` segments resolved; `None` when `..` climbs above it.
fn normalise(path: &str) -> Option<String> {
    let mut out: Vec<&str> = Vec::new();
    for (i, seg) in path.split('/').enumerate() {
        match seg {
            "." => {}
            "" if i > 0 => {}
            ".." => {
                out.pop()?;
            }
            s => out.push(s),
        }
    }
    Some(out.join("/"))
}

/// What a page included.
#[derive(Debug, Default)]
pub struct Included<'a> {
    /// Every file it included (each once, in order): its text depends on them.
    pub files: Vec<&'a FileRef>,
    /// Those of them that are titled topics (see [`topic_title`]): named, not read in.
    pub topics: Vec<&'a FileRef>,
}

/// A page's text with its includes expanded, and what it included.
pub fn expand<'a>(
    page: &str,
    text: &str,
    library: &Library<'a>,
    read: &dyn Fn(&FileRef) -> Option<String>,
) -> (String, Included<'a>) {
    let mut run =
        Expansion { library, read, open: vec![page.to_string()], used: Included::default(), budget: BUDGET };
    let out = run.expand(page, text, DEPTH);
    (out, run.used)
}

/// The title a fragment opens with when it is a topic of its own — a titled page outside the
/// folders sites keep snippets in: a module of AsciiDoc modular documentation
/// (`include::modules/proc-upgrading.adoc[leveloffset=+1]` under `= Upgrading`), a guide's
/// chapter, a README a Sphinx index includes. A guide made of such includes is a table of
/// contents: read in, its topics' text would make it the best match for every question about
/// any of them, so a topic is named by its title and searched as itself. A snippet (untitled,
/// or in `snippets/`, `partials/`…) is read into the page as before.
pub fn topic_title(file: &FileRef, text: &str) -> Option<String> {
    if file.logical.split('/').any(|d| FRAGMENT_DIRS.contains(&d)) {
        return None;
    }
    let text = text.trim_start_matches('\u{feff}');
    let asciidoc = file.logical.ends_with(".adoc") || file.logical.ends_with(".asciidoc");
    let rst = file.logical.ends_with(".rst");
    if !asciidoc
        && !rst
        && let Some(title) = front_matter_title(text)
    {
        return Some(title);
    }
    let body = if asciidoc || rst { text } else { without_front_matter(text) };
    let mut lines = body.lines().map(str::trim_end);
    let mut block_comment: Option<&str> = None;
    while let Some(line) = lines.next() {
        let t = line.trim_start();
        if let Some(end) = block_comment {
            if t.contains(end) {
                block_comment = None;
            }
            continue;
        }
        if t.is_empty() {
            continue;
        }
        if asciidoc {
            if t == "////" {
                block_comment = Some("////");
            } else if let Some(title) = t.strip_prefix("= ").or_else(|| t.strip_prefix("== ")) {
                return Some(title.trim().to_string());
            } else if !(t.starts_with("//") || t.starts_with(':') || t.starts_with('[') || t.contains("::")) {
                return None;
            }
        } else if rst {
            if t.starts_with("..") || t.starts_with(':') {
                continue;
            }
            let next = lines.next().unwrap_or_default().trim();
            let adornment = |l: &str| l.len() >= 3 && l.chars().all(|c| "=-~^*#+\"'`".contains(c));
            return if adornment(t) {
                // An overline: the title is the next line.
                Some(next.to_string()).filter(|n| !n.is_empty())
            } else if adornment(next) && next.len() >= t.len() {
                Some(t.to_string())
            } else {
                None
            };
        } else if t.starts_with("<!--") {
            if !t.contains("-->") {
                block_comment = Some("-->");
            }
        } else if t.starts_with('(') && t.ends_with(")=") {
            // A MyST target above the title.
        } else {
            return t.strip_prefix("# ").map(|title| title.trim().to_string());
        }
    }
    None
}

/// `title:` (YAML) or `title =` (TOML) in a Markdown file's front matter.
fn front_matter_title(text: &str) -> Option<String> {
    let fence =
        ["---", "+++"].into_iter().find(|f| text.lines().next().is_some_and(|l| l.trim_end() == *f))?;
    text.lines()
        .skip(1)
        .take_while(|l| l.trim_end() != fence)
        .find_map(|l| l.strip_prefix("title").map(str::trim_start).and_then(|r| r.strip_prefix([':', '='])))
        .map(|v| v.trim().trim_matches(['"', '\'']).to_string())
        .filter(|v| !v.is_empty())
}

/// One page's expansion: where to look, how to read, and what it has taken in so far.
struct Expansion<'l, 'a, 'r> {
    library: &'l Library<'a>,
    read: &'r dyn Fn(&FileRef) -> Option<String>,
    /// The pages being expanded, outermost first: none may include itself again.
    open: Vec<String>,
    /// What was included.
    used: Included<'a>,
    /// Bytes of fragments still allowed (see [`BUDGET`]).
    budget: usize,
}

impl<'a> Expansion<'_, 'a, '_> {
    fn expand(&mut self, page: &str, text: &str, depth: usize) -> String {
        if depth == 0 || !MAY_INCLUDE.is_match(text) {
            return text.to_string();
        }
        let lines: Vec<&str> = text.lines().collect();
        let mut out = String::with_capacity(text.len());
        let mut i = 0;
        while i < lines.len() {
            let (targets, taken) = include_at(&lines[i..]);
            let found: Vec<&'a FileRef> = targets
                .iter()
                .filter_map(|t| self.library.resolve(page, t))
                .filter(|f| !self.open.contains(&f.logical))
                .collect();
            if taken == 0 || found.is_empty() {
                out.push_str(lines[i]);
                out.push('\n');
                i += 1;
                continue;
            }
            for file in found {
                let Some(included) = (self.read)(file).filter(|t| t.len() <= self.budget) else { continue };
                let first = !self.used.files.iter().any(|u| u.logical == file.logical);
                if first {
                    self.used.files.push(file);
                }
                if let Some(title) = topic_title(file, &included) {
                    // A titled topic is named, as a table of contents would (see `topic_title`).
                    if first {
                        self.used.topics.push(file);
                    }
                    out.push_str(&title);
                    out.push_str("\n\n");
                    continue;
                }
                self.budget -= included.len();
                self.open.push(file.logical.clone());
                out.push_str(&self.expand(&file.logical, without_front_matter(&included), depth - 1));
                self.open.pop();
                if !out.ends_with('\n') {
                    out.push('\n');
                }
            }
            i += taken;
        }
        out
    }
}

/// A cheap test that a text may hold an include at all.
static MAY_INCLUDE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"8<-|\{\{[<%]\s*(include|readfile|docs/shared)\b|\{\{#(rustdoc_)?include|include::|\{include\}|!\[\[")
        .unwrap()
});

/// A file an include names.
struct Target {
    path: String,
    /// A wiki embed (`![[Runbook]]`): the note may be found by its name alone.
    by_name: bool,
}

impl Target {
    fn path(path: &str) -> Target {
        Target { path: path.to_string(), by_name: false }
    }
}

/// The files an include starting at `lines[0]` names, and how many lines it takes (0: none).
fn include_at(lines: &[&str]) -> (Vec<Target>, usize) {
    static ONE_LINE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(concat!(
            r#"^\s*(?:-{1,3}8<-{1,3}\s*["']([^"']+)["']"#,
            r#"|\{\{[<%]\s*(?:include|readfile)\s+(?:file\s*=\s*)?"([^"]+)"[^}]*[>%]\}\}"#,
            r"|include::([^\[\s]+)\[[^\]]*\]",
            r"|\{\{#(?:include|rustdoc_include)\s+([^}\s]+)\s*\}\}",
            // Grafana's docs (Loki, Mimir, Tempo, Alloy…): a fragment of a `shared/` folder.
            r#"|\{\{<\s*docs/shared\s+[^}]*?\blookup\s*=\s*"([^"]+)"[^}]*>\}\})\s*$"#,
        ))
        .unwrap()
    });
    static RST: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^(\s*)\.\.\s+include::\s*(\S+)\s*$").unwrap());
    static MYST: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^\s*(`{3,}|:{3,})\s*\{include\}\s*(\S+)\s*$").unwrap());
    static EMBED: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^\s*!\[\[([^\[\]|#]+)(?:#[^\[\]|]*)?(?:\|[^\[\]]*)?\]\]\s*$").unwrap());
    let first = lines[0];
    if let Some(c) = ONE_LINE.captures(first) {
        // Each syntax captures its target in a group of its own; exactly one matched.
        let target = c.iter().skip(1).flatten().next().map(|m| Target::path(m.as_str()));
        return (target.into_iter().collect(), 1);
    }
    if let Some(c) = EMBED.captures(first) {
        // Obsidian and Foam embed a note by its name, without `.md`.
        let name = c[1].trim();
        let path = if name.contains('.') { name.to_string() } else { format!("{name}.md") };
        return (vec![Target { path, by_name: true }], 1);
    }
    if let Some(c) = RST.captures(first) {
        // Its options (`:start-after:`) are the indented field lines under it.
        let indent = c[1].len();
        let options = lines[1..]
            .iter()
            .take_while(|l| {
                let t = l.trim_start();
                t.starts_with(':') && l.len() - t.len() > indent
            })
            .count();
        return (vec![Target::path(&c[2])], 1 + options);
    }
    if let Some(c) = MYST.captures(first) {
        let fence = &c[1];
        let end = lines[1..].iter().position(|l| l.trim() == fence).map_or(lines.len(), |p| p + 2);
        return (vec![Target::path(&c[2])], end);
    }
    if first.trim() == "--8<--" {
        // MkDocs' block form: one file a line until the closing marker.
        let Some(close) = lines[1..].iter().position(|l| l.trim() == "--8<--") else {
            return (Vec::new(), 0);
        };
        let files = lines[1..=close]
            .iter()
            .map(|l| l.trim())
            .filter(|l| !l.is_empty() && !l.starts_with(';'))
            .map(Target::path)
            .collect();
        return (files, close + 2);
    }
    (Vec::new(), 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn units(paths: &[&str]) -> Vec<Unit> {
        paths
            .iter()
            .map(|p| Unit {
                id: (*p).to_string(),
                format: if p.ends_with(".rst") { Format::ReStructuredText } else { Format::Markdown },
                files: vec![FileRef { disk: p.into(), logical: (*p).to_string(), size: 0 }],
            })
            .collect()
    }

    fn texts(files: &[(&str, &str)]) -> impl Fn(&FileRef) -> Option<String> {
        let map: HashMap<String, String> =
            files.iter().map(|(p, t)| ((*p).to_string(), (*t).to_string())).collect();
        move |f: &FileRef| map.get(&f.logical).cloned()
    }

    #[test]
    fn each_syntax_is_expanded_from_the_places_sites_keep_fragments() {
        let u = units(&[
            "/site/docs/serving/metrics/collecting-metrics.md",
            "/site/docs/snippets/collecting-metrics.md",
            "/site/docs/serving/metrics/_prereqs.md",
            "/site/content/includes/note.md",
            "/site/content/shared/quota.md",
            "/site/content/en/page.md",
            "/site/source/shared.rst",
            "/site/source/guide/page.rst",
            "/antora/modules/ROOT/partials/prereqs.adoc",
            "/antora/modules/ROOT/pages/install.adoc",
        ]);
        let lib = Library::new(&u);
        let read = texts(&[
            (
                "/site/docs/snippets/collecting-metrics.md",
                "---\ntitle: x\n---\nEnable prometheus scraping.\n",
            ),
            ("/site/docs/serving/metrics/_prereqs.md", "You need kubectl.\n"),
            ("/site/content/includes/note.md", "Quotas apply.\n"),
            ("/site/content/shared/quota.md", "Shared quota text.\n"),
            ("/site/source/shared.rst", "Shared rst text.\n"),
            ("/antora/modules/ROOT/partials/prereqs.adoc", "Install the CLI first.\n"),
        ]);
        let run = |page: &str, text: &str| expand(page, text, &lib, &read);
        // MkDocs: the page and its fragment share a name; the page never includes itself.
        let (text, used) = run(
            "/site/docs/serving/metrics/collecting-metrics.md",
            "# Metrics\n--8<-- \"collecting-metrics.md\"\n--8<--\n_prereqs.md\n--8<--\nEnd.\n",
        );
        assert_eq!(text, "# Metrics\nEnable prometheus scraping.\nYou need kubectl.\nEnd.\n");
        assert_eq!(used.files.len(), 2);
        assert!(used.topics.is_empty());
        for (page, text, expanded) in [
            // Antora: a fragment named by its family.
            (
                "/antora/modules/ROOT/pages/install.adoc",
                "include::partial$prereqs.adoc[]\n",
                "Install the CLI first.\n",
            ),
            // Hugo, from the site's root; a target found nowhere stays as written.
            (
                "/site/content/en/page.md",
                "{{< readfile file=\"/content/includes/note.md\" >}}\n{{% include \"missing.md\" %}}\n",
                "Quotas apply.\n{{% include \"missing.md\" %}}\n",
            ),
            // Grafana: `lookup` names a file of the docs' `shared/` folder; another project's
            // (`source="alloy"`) is found nowhere and stays as written.
            (
                "/site/content/en/page.md",
                "{{< docs/shared lookup=\"quota.md\" source=\"loki\" version=\"<LOKI_VERSION>\" >}}\n{{< docs/shared source=\"alloy\" lookup=\"gone.md\" >}}\n",
                "Shared quota text.\n{{< docs/shared source=\"alloy\" lookup=\"gone.md\" >}}\n",
            ),
            // mdBook, with an anchor after the path.
            ("/site/content/en/page.md", "{{#include ../includes/note.md:quota}}\n", "Quotas apply.\n"),
            // Sphinx, with options; MyST.
            (
                "/site/source/guide/page.rst",
                "Intro.\n\n.. include:: ../shared.rst\n   :start-line: 2\n\nAfter.\n",
                "Intro.\n\nShared rst text.\n\nAfter.\n",
            ),
            (
                "/site/source/guide/page.md",
                "```{include} /shared.rst\n:parser: rst\n```\nAfter.\n",
                "Shared rst text.\nAfter.\n",
            ),
        ] {
            assert_eq!(run(page, text).0, expanded, "{text}");
        }
    }

    #[test]
    fn a_guide_of_titled_topics_names_them_and_is_not_made_of_their_text() {
        let u = units(&[
            "/doc/deploying/deploying.adoc",
            "/doc/assemblies/assembly-upgrade.adoc",
            "/doc/modules/proc-upgrade.adoc",
            "/doc/modules/snip-versions.adoc",
            "/doc/shared/attributes.adoc",
            "/site/index.md",
            "/site/guide.md",
            "/site/notes.md",
            "/sphinx/index.rst",
            "/sphinx/README.rst",
        ]);
        let lib = Library::new(&u);
        let read = texts(&[
            (
                "/doc/assemblies/assembly-upgrade.adoc",
                ":_mod-docs-content-type: ASSEMBLY\n// Included in deploying.adoc\n\n[id=\"upgrade-{context}\"]\n= Upgrading Strimzi\n\nIntro.\n\ninclude::../modules/proc-upgrade.adoc[leveloffset=+1]\n",
            ),
            (
                "/doc/modules/proc-upgrade.adoc",
                "////\nA comment\n////\n[id=\"proc-upgrade\"]\n= Upgrading the Cluster Operator\n\nRun the script.\n",
            ),
            // Untitled: a snippet, read in.
            ("/doc/modules/snip-versions.adoc", "Kafka 4.1 is supported.\n"),
            ("/doc/shared/attributes.adoc", ":ProductName: Strimzi\n"),
            ("/site/guide.md", "<!-- Used by index.md\n-->\n# The guide\n\nSteps.\n"),
            ("/site/notes.md", "---\ntitle: Release notes\n---\nFixed.\n"),
            ("/sphinx/README.rst", ".. _readme:\n\nKopf\n====\n\nA framework.\n"),
        ]);
        let (text, used) = expand(
            "/doc/deploying/deploying.adoc",
            "include::../shared/attributes.adoc[]\n= Deploying\n\ninclude::../assemblies/assembly-upgrade.adoc[leveloffset=+1]\ninclude::../modules/snip-versions.adoc[]\n",
            &lib,
            &read,
        );
        assert_eq!(
            text,
            ":ProductName: Strimzi\n= Deploying\n\nUpgrading Strimzi\n\nKafka 4.1 is supported.\n"
        );
        let names = |files: &[&FileRef]| files.iter().map(|f| f.logical.clone()).collect::<Vec<_>>();
        assert_eq!(names(&used.topics), ["/doc/assemblies/assembly-upgrade.adoc"]);
        assert_eq!(used.files.len(), 3);
        // The assembly itself names its module.
        let (text, _) =
            expand("/doc/assemblies/assembly-upgrade.adoc", &read(&u[1].files[0]).unwrap(), &lib, &read);
        assert!(text.ends_with("Intro.\n\nUpgrading the Cluster Operator\n\n"), "{text:?}");
        let (text, used) =
            expand("/site/index.md", "--8<-- \"guide.md\"\n--8<-- \"notes.md\"\n", &lib, &read);
        assert_eq!((text.as_str(), used.topics.len()), ("The guide\n\nRelease notes\n\n", 2));
        let (text, _) = expand("/sphinx/index.rst", ".. include:: README.rst\n", &lib, &read);
        assert_eq!(text, "Kopf\n\n");
    }

    #[test]
    fn a_wiki_embed_finds_its_note_by_name_when_the_name_is_unique() {
        let u = units(&[
            "/vault/oncall/Escalation.md",
            "/vault/runbooks/Rollback.md",
            "/vault/a/Notes.md",
            "/vault/b/Notes.md",
        ]);
        let lib = Library::new(&u);
        let read =
            texts(&[("/vault/runbooks/Rollback.md", "Roll back with helm.\n"), ("/vault/a/Notes.md", "A\n")]);
        let (text, _) = expand(
            "/vault/oncall/Escalation.md",
            "Page the lead.\n![[Rollback#Steps]]\n![[Notes]]\n",
            &lib,
            &read,
        );
        assert_eq!(text, "Page the lead.\nRoll back with helm.\n![[Notes]]\n");
    }

    #[test]
    fn includes_never_leave_the_library_and_cycles_stop() {
        let u = units(&["/d/a.md", "/d/b.md"]);
        let lib = Library::new(&u);
        let read =
            texts(&[("/d/a.md", "A then --8<--\n--8<-- \"b.md\"\n"), ("/d/b.md", "B\n--8<-- \"a.md\"\n")]);
        let (text, used) = expand("/d/a.md", "--8<-- \"b.md\"\n", &lib, &read);
        assert_eq!(text, "B\n--8<-- \"a.md\"\n");
        assert_eq!(used.files.iter().map(|f| f.logical.as_str()).collect::<Vec<_>>(), ["/d/b.md"]);
        for target in ["/etc/passwd", "../../../etc/passwd", "https://example.com/a.md", "", ":", "..", "/"] {
            let line = format!("--8<-- \"{target}\"\n");
            assert_eq!(expand("/d/a.md", &line, &lib, &read).0, line, "{target}");
        }
    }

    #[test]
    fn fragments_that_fan_out_stop_at_the_budget() {
        let u = units(&["/d/page.md", "/d/a.md", "/d/b.md", "/d/c.md", "/d/e.md"]);
        let lib = Library::new(&u);
        let twice =
            |next: &str| format!("{}{}", "x".repeat(200_000), format!("\n--8<-- \"{next}\"\n").repeat(8));
        let (a, b, c) = (twice("b.md"), twice("c.md"), twice("e.md"));
        let files = [("/d/a.md", a.as_str()), ("/d/b.md", &b), ("/d/c.md", &c), ("/d/e.md", "end\n")];
        let read = texts(&files);
        let (text, _) = expand("/d/page.md", "--8<-- \"a.md\"\n", &lib, &read);
        // 8 × 8 × 8 copies of 200 KB would be 100 MB.
        assert!(text.len() <= BUDGET + 64 * 1024, "{}", text.len());
    }

    proptest::proptest! {
        #[test]
        fn any_text_expands(text in "((--8<--|\\.\\. include::|include::|```\\{include\\}|\\{\\{< include)? ?\"?[a-z./:\\[\\]-]{0,8}\"?( >\\}\\})?\n?){0,20}") {
            let u = units(&["/d/a.md", "/d/b.md"]);
            let lib = Library::new(&u);
            let read = texts(&[("/d/b.md", "--8<-- \"a.md\"\n")]);
            let _ = expand("/d/a.md", &text, &lib, &read);
        }

        #[test]
        fn any_fragment_text_is_read_for_a_title(text in r#"(---\n|\+\+\+\n|title ?[:=] ?"?é?\n|= |# |////\n|<!--|-->|\.\. |:a: b\n|[=~-]{0,5}\n|[a-zé ]{0,6}\n){0,12}"#) {
            for name in ["/d/m.adoc", "/d/m.md", "/d/m.rst"] {
                let file = FileRef { disk: name.into(), logical: name.to_string(), size: 0 };
                let _ = topic_title(&file, &text);
            }
        }
    }
}
