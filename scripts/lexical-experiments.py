#!/usr/bin/env python3
"""Lexical ranking ideas measured outside the crate (issue 14), on the retrieval benchmark's
corpora and questions, against sleuth's own rankings from the same run.

    python3 -m venv /tmp/lex && /tmp/lex/bin/pip install snowballstemmer pyyaml
    bash scripts/fetch-corpora.sh
    SLEUTH_BENCH_DUMP=/tmp/ranked.jsonl cargo bench -p retriever --bench retrieval
    /tmp/lex/bin/python scripts/lexical-experiments.py /tmp/ranked.jsonl

Prints recall@1/3/5 and MRR of: a stemmed whole-document BM25 (the analysis sleuth uses: stop
words, Snowball English stems), the same with RM3-style pseudo-relevance feedback (top 3 pages),
with a coordination factor (a page's share of the question's IDF mass, squared), with a general
operations thesaurus at 0.4 weight, and each fused with sleuth's ranking by reciprocal rank
(k = 60, the BM25 side at half weight). Results and what was kept: BENCHMARKS.md.
"""
import collections, json, math, re, sys

import snowballstemmer
from ranking_eval import corpus, first, pages, rrf, scores

STEM = snowballstemmer.stemmer("english").stemWord
# sleuth's analysis: its stop words (Lucene's without the negations), Snowball English stems.
STOP = set("a an and are as at be but by for if in into is it of on or such that the their then there these they this to was will with".split())


def toks(text):
    return [STEM(w) for w in re.split(r"[^0-9A-Za-z]+", text.lower()) if w and w not in STOP]


# A general operations thesaurus: groups of words people use for the same thing, written from
# general knowledge, not from any corpus's misses.
GROUPS = """stop prevent block deny disable pause halt
remove delete uninstall purge
keep retain preserve
backup back-up restore export snapshot recovery
edit modify change update patch
restart rollout restart bounce
folder directory path
break breaking incompatible deprecated removed
copy replicate sync mirror duplicate
expire expiry expiration renew renewal
secret credential password token key
login log-in sign-in authenticate sso
permission access rbac role policy authorize
slow latency performance scale scaling
memory oom ram
crash crashloop restart fail failure error
alert alerting notify notification page
certificate cert tls ssl x509
deploy deployment rollout release sync
namespace tenant team project
cluster environment
upgrade migrate migration
limit quota cap maximum
hang stuck pending wait timeout
private internal
public internet external
network firewall traffic connectivity
dns domain hostname record
encrypt encryption kms
log logs logging audit
monitor monitoring metrics prometheus observability
version versions compatibility supported""".splitlines()
THESAURUS = collections.defaultdict(set)
for group in GROUPS:
    stems = [STEM(w) for w in re.split(r"[^a-z0-9]+", group) if w]
    for w in stems:
        THESAURUS[w].update(x for x in stems if x != w)


class BM25:
    """Whole-document BM25 (k1 1.2, b 0.75) over `toks`."""

    def __init__(self, texts, k1=1.2, b=0.75):
        self.k1, self.b = k1, b
        self.docs = {p: collections.Counter(toks(t)) for p, t in texts.items()}
        self.len = {p: sum(c.values()) for p, c in self.docs.items()}
        self.avg = sum(self.len.values()) / len(self.len)
        self.df = collections.Counter(t for c in self.docs.values() for t in c)

    def idf(self, t):
        n = self.df.get(t, 0)
        return math.log(1 + (len(self.docs) - n + 0.5) / (n + 0.5))

    def scores(self, weights):
        s = collections.defaultdict(float)
        for t, w in weights.items():
            if t not in self.df:
                continue
            idf = self.idf(t)
            for p, c in self.docs.items():
                tf = c.get(t)
                if tf:
                    s[p] += w * idf * tf * (self.k1 + 1) / (tf + self.k1 * (1 - self.b + self.b * self.len[p] / self.avg))
        return s

    def rank(self, q, prf=0, coordination=0, thesaurus=0.0):
        """Pages for a question; `prf`: RM3-style feedback from that many top pages (10 terms at
        0.3); `coordination`: scores times the page's share of the question's IDF mass to this
        power; `thesaurus`: the thesaurus's other words added at this weight."""
        asked = collections.Counter(toks(q))
        weights = dict(asked)
        for t in asked:
            for e in THESAURUS.get(t, ()) if thesaurus else ():
                weights.setdefault(e, thesaurus)
        s = self.scores(weights)
        if prf:
            feedback = collections.Counter()
            for p in sorted(s, key=lambda p: -s[p])[:prf]:
                for t, tf in self.docs[p].items():
                    feedback[t] += tf / self.len[p] * self.idf(t)
            add = [(t, v) for t, v in feedback.most_common(30) if t not in asked][:10]
            top = max((v for _, v in add), default=1)
            weights.update({t: 0.3 * v / top for t, v in add})
            s = self.scores(weights)
        if coordination:
            mass = sum(self.idf(t) for t in asked if t in self.df) or 1
            for p in s:
                s[p] *= (sum(self.idf(t) for t in asked if t in self.docs[p]) / mass) ** coordination
        return sorted(s, key=lambda p: -s[p])[:50]


def main():
    dump = collections.defaultdict(dict)
    for line in open(sys.argv[1]):
        d = json.loads(line)
        dump[d["corpus"]][d["q"]] = d["ranked"]
    for name in sorted(dump):
        c, root = corpus(name)
        bm25 = BM25(pages(root))
        rows = collections.defaultdict(list)
        for q in c["questions"]:
            acc, ours = q["accepted"], dump[name][q["q"]]
            variants = {
                "bm25 stemmed": bm25.rank(q["q"]),
                "bm25 + rm3": bm25.rank(q["q"], prf=3),
                "bm25 + coordination^2": bm25.rank(q["q"], coordination=2),
                "bm25 + thesaurus 0.4": bm25.rank(q["q"], thesaurus=0.4),
            }
            rows["sleuth"].append(first(ours, acc))
            for k, v in variants.items():
                rows[k].append(first(v, acc))
                rows[f"sleuth (+) {k}"].append(first(rrf([ours, v], [1, 0.5]), acc))
        print(f"## {name}")
        for k, v in rows.items():
            print(f"{k:34s} {'{:.2f} / {:.2f} / {:.2f} / {:.3f}'.format(*scores(v))}")


if __name__ == "__main__":
    main()
