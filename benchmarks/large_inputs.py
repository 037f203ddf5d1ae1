"""Memory and time for one 50 MB document through each provenance entry point.

Each case runs in a fresh Python process, which first builds the document (word-bigram text from
BOLD's Wikipedia sentences, or Python source for the code fingerprint) and records its peak
resident memory, then runs the case; the table shows the extra peak memory the case needed,
beside the size of the document itself (a str of 50 M ASCII characters is 50 MB). "Bounded"
means a small multiple of the document, not of the document times the number of shingles.

    python benchmarks/large_inputs.py [--mb 50]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

RESULTS = Path(__file__).parent / "results" / "large_inputs.json"

PRELUDE = """
import random, resource, sys, time, tempfile, pathlib
from genguard.datasets import bold_wikipedia_paragraphs
target = int(sys.argv[1]) * 1_000_000
def peak(): return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
if sys.argv[2] == "code":
    body = "def f_{i}(x, y):\\n    z = x * {i} + y\\n"
    body += "    if z > {i}:\\n        return 'a{i}'\\n    return z\\n\\n"
    doc = "".join(body.format(i=i) for i in range(target // 90))[:target]
else:
    words = " ".join(bold_wikipedia_paragraphs()).split()
    rng = random.Random(0)
    pieces, size = [], 0
    while size < target:
        start = rng.randrange(len(words) - 200)
        piece = " ".join(words[start:start + 200])
        pieces.append(piece); size += len(piece) + 1
    doc = " ".join(pieces)[:target]
tmp = pathlib.Path(tempfile.mkdtemp())
base = peak(); t0 = time.perf_counter()
"""

CASES = {
    "shingle_hashes (word 5-grams)": (
        "text",
        "from genguard.provenance.shingles import shingle_hashes\nout = shingle_hashes([doc])[0].size",
    ),
    "MinHash signature": (
        "text",
        "from genguard.provenance.shingles import shingle_hashes\n"
        "from genguard.provenance.minhash import MinHasher\n"
        "out = MinHasher(128).signatures(shingle_hashes([doc]))[0][:2].tolist()",
    ),
    "span fingerprints (winnowed)": (
        "text",
        "from genguard.provenance.spans import span_fingerprints\nout = span_fingerprints(doc).size",
    ),
    "ProtectedIndex.add + query": (
        "text",
        "from genguard.provenance.index import ProtectedIndex\n"
        "ix = ProtectedIndex(tmp / 'ix.db')\nix.add([doc], keys=['big'])\n"
        "[m] = ix.query([doc[20_000_000:20_000_400]])\nout = [x.key for x in m]",
    ),
    "code fingerprint (Python)": (
        "code",
        "from genguard.provenance.code import fingerprint\nout = fingerprint(doc, 'python').n_tokens",
    ),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=50)
    args = parser.parse_args()
    rows = {}
    for name, (kind, code) in CASES.items():
        script = (
            PRELUDE
            + code
            + "\nprint(__import__('json').dumps([time.perf_counter() - t0, peak() - base, str(out)]))"
        )
        done = subprocess.run(
            [sys.executable, "-c", script, str(args.mb), kind], capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            rows[name] = {"error": done.stderr.strip().splitlines()[-1]}
            print(f"{name:<32} FAILED: {rows[name]['error']}")
            continue
        seconds, extra_mb, result = json.loads(done.stdout.strip().splitlines()[-1])
        rows[name] = {"seconds": seconds, "extra_peak_mb": extra_mb, "result": result[:80]}
        print(f"{name:<32} {seconds:>7.1f} s  extra peak memory {extra_mb:>7.0f} MB  ({args.mb} MB document)")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps({"document_mb": args.mb, "cases": rows}, indent=2) + "\n")


if __name__ == "__main__":
    main()
