"""A light, rule-based paraphraser: the kind of edit a person makes to hide that a model wrote a
text, used to measure how much such edits cost the detector (benchmarks/detection_quality.py).

Two edits, both seeded and deterministic:
1. synonym swaps: each word found in SYNONYMS (about 150 common English words, written for this
   module) is replaced by its listed alternative with probability `swap`, keeping capitalisation;
2. sentence reordering: with probability `reorder`, each pair of adjacent sentences (split after
   . ! or ? followed by a space) swaps places.
Meaning is mostly kept and grammar mostly holds; it is weaker than a model paraphraser (DIPPER,
or asking an LLM to rephrase), which changes far more tokens, so the drop it causes is a lower
bound on what paraphrase does to a zero-shot detector.
"""

from __future__ import annotations

import random
import re

from genguard.text import match_case

_PAIRS = """
big large|small little|large big|little small|fast quick|quick fast|begin start|start begin|
end finish|finish end|help assist|assist help|show display|buy purchase|need require|
use employ|get obtain|give provide|make create|important significant|significant important|
many numerous|often frequently|frequently often|also additionally|but however|however but|
about around|around about|maybe perhaps|perhaps maybe|very really|really very|
happy glad|glad happy|sad unhappy|smart clever|clever smart|hard difficult|difficult hard|
easy simple|simple easy|old aged|new novel|job work|work job|house home|home house|
said stated|stated said|told informed|think believe|believe think|know understand|
choose select|select choose|answer reply|reply answer|ask inquire|show reveal|keep retain|
main primary|primary main|whole entire|entire whole|close near|near close|far distant|
rich wealthy|wealthy rich|poor needy|strong powerful|powerful strong|weak feeble|
famous renowned|renowned famous|known recognized|recognized known|city town|town city|
country nation|nation country|people persons|child kid|kid child|friend companion|
angry furious|afraid scared|scared afraid|beautiful lovely|lovely beautiful|ugly unattractive|
wrong incorrect|incorrect wrong|right correct|correct right|try attempt|attempt try|
see observe|observe see|look glance|speak talk|talk speak|walk stroll|run sprint|
later afterwards|afterwards later|soon shortly|shortly soon|now currently|currently now|
before previously|usually typically|typically usually|mostly largely|largely mostly|
almost nearly|nearly almost|enough sufficient|sufficient enough|whole complete|
idea notion|notion idea|problem issue|issue problem|result outcome|outcome result|
reason cause|cause reason|way method|method way|part portion|portion part|
area region|region area|role function|goal aim|aim goal|chance opportunity|
began started|started began|ended finished|finished ended|helped assisted|made created|
became grew|received got|got received|died passed|showed displayed|wrote penned|
won earned|lost misplaced|moved relocated|joined entered|left departed|returned came back|
bad poor|good fine|fine good|great excellent|excellent great|
"""
SYNONYMS: dict[str, str] = dict(
    pair.split(maxsplit=1)
    for pair in re.sub(r"\s*\|\s*", "|", _PAIRS.strip()).strip("|").split("|")
    if pair.strip()
)
_WORD = re.compile(r"[A-Za-z]+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def swap_synonyms(text: str, rng: random.Random, swap: float) -> tuple[str, int]:
    """(text with listed words swapped at probability `swap`, number of words swapped)."""
    count = 0

    def repl(match: re.Match[str]) -> str:
        nonlocal count
        word = match.group(0)
        alternative = SYNONYMS.get(word.lower())
        if alternative is None or rng.random() >= swap:
            return word
        count += 1
        return match_case(alternative, word)

    return _WORD.sub(repl, text), count


def reorder_sentences(text: str, rng: random.Random, reorder: float) -> tuple[str, int]:
    """(text with adjacent sentence pairs swapped at probability `reorder`, pairs swapped)."""
    sentences = _SENTENCE_END.split(text.strip())
    swapped, i = 0, 0
    while i + 1 < len(sentences):
        if rng.random() < reorder:
            sentences[i], sentences[i + 1] = sentences[i + 1], sentences[i]
            swapped += 1
            i += 2
        else:
            i += 1
    return " ".join(sentences), swapped


def paraphrase(text: str, *, seed: int = 0, swap: float = 0.7, reorder: float = 0.5) -> str:
    """`text` after synonym swaps and sentence reordering (module docstring), seeded."""
    rng = random.Random(seed)
    text, _ = swap_synonyms(text, rng, swap)
    text, _ = reorder_sentences(text, rng, reorder)
    return text
