# ruff: noqa: RUF001  (the confusables table is made of look-alike characters on purpose)
"""Normalisers: Unicode composition, invisible characters, homoglyphs, spacing tricks, leetspeak, whitespace.

Each normaliser maps str -> str and is idempotent. `normalize(text, names)` applies several in
a fixed, sensible order whatever order the names come in.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence

from genguard.errors import ConfigError

# Zero-width and format characters that render as nothing but split tokens.
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\U000e0000-\U000e007f]"
)
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SPACES = re.compile(r"[^\S\n]+")

# Common confusables (Unicode TR39) that NFKC leaves alone: Cyrillic and Greek letters that look
# Latin, and typographic punctuation. Small on purpose: these cover the usual evasion tricks.
_HOMOGLYPHS = str.maketrans(
    {
        "а": "a",
        "в": "B",
        "е": "e",
        "к": "k",
        "м": "M",
        "н": "H",
        "о": "o",
        "р": "p",
        "с": "c",
        "т": "T",
        "у": "y",
        "х": "x",
        "ѕ": "s",
        "і": "i",
        "ј": "j",
        "ԁ": "d",
        "ԛ": "q",
        "ԝ": "w",
        "А": "A",
        "В": "B",
        "Е": "E",
        "К": "K",
        "М": "M",
        "Н": "H",
        "О": "O",
        "Р": "P",
        "С": "C",
        "Т": "T",
        "Х": "X",
        "Ѕ": "S",
        "І": "I",
        "Ј": "J",
        "Ү": "Y",
        "α": "a",
        "ο": "o",
        "ρ": "p",
        "ν": "v",
        "ι": "i",
        "κ": "k",
        "τ": "t",
        "υ": "u",
        "Α": "A",
        "Β": "B",
        "Ε": "E",
        "Ζ": "Z",
        "Η": "H",
        "Ι": "I",
        "Κ": "K",
        "Μ": "M",
        "Ν": "N",
        "Ο": "O",
        "Ρ": "P",
        "Τ": "T",
        "Υ": "Y",
        "Χ": "X",
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u00a0": " ",
    }
)


def _unicode(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def _invisible(text: str) -> str:
    return _CONTROL.sub("", _INVISIBLE.sub("", text))


def _homoglyphs(text: str) -> str:
    return text.translate(_HOMOGLYPHS)


def _whitespace(text: str) -> str:
    return _SPACES.sub(" ", text)


# Leetspeak: digits and symbols standing for letters inside a word that also has letters
# ("1d10t", "sh!t", "@ss"). Pure numbers ("2024", "3.5") and ordinary punctuation are left alone,
# except in a text written in leetspeak (`in_leetspeak`), where a word runs across apostrophes
# ("1'm", "it'$"; elsewhere "1978's" and "15:00'te" would change) and short words of symbols and
# digits only ("@$$", "1$", a lone "@" or "1") are words too.
_LEET = str.maketrans(
    {
        "0": "o",
        "1": "i",
        "3": "e",
        "4": "a",
        "5": "s",
        "7": "t",
        "8": "b",
        "9": "g",
        "@": "a",
        "$": "s",
        "!": "i",
        "|": "l",
        "+": "t",
        "€": "e",
    }
)


def _leet_words(chars: str) -> re.Pattern[str]:
    """Words of `chars` (2+) holding a letter and a leet digit or symbol."""
    return re.compile(rf"(?<![{chars}])(?=[{chars}]*[^\W\d_])(?=[{chars}]*[\d@$!|+€])[{chars}]{{2,}}")


_LEET_WORD = _leet_words(r"\w@$!|+€")
_LEET_WORD_APOSTROPHE = _leet_words(r"\w@$!|+€'")
# A leet character between two letters ("b1tch", "wh4t"): what tells leetspeak from "mp3" or "4k".
_LEET_INSIDE = re.compile(r"[^\W\d_][\d@$!|+€]+[^\W\d_]")
# In a leetspeak text: up to 4 symbols and digits standing alone ("@$$", "1$", "$0", "@", "1").
_LEET_TOKEN = re.compile(r"(?<![\w@$!|+€'])[\d@$!|+€]{1,4}(?![\w@$!|+€'])")
LEET_STYLE_WORDS = 2
"""Words with a leet character between letters that make a text leetspeak (one such word is as
often a code or a name). What the rule changes, on leeted training texts and on ordinary held-out
texts, is measured in the injection model card, item 81."""
_TRAILING_BANG = re.compile(r"!+$")

# Spacing tricks: three or more single letters split by one space, dot, dash, underscore or
# asterisk ("i d i o t", "f.u.c.k", "s-h-i-t") are joined into one word.
_SPACED = re.compile(r"(?<!\w)(?:[^\W\d_][ .\-_*]){2,}[^\W\d_](?!\w)")


def _leet_word(match: re.Match[str]) -> str:
    word = match.group(0)
    # Not leetspeak: e-mail addresses (a@b followed by .domain) and codes with many digits (IBANs, ids).
    after = match.string[match.end() : match.end() + 2]
    email = "@" in word[1:] and len(after) == 2 and after[0] == "." and after[1].isalnum()
    if email or sum(c.isdigit() for c in word) > 4:
        return word
    bangs = _TRAILING_BANG.search(word)
    tail = bangs.group(0) if bangs else ""  # "wow!!" ends a sentence; it is not "wowii"
    return word[: len(word) - len(tail)].translate(_LEET) + tail


def leet_decoded(word: str) -> str:
    """`word` with every leet digit and symbol read as its letter ("@$$" -> "ass", "b0ut" -> "bout")."""
    return word.translate(_LEET)


def in_leetspeak(text: str) -> bool:
    """Whether `text` is written in leetspeak: at least LEET_STYLE_WORDS words with a leet digit or
    symbol between two letters (e-mail addresses and codes with many digits do not count)."""
    if not _LEET_INSIDE.search(text):  # most texts: one quick scan
        return False
    count = 0
    for match in _LEET_WORD.finditer(text):
        if _LEET_INSIDE.search(match.group(0)) and _leet_word(match) != match.group(0):
            count += 1
            if count >= LEET_STYLE_WORDS:
                return True
    return False


def _leet_token(match: re.Match[str]) -> str:
    token = match.group(0)
    body = token.rstrip("!")
    # "1" alone is "i"; any other digit-only token is a number, and "!!!" is punctuation.
    if body == "1" or (body and not body.isdigit()):
        return body.translate(_LEET) + token[len(body) :]
    return token


def _leetspeak(text: str) -> str:
    if not in_leetspeak(text):
        return _LEET_WORD.sub(_leet_word, text)
    return _LEET_TOKEN.sub(_leet_token, _LEET_WORD_APOSTROPHE.sub(_leet_word, text))


def _spacing(text: str) -> str:
    return _SPACED.sub(lambda m: re.sub(r"[ .\-_*]", "", m.group(0)), text)


NORMALIZERS: dict[str, Callable[[str], str]] = {
    "unicode": _unicode,  # NFC: composes accents; never changes what a model would have written
    "nfkc": _nfkc,  # compatibility forms (full-width letters, ligatures, "…" -> "...")
    "invisible": _invisible,
    "homoglyphs": _homoglyphs,
    "leetspeak": _leetspeak,
    "spacing": _spacing,
    "whitespace": _whitespace,
}
# For content classifiers (toxicity, prompt injection): every evasion trick undone. Not for
# pattern detectors of personal data (leetspeak folding would alter codes and addresses), nor for
# watermark detection, where changing what the model wrote changes the tokens that are scored.
FOR_CLASSIFIERS = ("nfkc", "invisible", "homoglyphs", "spacing", "leetspeak", "whitespace")
_ORDER = list(NORMALIZERS)


def match_case(replacement: str, like: str) -> str:
    """`replacement` in the case of the word it replaces, `like`: all capitals (two letters or
    more), a capital first letter, or as given."""
    if like.isupper() and len(like) > 1:
        return replacement.upper()
    if like[:1].isupper():
        return replacement[:1].upper() + replacement[1:]
    return replacement


def normalize(text: str, names: Sequence[str] = ("unicode", "invisible")) -> str:
    """`text` passed through the named normalisers (in a fixed order); ConfigError for unknown names."""
    unknown = [n for n in names if n not in NORMALIZERS]
    if unknown:
        raise ConfigError(f"unknown normaliser(s) {unknown}; choose from {', '.join(NORMALIZERS)}")
    for name in sorted(set(names), key=_ORDER.index):
        text = NORMALIZERS[name](text)
    return text


_CHAR_LEVEL = {"nfkc": _nfkc, "invisible": _invisible, "homoglyphs": _homoglyphs}
_PLAIN_RUN = re.compile(r"[\t\n\r\x20-\x7e]+")
_BLOCK = 512


def normalize_with_offsets(
    text: str, names: Sequence[str] = ("nfkc", "invisible", "homoglyphs")
) -> tuple[str, list[int]]:
    """(normalised text, offsets): offsets[i] is the index in `text` of normalised character i.

    Only the character-level normalisers (nfkc, invisible, homoglyphs) are allowed, applied one
    character at a time, so that a span found in the normalised text maps back to the original:
    original [offsets[start], offsets[end - 1] + 1).
    """
    unknown = [n for n in names if n not in _CHAR_LEVEL]
    if unknown:
        raise ConfigError(f"normalize_with_offsets supports {', '.join(_CHAR_LEVEL)}, not {unknown}")
    steps = [_CHAR_LEVEL[n] for n in sorted(set(names), key=_ORDER.index)]
    pieces: list[str] = []
    offsets: list[int] = []

    def fold(start: int, end: int) -> None:
        for i in range(start, end):
            char = text[i]
            for step in steps:
                char = step(char)
            pieces.append(char)
            offsets.extend([i] * len(char))

    # Printable ASCII is left alone by all three normalisers: copy such runs whole.
    pos = 0
    for m in _PLAIN_RUN.finditer(text):
        fold(pos, m.start())
        pieces.append(m.group(0))
        offsets.extend(range(m.start(), m.end()))
        pos = m.end()
    fold(pos, len(text))
    return "".join(pieces), offsets


def _align_deletions(before: str, after: str, offsets: list[int]) -> list[int]:
    """Offsets for `after`, a copy of `before` with some characters deleted (and none changed).

    Greedy left-to-right matching is exact for the spacing normaliser: every separator it
    deletes is followed by a kept letter, which cannot equal the deleted separator.
    """
    out: list[int] = []
    i = j = 0
    n, m = len(before), len(after)
    while j < m:
        if before[i : i + _BLOCK] == after[j : j + _BLOCK]:  # fast path over unchanged stretches
            step = min(_BLOCK, m - j)
            out.extend(offsets[i : i + step])
            i += step
            j += step
            continue
        if before[i] == after[j]:
            out.append(offsets[i])
            j += 1
        i += 1
        if i > n:
            raise AssertionError("spacing normaliser changed characters instead of deleting them")
    return out


def normalize_for_matching(text: str) -> tuple[str, list[int]]:
    """(text with every evasion trick undone, offsets into `text` for each of its characters).

    The classifier profile minus whitespace collapsing (patterns match any run of whitespace
    instead): NFKC, invisible characters, homoglyphs, leetspeak, spacing tricks. Leetspeak swaps
    one character for one and the spacing normaliser only deletes separators, so a match
    [start, end) of the result covers `text[offsets[start] : offsets[end - 1] + 1]` exactly.
    """
    clean, offsets = normalize_with_offsets(text)
    leet = _leetspeak(clean)
    if len(leet) == len(clean):
        clean = leet
    spaced = _spacing(clean)
    if spaced != clean:
        offsets = _align_deletions(clean, spaced, offsets)
        clean = spaced
    return clean, offsets
