//! How much a hit counts, and for which page: copies (examples' and tests' files), fragments
//! other pages include and pages only older releases have weigh less; another edition of a
//! page (an older release's, a translation) counts for the page it folds into. Read from fast
//! fields, without loading stored documents.

use std::collections::HashMap;

use super::Searcher;
use crate::error::Error;

/// The fast fields search reads per hit, opened once per segment.
pub(super) struct Columns<'a> {
    owner: &'a Searcher,
    searcher: &'a tantivy::Searcher,
    by_segment: HashMap<u32, (tantivy::columnar::Column<u64>, tantivy::columnar::Column<u64>)>,
}

impl<'a> Columns<'a> {
    pub(super) fn new(owner: &'a Searcher, searcher: &'a tantivy::Searcher) -> Self {
        Columns { owner, searcher, by_segment: HashMap::new() }
    }

    /// A hit's document identity and the weight of its score (copies and fragments weigh less).
    pub(super) fn get(&mut self, addr: tantivy::DocAddress) -> Result<Owner, Error> {
        let (identity, copy) = match self.by_segment.entry(addr.segment_ord) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => {
                let fast = self.searcher.segment_reader(addr.segment_ord).fast_fields();
                let open = |name: &str| fast.u64(name).map_err(|err| Error::tantivy(&self.owner.path, err));
                e.insert((open("identity")?, open("copy")?))
            }
        };
        let key = identity.first(addr.doc_id).unwrap_or(u64::from(addr.doc_id));
        if let Some(newest) = self.owner.editions.get(&key) {
            return Ok(Owner { key: *newest, weight: COPY_WEIGHT, edition: true });
        }
        let copied = copy.first(addr.doc_id) == Some(1) || self.owner.demoted.contains(&key);
        Ok(Owner { key, weight: if copied { COPY_WEIGHT } else { 1.0 }, edition: false })
    }
}

/// The document a hit counts for.
pub(super) struct Owner {
    /// Its identity (another edition's: the page it folds into).
    pub(super) key: u64,
    /// What its score is multiplied by.
    pub(super) weight: f32,
    /// Whether the hit is in another edition of the page (see [`crate::editions`]).
    pub(super) edition: bool,
}

/// What a page under `examples/`, `tests/` or `fixtures/` weighs against the page it copies or
/// calls: the same block copied into an example must not crowd out the module's own.
const COPY_WEIGHT: f32 = 0.6;
