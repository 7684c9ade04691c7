#!/usr/bin/env python3
"""Anchor text measured outside the crate (issue 14): how other pages link to a page, in their
own words, as evidence for that page.

    python3 -m venv /tmp/lex && /tmp/lex/bin/pip install snowballstemmer pyyaml
    bash scripts/fetch-corpora.sh
    SLEUTH_BENCH_DUMP=/tmp/ranked.jsonl cargo bench -p retriever --bench retrieval
    /tmp/lex/bin/python scripts/anchor-experiment.py /tmp/ranked.jsonl

Also measures a page's outline (file name, front-matter title and description, headings) as a
third ranking fused the same way.

For every page, the links into it from other pages of the corpus are gathered (Markdown inline
and reference links, HTML anchors, reStructuredText `:doc:`/`:ref:`, AsciiDoc `xref:`), each as
its link text alone or with the sentence around it. A stemmed BM25 over those texts ranks pages,
and is fused with sleuth's ranking by reciprocal rank (k = 60) at a few weights.
"""
import collections, json, math, os, posixpath, re, sys

from ranking_eval import corpus, first, pages, rrf, scores

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
lex = __import__("lexical-experiments")
toks, BM25 = lex.toks, lex.BM25

INDEXES = ("index", "_index", "readme")
MD_LINK = re.compile(r"(?<!!)\[([^\]\n]{1,200})\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REF_USE = re.compile(r"(?<!!)\[([^\]\n]{1,200})\]\[([^\]\n]*)\]")
REF_DEF = re.compile(r"^\s{0,3}\[([^\]\n]+)\]:\s*<?(\S+?)>?(?:\s.*)?$", re.M)
HTML_LINK = re.compile(r"<a\s[^>]*href=\"([^\"]+)\"[^>]*>(.*?)</a>", re.S | re.I)
RST_ROLE = re.compile(r":(doc|ref):`([^`<]*?)\s*(?:<([^>`]+)>)?`")
RST_LABEL = re.compile(r"^\.\. _([^:]+):\s*$", re.M)
ADOC = re.compile(r"xref:([^\[\s]+)\[([^\]]*)\]")
HUGO_REF = re.compile(r"\{\{[<%]\s*(?:rel)?ref\s+\"?([^\"\s>%]+)\"?\s*[>%]\}\}")


def key(path):
    """A page's path as segments without extension; an index page stands for its folder."""
    segs = [s for s in re.sub(r"\.(md|mdx|rst|adoc|html?)$", "", path.lower()).split("/") if s]
    if segs and segs[-1] in INDEXES:
        segs = segs[:-1]
    return tuple(segs)


class Resolver:
    def __init__(self, paths):
        self.by_key = collections.defaultdict(list)
        for p in paths:
            self.by_key[key(p)].append(p)

    def __call__(self, source, target):
        """The page a link from `source` to `target` names, or None."""
        target = HUGO_REF.sub(r"\1", target)
        m = HUGO_REF.search(target)
        external = re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I)
        if external and not target.lower().startswith(("http://", "https://")):
            return None
        path = re.sub(r"^[a-z]+://[^/]+", "", target, flags=re.I) if external else target
        path = path.split("#")[0].split("?")[0]
        if not path:
            return None  # a link within the page
        if path.startswith("/"):
            cands = [key(path)]
        else:
            here = posixpath.dirname(source)
            page_url = posixpath.splitext(source)[0]  # Hugo: relative to the page's URL
            cands = [key(posixpath.normpath(posixpath.join(base, path))) for base in (here, page_url)]
        for segs in cands:
            segs = tuple(s for s in segs if s not in ("..", "."))
            # The longest tail of the link's path that names exactly one page.
            for i in range(len(segs)):
                tail = segs[i:]
                if external and len(tail) < 2:
                    break
                hit = self.by_key.get(tail)
                if hit and len(hit) == 1:
                    return hit[0]
        return None


def sentence(text, start, end):
    """The sentence (within its line) around text[start:end]."""
    ls = text.rfind("\n", 0, start) + 1
    le = text.find("\n", end)
    le = len(text) if le < 0 else le
    before = text[ls:start]
    cut = max(before.rfind(". "), before.rfind("? "), before.rfind("! "))
    s = ls + cut + 2 if cut >= 0 else ls
    after = text[end:le]
    m = re.search(r"[.?!](\s|$)", after)
    e = end + m.end() if m else le
    return text[s:e]


def anchors(texts):
    """page → list of (link text, sentence) from other pages."""
    resolve = Resolver(texts)
    labels = {}
    for p, t in texts.items():
        if p.endswith(".rst"):
            for m in RST_LABEL.finditer(t):
                labels[m.group(1).strip().lower()] = p
    out = collections.defaultdict(list)
    for src, t in texts.items():
        if src.endswith(".tf"):
            continue
        found = []
        defs = {m.group(1).lower(): m.group(2) for m in REF_DEF.finditer(t)}
        for m in MD_LINK.finditer(t):
            found.append((m.group(1), m.group(2), m))
        for m in REF_USE.finditer(t):
            ref = (m.group(2) or m.group(1)).lower()
            if ref in defs:
                found.append((m.group(1), defs[ref], m))
        for m in HTML_LINK.finditer(t):
            found.append((re.sub(r"<[^>]+>", "", m.group(2)), m.group(1), m))
        for m in ADOC.finditer(t):
            found.append((m.group(2), m.group(1), m))
        for m in RST_ROLE.finditer(t):
            role, label, target = m.group(1), m.group(2), m.group(3)
            if role == "doc":
                tgt = target or label
                dst = resolve(src, tgt.strip() + ".rst") if tgt else None
                if dst and dst != src:
                    out[dst].append((label if target else "", sentence(t, m.start(), m.end())))
            else:
                dst = labels.get((target or label).strip().lower())
                if dst and dst != src:
                    out[dst].append((label if target else "", sentence(t, m.start(), m.end())))
        for text, target, m in found:
            dst = resolve(src, target.strip())
            if dst and dst != src:
                out[dst].append((text, sentence(t, m.start(), m.end())))
    return out


def outline(path, text):
    """A page's file name, front-matter title and description, and headings (Markdown `#` and
    underlined reStructuredText titles); a Terraform file's block labels."""
    out = [re.sub(r"[-_]", " ", os.path.splitext(os.path.basename(path))[0])]
    out += re.findall(r'^(?:title|description):\s*"?([^"\n]+)', text, re.M)
    if path.endswith(".tf"):
        out += [" ".join(m) for m in re.findall(r'^(?:resource|data|module|variable|output)\s+"([^"]+)"(?:\s+"([^"]+)")?', text, re.M)]
    else:
        out += re.findall(r"^#{1,6}\s+(.+)$", text, re.M)
        lines = text.split("\n")
        out += [a for a, b in zip(lines, lines[1:]) if a.strip() and re.fullmatch(r'([=\-~^"*+#])\1{2,}\s*', b)]
    return "\n".join(out)


def main():
    dump = collections.defaultdict(dict)
    for line in open(sys.argv[1]):
        d = json.loads(line)
        dump[d["corpus"]][d["q"]] = d["ranked"]
    totals = collections.defaultdict(list)
    for name in sorted(dump):
        c, root = corpus(name)
        texts = pages(root)
        links = anchors(texts)
        n_links = sum(len(v) for v in links.values())
        print(f"## {name}: {len(links)} of {len(texts)} pages linked to, {n_links} links")
        only_text = {p: " ".join(a for a, _ in v) for p, v in links.items()}
        with_sentence = {p: " ".join(s for _, s in v) for p, v in links.items()}
        bm_text = BM25(only_text) if only_text else None
        bm_sent = BM25(with_sentence) if with_sentence else None
        bm_page = BM25(texts)
        bm_page_anch = BM25({p: t + "\n" + with_sentence.get(p, "") for p, t in texts.items()})
        bm_outline = BM25({p: outline(p, t) for p, t in texts.items()})
        rows = collections.defaultdict(list)
        for q in c["questions"]:
            acc, ours = q["accepted"], dump[name][q["q"]]
            rows["sleuth"].append(first(ours, acc))
            variants = {}
            if bm_text:
                variants["anchor text"] = bm_text.rank(q["q"])
                variants["anchor sentence"] = bm_sent.rank(q["q"])
            variants["page+anchor sentence"] = bm_page_anch.rank(q["q"])
            variants["outline"] = bm_outline.rank(q["q"])
            for k, v in variants.items():
                rows[k].append(first(v, acc))
                for w in (0.25, 0.5):
                    rows[f"sleuth (+) {k} {w}"].append(first(rrf([ours, v], [1, w]), acc))
        for k, v in rows.items():
            s = scores(v)
            totals[k].append(s)
            print(f"{k:40s} {'{:.2f} / {:.2f} / {:.2f} / {:.3f}'.format(*s)}")
    print("## mean over corpora")
    for k, v in totals.items():
        if len(v) == len(dump):
            m = [sum(x[i] for x in v) / len(v) for i in range(4)]
            print(f"{k:40s} {'{:.3f} / {:.3f} / {:.3f} / {:.4f}'.format(*m)}")


if __name__ == "__main__":
    main()
