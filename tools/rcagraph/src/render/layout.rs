//! A layered (Sugiyama-style) layout: causes left, symptoms right.
//!
//! 1. **Layers** by longest path over the causal edges ranking used (acyclic); symptoms move to
//!    the last layer; nodes linked only by correlations sit beside their partner.
//! 2. **Order** within layers by the barycenter heuristic, a few sweeps each way, which removes
//!    most crossings in the shallow graphs incidents produce.
//! 3. **Coordinates**: fixed column width, rows centred per layer.
//!
//! Edges are drawn as cubic curves between the facing sides, so no routing pass is needed.

use std::collections::HashMap;

use crate::analyze::Analysis;
use crate::schema::{Graph, Relation};

/// Where a node goes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Place {
    /// Layer (column), 0 = leftmost.
    pub layer: usize,
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
}

/// The layout of a whole graph.
#[derive(Debug, Clone)]
pub struct Layout {
    /// One place per node, by node index.
    pub places: Vec<Place>,
    /// Waypoints (centres of dummy nodes) of causal edges that span several layers, by edge
    /// index: drawing through them keeps long edges out of the boxes in between.
    pub waypoints: HashMap<usize, Vec<(f64, f64)>>,
    /// Node box width.
    pub node_w: f64,
    /// Node box height.
    pub node_h: f64,
    /// Drawing width.
    pub width: f64,
    /// Drawing height.
    pub height: f64,
}

/// Labels' font size, px.
pub const FONT_SIZE: f64 = 11.0;

/// Space between a box's edge and its text, each side.
pub const PAD: f64 = 5.0;

/// Box width: wide enough for the widest piece of any label that is never broken (an object's
/// name), within bounds. Names up to a node's 39-character DNS name keep six columns inside a
/// 1,600 px screen; a longer name widens every box rather than being broken.
fn node_width(g: &Graph) -> f64 {
    let widest = g
        .nodes
        .iter()
        .map(|n| super::text::widest_piece(&crate::narrate::label(n), FONT_SIZE))
        .fold(0.0, f64::max);
    (2.0 * PAD + widest.ceil()).clamp(190.0, 260.0)
}

/// Lays the graph out.
pub fn layout(g: &Graph, a: &Analysis) -> Layout {
    let node_w = node_width(g);
    const NODE_H: f64 = 64.0;
    const DUMMY_H: f64 = 14.0;
    const COL_GAP: f64 = 48.0;
    const ROW_GAP: f64 = 26.0;
    const MARGIN: f64 = 24.0;
    let n = g.nodes.len();
    let index: HashMap<&str, usize> = g.nodes.iter().enumerate().map(|(i, n)| (n.id.as_str(), i)).collect();
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut inc: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut indeg = vec![0usize; n];
    for &ei in &a.causal_edges {
        let e = &g.edges[ei];
        let (x, y) = (index[e.from.as_str()], index[e.to.as_str()]);
        out[x].push(y);
        inc[y].push(x);
        indeg[y] += 1;
    }
    // Longest path from the sources (Kahn order).
    let mut layer = vec![0usize; n];
    let mut queue: Vec<usize> = (0..n).filter(|&i| indeg[i] == 0).collect();
    let mut head = 0;
    while head < queue.len() {
        let u = queue[head];
        head += 1;
        for &v in &out[u] {
            layer[v] = layer[v].max(layer[u] + 1);
            indeg[v] -= 1;
            if indeg[v] == 0 {
                queue.push(v);
            }
        }
    }
    let has_causal: Vec<bool> = (0..n).map(|i| !out[i].is_empty() || !inc[i].is_empty()).collect();
    for e in g.edges.iter().filter(|e| e.relation == Relation::Correlated) {
        let (Some(&x), Some(&y)) = (index.get(e.from.as_str()), index.get(e.to.as_str())) else { continue };
        if !has_causal[y] && has_causal[x] {
            layer[y] = layer[x];
        } else if !has_causal[x] && has_causal[y] {
            layer[x] = layer[y];
        }
    }
    let last = layer.iter().copied().max().unwrap_or(0);
    for s in &a.symptoms {
        let i = index[s.as_str()];
        // A symptom that causes another stays left of it.
        if !inc[i].is_empty() && out[i].is_empty() {
            layer[i] = last.max(layer[i]);
        }
    }
    // Dummy vertices (index ≥ n) on every layer a causal edge crosses.
    let mut vlayer = layer.clone();
    let mut vout: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut vin: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut chains: Vec<(usize, Vec<usize>)> = Vec::new();
    for &ei in &a.causal_edges {
        let e = &g.edges[ei];
        let (x, y) = (index[e.from.as_str()], index[e.to.as_str()]);
        let mut prev = x;
        let mut dummies = Vec::new();
        if layer[y] > layer[x] + 1 {
            for l in layer[x] + 1..layer[y] {
                let d = vlayer.len();
                vlayer.push(l);
                vout.push(Vec::new());
                vin.push(Vec::new());
                vout[prev].push(d);
                vin[d].push(prev);
                dummies.push(d);
                prev = d;
            }
        }
        vout[prev].push(y);
        vin[y].push(prev);
        if !dummies.is_empty() {
            chains.push((ei, dummies));
        }
    }
    let total = vlayer.len();
    let layers = vlayer.iter().copied().max().unwrap_or(0) + 1;
    let mut rows: Vec<Vec<usize>> = vec![Vec::new(); layers];
    // Start in time order, which keeps causes above their later effects when nothing else decides.
    let mut by_time: Vec<usize> = (0..n).collect();
    by_time.sort_by_key(|&i| (g.node_time(&g.nodes[i]), i));
    for i in by_time.into_iter().chain(n..total) {
        rows[vlayer[i]].push(i);
    }
    let mut pos = vec![0.0f64; total];
    let refresh = |rows: &Vec<Vec<usize>>, pos: &mut Vec<f64>| {
        for r in rows {
            for (k, &i) in r.iter().enumerate() {
                pos[i] = k as f64;
            }
        }
    };
    refresh(&rows, &mut pos);
    for sweep in 0..6 {
        let down = sweep % 2 == 0;
        let order: Vec<usize> =
            if down { (1..layers).collect() } else { (0..layers.saturating_sub(1)).rev().collect() };
        for l in order {
            let neighbours = |i: usize| if down { &vin[i] } else { &vout[i] };
            let mut keyed: Vec<(f64, usize)> = rows[l]
                .iter()
                .map(|&i| {
                    let ns = neighbours(i);
                    let key = if ns.is_empty() {
                        pos[i]
                    } else {
                        ns.iter().map(|&j| pos[j]).sum::<f64>() / ns.len() as f64
                    };
                    (key, i)
                })
                .collect();
            keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(pos[a.1].total_cmp(&pos[b.1])));
            rows[l] = keyed.into_iter().map(|(_, i)| i).collect();
            refresh(&rows, &mut pos);
        }
    }
    let height_of = |i: usize| if i < n { NODE_H } else { DUMMY_H };
    let column = |r: &Vec<usize>| {
        r.iter().map(|&i| height_of(i)).sum::<f64>() + (r.len() as f64 - 1.0).max(0.0) * ROW_GAP
    };
    let tallest = rows.iter().map(column).fold(NODE_H, f64::max);
    let height = 2.0 * MARGIN + tallest;
    let width = 2.0 * MARGIN + layers as f64 * node_w + (layers as f64 - 1.0) * COL_GAP;
    let mut vplace = vec![Place { layer: 0, x: 0.0, y: 0.0 }; total];
    for (l, r) in rows.iter().enumerate() {
        let mut y = (height - column(r)) / 2.0;
        for &i in r {
            vplace[i] = Place { layer: l, x: MARGIN + l as f64 * (node_w + COL_GAP), y };
            y += height_of(i) + ROW_GAP;
        }
    }
    let waypoints = chains
        .into_iter()
        .map(|(ei, ds)| {
            (ei, ds.iter().map(|&d| (vplace[d].x + node_w / 2.0, vplace[d].y + DUMMY_H / 2.0)).collect())
        })
        .collect();
    vplace.truncate(n);
    Layout { places: vplace, waypoints, node_w, node_h: NODE_H, width, height }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{analyze::analyze, validate::parse_json};

    #[test]
    fn causes_sit_left_of_their_effects_and_symptoms_rightmost() {
        let g = parse_json(include_str!("../testdata/example.json")).unwrap().graph;
        let a = analyze(&g);
        let l = layout(&g, &a);
        let at = |id: &str| l.places[g.node_index(id).unwrap()];
        assert!(at("c1").x < at("m1").x && at("m1").x < at("s1").x);
        assert!(at("t1").x < at("m2").x);
        let rightmost = l.places.iter().map(|p| p.layer).max().unwrap();
        assert_eq!(at("s1").layer, rightmost);
        // The correlated-only BackOff event sits beside the error rise.
        assert_eq!(at("k1").layer, at("m1").layer);
        // The long edge c1 → m_mem? No: every causal edge spanning layers has a waypoint per layer.
        for (ei, points) in &l.waypoints {
            let e = &g.edges[*ei];
            let span = at(&e.to).layer - at(&e.from).layer;
            assert_eq!(points.len(), span - 1, "{e:?}");
        }
        // No two boxes overlap.
        for (i, p) in l.places.iter().enumerate() {
            for q in &l.places[i + 1..] {
                assert!(p.layer != q.layer || (p.y - q.y).abs() >= l.node_h, "{p:?} {q:?}");
            }
        }
    }
}
