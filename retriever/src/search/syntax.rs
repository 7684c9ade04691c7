//! A question as tantivy query syntax. What an engineer pastes into a question is text, not
//! syntax: a flag (`--include-namespaces=prod`, `-n`) is not an exclusion, `error: x509: …` does
//! not name a field called `error` (which made tantivy drop the word after it, so `error: pod`
//! found nothing), a shouted `NOT FOUND` is not an operator, `~`, `*`, `^`, brackets and braces
//! in a path or a log line are not fuzziness, wildcards, boosts or ranges, and a path's leading
//! slash (`/api`) does not open a regular expression (which swallowed the rest of the question,
//! so "strip the /api prefix" found nothing). The syntax sleuth documents keeps its meaning:
//! `"exact phrase"` (with its `~N` slop), `title:checkout` for a field the index has, and
//! `-excluded` for a word of three letters or more.

impl super::Searcher {
    /// `text` as this index searches it (see [`plain`]).
    pub(super) fn plain(&self, text: &str) -> String {
        let schema = self.index.schema();
        plain(text, |name| schema.get_field(name).is_ok())
    }
}

/// Characters tantivy's grammar gives a meaning that a question never means. The single quote
/// is one of them only at a word's edges: inside, it is a contraction (`can't`).
const SYNTAX: &[char] =
    &['+', '^', '`', ':', '{', '}', '[', ']', '(', ')', '!', '\\', '*', '~', '<', '>', '=', '|'];

/// `text` with everything but sleuth's documented query syntax made plain words; `is_field`
/// says whether a name before a colon is a field of the index.
pub(super) fn plain(text: &str, is_field: impl Fn(&str) -> bool) -> String {
    // An unmatched double quote (a half-pasted message) would make the rest one phrase.
    let quotes = text.matches('"').count();
    let text: String = if quotes % 2 == 1 {
        let last = text.rfind('"').unwrap_or_default();
        format!("{} {}", &text[..last], &text[last + 1..])
    } else {
        text.to_string()
    };
    let mut out = String::with_capacity(text.len());
    for (i, part) in text.split('"').enumerate() {
        if i % 2 == 1 {
            // Inside a phrase, tantivy reads every character as text.
            out.push('"');
            out.push_str(part);
            out.push('"');
            continue;
        }
        // After a phrase, `~2` is its slop.
        let (slop, rest) = match part.strip_prefix('~') {
            Some(after) if i > 0 => {
                let digits = after.len() - after.trim_start_matches(|c: char| c.is_ascii_digit()).len();
                after.split_at(digits)
            }
            _ => ("", part),
        };
        if !slop.is_empty() {
            out.push('~');
            out.push_str(slop);
        }
        let tokens: Vec<&str> = rest.split_whitespace().collect();
        let mut words: Vec<String> = Vec::with_capacity(tokens.len());
        for (n, token) in tokens.iter().enumerate() {
            // A dash right before a phrase excludes it; anywhere else it is punctuation.
            let before_phrase = n + 1 == tokens.len() && !rest.ends_with(char::is_whitespace);
            let w =
                if *token == "-" && before_phrase { (*token).to_string() } else { word(token, &is_field) };
            if !w.is_empty() {
                words.push(w);
            }
        }
        if rest.starts_with(char::is_whitespace) && !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&words.join(" "));
        if rest.ends_with(char::is_whitespace) && !words.is_empty() {
            out.push(' ');
        }
    }
    out
}

/// One whitespace-separated token of a question, as it should be parsed.
fn word(token: &str, is_field: &impl Fn(&str) -> bool) -> String {
    let (excluding, bare) = match token.strip_prefix('-') {
        Some(rest) if !rest.starts_with('-') => (true, rest),
        _ => (false, token),
    };
    // A field's value is a word or a name (`scope:module:root`), nothing tantivy reads as more:
    // `title:*` asks whether a fast field exists (an error for a text field), `title:[a TO b]`
    // is a range, `title:/x/` a regular expression, `title:x\ y` escapes the space.
    if let Some((name, value)) = bare.split_once(':')
        && value.starts_with(char::is_alphanumeric)
        && value.chars().all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | ':' | '/'))
        && is_field(name)
    {
        return token.to_string();
    }
    if excluding && is_excluded_word(bare) {
        return token.to_string();
    }
    // A flag: `--name=value` asks about the flag and its value; `-n` about the short flag.
    let token = token.trim_start_matches('-').replacen('=', " ", 1);
    // Syntax inside a word joins its parts as a phrase (`localhost:8080`, `nginx:1.25` are
    // searched as `localhost-8080`, `nginx-1.25`); at a word's edge it is punctuation.
    let chars: Vec<char> = token.chars().collect();
    let joined: String = chars
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            let inner = |j: Option<usize>| j.and_then(|j| chars.get(j)).is_some_and(|c| c.is_alphanumeric());
            if c == '/' && !inner(i.checked_sub(1)) {
                // A path's leading slash (`/api`, `/healthz`) would open a regular expression
                // running to the next slash, spaces and all: the rest of the question.
                ' '
            } else if !SYNTAX.contains(&c) {
                c
            } else if inner(i.checked_sub(1)) && inner(Some(i + 1)) {
                '-'
            } else {
                ' '
            }
        })
        .collect();
    joined
        .split_whitespace()
        .map(|w| w.trim_start_matches('-').trim_matches('\''))
        .filter(|w| !w.is_empty())
        // Operators are words, also when what was pasted around them is gone (`NOT*`, `(OR`).
        .map(|w| if matches!(w, "AND" | "OR" | "NOT") { w.to_lowercase() } else { w.to_string() })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether `-word` excludes a word: a word of three letters or more. `-n`, `-it` and `-1` are
/// a short flag and a number, never something to leave out.
fn is_excluded_word(word: &str) -> bool {
    word.chars().next().is_some_and(char::is_alphabetic)
        && word.chars().count() >= 3
        && word.chars().all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain_text(text: &str) -> String {
        plain(text, |name| matches!(name, "title" | "body" | "scope"))
    }

    #[test]
    fn what_is_pasted_is_searched_as_words() {
        for (text, searched) in [
            ("what does --default-volumes-to-fs-backup do", "what does default-volumes-to-fs-backup do"),
            (
                "velero backup create --include-namespaces=prod",
                "velero backup create include-namespaces prod",
            ),
            ("kubectl get pods -n kube-system -o yaml", "kubectl get pods n kube-system o yaml"),
            (
                "error: x509: certificate signed by unknown authority",
                "error x509 certificate signed by unknown authority",
            ),
            ("error: pod/foo~bar", "error pod/foo-bar"),
            ("pods NOT ready", "pods not ready"),
            ("restore [locked] {repo} (again)!", "restore locked repo again"),
            ("exit code -1 and -it", "exit code 1 and it"),
            ("image nginx:1.25 won't pull", "image nginx-1.25 won't pull"),
            ("connection to localhost:8080 refused", "connection to localhost-8080 refused"),
            ("restore doesn't include 'secrets'", "restore doesn't include secrets"),
            ("restore failed: \"could not", "restore failed could not"),
            ("*** requests >= 2 ^^", "requests 2"),
            ("strip the /api prefix before the service", "strip the api prefix before the service"),
            ("GET /api/v1/users returns 404, //x too", "GET api/v1/users returns 404, x too"),
            ("title:* body:[a TO b] title:/x title:x\\ y", "title body a TO b title x title-x y"),
        ] {
            assert_eq!(plain_text(text), searched, "{text}");
        }
    }

    #[test]
    fn documented_syntax_keeps_its_meaning() {
        for text in [
            "\"exact phrase\" node",
            "title:checkout latency",
            "node -memory",
            "node -\"out of memory\"",
            "-body:node group",
            "scope:module:root group",
            "\"context deadline\"~2 sync",
        ] {
            assert_eq!(plain_text(text), text);
        }
        // A name that is not a field is a word.
        assert_eq!(plain_text("owner:team-a checkout"), "owner-team-a checkout");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(128))]
        /// Whatever is pasted around a word the index holds, the word is searched: punctuation
        /// never turns into an operator, a regular expression or a field test that drops it.
        #[test]
        fn a_known_word_is_found_whatever_is_pasted_around_it(
            before in "(/api|/|title:|body:|\\*|\\[|\\]|\\{|\\}|\\(|\\)|\\^|~|:|\\\\|'|<|>|=|!|\\?|&|\\||@|#|%|,|\\.|NOT|AND|OR|IN|TO| ){0,8}",
            after in "(/api|/|\\*|\\[|\\]|\\{|\\}|\\(|\\)|\\^|~|:|'|<|>|=|!|\\?|&|\\||,|\\.|NOT|AND|OR|IN|TO| ){0,8}",
        ) {
            static INDEX: std::sync::OnceLock<crate::test_docs::Indexed> = std::sync::OnceLock::new();
            let index = INDEX.get_or_init(|| {
                crate::test_docs::index_files(&[("drain.md", "# Draining\n\nCordon the node, then drain it.\n")])
            });
            let searcher = crate::Searcher::open(index.path()).unwrap();
            let text = format!("{before} cordon {after}");
            let hits = searcher.search(&crate::SearchQuery { text: text.clone(), limit: 1, ..Default::default() });
            proptest::prop_assert!(hits.as_ref().is_ok_and(|h| !h.is_empty()), "{text:?}: {hits:?}");
        }
    }
}
