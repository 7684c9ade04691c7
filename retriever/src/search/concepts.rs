//! The words documentation uses for what an on-call engineer describes: "the pods fail their
//! probes" is answered by a page on *health checks*, "controller can't list pods, forbidden" by
//! one on *RBAC*, "try it locally step by step" by a *tutorial*. Abbreviations have one other
//! form (see `query_text`); a situation has many ways to be told, and pages title it by the
//! name of the mechanism. Each situation of `concepts.txt` is a set of phrasings and the
//! mechanism's names, appended to the lexical query at a fraction of a question word's weight, so that they find a
//! page the question's own words miss and rank pages the question's words already found,
//! without outweighing those words.
//!
//! A phrasing is matched on stemmed words, in order ("probes" is "probe", "restarting" is
//! "restart"), and `*` in it stands for one to three words of any kind ("remove * from the
//! cluster" is "remove kubevirt from the cluster"). The table is about operating software on
//! Kubernetes and clouds in general: no product's vocabulary, only the trade's.

use std::sync::LazyLock;

use tantivy::tokenizer::{Language, LowerCaser, SimpleTokenizer, Stemmer, TextAnalyzer};

/// How much an added name weighs against a word of the question (tantivy's boost).
const WEIGHT: f32 = 0.4;

/// How many words a `*` of a phrasing stands for, at most.
const GAP: usize = 3;

/// The table: one situation a line, its phrasings and its names (see the file's header).
const TABLE_TEXT: &str = include_str!("concepts.txt");

/// One part of a phrasing: a stemmed word, or `*` (one to [`GAP`] words).
#[derive(Debug, PartialEq)]
enum Part {
    Word(String),
    Gap,
}

/// The table analysed once: each concept's phrasings as parts, and its names as stemmed words
/// (to tell one the question already says) beside their text.
struct Concept {
    phrasings: Vec<Vec<Part>>,
    names: Vec<(Vec<String>, &'static str)>,
}

static TABLE: LazyLock<Vec<Concept>> =
    LazyLock::new(|| parse(TABLE_TEXT).expect("the bundled situations are well formed (a test reads them)"));

/// The table from its text; an error names the line and what is wrong with it.
fn parse(text: &'static str) -> Result<Vec<Concept>, String> {
    let mut analyzer = analyzer();
    let mut table = Vec::new();
    for (n, line) in text.lines().enumerate().map(|(i, l)| (i + 1, l.trim())) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let bad = |why: String| format!("concepts.txt line {n}: {why}");
        let (phrasings, names) =
            line.split_once("=>").ok_or_else(|| bad("no `=>` between phrasings and names".into()))?;
        let items = |side: &'static str| side.split(';').map(str::trim).collect::<Vec<_>>();
        let (phrasings, names) = (items(phrasings), items(names));
        for item in phrasings.iter().chain(&names) {
            if item.is_empty() || *item != item.to_lowercase() || item.contains(['"', '^', ':', '=', '>']) {
                return Err(bad(format!("`{item}` is not lower-case words")));
            }
        }
        let mut parsed = Vec::with_capacity(phrasings.len());
        for phrasing in phrasings {
            let parts: Vec<Part> = phrasing
                .split_whitespace()
                .flat_map(|w| {
                    if w == "*" {
                        vec![Part::Gap]
                    } else {
                        crate::phrases::analysed(&mut analyzer, w).into_iter().map(Part::Word).collect()
                    }
                })
                .collect();
            if !parts.iter().any(|p| matches!(p, Part::Word(_)))
                || parts.first() == Some(&Part::Gap)
                || parts.last() == Some(&Part::Gap)
            {
                return Err(bad(format!("`{phrasing}` needs a word, and `*` only between words")));
            }
            parsed.push(parts);
        }
        let mut stemmed_names = Vec::with_capacity(names.len());
        for name in names {
            let stems = crate::phrases::analysed(&mut analyzer, name);
            if stems.is_empty() {
                return Err(bad(format!("`{name}` has no word")));
            }
            stemmed_names.push((stems, name));
        }
        table.push(Concept { phrasings: parsed, names: stemmed_names });
    }
    Ok(table)
}

/// Words as phrasings are compared: split at anything not a letter or digit, lower case,
/// stemmed; no stop words dropped ("at once" is not "once").
fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(LowerCaser)
        .filter(Stemmer::new(Language::English))
        .build()
}

/// Whether `parts` occur in `words` from `at` on.
fn matches_at(words: &[String], at: usize, parts: &[Part]) -> bool {
    match parts.split_first() {
        None => true,
        Some((Part::Word(w), rest)) => {
            words.get(at).is_some_and(|x| x == w) && matches_at(words, at + 1, rest)
        }
        Some((Part::Gap, rest)) => {
            (1..=GAP).any(|n| at + n <= words.len() && matches_at(words, at + n, rest))
        }
    }
}

/// Whether `parts` occur anywhere in `words`.
fn occurs(words: &[String], parts: &[Part]) -> bool {
    !parts.is_empty() && (0..words.len()).any(|at| matches_at(words, at, parts))
}

/// The names of the mechanisms the question's prose describes, none it already says, each
/// once.
pub(super) fn of_question(prose: &str) -> Vec<&'static str> {
    let words = crate::phrases::analysed(&mut analyzer(), prose);
    let mut out: Vec<&'static str> = Vec::new();
    for concept in TABLE.iter() {
        if !concept.phrasings.iter().any(|p| occurs(&words, p)) {
            continue;
        }
        for (stems, name) in &concept.names {
            let said = words.windows(stems.len()).any(|w| w == stems.as_slice());
            if !said && !out.contains(name) {
                out.push(name);
            }
        }
    }
    out
}

/// A name as query syntax, weighed [`WEIGHT`] of a question's word (a phrase quoted).
pub(super) fn as_query(name: &str) -> String {
    if name.contains(' ') { format!("\"{name}\"^{WEIGHT}") } else { format!("{name}^{WEIGHT}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn described(text: &str) -> Vec<&'static str> {
        of_question(text)
    }

    #[test]
    fn a_described_situation_asks_for_its_mechanisms_names_weighed_less() {
        assert_eq!(described("pods fail their probes"), ["health check", "liveness", "readiness"]);
        assert_eq!(as_query("health check"), "\"health check\"^0.4");
        assert_eq!(as_query("rbac"), "rbac^0.4");
        // Punctuation breaks words; stems match ("forbidden" as written, "probes" as "probe").
        assert_eq!(described("controller can't list pods, forbidden"), ["rbac", "role", "authorization"]);
        assert!(described("the probationary period").is_empty(), "a stem of its own");
        assert!(described("by step").is_empty(), "no part of a phrasing");
        assert!(described("how do I configure the ingress").is_empty());
    }

    #[test]
    fn a_gap_stands_for_one_to_three_words() {
        assert!(described("remove kubevirt from the cluster").contains(&"uninstall"));
        assert!(described("remove the virt operator from the cluster").contains(&"uninstall"));
        assert!(!described("remove it safely from one of the nodes of the cluster").contains(&"uninstall"));
        assert!(!described("remove from the cluster").contains(&"uninstall"), "a gap is one word at least");
    }

    #[test]
    fn a_name_the_question_says_or_two_concepts_share_is_asked_for_once() {
        // "restore" is both a phrasing and a name: the question says it already.
        assert_eq!(described("restore last night"), ["recovery", "backup"]);
        // "troubleshooting" is a name of two concepts the question describes.
        let both = described("pods keep restarting and cannot reach the database");
        assert_eq!(both.iter().filter(|t| **t == "troubleshooting").count(), 1, "{both:?}");
    }

    #[test]
    fn the_bundled_table_reads_and_a_bad_line_is_named() {
        assert!(parse(TABLE_TEXT).is_ok_and(|t| t.len() > 50));
        for (text, why) in [
            ("# a comment\n\nslow; laggy performance", "line 3: no `=>`"),
            ("slow => Performance", "line 1: `Performance` is not lower-case"),
            ("slow;; laggy => performance", "line 1: `` is not lower-case"),
            ("* slow => performance", "line 1: `* slow` needs a word"),
            ("remove * => uninstall", "line 1: `remove *` needs a word"),
            ("* => x", "line 1: `*` needs a word"),
            ("slow => performance; -", "line 1: `-` has no word"),
        ] {
            let err = parse(text).err().unwrap_or_default();
            assert!(err.starts_with("concepts.txt ") && err.contains(why), "{text:?}: {err}");
        }
    }

    proptest::proptest! {
        #[test]
        fn any_question_is_read_without_panicking_and_asks_only_for_names_of_the_table(
            text in "\\PC{0,120}|([a-z]{1,8} ){0,12}"
        ) {
            for name in described(&text) {
                proptest::prop_assert!(TABLE.iter().any(|c| c.names.iter().any(|(_, n)| *n == name)));
            }
        }
    }
}
