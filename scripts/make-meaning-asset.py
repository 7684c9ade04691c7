#!/usr/bin/env python3
"""Builds retriever/assets/meaning.bin, the static word vectors search re-ranks prose by
(retriever/src/meaning.rs), from the PyPI package `wordllama` 0.4.0.post1 (MIT; its
`l2_supercat` token vectors and their 32,000-piece tokenizer, trained by the
package's author from the token-embedding codebooks of LLaMA 2 70B and other models sharing
its tokenizer). Nothing is fetched at sleuth's run time; this script only re-creates the file:

    python3 scripts/make-meaning-asset.py          # needs numpy, safetensors (pip)

The vectors are cut to their first 192 dimensions (the package's vectors are trained so that a
prefix is a smaller model) and each to 4 bits with a scale per piece, so the file adds under
3 MB to sleuth's binary (its size budget is 50 MB); measured on the retrieval benchmark
against the full 256 dimensions at 8 bits, see BENCHMARKS.md. The wheel is pinned by its
SHA-256. Output: b"SLEUTHM2" then, zlib-compressed (little endian):
    u32 pieces, u32 dimensions, u32 merges,
    per piece: u16 byte length + UTF-8 bytes,
    per merge (in rank order): u16 left, u16 right, u16 merged piece,
    per piece: f32 scale,
    per piece: dimensions / 2 bytes, two 4-bit values each (low nibble first), each value + 8
    (vector = (value - 8) * scale).
"""
import hashlib, io, json, os, struct, sys, urllib.request, zipfile, zlib

import numpy as np
from safetensors.numpy import load

WHEEL = "wordllama-0.4.0.post1-cp312-cp312-manylinux2014_x86_64.manylinux_2_17_x86_64.whl"
SHA256 = "2dc004ed04438e4a9ce263ef69b1d7dcc5099da7277e08ddedfd35810428ba31"
DIMS = 192
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "retriever", "assets", "meaning.bin")


def wheel_bytes():
    """The pinned wheel: WORDLLAMA_WHEEL if it names a downloaded copy, else from PyPI."""
    local = os.environ.get("WORDLLAMA_WHEEL")
    if local:
        return open(local, "rb").read()
    meta = json.load(urllib.request.urlopen("https://pypi.org/pypi/wordllama/json"))
    files = meta["releases"]["0.4.0.post1"]
    return urllib.request.urlopen(next(f["url"] for f in files if f["filename"] == WHEEL)).read()


def main():
    data = wheel_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != SHA256:
        sys.exit(f"wheel SHA-256 {digest} is not the pinned {SHA256}")
    z = zipfile.ZipFile(io.BytesIO(data))
    licence = z.read("wordllama-0.4.0.post1.dist-info/licenses/LICENSE")
    open(OUT.replace("meaning.bin", "meaning.LICENSE"), "wb").write(licence)
    table = load(z.read("wordllama/weights/l2_supercat_256.safetensors"))["embedding.weight"].astype(np.float32)[:, :DIMS]
    model = json.loads(z.read("wordllama/tokenizers/l2_supercat_tokenizer_config.json"))["model"]
    vocab = model["vocab"]
    pieces = [None] * len(vocab)
    for piece, i in vocab.items():
        pieces[i] = piece
    merges = [m.split(" ") if isinstance(m, str) else m for m in model["merges"]]
    scale = np.abs(table).max(1) / 7.0
    scale[scale == 0] = 1.0
    nibbles = (np.round(table / scale[:, None]).astype(np.int8) + 8).astype(np.uint8)
    packed = nibbles[:, 0::2] | (nibbles[:, 1::2] << 4)
    out = io.BytesIO()
    out.write(struct.pack("<III", len(pieces), table.shape[1], len(merges)))
    for p in pieces:
        b = p.encode()
        out.write(struct.pack("<H", len(b)) + b)
    for a, b in merges:
        out.write(struct.pack("<HHH", vocab[a], vocab[b], vocab[a + b]))
    out.write(scale.astype("<f4").tobytes())
    out.write(packed.tobytes())
    data = b"SLEUTHM2" + zlib.compress(out.getvalue(), 9)
    open(OUT, "wb").write(data)
    print(f"wheel sha256 {digest}; {len(pieces)} pieces, {len(merges)} merges, {table.shape[1]} dims -> {OUT} ({len(data)} bytes)")


if __name__ == "__main__":
    main()
