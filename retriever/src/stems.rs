//! English stemming with a cache of the stems already computed: the Snowball stemmer took
//! about a fifth of indexing (a `perf` profile of the 10,000-page benchmark), and documentation
//! says the same few thousand words over and over, so each analyser remembers the stem of every
//! word it has stemmed. The stems are exactly tantivy's `Stemmer::new(Language::English)`'s (the
//! same `frostem` algorithm; a test compares them).

use std::collections::HashMap;

use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

/// How many words an analyser remembers before it starts over: a bound on memory for corpora
/// of many distinct words (a site's tokens are mostly its few thousand common ones).
const REMEMBERED: usize = 1 << 16;

/// A token filter that stems English words, like tantivy's `Stemmer`, remembering each stem.
#[derive(Clone, Default)]
pub struct CachedStemmer;

impl TokenFilter for CachedStemmer {
    type Tokenizer<T: Tokenizer> = CachedStemmerFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> CachedStemmerFilter<T> {
        CachedStemmerFilter { inner: tokenizer, stems: HashMap::default() }
    }
}

/// The tokenizer [`CachedStemmer`] makes; each clone (an analyser per indexing thread and field)
/// has its own cache.
#[derive(Clone)]
pub struct CachedStemmerFilter<T> {
    inner: T,
    stems: HashMap<String, String, foldhash::fast::RandomState>,
}

impl<T: Tokenizer> Tokenizer for CachedStemmerFilter<T> {
    type TokenStream<'a> = CachedStemmerStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        if self.stems.len() >= REMEMBERED {
            self.stems.clear();
        }
        CachedStemmerStream {
            tail: self.inner.token_stream(text),
            stemmer: frostem::Stemmer::new(frostem::Algorithm::English),
            stems: &mut self.stems,
        }
    }
}

/// The token stream of [`CachedStemmerFilter`].
pub struct CachedStemmerStream<'a, T> {
    tail: T,
    stemmer: frostem::Stemmer,
    stems: &'a mut HashMap<String, String, foldhash::fast::RandomState>,
}

impl<T: TokenStream> TokenStream for CachedStemmerStream<'_, T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        if let Some(stem) = self.stems.get(token.text.as_str()) {
            token.text.clone_from(stem);
        } else {
            let stem = self.stemmer.stem(&token.text).into_owned();
            self.stems.insert(std::mem::replace(&mut token.text, stem.clone()), stem);
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
    use tantivy::tokenizer::{Language, SimpleTokenizer, Stemmer, TextAnalyzer};

    use super::*;
    use crate::phrases::analysed as words;

    #[test]
    fn the_stems_are_tantivys_whether_remembered_or_not() {
        let text = "running runs ran deployments deploying kubernetes clusters' nodes generously \
                    happily relational connection connected connecting é ünïcode 123 the a";
        let mut ours = TextAnalyzer::builder(SimpleTokenizer::default()).filter(CachedStemmer).build();
        let mut theirs =
            TextAnalyzer::builder(SimpleTokenizer::default()).filter(Stemmer::new(Language::English)).build();
        // Twice: the second pass reads every stem from the cache.
        for _ in 0..2 {
            assert_eq!(words(&mut ours, text), words(&mut theirs, text));
        }
    }

    proptest::proptest! {
        #[test]
        fn any_text_is_stemmed_as_tantivy_stems_it(text in "[a-zA-Zé' ]{0,60}") {
            let mut ours = TextAnalyzer::builder(SimpleTokenizer::default()).filter(CachedStemmer).build();
            let mut theirs = TextAnalyzer::builder(SimpleTokenizer::default())
                .filter(Stemmer::new(Language::English))
                .build();
            proptest::prop_assert_eq!(words(&mut ours, &text), words(&mut theirs, &text));
            proptest::prop_assert_eq!(words(&mut ours, &text), words(&mut theirs, &text));
        }
    }
}
