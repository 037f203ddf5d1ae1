"""Profanity word-list baseline: whole-word hits from better-profanity's list, evasion tricks undone.

A cheap first pass and a baseline to rank against, not a toxicity model: it knows words, not
meaning ("you are a bitch" and "a female dog is a bitch" score the same), and the shipped list
contains identity and everyday words ("gay", "god", "sex", "fat", "pot", "omg") that hit in
neutral text. Measured by `benchmarks/injection_quality.py` (default list, 0.7.0):

- hits (score > 0) on human-written BOLD Wikipedia sentences: 2.40 % of 23,679, mostly "god",
  "oral", "sex", "dick" (also a first name), "gay", "murder", "wang" (a surname), "nazi";
- hits on Davidson et al. (2017) tweets: 80.7 % of class 0 (hate speech, 1,430), 83.9 % of
  class 1 (offensive, 19,190), 10.8 % of class 2 (neither, 4,163);
- ranking AUC of the score, offensive-or-hate (classes 0-1) vs neither (class 2): 0.879.

Matching: the text goes through the shared normaliser (NFKC, invisible characters, homoglyphs,
leetspeak, spacing tricks; see `genguard.text`) and the list entries through the same
normaliser, then one compiled prefix-trie regex finds whole words (letters and digits on
neither side) case-insensitively; entries of several words match across any run of whitespace.
Spans are on the text as given: NFKC, invisible-character and homoglyph folding are tracked
character by character (`normalize_with_offsets`), leetspeak replaces one character by one
character, and the spacing normaliser only deletes the separators inside a spaced-out word
("i d i o t" -> "idiot"), so a hit maps back to the exact run of the original from its first
to its last character, separators and zero-width characters inside it included.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from importlib.metadata import version
from importlib.util import find_spec
from pathlib import Path

from genguard.errors import ConfigError
from genguard.scoring.base import check_texts, register
from genguard.text import normalize, normalize_for_matching
from genguard.types import Finding, ScoreResult, Span

__all__ = ["LexiconScorer", "default_words"]

LABEL = "PROFANITY"
# Each hit alone is weak evidence (a list word may be used in a neutral sense); the text score
# grows with the number of distinct words found: 1 - 0.5 ** n.
HIT_SCORE = 0.5


def _wordlist_path() -> Path:
    spec = find_spec("better_profanity")
    if spec is None or spec.origin is None:
        raise ConfigError("better-profanity is not installed; pip install better-profanity==0.7.0")
    return Path(spec.origin).parent / "profanity_wordlist.txt"


@lru_cache(maxsize=1)
def default_words() -> tuple[str, ...]:
    """The word list shipped in the installed better-profanity package, read in place (not copied)."""
    lines = _wordlist_path().read_text(encoding="utf-8").splitlines()
    return tuple(w.strip() for w in lines if w.strip())


def _prepare(words: Sequence[str]) -> list[str]:
    """List entries through the same normaliser as texts, lower-cased, spaces collapsed, de-duplicated."""
    out: set[str] = set()
    for w in words:
        entry = " ".join(normalize(w, ("nfkc", "invisible", "homoglyphs", "leetspeak", "spacing")).split())
        if entry:
            out.add(entry.lower())
    return sorted(out)


def _trie_regex(entries: Sequence[str]) -> str:
    """One regex alternation shaped as a prefix trie, so matching costs O(word length), not O(list size)."""
    trie: dict = {}
    for entry in entries:
        node = trie
        for ch in entry:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        end = "" in node
        branches = [
            (r"\s+" if ch == " " else re.escape(ch)) + build(child) for ch, child in node.items() if ch != ""
        ]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if end:
            return body + "?" if len(branches) == 1 and len(body) == 1 else "(?:" + body + ")?"
        return body

    return build(trie)


class LexiconScorer:
    """Whole-word profanity hits; `score` = 1 - 0.5 ** (number of distinct words found), 0 if none.

    `words` replaces the better-profanity list, `extra_words` adds to it (or to `words`). Each
    finding is one hit with score 0.5 and label PROFANITY, its span on the text as given.
    Error rates of the default list are in the module docstring (2.40 % of neutral Wikipedia
    texts hit; AUC 0.879 offensive-or-hate vs neither on Davidson tweets).
    """

    name = "lexicon"

    def __init__(self, words: Sequence[str] | None = None, extra_words: Sequence[str] | None = None) -> None:
        for arg, value in (("words", words), ("extra_words", extra_words)):
            if isinstance(value, str | bytes):
                raise ConfigError(f"{arg} must be a list of words, not a single {type(value).__name__}")
            if value is not None and not all(isinstance(w, str) for w in value):
                raise ConfigError(f"{arg} must contain only str")
        base = list(default_words()) if words is None else list(words)
        extra = list(extra_words or [])
        entries = _prepare(base + extra)
        if not entries:
            raise ConfigError("the word list is empty; pass words=[...] with at least one word")
        self.entries: tuple[str, ...] = tuple(entries)
        self._pattern = re.compile(r"(?<![^\W_])(?:" + _trie_regex(entries) + r")(?![^\W_])", re.IGNORECASE)
        if words is None:
            source = f"better-profanity-{version('better-profanity')}-wordlist"
        else:
            source = "custom-wordlist-" + hashlib.sha256("\n".join(_prepare(base)).encode()).hexdigest()[:12]
        if extra:
            source += "+extra-" + hashlib.sha256("\n".join(_prepare(extra)).encode()).hexdigest()[:12]
        self.model_id = f"{source}/1"

    def score(self, texts: Sequence[str]) -> list[ScoreResult]:
        """One ScoreResult per text: findings sorted by position, spans in characters of the text as given.

        InvalidInputError for a bare string, non-str items or texts over the size limit.
        """
        return [self._score_one(text) for text in check_texts(texts)]

    def combine(self, parts: Iterable[tuple[str, ScoreResult]]) -> float:
        """The score of a text from its pieces': 1 - 0.5 ** (distinct words over all pieces)."""
        distinct: set[str] = set()
        for piece, result in parts:
            if result.findings:  # only pieces with hits are read again
                distinct.update(word for word, _m in self._hits(piece)[0])
        return 1.0 - 0.5 ** len(distinct) if distinct else 0.0

    def _hits(self, text: str) -> tuple[list[tuple[str, re.Match[str]]], list[int]]:
        """(each hit's word, lower case with single spaces, and its match), offsets to the text as given."""
        clean, offsets = normalize_for_matching(text)
        return [(" ".join(m.group(0).lower().split()), m) for m in self._pattern.finditer(clean)], offsets

    def _score_one(self, text: str) -> ScoreResult:
        hits, offsets = self._hits(text)
        findings = [
            Finding(
                scorer=self.name,
                label=LABEL,
                score=HIT_SCORE,
                span=Span(start=offsets[m.start()], end=offsets[m.end() - 1] + 1, label=LABEL),
            )
            for _word, m in hits
        ]
        distinct = {word for word, _m in hits}
        return ScoreResult(
            scorer=self.name,
            model_id=self.model_id,
            score=1.0 - 0.5 ** len(distinct) if distinct else 0.0,
            findings=findings,
        )


register("lexicon", LexiconScorer)
