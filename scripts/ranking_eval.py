"""What the ranking experiments share (scripts/lexical-experiments.py, scripts/hybrid-experiment.py):
the benchmark's corpora and questions, and its measures, as `cargo bench -p retriever --bench
retrieval` defines them — recall@k of the first accepted page, MRR over the first 50 pages.
Standard library and PyYAML only, so either experiment can import it."""
import collections, os

import yaml

CORPORA = os.environ.get("SLEUTH_CORPORA", os.path.expanduser("~/.cache/sleuth/corpora"))
QUESTIONS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "retriever", "benches", "corpora")
DEPTH = 50


def corpus(name):
    """The corpus's question file (parsed) and the directory its pages are under."""
    c = yaml.safe_load(open(os.path.join(QUESTIONS, f"{name}.yaml")))
    return c, os.path.join(CORPORA, c["corpus"], c["root"])


def pages(root):
    """Page path (relative to the root) → text, for the Markdown and Terraform files the benchmark judges."""
    out = {}
    for d, _, files in os.walk(root):
        for f in files:
            if f.endswith((".md", ".mdx", ".rst", ".adoc", ".tf")):
                path = os.path.join(d, f)
                out[os.path.relpath(path, root)] = open(path, errors="replace").read()
    return out


def first(ranked, accepted):
    """1-based rank of the first accepted page among the first DEPTH, or None."""
    return next((i + 1 for i, p in enumerate(ranked[:DEPTH]) if p in accepted), None)


def scores(ranks):
    """recall@1, recall@3, recall@5 and MRR of a list of `first` ranks."""
    n = len(ranks)
    at = lambda k: sum(1 for r in ranks if r and r <= k) / n
    return at(1), at(3), at(5), sum(1 / r for r in ranks if r) / n


def rrf(lists, weights, k=60):
    """Weighted reciprocal-rank fusion of ranked page lists."""
    score = collections.defaultdict(float)
    for ranked, w in zip(lists, weights):
        for i, p in enumerate(ranked):
            score[p] += w / (k + i + 1)
    return sorted(score, key=lambda p: -score[p])[:DEPTH]
