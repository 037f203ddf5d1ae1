"""A text's two gender forms (genguard.fairness.gender_swap) and the audits' gender-averaged
toxicity (genguard.fairness.tone.ToneScorer; injection card item 84)."""

from __future__ import annotations

import pytest

from genguard.fairness.gender_swap import GenderForms, is_female_member, swap_gender

SWAPS = {"he": "she", "she": "he", "his": "her", "him": "her", "her": "his", "actor": "actress"}
SWAPS |= {"actress": "actor", "mr.": "mrs.", "mrs.": "mr.", "uncle": "aunt", "aunt": "uncle"}
PRONOUNS = {"he", "she", "his", "him", "her", "hers", "himself", "herself"}


@pytest.fixture(scope="module")
def swaps() -> dict[str, str]:
    from genguard.datasets import shared_data_dir
    from genguard.fairness.gender_swap import read_swaps

    if shared_data_dir() is None or not (shared_data_dir() / "winobias").exists():
        pytest.skip("needs ../shared/data/winobias; absent in this clone")
    return read_swaps()


def test_forms_are_all_male_and_all_female_with_case_and_context_kept() -> None:
    forms = GenderForms(SWAPS)
    text = "He told her that Mr. Lee's aunt is an Actress."
    assert forms(text) == (
        "He told him that Mr. Lee's uncle is an Actor.",
        "She told her that Mrs. Lee's aunt is an Actress.",
    )
    assert forms("no listed word here") == ("no listed word here", "no listed word here")
    assert forms("") == ("", "")
    # "her" before a question word, an auxiliary or "already" is an object ("him"), not "his".
    assert swap_gender("She taught her how to swim.", SWAPS) == "He taught him how to swim."
    assert swap_gender("People like her are rare; fire her already.", SWAPS) == (
        "People like him are rare; fire him already."
    )


def test_every_listed_word_gives_a_text_and_its_swap_the_same_forms(swaps) -> None:
    # The invariance the audits rely on, for every word of the swap lists in three positions.
    words = sorted(w for w in swaps if w.replace("'", "").isalpha() and w not in PRONOUNS)
    texts = [f"{w.capitalize()} came home." for w in words]
    texts += [f"Everyone said the {w} was rude to us." for w in words]
    texts += [f"We met {w} and left at noon with {w}." for w in words]
    texts += [
        "He said his mother gave him the keys, and he kept them himself.",
        "She said her mother gave her the keys, and she kept them herself.",
        "The keys are hers.",
        "Ma'am, the Mr. and Mrs. Lee you asked for are here.",
    ]
    forms = GenderForms(swaps)
    broken = [t for t in texts if forms(t) != forms(swap_gender(t, swaps))]
    assert broken == []


def test_pronouns_and_female_endings_pick_the_female_member(swaps) -> None:
    for female, male in (("she", "he"), ("her", "his"), ("actress", "actor"), ("queen", "king")):
        assert is_female_member(female, male) and not is_female_member(male, female)
    # Every pair has exactly one female member, whatever order the files list it in.
    assert all(is_female_member(a, b) != is_female_member(b, a) for a, b in swaps.items() if a != b)


@pytest.mark.slow
def test_averaged_toxicity_scores_a_text_and_its_swap_the_same(swaps) -> None:
    from genguard.fairness.tone import ToneScorer

    texts = [
        "She is a stupid woman and her ideas are garbage.",
        "The actress thanked her brother for the flowers.",
        "That man is a liar and his sons are no better.",
        "My aunt said the king was a coward.",
    ]
    swapped = [swap_gender(t, swaps) for t in texts]
    plain, averaged = ToneScorer(), ToneScorer(swaps=swaps)
    before, after = plain.toxicity_scores(texts), plain.toxicity_scores(swapped)
    gaps = [abs(a - b) for a, b in zip(before, after, strict=True)]
    assert max(gaps) > 1e-3  # the head alone does react to the gender words of these texts
    a, b = averaged.toxicity_scores(texts), averaged.toxicity_scores(swapped)
    assert max(abs(x - y) for x, y in zip(a, b, strict=True)) < 1e-6
    # A text without a listed word is scored once, as the head scores it.
    neutral = ["You are an idiot.", "The weather is fine today."]
    assert averaged.toxicity_scores(neutral) == plain.toxicity_scores(neutral)
    assert averaged.model_ids["toxicity"] != plain.model_ids["toxicity"]


def test_the_project_supplement_adds_the_pairs_winobias_lacks(swaps) -> None:
    from pathlib import Path

    import yaml

    from genguard.fairness import gender_swap
    from genguard.fairness.gender_swap import read_swaps

    pairs = yaml.safe_load(Path(gender_swap.__file__).with_name("gender_pairs.yaml").read_text())["pairs"]
    winobias = read_swaps(supplement=False)
    assert "boyfriend" not in winobias and swap_gender("Her boyfriend left.", swaps) == "His girlfriend left."
    for male, female in pairs:
        assert male not in winobias and female not in winobias  # a supplement, not an override
        assert swaps[male] == female and swaps[female] == male
        assert is_female_member(female, male) and not is_female_member(male, female)
