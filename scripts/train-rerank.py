#!/usr/bin/env python3
"""Learns the reranker's weights (`retriever/src/search/rerank.rs`) from the retrieval benchmark.

    SLEUTH_BENCH_DUMP=/tmp/ranks.jsonl cargo bench -p retriever --bench retrieval
    python3 scripts/train-rerank.py /tmp/ranks.jsonl        # needs numpy

Each dumped question carries, for the first pages it reranked, the features the reranker read
(`retriever::Features`). For every documentation question whose accepted page is among its
prose candidates, the accepted page is paired with each other prose candidate, and a logistic
regression on the pairs' feature differences (L2, C = 1, no intercept: only differences within
a question matter) learns one weight per feature. Questions that name something exactly are not
reranked, carry no features, and so are not learnt from; nor are the generated `names:` sets or
Terraform (configuration is not reranked).

It prints, for each corpus, the MRR when the weights are learnt without that corpus (leave one
corpus out: the honest figure for a site nobody tuned on) beside the dump's own order, then the
weights learnt from all corpora, as Rust, for `WEIGHTS`.
"""

import collections
import json
import math
import sys

import numpy as np

FEATURES = [
    "section_rank",
    "page_rank",
    "section_ratio",
    "page_ratio",
    "cosine",
    "page_length",
    "names_coverage",
    "title_precision",
    "title_length",
    "sections",
]


def value(features, name):
    """A feature as the model reads it (`Features::values`): a page's names hold as much of the
    question as its title or the words other pages link to it by, whichever holds more."""
    if name == "names_coverage":
        return max(features["title_coverage"], features.get("link_coverage", 0.0))
    return features[name]


def load(path):
    questions = []
    for line in open(path, encoding="utf-8"):
        q = json.loads(line)
        corpus = q["corpus"]
        if corpus.startswith(("names:", "mixed:")) or not q.get("features"):
            continue
        candidates = [
            (page, [value(f, n) for n in FEATURES])
            for page, f in zip(q["ranked"], q["features"])
            if f is not None and f["prose"] and not f["demoted"]
        ]
        # Configuration questions (their answer is a `.tf` block) have only a README or two
        # among the prose candidates: nothing to learn about prose from.
        if not candidates or all(a.endswith(".tf") for a in q["accepted"]):
            continue
        questions.append({"corpus": corpus, "ranked": q["ranked"], "accepted": set(q["accepted"]), "cands": candidates})
    return questions


def site(corpus):
    # A site asked twice (its docs, then its whole content) is one site.
    return corpus.split(" (whole")[0]


def pairs(questions):
    xs = []
    for q in questions:
        pos = [x for p, x in q["cands"] if p in q["accepted"]]
        neg = [x for p, x in q["cands"] if p not in q["accepted"]]
        for p in pos:
            xs.extend(np.array(p) - np.array(x) for x in neg)
    return np.array(xs)


def fit(questions, c=1.0, steps=50):
    """Newton's method for L2 logistic regression on pair differences, each pair taken both
    ways (label 1 for x, 0 for -x): minimises sum(log(1 + exp(-w.x))) * 2 + |w|^2 / (2c)."""
    x = pairs(questions)
    w = np.zeros(x.shape[1])
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(x @ w)))
        grad = -2.0 * x.T @ (1.0 - p) + w / c
        hess = 2.0 * (x * (p * (1.0 - p))[:, None]).T @ x + np.eye(len(w)) / c
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-9:
            break
    return w


def lexical(x):
    """The fused lexical score search ranks by before reranking (`search::fusion`): reciprocal
    ranks, K = 60, the whole-document order weighing half."""
    section, page = math.expm1(x[0]), math.expm1(x[1])
    return 60 / (61 + section) + (0.5 * 60 / (61 + page) if page < 59.5 else 0.0)


def reranked(q, score):
    """The dump's order with its prose candidates reordered by `score` among their places."""
    order = list(q["ranked"])
    places = [order.index(p) for p, _ in q["cands"]]
    by_score = sorted(q["cands"], key=lambda c: -score(c[1]))
    for place, (page, _) in zip(sorted(places), by_score):
        order[place] = page
    return order


def rr(order, accepted):
    return next((1.0 / (i + 1) for i, p in enumerate(order) if p in accepted), 0.0)


def main():
    questions = load(sys.argv[1])
    by_corpus = collections.defaultdict(list)
    for q in questions:
        by_corpus[q["corpus"]].append(q)
    print(f"{len(questions)} questions with prose candidates, {len(by_corpus)} corpora\n")
    print("| corpus | questions | MRR, lexical order | MRR, dump's order | MRR, weights learnt without it |")
    print("|---|---:|---:|---:|---:|")
    means = []
    for corpus, qs in sorted(by_corpus.items()):
        w = fit([q for q in questions if site(q["corpus"]) != site(corpus)])
        plain = np.mean([rr(reranked(q, lexical), q["accepted"]) for q in qs])
        dumped = np.mean([rr(q["ranked"], q["accepted"]) for q in qs])
        left_out = np.mean([rr(reranked(q, lambda x: float(np.dot(x, w))), q["accepted"]) for q in qs])
        means.append((plain, dumped, left_out))
        print(f"| {corpus} | {len(qs)} | {plain:.3f} | {dumped:.3f} | {left_out:.3f} |")
    # A Terraform module's few prose questions (its README) would weigh as much as a site's.
    sites = [m for m, (_, qs) in zip(means, sorted(by_corpus.items())) if len(qs) >= 20]
    mean = [f"{np.mean([m[i] for m in sites]):.3f}" for i in range(3)]
    print(f"| mean of the {len(sites)} corpora with 20 questions or more | | {' | '.join(mean)} |")
    w = fit(questions)
    print("\nconst WEIGHTS: [f32; %d] = [%s];" % (len(w), ", ".join(f"{v:.3f}" for v in w)))
    print("// " + ", ".join(FEATURES))


if __name__ == "__main__":
    main()
