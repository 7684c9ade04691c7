//! Text in pictures: how wide a label is in the font the SVG names (and the PNG embeds), and
//! labels broken into lines between words — never inside one, so an object's name stays whole.
//!
//! Widths are DejaVu Sans Condensed's advance widths for printable ASCII (units of 1/2048 em,
//! read from the font with fontTools); other characters count as a wide letter. A browser
//! without the font falls back to a sans-serif that is narrower, so text measured here fits.

/// The font every picture names first.
pub const FONT_FAMILY: &str = "DejaVu Sans Condensed, DejaVu Sans, Helvetica, Arial, sans-serif";

/// Advance widths of U+0020..=U+007E in DejaVu Sans Condensed, 2048 units per em.
const ADVANCE: [u16; 95] = [
    585, 738, 847, 1544, 1172, 1751, 1437, 506, 719, 719, 921, 1544, 585, 665, 585, 621, 1172, 1172, 1172,
    1172, 1172, 1172, 1172, 1172, 1172, 1172, 621, 621, 1544, 1544, 1544, 978, 1843, 1260, 1264, 1287, 1419,
    1164, 1060, 1428, 1386, 543, 543, 1208, 1026, 1590, 1378, 1450, 1111, 1450, 1280, 1170, 1125, 1349, 1260,
    1822, 1262, 1125, 1262, 719, 621, 719, 1544, 921, 921, 1129, 1170, 1013, 1170, 1134, 648, 1170, 1168,
    512, 512, 1067, 512, 1795, 1168, 1127, 1170, 1170, 757, 960, 722, 1168, 1090, 1507, 1090, 1090, 967,
    1172, 621, 1172, 1544,
];

/// Width in pixels of `s` at `size` px.
pub fn width(s: &str, size: f64) -> f64 {
    let units: u32 = s
        .chars()
        .map(|c| {
            let i = (c as u32).wrapping_sub(0x20) as usize;
            u32::from(ADVANCE.get(i).copied().unwrap_or(1544))
        })
        .sum();
    f64::from(units) / 2048.0 * size
}

/// The pieces a word may be broken into when it is wider than `max_w`: after each `/` (a path,
/// an image reference, `namespace/name`), so the names on either side stay whole; a piece still
/// too wide that is not a name (a registry host, a field path) also after `.`, `:` or `]`.
fn pieces(word: &str, max_w: f64, size: f64) -> Vec<&str> {
    let split = |w: &'_ str, at: &[char]| -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut start = 0;
        for (i, c) in w.char_indices() {
            if at.contains(&c) && i + c.len_utf8() < w.len() {
                out.push((start, i + c.len_utf8()));
                start = i + c.len_utf8();
            }
        }
        out.push((start, w.len()));
        out
    };
    let mut out = Vec::new();
    for (a, b) in split(word, &['/']) {
        let piece = &word[a..b];
        if width(piece, size) > max_w && !is_name(piece) {
            out.extend(split(piece, &['.', ':', ']']).into_iter().map(|(x, y)| &piece[x..y]));
        } else {
            out.push(piece);
        }
    }
    out
}

/// Whether a piece reads as an object's name (a DNS label or subdomain: lowercase letters,
/// digits, `-` and `.`), once the punctuation around it is set aside.
fn is_name(piece: &str) -> bool {
    // `registry.example.com/…`: a host before a path, not an object (a namespace before a
    // name has no dots).
    if piece.ends_with('/') && piece.contains('.') {
        return false;
    }
    let core = piece.trim_matches(|c: char| "()[]{}:,;\"'/".contains(c));
    !core.is_empty()
        && core.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
        && core.chars().any(|c| c.is_ascii_lowercase())
}

/// The widest object name in `s` (the pieces [`wrap`] never breaks), in pixels: what a box must
/// hold.
pub fn widest_piece(s: &str, size: f64) -> f64 {
    s.split_whitespace()
        .flat_map(|w| pieces(w, f64::INFINITY, size))
        .filter(|p| is_name(p))
        .map(|p| width(p, size))
        .fold(0.0, f64::max)
}

/// `s` in lines at most `max_w` px wide at `size` px, broken between words (a word wider than a
/// line between its pieces, see [`pieces`]); a piece wider than a line gets a line of its own,
/// whole. Past `max_lines` the last line ends in `…`, whole words dropped to make room.
pub fn wrap(s: &str, max_w: f64, size: f64, max_lines: usize) -> Vec<String> {
    let mut out: Vec<String> = vec![String::new()];
    for word in s.split_whitespace() {
        let parts = if width(word, size) > max_w { pieces(word, max_w, size) } else { vec![word] };
        for (k, part) in parts.iter().enumerate() {
            let cur = out.last_mut().expect("non-empty");
            let glue = if cur.is_empty() || k > 0 { "" } else { " " };
            if !cur.is_empty() && width(&format!("{cur}{glue}{part}"), size) > max_w {
                out.push((*part).to_string());
            } else {
                cur.push_str(glue);
                cur.push_str(part);
            }
        }
    }
    if out.len() > max_lines {
        out.truncate(max_lines.max(1));
        let last = out.last_mut().expect("non-empty");
        while width(&format!("{last} …"), size) > max_w {
            match last.rfind(' ') {
                Some(i) => last.truncate(i),
                // One piece too wide to share its line with the ellipsis: the ellipsis alone.
                None => last.clear(),
            }
        }
        last.push_str(if last.is_empty() { "…" } else { " …" });
    }
    out
}

/// `kind` as `n` of them are named (`Pod`, `Pods`, `Ingresses`, `NetworkPolicies`,
/// `Gateways`).
pub fn plural(kind: &str, n: usize) -> String {
    if n == 1 {
        kind.to_string()
    } else if kind.ends_with('s') {
        format!("{kind}es")
    } else if let Some(stem) = kind.strip_suffix('y').filter(|s| !s.ends_with(['a', 'e', 'o', 'u'])) {
        format!("{stem}ies")
    } else {
        format!("{kind}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_break_between_words_and_names_stay_whole() {
        let name = "ip-10-0-1-88.eu-west-1.compute.internal";
        let text = format!("node {name} ran out of memory 3 time(s) (SystemOOM; killed: prometheus)");
        let lines = wrap(&text, 190.0, 11.0, 3);
        assert!(lines.iter().any(|l| l.contains(name)), "{lines:?}");
        for l in &lines {
            for w in l.split_whitespace().filter(|w| *w != "…") {
                assert!(text.split_whitespace().any(|t| t == w), "{w} is not a whole word of the label");
            }
        }
        // Too long for three lines: whole words dropped, then an ellipsis.
        let cut = wrap(&"word ".repeat(100), 100.0, 11.0, 2);
        assert_eq!(cut.len(), 2);
        assert!(cut[1].ends_with(" …") && width(&cut[1], 11.0) <= 100.0, "{cut:?}");
    }

    #[test]
    fn long_references_break_after_a_slash_only() {
        let image = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/pinecart/notifications:2.4.0";
        let lines = wrap(&format!("image {image}"), 200.0, 11.0, 4);
        assert_eq!(lines.concat().replace("image ", ""), image, "{lines:?}");
        assert!(lines.iter().all(|l| width(l, 11.0) <= 200.0), "{lines:?}");
        assert!(lines.iter().any(|l| l.ends_with("pinecart/")), "{lines:?}");
        assert!(widest_piece(image, 11.0) < width(image, 11.0));
        // Names are what a box must hold; a field path is broken instead.
        assert!(widest_piece("containers[log-alerter].env.QUERY_MAX_LINES", 11.0) < 1.0);
        assert!(widest_piece("on ip-10-0-1-88.eu-west-1.compute.internal:", 11.0) > 200.0);
    }
}
