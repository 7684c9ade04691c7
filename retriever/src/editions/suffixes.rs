//! Editions named in the file rather than the folder: an API's pages kept once per version
//! beside each other (`resources/deployment.md`, `resources/deployment_v1.md`;
//! `horizontal_pod_autoscaler_v2beta2.md`, `…_v2.md`), as provider and API references are. They
//! say the same thing about one object, so three of them filled a search's first three places.
//!
//! Only pages about as long as each other are editions: the name alone does not say which is
//! current (a provider's `deployment_v1.md` replaces `deployment.md`; a guide's
//! `templating-v1.md` is the old engine's, a quarter of `templating.md`), nor whether they are
//! the same page at all (`upgrading_to_v20.0.md`, `upgrading_to_v21.0.md`). The page a group
//! folds into is the highest version's, and a page with no suffix must be there too.

use std::collections::HashMap;

/// Where a file's version suffix stands: major version, stage (alpha, beta, released), the
/// stage's number. A page without a suffix is the oldest: the suffixed ones were added when the
/// API was versioned.
type Rank = (u32, u8, u32);

/// How much shorter than the page it folds into an edition may be, at most: the copies of a
/// provider's resource pages differ by a few percent (their names, a note).
const SAME_LENGTH: f64 = 0.9;

/// Other editions among `pages` (each with its length in bytes), each with the page it folds
/// into: among pages whose names differ only by a version suffix, one of them without a suffix,
/// the highest version's, if they are about as long.
pub(super) fn folded<'a>(pages: &[(&'a str, u64)]) -> Vec<(&'a str, &'a str)> {
    let mut groups: HashMap<String, Vec<(Rank, &'a str, u64)>> = HashMap::new();
    for &(id, bytes) in pages {
        if let Some((base, rank)) = suffixed(id) {
            groups.entry(base).or_default().push((rank, id, bytes));
        }
    }
    let mut out = Vec::new();
    for &(id, bytes) in pages {
        let Some(mut group) = groups.remove(id) else { continue };
        group.push(((0, 0, 0), id, bytes));
        // Highest first; the same rank twice (`_v1`, `-v1`) ordered by path.
        group.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(b.1)));
        let (_, newest, length) = group[0];
        #[expect(clippy::cast_precision_loss, reason = "file sizes, compared as a ratio")]
        let alike = |bytes: u64| {
            bytes > 0 && length > 0 && bytes.min(length) as f64 >= SAME_LENGTH * bytes.max(length) as f64
        };
        out.extend(group[1..].iter().filter(|e| alike(e.2)).map(|e| (e.1, newest)));
    }
    out
}

/// The path without its file's version suffix, and the suffix's rank: `a/pod_v1.md` is
/// `a/pod.md` at version 1.
fn suffixed(id: &str) -> Option<(String, Rank)> {
    let name_at = id.rfind(['/', '\\']).map_or(0, |i| i + 1);
    let (stem, ext) = id[name_at..].split_once('.').unwrap_or((&id[name_at..], ""));
    let cut = stem.rfind(['_', '-'])?;
    let rank = rank(&stem[cut + 1..])?;
    let base = &stem[..cut];
    if base.is_empty() {
        return None;
    }
    let dot = if ext.is_empty() { "" } else { "." };
    Some((format!("{}{base}{dot}{ext}", &id[..name_at]), rank))
}

/// The rank of a version suffix (`v1`, `v2beta2`, `v1alpha1`), if it is one.
fn rank(suffix: &str) -> Option<Rank> {
    let rest = suffix.strip_prefix('v')?;
    let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let major = rest[..digits].parse().ok()?;
    let (stage, n) = match &rest[digits..] {
        "" => (2, 0),
        tail => {
            let (stage, n) = if let Some(n) = tail.strip_prefix("beta") {
                (1, n)
            } else {
                (0, tail.strip_prefix("alpha")?)
            };
            (stage, if n.is_empty() { 0 } else { n.parse().ok()? })
        }
    };
    Some((major, stage, n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_differing_by_a_version_suffix_and_as_long_fold_into_the_highest() {
        let pages = [
            ("resources/deployment.md", 17_600),
            ("resources/deployment_v1.md", 17_800),
            ("resources/hpa.md", 2_300),
            // The first API version's page says less: a page of its own.
            ("resources/hpa_v1.md", 460),
            ("resources/hpa_v2beta2.md", 2_268),
            ("resources/hpa_v2.md", 2_265),
            ("data-sources/deployment.md", 17_600),
            ("resources/token_request_v1.md", 900),
            // The old engine's guide is not the current one's edition.
            ("guides/templating.md", 19_065),
            ("guides/templating-v1.md", 4_584),
            // Upgrade notes per version, no page without a suffix: each its own.
            ("guides/upgrading_to_v20.0.md", 3_000),
            ("guides/upgrading_to_v21.0.md", 3_000),
            ("_v1.md", 10),
            // Not measured (an older manifest): left alone.
            ("a/pod.md", 0),
            ("a/pod_v1.md", 0),
        ];
        let mut found = folded(&pages);
        found.sort_unstable();
        assert_eq!(
            found,
            [
                ("resources/deployment.md", "resources/deployment_v1.md"),
                ("resources/hpa.md", "resources/hpa_v2.md"),
                ("resources/hpa_v2beta2.md", "resources/hpa_v2.md"),
            ]
        );
        for (suffix, rank_of) in
            [("v1", Some((1, 2, 0))), ("v2beta2", Some((2, 1, 2))), ("v1alpha", Some((1, 0, 0)))]
        {
            assert_eq!(rank(suffix), rank_of, "{suffix}");
        }
        for not_a_version in ["v", "vb", "v1gamma", "version", "2"] {
            assert_eq!(rank(not_a_version), None, "{not_a_version}");
        }
    }
}
