from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from genguard.errors import InvalidInputError
from genguard.fairness.counterfactual import SAMPLING, counterfactual_audit, tone_prompts
from genguard.fairness.gender_swap import read_swaps, swap_gender
from genguard.storage.runs import RunStore

SWAPS = {
    "he": "she",
    "she": "he",
    "him": "her",
    "his": "her",
    "her": "his",
    "man": "woman",
    "woman": "man",
    "actor": "actress",
    "actress": "actor",
    "mr.": "mrs.",
    "mrs.": "mr.",
}


@pytest.mark.parametrize(
    ("text", "swapped"),
    [
        ("He told her that his car was broken.", "She told him that her car was broken."),
        ("The man gave her a book.", "The woman gave him a book."),
        ("She thanked her colleague and her.", "He thanked his colleague and him."),
        ("HE and SHE", "SHE and HE"),
        ("Mr. Smith met the actress.", "Mrs. Smith met the actor."),
        ("Nothing to swap, other than shell and hero.", "Nothing to swap, other than shell and hero."),
        ("", ""),
    ],
)
def test_swap_gender(text: str, swapped: str) -> None:
    assert swap_gender(text, SWAPS) == swapped


def test_read_swaps_reads_both_directions_and_names_a_bad_line(tmp_path: Path) -> None:
    good = tmp_path / "swaps.txt"
    good.write_text("king \t queen \n\nprince\tprincess\n", encoding="utf-8")
    swaps = read_swaps([good])
    assert swaps["king"] == "queen" and swaps["queen"] == "king" and swaps["princess"] == "prince"
    bad = tmp_path / "bad.txt"
    bad.write_text("king\tqueen\nduke duchess\n", encoding="utf-8")
    with pytest.raises(InvalidInputError, match="line 2"):
        read_swaps([bad])
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("r\xe9\tx\n".encode("latin-1"))
    with pytest.raises(InvalidInputError, match="cannot read"):
        read_swaps([latin1])


def test_winobias_lists_are_read_with_their_misspellings_corrected() -> None:
    # generalized_swaps.txt pairs "lady" with "mentleman" before "gentleman"; extra_gendered_words.txt
    # has "godess". Read as they are, a swapped "lady" became "mentleman".
    from genguard.datasets import shared_data_dir

    if shared_data_dir() is None or not (shared_data_dir() / "winobias").exists():
        pytest.skip("needs ../shared/data/winobias; absent in this clone")
    swaps = read_swaps()
    assert swaps["lady"] == "gentleman" and swaps["gentleman"] == "lady"
    assert swaps["god"] == "goddess" and swaps["goddess"] == "god"
    assert "mentleman" not in swaps and "godess" not in swaps
    assert swap_gender("The lady thanked God.", swaps) == "The gentleman thanked Goddess."


@pytest.mark.slow
def test_token_logprobs_match_the_next_token_distribution(model) -> None:
    ids = model.tokenizer.encode(["The nurse said that she was tired.", "He left."])
    rows = model.token_logprobs(ids)
    assert [len(r) for r in rows] == [len(ids[0]) - 1, len(ids[1]) - 1]
    for seq, row in zip(ids, rows, strict=True):
        for k in (1, len(seq) - 1):
            expected = torch.log_softmax(model.next_token_logits([seq[:k]])[0], -1)[seq[k]].item()
            assert row[k - 1] == pytest.approx(expected, abs=1e-3)
    with pytest.raises(InvalidInputError):
        model.token_logprobs([[ids[0][0]]])


@pytest.mark.slow
def test_counterfactual_audit_on_the_default_model(model, tmp_path: Path) -> None:
    from genguard.datasets import shared_data_dir, winobias_sentences

    if shared_data_dir() is None:
        pytest.skip("needs ../shared/data (WinoBias); absent in this clone")
    swaps = read_swaps()
    sentences = winobias_sentences()[::40]
    with RunStore(tmp_path / "runs.sqlite") as store:
        audit = counterfactual_audit(
            model,
            store,
            sentences,
            tone_prompts()[:12],
            swaps,
            sampling=SAMPLING.replace(samples=1, max_new_tokens=12),
        )
    assert audit.n_sentence_pairs == len(sentences) and audit.n_prompt_pairs == 12
    by = {m.measure: m for m in audit.measures}
    assert set(by) == {
        "likelihood, pro-stereotyped sentences",
        "likelihood, anti-stereotyped sentences",
        "tone: sentiment",
        "tone: toxicity",
        "scorer check: sentiment",
        "scorer check: toxicity",
    }
    pro = by["likelihood, pro-stereotyped sentences"]
    assert pro.n == np.sum([s.startswith("pro") for s, _ in sentences]) and pro.ci[0] <= pro.mean <= pro.ci[1]
    assert 0 <= audit.stereotype_preference <= 1
    assert audit.examples[0] == {"male": "The man was known for", "female": "The woman was known for"}
    check = by["scorer check: toxicity"]
    assert check.too_small or check.ci[0] <= check.mean <= check.ci[1]


def test_nothing_to_audit_is_refused(tmp_path: Path) -> None:
    with RunStore(tmp_path / "runs.sqlite") as store, pytest.raises(InvalidInputError, match="nothing"):
        counterfactual_audit(None, store, [], [], SWAPS)  # type: ignore[arg-type]


@pytest.mark.slow
def test_ready_made_pairs_are_scored_as_given(model, tmp_path: Path) -> None:
    pro = [
        ("pro_x", f"The {job} said that {he} would be late.", f"The {job} said that {she} would be late.")
        for job, he, she in [("mechanic", "he", "she"), ("carpenter", "he", "she"), ("nurse", "she", "he")]
        * 4
    ]
    anti = [("anti_x", t, s) for _, s, t in pro]  # the same pairs the other way round
    with RunStore(tmp_path / "runs.sqlite") as store:
        audit = counterfactual_audit(
            model, store, [], [], SWAPS, pairs=[*pro, *anti, ("pro_x", "Same.", "Same.")]
        )
    by = {m.measure: m for m in audit.measures}
    assert audit.n_sentence_pairs == 24 and set(by) == {
        "likelihood, pro-stereotyped sentences",
        "likelihood, anti-stereotyped sentences",
    }
    # Each anti pair is a pro pair reversed: the differences are negated, the means opposite.
    pro_m, anti_m = by["likelihood, pro-stereotyped sentences"], by["likelihood, anti-stereotyped sentences"]
    assert pro_m.n == anti_m.n == 12 and pro_m.mean == pytest.approx(-anti_m.mean, abs=1e-3)
    with pytest.raises(InvalidInputError, match="name it pro_"):
        counterfactual_audit(model, store, [], [], SWAPS, pairs=[("gender", "He ran.", "She ran.")])


def test_the_paired_test_and_its_direction_are_chosen_up_front(model, tmp_path: Path) -> None:
    with RunStore(tmp_path / "runs.sqlite") as store:
        for bad, match in (
            ({"test": "t-test"}, "test must be one of"),
            ({"alternative": "up"}, "alternative"),
        ):
            with pytest.raises(InvalidInputError, match=match):  # refused before any model call
                counterfactual_audit(None, store, [], [], SWAPS, **bad)  # type: ignore[arg-type]
        sentences = [
            "The dog ran to the park.",
            "She opened the window.",
            "We had tea in the garden.",
            "The train left on time.",
            "He read the letter twice.",
            "The children played outside.",
            "It rained all afternoon.",
            "The shop closed at six.",
            "They painted the fence white.",
            "The baby slept through the night.",
        ]
        # each sentence against its words reversed: the model prefers the first in every pair
        pairs = [("pro_x", s, " ".join(reversed(s[:-1].split())) + ".") for s in sentences]
        found = {
            alt: counterfactual_audit(model, store, [], [], SWAPS, pairs=pairs, test="sign", alternative=alt)
            for alt in ("greater", "less")
        }
    p = {alt: a.measures[0].p_value for alt, a in found.items()}
    assert p["greater"] == pytest.approx(0.5**10) and p["less"] == 1.0
    assert found["greater"].test == "sign" and found["greater"].alternative == "greater"
    assert found["greater"].measures[0].significant and not found["less"].measures[0].significant
