//! Names a question may call a document by: the words of what it is one of
//! ([`crate::Document::instance_of`], `launch template` for an `aws_launch_template`), analysed
//! as the index analyses text and hashed, so that search can tell from a fast field, per hit,
//! whether the question names the kind of thing the hit is.

use std::collections::HashSet;

use sha2::{Digest, Sha256};
use tantivy::tokenizer::TextAnalyzer;

/// The longest name, in analysed words, a question is searched for.
const LONGEST: usize = 5;

/// The keys a document is named by: its whole name and every shorter tail of two words or
/// more (`eks node group` is also a `node group`; `group` alone names too many things).
pub fn of_document(analyzer: &mut TextAnalyzer, name: &str) -> Vec<u64> {
    let words = analysed(analyzer, name);
    (0..words.len().saturating_sub(1)).map(|start| key(&words[start..])).collect()
}

/// The keys of every run of two to five words of a question.
pub fn of_question(analyzer: &mut TextAnalyzer, text: &str) -> HashSet<u64> {
    let words = analysed(analyzer, text);
    let mut keys = HashSet::new();
    for len in 2..=LONGEST.min(words.len()) {
        keys.extend(words.windows(len).map(key));
    }
    keys
}

/// The words of `text` in `analyzer`'s analysis, in order.
pub(crate) fn analysed(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut stream = analyzer.token_stream(text);
    let mut words = Vec::new();
    while let Some(token) = stream.next() {
        words.push(token.text.clone());
    }
    words
}

fn key(words: &[String]) -> u64 {
    let digest = Sha256::digest(words.join(" ").as_bytes());
    u64::from_le_bytes(digest[..8].try_into().expect("a SHA-256 digest is 32 bytes"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_question_names_a_kind_by_its_words_or_their_tail_in_any_inflection() {
        let mut analyzer = crate::index::analyzer();
        let document = of_document(&mut analyzer, "eks node group");
        assert_eq!(document.len(), 2);
        let named = |q: &str, a: &mut TextAnalyzer| document.iter().any(|k| of_question(a, q).contains(k));
        assert!(named("the managed node groups and their scaling", &mut analyzer));
        assert!(named("EKS node group", &mut analyzer));
        assert!(!named("a group of nodes", &mut analyzer));
        assert!(!named("node", &mut analyzer));
        assert!(of_document(&mut analyzer, "subnet").is_empty());
    }
}
