//! Causal-graph benchmark (issue 5 §8): ranking accuracy on generated graphs with a known root
//! cause, per noise setting and size, and the time to explain a 2,000-node graph.
//!
//! `cargo bench -p rcagraph --features generate --bench causal` prints Markdown tables for `BENCHMARKS.md`.
//! `-- --quick` runs a tenth of the cases.

use std::time::Instant;

use rcagraph::generate::{Noise, accuracy, generate, rank_of};
use rcagraph::{analyze, explain, render};

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let scale = if quick { 10 } else { 1 };
    println!("## Ranking accuracy on generated graphs (fine granularity: the injected node)\n");
    println!(
        "| noise | size | cases | true path strongest | AC@1 | AC@3 | Avg@5 | AC@1 where the true path is strongest |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    for (name, noise) in Noise::settings() {
        for (size, cases) in [(10usize, 300usize), (100, 300), (500, 100), (2000, 40)] {
            let cases = (cases / scale).max(4);
            let mut ranks = Vec::new();
            let mut strong_ranks = Vec::new();
            for seed in 0..cases as u64 {
                let case = generate(seed * 7919 + size as u64, size, noise);
                let a = analyze(&case.graph);
                let r = rank_of(&a, &case.root);
                ranks.push(r);
                if case.strongest_true {
                    strong_ranks.push(r);
                }
            }
            let (ac1, ac3, avg5) = accuracy(&ranks);
            let (sac1, _, _) = accuracy(&strong_ranks);
            println!(
                "| {name} | {size} | {cases} | {:.0}% | {ac1:.3} | {ac3:.3} | {avg5:.3} | {} |",
                100.0 * strong_ranks.len() as f64 / cases as f64,
                if strong_ranks.is_empty() {
                    "–".to_string()
                } else {
                    format!("{sac1:.3} ({})", strong_ranks.len())
                }
            );
        }
    }

    println!("\n## Time to explain one graph (read JSON, validate, rank, narrate)\n");
    println!("| nodes | edges | runs | median | p95 | + SVG render (median) |");
    println!("|---:|---:|---:|---:|---:|---:|");
    for size in [100usize, 500, 2000] {
        let case = generate(42, size, Noise { spurious: true, weak_edges: true, missing: 0.0, skew: 3.0 });
        let text = serde_json::to_string(&case.graph).expect("serializes");
        let runs = if quick { 5 } else { 30 };
        let mut times = Vec::new();
        let mut svg_times = Vec::new();
        for _ in 0..runs {
            let start = Instant::now();
            let e = explain(&text).expect("generated graphs are valid");
            let md = e.markdown();
            times.push(start.elapsed().as_secs_f64() * 1000.0);
            let s2 = Instant::now();
            let svg = render::svg::render(&e.graph, &e.analysis);
            svg_times.push(s2.elapsed().as_secs_f64() * 1000.0);
            std::hint::black_box((md, svg));
        }
        times.sort_by(f64::total_cmp);
        svg_times.sort_by(f64::total_cmp);
        let p = |v: &[f64], q: f64| v[((v.len() as f64 - 1.0) * q).round() as usize];
        println!(
            "| {} | {} | {runs} | {:.1} ms | {:.1} ms | {:.1} ms |",
            case.graph.nodes.len(),
            case.graph.edges.len(),
            p(&times, 0.5),
            p(&times, 0.95),
            p(&svg_times, 0.5)
        );
    }
}
