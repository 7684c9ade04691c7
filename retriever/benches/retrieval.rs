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
//! `target/bench-retrieval.md`. A corpus with a `whole:` folder is asked the same questions again
//! over that wider folder (a site's docs, then its whole content, blog included).
//! `SLEUTH_BENCH_DUMP=FILE` also appends each question's ranked
//! pages, with what the reranker read of each, to FILE as JSON lines, for experiments outside the
//! crate (`scripts/train-rerank.py` learns the reranker's weights from them;
//! `scripts/hybrid-experiment.py` fuses them with a dense retriever). `SLEUTH_BENCH_MIXED=1` also indexes every corpus into one
//! index, as a team's workspace mixes its wiki, its Terraform and other projects' docs, and asks
//! each corpus's questions of it (and of a BM25 over all pages): what the others take from each.
//! `SLEUTH_BENCH_PAIRS=1` does the same for each Terraform module beside one documentation site,
//! as a team's Terraform sits beside its wiki.
//! Each documentation corpus is also asked questions that name something exactly — a flag, a
//! camel-case identifier, a code span — generated from its own pages (see `names`), with the
//! same baseline. Last, where the corpora stand against issue 14's bars (documentation corpora:
//! recall@3 and MRR; Terraform modules: the defining block among the first three).

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use retriever::{Features, IndexOptions, NoProgress, SearchQuery, Searcher};
use serde::Deserialize;

#[path = "retrieval/names.rs"]
mod names;

#[derive(Deserialize)]
struct Corpus {
    #[serde(rename = "corpus")]
    name: String,
    root: String,
    questions: Vec<Question>,
    /// The same questions asked again of a wider folder of the same checkout (a site's whole
    /// `content/`, blog included, where `root` is its docs): what the rest of a site takes.
    #[serde(default)]
    whole: Option<Whole>,
}

/// A wider root for a corpus's questions (see [`Corpus::whole`]).
#[derive(Deserialize)]
struct Whole {
    /// The folder, under the corpus's cache directory.
    root: String,
    /// Where `root` (the docs) is inside it: prefixed to every accepted page.
    docs: String,
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

/// The distinct pages of a search's hits, in rank order, each as `label` + its path under the
/// root it is in (`file#anchor` for documents, `file:line` for Terraform blocks: the file is the
/// page), with what the reranker read of it; hits under none of the roots are dropped.
struct Ranking {
    pages: Vec<String>,
    features: Vec<Option<Features>>,
}

fn ranked_pages(searcher: &Searcher, question: &str, roots: &[(String, String)]) -> Ranking {
    let hits = searcher
        .search_explained(&SearchQuery {
            text: question.to_string(),
            kind: None,
            scopes: Vec::new(),
            limit: 50,
        })
        .unwrap_or_default();
    let mut ranked = Ranking { pages: Vec::new(), features: Vec::new() };
    for (h, features) in hits {
        let file = h.location.split('#').next().unwrap_or("");
        let file = file
            .rsplit_once(':')
            .filter(|(_, l)| l.chars().all(|c| c.is_ascii_digit()))
            .map_or(file, |(f, _)| f);
        let Some(path) = roots.iter().find_map(|(label, prefix)| {
            file.strip_prefix(prefix.as_str()).map(|rest| format!("{label}{}", rest.trim_start_matches("./")))
        }) else {
            continue;
        };
        if !ranked.pages.contains(&path) {
            ranked.pages.push(path);
            ranked.features.push(features);
        }
    }
    ranked
}

/// `SLEUTH_BENCH_DUMP=FILE`: one JSON line per question with sleuth's ranked pages and, for
/// those it reranked, the reranker's features (`scripts/train-rerank.py` learns from them).
fn dump(corpus: &str, q: &str, accepted: &[String], ranked: &Ranking) {
    if let Some(d) = std::env::var_os("SLEUTH_BENCH_DUMP") {
        use std::io::Write as _;
        let mut f = std::fs::OpenOptions::new().append(true).create(true).open(d).unwrap();
        let _ = writeln!(
            f,
            "{}",
            serde_json::json!({"corpus": corpus, "q": q, "accepted": accepted, "ranked": ranked.pages, "features": ranked.features})
        );
    }
}

fn row(table: &mut String, corpus: &str, pages: usize, questions: usize, name: &str, s: &Score) {
    let _ = writeln!(
        table,
        "| {corpus} | {pages} | {questions} | {name} | {:.2} | {:.2} | {:.2} | {:.3} |",
        s.recall(1),
        s.recall(3),
        s.recall(5),
        s.mrr()
    );
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
    // Questions that name something, per corpus and kind, and over all corpora per kind.
    let mut named = String::from(
        "| corpus | names | questions | sleuth R@1 / R@3 / MRR | BM25 R@1 / R@3 / MRR |\n|---|---|---:|---|---|\n",
    );
    let mut named_all: HashMap<&'static str, (Score, Score)> = HashMap::new();
    // Each corpus's scores (sleuth, BM25), for the bars.
    let (mut prose, mut modules): (Vec<Scores>, Vec<Scores>) = (Vec::new(), Vec::new());
    // Every corpus found, with its root, for the one-index run.
    let mut found: Vec<Found> = Vec::new();
    for file in files {
        let c: Corpus = serde_yaml_ng::from_str(&std::fs::read_to_string(&file).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let root = cache.join(&c.name).join(&c.root);
        let root = std::fs::canonicalize(&root).unwrap_or(root);
        if !root.is_dir() {
            println!("{}: not in {} — run scripts/fetch-corpora.sh; skipped", c.name, cache.display());
            continue;
        }
        let asked = Asked { label: &c.name, questions: &c.questions, prefix: "" };
        let generated = Some((&mut named, &mut named_all));
        let (corpus, ours, base) = evaluate(&asked, &root, &mut table, &mut detail, generated);
        let terraform = corpus.iter().any(|(p, _)| p.ends_with(".tf"));
        if terraform { &mut modules } else { &mut prose }.push((ours, base));
        if let Some(whole) = &c.whole {
            let wider = cache.join(&c.name).join(&whole.root);
            let wider = std::fs::canonicalize(&wider).unwrap_or(wider);
            let label = format!("{} (whole: {})", c.name, whole.root);
            let asked = Asked { label: &label, questions: &c.questions, prefix: &whole.docs };
            evaluate(&asked, &wider, &mut table, &mut detail, None);
        }
        let labelled = corpus.into_iter().map(|(p, t)| (format!("{}/{p}", c.name), t)).collect();
        found.push((c, root, labelled));
    }
    if std::env::var_os("SLEUTH_BENCH_MIXED").is_some() && found.len() > 1 {
        let all: Vec<&Found> = found.iter().collect();
        one_index(&all, "one index of all corpora", &mut table);
    }
    if std::env::var_os("SLEUTH_BENCH_PAIRS").is_some() {
        // A team's workspace: one Terraform module beside one documentation site, the i-th
        // module (in name order) beside the i-th site.
        let (modules, sites): (Vec<&Found>, Vec<&Found>) =
            found.iter().partition(|(_, _, pages)| pages.iter().any(|(p, _)| p.ends_with(".tf")));
        for (i, module) in modules.iter().enumerate().filter(|_| !sites.is_empty()) {
            let site = sites[i % sites.len()];
            one_index(
                &[module, site],
                &format!("one index with {} and {}", module.0.name, site.0.name),
                &mut table,
            );
        }
    }
    println!("\n{table}");
    for (kind, terraform) in names::kinds() {
        if let Some((ours, base)) = named_all.get(kind) {
            let all = if terraform { "all Terraform modules" } else { "all documentation corpora" };
            named_row(&mut named, all, kind, ours, base);
        }
    }
    println!("Questions naming something exactly, generated from each corpus:\n\n{named}");
    println!("{}", bars(&prose, &modules));
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench-retrieval.md");
    let _ = std::fs::write(&out, format!("{table}{detail}"));
    println!("per-question ranks: {}", out.display());
}

/// A corpus's scores: sleuth's, and the BM25 baseline's.
type Scores = (Score, Score);

/// Where the corpora stand against issue 14's bars: documentation corpora (recall@3 ≥ 0.9 and
/// MRR ≥ 0.75), and Terraform modules (the defining block in the first three, 7 times in 8).
/// A corpus is Terraform when it holds `.tf` files; `whole:` re-asks and the one-index run
/// are left out.
fn bars(prose: &[Scores], modules: &[Scores]) -> String {
    let mean = |scores: &[Scores], f: &dyn Fn(&Scores) -> f64| {
        scores.iter().map(f).sum::<f64>() / scores.len().max(1) as f64
    };
    let met = prose.iter().filter(|(s, _)| s.recall(3) >= 0.9 && s.mrr() >= 0.75).count();
    let asked: usize = modules.iter().map(|(s, _)| s.ranks.len()).sum();
    let top3: usize =
        modules.iter().map(|(s, _)| s.ranks.iter().filter(|r| r.is_some_and(|r| r <= 3)).count()).sum();
    let modules_met = modules.iter().filter(|(s, _)| s.recall(3) >= 0.875).count();
    format!(
        "issue 14's bars (main folders only):\n\
         - documentation, {} corpora: mean recall@3 {:.3}, mean MRR {:.3} (BM25 {:.3}); recall@3 ≥ 0.9 and MRR ≥ 0.75 on {met}\n\
         - Terraform, {} modules: the defining block in the first three for {top3} of {asked} questions ({:.3}, bar 0.875); per module on {modules_met}",
        prose.len(),
        mean(prose, &|(s, _)| s.recall(3)),
        mean(prose, &|(s, _)| s.mrr()),
        mean(prose, &|(_, b)| b.mrr()),
        modules.len(),
        top3 as f64 / asked.max(1) as f64,
    )
}

/// What is asked of a corpus: its label, its questions, and the folder its accepted pages are
/// in under the indexed root.
struct Asked<'a> {
    label: &'a str,
    questions: &'a [Question],
    prefix: &'a str,
}

/// Where generated questions that name something go: the per-corpus table, and each kind's
/// scores over all corpora.
type Names<'a> = Option<(&'a mut String, &'a mut HashMap<&'static str, (Score, Score)>)>;

/// Indexes `root` with sleuth's pipeline and asks the questions of it and of a BM25 over its
/// pages, adding a row per system to `table` and the per-question ranks to `detail`; with
/// `names`, a corpus is also asked the questions [`names::questions`] makes of it. Returns the pages and both systems' scores.
fn evaluate(
    asked: &Asked<'_>,
    root: &Path,
    table: &mut String,
    detail: &mut String,
    names: Names<'_>,
) -> (Vec<(String, String)>, Score, Score) {
    let Asked { label, questions, prefix } = *asked;
    let corpus = pages(root);
    let index = tempfile::tempdir().unwrap();
    let summary =
        retriever::index(index.path(), &[root.to_path_buf()], &IndexOptions::default(), &NoProgress)
            .expect("the corpus indexes");
    let searcher = Searcher::open(index.path()).unwrap();
    let bm25 = Bm25::new(&corpus);
    let (mut ours, mut base) = (Score::default(), Score::default());
    let roots = [(String::new(), format!("{}/", root.display()))];
    let _ = writeln!(detail, "\n## {label}\n\n| question | sleuth rank | BM25 rank |\n|---|---:|---:|");
    for q in questions {
        let accepted: Vec<String> = q.accepted.iter().map(|a| format!("{prefix}{a}")).collect();
        let ranked = ranked_pages(&searcher, &q.q, &roots);
        dump(label, &q.q, &accepted, &ranked);
        let r = first_accepted(&ranked.pages, &accepted);
        let b = first_accepted(&bm25.rank(&q.q), &accepted);
        let show = |r: Option<usize>| r.map_or("—".to_string(), |r| r.to_string());
        let _ = writeln!(detail, "| {} | {} | {} |", q.q, show(r), show(b));
        ours.ranks.push(r);
        base.ranks.push(b);
    }
    row(table, label, corpus.len(), questions.len(), "sleuth", &ours);
    row(table, label, corpus.len(), questions.len(), "BM25 (whole documents)", &base);
    if let Some((named, all)) = names {
        let terraform = corpus.iter().any(|(p, _)| p.ends_with(".tf"));
        let mut by_kind: HashMap<&'static str, (Score, Score)> = HashMap::new();
        for n in names::questions(&corpus, terraform) {
            let ranked = ranked_pages(&searcher, &n.q, &roots);
            dump(&format!("names:{label}"), &n.q, &n.accepted, &ranked);
            let (ours, base) = by_kind.entry(n.kind).or_default();
            ours.ranks.push(first_accepted(&ranked.pages, &n.accepted));
            base.ranks.push(first_accepted(&bm25.rank(&n.q), &n.accepted));
        }
        for (kind, _) in names::kinds() {
            if let Some((ours, base)) = by_kind.remove(kind) {
                named_row(named, label, kind, &ours, &base);
                let (all_ours, all_base) = all.entry(kind).or_default();
                all_ours.ranks.extend(ours.ranks);
                all_base.ranks.extend(base.ranks);
            }
        }
    }
    println!("{label}: indexed {} documents ({} chunks)", summary.documents, summary.chunks);
    (corpus, ours, base)
}

fn named_row(table: &mut String, corpus: &str, kind: &str, ours: &Score, base: &Score) {
    let _ = writeln!(
        table,
        "| {corpus} | {kind} | {} | {:.2} / {:.2} / {:.3} | {:.2} / {:.2} / {:.3} |",
        ours.ranks.len(),
        ours.recall(1),
        ours.recall(3),
        ours.mrr(),
        base.recall(1),
        base.recall(3),
        base.mrr()
    );
}

/// A corpus found in the cache: its questions, its root, and its pages labelled `corpus/path`.
type Found = (Corpus, PathBuf, Vec<(String, String)>);

/// `SLEUTH_BENCH_MIXED=1`: every corpus in one index, as a team's workspace holds its wiki, its
/// Terraform and another project's docs together; each corpus's questions are asked of it, and
/// of a BM25 over all pages, so what the other corpora take from each is measured.
/// `SLEUTH_BENCH_PAIRS=1`: each Terraform module in one index with one documentation site.
fn one_index(found: &[&Found], what: &str, table: &mut String) {
    let index = tempfile::tempdir().unwrap();
    let inputs: Vec<PathBuf> = found.iter().map(|(_, root, _)| root.clone()).collect();
    let summary = retriever::index(index.path(), &inputs, &IndexOptions::default(), &NoProgress)
        .expect("the corpora index");
    println!("{what}: {} documents ({} chunks)", summary.documents, summary.chunks);
    let searcher = Searcher::open(index.path()).unwrap();
    let roots: Vec<(String, String)> =
        found.iter().map(|(c, root, _)| (format!("{}/", c.name), format!("{}/", root.display()))).collect();
    let all: Vec<(String, String)> = found.iter().flat_map(|(_, _, p)| p.iter().cloned()).collect();
    let bm25 = Bm25::new(&all);
    for &(c, _, pages) in found {
        let (mut ours, mut base) = (Score::default(), Score::default());
        for q in &c.questions {
            let accepted: Vec<String> = q.accepted.iter().map(|a| format!("{}/{a}", c.name)).collect();
            let ranked = ranked_pages(&searcher, &q.q, &roots);
            dump(&format!("mixed:{}", c.name), &q.q, &accepted, &ranked);
            ours.ranks.push(first_accepted(&ranked.pages, &accepted));
            base.ranks.push(first_accepted(&bm25.rank(&q.q), &accepted));
        }
        row(table, &c.name, pages.len(), c.questions.len(), &format!("sleuth, {what}"), &ours);
        row(table, &c.name, pages.len(), c.questions.len(), &format!("BM25, {what}"), &base);
    }
}
