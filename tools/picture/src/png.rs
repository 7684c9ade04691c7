//! SVG → PNG with the embedded font.

use std::sync::{Arc, OnceLock};

use resvg::{tiny_skia, usvg};

/// The one font pictures are drawn with.
const FONT: &[u8] = include_bytes!("../fonts/DejaVuSansCondensed.ttf");

/// Largest picture drawn, in pixels per side: a bound on memory (4 bytes a pixel) whatever the
/// SVG says its size is.
const MAX_SIDE: u32 = 8_000;

/// Why an SVG could not become a PNG.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The SVG does not parse.
    #[error("not a readable SVG: {0}")]
    Svg(#[from] usvg::Error),
    /// Its size is empty or beyond [`MAX_SIDE`].
    #[error("cannot draw a {0}×{1} px picture (at most {MAX_SIDE} px a side)")]
    Size(u32, u32),
    /// PNG encoding failed.
    #[error("PNG encoding failed: {0}")]
    Encode(String),
}

fn options() -> &'static usvg::Options<'static> {
    static OPTIONS: OnceLock<usvg::Options<'static>> = OnceLock::new();
    OPTIONS.get_or_init(|| {
        let mut db = usvg::fontdb::Database::new();
        db.load_font_data(FONT.to_vec());
        // Whatever family an SVG names, the embedded font draws it.
        let family = db.faces().next().and_then(|f| f.families.first()).map(|(name, _)| name.clone());
        if let Some(name) = family {
            db.set_sans_serif_family(name.clone());
            db.set_serif_family(name.clone());
            db.set_monospace_family(name);
        }
        usvg::Options {
            fontdb: Arc::new(db),
            font_family: "DejaVu Sans Condensed".into(),
            ..usvg::Options::default()
        }
    })
}

/// The PNG of an SVG document, at its own size.
pub fn png(svg: &str) -> Result<Vec<u8>, Error> {
    let tree = usvg::Tree::from_str(svg, options())?;
    let size = tree.size().to_int_size();
    let (w, h) = (size.width(), size.height());
    if w == 0 || h == 0 || w > MAX_SIDE || h > MAX_SIDE {
        return Err(Error::Size(w, h));
    }
    let mut pixmap = tiny_skia::Pixmap::new(w, h).ok_or(Error::Size(w, h))?;
    resvg::render(&tree, tiny_skia::Transform::identity(), &mut pixmap.as_mut());
    pixmap.encode_png().map_err(|e| Error::Encode(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_svg_becomes_a_png_of_its_size_with_text_drawn() {
        let blank = r##"<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40"><rect width="120" height="40" fill="#fff"/></svg>"##;
        let text = blank.replace(
            "</svg>",
            r#"<text x="4" y="24" font-family="Helvetica" font-size="14">node NotReady</text></svg>"#,
        );
        let (a, b) = (png(blank).unwrap(), png(&text).unwrap());
        assert_eq!(&a[..8], b"\x89PNG\r\n\x1a\n");
        // IHDR: width and height, big-endian, right after the signature and chunk header.
        assert_eq!(u32::from_be_bytes(a[16..20].try_into().unwrap()), 120);
        assert_eq!(u32::from_be_bytes(a[20..24].try_into().unwrap()), 40);
        assert_ne!(a, b, "the text was drawn with the embedded font");
        assert_eq!(b, png(&text).unwrap(), "the same pixels every time");
    }

    #[test]
    fn bad_and_oversized_svgs_are_errors() {
        assert!(matches!(png("not svg"), Err(Error::Svg(_))));
        let huge = r#"<svg xmlns="http://www.w3.org/2000/svg" width="90000" height="10"/>"#;
        assert!(matches!(png(huge), Err(Error::Size(90000, 10))));
    }
}
