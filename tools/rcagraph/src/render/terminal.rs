//! The causal chain as an indented tree for a terminal, coloured when asked.
//!
//! Each top-ranked cause is a tree over the causal edges ranking used: every child line shows
//! the time since its parent, the confidence in words and what happened; symptoms are marked,
//! correlations hang off their node as dotted lines, and a node reached twice is shown once
//! (later mentions point back to it).

use std::collections::{HashMap, HashSet};
use std::fmt::Write;

use crate::analyze::{Analysis, confidence_word};
use crate::narrate::{duration, label};
use crate::schema::{Graph, Relation};

struct Paint(bool);

impl Paint {
    fn wrap(&self, code: &str, s: &str) -> String {
        if self.0 { format!("\x1b[{code}m{s}\x1b[0m") } else { s.to_string() }
    }
    fn word(&self, w: &str) -> String {
        let code = match w {
            "high" => "1;31",
            "likely" => "31",
            "possible" => "33",
            _ => "2",
        };
        self.wrap(code, w)
    }
}

/// The tree of the top `max_causes` causes.
pub fn render(g: &Graph, a: &Analysis, color: bool, max_causes: usize) -> String {
    let p = Paint(color);
    let index: HashMap<&str, usize> = g.nodes.iter().enumerate().map(|(i, n)| (n.id.as_str(), i)).collect();
    let symptoms: HashSet<&str> = a.symptoms.iter().map(String::as_str).collect();
    let mut out = String::new();
    if a.root_causes.is_empty() {
        let _ = writeln!(out, "{}", p.wrap("1", "No root cause: nothing in the graph leads to a symptom."));
    }
    for (rank, rc) in a.root_causes.iter().take(max_causes).enumerate() {
        let root = &g.nodes[index[rc.node_id.as_str()]];
        let title = if rank == 0 { "Root cause" } else { "Alternative" };
        let _ = writeln!(
            out,
            "{} #{} [{}] {} {}",
            p.wrap(if rank == 0 { "1;31" } else { "1" }, title),
            rank + 1,
            p.word(confidence_word(rc.confidence)),
            p.wrap("2", &rc.node_id),
            label(root)
        );
        // The tree is the union of the cause's strongest paths (one per symptom, the
        // alternatives only their best): every line is part of a story, nothing repeats.
        let on: HashSet<(&str, &str)> = rc
            .paths
            .iter()
            .take(if rank == 0 { usize::MAX } else { 1 })
            .flat_map(|p| p.node_ids.windows(2).map(|w| (w[0].as_str(), w[1].as_str())))
            .collect();
        let mut children: HashMap<&str, Vec<usize>> = HashMap::new();
        for &ei in &a.causal_edges {
            let e = &g.edges[ei];
            if on.contains(&(e.from.as_str(), e.to.as_str())) {
                children.entry(e.from.as_str()).or_default().push(ei);
            }
        }
        for v in children.values_mut() {
            v.sort_by(|&x, &y| {
                g.edges[y].confidence_or_default().total_cmp(&g.edges[x].confidence_or_default())
            });
        }
        let mut seen = HashSet::new();
        seen.insert(rc.node_id.as_str());
        walk(g, a, &index, &children, &symptoms, &p, rc.node_id.as_str(), "  ", &mut seen, &mut out, 0);
        if rank == 0 && a.root_causes.len() > max_causes {
            let _ = writeln!(
                out,
                "{}",
                p.wrap(
                    "2",
                    &format!(
                        "  ({} more candidate(s) below the top {max_causes})",
                        a.root_causes.len() - max_causes
                    )
                )
            );
        }
        out.push('\n');
    }
    if !a.unexplained.is_empty() {
        let _ = writeln!(out, "{}", p.wrap("1", "Unexplained symptoms:"));
        for s in &a.unexplained {
            let _ = writeln!(
                out,
                "  {} {} {}",
                p.wrap("33", "◆"),
                p.wrap("2", s),
                label(&g.nodes[index[s.as_str()]])
            );
        }
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn walk<'g>(
    g: &'g Graph,
    a: &Analysis,
    index: &HashMap<&str, usize>,
    children: &HashMap<&str, Vec<usize>>,
    symptoms: &HashSet<&str>,
    p: &Paint,
    at: &'g str,
    indent: &str,
    seen: &mut HashSet<&'g str>,
    out: &mut String,
    depth: usize,
) {
    let from = &g.nodes[index[at]];
    let mut lines: Vec<(usize, bool)> =
        children.get(at).map(|v| v.iter().map(|&e| (e, true)).collect()).unwrap_or_default();
    for (i, e) in g.edges.iter().enumerate() {
        if e.relation == Relation::Correlated && (e.from == at || e.to == at) {
            lines.push((i, false));
        }
    }
    let n = lines.len();
    for (k, (ei, causal)) in lines.into_iter().enumerate() {
        let e = &g.edges[ei];
        let other = if e.from == at { e.to.as_str() } else { e.from.as_str() };
        let to = &g.nodes[index[other]];
        let last = k + 1 == n;
        let branch = if causal {
            if last { "└─▶ " } else { "├─▶ " }
        } else if last {
            "└╌╌ "
        } else {
            "├╌╌ "
        };
        let lag = match (g.node_time(from), g.node_time(to)) {
            (Some(x), Some(y)) => {
                let d = (y - x).total(jiff::Unit::Second).unwrap_or(0.0);
                if d >= 0.0 { format!("+{}", duration(d)) } else { format!("−{}", duration(d)) }
            }
            _ => "?".into(),
        };
        let word = p.word(confidence_word(e.confidence_or_default()));
        let relation = match e.relation {
            Relation::Caused => String::new(),
            Relation::ContributesTo => " contributes".into(),
            Relation::Correlated => p.wrap("2", " correlated"),
        };
        let mark = if symptoms.contains(other) {
            format!("{} ", p.wrap("1;33", "◆ symptom:"))
        } else {
            String::new()
        };
        let again = !causal || seen.contains(other);
        if causal && again {
            // Reached by another branch already: one short pointer instead of the subtree.
            let _ = writeln!(
                out,
                "{indent}{branch}{} {}",
                p.wrap("2", other),
                p.wrap("2", "(joins the branch above)")
            );
            continue;
        }
        let _ = writeln!(
            out,
            "{indent}{branch}{} {} [{word}{relation}] {mark}{}{}",
            p.wrap("2", other),
            p.wrap("36", &lag),
            label(to),
            if again && causal { p.wrap("2", " (shown above)") } else { String::new() }
        );
        if causal && !again && depth < 12 {
            seen.insert(other);
            let next = format!("{indent}{}", if last { "    " } else { "│   " });
            walk(g, a, index, children, symptoms, p, other, &next, seen, out, depth + 1);
        }
    }
    for d in a.dropped.iter().filter(|d| d.from == at) {
        let _ = writeln!(
            out,
            "{indent}{}",
            p.wrap("2", &format!("✂ {}→{} dropped to break a cycle", d.from, d.to))
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{analyze::analyze, validate::parse_json};

    #[test]
    fn the_example_as_a_tree() {
        let g = parse_json(include_str!("../testdata/example.json")).unwrap().graph;
        let text = render(&g, &analyze(&g), false, 3);
        insta::assert_snapshot!(text);
        let coloured = render(&g, &analyze(&g), true, 3);
        assert!(coloured.contains("\x1b[1;31m"));
    }
}
