//! Token filters of sleuth's English analysis (see `index::register_tokenizer`).

use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

/// Reads a version written with a `v` (`v30`, the `v1` of `v1.28`) as its number, at index
/// and at query time alike: "upgrading to v30.0" answers "what changed in version 30", and a
/// question that writes `v1.28` finds pages that write `1.28`. Expects lowercased tokens.
#[derive(Clone, Copy, Debug, Default)]
pub struct VersionNumbers;

impl TokenFilter for VersionNumbers {
    type Tokenizer<T: Tokenizer> = VersionNumbersFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> VersionNumbersFilter<T> {
        VersionNumbersFilter { inner: tokenizer }
    }
}

/// [`VersionNumbers`] applied to a tokenizer.
#[derive(Clone)]
pub struct VersionNumbersFilter<T> {
    inner: T,
}

impl<T: Tokenizer> Tokenizer for VersionNumbersFilter<T> {
    type TokenStream<'a> = VersionNumbersStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        VersionNumbersStream { tail: self.inner.token_stream(text) }
    }
}

/// The token stream of [`VersionNumbersFilter`].
pub struct VersionNumbersStream<T> {
    tail: T,
}

impl<T: TokenStream> TokenStream for VersionNumbersStream<T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let text = &mut self.tail.token_mut().text;
        if text.len() > 1 && text.starts_with('v') && text[1..].bytes().all(|b| b.is_ascii_digit()) {
            text.remove(0);
        }
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
    use tantivy::tokenizer::{LowerCaser, SimpleTokenizer, TextAnalyzer};

    use super::VersionNumbers;

    #[test]
    fn a_version_written_with_a_v_is_its_number() {
        let mut analyzer = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(LowerCaser)
            .filter(VersionNumbers)
            .build();
        let mut stream = analyzer.token_stream("Upgrading to V30.0 from v1.28: vpc v 2v");
        let mut words = Vec::new();
        while let Some(t) = stream.next() {
            words.push(t.text.clone());
        }
        assert_eq!(words, ["upgrading", "to", "30", "0", "from", "1", "28", "vpc", "v", "2v"]);
    }
}
