from __future__ import annotations

import json
import random
import re

import numpy as np
import pytest

from genguard.errors import InvalidInputError
from genguard.provenance.code import (
    DEFAULT_K,
    DEFAULT_THRESHOLD,
    DEFAULT_W,
    CodeIndex,
    compare,
    fingerprint,
    fingerprints,
)
from genguard.provenance.code_tokens import (
    CHUNK_BYTES,
    MAX_SOURCE_BYTES,
    canonical_language,
    guess_language,
    language_from_path,
    tokenize,
)
from genguard.provenance.winnow import fingerprint_tokens, kgram_hashes, winnow

# ------------------------------------------------------------------ small programs, per language

PROGRAMS = {
    "python": (
        '''
def word_counts(text, minimum=2):
    """Count the words of a text."""
    counts = {}
    for word in text.lower().split():
        word = word.strip(".,;:!?")
        if not word:
            continue
        counts[word] = counts.get(word, 0) + 1
    return {w: n for w, n in counts.items() if n >= minimum}


def binary_search(items, target):
    low, high = 0, len(items) - 1
    while low <= high:
        middle = (low + high) // 2
        if items[middle] == target:
            return middle
        if items[middle] < target:
            low = middle + 1
        else:
            high = middle - 1
    return -1
''',
        {
            "word_counts": "tally",
            "text": "blob",
            "minimum": "floor",
            "counts": "acc",
            "word": "tok",
            "binary_search": "seek",
            "items": "arr",
            "target": "goal",
            "low": "lo",
            "high": "hi",
            "middle": "mid",
            "w": "key",
            "n": "val",
        },
        """
class Matrix:
    def __init__(self, rows):
        self.rows = [list(r) for r in rows]

    def transpose(self):
        return Matrix(zip(*self.rows))

    def __matmul__(self, other):
        cols = other.transpose().rows
        return Matrix([[sum(a * b for a, b in zip(row, col)) for col in cols] for row in self.rows])

    def trace(self):
        total = 0.0
        for i, row in enumerate(self.rows):
            total += row[i]
        return total
""",
    ),
    "java": (
        """
public class Sorter {
    public static void bubbleSort(int[] values) {
        int n = values.length;
        for (int i = 0; i < n - 1; i++) {
            for (int j = 0; j < n - i - 1; j++) {
                if (values[j] > values[j + 1]) {
                    int tmp = values[j];
                    values[j] = values[j + 1];
                    values[j + 1] = tmp;
                }
            }
        }
    }

    public static int gcd(int a, int b) {
        while (b != 0) {
            int t = b;
            b = a % b;
            a = t;
        }
        return Math.abs(a);
    }
}
""",
        {
            "Sorter": "Util",
            "bubbleSort": "order",
            "values": "xs",
            "n": "len",
            "i": "p",
            "j": "q",
            "tmp": "swap",
            "gcd": "common",
            "a": "x",
            "b": "y",
            "t": "keep",
        },
        """
import java.util.ArrayList;
import java.util.List;

class Inventory {
    private final List<String> names = new ArrayList<>();
    private double budget;

    Inventory(double budget) {
        this.budget = budget;
    }

    boolean buy(String name, double price) {
        if (price > budget || names.contains(name)) {
            return false;
        }
        budget -= price;
        names.add(name);
        return true;
    }

    String report() {
        StringBuilder out = new StringBuilder("items:");
        for (String name : names) {
            out.append(' ').append(name);
        }
        return out.append(" left=").append(budget).toString();
    }
}
""",
    ),
    "c": (
        """
#include <string.h>

void reverse(char *s) {
    size_t len = strlen(s);
    for (size_t i = 0; i < len / 2; i++) {
        char c = s[i];
        s[i] = s[len - 1 - i];
        s[len - 1 - i] = c;
    }
}

long fib(int n) {
    long a = 0, b = 1;
    while (n-- > 0) {
        long next = a + b;
        a = b;
        b = next;
    }
    return a;
}
""",
        {
            "reverse": "flip",
            "s": "str",
            "len": "size",
            "i": "k",
            "c": "ch",
            "fib": "seq",
            "n": "count",
            "a": "prev",
            "b": "cur",
            "next": "sum",
        },
        """
#include <stdlib.h>

struct queue {
    int *data;
    int head, tail, cap;
};

struct queue *queue_new(int cap) {
    struct queue *q = malloc(sizeof *q);
    q->data = calloc(cap, sizeof(int));
    q->head = q->tail = 0;
    q->cap = cap;
    return q;
}

int queue_push(struct queue *q, int value) {
    if ((q->tail + 1) % q->cap == q->head) return -1;
    q->data[q->tail] = value;
    q->tail = (q->tail + 1) % q->cap;
    return 0;
}
""",
    ),
    "cpp": (
        """
#include <vector>

template <typename T>
T sum_of_squares(const std::vector<T>& xs) {
    T total = T();
    for (const auto& x : xs) {
        total += x * x;
    }
    return total;
}

class Counter {
public:
    explicit Counter(int start) : value_(start) {}
    int next() { return ++value_; }
    void reset(int to) { value_ = to; }
private:
    int value_;
};
""",
        {
            "sum_of_squares": "energy",
            "xs": "vals",
            "total": "acc",
            "x": "v",
            "Counter": "Ticker",
            "start": "from",
            "value_": "n_",
            "next": "tick",
            "reset": "rewind",
            "to": "dest",
        },
        """
#include <map>
#include <string>
#include <sstream>

std::map<std::string, int> histogram(const std::string& text) {
    std::map<std::string, int> counts;
    std::istringstream in(text);
    std::string word;
    while (in >> word) {
        if (word.size() > 3) {
            counts[word]++;
        }
    }
    return counts;
}
""",
    ),
    "javascript": (
        """
function debounce(fn, wait) {
  let timer = null;
  return function (...args) {
    clearTimeout(timer);
    timer = setTimeout(() => fn.apply(this, args), wait);
  };
}

function flatten(list, depth = 1) {
  const out = [];
  for (const item of list) {
    if (Array.isArray(item) && depth > 0) {
      out.push(...flatten(item, depth - 1));
    } else {
      out.push(item);
    }
  }
  return out;
}
""",
        {
            "debounce": "calm",
            "fn": "cb",
            "wait": "ms",
            "timer": "handle",
            "args": "rest",
            "flatten": "unnest",
            "list": "arr",
            "depth": "levels",
            "out": "acc",
            "item": "el",
        },
        """
class Emitter {
  constructor() {
    this.handlers = new Map();
  }
  on(name, handler) {
    if (!this.handlers.has(name)) this.handlers.set(name, []);
    this.handlers.get(name).push(handler);
    return this;
  }
  emit(name, payload) {
    const list = this.handlers.get(name) || [];
    list.forEach((h) => h(payload));
    return list.length;
  }
}
""",
    ),
}


def _rename(source: str, mapping: dict[str, str]) -> str:
    """A renamed copy: every whole-word occurrence of each name replaced, numbers changed too."""
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, mapping)) + r")\b")
    renamed = pattern.sub(lambda m: mapping[m.group(1)], source)
    return re.sub(r"\b\d+\b", lambda m: str(int(m.group(0)) + 7), renamed)


@pytest.mark.parametrize("language", sorted(PROGRAMS))
def test_renamed_copy_scores_high_and_unrelated_program_low(language: str) -> None:
    original, mapping, unrelated = PROGRAMS[language]
    copy = _rename(original, mapping)
    assert copy != original
    match = compare(original, copy, language)
    assert match.score == 1.0 and match.jaccard == 1.0  # names and numbers are normalised away
    # Without normalisation the same copy shares far less: the normalisation is what matters.
    raw_a = fingerprint(original, language, normalize=False)
    raw_b = fingerprint(copy, language, normalize=False)
    assert compare(raw_a, raw_b).score < 0.5
    other = compare(original, unrelated, language)
    assert other.score < DEFAULT_THRESHOLD
    assert other.score < 0.25
    assert json.loads(match.model_dump_json())["score"] == 1.0


@pytest.mark.parametrize("language", sorted(PROGRAMS))
def test_language_is_guessed_when_not_given(language: str) -> None:
    original, mapping, _ = PROGRAMS[language]
    guessed = guess_language(original)
    # C is a subset of C++ as far as the grammars go: a C program may be taken for either.
    assert guessed == language or {guessed, language} == {"c", "cpp"}
    assert compare(original, _rename(original, mapping)).score == 1.0


def test_reordered_functions_still_match() -> None:
    source, _, _ = PROGRAMS["python"]
    first, second = source.split("\n\n\n")
    swapped = second + "\n\n\n" + first
    match = compare(source, swapped, "python")
    assert match.score > 0.85
    # Each function is found at its new place: word_counts is lines 2-10 of A and 16-24 of B;
    # binary_search is lines 13-23 of A and 1-11 of B, but its last line (`return -1`: 3 tokens,
    # fewer than w) need not start a fingerprint of its own, so the region ends one line early.
    spans = [(r.a_start, r.a_end, r.b_start, r.b_end) for r in match.regions]
    assert spans == [(2, 10, 16, 24), (13, 22, 1, 10)]


def test_dead_code_inserted_still_matches() -> None:
    source, _, _ = PROGRAMS["python"]
    lines = source.split("\n")
    lines.insert(8, "        unused_flag = 12")
    lines.insert(5, "    if False:\n        print('never')")
    lines.insert(20, "    pass")
    match = compare(source, "\n".join(lines), "python")
    assert match.score >= DEFAULT_THRESHOLD
    assert match.score > 0.6


def test_comments_and_formatting_do_not_change_fingerprints() -> None:
    plain = "int add(int a, int b) {\n  return a + b;\n}\n"
    noisy = "/* header */\nint add(int a,   int b)   // sum\n{\n\n  return a+b; /* done */\n}\n"
    fa, fb = fingerprint(plain, "c"), fingerprint(noisy, "c")
    assert np.array_equal(fa.hashes, fb.hashes)


# ------------------------------------------------------------------ regions and line numbers


def test_regions_report_the_matching_lines() -> None:
    shared = """def combine(total, count, offset, scale, weights):
    result = []
    for index in range(count):
        weight = weights[index] if index < len(weights) else 1.0
        value = (total - offset) * scale / (index + 1)
        if value > weight * 10:
            value = weight * 10 - value / 2
        result.append((index, value, weight))
    values = sorted(result, key=lambda item: item[1], reverse=True)
    return (total + count * 2 - offset, values[:count])
"""
    a = (
        "import math\n"
        "class Shape:\n"
        "    sides = 0\n"
        "    def area(self):\n"
        "        raise NotImplementedError('abstract')\n"
        "class Circle(Shape):\n"
        "    def __init__(self, r):\n"
        "        self.r = r\n"
        "    def area(self):\n"
        "        return math.pi * self.r ** 2\n"
    ) + shared  # shared code on lines 11-20 of A
    renamed = _rename(shared, {"combine": "mix", "total": "t", "count": "c", "offset": "o", "value": "v"})
    b = "try:\n    import json\nexcept ImportError:\n    json = None\n" + renamed  # lines 5-14 of B
    match = compare(a, b, "python")
    assert len(match.regions) == 1
    region = match.regions[0]
    assert (region.a_start, region.a_end, region.b_start, region.b_end) == (11, 20, 5, 14)
    assert region.fingerprints == match.shared_fingerprints
    assert region.tokens > 100


def test_regions_follow_an_insertion_and_skip_unrelated_code() -> None:
    source, _, _ = PROGRAMS["java"]
    lines = source.split("\n")
    inserted = [*lines[:9], "int dead = 42;", "dead++;", "if (false) { dead--; }", *lines[9:]]
    match = compare(source, "\n".join(inserted), "java")
    # Lines after the insertion are found 3 lines further down in B.
    assert any(r.a_end >= 20 and r.b_end == r.a_end + 3 for r in match.regions)
    assert match.score > 0.8


# ------------------------------------------------------------------ the corpus index


def _random_program(rng: random.Random, name: str, statements: int = 14) -> str:
    """A structurally random Python function (distinct programs share few 9-grams of tokens)."""
    ops = ["+", "-", "*", "//", "%", "**", "&", "|", "^", "<<", ">>"]
    cmps = ["<", ">", "<=", ">=", "==", "!=", "in"]
    templates = [
        "{v} = {x} {op} {y}",
        "if {x} {cmp} {y}:\n        {v} = {x} {op} {lit}",
        "for {v} in range({x}):\n        {y} += {v} {op} {lit}",
        "{v} = [{x}, {y}, {lit}]",
        "{v} = {fn}({x})",
        "while {x} {cmp} {lit}:\n        {x} = {x} {op} 1",
        "{v} = {x}[{lit}:{y}]",
        "try:\n        {v} = {x} / {y}\n    except ZeroDivisionError:\n        {v} = {lit}",
        "{v} = {{{lit}: {x}, 'k': {y}}}",
        "{v} = not {x} and {y} or {lit}",
        "{v}.append({x} {op} {y})",
        "assert {x} {cmp} {y}, {lit}",
        "{v} = ({x}, {y}) if {x} else [{lit}]",
        "with open({x}) as {v}:\n        {y} = {v}.read()",
        "del {v}[{lit}]",
        "{v} = lambda {x}: {x} {op} {lit}",
    ]
    names = ["a", "b", "c", "d", "e"]
    body = []
    for _ in range(statements):
        body.append(
            "    "
            + rng.choice(templates).format(
                v=rng.choice(names),
                x=rng.choice(names),
                y=rng.choice(names),
                op=rng.choice(ops),
                cmp=rng.choice(cmps),
                lit=rng.randint(0, 99),
                fn=rng.choice(["len", "abs", "sorted", "str", "min", "max"]),
            )
        )
    return f"def {name}(a, b, c, d, e):\n" + "\n".join(body) + "\n    return a\n"


def test_index_add_query_remove() -> None:
    rng = random.Random(5)
    index = CodeIndex()
    docs = {f"doc{i}": _random_program(rng, f"f{i}") for i in range(6)}
    for doc_id, source in docs.items():
        index.add(doc_id, source, "python")
    index.add("java-doc", PROGRAMS["java"][0], "java")
    assert len(index) == 7 and "doc3" in index
    query = _rename(docs["doc3"], {"a": "p", "b": "q", "c": "r", "f3": "g"})
    results = index.query(query, "py", top_k=3)
    assert results[0].doc_id == "doc3" and results[0].score == 1.0
    assert all(r.score < DEFAULT_THRESHOLD for r in results[1:])
    assert results[0].regions and results[0].regions[0].a_start == 1
    # A Java document never answers a Python query, even the same text would not parse alike.
    assert "java-doc" not in {r.doc_id for r in index.query(PROGRAMS["java"][0], "python", top_k=10)}
    assert index.query(PROGRAMS["java"][0], "java", top_k=1)[0].doc_id == "java-doc"

    index.remove("doc3")
    assert "doc3" not in index and len(index) == 6
    for _ in range(2):
        assert "doc3" not in {r.doc_id for r in index.query(query, "python", top_k=10)}
    with pytest.raises(InvalidInputError, match="not in the index"):
        index.remove("doc3")
    index.add("doc3", docs["doc3"], "python")  # back again: found again
    assert index.query(query, "python", top_k=1)[0].doc_id == "doc3"
    # Re-adding an id replaces the document: the old text is no longer matched.
    index.add("doc3", docs["doc4"], "python")
    found = index.query(query, "python", top_k=10, min_score=DEFAULT_THRESHOLD)
    assert "doc3" not in {r.doc_id for r in found}
    assert [r.doc_id for r in index.query(docs["doc4"], "python", top_k=2)] == ["doc3", "doc4"]


def test_index_ignores_boilerplate_held_by_many_documents() -> None:
    rng = random.Random(11)
    boilerplate = _random_program(random.Random(99), "setup", statements=30)
    strict = CodeIndex(boilerplate_share=0.02, boilerplate_min_docs=10)
    lax = CodeIndex(boilerplate_share=1.0, boilerplate_min_docs=10**6)
    for i in range(12):
        source = boilerplate + "\n\n" + _random_program(rng, f"f{i}")
        strict.add(f"d{i}", source, "python")
        lax.add(f"d{i}", source, "python")
    assert strict.boilerplate_limit() == 10
    query = boilerplate + "\n\n" + _random_program(rng, "unrelated")
    lax_results = lax.query(query, "python", top_k=20)
    assert len(lax_results) == 12 and min(r.score for r in lax_results) > 0.5
    strict_results = strict.query(query, "python", top_k=20)
    assert all(r.score < DEFAULT_THRESHOLD for r in strict_results)
    # A real copy is still found first with the rule on.
    found = strict.query(boilerplate + "\n\n" + _random_program(random.Random(11), "f0"), "python", top_k=1)
    assert found[0].doc_id == "d0" and found[0].score > 0.9


# ------------------------------------------------------------------ bad input


def test_unsupported_language_names_the_supported_ones() -> None:
    for call in (
        lambda: fingerprint("fn main() {}", "rust"),
        lambda: compare("a", "b", "cobol"),
        lambda: CodeIndex().add("x", "y", "go"),
        lambda: language_from_path("main.rs"),
    ):
        with pytest.raises(InvalidInputError, match="python, java, c, cpp, javascript"):
            call()
    assert canonical_language("C++") == "cpp" and canonical_language("js") == "javascript"
    assert canonical_language(" Py ") == "python"
    suffixes = {
        "a.py": "python",
        "A.java": "java",
        "x.h": "c",
        "x.CC": "cpp",
        "x.hpp": "cpp",
        "m.mjs": "javascript",
    }
    assert {p: language_from_path(p) for p in suffixes} == suffixes


def test_empty_source_has_no_fingerprints() -> None:
    for source in ("", "   \n\n", "# only a comment\n"):
        fp = fingerprint(source, "python")
        assert fp.hashes.size == 0 and fp.n_tokens == 0
    match = compare("", "x = 1\n", "python")
    assert match.score == 0.0 and match.regions == []
    assert tokenize("", "java").tokens == []


def test_non_utf8_bytes_are_refused() -> None:
    with pytest.raises(InvalidInputError, match="not valid UTF-8"):
        fingerprint(b"x = '\xff\xfe'\n", "python")
    with pytest.raises(InvalidInputError, match="UTF-8"):
        fingerprint("x = '\ud800'\n", "python")  # a lone surrogate cannot be encoded
    with pytest.raises(InvalidInputError, match="str or bytes"):
        fingerprint(12345, "python")  # type: ignore[arg-type]
    assert fingerprint("x = 'é'\n".encode(), "python").n_tokens == 3


@pytest.mark.parametrize("language", sorted(PROGRAMS))
def test_binary_junk_and_syntax_errors_do_not_crash(language: str) -> None:
    rng = np.random.default_rng(3)
    junk = bytes(rng.integers(0, 128, 20_000, dtype=np.uint8))  # ASCII, NULs and controls included
    fp = fingerprint(junk, language)
    assert fp.n_tokens > 0 and fp.hashes.size > 0
    text = "".join(chr(c) for c in rng.integers(0x20, 0x3000, 5000))
    assert fingerprint(text, language).n_tokens > 0
    broken = PROGRAMS[language][0].replace("(", "", 3).replace("}", "", 2).replace(":", "", 2)
    match = compare(PROGRAMS[language][0], broken, language)
    assert 0.0 < match.score <= 1.0


def test_oversized_source_is_refused_with_the_cap() -> None:
    with pytest.raises(InvalidInputError, match="64,000,000 bytes"):
        fingerprint("x" * (MAX_SOURCE_BYTES + 1), "python")


def test_large_source_is_parsed_in_pieces_with_the_same_tokens() -> None:
    unit = PROGRAMS["python"][0].strip("\n") + "\n\n\n"
    repeats = CHUNK_BYTES * 2 // len(unit.encode()) + 3
    big = tokenize(unit * repeats, "python")
    one = tokenize(unit, "python")
    assert big.tokens == one.tokens * repeats
    per_unit = unit.count("\n")
    expected = np.concatenate([one.lines + r * per_unit for r in range(repeats)])
    assert np.array_equal(big.lines, expected)


def test_parameters_are_checked() -> None:
    for k, w in ((0, 4), (5, 0), (True, 4), (5, 2.5)):
        with pytest.raises(InvalidInputError):
            fingerprint("x = 1", "python", k=k, w=w)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="same settings"):
        compare(fingerprint("x = 1", "python", k=5), fingerprint("x = 1", "python", k=6))
    source = PROGRAMS["python"][0]
    assert compare(fingerprint(source, "python", k=5, w=3), source).score == 1.0  # settings follow
    with pytest.raises(InvalidInputError, match="list of sources"):
        fingerprints("x = 1", "python")


# ------------------------------------------------------------------ tokens and winnowing


def test_tokens_normalise_identifiers_and_literals_and_keep_lines() -> None:
    stream = tokenize('x = f"a{b}c" + 0x1F  # note\nif y:\n    z = None\n', "python")
    assert stream.tokens == ["V", "=", "L", "+", "L", "if", "V", ":", "V", "=", "none"]
    assert stream.lines.tolist() == [1, 1, 1, 1, 1, 2, 2, 2, 3, 3, 3]
    js = tokenize("obj.key = `t ${a + 1}`; // c\nlet {q} = o;", "javascript")
    assert js.tokens == ["V", ".", "V", "=", "L", ";", "let", "{", "V", "}", "=", "V", ";"]
    raw = tokenize("x = 1", "python", normalize=False)
    assert raw.tokens == ["x", "=", "1"]
    kept = tokenize("n = len(items)", "python", keep_builtins=True)
    assert kept.tokens == ["V", "=", "len", "(", "V", ")"]


def _reference_winnow(hashes: np.ndarray, w: int) -> list[int]:
    """Window by window, in plain Python: rightmost minimum, recorded when it changes."""
    width = min(w, len(hashes))
    picks: list[int] = []
    for start in range(len(hashes) - width + 1):
        window = hashes[start : start + width].tolist()
        low = min(window)
        pick = start + max(i for i, h in enumerate(window) if h == low)
        if not picks or picks[-1] != pick:
            picks.append(pick)
    return picks


def test_winnowing_matches_the_reference_with_ties() -> None:
    rng = np.random.default_rng(0)
    for trial in range(200):
        n = int(rng.integers(1, 120))
        w = int(rng.integers(1, 12))
        hashes = rng.integers(0, 4 if trial % 2 else 2**63, n, dtype=np.uint64)  # many ties half the time
        values, positions = winnow(hashes, w)
        assert positions.tolist() == _reference_winnow(hashes, w)
        assert np.array_equal(values, hashes[positions])


def test_shared_run_of_w_plus_k_minus_1_tokens_always_shares_a_fingerprint() -> None:
    rng = np.random.default_rng(1)
    for trial in range(400):
        k = int(rng.integers(1, 16))
        w = int(rng.integers(1, 16))
        vocab = int(rng.choice([3, 50, 2**40]))  # small vocabularies repeat k-grams (ties)
        run = rng.integers(0, vocab, w + k - 1, dtype=np.uint64)
        a = np.concatenate(
            [
                rng.integers(0, vocab, int(rng.integers(0, 200)), dtype=np.uint64),
                run,
                rng.integers(0, vocab, int(rng.integers(0, 200)), dtype=np.uint64),
            ]
        )
        b = np.concatenate(
            [
                rng.integers(0, vocab, int(rng.integers(0, 200)), dtype=np.uint64),
                run,
                rng.integers(0, vocab, int(rng.integers(0, 200)), dtype=np.uint64),
            ]
        )
        ha, _ = fingerprint_tokens(a, k, w)
        hb, _ = fingerprint_tokens(b, k, w)
        assert np.intersect1d(ha, hb).size > 0, (trial, k, w, vocab)


def test_kgram_hashes_are_stable_and_positional() -> None:
    tokens = np.arange(1, 11, dtype=np.uint64)
    grams = kgram_hashes(tokens, 3)
    assert grams.size == 8 and np.unique(grams).size == 8
    assert np.array_equal(kgram_hashes(tokens[2:6], 3), grams[2:4])
    assert kgram_hashes(tokens[:2], 3).size == 1  # shorter than k: one gram for the whole stream
    assert kgram_hashes(np.empty(0, dtype=np.uint64), 3).size == 0
    assert (
        kgram_hashes(np.array([1, 2, 3], dtype=np.uint64), 3)[0]
        != kgram_hashes(np.array([3, 2, 1], dtype=np.uint64), 3)[0]
    )
    fp = fingerprint("a = b + c\n", "python")
    assert fp.k == DEFAULT_K and fp.w == DEFAULT_W and fp.hashes.size == 1  # 5 tokens < k
