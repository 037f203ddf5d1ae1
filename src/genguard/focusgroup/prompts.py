"""The survey prompts a persona is asked, and reading a choice out of a free-text answer.

Each (persona, pair) is asked twice: order 0 shows the pair's first product as A and the second
as B, order 1 the other way round, so that a preference for a position (models favour "A") can
be told apart from a preference for a product. The prompt is a plain document (no chat
template): the model's next token after "Answer:" is read as its answer, " A" or " B".
"""

from __future__ import annotations

import re

from genguard.focusgroup.personas import Persona
from genguard.focusgroup.spec import ProductPair

ORDERS = (0, 1)  # 0: first product shown as A; 1: second product shown as A
_CHOICE = re.compile(r"^\W*(?:option\s+|answer\s*:?\s*)?([AB])\b", re.IGNORECASE)


def shown(pair: ProductPair, order: int) -> tuple[str, str]:
    """(product shown as A, product shown as B) for `order` (0 or 1)."""
    return (pair.first, pair.second) if order == 0 else (pair.second, pair.first)


def survey_prompt(persona: Persona, pair: ProductPair, order: int, question: str, why: bool = False) -> str:
    """The question for `persona` about `pair` shown in `order`; with `why`, the free-text variant
    asking for a one-sentence reason after the letter."""
    a, b = shown(pair, order)
    ask = "Answer with A or B and say why in one short sentence." if why else "Answer with A or B."
    return (
        "The following is an answer from a market research survey.\n"
        f"Respondent: {persona.describe()}.\n"
        f"Question: {question}\n"
        f"A: {a}\n"
        f"B: {b}\n"
        f"{ask}\n"
        "Answer:"
    )


def item_key(persona_id: str, pair_id: str, order: int) -> str:
    """The stored item key of one question: persona/pair/order."""
    return f"{persona_id}/{pair_id}/{order}"


def parse_choice(answer: str) -> str | None:
    """ "A" or "B" when a free-text answer starts with that letter (after punctuation, "Option" or
    "Answer:"), else None: an answer that names neither is counted as such, never guessed."""
    match = _CHOICE.match(answer)
    return match.group(1).upper() if match else None
