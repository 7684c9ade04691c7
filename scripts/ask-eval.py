#!/usr/bin/env python3
"""How often `sleuth ask`, answering offline, cites a page that answers the question — first, or
among its first three sources — beside `sleuth search`'s own first hits, on the retrieval
benchmark's corpora and questions (issue 14: the offline policy must not throw away what the
retriever found).

    bash scripts/fetch-corpora.sh
    cargo build --bin sleuth
    python3 scripts/ask-eval.py [CORPUS ...]      # default: every corpus in the cache

Each corpus is indexed once into /tmp/sleuth-ask-eval/<corpus>. There is no kubeconfig in the
environment it runs in, so `ask` reads the bundled demo cluster beside the corpus: questions that
sound like trouble are investigated there, as on a laptop. Needs PyYAML (ranking_eval).
"""
import collections, json, os, re, subprocess, sys
from concurrent.futures import ThreadPoolExecutor

from ranking_eval import QUESTIONS, corpus

SLEUTH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "target", "debug", "sleuth")
WORK = "/tmp/sleuth-ask-eval"


def page(location, root):
    """A hit's or source's location as a page path under the corpus root (no anchor, no line)."""
    location = re.sub(r":\d+$", "", location.split("#")[0])
    return os.path.relpath(location, root) if location.startswith("/") else location


def distinct(pages):
    out = []
    for p in pages:
        if p not in out:
            out.append(p)
    return out


def one(index, root, question):
    env = {k: v for k, v in os.environ.items() if k != "KUBECONFIG"}
    ask = subprocess.run([SLEUTH, "ask", "--json", "--index", index, question], capture_output=True, text=True, env=env)
    search = subprocess.run([SLEUTH, "search", "--json", "-k", "10", "--index", index, question], capture_output=True, text=True)
    sources = distinct(page(s.get("location", ""), root) for s in json.loads(ask.stdout)["sources"])
    hits = distinct(page(h["location"], root) for h in json.loads(search.stdout))
    return sources, hits


def main():
    names = sys.argv[1:] or sorted(f[:-5] for f in os.listdir(QUESTIONS) if f.endswith(".yaml"))
    for name in names:
        c, root = corpus(name)
        if not os.path.isdir(root):
            print(f"{name}: not in the cache — run scripts/fetch-corpora.sh; skipped")
            continue
        root = os.path.realpath(root)
        index = os.path.join(WORK, name)
        subprocess.run([SLEUTH, "index", "-q", "--rebuild", "--index", index, root], check=True, capture_output=True)
        with ThreadPoolExecutor(2) as pool:
            results = list(pool.map(lambda q: one(index, root, q["q"]), c["questions"]))
        n, hit = len(results), collections.Counter()
        for q, (sources, hits) in zip(c["questions"], results):
            ok = set(q["accepted"])
            hit["ask@1"] += bool(sources[:1] and sources[0] in ok)
            hit["ask@3"] += bool(ok & set(sources[:3]))
            hit["search@1"] += bool(hits[:1] and hits[0] in ok)
            hit["search@3"] += bool(ok & set(hits[:3]))
        print(f"{name:24s} {n:3d} q   ask@1 {hit['ask@1'] / n:.2f}  ask@3 {hit['ask@3'] / n:.2f}   "
              f"search@1 {hit['search@1'] / n:.2f}  search@3 {hit['search@3'] / n:.2f}")


if __name__ == "__main__":
    main()
