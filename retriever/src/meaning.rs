//! What a passage is about, as a vector: the mean of static token vectors, so that a question
//! and a section that say the same thing in different words ("remove the operator from the
//! cluster", "Uninstalling: delete the Helm release") still score as near.
//!
//! The vectors and their tokenizer are bundled (`assets/meaning.bin`, made from the PyPI
//! package `wordllama` 0.4.0.post1 by `scripts/make-meaning-asset.py`; MIT, see
//! `assets/meaning.LICENSE`): 32,000 sentence pieces, the first 192 of their 256 dimensions, 4
//! bits each with a scale per piece, compressed (3 MB: sleuth's binary has a 50 MB budget).
//! Nothing is fetched or run beyond a table lookup per piece, so indexing stays within its
//! speed target and a question is embedded in microseconds. Search uses these
//! vectors only to rerank the prose pages it already ranked first (see `search::rerank`):
//! alone they rank far below BM25, beside it they recover pages that answer in other words.

use std::cell::RefCell;
use std::sync::LazyLock;

/// Dimensions of a vector.
pub const DIMS: usize = 192;

/// How much of a section is read: the mean of a long section's pieces drifts towards what every
/// page says; its heading and first paragraphs say what it is about.
const READ_CHARS: usize = 2000;

/// Words whose pieces are remembered per thread, at most (see [`Words`]).
const CACHED_WORDS: usize = 100_000;

static MODEL: LazyLock<Model> = LazyLock::new(|| {
    let data = payload(include_bytes!("../assets/meaning.bin")).expect("the bundled vectors are well formed");
    Model::parse(&data).expect("the bundled vectors are well formed")
});

/// The asset's payload: after its magic, zlib-compressed.
fn payload(file: &[u8]) -> Result<Vec<u8>, &'static str> {
    use std::io::Read as _;
    let compressed = file.strip_prefix(b"SLEUTHM2").ok_or("magic")?;
    let mut data = Vec::new();
    flate2::read::ZlibDecoder::new(compressed).read_to_end(&mut data).map_err(|_| "compression")?;
    Ok(data)
}

thread_local! {
    static PIECES: RefCell<Words> = RefCell::new(Words::default());
}

/// Words' pieces as the tokenizer split them, remembered in two generations: when the newer
/// is full the older is dropped and the newer takes its place, so words met all the time stay
/// (a site has more distinct words than [`CACHED_WORDS`]) and memory stays bounded. A fast hash:
/// every word of every chunk indexed is looked up here.
#[derive(Default)]
struct Words {
    new: foldhash::HashMap<String, Vec<u16>>,
    old: foldhash::HashMap<String, Vec<u16>>,
}

impl Words {
    /// Adds `word`'s pieces to `out`, splitting it only if neither generation has it.
    fn extend(&mut self, model: &Model, word: &str, out: &mut Vec<u16>) {
        if let Some(known) = self.new.get(word) {
            out.extend_from_slice(known);
            return;
        }
        let split = self.old.remove(word).unwrap_or_else(|| model.pieces(word));
        out.extend_from_slice(&split);
        if self.new.len() >= CACHED_WORDS / 2 {
            self.old = std::mem::take(&mut self.new);
        }
        self.new.insert(word.to_string(), split);
    }
}

/// The vector of a passage (its title, heading and text joined), unit length, or `None` when
/// it has no word.
pub fn of_text(text: &str) -> Option<Vec<f32>> {
    let model = &*MODEL;
    let mut pieces: Vec<u16> = Vec::new();
    PIECES.with_borrow_mut(|words| {
        for word in head(text).split_whitespace() {
            words.extend(model, word, &mut pieces);
        }
    });
    // Each distinct piece's vector added once, times its count: a passage repeats its pieces
    // ("the", "pod"), and reading a vector costs more than multiplying it.
    pieces.sort_unstable();
    let mut sum = vec![0.0f32; DIMS];
    for same in pieces.chunk_by(|a, b| a == b) {
        #[expect(clippy::cast_precision_loss, reason = "a count of words in 2,000 characters")]
        model.add(same[0], same.len() as f32, &mut sum);
    }
    let norm = sum.iter().map(|x| x * x).sum::<f32>().sqrt();
    (!pieces.is_empty() && norm > 0.0).then(|| sum.into_iter().map(|x| x / norm).collect())
}

/// A unit vector as stored in the index: one signed byte per dimension, scaled so the largest
/// is ±127 (cosines computed from it differ from the float ones by well under a hundredth),
/// packed seven bytes to a `u64` whose top byte is the group's place, so a multi-valued fast
/// field holds it in whatever order it keeps values (read back by [`unpacked`]).
pub fn packed(vector: &[f32]) -> Vec<u64> {
    let max = vector.iter().fold(0.0f32, |m, x| m.max(x.abs()));
    let scale = if max > 0.0 { 127.0 / max } else { 0.0 };
    #[expect(clippy::cast_possible_truncation, clippy::cast_sign_loss, reason = "rounded into -127..=127")]
    let bytes: Vec<u8> = vector.iter().map(|x| ((x * scale).round() as i8) as u8).collect();
    bytes
        .chunks(GROUP)
        .zip(0u64..)
        .map(|(group, place)| {
            group.iter().enumerate().fold(place << 56, |v, (i, &b)| v | (u64::from(b) << (8 * i)))
        })
        .collect()
}

/// A stored vector's bytes from its packed values (see [`packed`]); `None` unless every
/// place is there once.
pub fn unpacked(values: impl Iterator<Item = u64>) -> Option<[u8; DIMS]> {
    let mut out = [0u8; DIMS];
    let mut seen = 0usize;
    for v in values {
        let place = usize::try_from(v >> 56).ok()?;
        let start = place * GROUP;
        let group = out.get_mut(start..DIMS.min(start + GROUP))?;
        let len = group.len();
        group.copy_from_slice(&v.to_le_bytes()[..len]);
        seen += 1;
    }
    (seen == DIMS.div_ceil(GROUP)).then_some(out)
}

/// Bytes of a vector per packed value.
const GROUP: usize = 7;

/// The cosine of a question's unit vector and a stored vector's bytes; 0 for a malformed one.
pub fn cosine(question: &[f32], stored: &[u8]) -> f32 {
    if stored.len() != question.len() {
        return 0.0;
    }
    let (mut dot, mut norm) = (0.0f32, 0.0f32);
    for (q, &b) in question.iter().zip(stored) {
        #[expect(clippy::cast_possible_wrap, reason = "the byte is an i8 stored as u8")]
        let d = f32::from(b as i8);
        dot += q * d;
        norm += d * d;
    }
    if norm > 0.0 { dot / norm.sqrt() } else { 0.0 }
}

/// As much of a text's start as a vector is made of ([`READ_CHARS`] characters, at a character
/// boundary).
pub(crate) fn head(text: &str) -> &str {
    text.char_indices().nth(READ_CHARS).map_or(text, |(i, _)| &text[..i])
}

/// The bundled tokenizer and vectors.
struct Model {
    /// Piece → id, for the single characters a word starts as.
    ids: foldhash::HashMap<String, u16>,
    /// The piece standing for each byte of a character the vocabulary lacks (`<0x41>`).
    bytes: [Option<u16>; 256],
    /// A pair of adjacent pieces → its merge's rank (lower merges first) and the merged piece.
    merges: foldhash::HashMap<(u16, u16), (u32, u16)>,
    /// Each piece's vector as whole steps of its scale (−8…7), one after another.
    table: Vec<i8>,
    /// Each piece's scale.
    scales: Vec<f32>,
}

impl Model {
    fn parse(data: &[u8]) -> Result<Model, &'static str> {
        let mut at = 0usize;
        let mut take = |n: usize, what: &'static str| -> Result<&[u8], &'static str> {
            let s = data.get(at..at + n).ok_or(what)?;
            at += n;
            Ok(s)
        };
        let u32_of = |b: &[u8]| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize;
        let (pieces, dims, pairs) =
            (u32_of(take(4, "pieces")?), u32_of(take(4, "dimensions")?), u32_of(take(4, "merges")?));
        if dims != DIMS || pieces > usize::from(u16::MAX) {
            return Err("dimensions");
        }
        let u16_of = |b: &[u8]| u16::from_le_bytes([b[0], b[1]]);
        let mut names = Vec::with_capacity(pieces);
        for _ in 0..pieces {
            let len = usize::from(u16_of(take(2, "piece")?));
            names.push(std::str::from_utf8(take(len, "piece")?).map_err(|_| "piece")?);
        }
        let mut merges =
            foldhash::HashMap::with_capacity_and_hasher(pairs, foldhash::fast::RandomState::default());
        for rank in 0..pairs {
            let m = take(6, "merge")?;
            let rank = u32::try_from(rank).map_err(|_| "merges")?;
            merges.entry((u16_of(&m[0..]), u16_of(&m[2..]))).or_insert((rank, u16_of(&m[4..])));
        }
        let scales: Vec<f32> = take(pieces * 4, "scales")?
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        // Two 4-bit values a byte, low first, each 8 above its value; unpacked once into a byte
        // each (6 MB), so that indexing neither unpacks nibbles for every word it reads nor
        // walks a float table four times the size (its rows are read in no order, and memory,
        // not arithmetic, is what adding them costs).
        #[expect(clippy::cast_possible_wrap, reason = "a nibble is at most 15")]
        let table = take(pieces * dims / 2, "vectors")?
            .iter()
            .flat_map(|&b| [(b & 0x0f) as i8 - 8, (b >> 4) as i8 - 8])
            .collect();
        let mut bytes = [None; 256];
        let mut ids =
            foldhash::HashMap::with_capacity_and_hasher(pieces, foldhash::fast::RandomState::default());
        for (id, name) in names.into_iter().enumerate() {
            let id = u16::try_from(id).map_err(|_| "pieces")?;
            if let Some(Ok(b)) =
                name.strip_prefix("<0x").and_then(|h| h.strip_suffix('>')).map(|h| u8::from_str_radix(h, 16))
            {
                bytes[usize::from(b)] = Some(id);
            }
            ids.insert(name.to_string(), id);
        }
        Ok(Model { ids, bytes, merges, table, scales })
    }

    /// A word's pieces, as the tokenizer the vectors were trained with splits it: the word
    /// marked as starting after a space, as characters (a character the vocabulary lacks as its
    /// bytes), then the adjacent pair of lowest merge rank merged until none merges.
    fn pieces(&self, word: &str) -> Vec<u16> {
        let mut pieces = Vec::with_capacity(word.len() + 1);
        let mut buf = [0u8; 4];
        for c in std::iter::once('\u{2581}').chain(word.chars()) {
            let s = c.encode_utf8(&mut buf);
            match self.ids.get(&*s) {
                Some(&id) => pieces.push(id),
                None => pieces.extend(s.bytes().filter_map(|b| self.bytes[usize::from(b)])),
            }
        }
        loop {
            let best = pieces
                .windows(2)
                .enumerate()
                .filter_map(|(i, w)| self.merges.get(&(w[0], w[1])).map(|&(rank, to)| (rank, i, to)))
                .min();
            let Some((_, i, to)) = best else { break };
            pieces[i] = to;
            pieces.remove(i + 1);
        }
        pieces
    }

    /// Adds a piece's vector `times` times to `sum`.
    fn add(&self, piece: u16, times: f32, sum: &mut [f32]) {
        let p = usize::from(piece);
        if let (Some(row), Some(&scale)) = (self.table.get(p * DIMS..(p + 1) * DIMS), self.scales.get(p)) {
            let weight = scale * times;
            for (s, &v) in sum.iter_mut().zip(row) {
                *s += f32::from(v) * weight;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_split_as_the_tokenizer_the_vectors_were_trained_with_splits_them() {
        // Expected pieces from the `tokenizers` library with the package's own tokenizer file.
        let names = |word: &str| -> Vec<String> {
            let by_id: std::collections::HashMap<u16, &str> =
                MODEL.ids.iter().map(|(n, i)| (*i, n.as_str())).collect();
            MODEL.pieces(word).into_iter().map(|p| by_id[&p].to_string()).collect()
        };
        assert_eq!(names("the"), ["▁the"]);
        assert_eq!(names("CrashLoopBackOff"), ["▁Cr", "ash", "Loop", "Back", "Off"]);
        assert_eq!(names("kubeadm"), ["▁k", "ub", "ead", "m"]);
        assert_eq!(names("naïve"), ["▁na", "ï", "ve"]);
        assert_eq!(names("日本"), ["▁", "日", "本"]);
        assert_eq!(names("🙂x"), ["▁", "<0xF0>", "<0x9F>", "<0x99>", "<0x82>", "x"]);
    }

    #[test]
    fn the_word_cache_keeps_words_in_use_and_stays_bounded() {
        let (model, mut words, mut out) = (&*MODEL, Words::default(), Vec::new());
        for i in 0..CACHED_WORDS * 2 {
            words.extend(model, &format!("w{i}"), &mut out);
            // A word met all along stays, through every turn of the generations (clearing the
            // whole cache when full would lose it, and split it again).
            if i % 1000 == 0 {
                words.extend(model, "reconciliation", &mut out);
            }
            assert!(
                words.new.contains_key("reconciliation") || words.old.contains_key("reconciliation"),
                "{i}"
            );
            assert!(words.new.len() + words.old.len() <= CACHED_WORDS);
        }
        assert!(!words.new.contains_key("w0") && !words.old.contains_key("w0"), "the oldest went");
        out.clear();
        words.extend(model, "reconciliation", &mut out);
        assert_eq!(out, model.pieces("reconciliation"));
    }

    #[test]
    fn passages_that_say_the_same_thing_in_other_words_are_nearer_than_unrelated_ones() {
        let q = of_text("remove the operator from the cluster").unwrap();
        let stored = |text: &str| unpacked(packed(&of_text(text).unwrap()).into_iter().rev()).unwrap();
        let near = stored("Uninstalling. Delete the Helm release and its custom resources.");
        let far = stored("Metrics. Prometheus scrapes the exporter every thirty seconds.");
        assert!(cosine(&q, &near) > cosine(&q, &far), "{} vs {}", cosine(&q, &near), cosine(&q, &far));
        assert!((cosine(&q, &unpacked(packed(&q).into_iter()).unwrap()) - 1.0).abs() < 0.01);
        assert!(unpacked(packed(&q).into_iter().skip(1)).is_none(), "a vector missing a place is none");
        assert!(of_text("  \n ").is_none());
        assert!(cosine(&q, &[1, 2, 3]).abs() < f32::EPSILON, "a malformed vector is no evidence");
    }

    proptest::proptest! {
        #[test]
        fn any_text_gives_no_vector_or_a_unit_one_that_survives_the_index(
            text in "\\PC{0,200}|[a-zA-Z \u{2581}<>0-9é日🙂]{0,40}"
        ) {
            if let Some(v) = of_text(&text) {
                proptest::prop_assert_eq!(v.len(), DIMS);
                let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
                proptest::prop_assert!((norm - 1.0).abs() < 1e-3, "{}", norm);
                let back = unpacked(packed(&v).into_iter()).unwrap();
                proptest::prop_assert!((cosine(&v, &back) - 1.0).abs() < 0.01);
            }
        }
    }
}
