//! What changed, as a picture: one lane per workload (or per kind of object), each change a mark
//! on its lane with its label, the incident's first symptom a red line across all lanes, time
//! left to right. Collapsed like the graphs: at most [`MAX_LANES`] lanes (those changed closest
//! to the end of the window), changes too close to tell apart on one lane drawn as one mark
//! with a count, and a note saying what was left out.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use jiff::{SignedDuration, Timestamp};
use rcagraph::render::svg::xml;
use rcagraph::render::text::{FONT_FAMILY, width, wrap};

/// Lanes drawn in the collapsed view.
pub const MAX_LANES: usize = 12;

const WIDTH: f64 = 1400.0;
const LANE_LABEL_W: f64 = 250.0;
const RIGHT: f64 = 30.0;
const TOP: f64 = 64.0;
const ROW_H: f64 = 46.0;
/// Marks closer than this on one lane are one mark.
const MERGE_PX: f64 = 16.0;

/// One change.
#[derive(Debug, Clone)]
pub struct Mark {
    /// When.
    pub time: Timestamp,
    /// The lane it goes on (`Deployment shop/web`, `ConfigMaps`, `Nodes`).
    pub lane: String,
    /// What happened, one line.
    pub label: String,
}

/// A timeline to draw.
#[derive(Debug, Clone)]
pub struct Timeline {
    /// A line above it.
    pub title: String,
    /// Start of the window.
    pub start: Timestamp,
    /// End of the window.
    pub end: Timestamp,
    /// The changes.
    pub marks: Vec<Mark>,
    /// The incident's first symptom: when, and what.
    pub symptom: Option<(Timestamp, String)>,
}

fn hm(t: Timestamp, with_day: bool) -> String {
    let z = t.to_zoned(jiff::tz::TimeZone::UTC);
    if with_day { z.strftime("%m-%d %H:%M").to_string() } else { z.strftime("%H:%M").to_string() }
}

/// A tick step giving at most eight ticks over `span`.
fn step(span: SignedDuration) -> SignedDuration {
    const MINUTES: [i64; 13] = [1, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880, 10080];
    let minutes = span.as_secs() / 60;
    let m = MINUTES.iter().copied().find(|m| minutes / m <= 8).unwrap_or(10080);
    SignedDuration::from_mins(m)
}

/// The SVG; `full` draws every lane.
// Drawing code reads best with the coordinates' names (x, y, r) and the timeline as `t`.
#[allow(clippy::many_single_char_names)]
pub fn svg(t: &Timeline, full: bool) -> String {
    let span = t.end.duration_since(t.start).max(SignedDuration::from_mins(1));
    let plot_w = WIDTH - LANE_LABEL_W - RIGHT;
    let x = |ts: Timestamp| {
        let f = ts.duration_since(t.start).as_secs_f64() / span.as_secs_f64();
        LANE_LABEL_W + f.clamp(0.0, 1.0) * plot_w
    };
    // Lanes, those changed last first when some must go.
    let mut lanes: BTreeMap<&str, Vec<&Mark>> = BTreeMap::new();
    for m in &t.marks {
        lanes.entry(m.lane.as_str()).or_default().push(m);
    }
    let mut order: Vec<(&str, Vec<&Mark>)> = lanes.into_iter().collect();
    order.sort_by_key(|(_, ms)| std::cmp::Reverse(ms.iter().map(|m| m.time).max()));
    let hidden: Vec<(&str, Vec<&Mark>)> =
        if full || order.len() <= MAX_LANES { Vec::new() } else { order.split_off(MAX_LANES) };
    order.sort_by_key(|(_, ms)| ms.iter().map(|m| m.time).min());
    let rows = order.len().max(1);
    let axis_y = TOP + rows as f64 * ROW_H + 8.0;
    let note = (!hidden.is_empty()).then(|| {
        let changes: usize = hidden.iter().map(|(_, m)| m.len()).sum();
        format!("+{} more lanes with {changes} changes (--full draws everything)", hidden.len())
    });
    let height = axis_y + 34.0 + if note.is_some() { 18.0 } else { 0.0 };
    let mut s = String::new();
    let _ = writeln!(
        s,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH:.0}" height="{height:.0}" viewBox="0 0 {WIDTH:.0} {height:.0}" font-family="{FONT_FAMILY}" font-size="11"><rect width="100%" height="100%" fill="#ffffff"/>"##
    );
    let _ = writeln!(s, r##"<text x="16" y="24" font-size="14" fill="#1b2631">{}</text>"##, xml(&t.title));
    // Lanes and their names.
    for (i, (lane, _)) in order.iter().enumerate() {
        let y = TOP + i as f64 * ROW_H;
        let shade = if i % 2 == 0 { "#f8f9f9" } else { "#ffffff" };
        let _ =
            writeln!(s, r#"<rect x="0" y="{y:.1}" width="{WIDTH:.0}" height="{ROW_H:.0}" fill="{shade}"/>"#);
        let name = wrap(lane, LANE_LABEL_W - 24.0, 11.0, 2);
        // Centred on the lane's marks.
        let first = y + ROW_H / 2.0 + 4.0 - (name.len() as f64 - 1.0) * 6.5;
        for (k, line) in name.iter().enumerate() {
            let _ = writeln!(
                s,
                r##"<text x="16" y="{:.1}" fill="#1b2631">{}</text>"##,
                first + k as f64 * 13.0,
                xml(line)
            );
        }
    }
    // The time axis.
    let with_day = span > SignedDuration::from_hours(24);
    let tick = step(span);
    let first = Timestamp::from_second(
        t.start.as_second().div_euclid(tick.as_secs()) * tick.as_secs() + tick.as_secs(),
    )
    .unwrap_or(t.start);
    let _ = writeln!(
        s,
        r##"<line x1="{LANE_LABEL_W:.0}" y1="{axis_y:.1}" x2="{:.0}" y2="{axis_y:.1}" stroke="#839192"/>"##,
        WIDTH - RIGHT
    );
    let mut at = first;
    while at <= t.end {
        let tx = x(at);
        let _ = writeln!(
            s,
            r##"<line x1="{tx:.1}" y1="{TOP:.0}" x2="{tx:.1}" y2="{axis_y:.1}" stroke="#e5e8e8"/><text x="{tx:.1}" y="{:.1}" text-anchor="middle" font-size="10" fill="#616a6b">{}</text>"##,
            axis_y + 16.0,
            hm(at, with_day)
        );
        at = at.checked_add(tick).unwrap_or(t.end.checked_add(tick).unwrap_or(t.end));
    }
    // The first symptom.
    if let Some((when, what)) = &t.symptom {
        let sx = x(*when);
        let _ = writeln!(
            s,
            r##"<line x1="{sx:.1}" y1="{:.1}" x2="{sx:.1}" y2="{axis_y:.1}" stroke="#c0392b" stroke-width="2" stroke-dasharray="6,4"/>"##,
            TOP - 16.0
        );
        let text = format!("first symptom {}: {what}", hm(*when, with_day));
        // On the side of the line with more room.
        let (right, left) = (WIDTH - RIGHT - sx - 6.0, sx - 6.0 - 16.0);
        let line = wrap(&text, right.max(left), 10.0, 1).remove(0);
        let anchor = if right >= left || sx + width(&line, 10.0) + 6.0 <= WIDTH - RIGHT {
            ("start", sx + 6.0)
        } else {
            ("end", sx - 6.0)
        };
        let _ = writeln!(
            s,
            r##"<text x="{:.1}" y="{:.1}" text-anchor="{}" font-size="10" fill="#c0392b">{}</text>"##,
            anchor.1,
            TOP - 6.0,
            anchor.0,
            xml(&line)
        );
    }
    // The marks, merged when too close to tell apart, each labelled as far as the next.
    for (i, (_, marks)) in order.iter().enumerate() {
        let y = TOP + i as f64 * ROW_H + ROW_H / 2.0;
        let mut groups: Vec<Vec<&Mark>> = Vec::new();
        let mut sorted = marks.clone();
        sorted.sort_by_key(|m| m.time);
        for m in sorted {
            match groups.last_mut() {
                Some(g) if x(m.time) - x(g[0].time) < MERGE_PX => g.push(m),
                _ => groups.push(vec![m]),
            }
        }
        for (k, g) in groups.iter().enumerate() {
            let mx = x(g[0].time);
            let next = groups.get(k + 1).map_or(WIDTH - RIGHT, |n| x(n[0].time));
            let label =
                if g.len() > 1 { format!("×{} {} …", g.len(), g[0].label) } else { g[0].label.clone() };
            let title: Vec<String> = g.iter().map(|m| format!("{} {}", hm(m.time, true), m.label)).collect();
            let r = if g.len() > 1 { 7.0 } else { 5.5 };
            let _ = writeln!(
                s,
                r##"<g><title>{}</title><circle cx="{mx:.1}" cy="{y:.1}" r="{r}" fill="#2471a3" stroke="#ffffff" stroke-width="1.5"/>"##,
                xml(&title.join("\n"))
            );
            let room = next - mx - 14.0;
            if room >= 48.0 {
                for (l, line) in wrap(&label, room, 10.0, 2).iter().enumerate() {
                    let _ = writeln!(
                        s,
                        r##"<text x="{:.1}" y="{:.1}" font-size="10" fill="#1b2631">{}</text>"##,
                        mx + 9.0,
                        y - 3.0 + l as f64 * 12.0,
                        xml(line)
                    );
                }
            }
            s.push_str("</g>\n");
        }
    }
    if t.marks.is_empty() {
        let _ = writeln!(
            s,
            r##"<text x="{:.1}" y="{:.1}" fill="#616a6b">no change in this window</text>"##,
            LANE_LABEL_W + 12.0,
            TOP + ROW_H / 2.0
        );
    }
    if let Some(n) = note {
        let _ = writeln!(
            s,
            r##"<text x="16" y="{:.1}" font-size="10" fill="#616a6b">{}</text>"##,
            axis_y + 38.0,
            xml(&n)
        );
    }
    s.push_str("</svg>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(min: i64) -> Timestamp {
        "2026-01-01T12:00:00Z"
            .parse::<Timestamp>()
            .unwrap()
            .checked_add(SignedDuration::from_mins(min))
            .unwrap()
    }

    fn timeline(lanes: usize) -> Timeline {
        let mut marks = Vec::new();
        for l in 0..lanes {
            marks.push(Mark {
                time: at(10 + i64::try_from(l).unwrap()),
                lane: format!("Deployment shop/app-{l}"),
                label: format!("revision {l}: image app:{l}"),
            });
        }
        // Three edits a few seconds apart: one mark.
        for k in 0..3 {
            marks.push(Mark {
                time: at(50).checked_add(SignedDuration::from_secs(k)).unwrap(),
                lane: "ConfigMaps".into(),
                label: format!("ConfigMap c{k} edited"),
            });
        }
        Timeline {
            title: "What changed".into(),
            start: at(0),
            end: at(120),
            marks,
            symptom: Some((at(55), "SystemOOM on node a".into())),
        }
    }

    #[test]
    fn lanes_marks_and_the_first_symptom_are_drawn_collapsed() {
        let svg = svg(&timeline(3), false);
        assert_eq!(svg.matches("<circle").count(), 4, "three rollouts and one merged mark");
        assert!(svg.contains("×3 ConfigMap c0 edited"));
        assert!(svg.contains("first symptom 12:55: SystemOOM on node a"));
        assert!(svg.contains(">13:00<") && svg.contains(">12:15<"), "ticks every 15 minutes");
        assert!(crate::png(&svg).is_ok());
    }

    #[test]
    fn too_many_lanes_are_folded_into_a_note_unless_full() {
        let svg = svg(&timeline(20), false);
        assert_eq!(svg.matches("<circle").count(), MAX_LANES);
        assert!(svg.contains("+9 more lanes with 9 changes (--full draws everything)"), "{svg}");
        let all = super::svg(&timeline(20), true);
        assert_eq!(all.matches("<circle").count(), 21);
        assert!(!all.contains("more lanes"));
    }
}
