//! Editions of one page kept side by side: documentation sites keep every released version of
//! their docs in folders named by version (`docs/2.19/scalers/cron.md`, `docs/2.20/…`,
//! `content/docs/v1.12/…`, `docs/main/…`), so a question about the cron scaler matches two
//! dozen copies of one page, and whichever older copy its wording happens to favour crowds the
//! current one out of the first places.
//!
//! Pages are grouped by their path with the (last) version folder taken out; in a group of two or
//! more, the newest edition is the page and the others are its older editions. Search folds an
//! older edition into its page (one result per page, the older text weighed down) — see
//! `search::columns`. Computed from the paths alone, whenever an index is opened, so adding a
//! version folder changes which edition is newest without re-indexing anything.
//!
//! A folder counts as a version when it is numbered with a dot or a `v` (`2.20`, `v1.12`,
//! `1.x`, `v2`, `version-2.6`, `version-v1.15.0`, `release-1.4`) — a bare number is a year or
//! an ordinal far more often — or when it is named `latest`/`stable`/`current` (newest of all) or
//! `main`/`master`/`next`/`dev`/`unreleased`/`nightly`, or a release line's channel like
//! `2-edge` (below every release: unreleased docs), and only where the same folder holds a
//! numbered version too. A folder beside the releases that holds the same pages under another
//! name (Linkerd's `docs/` beside `2.19/` and `2-edge/`) is the current docs.
//!
//! Pages named by version side by side (`pod.md`, `pod_v1.md`: see `editions::suffixes`) are editions
//! too, the highest version the page.
//!
//! Translations are editions too (`docs/zh/install.md`, `install.fr.md` beside
//! `install.md`): they fold into the English page, so a question in English gets the English
//! page once and a question in Chinese still finds the Chinese text (it represents the page when
//! only it matches).

use std::collections::{HashMap, HashSet};

use crate::model::Kind;

mod suffixes;

/// Where a version stands among its siblings.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Version {
    /// Docs of what is not released yet (`main`, `next`).
    Unreleased,
    /// A numbered release, its components in order (`x` counts as above any number).
    Numbered(Vec<u32>),
    /// The site's name for its current docs (`latest`, `stable`).
    Current,
}

/// The version a folder name stands for, if it is one.
fn version(segment: &str) -> Option<Version> {
    // Hugo sites keep unpublished copies in folders it does not render (`_dev/`).
    let lower = segment.strip_prefix('_').unwrap_or(segment).to_ascii_lowercase();
    match lower.as_str() {
        "latest" | "stable" | "current" => return Some(Version::Current),
        "main" | "master" | "next" | "dev" | "develop" | "unreleased" | "nightly" | "edge" => {
            return Some(Version::Unreleased);
        }
        _ => {}
    }
    // `version-v1.15.0` (Docusaurus keeps the tag as the site names it).
    let named = ["version-", "release-"].iter().find_map(|p| lower.strip_prefix(p));
    let bare = named.unwrap_or(&lower);
    let tagged = bare.strip_prefix('v');
    let (rest, prefixed) = (tagged.unwrap_or(bare), named.is_some() || tagged.is_some());
    // A pre-release tag after the numbers (`1.2.0-rc1`) still names that release; any other
    // word after them names something else (`v2-data-engine`).
    let numbers = match rest.split_once('-') {
        Some((n, tag)) if ["rc", "alpha", "beta", "pre", "preview"].iter().any(|t| tag.starts_with(t)) => n,
        // A release line's channel for what is not released yet (Linkerd's `2-edge`).
        Some((n, "edge" | "next" | "dev" | "nightly" | "main" | "unreleased"))
            if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit() || b == b'.') =>
        {
            return Some(Version::Unreleased);
        }
        Some(_) => return None,
        None => rest,
    };
    let parts: Vec<&str> = numbers.split('.').collect();
    if !(prefixed || parts.len() > 1) {
        return None;
    }
    let mut components = Vec::with_capacity(parts.len());
    for (i, p) in parts.iter().enumerate() {
        if *p == "x" && i > 0 {
            components.push(u32::MAX);
        } else if !p.is_empty() && p.len() <= 9 && p.bytes().all(|b| b.is_ascii_digit()) {
            components.push(p.parse().ok()?);
        } else {
            return None;
        }
    }
    Some(Version::Numbered(components))
}

/// One edition of a page: its release, its path.
type Edition<'a> = (Version, &'a str);

/// What the paths of an index say about editions.
#[derive(Debug, Default)]
pub struct Editions<'a> {
    /// Other editions of a page — older releases' and translations — each mapped to the page
    /// they fold into: the newest English edition.
    pub folded: HashMap<&'a str, &'a str>,
    /// Pages whose newest edition is in a release older than the site's newest: the page was
    /// moved or dropped since (`docs/archives/1.2.0/volumes-and-nodes/…` after the section was
    /// renamed), so what it says is out of date.
    pub retired: HashSet<&'a str>,
}

/// The editions among an index's pages (Terraform files are configuration, not pages).
pub fn of_index(manifest: &crate::index::Manifest) -> Editions<'_> {
    let pages = || manifest.units.iter().filter(|(_, u)| u.kind != Kind::Terraform);
    let mut found = editions(pages().map(|(id, _)| id.as_str()));
    // Editions named in the file (`pod.md`, `pod_v1.md`) among pages no folder or language made
    // editions.
    let rest: Vec<(&str, u64)> = pages()
        .filter(|(id, _)| !found.folded.contains_key(id.as_str()))
        .map(|(id, u)| (id.as_str(), u.bytes))
        .collect();
    found.folded.extend(suffixes::folded(&rest));
    found
}

/// The editions among `ids` (logical paths of pages).
pub fn editions<'a>(ids: impl IntoIterator<Item = &'a str>) -> Editions<'a> {
    let ids: Vec<&str> = ids.into_iter().collect();
    let translated = translations(&ids);
    // Path before the version folder → path after it → its editions.
    let mut sites: HashMap<&str, HashMap<&str, Vec<Edition<'a>>>> = HashMap::new();
    // A Docusaurus release's copy of a page the current docs still hold
    // (`versioned_docs/version-1.15/x.md`) folds into `docs/x.md` as a translation does, but it is
    // grouped with the releases too: it says which release is newest, so that a page only older
    // releases hold (`version-1.12/plugins.md`, split into a page per plugin since) is known to be
    // retired. Translations into another language are not releases.
    for id in ids.iter().filter(|id| !translated.contains_key(*id) || id.contains(DOCUSAURUS_RELEASES)) {
        let Some((prefix, v, suffix)) = split(id) else { continue };
        sites.entry(prefix).or_default().entry(suffix).or_default().push((v, id));
    }
    let unversioned: Vec<&'a str> =
        ids.iter().copied().filter(|id| !translated.contains_key(id) && split(id).is_none()).collect();
    let mut found = Editions::default();
    for (prefix, mut pages) in sites {
        let releases: HashSet<&Version> = pages.values().flatten().map(|(v, _)| v).collect();
        // One version, or only named folders (`main/`, `dev/`): folders, not a versioned site.
        if releases.len() < 2
            || !releases.iter().any(|v| matches!(v, Version::Numbered(_)))
            || !carried_forward(&pages)
        {
            continue;
        }
        for (suffix, id) in current_copies(prefix, &pages, &unversioned) {
            pages.entry(suffix).or_default().push((Version::Current, id));
        }
        let newest_release =
            pages.values().flatten().map(|(v, _)| v).filter(|v| **v != Version::Unreleased).max().cloned();
        for mut editions in pages.into_values() {
            // Newest first; the same version twice (`v1.2` and `1.2`) ordered by path.
            editions.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(b.1)));
            let (version, newest) = &editions[0];
            if matches!(version, Version::Numbered(_)) && Some(version) < newest_release.as_ref() {
                found.retired.insert(*newest);
            }
            found.folded.extend(editions[1..].iter().map(|(_, id)| (*id, *newest)));
        }
    }
    // A translation folds into the page it translates, or into that page's newest edition; it is
    // never retired itself (its page says whether it is current).
    found.retired.retain(|id| !translated.contains_key(id));
    for (id, original) in translated {
        let original = found.folded.get(original).copied().unwrap_or(original);
        found.folded.insert(id, original);
    }
    found
}

/// The pages of a folder beside a versioned site's releases that is not named like a version
/// but holds the same pages (Linkerd's `docs/` beside `2.19/`, `2.18/`, `2-edge/`): the site's
/// current docs under another name, each with its path after the folder. A folder counts when
/// it has at least three pages and at least 70% of them are pages of the releases too.
fn current_copies<'a>(
    prefix: &str,
    pages: &HashMap<&'a str, Vec<Edition<'a>>>,
    unversioned: &[&'a str],
) -> Vec<(&'a str, &'a str)> {
    let mut by_folder: HashMap<&'a str, Vec<(&'a str, &'a str)>> = HashMap::new();
    for id in unversioned {
        let Some(rest) = id.strip_prefix(prefix) else { continue };
        let Some(cut) = rest.find(['/', '\\']) else { continue };
        let at = id.len() - rest.len();
        by_folder.entry(&id[at..at + cut]).or_default().push((&id[at + cut..], id));
    }
    by_folder
        .into_values()
        .filter(|copies| {
            let shared = copies.iter().filter(|(suffix, _)| pages.contains_key(suffix)).count();
            copies.len() >= 3 && shared * 10 >= copies.len() * 7
        })
        .flatten()
        .collect()
}

/// Whether a site's releases carry their pages forward, as releases of docs do: on average at
/// least 70% of an older release's pages are in a newer one too (95–100% on the versioned sites
/// measured). Folders named like versions that hold different pages (`notes/2024.01/`,
/// `notes/2024.02/`) are not releases of anything.
fn carried_forward(pages: &HashMap<&str, Vec<Edition<'_>>>) -> bool {
    let mut by_release: HashMap<&Version, Vec<bool>> = HashMap::new();
    for editions in pages.values() {
        let newest = editions.iter().map(|(v, _)| v).max();
        for (v, _) in editions {
            by_release.entry(v).or_default().push(Some(v) < newest);
        }
    }
    let newest = by_release.keys().max().copied();
    let shares: Vec<f64> = by_release
        .iter()
        .filter(|(v, _)| Some(**v) != newest)
        .map(|(_, kept)| kept.iter().filter(|k| **k).count() as f64 / kept.len() as f64)
        .collect();
    !shares.is_empty() && shares.iter().sum::<f64>() / shares.len() as f64 >= 0.7
}

/// Translations among `ids`, each to the English page it translates: a page in a language
/// folder (`docs/zh/install.md`, `content/ja/docs/…`) or with a language before its extension
/// (`install.zh.md`, `install.pt-br.md` — MkDocs i18n, Hugo) whose English page is indexed too
/// (the same path in an `en` folder or without the language).
fn translations<'a>(ids: &[&'a str]) -> HashMap<&'a str, &'a str> {
    let known: HashSet<&'a str> = ids.iter().copied().collect();
    let find = |candidate: &str| known.get(candidate).copied();
    let mut found = HashMap::new();
    // Language folders, with the pages found in English: a folder counts only when most of its
    // pages are (an `es/` of Elasticsearch notes beside a README is not Spanish).
    let mut by_folder: HashMap<&str, Vec<(&'a str, &'a str)>> = HashMap::new();
    for id in ids {
        if let Some(original) = docusaurus_original(id).and_then(|o| find(&o)) {
            found.insert(*id, original);
            continue;
        }
        let mut start = 0;
        let mut in_folder = None;
        for (i, c) in id.char_indices().filter(|(_, c)| *c == '/' || *c == '\\') {
            let segment = &id[start..i];
            if is_language(segment) {
                let (before, after) = (&id[..start], &id[i + c.len_utf8()..]);
                if let Some(o) =
                    find(&format!("{before}en/{after}")).or_else(|| find(&format!("{before}{after}")))
                {
                    in_folder = Some((&id[..i], o));
                    break;
                }
            }
            start = i + 1;
        }
        if let Some((folder, original)) = in_folder {
            by_folder.entry(folder).or_default().push((id, original));
            continue;
        }
        // `install.zh.md`: the language is the name's second extension.
        let name = &id[start..];
        if let Some((stem, ext)) = name.rsplit_once('.')
            && let Some((base, lang)) = stem.rsplit_once('.')
            && is_language(lang)
        {
            let dir = &id[..start];
            let original =
                find(&format!("{dir}{base}.{ext}")).or_else(|| find(&format!("{dir}{base}.en.{ext}")));
            if let Some(original) = original.filter(|o| o != id) {
                found.insert(*id, original);
            }
        }
    }
    for (folder, pages) in by_folder {
        let prefix = format!("{folder}/");
        let total = ids.iter().filter(|id| id.starts_with(&prefix)).count();
        if pages.len() >= 3 && pages.len() * 2 >= total {
            found.extend(pages);
        }
    }
    found
}

/// The folder Docusaurus keeps its releases' copies of `docs/` in.
const DOCUSAURUS_RELEASES: &str = "versioned_docs/";

/// Where Docusaurus keeps the current page of another edition: an older release's copy
/// (`versioned_docs/version-2.6/x.md`) and a translation (`i18n/zh/docusaurus-plugin-content-docs/current/x.md`,
/// or of a release, `…/version-2.6/x.md`; a blog post's `…/docusaurus-plugin-content-blog/x.md`)
/// stand for `docs/x.md` (`blog/x.md`) of the same site.
fn docusaurus_original(id: &str) -> Option<String> {
    if let Some((site, rest)) = id.split_once(DOCUSAURUS_RELEASES) {
        let (_, page) = rest.split_once('/')?;
        return Some(format!("{site}docs/{page}"));
    }
    let (site, rest) = id.split_once("i18n/")?;
    let (_, plugin) = rest.split_once('/')?;
    if let Some(post) = plugin.strip_prefix("docusaurus-plugin-content-blog/") {
        return Some(format!("{site}blog/{post}"));
    }
    let (_, page) = plugin.strip_prefix("docusaurus-plugin-content-docs/")?.split_once('/')?;
    Some(format!("{site}docs/{page}"))
}

/// Whether a folder or name part is a language code of a translation (not English).
fn is_language(segment: &str) -> bool {
    crate::index::TRANSLATIONS.contains(&segment.to_ascii_lowercase().as_str())
}

/// A path split at its last version folder: what comes before it, the version, what comes
/// after. The file name itself is never a version. The last, not the first: an input's own
/// location may hold a version-like folder (`/srv/v2/wiki/…`), its docs' versions are below
/// it. A folder that retired versions are moved into (`docs/archives/1.0.0/`) belongs to the
/// version, so they group with the current ones; so does a major version's folder that holds its
/// releases (`v1/1.76/`, `v2/2.20/`, `v2/_dev/`: one page across majors).
fn split(id: &str) -> Option<(&str, Version, &str)> {
    let mut found = None;
    let (mut start, mut previous) = (0, 0);
    for (i, c) in id.char_indices() {
        if c != '/' && c != '\\' {
            continue;
        }
        if let Some(v) = version(&id[start..i]) {
            let parent = id[previous..start].trim_end_matches(['/', '\\']);
            let retired = crate::index::ARCHIVE_DIRS.iter().any(|a| parent.eq_ignore_ascii_case(a));
            let grouped = retired || version(parent).is_some();
            found = Some((if grouped { &id[..previous] } else { &id[..start] }, v, &id[i..]));
        }
        previous = start;
        start = i + 1;
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_newest_edition_is_the_page_and_the_others_fold_into_it() {
        let ids = [
            "docs/2.9/scalers/cron.md",
            "docs/2.20/scalers/cron.md",
            "docs/2.10/scalers/cron.md",
            "docs/2.10/scalers/only-old.md",
            "docs/_index.md",
            "blog/2023/launch.md",
            "blog/2024/launch.md",
        ];
        let older = editions(ids).folded;
        assert_eq!(older.get("docs/2.9/scalers/cron.md"), Some(&"docs/2.20/scalers/cron.md"));
        assert_eq!(older.get("docs/2.10/scalers/cron.md"), Some(&"docs/2.20/scalers/cron.md"));
        // The newest edition, a page only one version has, and years are pages of their own.
        for id in ["docs/2.20/scalers/cron.md", "docs/2.10/scalers/only-old.md", "blog/2023/launch.md"] {
            assert!(!older.contains_key(id), "{id}");
        }
        assert_eq!(older.len(), 2);
        // The page only an older release has is out of date.
        assert_eq!(editions(ids).retired, HashSet::from(["docs/2.10/scalers/only-old.md"]));
    }

    #[test]
    fn a_folder_beside_the_releases_with_their_pages_is_the_current_docs() {
        let mut ids = vec!["blog/2020/launch.md", "blog/2021/mesh.md", "blog/2022/tasks.md", "notes/a.md"];
        for release in ["2.18", "2.19", "2-edge", "docs"] {
            for page in ["tasks/install.md", "tasks/upgrade.md", "features/ha.md"] {
                ids.push(Box::leak(format!("{release}/{page}").into_boxed_str()));
            }
        }
        let found = editions(ids.iter().copied());
        for older in ["2.18/tasks/install.md", "2.19/tasks/install.md", "2-edge/tasks/install.md"] {
            assert_eq!(found.folded.get(older), Some(&"docs/tasks/install.md"), "{older}");
        }
        assert!(
            found.folded.keys().all(|id| !id.starts_with("blog/") && !id.starts_with("notes/")),
            "{found:?}"
        );
        assert_eq!(found.folded.len(), 9);
        assert!(found.retired.is_empty(), "{found:?}");
    }

    #[test]
    fn version_folders_are_told_from_other_folders() {
        for (segment, is_version) in [
            ("2.20", true),
            ("v1.12", true),
            ("v2", true),
            ("1.x", true),
            ("version-2.6", true),
            ("release-1.4", true),
            ("version-v1.15.0", true),
            ("release-v2", true),
            ("version-vault", false),
            ("1.2.0-rc1", true),
            ("latest", true),
            ("main", true),
            ("2024", false),
            ("x.1", false),
            ("vault", false),
            ("v", false),
            ("1..2", false),
            ("design-v2", false),
            ("v2-data-engine", false),
            ("2.0-beta.1", true),
            ("2-edge", true),
            ("edge-2", false),
            ("_dev", true),
            ("_index", false),
        ] {
            assert_eq!(version(segment).is_some(), is_version, "{segment}");
        }
        let order = ["main", "v1.9", "1.10", "1.x", "2.0", "latest"].map(|s| version(s).unwrap());
        assert!(order.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn releases_inside_major_version_folders_are_editions_of_one_page() {
        let ids = [
            "v1/1.76/faq.md",
            "v1/1.76/agent.md",
            "v2/2.19/faq.md",
            "v2/2.20/faq.md",
            "v2/2.20/storage.md",
            "v2/2.19/storage.md",
            "v2/_dev/faq.md",
            "v2/_dev/storage.md",
        ];
        let found = editions(ids);
        for older in ["v1/1.76/faq.md", "v2/2.19/faq.md", "v2/_dev/faq.md"] {
            assert_eq!(found.folded.get(older), Some(&"v2/2.20/faq.md"), "{older}");
        }
        assert_eq!(found.folded.get("v2/_dev/storage.md"), Some(&"v2/2.20/storage.md"));
        // Only the last major's releases have it no more.
        assert_eq!(found.retired, HashSet::from(["v1/1.76/agent.md"]));
    }

    #[test]
    fn an_index_folds_pages_named_as_versions_of_one_page_by_their_recorded_lengths() {
        let mut manifest = crate::index::Manifest::default();
        for (id, kind, bytes) in [
            ("docs/r/pod.md", Kind::Markdown, 9_000),
            ("docs/r/pod_v1.md", Kind::Markdown, 9_100),
            ("docs/r/job.md", Kind::Markdown, 9_000),
            ("docs/r/job_v1.md", Kind::Markdown, 2_000),
            ("mod/main.tf", Kind::Terraform, 500),
            ("mod/main_v1.tf", Kind::Terraform, 500),
        ] {
            manifest.units.insert(id.to_string(), crate::index::UnitRecord::one(kind, bytes));
        }
        let found = of_index(&manifest);
        assert_eq!(found.folded, HashMap::from([("docs/r/pod.md", "docs/r/pod_v1.md")]));
    }

    #[test]
    fn folders_named_like_versions_that_hold_different_pages_are_not_releases() {
        let found = editions([
            "notes/2024.01/outage.md",
            "notes/2024.01/index.md",
            "notes/2024.02/migration.md",
            "notes/2024.02/index.md",
            "notes/2024.03/capacity.md",
            "notes/2024.03/index.md",
        ]);
        assert!(found.folded.is_empty() && found.retired.is_empty(), "{found:?}");
    }

    #[test]
    fn retired_versions_in_an_archive_folder_are_editions_too() {
        let found = editions([
            "docs/1.12.2/install.md",
            "docs/1.12.2/upgrade.md",
            "docs/1.12.2/backup.md",
            "docs/archives/1.0.0/install.md",
            "docs/archives/1.0.0/upgrade.md",
            "docs/archives/1.0.0/backup.md",
            "docs/archives/1.0.0/gone.md",
        ]);
        assert_eq!(found.folded.get("docs/archives/1.0.0/install.md"), Some(&"docs/1.12.2/install.md"));
        assert_eq!(found.folded.len(), 3);
        assert_eq!(found.retired, HashSet::from(["docs/archives/1.0.0/gone.md"]));
    }

    #[test]
    fn translations_fold_into_the_english_page_and_its_newest_edition() {
        let ids = [
            "docs/en/install.md",
            "docs/en/upgrade.md",
            "docs/en/backup.md",
            "docs/zh/install.md",
            "docs/zh/upgrade.md",
            "docs/zh/backup.md",
            // One README in an `es/` folder of Elasticsearch notes is not a translation.
            "infra/README.md",
            "infra/es/README.md",
            "docs/ja/only-in-japanese.md",
            "site/setup.md",
            "site/setup.fr.md",
            "site/setup.pt-br.md",
            "site/notes.de.md",
            "v/1.2/guide.md",
            "v/1.3/guide.md",
            "v/1.2/guide.ko.md",
            "teams/es/oncall.md",
        ];
        let found = editions(ids);
        let folded = |id: &str| found.folded.get(id).copied();
        assert_eq!(folded("docs/zh/install.md"), Some("docs/en/install.md"));
        assert_eq!(folded("site/setup.fr.md"), Some("site/setup.md"));
        assert_eq!(folded("site/setup.pt-br.md"), Some("site/setup.md"));
        // A translation of an older release's page folds into the newest English edition.
        assert_eq!(folded("v/1.2/guide.ko.md"), Some("v/1.3/guide.md"));
        // Docusaurus: releases and translations of `docs/`.
        let found = editions([
            "site/docs/install.md",
            "site/versioned_docs/version-2.6/install.md",
            "site/i18n/zh/docusaurus-plugin-content-docs/current/install.md",
            "site/i18n/zh/docusaurus-plugin-content-docs/version-2.6/install.md",
            "site/i18n/zh/docusaurus-plugin-content-docs/current/only-chinese.md",
        ]);
        assert_eq!(found.folded.len(), 3, "{:?}", found.folded);
        assert!(found.folded.values().all(|o| *o == "site/docs/install.md"));
        let found = editions(ids);
        let folded = |id: &str| found.folded.get(id).copied();
        // Without the English page, a page in another language is a page of its own.
        for id in [
            "docs/ja/only-in-japanese.md",
            "site/notes.de.md",
            "teams/es/oncall.md",
            "docs/en/install.md",
            "infra/es/README.md",
        ] {
            assert_eq!(folded(id), None, "{id}");
        }
    }

    #[test]
    fn a_docusaurus_page_only_older_releases_hold_is_retired() {
        let found = editions([
            "site/docs/plugins/gang.md",
            "site/versioned_docs/version-1.15.0/plugins/gang.md",
            "site/versioned_docs/version-1.14.0/plugins/gang.md",
            "site/versioned_docs/version-1.12.0/plugins.md",
            "site/versioned_docs/version-1.11.0/plugins.md",
            "site/versioned_docs/version-1.15.0/only-released.md",
            "site/docs/install.md",
            "site/versioned_docs/version-1.15.0/install.md",
            "site/versioned_docs/version-1.14.0/install.md",
            "site/versioned_docs/version-1.12.0/install.md",
            "site/versioned_docs/version-1.11.0/install.md",
        ]);
        assert_eq!(
            found.folded.get("site/versioned_docs/version-1.11.0/plugins.md"),
            Some(&"site/versioned_docs/version-1.12.0/plugins.md")
        );
        assert!(
            found.retired.contains("site/versioned_docs/version-1.12.0/plugins.md"),
            "{:?}",
            found.retired
        );
        // The newest release's pages are current, whether or not the next docs still hold them.
        assert_eq!(found.retired.len(), 1, "{:?}", found.retired);
        assert!(
            found
                .folded
                .values()
                .filter(|o| o.ends_with("gang.md"))
                .all(|o| *o == "site/docs/plugins/gang.md")
        );
    }

    #[test]
    fn named_editions_count_only_beside_numbered_ones() {
        // `main/` and `dev/` alone are folders, not versions.
        let found = editions(["main/setup.md", "dev/setup.md"]);
        assert!(found.folded.is_empty() && found.retired.is_empty());
        let found = editions([
            "site/main/setup.md",
            "site/v1.12/setup.md",
            "site/latest/setup.md",
            "site/main/new.md",
        ]);
        assert_eq!(found.folded.get("site/main/setup.md"), Some(&"site/latest/setup.md"));
        assert_eq!(found.folded.get("site/v1.12/setup.md"), Some(&"site/latest/setup.md"));
        // A page only the unreleased docs have is new, not out of date.
        assert!(found.retired.is_empty());
    }

    proptest::proptest! {
        #[test]
        fn any_paths_are_grouped(ids in proptest::collection::vec(r"(/?(v?[0-9]{1,2}(\.[0-9x]{1,2})?|latest|main|archives|en|zh|docs|i18n|versioned_docs|version-1\.2|docusaurus-plugin-content-docs|current|é|[a-z]{1,3})){1,5}(\.[a-z]{1,2}){0,2}(\.md)?", 0..20)) {
            let found = editions(ids.iter().map(String::as_str));
            // Every edition folds into a page that is not itself folded away.
            for newest in found.folded.values() {
                proptest::prop_assert!(!found.folded.contains_key(newest), "{newest} folds further");
            }
        }
    }
}
