//! Mermaid `flowchart LR` for Slack threads and Markdown: causes left, symptoms right, thick
//! arrows for high confidence, dotted lines for correlations and for edges dropped to break a
//! cycle. Mermaid ids are generated (`n0`, `n1`, …) because graph ids may hold any character.

use std::fmt::Write;

use super::{Role, is_dropped, roles};
use crate::analyze::{Analysis, confidence_word};
use crate::narrate::{duration, label};
use crate::schema::{Graph, NodeKind, Relation};

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '\n' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

fn wrap(s: &str, width: usize) -> String {
    let mut lines: Vec<String> = vec![String::new()];
    for word in s.split_whitespace() {
        let cur = lines.last_mut().expect("non-empty");
        if !cur.is_empty() && cur.chars().count() + word.chars().count() > width {
            lines.push(word.to_string());
        } else {
            if !cur.is_empty() {
                cur.push(' ');
            }
            cur.push_str(word);
        }
    }
    lines.truncate(4);
    // Escape each line, not the joined text: the `<br/>` between them is markup.
    lines.iter().map(|l| escape(l)).collect::<Vec<_>>().join("<br/>")
}

/// The Mermaid source.
pub fn render(g: &Graph, a: &Analysis) -> String {
    let (roles, on_path) = roles(g, a);
    let index: std::collections::HashMap<&str, usize> =
        g.nodes.iter().enumerate().map(|(i, n)| (n.id.as_str(), i)).collect();
    let mut out = String::from("flowchart LR\n");
    for (i, n) in g.nodes.iter().enumerate() {
        let text = wrap(&label(n), 34);
        let shown = format!("<b>{}</b><br/>{text}", escape(&n.id));
        let (open, close) = match n.kind {
            NodeKind::ChangeEvent => ("[/\"", "\"/]"),
            NodeKind::MetricAnomaly => ("(\"", "\")"),
            NodeKind::TopologyChange => ("{{\"", "\"}}"),
            NodeKind::K8sEvent => ("[\"", "\"]"),
            NodeKind::Symptom => ("([\"", "\"])"),
        };
        let class = match roles[i] {
            Role::Root => ":::root",
            Role::Symptom => ":::symptom",
            Role::Candidate => ":::candidate",
            Role::OnPath => ":::path",
            Role::Other => "",
        };
        let _ = writeln!(out, "  n{i}{open}{shown}{close}{class}");
    }
    for e in &g.edges {
        let (Some(&a_i), Some(&b_i)) = (index.get(e.from.as_str()), index.get(e.to.as_str())) else {
            continue;
        };
        let word = confidence_word(e.confidence_or_default());
        let lag = match (g.node_time(&g.nodes[a_i]), g.node_time(&g.nodes[b_i])) {
            (Some(x), Some(y)) => {
                let d = (y - x).total(jiff::Unit::Second).unwrap_or(0.0);
                if d.abs() >= 0.5 { format!(" · {}", duration(d)) } else { String::new() }
            }
            _ => String::new(),
        };
        let arrow = if e.relation == Relation::Correlated {
            "-.-"
        } else if is_dropped(a, &e.from, &e.to) {
            "-.->"
        } else if on_path.contains(&(e.from.clone(), e.to.clone())) || e.confidence_or_default() >= 0.85 {
            "==>"
        } else if e.confidence_or_default() < 0.35 {
            "-.->"
        } else {
            "-->"
        };
        let text = match e.relation {
            Relation::Correlated => format!("correlated · {word}"),
            Relation::ContributesTo => format!("contributes · {word}{lag}"),
            Relation::Caused => format!("{word}{lag}"),
        };
        let text = if is_dropped(a, &e.from, &e.to) { format!("{text} · dropped (cycle)") } else { text };
        let _ = writeln!(out, "  n{a_i} {arrow}|\"{}\"| n{b_i}", escape(&text));
    }
    out.push_str("  classDef root fill:#fde2e1,stroke:#c0392b,stroke-width:3px\n");
    out.push_str("  classDef symptom fill:#fff3cd,stroke:#d68910,stroke-width:2px\n");
    out.push_str("  classDef candidate fill:#f4ecf7,stroke:#7d3c98\n");
    out.push_str("  classDef path fill:#fdf2e9,stroke:#ba4a00\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{analyze::analyze, validate::parse_json};

    #[test]
    fn the_example_in_mermaid() {
        let g = parse_json(include_str!("../testdata/example.json")).unwrap().graph;
        let text = render(&g, &analyze(&g));
        insta::assert_snapshot!(text);
        assert!(text.contains("n0[/\"<b>c1</b>"), "{text}");
        assert!(text.contains("n0 ==>|\"high · 45 s\"| n1"), "{text}");
        assert!(text.contains("n1 -.-|\"correlated · possible\"| n4"), "{text}");
    }

    #[test]
    fn quotes_cannot_break_out_of_a_label() {
        assert_eq!(escape("a \"b\" <c>"), "a #quot;b#quot; #lt;c#gt;");
    }

    #[test]
    fn long_labels_wrap_with_real_line_breaks() {
        let w = wrap("the image of Deployment shop/checkout changed to <new>", 20);
        assert_eq!(w, "the image of<br/>Deployment<br/>shop/checkout changed<br/>to #lt;new#gt;");
    }
}
