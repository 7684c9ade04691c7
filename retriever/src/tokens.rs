//! The tokenizer and token filters of sleuth's English analysis (see `index::analyzer`).

use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

/// Words: runs of letters and digits, as tantivy's `SimpleTokenizer` reads them, except that an
/// apostrophe between letters joins (`won't`, `pod's`, `don’t`): split there, "won't" was the
/// two words `won` and `t`, and matched "DaemonSet rollout won't progress" before the page on
/// namespaces stuck terminating. See [`CONTRACTIONS`] for what the joined word becomes.
/// (tantivy's `RegexTokenizer` reads the same words ten times slower.)
///
/// A word in camel case is read whole and then as its parts, at successive positions
/// (`PodDisruptionBudget`, then `Pod` `Disruption` `Budget`; `maxUnavailable`, `HTTPServer`):
/// documentation names Kubernetes kinds and fields that way, and an engineer asks about "the
/// pod disruption budget" or "max unavailable".
#[derive(Clone, Default)]
pub struct Words {
    token: Token,
    parts: Vec<(usize, usize)>,
}

impl Tokenizer for Words {
    type TokenStream<'a> = WordsStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> WordsStream<'a> {
        self.token.reset();
        self.parts.clear();
        WordsStream { text, at: 0, token: &mut self.token, parts: &mut self.parts, next_part: 0, whole: 0 }
    }
}

/// The token stream of [`Words`].
pub struct WordsStream<'a> {
    text: &'a str,
    /// Where the next word is looked for, a byte offset.
    at: usize,
    token: &'a mut Token,
    /// The camel-case parts of the last word (byte ranges of the text), and the next to give.
    parts: &'a mut Vec<(usize, usize)>,
    next_part: usize,
    /// The position of the last word.
    whole: usize,
}

impl WordsStream<'_> {
    fn give(&mut self, from: usize, to: usize, position: usize) {
        self.token.text.clear();
        self.token.text.push_str(&self.text[from..to]);
        self.token.offset_from = from;
        self.token.offset_to = to;
        self.token.position = position;
    }
}

impl TokenStream for WordsStream<'_> {
    fn advance(&mut self) -> bool {
        if let Some(&(from, to)) = self.parts.get(self.next_part) {
            // The first part shares the word's position; the next word follows the last part.
            self.give(from, to, self.whole + self.next_part);
            self.next_part += 1;
            return true;
        }
        let rest = &self.text[self.at..];
        let Some((skip, _)) = rest.char_indices().find(|(_, c)| c.is_alphanumeric()) else {
            self.at = self.text.len();
            return false;
        };
        let from = self.at + skip;
        let mut to = from;
        let mut chars = self.text[from..].chars().peekable();
        let mut last = ' ';
        while let Some(c) = chars.next() {
            let joins = matches!(c, '\'' | '’')
                && last.is_alphabetic()
                && chars.peek().is_some_and(|next| next.is_alphabetic());
            if !(c.is_alphanumeric() || joins) {
                break;
            }
            to += c.len_utf8();
            last = c;
        }
        self.at = to;
        self.whole = self.token.position.wrapping_add(1);
        self.parts.clear();
        self.next_part = 0;
        if let Some(end) = flag_end(self.text, from) {
            // A command-line flag is also read whole, dashes and all, at its first word's
            // position (`--dry-run`, then `dry` `run`): "what does --timeout do" asks about the
            // flag, which pages that say "timeout" do not document.
            self.give(from - 2, end, self.whole);
            self.parts.push((from, to));
            return true;
        }
        self.give(from, to, self.whole);
        camel_parts(&self.text[from..to], from, self.parts);
        true
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

/// Where the command-line flag whose first word starts at byte `from` ends: the word follows
/// `--` at the start of the text or after a character that is not part of a word
/// (`` `--dry-run` ``, `apply --dry-run=server`, not `a--b` or a Markdown rule), and the flag
/// runs over letters, digits and inner dashes. `None` when no flag starts there.
fn flag_end(text: &str, from: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let dashed = from >= 2 && &bytes[from - 2..from] == b"--";
    let starts =
        from == 2 || (from > 2 && !(bytes[from - 3].is_ascii_alphanumeric() || bytes[from - 3] == b'-'));
    if !dashed || !starts || !bytes[from].is_ascii_alphabetic() {
        return None;
    }
    let len = bytes[from..].iter().take_while(|b| b.is_ascii_alphanumeric() || **b == b'-').count();
    let flag = text[from..from + len].trim_end_matches('-');
    Some(from + flag.len())
}

/// Whether `word` is in camel case (has [`Words`]' parts).
pub fn is_camel_case(word: &str) -> bool {
    let mut parts = Vec::new();
    camel_parts(word, 0, &mut parts);
    !parts.is_empty()
}

/// `word` cut into its camel-case parts (`managedClusters` → `managed`, `Clusters`), or whole.
pub fn camel_words(word: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    camel_parts(word, 0, &mut parts);
    if parts.is_empty() {
        return vec![word];
    }
    parts.into_iter().map(|(from, to)| &word[from..to]).collect()
}

/// The camel-case parts of `word` (at byte `offset` of the text) as byte ranges of the text;
/// none unless there are two or more. A part starts at an upper-case letter after a lower-case
/// one (`pod|Disruption`), or at the last of a run of capitals before a lower-case letter
/// (`HTTP|Server`).
fn camel_parts(word: &str, offset: usize, parts: &mut Vec<(usize, usize)>) {
    // Most words have no capital after their first letter: leave them at one look.
    let later_capital = if word.is_ascii() {
        word.bytes().skip(1).any(|b| b.is_ascii_uppercase())
    } else {
        word.chars().skip(1).any(char::is_uppercase)
    };
    if !later_capital {
        return;
    }
    let chars: Vec<(usize, char)> = word.char_indices().collect();
    let mut start = 0;
    for i in 1..chars.len() {
        let (at, c) = chars[i];
        let before = chars[i - 1].1;
        let after = chars.get(i + 1).map(|(_, c)| *c);
        let boundary = c.is_uppercase()
            && (before.is_lowercase() || (before.is_uppercase() && after.is_some_and(char::is_lowercase)));
        if boundary {
            parts.push((offset + start, offset + at));
            start = at;
        }
    }
    if parts.is_empty() {
        return;
    }
    parts.push((offset + start, offset + word.len()));
}

/// Reads a version written with a `v` (`v30`, the `v1` of `v1.28`) as its number, at index
/// and at query time alike: "upgrading to v30.0" answers "what changed in version 30", and a
/// question that writes `v1.28` finds pages that write `1.28`. Expects lowercased tokens.
pub const VERSION_NUMBERS: Rewrite = Rewrite(version_number);

/// Reads a contraction as the word it stands for: a negation (`won't`, `doesn't`, `can’t`)
/// as `not`, which the index keeps ("pods not ready" is not "pods ready"); any other
/// (`pod's`, `we're`, `it'll`) as the word before the apostrophe. Expects [`Words`]' tokens.
pub const CONTRACTIONS: Rewrite = Rewrite(contraction);

fn version_number(text: &mut String) {
    if text.len() > 1 && text.starts_with('v') && text[1..].bytes().all(|b| b.is_ascii_digit()) {
        text.remove(0);
    }
}

fn contraction(text: &mut String) {
    let Some(at) = text.find(['\'', '’']) else { return };
    let tail = &text[at..];
    let negation = text[..at].ends_with(['n', 'N']) && matches!(tail, "'t" | "'T" | "’t" | "’T");
    if negation {
        *text = "not".to_string();
    } else {
        text.truncate(at);
    }
}

/// A token filter that rewrites each token's text in place.
#[derive(Clone, Copy, Debug)]
pub struct Rewrite(fn(&mut String));

impl TokenFilter for Rewrite {
    type Tokenizer<T: Tokenizer> = RewriteFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> RewriteFilter<T> {
        RewriteFilter { inner: tokenizer, rewrite: self.0 }
    }
}

/// [`Rewrite`] applied to a tokenizer.
#[derive(Clone)]
pub struct RewriteFilter<T> {
    inner: T,
    rewrite: fn(&mut String),
}

impl<T: Tokenizer> Tokenizer for RewriteFilter<T> {
    type TokenStream<'a> = RewriteStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        RewriteStream { tail: self.inner.token_stream(text), rewrite: self.rewrite }
    }
}

/// The token stream of [`RewriteFilter`].
pub struct RewriteStream<T> {
    tail: T,
    rewrite: fn(&mut String),
}

impl<T: TokenStream> TokenStream for RewriteStream<T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        (self.rewrite)(&mut self.tail.token_mut().text);
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

#[cfg(test)]
mod tests {
    use tantivy::tokenizer::{LowerCaser, TextAnalyzer};

    use super::*;

    fn analysed(text: &str) -> Vec<String> {
        let mut analyzer = TextAnalyzer::builder(Words::default())
            .filter(LowerCaser)
            .filter(VERSION_NUMBERS)
            .filter(CONTRACTIONS)
            .build();
        crate::phrases::analysed(&mut analyzer, text)
    }

    #[test]
    fn a_flag_is_read_whole_and_as_its_words() {
        assert_eq!(
            analysed("run `--dry-run=server` or --TIMEOUT, not a--b, |---|, -- x, --9 or --x-"),
            [
                "run",
                "--dry-run",
                "dry",
                "run",
                "server",
                "or",
                "--timeout",
                "timeout",
                "not",
                "a",
                "b",
                "x",
                "9",
                "or",
                "--x",
                "x"
            ]
        );
        // The flag shares its first word's position: a phrase of its words still matches.
        let mut words = Words::default();
        let mut stream = words.token_stream("a --dry-run b");
        let mut seen = Vec::new();
        while let Some(t) = stream.next() {
            seen.push((t.text.clone(), t.position, t.offset_from, t.offset_to));
        }
        assert_eq!(
            seen,
            [
                ("a".to_string(), 0, 0, 1),
                ("--dry-run".to_string(), 1, 2, 11),
                ("dry".to_string(), 1, 4, 7),
                ("run".to_string(), 2, 8, 11),
                ("b".to_string(), 3, 12, 13)
            ]
        );
    }

    #[test]
    fn a_version_written_with_a_v_is_its_number() {
        assert_eq!(
            analysed("Upgrading to V30.0 from v1.28: vpc v 2v"),
            ["upgrading", "to", "30", "0", "from", "1", "28", "vpc", "v", "2v"]
        );
    }

    #[test]
    fn words_are_where_tantivys_simple_tokenizer_finds_them_but_for_apostrophes() {
        let text = "Héllo, happy tax-payer! x_1 ‘quoted’ pod's 日本 l'\n 'end ALL CAPS";
        let mut words = Words::default();
        let mut simple = tantivy::tokenizer::SimpleTokenizer::default();
        let (mut ours, mut theirs) = (words.token_stream(text), simple.token_stream(text));
        let mut seen = Vec::new();
        while let Some(t) = ours.next() {
            seen.push((t.text.clone(), t.offset_from, t.offset_to, t.position));
        }
        let mut expected = Vec::new();
        while let Some(t) = theirs.next() {
            expected.push((t.text.clone(), t.offset_from, t.offset_to, t.position));
        }
        // Only "pod's" differs: one word, where the simple tokenizer reads `pod` and `s`.
        let pods = expected.iter().position(|t| t.0 == "pod").unwrap();
        let s = expected.remove(pods + 1);
        expected[pods].0 = "pod's".into();
        expected[pods].2 = s.2;
        for t in &mut expected[pods + 1..] {
            t.3 -= 1;
        }
        assert_eq!(seen, expected);
    }

    #[test]
    fn a_camel_case_word_is_read_whole_then_as_its_parts() {
        let mut words = Words::default();
        let text = "a PodDisruptionBudget, HTTPServer maxUnavailable v1Beta1 iOS done";
        let mut stream = words.token_stream(text);
        let mut seen = Vec::new();
        while let Some(t) = stream.next() {
            assert_eq!(&text[t.offset_from..t.offset_to], t.text);
            seen.push(format!("{}@{}", t.text, t.position));
        }
        assert_eq!(
            seen,
            [
                "a@0",
                "PodDisruptionBudget@1",
                "Pod@1",
                "Disruption@2",
                "Budget@3",
                "HTTPServer@4",
                "HTTP@4",
                "Server@5",
                "maxUnavailable@6",
                "max@6",
                "Unavailable@7",
                // An API version stays whole.
                "v1Beta1@8",
                "iOS@9",
                "i@9",
                "OS@10",
                "done@11",
            ]
        );
    }

    proptest::proptest! {
        #[test]
        fn any_text_gives_words_that_are_slices_of_it(text in "[a-zA-ZÉé日0-9'’ _.-]{0,30}|\\PC{0,30}") {
            let mut words = Words::default();
            let mut stream = words.token_stream(&text);
            let mut last = None;
            while let Some(t) = stream.next() {
                proptest::prop_assert_eq!(text.get(t.offset_from..t.offset_to), Some(t.text.as_str()));
                proptest::prop_assert!(last.is_none_or(|p| t.position >= p));
                last = Some(t.position);
            }
            analysed(&text);
        }
    }

    #[test]
    fn a_contraction_is_the_word_it_stands_for() {
        assert_eq!(
            analysed("namespace won't delete; it DOESN’T stop, the pod's IP isn't set, we're 'quoted'"),
            [
                "namespace",
                "not",
                "delete",
                "it",
                "not",
                "stop",
                "the",
                "pod",
                "ip",
                "not",
                "set",
                "we",
                "quoted"
            ]
        );
        // Identifiers and code are split as before.
        assert_eq!(
            analysed("aws_eks_node_group x-k8s.io/paused='true'"),
            ["aws", "eks", "node", "group", "x", "k8s", "io", "paused", "true"]
        );
    }
}
