"""The per-token callback of LanguageModel.generate (what the gateway streams from), on the real
embedded model: it sees exactly the tokens of the result, in order, per prompt, and can end a row."""

from __future__ import annotations

import pytest

from genguard.errors import InvalidInputError
from genguard.lm import HFLanguageModel, load_default_model

pytestmark = pytest.mark.slow

PROMPTS = ["What is the capital of France?", "Write one sentence about the sea."]


@pytest.fixture(scope="module")
def model() -> HFLanguageModel:
    return load_default_model()


def test_callback_sees_every_token_of_each_prompt_in_order(model: HFLanguageModel) -> None:
    seen: dict[int, list[int]] = {0: [], 1: []}
    gens = model.generate(
        PROMPTS, max_new_tokens=12, temperature=0, on_token=lambda i, t: seen[i].append(t), batch_size=2
    )
    assert [seen[0], seen[1]] == [g.token_ids for g in gens]
    assert all(seen.values())
    plain = model.generate(PROMPTS, max_new_tokens=12, temperature=0, batch_size=2)
    assert [g.text for g in plain] == [g.text for g in gens]  # watching does not change the result


def test_returning_true_ends_only_that_row(model: HFLanguageModel) -> None:
    def stop_first_after_three(index: int, _token: int) -> bool:
        counts[index] = counts.get(index, 0) + 1
        return index == 0 and counts[index] >= 3

    counts: dict[int, int] = {}
    gens = model.generate(
        PROMPTS, max_new_tokens=10, min_new_tokens=10, temperature=0, on_token=stop_first_after_three
    )
    assert gens[0].finish_reason == "cancelled" and len(gens[0].token_ids) == 3
    assert gens[1].finish_reason == "length" and len(gens[1].token_ids) == 10


def test_a_callback_that_is_not_callable_is_refused(model: HFLanguageModel) -> None:
    with pytest.raises(InvalidInputError, match="on_token must be callable"):
        model.generate(PROMPTS[:1], max_new_tokens=2, on_token=42)  # type: ignore[arg-type]
