"""Gender words and their counterparts: WinoBias's swap lists, a text with its gender words swapped,
and a text's all-male and all-female forms.

Swaps come from WinoBias's lists (generalized_swaps.txt, extra_gendered_words.txt): "he" <->
"she", "actor" <-> "actress", "father" <-> "mother" ... Case is kept. "her" is ambiguous ("his"
or "him"): it becomes "his" before a word that is not a preposition, conjunction, determiner or
the end of a clause, else "him".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path

import yaml

from genguard.datasets import require_data
from genguard.errors import InvalidInputError
from genguard.text import match_case

# After these (or at a clause end) "her" is an object pronoun ("him"); before anything else, "his".
_OBJECT_CONTEXT = {
    "a",
    "an",
    "the",
    "and",
    "or",
    "but",
    "to",
    "for",
    "with",
    "about",
    "at",
    "in",
    "on",
    "of",
    "by",
    "from",
    "that",
    "this",
    "because",
    "when",
    "as",
    "if",
    "so",
    "up",
    "out",
    "off",
    "back",
    "down",
    "again",
    "well",
    "too",
    "yesterday",
    "today",
    "how",
    "what",
    "why",
    "where",
    "who",
    "whom",
    "whether",
    "which",
    "while",
    "once",
    "than",
    "through",
    "around",
    "during",
    "without",
    "against",
    "across",
    "along",
    "near",
    "like",
    "some",
    "any",
    "more",
    "no",
    "not",
    "something",
    "anything",
    "nothing",
    "everything",
    "everyone",
    "anyone",
    "someone",
    "are",
    "is",
    "was",
    "were",
    "will",
    "would",
    "should",
    "can",
    "could",
    "must",
    "may",
    "might",
    "shall",
    "do",
    "does",
    "did",
    "has",
    "have",
    "had",
    "there",
    "here",
    "now",
    "then",
    "already",
    "alone",
    "anymore",
    "soon",
    "later",
    "into",
    "over",
    "after",
    "before",
    "since",
    "until",
}
_TOKEN = re.compile(r"[A-Za-z]+|[^A-Za-z]+")
_SUPPLEMENT = Path(__file__).with_name("gender_pairs.yaml")  # pairs WinoBias lacks, project-written
# Misspellings in WinoBias's lists, corrected as they are read: generalized_swaps.txt pairs "lady" with
# "mentleman" before it pairs it with "gentleman" (the first pair wins), and extra_gendered_words.txt
# has "godess" and pairs "tailors" with "seamstress'".
_UPSTREAM_TYPOS = {"mentleman": "gentleman", "godess": "goddess", "seamstress'": "seamstresses"}


def read_swaps(paths: Sequence[str | Path] | None = None, supplement: bool = True) -> dict[str, str]:
    """word -> its counterpart (lower case, both directions) from tab-separated pair files.

    Default: WinoBias's generalized_swaps.txt and extra_gendered_words.txt (misspellings in them
    corrected: "mentleman", "godess", "seamstress'"), then with `supplement` the pairs they lack
    (gender_pairs.yaml: "boyfriend", "grandma", "salesman" ...). InvalidInputError naming the
    file and line for a line that is not two words separated by a tab.
    """
    if paths is None:
        root = require_data("winobias")
        paths = [root / "generalized_swaps.txt", root / "extra_gendered_words.txt"]
    swaps: dict[str, str] = {}
    for path in map(Path, paths):
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise InvalidInputError(f"cannot read swap list {path}: {exc}") from exc
        for lineno, line in enumerate(lines, 1):
            if not line.strip():
                continue
            parts = [p.strip().lower() for p in line.split("\t")]
            if len(parts) != 2 or not all(parts) or any(" " in p for p in parts):
                raise InvalidInputError(
                    f"{path} line {lineno}: expected two words separated by a tab, got {line!r}"
                )
            a, b = (_UPSTREAM_TYPOS.get(x, x) for x in parts)
            swaps.setdefault(a, b)
            swaps.setdefault(b, a)
    if not swaps:
        raise InvalidInputError("the swap lists are empty")
    if supplement:
        for male, female in yaml.safe_load(_SUPPLEMENT.read_text(encoding="utf-8"))["pairs"]:
            swaps.setdefault(male, female)
            swaps.setdefault(female, male)
    # "her" stands for both "his" and "him"; it is resolved from context in swap_gender.
    swaps["her"] = "his"
    swaps.setdefault("hers", "his")
    swaps.setdefault("herself", "himself")
    swaps.setdefault("himself", "herself")
    return swaps


def _rewrite(text: str, swaps: dict[str, str], choose: Callable[[str, str], str]) -> str:
    """`text` with every listed word replaced by `choose(word, counterpart)` (both lower case, "her"'s
    counterpart read from context), case kept."""
    tokens = _TOKEN.findall(text)
    out = []
    skip_dot = False
    skip = 0
    for i, tok in enumerate(tokens):
        if skip:  # the rest of a word with an apostrophe, written whole ("ma'am")
            skip -= 1
            continue
        if skip_dot:  # the "." of an abbreviation swapped with its word ("Mr." -> "Mrs.")
            tok, skip_dot = tok[1:], False
        key = tok.lower()
        following = tokens[i + 1] if i + 1 < len(tokens) else ""
        if following == "'" and i + 2 < len(tokens) and f"{key}'{tokens[i + 2].lower()}" in swaps:
            tok = "".join(tokens[i : i + 3])
            key, following, skip = tok.lower(), tokens[i + 3] if i + 3 < len(tokens) else "", 2
        if following.startswith(".") and f"{key}." in swaps:
            new = choose(f"{key}.", swaps[f"{key}."])
            if new == f"{key}.":
                out.append(tok)
            else:
                out.append(match_case(new, tok))
                skip_dot = True
            continue
        if key not in swaps:
            out.append(tok)
            continue
        new = swaps[key]
        if key == "her":
            after = re.match(r"\s+([A-Za-z]+)", "".join(tokens[i + 1 : i + 3]))
            new = "his" if after and after.group(1).lower() not in _OBJECT_CONTEXT else "him"
        new = choose(key, new)
        out.append(tok if new == key else match_case(new, tok))
    return "".join(out)


def swap_gender(text: str, swaps: dict[str, str]) -> str:
    """`text` with every listed word replaced by its counterpart, case kept ("He" -> "She")."""
    return _rewrite(text, swaps, lambda _word, other: other)


# Which member of a swap pair is the female one: the pronouns, these words, and words with these
# endings (project-written; WinoBias's files put either member first). A pair neither rule
# decides is ordered alphabetically, which keeps GenderForms exact, only less natural.
_FEMALE_WORDS = frozenset(
    {
        "she",
        "her",
        "hers",
        "herself",
        "aunt",
        "aunts",
        "bride",
        "brides",
        "sister",
        "sisters",
        "queen",
        "queens",
        "niece",
        "nieces",
        "widow",
        "widows",
        "mom",
        "moms",
        "mommy",
        "mommies",
        "mama",
        "mamas",
        "ma'am",
        "mrs.",
        "ms.",
        "miss",
        "gal",
        "gals",
        "chick",
        "chicks",
        "female",
        "females",
        "heroine",
        "heroines",
        "maid",
        "maids",
        "nun",
        "nuns",
        "madam",
        "lass",
        "lasses",
        "fiancee",
        "fiancees",
        "witch",
        "witches",
        "diva",
        "divas",
        "daughter",
        "daughters",
        "granddaughter",
        "granddaughters",
        "stepdaughter",
        "stepdaughters",
        "spinster",
        "spinsters",
        "belle",
        "belles",
        "maidservant",
        "maidservants",
        "grandma",
        "grandmas",
        "granny",
        "girlfriend",
        "girlfriends",
        "girlhood",
        "womanhood",
        "sisterhood",
        "sorority",
        "sororities",
        "womenswear",
    }
)
_FEMALE_ENDINGS = (
    "woman",
    "women",
    "ess",
    "esses",
    "girl",
    "girls",
    "wife",
    "wives",
    "lady",
    "ladies",
    "mother",
    "mothers",
    "ette",
    "ettes",
    "euse",
    "euses",
)


def is_female_member(word: str, counterpart: str) -> bool:
    """True if `word` is the female member of the swap pair (`word`, `counterpart`), both lower case;
    a pair the word rules cannot decide counts its alphabetically later member as female."""

    def female(w: str) -> bool:
        return w in _FEMALE_WORDS or w.endswith(_FEMALE_ENDINGS)

    if female(word) != female(counterpart):
        return female(word)
    return word > counterpart


_PRONOUNS = frozenset({"he", "she", "his", "him", "her", "hers", "himself", "herself"})


class GenderForms:
    """A text's all-male and all-female forms under a swap list: `forms(text)` -> (male, female).

    The lists are not one-to-one ("bride" <-> "groom" and "bridegroom" -> "bride"; "his" and "him"
    both -> "her"), so each group of words linked by swaps gets one male and one female word (the
    alphabetically first of each); pronouns keep their own case ("his" / "him", "her" read from
    context). A text and its swap_gender then have the same two forms, wherever "her" is read the
    same both ways, so a score averaged over the forms cannot tell the two apart. A text without a
    listed word is its own two forms.
    """

    def __init__(self, swaps: dict[str, str]) -> None:
        self.swaps = swaps
        group = {w: w for w in swaps}

        def root(w: str) -> str:
            while group[w] != w:
                group[w] = group[group[w]]
                w = group[w]
            return w

        for a, b in swaps.items():
            if b in group:
                group[root(a)] = root(b)
        members: dict[str, list[str]] = {}
        for w in sorted(swaps):
            members.setdefault(root(w), []).append(w)
        self._pick: dict[str, tuple[str, str]] = {}
        for words in members.values():  # pronouns are picked by _choose
            female = [w for w in words if is_female_member(w, swaps[w])]
            male = [w for w in words if w not in female]
            for w in words:
                self._pick[w] = (male[0] if male else w, female[0] if female else w)

    def _choose(self, side: int) -> Callable[[str, str], str]:
        def choose(word: str, other: str) -> str:
            if word in _PRONOUNS:  # "hers" has no counterpart that swaps back to it: "her" stands in
                if side and word == "hers":
                    return "her"
                return word if is_female_member(word, other) == bool(side) else other
            return self._pick[word][side]

        return choose

    def __call__(self, text: str) -> tuple[str, str]:
        return _rewrite(text, self.swaps, self._choose(0)), _rewrite(text, self.swaps, self._choose(1))
