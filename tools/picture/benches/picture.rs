//! `cargo bench -p picture --bench picture`
//!
//! Issue 17's speed target: the collapsed SVG and its PNG of a 2,000-node graph in under
//! 200 ms. Graphs come from rcagraph's generator (random incidents with a known root cause,
//! spurious and weak edges, 3 s of clock skew), explained once; then, timed apart, collapsing
//! and rendering the SVG, and rasterizing it to PNG with the embedded font.

use std::time::Instant;

use rcagraph::generate::{Noise, generate};

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    println!(
        "| nodes | edges | boxes drawn | collapse + SVG (median) | PNG (median) | total (median) | PNG size |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|");
    for size in [100usize, 500, 2000] {
        let case = generate(42, size, Noise { spurious: true, weak_edges: true, missing: 0.0, skew: 3.0 });
        let text = serde_json::to_string(&case.graph).expect("serializes");
        let e = rcagraph::explain(&text).expect("generated graphs are valid");
        let runs = if quick { 5 } else { 21 };
        let (mut svg_ms, mut png_ms, mut total_ms) = (Vec::new(), Vec::new(), Vec::new());
        let (mut boxes, mut bytes) = (0, 0);
        for _ in 0..runs {
            let start = Instant::now();
            let svg = e.render(rcagraph::Format::Svg, false, rcagraph::View::Collapsed);
            let mid = Instant::now();
            let png = picture::png(&svg).expect("the SVG rasterizes");
            let end = Instant::now();
            svg_ms.push((mid - start).as_secs_f64() * 1000.0);
            png_ms.push((end - mid).as_secs_f64() * 1000.0);
            total_ms.push((end - start).as_secs_f64() * 1000.0);
            boxes = svg.matches("<g><title>").count();
            bytes = png.len();
        }
        let median = |mut v: Vec<f64>| {
            v.sort_by(f64::total_cmp);
            v[v.len() / 2]
        };
        println!(
            "| {} | {} | {boxes} | {:.1} ms | {:.1} ms | **{:.1} ms** | {} KB |",
            case.graph.nodes.len(),
            case.graph.edges.len(),
            median(svg_ms),
            median(png_ms),
            median(total_ms),
            bytes / 1024
        );
    }
}
