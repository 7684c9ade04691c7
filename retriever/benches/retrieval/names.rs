//! Questions that name something exactly: a flag (`what does --node-count do`), a camel-case
//! identifier (`CommitManifestDetails error`), a code span (`getting context deadline
//! exceeded`) or an error line, taken from a documentation corpus's own pages where they are
//! distinctive (on at most two pages); and of a Terraform module, a variable by its name
//! (`what does enable_nat_gateway do`) or a resource by its address (`where is
//! aws_nat_gateway.this defined`), declared in at most two files. The pages holding (or
//! declaring) the name are accepted. Written by no one, so nobody's phrasing is tuned to: the
//! guard for issue 14's "exact identifiers, error strings and flags still win".

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

/// Questions of each kind per corpus.
const PER_KIND: usize = 12;

/// A kind of name, how it is found in a page (its capture groups joined by `.` make the name),
/// and how an on-call engineer asks about it.
struct Kind {
    name: &'static str,
    pattern: &'static str,
    ask: fn(&str) -> String,
}

/// Kinds asked of a Terraform module: only declarations count as holding the name.
const TERRAFORM_KINDS: [Kind; 2] = [
    Kind {
        name: "variable name",
        pattern: r#"(?m)^variable\s+"([a-z][a-z0-9_]{5,})""#,
        ask: |s| format!("what does {s} do"),
    },
    Kind {
        name: "resource address",
        pattern: r#"(?m)^resource\s+"([a-z][a-z0-9_]+)"\s+"([a-z][a-z0-9_-]*)""#,
        ask: |s| format!("where is {s} defined"),
    },
];

const KINDS: [Kind; 4] = [
    Kind {
        name: "flag",
        pattern: r"(?m)(?:^|[^\w-])(--[a-z][a-z0-9-]{4,})",
        ask: |s| format!("what does {s} do"),
    },
    Kind {
        name: "camel-case name",
        pattern: r"\b([A-Z][a-z]+(?:[A-Z][a-z0-9]+){1,3})\b",
        ask: |s| format!("{s} error"),
    },
    Kind { name: "code span", pattern: r"`([a-zA-Z][^`\n]{12,60})`", ask: |s| format!("getting {s}") },
    // An error line as a log or a terminal prints it (`error: …`, `Error from server …`,
    // `failed to …`), pasted as it is.
    Kind {
        name: "error line",
        pattern: r"(?m)^[ \t>]*((?:(?:Error|ERROR|error|FATAL|fatal|panic)(?::| from )|(?:Failed|failed) to )[^\n`]{20,120})$",
        ask: |s| s.to_string(),
    },
];

/// One generated question: its kind, its text, and the pages that hold the name.
pub struct Named {
    pub kind: &'static str,
    pub q: String,
    pub accepted: Vec<String>,
}

/// The kinds' names, in the order they are reported, each with whether it is asked of
/// Terraform modules.
pub fn kinds() -> impl Iterator<Item = (&'static str, bool)> {
    KINDS.iter().map(|k| (k.name, false)).chain(TERRAFORM_KINDS.iter().map(|k| (k.name, true)))
}

/// Up to [`PER_KIND`] questions of each kind for `pages` (path, text) — Terraform's kinds for a
/// module — chosen by a hash of the name, so the same files give the same questions on every
/// machine.
pub fn questions(pages: &[(String, String)], terraform: bool) -> Vec<Named> {
    let mut out = Vec::new();
    for kind in if terraform { &TERRAFORM_KINDS[..] } else { &KINDS[..] } {
        let re = regex::Regex::new(kind.pattern).expect("a valid pattern");
        let mut holders: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (path, text) in pages {
            for c in re.captures_iter(text) {
                let parts: Vec<&str> = c.iter().skip(1).flatten().map(|m| m.as_str()).collect();
                let name = parts.join(".");
                // A span must be words, not one token.
                if kind.name == "code span" && !name.contains(' ') {
                    continue;
                }
                let at = holders.entry(name).or_default();
                if !at.contains(path) {
                    at.push(path.clone());
                }
            }
        }
        let mut distinctive: Vec<(Vec<u8>, String, Vec<String>)> = holders
            .into_iter()
            .filter(|(_, at)| at.len() <= 2)
            .map(|(name, at)| (Sha256::digest(name.as_bytes()).to_vec(), name, at))
            .collect();
        distinctive.sort();
        out.extend(distinctive.into_iter().take(PER_KIND).map(|(_, name, accepted)| Named {
            kind: kind.name,
            q: (kind.ask)(&name),
            accepted,
        }));
    }
    out
}
