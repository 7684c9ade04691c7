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
import json, math, os, re, sys, collections, yaml, snowballstemmer
ST = snowballstemmer.stemmer('english')
CACHE = os.environ.get('SLEUTH_CORPORA', os.path.expanduser('~/.cache/sleuth/corpora'))
HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'retriever', 'benches', 'corpora')
STOP = set("a an and are as at be but by for if in into is it of on or such that the their then there these they this to was will with".split())
def toks(t, stem=True, stop=True):
    out = []
    for w in re.split(r'[^0-9A-Za-z]+', t.lower()):
        if not w or (stop and w in STOP): continue
        out.append(ST.stemWord(w) if stem else w)
    return out
def load(name):
    c = yaml.safe_load(open(f'{HERE}/{name}.yaml'))
    root = os.path.join(CACHE, c['corpus'], c['root'])
    pages = {}
    for d, _, fs in os.walk(root):
        for f in fs:
            if f.endswith('.md') or f.endswith('.tf'):
                p = os.path.join(d, f)
                pages[os.path.relpath(p, root)] = open(p, errors='replace').read()
    return c, pages
class BM25:
    def __init__(self, pages, k1=1.2, b=0.75, **kw):
        self.kw = kw; self.k1=k1; self.b=b
        self.docs = {p: collections.Counter(toks(t, **kw)) for p, t in pages.items()}
        self.len = {p: sum(c.values()) for p, c in self.docs.items()}
        self.avg = sum(self.len.values())/len(self.len)
        self.df = collections.Counter()
        for c in self.docs.values(): self.df.update(c.keys())
        self.N = len(self.docs)
    def idf(self, t):
        n = self.df.get(t, 0); return math.log(1 + (self.N - n + 0.5)/(n + 0.5))
    def scores(self, qterms):
        s = collections.defaultdict(float)
        for t, w in qterms.items():
            if t not in self.df: continue
            idf = self.idf(t)
            for p, c in self.docs.items():
                tf = c.get(t)
                if tf: s[p] += w*idf*tf*(self.k1+1)/(tf+self.k1*(1-self.b+self.b*self.len[p]/self.avg))
        return s
    def rank(self, q, prf=0, prf_terms=10, prf_w=0.3):
        qt = collections.Counter(toks(q, **self.kw))
        s = self.scores(qt)
        if prf:
            top = sorted(s, key=lambda p: -s[p])[:prf]
            exp = collections.Counter()
            for p in top:
                c = self.docs[p]; L = self.len[p]
                for t, tf in c.items():
                    exp[t] += tf/L*self.idf(t)
            add = {t: v for t, v in exp.most_common(prf_terms*3) if t not in qt}
            add = dict(sorted(add.items(), key=lambda x:-x[1])[:prf_terms])
            mx = max(add.values()) if add else 1
            q2 = dict(qt)
            for t, v in add.items(): q2[t] = prf_w*v/mx
            s = self.scores(q2)
        return sorted(s, key=lambda p: -s[p])[:50]
def rrf(lists, ws, k=60):
    s = collections.defaultdict(float)
    for l, w in zip(lists, ws):
        for i, p in enumerate(l): s[p] += w/(k+i+1)
    return sorted(s, key=lambda p: -s[p])[:50]
def metrics(ranks):
    n = len(ranks)
    r = lambda k: sum(1 for x in ranks if x and x <= k)/n
    return f"{r(1):.2f} / {r(3):.2f} / {r(5):.2f} / {sum(1/x for x in ranks if x)/n:.3f}"
def first(ranked, acc):
    for i, p in enumerate(ranked):
        if p in acc: return i+1
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
EXP = collections.defaultdict(set)
for g in GROUPS:
    ws = [ST.stemWord(w) for w in re.split(r'[^a-z0-9]+', g) if w]
    for w in ws:
        EXP[w].update(x for x in ws if x != w)
EXP = collections.defaultdict(set)
for g in GROUPS:
    ws = [ST.stemWord(w) for w in re.split(r'[^a-z0-9]+', g) if w]
    for w in ws:
        EXP[w].update(x for x in ws if x != w)


def rank_with(bm, q, cov=0, thesaurus=0.0):
    qt = collections.Counter(toks(q))
    q2 = dict(qt)
    for t in qt:
        for e in EXP.get(t, ()) if thesaurus else ():
            q2.setdefault(e, thesaurus)
    s = bm.scores(q2)
    if cov:
        tot = sum(bm.idf(t) for t in qt if t in bm.df) or 1
        for d in s:
            s[d] *= (sum(bm.idf(t) for t in qt if t in bm.docs[d]) / tot) ** cov
    return sorted(s, key=lambda p: -s[p])[:50]


dump = collections.defaultdict(dict)
for line in open(sys.argv[1]):
    d = json.loads(line)
    dump[d['corpus']][d['q']] = d['ranked']
for name in sorted(dump):
    c, pages = load(name)
    bs = BM25(pages)
    rows = collections.defaultdict(list)
    for q in c['questions']:
        acc, S = q['accepted'], dump[name][q['q']]
        variants = {'bm25 stemmed': bs.rank(q['q']), 'bm25 + rm3': bs.rank(q['q'], prf=3),
                    'bm25 + coordination^2': rank_with(bs, q['q'], cov=2),
                    'bm25 + thesaurus 0.4': rank_with(bs, q['q'], thesaurus=0.4)}
        rows['sleuth'].append(first(S, acc))
        for k, v in variants.items():
            rows[k].append(first(v, acc))
            rows[f'sleuth (+) {k}'].append(first(rrf([S, v], [1, .5]), acc))
    print(f'## {name}')
    for k, v in rows.items():
        print(f'{k:34s} {metrics(v)}')
