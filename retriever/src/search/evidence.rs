//! What a page's matching chunks say for it, gathered best chunk first (see `top_distinct`):
//! its best score, the rest of its matching chunks, and which chunk shows it.

use tantivy::DocAddress;

/// How much better another edition's chunk must match than the page's own best for the page to
/// be shown by it: the newest edition is shown whenever it answers at all, except where only an
/// older one holds what the question names (a flag only the 1.x releases document, asked of a
/// site whose 2.x pages replaced them), which scores the rare name's weight above the rest.
const OLDER_TEXT_MARGIN: f32 = 1.5;

/// What a page's matching chunks say for it.
#[derive(Clone, Copy)]
pub(super) struct Evidence {
    /// The best weighted chunk score.
    pub(super) best: f32,
    /// The page's other matching chunks' scores, summed (another edition's do not count: a
    /// page kept in ten releases is not ten times as apt).
    pub(super) rest: f32,
    /// Whether the best chunk is another edition's.
    best_is_edition: bool,
    /// The page's own best chunk (the newest edition's, in English) and its score.
    own: Option<(f32, DocAddress)>,
    /// The best chunk of its other editions and its score.
    other: Option<(f32, DocAddress)>,
}

impl Evidence {
    /// The evidence of a page's first (best) matching chunk.
    pub(super) fn new(score: f32, addr: DocAddress, edition: bool) -> Evidence {
        let mut e = Evidence { best: score, rest: 0.0, best_is_edition: edition, own: None, other: None };
        e.shown_by(score, addr, edition);
        e
    }

    /// Adds a matching chunk, no better than the ones before it but for weights (one identity
    /// can span a demoted copy and its original, a Terraform address in several files, so the
    /// best weighted chunk may come later).
    pub(super) fn add(&mut self, score: f32, addr: DocAddress, edition: bool) {
        if score > self.best {
            if !self.best_is_edition {
                self.rest += self.best;
            }
            (self.best, self.best_is_edition) = (score, edition);
        } else if !edition {
            self.rest += score;
        }
        self.shown_by(score, addr, edition);
    }

    fn shown_by(&mut self, score: f32, addr: DocAddress, edition: bool) {
        let slot = if edition { &mut self.other } else { &mut self.own };
        if slot.is_none_or(|(best, _)| score > best) {
            *slot = Some((score, addr));
        }
    }

    /// The chunk the page is shown by: its own best, unless another edition's matched far
    /// better (see [`OLDER_TEXT_MARGIN`]), or another edition's when it has none.
    pub(super) fn shown(&self) -> DocAddress {
        match (self.own, self.other) {
            (Some((own, _)), Some((other, addr))) if other > OLDER_TEXT_MARGIN * own => addr,
            (Some((_, addr)), _) | (None, Some((_, addr))) => addr,
            (None, None) => unreachable!("evidence starts with a chunk"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_is_shown_by_its_own_text_unless_an_older_edition_matched_far_better() {
        let (own, old) = (DocAddress::new(0, 1), DocAddress::new(0, 2));
        // The older edition matched a little better: the page's own text is shown.
        let mut e = Evidence::new(2.0, old, true);
        e.add(1.8, own, false);
        assert_eq!(e.shown(), own);
        assert!((e.best - 2.0).abs() < f32::EPSILON && (e.rest - 1.8).abs() < f32::EPSILON);
        // It holds what the question names and the page no longer does: the older text.
        let mut e = Evidence::new(3.0, old, true);
        e.add(1.0, own, false);
        assert_eq!(e.shown(), old);
        // Only an older edition matched.
        assert_eq!(Evidence::new(1.0, old, true).shown(), old);
        // The page's own chunks add up; another edition's do not.
        let mut e = Evidence::new(2.0, own, false);
        e.add(1.0, DocAddress::new(0, 3), false);
        e.add(1.5, old, true);
        assert!((e.rest - 1.0).abs() < f32::EPSILON);
        assert_eq!(e.shown(), own);
    }
}
