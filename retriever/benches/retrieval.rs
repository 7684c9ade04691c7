//! Retrieval quality on real public documentation, against a plain BM25 in the same run.
//!
//! `bash scripts/fetch-corpora.sh` first (it fills `$SLEUTH_CORPORA`, default
//! `~/.cache/sleuth/corpora`), then `cargo bench -p retriever --bench retrieval`. For every
//! `benches/corpora/*.yaml` whose corpus is in the cache, it indexes the corpus with sleuth's
//! own pipeline into a temporary index, asks each question (top 50 chunks, folded to distinct
//! pages in rank order), and scores the same questions with a whole-document BM25 (k1 = 1.2,
//! b = 0.75, lowercase alphanumeric tokens, no stemming, no stop words): recall@1/3/5 (a page
//! that answers the question among the first k) and MRR. The regression guard for every ranking
//! change: the table goes into `BENCHMARKS.md`, the per-question ranks into
//! `target/bench-retrieval.md`. `SLEUTH_BENCH_DUMP=FILE` also appends each question's ranked
//! pages to FILE as JSON lines, for experiments outside the crate (`scripts/hybrid-experiment.py`
//! fuses them with a dense retriever).

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use retriever::{IndexOptions, NoProgress, SearchQuery, Searcher};
use serde::Deserialize;

#[derive(Deserialize)]
struct Corpus {
    #[serde(rename = "corpus")]
    name: String,
    root: String,
    questions: Vec<Question>,
}

#[derive(Deserialize)]
struct Question {
    q: String,
    accepted: Vec<String>,
}

/// Ranks (1-based) of the first accepted page, `None` when not in the first 50.
#[derive(Default)]
struct Score {
    ranks: Vec<Option<usize>>,
}

impl Score {
    fn recall(&self, k: usize) -> f64 {
        self.ranks.iter().filter(|r| r.is_some_and(|r| r <= k)).count() as f64 / self.ranks.len() as f64
    }

    fn mrr(&self) -> f64 {
        self.ranks.iter().map(|r| r.map_or(0.0, |r| 1.0 / r as f64)).sum::<f64>() / self.ranks.len() as f64
    }
}

fn tokens(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric()).filter(|t| !t.is_empty()).map(str::to_lowercase).collect()
}

/// Whole-document BM25: what a dozen lines of Python would do.
struct Bm25 {
    docs: Vec<(String, HashMap<String, usize>, usize)>,
    df: HashMap<String, usize>,
    avg_len: f64,
}

impl Bm25 {
    fn new(pages: &[(String, String)]) -> Bm25 {
        let mut df: HashMap<String, usize> = HashMap::new();
        let mut docs = Vec::new();
        let mut total = 0usize;
        for (path, text) in pages {
            let toks = tokens(text);
            total += toks.len();
            let mut tf: HashMap<String, usize> = HashMap::new();
            for t in &toks {
                *tf.entry(t.clone()).or_default() += 1;
            }
            for t in tf.keys() {
                *df.entry(t.clone()).or_default() += 1;
            }
            docs.push((path.clone(), tf, toks.len()));
        }
        let avg_len = total as f64 / docs.len().max(1) as f64;
        Bm25 { docs, df, avg_len }
    }

    fn rank(&self, query: &str) -> Vec<String> {
        let n = self.docs.len() as f64;
        let q = tokens(query);
        let mut scored: Vec<(f64, &str)> = self
            .docs
            .iter()
            .map(|(path, tf, len)| {
                let s: f64 = q
                    .iter()
                    .map(|t| {
                        let f = *tf.get(t).unwrap_or(&0) as f64;
                        let df = *self.df.get(t).unwrap_or(&0) as f64;
                        let idf = ((n - df + 0.5) / (df + 0.5) + 1.0).ln();
                        idf * f * 2.2 / (f + 1.2 * (0.25 + 0.75 * *len as f64 / self.avg_len))
                    })
                    .sum();
                (s, path.as_str())
            })
            .filter(|(s, _)| *s > 0.0)
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0));
        scored.into_iter().take(50).map(|(_, p)| p.to_string()).collect()
    }
}

fn pages(root: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p
                .extension()
                .is_some_and(|x| ["md", "mdx", "rst", "adoc", "tf"].iter().any(|e| x == *e))
            {
                let rel = p.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
                out.push((rel, std::fs::read_to_string(&p).unwrap_or_default()));
            }
        }
    }
    out.sort();
    out
}

fn first_accepted(ranked: &[String], accepted: &[String]) -> Option<usize> {
    ranked.iter().position(|p| accepted.contains(p)).map(|i| i + 1)
}

fn main() {
    let cache = std::env::var_os("SLEUTH_CORPORA").map_or_else(
        || PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache/sleuth/corpora"),
        PathBuf::from,
    );
    let here = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/corpora");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&here)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    let mut table = String::from(
        "| corpus | pages | questions | system | recall@1 | recall@3 | recall@5 | MRR |\n|---|---:|---:|---|---:|---:|---:|---:|\n",
    );
    let mut detail = String::new();
    for file in files {
        let c: Corpus = serde_yaml_ng::from_str(&std::fs::read_to_string(&file).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let root = cache.join(&c.name).join(&c.root);
        let root = std::fs::canonicalize(&root).unwrap_or(root);
        if !root.is_dir() {
            println!("{}: not in {} — run scripts/fetch-corpora.sh; skipped", c.name, cache.display());
            continue;
        }
        let corpus = pages(&root);
        let index = tempfile::tempdir().unwrap();
        let summary = retriever::index(
            index.path(),
            std::slice::from_ref(&root),
            &IndexOptions::default(),
            &NoProgress,
        )
        .expect("the corpus indexes");
        let searcher = Searcher::open(index.path()).unwrap();
        let bm25 = Bm25::new(&corpus);
        let (mut ours, mut base) = (Score::default(), Score::default());
        let prefix = format!("{}/", root.display());
        let _ =
            writeln!(detail, "\n## {}\n\n| question | sleuth rank | BM25 rank |\n|---|---:|---:|", c.name);
        for q in &c.questions {
            let hits = searcher
                .search(&SearchQuery { text: q.q.clone(), kind: None, scopes: Vec::new(), limit: 50 })
                .unwrap_or_default();
            let mut ranked: Vec<String> = Vec::new();
            for h in hits {
                // `file#anchor` for documents, `file:line` for Terraform blocks: the file is the page.
                let file = h.location.split('#').next().unwrap_or("");
                let file = file
                    .rsplit_once(':')
                    .filter(|(_, l)| l.chars().all(|c| c.is_ascii_digit()))
                    .map_or(file, |(f, _)| f);
                let path = file.trim_start_matches(&prefix).trim_start_matches("./").to_string();
                if !ranked.contains(&path) {
                    ranked.push(path);
                }
            }
            if let Some(d) = std::env::var_os("SLEUTH_BENCH_DUMP") {
                use std::io::Write as _;
                let mut f = std::fs::OpenOptions::new().append(true).create(true).open(d).unwrap();
                let _ = writeln!(
                    f,
                    "{}",
                    serde_json::json!({"corpus": c.name, "q": q.q, "accepted": q.accepted, "ranked": ranked})
                );
            }
            let r = first_accepted(&ranked, &q.accepted);
            let b = first_accepted(&bm25.rank(&q.q), &q.accepted);
            let show = |r: Option<usize>| r.map_or("—".to_string(), |r| r.to_string());
            let _ = writeln!(detail, "| {} | {} | {} |", q.q, show(r), show(b));
            ours.ranks.push(r);
            base.ranks.push(b);
        }
        for (name, s) in [("sleuth", &ours), ("BM25 (whole documents)", &base)] {
            let _ = writeln!(
                table,
                "| {} | {} | {} | {name} | {:.2} | {:.2} | {:.2} | {:.3} |",
                c.name,
                corpus.len(),
                c.questions.len(),
                s.recall(1),
                s.recall(3),
                s.recall(5),
                s.mrr()
            );
        }
        println!("{}: indexed {} documents ({} chunks)", c.name, summary.documents, summary.chunks);
    }
    println!("\n{table}");
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench-retrieval.md");
    let _ = std::fs::write(&out, format!("{table}{detail}"));
    println!("per-question ranks: {}", out.display());
}
