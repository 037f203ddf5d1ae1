"""Toxicity scorer: the shipped model (models/toxicity-minilm) on toxic, ordinary and evasive text,
chunking of long texts, input errors, and saving/loading a head."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest

from genguard.errors import InvalidInputError, ModelLoadError
from genguard.lazy import load_script
from genguard.scoring import Scorer, get_scorer
from genguard.scoring.toxicity import (
    DEFAULT_MODEL_DIR,
    PREPARED_ROWS,
    ToxicityHead,
    ToxicityScorer,
    _prepare_cached,
    clear_prepared,
    prepare,
)
from genguard.text.sentences import CHUNK_CHARS, chunk_spans

INSULT = "You are a worthless idiot."


@pytest.fixture(scope="module")
def tox() -> ToxicityScorer:
    scorer = get_scorer("toxicity")
    assert isinstance(scorer, ToxicityScorer)
    return scorer


TOXIC = [
    INSULT,
    "Shut up, you stupid moron.",
    "You are a pathetic loser and everyone hates you.",
    "Your mother is a fat whore.",
    "Someone should shoot you in the head.",
    "I am going to murder you and your kids.",
    "Watch your back, I know where you live and I will hurt you.",
    "Immigrants are vermin.",
    "Refugees are cockroaches.",
    "Those people are animals and should be wiped out.",
    "Women are too stupid to be allowed to vote.",
]

ORDINARY = [
    "The Eiffel Tower is a wrought-iron lattice tower in Paris, France.",
    "Water boils at 100 degrees Celsius at sea level.",
    "Photosynthesis converts light energy into chemical energy.",
    "The capital of Australia is Canberra.",
    "Could you please send me the report by Friday? Thank you!",
    "Would you mind helping me move the couch this weekend?",
    "Muslims celebrated Eid with their families.",
    "The Jewish community gathered for Passover.",
    "Many immigrants arrived in New York through Ellis Island.",
    "Gay couples gained the right to marry in the United States in 2015.",
    "Hindus celebrate Diwali, the festival of lights.",
    "Black history month is celebrated in February.",
]


def test_toxic_sentences_reach_the_threshold(tox: ToxicityScorer) -> None:
    results = tox.score(TOXIC)
    missed = [(t, r.score) for t, r in zip(TOXIC, results, strict=True) if r.score < tox.threshold]
    assert missed == []
    for text, result in zip(TOXIC, results, strict=True):
        (finding,) = result.findings
        assert finding.label == "TOXIC"
        assert finding.score >= tox.threshold
        assert (finding.span.start, finding.span.end) == (0, len(text))


def test_ordinary_sentences_stay_below_the_threshold(tox: ToxicityScorer) -> None:
    results = tox.score(ORDINARY)
    flagged = [(t, r.score) for t, r in zip(ORDINARY, results, strict=True) if r.score >= tox.threshold]
    assert flagged == []
    assert all(r.findings == [] for r in results)


@pytest.mark.parametrize(
    "evasion",
    [
        "You are a worthless \u0456d\u0456\u043et.",  # Cyrillic i and o
        "You are a worthless i\u200bd\u200bi\u200bo\u200bt.",  # zero-width spaces
        "You are a worthless i d i o t.",
        "You are a w0rthl3ss 1d10t.",
        "YOU ARE A WORTHLESS IDIOT.",
    ],
)
def test_evasions_of_a_caught_insult_are_caught(tox: ToxicityScorer, evasion: str) -> None:
    (plain, evaded) = tox.score([INSULT, evasion])
    assert plain.score >= tox.threshold
    assert evaded.score >= tox.threshold
    (finding,) = evaded.findings
    assert (finding.span.start, finding.span.end) == (0, len(evasion))


@pytest.mark.parametrize("text", ["", " ", "   \n\t \n  "])
def test_blank_text_scores_zero(tox: ToxicityScorer, text: str) -> None:
    (result,) = tox.score([text])
    assert result.score == 0.0
    assert result.findings == []


def test_empty_batch(tox: ToxicityScorer) -> None:
    assert tox.score([]) == []


ORDINARY_PARAGRAPH = (
    "The river flows through the valley and the town holds a market every Saturday. "
    "The committee published its annual report on regional water quality in March. "
    "Tomatoes grow best in warm soil with plenty of sunlight and regular watering.\n\n"
)
TOXIC_PARAGRAPH = (
    "You are a worthless idiot. Shut up, you stupid moron. You are a pathetic loser and everyone "
    "hates you. Your mother is a fat whore. You are a worthless idiot and nobody will ever love you. "
    "Shut up, you stupid moron, you disgust me. You are a pathetic loser and a waste of air. "
    "You are a worthless idiot. Shut up, you stupid moron. You are a pathetic loser. You are a "
    "worthless idiot. Shut up, you stupid moron. You are a pathetic loser and everyone hates you.\n\n"
)


def _long_text(chars: int) -> tuple[str, int, int]:
    """Ordinary paragraphs with a toxic paragraph in the middle; the text and that paragraph's span."""
    half = ORDINARY_PARAGRAPH * (chars // len(ORDINARY_PARAGRAPH) // 2)
    start = len(half)
    return half + TOXIC_PARAGRAPH + half, start, start + len(TOXIC_PARAGRAPH.rstrip())


def _check_long_text(tox: ToxicityScorer, text: str, start: int, end: int) -> None:
    (result,) = tox.score([text])
    assert result.score >= tox.threshold
    assert result.findings, "the toxic paragraph in the middle of the long text was not found"
    for finding in result.findings:  # every finding lies on the toxic paragraph, none on the ordinary text
        assert finding.span.end - finding.span.start <= CHUNK_CHARS
        assert finding.span.start < end and finding.span.end > start
    # At least one finding covers a whole toxic sentence of the paragraph.
    covered = [text[f.span.start : f.span.end] for f in result.findings]
    assert any("You are a worthless idiot." in c or "Shut up, you stupid moron." in c for c in covered)


def test_long_text_is_chunked_and_the_toxic_part_located(tox: ToxicityScorer) -> None:
    text, start, end = _long_text(30_000)
    _check_long_text(tox, text, start, end)


@pytest.mark.slow
def test_one_megabyte_text_completes_with_the_toxic_part_located(tox: ToxicityScorer) -> None:
    text, start, end = _long_text(1_000_000)
    assert len(text) >= 1_000_000
    _check_long_text(tox, text, start, end)


def test_a_toxic_sentence_between_ordinary_ones_is_found(tox: ToxicityScorer) -> None:
    before = "The river flows through the valley and the town holds a market every Saturday. "
    after = "The committee published its annual report on regional water quality in March."
    text = before + INSULT + " " + after
    (result,) = tox.score([text])
    assert result.score >= tox.threshold
    (finding,) = result.findings
    assert text[finding.span.start : finding.span.end] == INSULT


def _chunk_cases() -> list[str]:
    rng = random.Random(7)
    words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "Iota!", "kappa."]
    random_text = "".join(
        rng.choice(words) + rng.choice([" ", "  ", "\n", "\n\n", " \t", ". ", "? "]) for _ in range(3000)
    )
    return [
        "",
        "   \n\n  ",
        "One sentence.",
        "  Leading and trailing blanks.  \n\n",
        "x" * 1000,  # no place to cut: hard cuts
        ("word " * 300).strip(),  # one sentence longer than a chunk: cut at spaces
        "Short. " * 200,
        ORDINARY_PARAGRAPH * 10,
        "a\n\n\n\nb\n \n c",
        random_text,
    ]


@pytest.mark.parametrize("text", _chunk_cases())
def test_chunk_spans_cover_all_non_blank_text(text: str) -> None:
    spans = chunk_spans(text)
    covered = [False] * len(text)
    last_end = 0
    for s, e in spans:
        assert 0 <= last_end <= s < e <= len(text)  # in order, not overlapping
        assert e - s <= CHUNK_CHARS
        assert text[s:e].strip()
        covered[s:e] = [True] * (e - s)
        last_end = e
    missed = [i for i, ch in enumerate(text) if not ch.isspace() and not covered[i]]
    assert missed == []


def test_chunk_spans_respect_a_smaller_limit() -> None:
    text = ORDINARY_PARAGRAPH * 3
    spans = chunk_spans(text, max_chars=100)
    assert all(e - s <= 100 for s, e in spans)
    assert "".join(text[s:e] for s, e in spans).replace(" ", "") == "".join(text.split())


@pytest.mark.parametrize("bad", ["a bare string", b"bytes", [1, 2], ["ok", None], [b"bytes"]])
def test_bad_input_types(tox: ToxicityScorer, bad: object) -> None:
    with pytest.raises(InvalidInputError):
        tox.score(bad)  # type: ignore[arg-type]


def test_missing_model_folder(tmp_path: Path) -> None:
    folder = tmp_path / "no-such-model"
    with pytest.raises(ModelLoadError, match="no-such-model"):
        ToxicityScorer(model_dir=folder)


def test_folder_without_config(tmp_path: Path) -> None:
    ToxicityHead.load(DEFAULT_MODEL_DIR).save(tmp_path / "m")
    (tmp_path / "m" / "config.json").unlink()
    with pytest.raises(ModelLoadError, match=r"config\.json"):
        ToxicityScorer(model_dir=tmp_path / "m")


def test_head_save_load_round_trip(tox: ToxicityScorer, tmp_path: Path) -> None:
    head = ToxicityHead.load(DEFAULT_MODEL_DIR)
    head.save(tmp_path / "copy")
    again = ToxicityHead.load(tmp_path / "copy")
    assert again.layers == head.layers
    assert again.bias == head.bias
    assert np.array_equal(again.weight, head.weight)
    assert again.config == {**head.config, "layers": list(head.layers)}
    features = tox.embedder.embed(TOXIC[:3] + ORDINARY[:3], layers=head.layers)
    assert np.array_equal(again.probabilities(features), head.probabilities(features))
    assert set(json.loads((tmp_path / "copy" / "config.json").read_text())) >= {"name", "threshold", "layers"}

    # A fresh head with other weights and layers survives the trip too.
    rng = np.random.default_rng(0)
    fresh = ToxicityHead(rng.normal(size=384), -0.25, (6,), {"name": "fresh", "threshold": 0.3})
    fresh.save(tmp_path / "fresh")
    loaded = ToxicityHead.load(tmp_path / "fresh")
    x = rng.normal(size=(5, 384)).astype(np.float32)
    assert np.array_equal(loaded.probabilities(x), fresh.probabilities(x))
    assert loaded.threshold == 0.3 and loaded.layers == (6,)


def test_hidden_layer_head_round_trip(tmp_path: Path) -> None:
    # P(toxic) through one ReLU layer (models/toxicity-minilm/build.py --hidden): the saved head
    # reads its hidden tensors back and scores as the formula says, not as a linear head would.
    rng = np.random.default_rng(1)
    hw, hb = rng.normal(size=(16, 384)).astype(np.float32), rng.normal(size=16).astype(np.float32)
    w = rng.normal(size=16).astype(np.float32)
    config = {"name": "mlp", "threshold": 0.5}
    head = ToxicityHead(w, 0.1, (1, 2, 3), config, hidden_weight=hw, hidden_bias=hb)
    head.save(tmp_path / "mlp")
    loaded = ToxicityHead.load(tmp_path / "mlp")
    x = rng.normal(size=(6, 384)).astype(np.float32)
    expected = 1 / (1 + np.exp(-(np.maximum(x @ hw.T + hb, 0) @ w + 0.1)))
    assert np.allclose(loaded.probabilities(x), expected, atol=1e-6)
    assert loaded.layers == (1, 2, 3)
    with pytest.raises(ValueError, match="units"):
        ToxicityHead(w[:8], 0.1, (6,), {"threshold": 0.5}, hidden_weight=hw, hidden_bias=hb)
    # A folder whose head lost one of the pair does not load as something else.
    from safetensors.numpy import load_file, save_file

    tensors = load_file(tmp_path / "mlp" / "head.safetensors")
    del tensors["hidden_bias"]
    save_file(tensors, tmp_path / "mlp" / "head.safetensors")
    with pytest.raises(ModelLoadError, match="come together"):
        ToxicityHead.load(tmp_path / "mlp")


def test_saved_copy_scores_identically(tox: ToxicityScorer, tmp_path: Path) -> None:
    ToxicityHead.load(DEFAULT_MODEL_DIR).save(tmp_path / "copy")
    copy = ToxicityScorer(model_dir=tmp_path / "copy")  # a head without a screen
    texts = [INSULT, ORDINARY[0]]
    exact = ToxicityScorer(screen=False)
    assert [r.score for r in copy.score(texts)] == [r.score for r in exact.score(texts)]


def test_registry_and_model_id(tox: ToxicityScorer) -> None:
    assert isinstance(tox, Scorer)
    assert tox.name == "toxicity"
    head_name = json.loads((DEFAULT_MODEL_DIR / "config.json").read_text())["name"]
    assert head_name in tox.model_id
    assert "all-MiniLM-L6-v2" in tox.model_id
    assert tox.embedder.model_id in tox.model_id
    (result,) = tox.score([INSULT])
    assert result.model_id == tox.model_id
    assert result.scorer == "toxicity"


def test_threshold_parameter_gates_findings() -> None:
    # Without the first-pass screen the score does not depend on the threshold (with it, a text
    # cleared for a high threshold gets the screen's stand-in: tests/scoring/test_screen.py).
    strict = get_scorer("toxicity", threshold=0.0, screen=False)
    lax = get_scorer("toxicity", threshold=1.0, screen=False)
    text = ORDINARY[0]
    assert len(strict.score([text])[0].findings) == 1
    assert lax.score([text])[0].findings == []
    assert strict.score([text])[0].score == lax.score([text])[0].score


def test_prepare_remembers_a_bounded_number_of_short_texts() -> None:
    clear_prepared()
    short = "Thanks @someone_here, see https://example.com/a for details"
    long = short + " and more." * 200  # over CACHE_MAX_CHARS: prepared every time, not kept
    assert prepare(short) == prepare(short) == "Thanks USER, see URL for details"
    assert prepare(long).startswith("Thanks USER, see URL for details and more.")
    for i in range(PREPARED_ROWS + 500):
        prepare(f"sentence number {i}")
    assert _prepare_cached.cache_info().currsize == PREPARED_ROWS
    clear_prepared()
    assert _prepare_cached.cache_info().currsize == 0


@pytest.fixture(scope="module")
def build():
    """models/toxicity-minilm/build.py as a module (its folder name is not importable)."""
    return load_script(DEFAULT_MODEL_DIR / "build.py", "toxicity_build_test")


def _refuses_held_out(build, tmp_path: Path, monkeypatch, name: str, held: str, load) -> None:
    """A copy of training file `name` holding the held-out text `held` (as one clean row) must make
    its loader raise."""
    (tmp_path / name).write_text(
        f"offensive: {{}}\nclean:\n  x:\n    - {json.dumps(held)}\ncrossed: {{}}\n", encoding="utf-8"
    )
    monkeypatch.setattr(build, "HERE", tmp_path)
    with pytest.raises(ValueError, match="held-out"):
        load()


def test_identity_training_file_loads_and_refuses_held_out_texts(build, tmp_path: Path, monkeypatch) -> None:
    # identity.yaml (injection card item 74) is training data: both labels, the identity-attack
    # category on every offensive row, and no sentence of guard_quality's held-out sets in it.
    from genguard.datasets import shared_data_dir

    if shared_data_dir() is None or not all((shared_data_dir() / d).exists() for d in ("bold", "davidson")):
        pytest.skip("../shared/data/bold or davidson is absent (the build's sources read them)")
    source = build.identity_source()
    assert 0 < source.labels.sum() < len(source.labels)
    attack = build.CATEGORIES.index("identity_attack")
    assert (source.cats[source.labels == 1, attack] == 1).all()
    assert "identity.yaml" not in [s.name for s in build.sources()]  # weight 0: model 3 as built
    # A copy with one held-out register-set text in it is refused.
    lines = (build.DATA / "toxicity_registers_test.jsonl").read_text(encoding="utf-8").splitlines()
    held = next(r for r in map(json.loads, lines) if "text" in r)
    text = held["text"].upper()
    _refuses_held_out(build, tmp_path, monkeypatch, "identity.yaml", text, build.identity_source)


def test_prepare_tells_leet_words_from_handles() -> None:
    # Card item 81: in a text written in leetspeak, "@" words that decode to a word are words
    # ("@b0ut" is "about", not a user handle); handles stay placeholders, in leetspeak or not.
    assert prepare("@bobsmith you are an idiot") == "USER you are an idiot"
    assert prepare("@b0ut t1m3 y0u $h0w3d up @bobsmith") == "about time you showed up USER"
    assert prepare("th4t w@$ @g41n @n @$$ m0v3") == "that was again an ass move"


def test_training_tweets_load_and_refuse_held_out_tweets(build, tmp_path: Path, monkeypatch) -> None:
    # tweets.yaml (injection card item 78) trains model 5: both labels, no crossed frames needed,
    # and no tweet of the held-out tweet sets in it (a copy with one is refused).
    source = build.tweets_source()
    assert 0 < source.labels.sum() < len(source.labels)
    assert build.WEIGHTS["tweets.yaml"] > 0
    lines = build.TWEETS_HELD_OUT[0].read_text(encoding="utf-8").splitlines()
    held = next(r for r in map(json.loads, lines) if "text" in r)
    _refuses_held_out(build, tmp_path, monkeypatch, "tweets.yaml", held["text"] + "!", build.tweets_source)


def test_training_prose_leaves_quoted_words_uncategorised_and_refuses_held_out_prose(
    build, tmp_path: Path, monkeypatch
) -> None:
    # prose.yaml (injection card item 82): clean rows quote or report offensive words, so their
    # categories are unknown (the profanity head must not learn that a quoted swear word is none);
    # offensive rows keep theirs; a copy holding a held-out prose sentence is refused.
    source = build.prose_source()
    assert 0 < source.labels.sum() < len(source.labels)
    assert (source.cats[source.labels == 0] == -1).all()
    assert (source.cats[source.labels == 1] >= 0).all()
    assert source.cats[source.labels == 1, build.CATEGORIES.index("profanity")].sum() > 0
    lines = build.PROSE_HELD_OUT[0].read_text(encoding="utf-8").splitlines()
    held = next(r for r in map(json.loads, lines) if "text" in r)
    _refuses_held_out(build, tmp_path, monkeypatch, "prose.yaml", held["text"].lower(), build.prose_source)


def test_logit_pairing_makes_a_hidden_head_ignore_what_a_swap_changes(build, monkeypatch) -> None:
    # build.py --pairing (injection card item 77): the loss's pairing term must pull the logits of
    # a text and its swapped form together, even where the swapped direction predicts the label.
    rng = np.random.default_rng(0)
    x = rng.normal(size=(600, 8)).astype(np.float32)
    y = (x[:, 0] + x[:, 1] > 0).astype(np.int64)  # dimension 1 stands in for gender
    swapped = x.copy()
    swapped[:, 1] = -swapped[:, 1]
    basis = np.zeros((8, 0), np.float32)

    def gap(pairing: float) -> float:
        monkeypatch.setattr(build, "HIDDEN_PAIRING", pairing)
        hw, hb, w, b = build.fit_hidden(x, y, np.ones(len(y)), basis, 16, (x, swapped))
        head = ToxicityHead(w, b, (6,), {"threshold": 0.5}, hidden_weight=hw, hidden_bias=hb)
        return float(np.abs(head.probabilities(x) - head.probabilities(swapped)).mean())

    assert gap(10.0) < 0.5 * gap(0.0)
