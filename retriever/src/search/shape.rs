//! The parsed query's shape, before it is run: the exclusions tantivy cannot evaluate, and a
//! query that only excludes.

use tantivy::query::{AllQuery, BooleanQuery, Occur, Query};

/// The query without the exclusions tantivy cannot evaluate safely: an excluded phrase
/// (`-"out of memory"`, or `-aws_eks_node_group`, which the tokenizer splits into a phrase).
/// Asked whether an excluded document matches, tantivy 0.27's phrase scorer can be asked about
/// a document it has already passed, and fails an assertion. Excluding words still works.
pub(super) fn without_excluded_phrases(query: Box<dyn Query>) -> Box<dyn Query> {
    let Some(boolean) = query.downcast_ref::<BooleanQuery>() else { return query };
    let needs_positions = |q: &dyn Query| {
        let mut found = false;
        q.query_terms(&mut |_, positions| found |= positions);
        found
    };
    let clauses = boolean
        .clauses()
        .iter()
        .filter(|(occur, q)| !(*occur == Occur::MustNot && needs_positions(&**q)))
        .map(|(occur, q)| (*occur, without_excluded_phrases(q.box_clone())))
        .collect();
    Box::new(BooleanQuery::new(clauses))
}

/// Whether a query only leaves words out: tantivy then adds "every entry" to it.
pub(super) fn only_excludes(query: &dyn Query) -> bool {
    query.downcast_ref::<BooleanQuery>().is_some_and(|b| {
        b.clauses().iter().any(|(occur, _)| *occur == Occur::MustNot)
            && b.clauses()
                .iter()
                .all(|(occur, q)| *occur == Occur::MustNot || q.downcast_ref::<AllQuery>().is_some())
    })
}
