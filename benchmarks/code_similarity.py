"""Code fingerprints against obfuscation: real originals, seeded tree-sitter obfuscations.

Originals (no third-party source is stored in the repository):

- Python: snippets of 2+ consecutive top-level definitions (functions and classes, 15-150 lines)
  from the CPython standard library of the running interpreter (test packages excluded), a fixed
  seeded sample (at most 3 per module, exact normalised duplicates dropped);
- Java: runs of 2+ consecutive methods/constructors (15-150 lines) from the class bodies of
  jpype1 1.7.1's source distribution (Apache-2.0), fetched with `pip download` into
  benchmarks/.cache/ (at most 5 per file), each wrapped in `class <ClassName> { ... }`.

Obfuscations, each a real edit of the parse tree (seeded; every result re-parses without errors,
Python results also compile):

1. rename: every identifier bound in the snippet (functions, classes, methods, parameters, local
   variables, fields/`self.x` attributes, loop and exception variables, type parameters) gets a
   fresh random name, consistently; builtins, imports, dunders and `self`/`cls` stay;
2. reorder: the top-level definitions (Python) or the methods of the class (Java) are permuted,
   and in Python the methods inside each class too (order of definitions does not change what the
   program does; statement-level reordering needs data-flow analysis and is not attempted);
3. literals: every number and string (docstrings included) gets a new random value;
4. deadcode: unused assignments/declarations, `if False:` / `if (false) { }` blocks and no-op
   statements inserted before max(2, lines // 10) randomly chosen statements;
5. combined: 1, 2, 3, 4 in sequence.

Pairs: each original against each of its five copies (positives); negatives are 8 random
unrelated originals of the same language from other files, plus every other original drawn from the
same module or .java file (same project and author, similar style: the hard negatives). The
originals are split in half by source file (seeded): k, w, whether builtin names are kept, and the
score (containment or Jaccard) are chosen on the tuning half (maximising the mean over languages of
recall at <= 1 % false positives, ties broken by the margin between the 5th percentile of combined
obfuscations and the 99th percentile of negatives); everything reported comes from the other half.
The baseline fingerprints raw tokens (identifier and literal text kept) and is tuned the same way.
The threshold for "FPR <= 1 %" is fixed on the tuning half's negatives (both languages pooled) and
its false-positive rate on the held-out half is reported beside it. "library defaults" repeats the
held-out numbers for genguard.provenance.code's DEFAULT_K, DEFAULT_W and DEFAULT_THRESHOLD.

Also measured: speed in one process (fingerprints/s from source, compares/s) and CodeIndex over the
tuning-half originals, queried with their copies (top-1) and with the held-out originals (false
alarms: best hit at or above the threshold), for three boilerplate rules.

Pairwise methods ("pairwise" in the JSON): the same held-out pairs scored by
genguard.provenance.code_pair, by max and mean of it and containment, and by code_verdict (what
`genguard provenance code-compare` uses), each with its threshold fixed on the tuning negatives as
above; beside them the plagiarism benchmark's pairs (benchmarks/plagiarism, its protocol: AUC and
recall at 1 % FPR per level, held-out tasks). code_verdict's SHRINK_TOKENS is re-chosen on the
tuning halves of both benchmarks (the grid is in the JSON), and code_verdict is also evaluated at
its library THRESHOLD on both held-out halves. A size-dependent threshold (code_verdict's
SIZE_THRESHOLDS, "size_threshold" in the JSON) is fitted on the tuning negatives of both benchmarks
(fit_size_thresholds) and evaluated the same way, overall and by size range. Compares/s of
code_pair and code_verdict from sources.

Usage: python benchmarks/code_similarity.py [--python 200] [--seed 0]
Results also go to benchmarks/results/code_similarity.json. Exits 1 when the Java sources cannot
be fetched (Python results are still printed and written).
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import re
import string
import subprocess
import sys
import sysconfig
import tarfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from sklearn.metrics import roc_auc_score

from genguard.provenance.code import (
    DEFAULT_K,
    DEFAULT_KEEP_BUILTINS,
    DEFAULT_THRESHOLD,
    DEFAULT_W,
    CodeIndex,
    compare,
    fingerprint,
)
from genguard.provenance.code_features import Fragments, fragments
from genguard.provenance.code_pair import similarity
from genguard.provenance.code_tokens import parse, tokenize
from genguard.provenance.code_verdict import (
    SHRINK_TOKENS,
    SIZE_THRESHOLDS,
    THRESHOLD,
    size_threshold,
    verdict,
    verdict_score,
)
from genguard.provenance.winnow import fingerprint_tokens

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".cache"
RESULTS = HERE / "results" / "code_similarity.json"
JPYPE = "jpype1==1.7.1"
OBFUSCATIONS = ("rename", "reorder", "literals", "deadcode", "combined")
NEGATIVES_PER_ORIGINAL = 8  # random unrelated originals, plus every same-file original of the same half
PER_FILE = {"python": 3, "java": 5}  # originals drawn from one module or .java file at most
MIN_LINES, MAX_LINES = 15, 150
GRID_K = (5, 7, 9, 12, 15, 20)
GRID_W = (4, 6, 8, 12, 16)
TARGET_FPR = 0.01

Node = object  # tree_sitter.Node (typed loosely: the benchmark only reads it)


# ---------------------------------------------------------------- originals


def _lines(text: str) -> int:
    return text.count("\n") + 1


def _runs(children: list, movable: Callable[[object], bool]) -> list[list]:
    """Maximal runs of consecutive movable nodes (comments in between do not break a run)."""
    runs, current = [], []
    for child in children:
        if movable(child):
            current.append(child)
        elif child.type in ("comment", "line_comment", "block_comment"):
            continue
        else:
            if current:
                runs.append(current)
            current = []
    if current:
        runs.append(current)
    return runs


def _chunks_of(run: list, data: bytes) -> list[tuple[int, int]]:
    """Byte ranges (from the first node's line start) of groups of >= 2 nodes, MIN..MAX lines."""
    out, group = [], []

    def close() -> None:
        if len(group) >= 2:
            start = data.rfind(b"\n", 0, group[0].start_byte) + 1
            text = data[start : group[-1].end_byte]
            if MIN_LINES <= text.count(b"\n") + 1 <= MAX_LINES:
                out.append((start, group[-1].end_byte))

    for node in run:
        span = node.end_point.row - node.start_point.row + 1
        if span > MAX_LINES:
            close()
            group = []
            continue
        if group and node.end_point.row - group[0].start_point.row + 1 > MAX_LINES:
            close()
            group = []
        group.append(node)
    close()
    return out


def _dedupe(
    snippets: list[tuple[str, str]], language: str, seen: set[tuple[str, ...]] | None = None
) -> list[tuple[str, str]]:
    """Snippets whose normalised tokens differ from each other's and from those in `seen` (updated)."""
    seen = set() if seen is None else seen
    out = []
    for text, origin in snippets:
        key = tuple(tokenize(text, language).tokens)
        if key not in seen:
            seen.add(key)
            out.append((text, origin))
    return out


def python_originals(n: int, seed: int) -> list[tuple[str, str]]:
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    skip = re.compile(r"(^|/)(test|tests|idle_test|site-packages|__pycache__|lib2to3|turtledemo)(/|$)")
    candidates: list[list[str]] = []
    for path in sorted(stdlib.rglob("*.py")):
        rel = path.relative_to(stdlib).as_posix()
        if skip.search(rel):
            continue
        try:
            data = path.read_bytes()
            data.decode("utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        tree = parse(data, "python")
        if tree.root_node.has_error:
            continue
        defs = _runs(
            tree.root_node.children,
            lambda c: c.type in ("function_definition", "class_definition", "decorated_definition"),
        )
        found = []
        for run in defs:
            for start, end in _chunks_of(run, data):
                text = data[start:end].decode("utf-8")
                try:
                    compile(text, rel, "exec")
                except SyntaxError:
                    continue
                found.append((text, rel))
        if found:
            candidates.append(found)
    rng = random.Random(seed)
    rng.shuffle(candidates)
    pool = []
    seen: set[tuple[str, ...]] = set()
    for found in candidates:  # whole modules at a time, so that same-module negatives exist
        pool.extend(_dedupe(rng.sample(found, min(PER_FILE["python"], len(found))), "python", seen))
        if len(pool) >= n:
            break
    return pool[:n]


def fetch_jpype() -> Path | None:
    """The jpype1 sdist in benchmarks/.cache/ (downloaded with pip if missing), or None."""
    CACHE.mkdir(parents=True, exist_ok=True)
    found = sorted(CACHE.glob("jpype1-1.7.1.tar.gz"))
    if found:
        return found[0]
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:", JPYPE, "-d"]
    try:
        done = subprocess.run([*command, str(CACHE)], capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as exc:
        print(f"JAVA SKIPPED: could not run pip download {JPYPE}: {exc}", file=sys.stderr)
        return None
    found = sorted(CACHE.glob("jpype1-1.7.1.tar.gz"))
    if done.returncode != 0 or not found:
        print(
            f"JAVA SKIPPED: `pip download --no-deps --no-binary :all: {JPYPE}` failed "
            f"(exit {done.returncode}): {done.stderr.strip()[-500:]}",
            file=sys.stderr,
        )
        return None
    return found[0]


def java_originals(archive: Path, n: int, seed: int) -> list[tuple[str, str]]:
    snippets: list[list[str]] = []
    with tarfile.open(archive) as tar:
        members = sorted((m for m in tar.getmembers() if m.name.endswith(".java") and m.isfile()), key=str)
        for member in sorted(members, key=lambda m: m.name):
            data = tar.extractfile(member).read()
            try:
                data.decode("utf-8")
            except UnicodeDecodeError:
                continue
            tree = parse(data, "java")
            found = []
            stack = [tree.root_node]
            while stack:
                node = stack.pop()
                stack.extend(node.children)
                if node.type != "class_declaration" or node.has_error:
                    continue
                body = node.child_by_field_name("body")
                name = node.child_by_field_name("name").text.decode()
                runs = _runs(
                    body.named_children, lambda c: c.type in ("method_declaration", "constructor_declaration")
                )
                for run in runs:
                    for start, end in _chunks_of(run, data):
                        text = f"class {name} {{\n{data[start:end].decode('utf-8')}\n}}\n"
                        if not parse(text, "java").root_node.has_error:
                            found.append((text, member.name))
            if found:
                snippets.append(found)
    rng = random.Random(seed)
    pool = []
    for found in snippets:
        pool.extend(rng.sample(found, min(PER_FILE["java"], len(found))))
    rng.shuffle(pool)
    return _dedupe(pool, "java")[:n]


# ---------------------------------------------------------------- obfuscations


def _apply(data: bytes, edits: list[tuple[int, int, bytes]]) -> str:
    """Apply non-overlapping (start, end, replacement) byte edits."""
    out, last = [], 0
    for start, end, text in sorted(edits):
        assert start >= last, "overlapping edits"
        out.append(data[last:start])
        out.append(text)
        last = end
    out.append(data[last:])
    return b"".join(out).decode("utf-8")


def _walk(node):
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(reversed(n.children))


def _fresh_name(rng: random.Random, taken: set[str]) -> str:
    while True:
        name = rng.choice(string.ascii_lowercase) + "".join(
            rng.choice(string.ascii_lowercase + string.digits) for _ in range(rng.randint(3, 8))
        )
        if name not in taken:
            taken.add(name)
            return name


_PY_TARGETS = ("pattern_list", "tuple_pattern", "list_pattern", "list_splat_pattern", "tuple", "list")


def _python_bound(root) -> set[str]:
    bound: set[str] = set()

    def target(node) -> None:
        if node.type == "identifier":
            bound.add(node.text.decode())
        elif node.type in _PY_TARGETS or node.type in ("parenthesized_expression", "as_pattern_target"):
            for child in node.named_children:
                target(child)
        elif node.type == "attribute":
            obj = node.child_by_field_name("object")
            if obj is not None and obj.text in (b"self", b"cls"):
                bound.add(node.child_by_field_name("attribute").text.decode())

    for node in _walk(root):
        t = node.type
        if t in ("function_definition", "class_definition"):
            bound.add(node.child_by_field_name("name").text.decode())
        elif t in ("parameters", "lambda_parameters"):
            for p in node.named_children:
                if p.type == "identifier":
                    bound.add(p.text.decode())
                elif p.type in ("default_parameter", "typed_default_parameter"):
                    target(p.child_by_field_name("name"))
                elif p.type in ("typed_parameter", "list_splat_pattern", "dictionary_splat_pattern"):
                    for c in p.named_children:
                        if c.type == "identifier":
                            bound.add(c.text.decode())
                            break
        elif t in ("assignment", "augmented_assignment", "for_statement", "for_in_clause"):
            target(node.child_by_field_name("left"))
        elif t == "named_expression":
            target(node.child_by_field_name("name"))
        elif t == "as_pattern":
            alias = node.child_by_field_name("alias")
            if alias is not None:
                target(alias)
        elif t in ("global_statement", "nonlocal_statement"):
            for c in node.named_children:
                target(c)
    return {b for b in bound if not (b.startswith("__") and b.endswith("__")) and b not in ("self", "cls")}


def _java_bound(root) -> set[str]:
    bound: set[str] = set()
    for node in _walk(root):
        t = node.type
        if t in (
            "class_declaration",
            "interface_declaration",
            "enum_declaration",
            "method_declaration",
            "constructor_declaration",
            "formal_parameter",
            "catch_formal_parameter",
            "variable_declarator",
            "enhanced_for_statement",
        ):
            name = node.child_by_field_name("name")
            if name is not None:
                bound.add(name.text.decode())
        elif t == "type_parameter":
            bound.update(c.text.decode() for c in node.named_children if c.type == "type_identifier")
        elif t == "inferred_parameters" or (t == "lambda_expression"):
            params = node if t == "inferred_parameters" else node.child_by_field_name("parameters")
            if params is not None and params.type == "identifier":
                bound.add(params.text.decode())
            elif params is not None and params.type == "inferred_parameters":
                bound.update(c.text.decode() for c in params.named_children if c.type == "identifier")
    return bound - {"main"}


def rename(source: str, language: str, rng: random.Random) -> str:
    data = source.encode()
    tree = parse(data, language)
    bound = _python_bound(tree.root_node) if language == "python" else _java_bound(tree.root_node)
    taken = {n.text.decode() for n in _walk(tree.root_node) if n.type.endswith("identifier")}
    mapping = {name: _fresh_name(rng, taken) for name in sorted(bound)}
    edits = [
        (n.start_byte, n.end_byte, mapping[n.text.decode()].encode())
        for n in _walk(tree.root_node)
        if n.type in ("identifier", "type_identifier") and n.text.decode() in mapping
    ]
    return _apply(data, edits)


def _permute_slots(data: bytes, slots: list, rng: random.Random) -> list[tuple[int, int, bytes]]:
    if len(slots) < 2:
        return []
    order = list(range(len(slots)))
    while order == sorted(order):
        rng.shuffle(order)
    texts = [data[s.start_byte : s.end_byte] for s in slots]
    return [(s.start_byte, s.end_byte, texts[j]) for s, j in zip(slots, order, strict=True)]


def reorder(source: str, language: str, rng: random.Random) -> str:
    defs = ("function_definition", "class_definition", "decorated_definition")
    if language == "python":
        data = source.encode()
        top = [c for c in parse(data, language).root_node.children if c.type in defs]
        source = _apply(data, _permute_slots(data, top, rng))
        data = source.encode()
        edits = []
        for node in parse(data, language).root_node.children:  # top-level classes (nested ones stay)
            if node.type == "decorated_definition":
                node = node.child_by_field_name("definition")
            if node.type == "class_definition":
                body = node.child_by_field_name("body")
                edits += _permute_slots(data, [c for c in body.children if c.type in defs], rng)
        return _apply(data, edits)
    data = source.encode()
    edits = []
    for node in _walk(parse(data, language).root_node):
        if node.type == "class_body":
            members = [
                c for c in node.children if c.type in ("method_declaration", "constructor_declaration")
            ]
            edits += _permute_slots(data, members, rng)
            break  # the wrapper class: nested classes keep their order
    return _apply(data, edits)


def _new_number(text: str, language: str, rng: random.Random, used: set[str]) -> str:
    hexadecimal = text.lower().startswith("0x")
    suffixes = r"[jJ]*$" if language == "python" else (r"[lL]*$" if hexadecimal else r"[lLfFdD]*$")
    suffix = re.search(suffixes, text).group(0)
    body = text[: len(text) - len(suffix)] if suffix else text
    is_float = any(c in body for c in ".eE") and not body.lower().startswith("0x")
    while True:
        if is_float or suffix.lower() in ("f", "d"):
            value = f"{rng.uniform(0, 1000):.{rng.randint(1, 4)}f}"
        elif body.lower().startswith("0x"):
            value = hex(rng.randint(0, 0xFFFF))
        else:
            value = str(rng.randint(0, 100_000))
        value += suffix
        if value != text and value not in used:
            used.add(value)
            return value


def _new_words(rng: random.Random) -> str:
    return " ".join(
        "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(2, 8)))
        for _ in range(rng.randint(1, 4))
    )


def literals(source: str, language: str, rng: random.Random) -> str:
    data = source.encode()
    root = parse(data, language).root_node
    edits, used = [], set()
    for node in _walk(root):
        t = node.type
        if language == "python":
            if t == "string":
                contents = [c for c in node.children if c.type == "string_content"]
                if contents:
                    edits += [(c.start_byte, c.end_byte, _new_words(rng).encode()) for c in contents]
                else:
                    opener = node.children[0]
                    edits.append((opener.end_byte, opener.end_byte, _new_words(rng).encode()))
            elif t in ("integer", "float"):
                edits.append(
                    (
                        node.start_byte,
                        node.end_byte,
                        _new_number(node.text.decode(), language, rng, used).encode(),
                    )
                )
        else:
            if t == "string_literal":
                edits.append((node.start_byte, node.end_byte, f'"{_new_words(rng)}"'.encode()))
            elif t == "character_literal":
                edits.append(
                    (node.start_byte, node.end_byte, f"'{rng.choice(string.ascii_letters)}'".encode())
                )
            elif t.endswith("_literal") and ("integer" in t or "floating" in t):
                text = node.text.decode().replace("_", "")
                if t == "octal_integer_literal" or t == "binary_integer_literal":
                    text = "0"
                edits.append(
                    (node.start_byte, node.end_byte, _new_number(text, language, rng, used).encode())
                )
    return _apply(data, edits)


def _dead_python(rng: random.Random, taken: set[str], indent: str) -> str:
    v, n, m = _fresh_name(rng, taken), rng.randint(0, 999), rng.randint(0, 999)
    return rng.choice(
        [
            f"{v} = {n}",
            f"if False:\n{indent}    {v} = {n} * {m}",
            "pass",
            f"{v} = [{n}, {m}]",
            f"while False:\n{indent}    {v} = {n}",
            f"{v} = '{_new_words(rng)}'",
        ]
    )


def _dead_java(rng: random.Random, taken: set[str]) -> str:
    v, n, m = _fresh_name(rng, taken), rng.randint(0, 999), rng.randint(0, 999)
    return rng.choice(
        [
            f"int {v} = {n};",
            f"if (false) {{ int {v} = {n} * {m}; }}",
            ";",
            f'String {v} = "{_new_words(rng)}";',
            f"for (int {v} = 0; {v} < 0; {v}++) {{ }}",
            f"long {v} = {n}L + {m};",
        ]
    )


def deadcode(source: str, language: str, rng: random.Random) -> str:
    data = source.encode()
    root = parse(data, language).root_node
    taken = {n.text.decode() for n in _walk(root) if n.type.endswith("identifier")}
    points = []
    blocks = ("block",) if language == "python" else ("block", "constructor_body")
    for node in _walk(root):
        if node.type not in blocks:
            continue
        for child in node.named_children:
            if child.type in ("comment", "line_comment", "block_comment", "explicit_constructor_invocation"):
                continue
            line_start = data.rfind(b"\n", 0, child.start_byte) + 1
            if data[line_start : child.start_byte].strip():
                continue  # shares its line with other code (after a colon or brace)
            points.append((child.start_byte, child.start_point.column))
    count = min(len(points), max(2, _lines(source) // 10))
    edits = []
    for start, column in rng.sample(points, count):
        indent = " " * column
        dead = _dead_python(rng, taken, indent) if language == "python" else _dead_java(rng, taken)
        edits.append((start, start, f"{dead}\n{indent}".encode()))
    return _apply(data, edits)


def combined(source: str, language: str, rng: random.Random) -> str:
    for step in (rename, reorder, literals, deadcode):
        source = step(source, language, rng)
    return source


TRANSFORMS = {
    "rename": rename,
    "reorder": reorder,
    "literals": literals,
    "deadcode": deadcode,
    "combined": combined,
}


def valid(source: str, language: str) -> bool:
    if parse(source, language).root_node.has_error:
        return False
    if language == "python":
        try:
            compile(source, "<obfuscated>", "exec")
        except SyntaxError:
            return False
    return True


def obfuscate_all(originals: list[str], language: str, seed: int) -> tuple[list[dict[str, str]], dict]:
    """Five copies per original; counts of copies dropped because the result did not parse (or
    compile) and of copies equal to the original (nothing to change, e.g. no literals)."""
    copies = []
    failures = {"invalid": dict.fromkeys(OBFUSCATIONS, 0), "unchanged": dict.fromkeys(OBFUSCATIONS, 0)}
    for i, original in enumerate(originals):
        found = {}
        for j, name in enumerate(OBFUSCATIONS):
            rng = random.Random(seed * 1_000_003 + i * 31 + j)
            try:
                text = TRANSFORMS[name](original, language, rng)
            except Exception as exc:  # a bug in an obfuscator must show, not vanish
                print(f"  {language} #{i} {name} failed: {exc!r}", file=sys.stderr)
                text = None
            if text is None or not valid(text, language):
                failures["invalid"][name] += 1
            elif text == original:
                failures["unchanged"][name] += 1
            else:
                found[name] = text
        copies.append(found)
    return copies, failures


# ---------------------------------------------------------------- evaluation


def threshold_at(negatives: np.ndarray, fpr: float = TARGET_FPR) -> float:
    """Smallest threshold t with share(negatives >= t) <= fpr."""
    s = np.sort(negatives)
    allowed = int(np.floor(fpr * s.size))
    return float(np.nextafter(s[s.size - allowed - 1], np.inf))


class Corpus:
    """One language's originals and copies, their token hashes per token mode, and the pairs."""

    def __init__(
        self, language: str, originals: list[str], origins: list[str], copies: list[dict[str, str]], seed: int
    ) -> None:
        self.language, self.originals, self.origins, self.copies = language, originals, origins, copies
        rng = random.Random(seed)
        # Split by source file, so that no file contributes to both halves.
        files = sorted(set(origins))
        rng.shuffle(files)
        tune_files, count = set(), 0
        for f in files:
            if count >= len(originals) // 2:
                break
            tune_files.add(f)
            count += origins.count(f)
        ids = range(len(originals))
        self.split = {
            "tune": [i for i in ids if origins[i] in tune_files],
            "test": [i for i in ids if origins[i] not in tune_files],
        }
        self.docs: list[str] = list(originals)
        self.copy_index: dict[tuple[int, str], int] = {}
        for i, found in enumerate(copies):
            for name, text in found.items():
                self.copy_index[(i, name)] = len(self.docs)
                self.docs.append(text)
        self.pairs: dict[str, list[tuple[int, int, str]]] = {}
        for part, members in self.split.items():
            pairs = []
            for i in members:
                for name in OBFUSCATIONS:
                    if (i, name) in self.copy_index:
                        pairs.append((i, self.copy_index[(i, name)], name))
                same = [j for j in members if j != i and origins[j] == origins[i]]
                others = [j for j in members if j != i and origins[j] != origins[i]]
                for j in rng.sample(others, min(NEGATIVES_PER_ORIGINAL, len(others))):
                    pairs.append((i, j, "unrelated"))
                pairs += [(i, j, "same_file") for j in same if i < j]
            self.pairs[part] = pairs
        self._tokens: dict[tuple[bool, bool], list[np.ndarray]] = {}

    def token_hashes(self, normalize: bool, keep_builtins: bool) -> list[np.ndarray]:
        key = (normalize, keep_builtins and normalize)
        if key not in self._tokens:
            self._tokens[key] = [
                tokenize(d, self.language, normalize=normalize, keep_builtins=key[1]).hashes()
                for d in self.docs
            ]
        return self._tokens[key]

    def scores(self, part: str, normalize: bool, keep: bool, k: int, w: int) -> dict[str, np.ndarray]:
        """Per pair: containment and jaccard, and the pair's kind."""
        sets = {}
        tokens = self.token_hashes(normalize, keep)
        needed = {x for a, b, _ in self.pairs[part] for x in (a, b)}
        for d in needed:
            sets[d] = np.unique(fingerprint_tokens(tokens[d], k, w)[0])
        cont, jac, kind = [], [], []
        for a, b, name in self.pairs[part]:
            sa, sb = sets[a], sets[b]
            shared = np.intersect1d(sa, sb, assume_unique=True).size if sa.size and sb.size else 0
            cont.append(shared / max(1, min(sa.size, sb.size)))
            jac.append(shared / max(1, sa.size + sb.size - shared))
            kind.append(name)
        return {"containment": np.array(cont), "jaccard": np.array(jac), "kind": np.array(kind)}


NEGATIVE_KINDS = ("unrelated", "same_file")


def _negative(kinds: np.ndarray) -> np.ndarray:
    return np.isin(kinds, NEGATIVE_KINDS)


def evaluate(scores: np.ndarray, kinds: np.ndarray, threshold: float) -> dict:
    neg = scores[_negative(kinds)]
    pos_all = scores[~_negative(kinds)]
    same = scores[kinds == "same_file"]
    out = {
        "auc": float(roc_auc_score(np.r_[np.ones(pos_all.size), np.zeros(neg.size)], np.r_[pos_all, neg])),
        "threshold": threshold,
        "fpr": float(np.mean(neg >= threshold)),
        "recall": float(np.mean(pos_all >= threshold)),
        "negatives": int(neg.size),
        "same_file_negatives": int(same.size),
        "fpr_same_file": float(np.mean(same >= threshold)) if same.size else None,
        "auc_vs_same_file": (
            float(roc_auc_score(np.r_[np.ones(pos_all.size), np.zeros(same.size)], np.r_[pos_all, same]))
            if same.size
            else None
        ),
        "positives": int(pos_all.size),
        "per_obfuscation": {},
    }
    for name in OBFUSCATIONS:
        pos = scores[kinds == name]
        if pos.size == 0:
            continue
        out["per_obfuscation"][name] = {
            "auc": float(roc_auc_score(np.r_[np.ones(pos.size), np.zeros(neg.size)], np.r_[pos, neg])),
            "recall": float(np.mean(pos >= threshold)),
            "n": int(pos.size),
        }
    return out


def tune(corpora: list[Corpus], normalize: bool) -> tuple[dict, list[dict]]:
    """Grid over k, w, keep_builtins, score on the tuning halves; best by mean recall at 1 % FPR."""
    tried, best = [], None
    keeps = (False, True) if normalize else (False,)
    for k, w, keep in itertools.product(GRID_K, GRID_W, keeps):
        per = {c.language: c.scores("tune", normalize, keep, k, w) for c in corpora}
        for score in ("containment", "jaccard"):
            row = {"k": k, "w": w, "keep_builtins": keep, "score": score}
            recalls, margins = [], []
            for lang, s in per.items():
                values, kinds = s[score], s["kind"]
                thr = threshold_at(values[_negative(kinds)])
                res = evaluate(values, kinds, thr)
                combined_pos = values[kinds == "combined"]
                margin = float(np.quantile(combined_pos, 0.05) - np.quantile(values[_negative(kinds)], 0.99))
                row[lang] = {
                    "auc": round(res["auc"], 4),
                    "recall_at_1pct_fpr": round(res["recall"], 4),
                    "combined_auc": round(
                        res["per_obfuscation"].get("combined", {}).get("auc", float("nan")), 4
                    ),
                    "combined_recall": round(
                        res["per_obfuscation"].get("combined", {}).get("recall", float("nan")), 4
                    ),
                    "margin": round(margin, 4),
                }
                recalls.append(res["recall"])
                margins.append(margin)
            row["objective"] = round(float(np.mean(recalls)), 4)
            row["tie_break_margin"] = round(float(np.mean(margins)), 4)
            tried.append(row)
            key = (row["objective"], row["tie_break_margin"])
            if best is None or key > (best["objective"], best["tie_break_margin"]):
                best = row
    return best, tried


def held_out(corpora: list[Corpus], config: dict, normalize: bool) -> dict:
    """Held-out results at `config`: a pooled threshold from the tuning negatives of all languages,
    and each language's own tuning threshold."""
    k, w, keep, score = config["k"], config["w"], config["keep_builtins"], config["score"]
    tune_neg = []
    per_lang_thr = {}
    for c in corpora:
        s = c.scores("tune", normalize, keep, k, w)
        neg = s[score][_negative(s["kind"])]
        tune_neg.append(neg)
        per_lang_thr[c.language] = threshold_at(neg)
    pooled = threshold_at(np.concatenate(tune_neg))
    out = {"pooled_threshold": pooled, "languages": {}}
    values, kinds = [], []
    for c in corpora:
        s = c.scores("test", normalize, keep, k, w)
        out["languages"][c.language] = {
            "pooled": evaluate(s[score], s["kind"], pooled),
            "own_threshold": evaluate(s[score], s["kind"], per_lang_thr[c.language]),
        }
        values.append(s[score])
        kinds.append(s["kind"])
    out["overall"] = evaluate(np.concatenate(values), np.concatenate(kinds), pooled)
    return out


def at_library_defaults(corpora: list[Corpus]) -> dict:
    """Held-out results with genguard.provenance.code's defaults (k, w, builtins, containment) and
    its DEFAULT_THRESHOLD: the numbers its docstrings quote."""
    out = {
        "k": DEFAULT_K,
        "w": DEFAULT_W,
        "keep_builtins": DEFAULT_KEEP_BUILTINS,
        "threshold": DEFAULT_THRESHOLD,
    }
    for c in corpora:
        s = c.scores("test", True, DEFAULT_KEEP_BUILTINS, DEFAULT_K, DEFAULT_W)
        out[c.language] = evaluate(s["containment"], s["kind"], DEFAULT_THRESHOLD)
    return out


def speed(corpora: list[Corpus], config: dict) -> dict:
    k, w, keep = config["k"], config["w"], config["keep_builtins"]
    docs = [(c.language, d) for c in corpora for d in c.docs]
    total_bytes = sum(len(d.encode()) for _, d in docs)
    started = time.perf_counter()
    fps = [fingerprint(d, lang, k, w, keep_builtins=keep) for lang, d in docs]
    fp_s = time.perf_counter() - started
    tokens = sum(f.n_tokens for f in fps)
    pairs = []
    offset = 0
    for c in corpora:
        pairs += [(fps[offset + a], fps[offset + b]) for a, b, _ in c.pairs["test"]]
        offset += len(c.docs)
    started = time.perf_counter()
    for fa, fb in pairs:
        compare(fa, fb)
    cmp_s = time.perf_counter() - started
    sample = []
    for c in corpora:
        sample += [(c.language, c.docs[a], c.docs[b]) for a, b, _ in c.pairs["test"][:200]]
    started = time.perf_counter()
    for lang, a, b in sample:
        compare(a, b, lang, k, w, keep_builtins=keep)
    src_s = time.perf_counter() - started
    return {
        "documents": len(docs),
        "mean_lines": float(np.mean([d.count("\n") + 1 for _, d in docs])),
        "mean_tokens": tokens / len(docs),
        "fingerprints_per_s": len(docs) / fp_s,
        "tokens_per_s": tokens / fp_s,
        "mb_per_s": total_bytes / fp_s / 1e6,
        "compares_per_s_from_fingerprints": len(pairs) / cmp_s,
        "compares_per_s_from_sources": len(sample) / src_s,
    }


INDEX_RULES = {"no_rule": (1.0, 10**9), "share_0.02_min_10": (0.02, 10), "share_0.05_min_20": (0.05, 20)}


def index_retrieval(corpora: list[Corpus]) -> dict:
    """CodeIndex (library defaults) over the tuning-half originals of both languages. Queries: each
    of their copies (is its original ranked first?) and each held-out original, which is in no
    indexed file (does its best hit reach DEFAULT_THRESHOLD: a false alarm?). Once per boilerplate
    rule."""
    out = {}
    for label, (share, min_docs) in INDEX_RULES.items():
        index = CodeIndex(boilerplate_share=share, boilerplate_min_docs=min_docs)
        for c in corpora:
            for i in c.split["tune"]:
                index.add(f"{c.language}:{i}", c.originals[i], c.language)
        hits, queries, ranks = dict.fromkeys(OBFUSCATIONS, 0), dict.fromkeys(OBFUSCATIONS, 0), []
        started = time.perf_counter()
        for c in corpora:
            for i in c.split["tune"]:
                for name in OBFUSCATIONS:
                    if (i, name) not in c.copy_index:
                        continue
                    results = index.query(c.docs[c.copy_index[(i, name)]], c.language, top_k=10)
                    ids = [r.doc_id for r in results]
                    want = f"{c.language}:{i}"
                    queries[name] += 1
                    hits[name] += ids[:1] == [want]
                    ranks.append(1 / (ids.index(want) + 1) if want in ids else 0.0)
        elapsed = time.perf_counter() - started
        alarms, unrelated = 0, 0
        for c in corpora:
            for i in c.split["test"]:
                results = index.query(c.originals[i], c.language, top_k=1)
                unrelated += 1
                alarms += bool(results) and results[0].score >= DEFAULT_THRESHOLD
        out[label] = {
            "documents": len(index),
            "boilerplate_limit": index.boilerplate_limit(),
            "top1": {n: hits[n] / max(1, queries[n]) for n in OBFUSCATIONS},
            "top1_all": sum(hits.values()) / max(1, sum(queries.values())),
            "copy_queries": sum(queries.values()),
            "mrr": float(np.mean(ranks)) if ranks else 0.0,
            "false_alarm_rate": alarms / max(1, unrelated),
            "unrelated_queries": unrelated,
            "queries_per_s": sum(queries.values()) / elapsed,
        }
    return out


# ---------------------------------------------------------------- pairwise similarity and the verdict

# The same held-out pairs scored by genguard.provenance.code_pair (structure + strings + comments),
# by combinations of it with winnowed containment, and by code_verdict (what `code-compare` uses);
# thresholds for FPR <= 1 % from the tuning negatives (both languages pooled), as for containment.
# code_verdict's SHRINK_TOKENS is re-chosen here on the tuning halves of this benchmark and of the
# plagiarism benchmark (benchmarks/plagiarism, tune tasks) and compared with the library constant.
SHRINK_GRID = (0, 10, 20, 25, 30, 35, 40, 50, 60, 80, 100, 120, 160, 240)
PARTS = ("pair", "alignment", "statements", "strings", "comments", "containment", "tokens")
LEVELS = ("L1", "L2", "L3", "L4", "L5", "L6")


def _parts(fa: Fragments, fb: Fragments, language: str, containment: float) -> tuple[float, ...]:
    """The code_pair parts of one pair, None families as NaN, beside containment and n."""
    s = similarity(fa, fb, language)
    nan = float("nan")
    tokens = min(len(fa.stream.hashes), len(fb.stream.hashes))
    return (
        s.score,
        s.alignment,
        s.statements,
        nan if s.strings is None else s.strings,
        nan if s.comments is None else s.comments,
        containment,
        tokens,
    )


def _none(x: float) -> float | None:
    return None if np.isnan(x) else float(x)


def score_with(parts: dict[str, np.ndarray], method: str, shrink: int = SHRINK_TOKENS) -> np.ndarray:
    """Scores of the pairs in `parts` by one method: code_pair, max/mean of it and containment, or
    code_verdict's score with alignment shrinkage `shrink`."""
    if method == "code_pair":
        return parts["pair"]
    if method == "max(code_pair, containment)":
        return np.maximum(parts["pair"], parts["containment"])
    if method == "mean(code_pair, containment)":
        return (parts["pair"] + parts["containment"]) / 2
    cols = [parts[p] for p in PARTS[1:]]
    return np.array(
        [
            verdict_score(al, st, _none(sg), _none(cm), ct, int(n), shrink)[0]
            for al, st, sg, cm, ct, n in zip(*cols, strict=True)
        ]
    )


PAIR_METHODS = (
    "code_pair",
    "max(code_pair, containment)",
    "mean(code_pair, containment)",
    "code-compare (code_verdict)",
)


def obfuscation_parts(corpora: list[Corpus]) -> dict[tuple[str, str], dict[str, np.ndarray]]:
    """(language, part) -> the parts of every pair of that half, and its kinds."""
    out = {}
    for c in corpora:
        frags = {}
        for part in ("tune", "test"):
            containment = c.scores(part, True, DEFAULT_KEEP_BUILTINS, DEFAULT_K, DEFAULT_W)["containment"]
            rows = []
            for (a, b, _), ct in zip(c.pairs[part], containment.tolist(), strict=True):
                for d in (a, b):
                    if d not in frags:
                        frags[d] = fragments(c.docs[d], c.language)
                rows.append(_parts(frags[a], frags[b], c.language, ct))
            table = np.array(rows, dtype=float).reshape(-1, len(PARTS))
            out[(c.language, part)] = {p: table[:, i] for i, p in enumerate(PARTS)}
            out[(c.language, part)]["kind"] = np.array([k for _, _, k in c.pairs[part]])
    return out


def plagiarism_parts() -> dict[str, np.ndarray]:
    """The parts of every protocol pair of benchmarks/plagiarism_code.py (original vs each other
    file of its task), with split ("tune"/"heldout") and level ("" for independent solutions)."""
    sys.path.insert(0, str(HERE))
    import plagiarism_code

    rows, split, level = [], [], []
    for t in plagiarism_code.load_tasks():
        lang = t["language"]
        for i, j, lvl in plagiarism_code.task_pairs(t):
            a, b = t["files"][i]["source"], t["files"][j]["source"]
            rows.append(_parts(fragments(a, lang), fragments(b, lang), lang, compare(a, b, lang).containment))
            split.append(t["split"])
            level.append(lvl or "")
    table = np.array(rows, dtype=float)
    out = {p: table[:, i] for i, p in enumerate(PARTS)}
    out["split"], out["level"] = np.array(split), np.array(level)
    return out


def _plag_threshold(neg: np.ndarray) -> float:
    """The plagiarism benchmark's threshold for 1 % FPR (above the highest negative when < 100)."""
    allowed = int(np.floor(TARGET_FPR * neg.size))
    return float(np.nextafter(np.sort(neg)[::-1][allowed], np.inf))


def plagiarism_eval(values: np.ndarray, plag: dict[str, np.ndarray], split: str, fixed: float) -> dict:
    """As benchmarks/plagiarism_code.py: AUC and per-level recall at 1 % FPR with the threshold
    from this split's own negatives (its protocol); beside them FPR and recall at `fixed`."""
    keep = plag["split"] == split
    neg = values[keep & (plag["level"] == "")]
    pos = values[keep & (plag["level"] != "")]
    own = _plag_threshold(neg)
    auc = float(roc_auc_score(np.r_[np.ones(pos.size), np.zeros(neg.size)], np.r_[pos, neg]))
    out = {
        "auc": auc,
        "own_threshold": own,
        "levels": {},
        "fixed_threshold": fixed,
        "fpr_at_fixed": float(np.mean(neg >= fixed)),
        "positives": int(pos.size),
        "negatives": int(neg.size),
    }
    for lvl in LEVELS:
        p = values[keep & (plag["level"] == lvl)]
        out["levels"][lvl] = {
            "recall": float(np.mean(p >= own)),
            "recall_at_fixed": float(np.mean(p >= fixed)),
        }
    return out


def obfuscation_eval(parts: dict, values: dict, fixed: float | None = None) -> dict:
    """Held-out results of one method's scores (`values`: (language, part) -> array): the pooled
    threshold from the tuning negatives, as held_out(); with `fixed`, also at that threshold."""
    pooled = threshold_at(
        np.concatenate([values[k][_negative(parts[k]["kind"])] for k in values if k[1] == "tune"])
    )
    out = {"pooled_threshold": pooled, "languages": {}}
    for (lang, part), v in values.items():
        if part != "test":
            continue
        kinds = parts[(lang, part)]["kind"]
        out["languages"][lang] = {"pooled": evaluate(v, kinds, pooled)}
        if fixed is not None:
            out["languages"][lang]["fixed"] = evaluate(v, kinds, fixed)
    return out


def verdict_grid(parts: dict, plag: dict) -> dict:
    """SHRINK_TOKENS on the tuning halves: keep the values whose plagiarism-tune AUC and per-level
    recall are at least code_pair's; among them the best mean over languages of obfuscation-tune
    recall at the pooled <= 1 % FPR threshold (ties: higher plagiarism-tune AUC)."""
    tune_keys = [k for k in parts if k[1] == "tune"]
    base = plagiarism_eval(plag["pair"], plag, "tune", 1.0)
    tried = []
    for shrink in SHRINK_GRID:
        pl = plagiarism_eval(score_with(plag, "verdict", shrink), plag, "tune", 1.0)
        values = {k: score_with(parts[k], "verdict", shrink) for k in tune_keys}
        thr = threshold_at(np.concatenate([values[k][_negative(parts[k]["kind"])] for k in tune_keys]))
        recall = [float(np.mean(values[k][~_negative(parts[k]["kind"])] >= thr)) for k in tune_keys]
        allowed = pl["auc"] >= base["auc"] and all(
            pl["levels"][lv]["recall"] >= base["levels"][lv]["recall"] for lv in LEVELS
        )
        tried.append(
            {
                "shrink_tokens": shrink,
                "allowed": allowed,
                "objective": float(np.mean(recall)),
                "plagiarism_tune_auc": pl["auc"],
                "plagiarism_tune_recall": [pl["levels"][lv]["recall"] for lv in LEVELS],
            }
        )
    best = max(tried, key=lambda r: (r["allowed"], round(r["objective"], 6), r["plagiarism_tune_auc"]))
    return {"chosen": best["shrink_tokens"], "library": SHRINK_TOKENS, "tried": tried}


# Size bins for the size-dependent threshold (structural tokens of the smaller program), fixed
# before fitting; a bin with fewer than SIZE_MIN_NEGATIVES tuning negatives joins the shorter bin.
SIZE_EDGES = (50, 100, 200, 400)
SIZE_MIN_NEGATIVES = 100


def fit_size_thresholds(groups: list[tuple[np.ndarray, np.ndarray, bool]]) -> list[dict]:
    """Piecewise-constant threshold(n) from tuning negatives only. `groups`: (scores, tokens,
    plagiarism rule) per benchmark. Per bin the higher of each benchmark's <= 1 % FPR threshold (the
    plagiarism rule: above its highest negative when < 100), then non-increasing in n."""
    bounds = [0, *SIZE_EDGES, None]
    bins = [[lo, hi] for lo, hi in itertools.pairwise(bounds)]

    def inside(n: np.ndarray, lo: int, hi: int | None) -> np.ndarray:
        return (n >= lo) & (n < (np.inf if hi is None else hi))

    for i in range(len(bins) - 1, 0, -1):
        if sum(int(inside(n, *bins[i]).sum()) for _, n, _ in groups) < SIZE_MIN_NEGATIVES:
            bins[i - 1][1] = bins[i][1]
            del bins[i]
    out = []
    for lo, hi in bins:
        found = [
            (_plag_threshold if plag_rule else threshold_at)(s[inside(n, lo, hi)])
            for s, n, plag_rule in groups
            if inside(n, lo, hi).any()
        ]
        out.append({"min_tokens": lo, "max_tokens": hi, "threshold": max(found, default=0.0),
                    "negatives": sum(int(inside(n, lo, hi).sum()) for _, n, _ in groups)})  # fmt: skip
    for i in range(len(out) - 2, -1, -1):
        out[i]["threshold"] = max(out[i]["threshold"], out[i + 1]["threshold"])
    return out


def size_results(parts: dict, plag: dict) -> dict:
    """The size-dependent threshold: fitted on the tuning halves, then the library's SIZE_THRESHOLDS
    on the held-out halves (FPR overall, same-file and by size range; recall per obfuscation / level)."""
    v = score_with(plag, "verdict")
    tune_neg = (plag["split"] == "tune") & (plag["level"] == "")
    values = {k: score_with(p, "verdict") for k, p in parts.items()}
    obf = [(values[k], parts[k]["tokens"], _negative(parts[k]["kind"])) for k in parts if k[1] == "tune"]
    fit = fit_size_thresholds(
        [
            (v[tune_neg], plag["tokens"][tune_neg], True),
            (np.concatenate([s[m] for s, _, m in obf]), np.concatenate([n[m] for _, n, m in obf]), False),
        ]
    )
    out: dict = {"fit": fit, "library": [list(r) for r in SIZE_THRESHOLDS], "obfuscation": {}}
    # derived iff score >= threshold(n), i.e. score - threshold(n) >= 0: evaluate() on that margin.
    for (lang, part), p in parts.items():
        if part != "test":
            continue
        margin = values[(lang, part)] - np.array([size_threshold(int(n)) for n in p["tokens"]])
        r = evaluate(margin, p["kind"], 0.0)
        r["by_size"] = {}
        for lo, hi in zip((0, *SIZE_EDGES), (*SIZE_EDGES, None), strict=True):
            m = (p["tokens"] >= lo) & (p["tokens"] < (np.inf if hi is None else hi))
            neg, same = m & _negative(p["kind"]), m & (p["kind"] == "same_file")
            r["by_size"][f"{lo}-{hi or ''}"] = {
                "negatives": int(neg.sum()),
                "false_positives": int((margin[neg] >= 0).sum()),
                "same_file_false_positives": f"{int((margin[same] >= 0).sum())}/{int(same.sum())}",
                "recall_combined": float(np.mean(margin[m & (p["kind"] == "combined")] >= 0))
                if (m & (p["kind"] == "combined")).any()
                else None,
            }
        out["obfuscation"][lang] = r
    applied = np.array([size_threshold(int(n)) for n in plag["tokens"]])
    for split in ("heldout", "tune"):
        keep = plag["split"] == split
        out[f"plagiarism_{split}"] = {
            "fpr": float(np.mean(v[keep & (plag["level"] == "")] >= applied[keep & (plag["level"] == "")])),
            "negatives": int((keep & (plag["level"] == "")).sum()),
            "levels": {
                lv: float(np.mean(v[keep & (plag["level"] == lv)] >= applied[keep & (plag["level"] == lv)]))
                for lv in LEVELS
            },
        }
    return out


def pairwise_results(corpora: list[Corpus]) -> dict:
    """code_pair and the combinations on the held-out obfuscation pairs; code_verdict at its
    THRESHOLD on both benchmarks' held-out halves; the grid for SHRINK_TOKENS; speed."""
    parts = obfuscation_parts(corpora)
    plag = plagiarism_parts()
    out: dict = {"methods": {}, "grid": verdict_grid(parts, plag)}
    for method in PAIR_METHODS:
        values = {k: score_with(p, method) for k, p in parts.items()}
        plag_values = score_with(plag, method)
        fixed = THRESHOLD if method.startswith("code-compare") else None
        out["methods"][method] = {
            "obfuscation": obfuscation_eval(parts, values, fixed),
            "plagiarism_heldout": plagiarism_eval(plag_values, plag, "heldout", fixed or 1.0),
            "plagiarism_tune": plagiarism_eval(plag_values, plag, "tune", fixed or 1.0),
        }
    v = score_with(plag, "verdict")
    out["verdict_threshold"] = {
        "library": THRESHOLD,
        "plagiarism_tune": _plag_threshold(v[(plag["split"] == "tune") & (plag["level"] == "")]),
        "obfuscation_tune": out["methods"]["code-compare (code_verdict)"]["obfuscation"]["pooled_threshold"],
    }
    out["size_threshold"] = size_results(parts, plag)
    out["speed"] = pairwise_speed(corpora)
    return out


def pairwise_speed(corpora: list[Corpus]) -> dict:
    """Compares/s from sources (parsing included) for code_pair.similarity and code_verdict.verdict
    over the first 200 held-out pairs per language, and code_pair from ready fragments."""
    sample = [(c.language, c.docs[a], c.docs[b]) for c in corpora for a, b, _ in c.pairs["test"][:200]]
    out = {
        "pairs": len(sample),
        "mean_lines": float(np.mean([s.count("\n") + 1 for _, a, b in sample for s in (a, b)])),
    }
    for name, fn in (("code_pair_from_sources", similarity), ("code_verdict_from_sources", verdict)):
        started = time.perf_counter()
        for lang, a, b in sample:
            fn(a, b, lang)
        out[name] = len(sample) / (time.perf_counter() - started)
    frags = [(lang, fragments(a, lang), fragments(b, lang)) for lang, a, b in sample]
    started = time.perf_counter()
    for lang, fa, fb in frags:
        similarity(fa, fb, lang)
    out["code_pair_from_fragments"] = len(frags) / (time.perf_counter() - started)
    return out


def _recalls(r: dict, key: str = "recall", digits: int = 2) -> str:
    return "/".join(f"{r['per_obfuscation'][n][key]:.{digits}f}" for n in OBFUSCATIONS)


def print_pairwise(result: dict) -> None:
    pw = result["pairwise"]
    methods = pw["methods"]
    rows = [("containment (today)", result["held_out"])]
    rows += [(m, r["obfuscation"]) for m, r in methods.items()]
    langs = list(result["held_out"]["languages"])
    short = "/".join(n[:4] for n in OBFUSCATIONS)
    print("\nheld-out half, pairwise methods (threshold from the tuning negatives, pooled):")
    print(
        f"{'method':<30}{'threshold':>10}"
        + "".join(f"{lang:>8} AUC    FPR  recall {short:<16}" for lang in langs)
    )
    for name, r in rows:
        cells = ""
        for lang in langs:
            p = r["languages"][lang]["pooled"]
            cells += f"{p['auc']:>12.3f}{p['fpr']:>7.3f}  {_recalls(p):<30}"
        print(f"{name:<30}{r['pooled_threshold']:>10.3f}{cells}")
    print(f"per-obfuscation AUC ({short}):")
    for name, r in rows:
        cells = ", ".join(f"{lang} " + _recalls(r["languages"][lang]["pooled"], "auc", 3) for lang in langs)
        print(f"  {name:<30} {cells}")
    print("\nplagiarism benchmark, held-out tasks (recall at 1 % FPR of the split's own negatives):")
    for m, r in methods.items():
        h = r["plagiarism_heldout"]
        lv = "/".join(f"{h['levels'][x]['recall']:.2f}" for x in LEVELS)
        tune_auc = r["plagiarism_tune"]["auc"]
        print(f"  {m:<30} AUC {h['auc']:.3f}  recall L1..L6 {lv}  (tune AUC {tune_auc:.3f})")
    vt, g = pw["verdict_threshold"], pw["grid"]
    print(f"\ncode_verdict SHRINK_TOKENS chosen on the tuning halves: {g['chosen']} (library {g['library']})")
    print(
        f"code-compare threshold {vt['library']}; tune thresholds for <= 1 % FPR: plagiarism "
        f"{vt['plagiarism_tune']:.3f}, obfuscation {vt['obfuscation_tune']:.3f}"
    )
    v = methods["code-compare (code_verdict)"]
    h = v["plagiarism_heldout"]
    fixed = "/".join(f"{h['levels'][x]['recall_at_fixed']:.2f}" for x in LEVELS)
    print(f"  at {vt['library']}: plagiarism held-out FPR {h['fpr_at_fixed']:.3f}, recall L1..L6 {fixed}")
    for lang, r in v["obfuscation"]["languages"].items():
        f = r["fixed"]
        print(f"  at {vt['library']}: obfuscation held-out {lang} FPR {f['fpr']:.3f}, recall {_recalls(f)}")
    st = pw["size_threshold"]
    fit = ", ".join(f"n>={r['min_tokens']} {r['threshold']:.4f}" for r in st["fit"])
    lib = ", ".join(f"n>={n} {t}" for n, t in st["library"])
    print(f"size-dependent threshold fitted on the tuning negatives: {fit}; library: {lib}")
    h = st["plagiarism_heldout"]
    levels = "/".join(f"{h['levels'][x]:.2f}" for x in LEVELS)
    print(f"  by size: plagiarism held-out FPR {h['fpr']:.3f} ({h['negatives']}), recall L1..L6 {levels}")
    for lang, f in st["obfuscation"].items():
        print(
            f"  by size: obfuscation held-out {lang} FPR {f['fpr']:.3f}, same-file {f['fpr_same_file']:.3f}, "
            f"recall {_recalls(f)}"
        )
        sizes = "; ".join(
            f"{k}: FP {b['false_positives']}/{b['negatives']} (same-file {b['same_file_false_positives']})"
            for k, b in f["by_size"].items()
        )
        print(f"    {sizes}")
    sp = pw["speed"]
    print(
        f"speed (1 process, {sp['pairs']} held-out pairs, mean {sp['mean_lines']:.0f} lines): code_pair "
        f"{sp['code_pair_from_sources']:.0f} compares/s from sources, "
        f"{sp['code_pair_from_fragments']:.0f} from fragments; code_verdict "
        f"{sp['code_verdict_from_sources']:.0f}/s from sources"
    )


# ---------------------------------------------------------------- report


def print_table(result: dict) -> None:
    ours, base = result["held_out"], result["baseline_held_out"]
    cfg, bcfg = result["chosen"], result["baseline_chosen"]
    print(
        f"\nchosen on the tuning half: k={cfg['k']} w={cfg['w']} keep_builtins={cfg['keep_builtins']} "
        f"score={cfg['score']}; baseline (raw tokens): k={bcfg['k']} w={bcfg['w']} score={bcfg['score']}"
    )
    print(
        f"threshold for FPR <= 1 % (from tuning negatives, pooled): {ours['pooled_threshold']:.4f} "
        f"(baseline {base['pooled_threshold']:.4f})"
    )
    header = f"{'held-out half':<26}" + "".join(f"{lang:>22}" for lang in ours["languages"])
    print(
        f"overall (both languages pooled): ROC AUC {ours['overall']['auc']:.3f} "
        f"(baseline {base['overall']['auc']:.3f}), recall at FPR <= 1 % {ours['overall']['recall']:.3f} "
        f"(baseline {base['overall']['recall']:.3f})"
    )
    print("\n" + header)
    print(f"{'':<26}" + "".join(f"{'genguard  baseline':>22}" for _ in ours["languages"]))

    def row(label: str, get: Callable[[dict], float]) -> None:
        cells = ""
        for lang in ours["languages"]:
            a = get(ours["languages"][lang]["pooled"])
            b = get(base["languages"][lang]["pooled"])
            cells += f"{a:>12.3f}{b:>10.3f}"
        print(f"{label:<26}{cells}")

    row("ROC AUC, all obfuscations", lambda r: r["auc"])
    for name in OBFUSCATIONS:
        row(f"  AUC {name}", lambda r, n=name: r["per_obfuscation"].get(n, {}).get("auc", float("nan")))
    row("FPR at threshold", lambda r: r["fpr"])
    row(
        "  FPR same-file negatives",
        lambda r: r["fpr_same_file"] if r["fpr_same_file"] is not None else float("nan"),
    )
    row("AUC vs same-file negatives", lambda r: r["auc_vs_same_file"] or float("nan"))
    row("recall, all obfuscations", lambda r: r["recall"])
    for name in OBFUSCATIONS:
        row(f"  recall {name}", lambda r, n=name: r["per_obfuscation"].get(n, {}).get("recall", float("nan")))
    print(
        "\n(pairs per language: "
        + ", ".join(
            f"{lang} {v['pooled']['positives']} positive / {v['pooled']['negatives']} negative "
            f"({v['pooled']['same_file_negatives']} same-file)"
            for lang, v in ours["languages"].items()
        )
        + ")"
    )
    d = result["library_defaults"]
    print(
        f"\nlibrary defaults (k={d['k']} w={d['w']}, containment >= {d['threshold']}), held-out half: "
        + "; ".join(
            f"{lang} AUC {d[lang]['auc']:.3f}, FPR {d[lang]['fpr']:.3f}, recall {d[lang]['recall']:.3f} "
            f"(combined {d[lang]['per_obfuscation']['combined']['recall']:.3f})"
            for lang in ours["languages"]
        )
    )
    sp = result["speed"]
    print(
        f"\nspeed (1 process): {sp['fingerprints_per_s']:.0f} fingerprints/s "
        f"({sp['tokens_per_s'] / 1e3:.0f}k tokens/s, {sp['mb_per_s']:.2f} MB/s, "
        f"mean {sp['mean_lines']:.0f} lines); "
        f"{sp['compares_per_s_from_fingerprints']:.0f} compares/s from fingerprints (with regions), "
        f"{sp['compares_per_s_from_sources']:.0f} compares/s from sources"
    )
    for label, r in result["index"].items():
        print(
            f"CodeIndex ({label}, {r['documents']} docs, limit {r['boilerplate_limit']}): top-1 "
            f"{r['top1_all']:.3f} of {r['copy_queries']} copies, MRR {r['mrr']:.3f}, "
            f"false alarms {r['false_alarm_rate']:.3f} of "
            f"{r['unrelated_queries']} unrelated, {r['queries_per_s']:.0f} queries/s; top-1 per obfuscation "
            + ", ".join(f"{n} {v:.3f}" for n, v in r["top1"].items())
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--python", type=int, default=200, help="Python originals to sample")
    parser.add_argument("--java", type=int, default=200, help="at most this many Java originals")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    started = time.perf_counter()
    corpora, sources = [], {}
    py = python_originals(args.python, args.seed)
    sources["python"] = (
        f"CPython {sys.version.split()[0]} standard library ({sysconfig.get_paths()['stdlib']})"
    )
    java_ok = True
    archive = fetch_jpype()
    java = []
    if archive is None:
        java_ok = False
    else:
        java = java_originals(archive, args.java, args.seed)
        sources["java"] = f"{JPYPE} source distribution (Apache-2.0), {archive.name}"
    failures = {}
    for language, found in (("python", py), ("java", java)):
        if not found:
            continue
        originals, origins = [t for t, _ in found], [o for _, o in found]
        copies, failures[language] = obfuscate_all(originals, language, args.seed)
        corpora.append(Corpus(language, originals, origins, copies, args.seed))
        print(
            f"{language}: {len(originals)} originals "
            f"(mean {np.mean([_lines(o) for o in originals]):.0f} lines), "
            f"obfuscations that failed validation: {failures[language]}"
        )
    best, tried = tune(corpora, normalize=True)
    base_best, base_tried = tune(corpora, normalize=False)
    result = {
        "sources": sources,
        "seed": args.seed,
        "originals": {c.language: len(c.originals) for c in corpora},
        "split": {c.language: {p: len(m) for p, m in c.split.items()} for c in corpora},
        "obfuscation_failures": failures,
        "grid": {
            "k": GRID_K,
            "w": GRID_W,
            "keep_builtins": [False, True],
            "score": ["containment", "jaccard"],
        },
        "chosen": best,
        "baseline_chosen": base_best,
        "held_out": held_out(corpora, best, normalize=True),
        "baseline_held_out": held_out(corpora, base_best, normalize=False),
        "baseline_at_chosen_k_w": held_out(corpora, {**best, "keep_builtins": False}, normalize=False),
        "tried": tried,
        "baseline_tried": base_tried,
    }
    result["library_defaults"] = at_library_defaults(corpora)
    result["speed"] = speed(corpora, best)
    result["index"] = index_retrieval(corpora)
    result["pairwise"] = pairwise_results(corpora)
    result["seconds"] = time.perf_counter() - started
    print_table(result)
    print_pairwise(result)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=1) + "\n")
    print(f"\nwrote {RESULTS.relative_to(HERE.parent)} ({result['seconds']:.0f} s)")
    if not java_ok:
        print(
            "JAVA SKIPPED: the jpype1 sources could not be fetched; see the message above.", file=sys.stderr
        )
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
