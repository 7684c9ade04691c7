//! Cutting documents into chunks an LLM can take several of at once.
//!
//! A chunk never spans two sections, so its heading path is exact. Sections longer than
//! [`MAX_CHARS`] are cut at paragraph boundaries (fenced code blocks stay whole when they
//! fit), then at sentence ends, and only as a last resort at a word boundary.

use crate::model::{Chunk, Document};

/// Preferred chunk size in bytes (about 300 tokens of English).
pub const TARGET_CHARS: usize = 1200;
/// Hard upper bound of a chunk's text in bytes.
pub const MAX_CHARS: usize = 2000;

/// The chunks of a document, in order. A document without body text still yields one empty
/// chunk, so that its title and properties can be found.
pub fn chunk(doc: &Document) -> Vec<Chunk> {
    let mut out = Vec::new();
    for section in &doc.sections {
        for piece in split(&section.text) {
            out.push(Chunk {
                id: format!("{}#{}", doc.id, out.len()),
                ordinal: out.len(),
                heading: section.heading.clone(),
                anchor: section.anchor.clone(),
                text: piece,
            });
        }
    }
    if out.is_empty() {
        out.push(Chunk {
            id: format!("{}#0", doc.id),
            ordinal: 0,
            heading: Vec::new(),
            anchor: None,
            text: String::new(),
        });
    }
    out
}

/// Splits text into pieces of at most [`MAX_CHARS`], packing whole paragraphs up to
/// [`TARGET_CHARS`].
pub fn split(text: &str) -> Vec<String> {
    if text.len() <= MAX_CHARS {
        return if text.trim().is_empty() { Vec::new() } else { vec![text.to_string()] };
    }
    let mut units = Vec::new();
    for para in paragraphs(text) {
        if para.len() <= MAX_CHARS {
            units.push(para);
        } else {
            units.extend(sentences(&para));
        }
    }
    pack(units)
}

/// Paragraphs separated by blank lines, with a fenced code block kept as one paragraph.
fn paragraphs(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut open_fence = false;
    for para in text.split("\n\n") {
        if open_fence && let Some(last) = out.last_mut() {
            last.push_str("\n\n");
            last.push_str(para);
        } else {
            out.push(para.to_string());
        }
        let fences = para.lines().filter(|l| l.trim_start().starts_with("```")).count();
        if fences % 2 == 1 {
            open_fence = !open_fence;
        }
    }
    out.retain(|p| !p.trim().is_empty());
    out
}

/// Sentences (or lines) of an over-long paragraph, each at most [`MAX_CHARS`].
fn sentences(para: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = para.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        let end_of_sentence =
            matches!(b, b'.' | b'!' | b'?') && bytes.get(i + 1).is_some_and(u8::is_ascii_whitespace);
        if end_of_sentence || b == b'\n' {
            out.push(para[start..=i].to_string());
            start = i + 1;
        }
    }
    if start < para.len() {
        out.push(para[start..].to_string());
    }
    out.into_iter().flat_map(|s| hard_cut(&s)).filter(|s| !s.trim().is_empty()).collect()
}

/// Cuts at the last whitespace before [`MAX_CHARS`] (or at a char boundary if there is none).
fn hard_cut(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = s;
    while rest.len() > MAX_CHARS {
        let mut cut = MAX_CHARS;
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        if let Some(ws) = rest[..cut].rfind(char::is_whitespace).filter(|&w| w > MAX_CHARS / 2) {
            cut = ws + 1;
        }
        out.push(rest[..cut].to_string());
        rest = &rest[cut..];
    }
    out.push(rest.to_string());
    out
}

fn pack(units: Vec<String>) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for unit in units {
        let sep = if cur.is_empty() || cur.ends_with('\n') || unit.starts_with(' ') { "" } else { "\n\n" };
        if !cur.is_empty() && cur.len() + sep.len() + unit.len() > TARGET_CHARS {
            out.push(std::mem::take(&mut cur).trim().to_string());
            cur.push_str(unit.trim_start());
        } else {
            cur.push_str(sep);
            cur.push_str(&unit);
        }
    }
    if !cur.trim().is_empty() {
        out.push(cur.trim().to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::model::{Kind, Section};

    #[test]
    fn short_sections_are_one_chunk_each() {
        let mut doc = Document::new(Kind::Markdown, "t", "a.md");
        doc.sections = vec![
            Section { heading: vec!["A".into()], anchor: None, text: "one".into() },
            Section { heading: vec!["B".into()], anchor: Some("b".into()), text: "two".into() },
        ];
        let chunks = chunk(&doc);
        assert_eq!(chunks.len(), 2);
        assert_eq!(chunks[1].id, "a.md#1");
        assert_eq!(chunks[1].heading, ["B"]);
    }

    #[test]
    fn empty_documents_still_have_a_chunk() {
        assert_eq!(chunk(&Document::new(Kind::Confluence, "Empty page", "p.html")).len(), 1);
    }

    #[test]
    fn long_sections_split_at_sentence_ends() {
        let sentence = "The checkout service calls payments before it writes the order. ";
        let text = sentence.repeat(60);
        let pieces = split(&text);
        assert!(pieces.len() > 1);
        for p in &pieces {
            assert!(p.len() <= MAX_CHARS);
            assert!(p.ends_with('.'), "cut mid-sentence: {:?}", &p[p.len() - 20..]);
        }
    }

    #[test]
    fn code_fences_stay_whole_when_they_fit() {
        let code = format!("```bash\n{}\n\n{}\n```", "echo a\n".repeat(40), "echo b\n".repeat(40));
        let text = format!("{}\n\n{code}\n\n{}", "Intro words here. ".repeat(50), "Outro words. ".repeat(50));
        let pieces = split(&text);
        assert!(pieces.iter().any(|p| p.starts_with("```bash") && p.ends_with("```")), "{pieces:#?}");
    }

    proptest! {
        #[test]
        fn pieces_are_bounded_and_lose_no_words(words in proptest::collection::vec("[a-zé]{1,12}[.]?( |\n|\n\n)", 0..900)) {
            let text: String = words.concat();
            let pieces = split(&text);
            for p in &pieces {
                prop_assert!(p.len() <= MAX_CHARS);
            }
            let before: Vec<&str> = text.split_whitespace().collect();
            let joined = pieces.join(" ");
            let after: Vec<&str> = joined.split_whitespace().collect();
            prop_assert_eq!(before, after);
        }
    }
}
