//! A self-contained SVG: no scripts, no external fonts or stylesheets, readable in a browser,
//! a Slack preview or a postmortem document. Edge thickness follows confidence; the top cause
//! and its path are red, symptoms amber, correlations grey and dashed, edges dropped to break a
//! cycle dotted. Every shape has a `<title>` with the full label for hover.

use std::fmt::Write;

use super::layout::{FONT_SIZE, layout};
use super::text::wrap;
use super::{Role, is_dropped, roles};
use crate::analyze::{Analysis, confidence_word};
use crate::narrate::{duration, label};
use crate::schema::{Graph, NodeKind, Relation};

/// Escapes text for XML content and attributes.
pub fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

/// The SVG document.
pub fn render(g: &Graph, a: &Analysis) -> String {
    render_with_note(g, a, None)
}

/// The SVG document, with a note under the legend (what the collapsed view left out).
pub fn render_with_note(g: &Graph, a: &Analysis, note: Option<&str>) -> String {
    let l = layout(g, a);
    let text_w = l.node_w - 2.0 * super::layout::PAD;
    let (roles, on_path) = roles(g, a);
    let index: std::collections::HashMap<&str, usize> =
        g.nodes.iter().enumerate().map(|(i, n)| (n.id.as_str(), i)).collect();
    let legend_h = if note.is_some() { 52.0 } else { 34.0 };
    let (w, h) = (l.width.max(540.0), l.height + legend_h);
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w:.0}" height="{h:.0}" viewBox="0 0 {w:.0} {h:.0}" font-family="{}" font-size="11">"#,
        super::text::FONT_FAMILY
    );
    s.push_str(concat!(
        "<defs>",
        r##"<marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse" markerWidth="11" markerHeight="11" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#566573"/></marker>"##,
        r##"<marker id="arrow-hot" viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse" markerWidth="11" markerHeight="11" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#c0392b"/></marker>"##,
        "</defs>\n",
    ));
    let _ = writeln!(s, r##"<rect x="0" y="0" width="{w:.0}" height="{h:.0}" fill="#ffffff"/>"##);
    let mut labels = String::new();
    // Edges first, so boxes cover their ends.
    for (ei, e) in g.edges.iter().enumerate() {
        let (Some(&x), Some(&y)) = (index.get(e.from.as_str()), index.get(e.to.as_str())) else { continue };
        let (p, q) = (l.places[x], l.places[y]);
        let (x1, y1, x2, y2) = if q.x > p.x {
            (p.x + l.node_w, p.y + l.node_h / 2.0, q.x, q.y + l.node_h / 2.0)
        } else if q.x < p.x {
            (p.x, p.y + l.node_h / 2.0, q.x + l.node_w, q.y + l.node_h / 2.0)
        } else if q.y > p.y {
            (p.x + l.node_w / 2.0, p.y + l.node_h, q.x + l.node_w / 2.0, q.y)
        } else {
            (p.x + l.node_w / 2.0, p.y, q.x + l.node_w / 2.0, q.y + l.node_h)
        };
        let horizontal = (q.x - p.x).abs() > 1.0;
        let waypoints = l.waypoints.get(&ei).filter(|_| q.x > p.x);
        let path = if let Some(points) = waypoints {
            // Through the dummy nodes: straight across each column, curved between columns.
            let mut all = vec![(x1, y1)];
            for &(wx, wy) in points {
                all.push((wx - l.node_w / 2.0, wy));
                all.push((wx + l.node_w / 2.0, wy));
            }
            all.push((x2, y2));
            let mut d = format!("M{x1:.1},{y1:.1}");
            for w in all.windows(2) {
                let ((ax, ay), (bx, by)) = (w[0], w[1]);
                if (ay - by).abs() < 0.5 {
                    let _ = write!(d, " L{bx:.1},{by:.1}");
                } else {
                    let dx = (bx - ax) / 2.0;
                    let _ = write!(d, " C{:.1},{ay:.1} {:.1},{by:.1} {bx:.1},{by:.1}", ax + dx, bx - dx);
                }
            }
            d
        } else if horizontal {
            let dx = (x2 - x1) / 2.0;
            format!("M{x1:.1},{y1:.1} C{:.1},{y1:.1} {:.1},{y2:.1} {x2:.1},{y2:.1}", x1 + dx, x2 - dx)
        } else {
            format!("M{x1:.1},{y1:.1} C{:.1},{y1:.1} {:.1},{y2:.1} {x2:.1},{y2:.1}", x1 + 40.0, x2 + 40.0)
        };
        let c = e.confidence_or_default();
        let hot = on_path.contains(&(e.from.clone(), e.to.clone()));
        let (stroke, dash, marker) = if e.relation == Relation::Correlated {
            ("#95a5a6", r#" stroke-dasharray="6,4""#, "")
        } else if is_dropped(a, &e.from, &e.to) {
            ("#aab7b8", r#" stroke-dasharray="2,3""#, r#" marker-end="url(#arrow)""#)
        } else if hot {
            ("#c0392b", "", r#" marker-end="url(#arrow-hot)""#)
        } else {
            ("#566573", "", r#" marker-end="url(#arrow)""#)
        };
        let width = 0.75 + 4.25 * c;
        let lag = match (g.node_time(&g.nodes[x]), g.node_time(&g.nodes[y])) {
            (Some(t1), Some(t2)) => {
                format!(", {}", duration((t2 - t1).total(jiff::Unit::Second).unwrap_or(0.0)))
            }
            _ => String::new(),
        };
        let title = format!("{} {} {} ({} confidence{lag})", e.from, e.relation, e.to, confidence_word(c));
        let _ = writeln!(
            s,
            r#"<path d="{path}" fill="none" stroke="{stroke}" stroke-width="{width:.2}"{dash}{marker} opacity="0.85"><title>{}</title></path>"#,
            xml(&title)
        );
        // Only the story's edges say how long each step took; on every other edge the
        // thickness says how sure, and the hover title says the rest (labels on every edge
        // crowd the narrow gaps between columns).
        if horizontal && hot {
            let (mx, my) = match waypoints.and_then(|p| p.first()) {
                Some(&(wx, wy)) => (f64::midpoint(x1, wx - l.node_w / 2.0), f64::midpoint(y1, wy) - 5.0),
                None => (f64::midpoint(x1, x2), f64::midpoint(y1, y2) - 5.0),
            };
            let text =
                lag.strip_prefix(", ").map_or_else(|| confidence_word(c).to_string(), |l| format!("+{l}"));
            // Drawn after the boxes, so no box hides it.
            let _ = writeln!(
                labels,
                r##"<text x="{mx:.1}" y="{my:.1}" text-anchor="middle" font-size="9" fill="#c0392b" stroke="#ffffff" stroke-width="3" paint-order="stroke">{}</text>"##,
                xml(&text)
            );
        }
    }
    for (i, n) in g.nodes.iter().enumerate() {
        let p = l.places[i];
        let (fill, stroke, sw) = match roles[i] {
            Role::Root => ("#fde2e1", "#c0392b", 3.0),
            Role::Symptom => ("#fff3cd", "#d68910", 2.0),
            Role::OnPath => ("#fdf2e9", "#ba4a00", 1.5),
            Role::Candidate => ("#f4ecf7", "#7d3c98", 1.2),
            Role::Other => ("#f4f6f6", "#839192", 1.0),
        };
        let rx = match n.kind {
            NodeKind::Symptom => 24.0,
            NodeKind::MetricAnomaly => 14.0,
            _ => 4.0,
        };
        let kind = match n.kind {
            NodeKind::ChangeEvent => "change",
            NodeKind::MetricAnomaly => "metric",
            NodeKind::TopologyChange => "topology",
            NodeKind::K8sEvent => "event",
            NodeKind::Symptom => "symptom",
        };
        let mut head = match g.node_time(n) {
            Some(t) => format!("{kind} · {}", t.to_zoned(jiff::tz::TimeZone::UTC).strftime("%H:%M:%S")),
            None => kind.to_string(),
        };
        // The id when it fits (the narrative names nodes by it); the hover title always has it.
        if super::text::width(&format!("{head} · {}", n.id), 9.0) <= text_w {
            head = format!("{head} · {}", n.id);
        }
        let full = label(n);
        let _ = writeln!(
            s,
            r#"<g><title>{}</title><rect x="{:.1}" y="{:.1}" width="{:.0}" height="{:.0}" rx="{rx}" fill="{fill}" stroke="{stroke}" stroke-width="{sw}"/>"#,
            xml(&format!("{}: {full}", n.id)),
            p.x,
            p.y,
            l.node_w,
            l.node_h
        );
        let _ = writeln!(
            s,
            r##"<text x="{:.1}" y="{:.1}" font-size="9" fill="#616a6b">{}</text>"##,
            p.x + super::layout::PAD,
            p.y + 13.0,
            xml(&head)
        );
        for (k, line) in wrap(&full, text_w, FONT_SIZE, 3).iter().enumerate() {
            let _ = writeln!(
                s,
                r##"<text x="{:.1}" y="{:.1}" fill="#1b2631">{}</text>"##,
                p.x + super::layout::PAD,
                p.y + 28.0 + k as f64 * 13.0,
                xml(line)
            );
        }
        s.push_str("</g>\n");
    }
    s.push_str(&labels);
    let ly = l.height + 8.0;
    let _ = writeln!(
        s,
        r##"<g font-size="10" fill="#424949"><rect x="24" y="{ly:.0}" width="14" height="10" fill="#fde2e1" stroke="#c0392b" stroke-width="2"/><text x="42" y="{:.0}">top root cause</text><rect x="140" y="{ly:.0}" width="14" height="10" rx="5" fill="#fff3cd" stroke="#d68910"/><text x="158" y="{:.0}">symptom</text><line x1="230" y1="{:.0}" x2="260" y2="{:.0}" stroke="#566573" stroke-width="4"/><text x="266" y="{:.0}">thicker = more confident</text><line x1="400" y1="{:.0}" x2="430" y2="{:.0}" stroke="#95a5a6" stroke-dasharray="6,4" stroke-width="1.5"/><text x="436" y="{:.0}">correlation</text></g>"##,
        ly + 9.0,
        ly + 9.0,
        ly + 5.0,
        ly + 5.0,
        ly + 9.0,
        ly + 5.0,
        ly + 5.0,
        ly + 9.0
    );
    if let Some(note) = note {
        let _ = writeln!(
            s,
            r##"<text x="24" y="{:.0}" font-size="10" fill="#616a6b">{}</text>"##,
            ly + 30.0,
            xml(note)
        );
    }
    s.push_str("</svg>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{analyze::analyze, validate::parse_json};

    #[test]
    fn the_example_as_svg_is_well_formed_and_self_contained() {
        let mut g = parse_json(include_str!("../testdata/example.json")).unwrap().graph;
        g.nodes[5].description = Some("5xx <above> SLO & \"critical\"".into());
        let svg = render(&g, &analyze(&g));
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.trim_end().ends_with("</svg>"));
        assert!(svg.contains("5xx &lt;above&gt; SLO &amp; &quot;critical&quot;"));
        assert!(!svg.contains("<script") && !svg.contains("href=\"http"));
        assert_eq!(svg.matches("<rect x=").count(), g.nodes.len() + 1 + 2);
        // Thickness follows confidence: the 0.9 edge is drawn thicker than the 0.6 one.
        let width = |from: &str, to: &str| -> f64 {
            let title = format!("<title>{from} ");
            let line = svg.lines().find(|l| l.contains(&title) && l.contains(&format!(" {to} ("))).unwrap();
            let w = line.split("stroke-width=\"").nth(1).unwrap().split('"').next().unwrap();
            w.parse().unwrap()
        };
        assert!(width("c1", "t1") > width("t1", "m2"));
    }
}
