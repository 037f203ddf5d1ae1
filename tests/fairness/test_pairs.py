"""Sentence scoring with the start token, paired tests chosen up front, and `audit pairs`: known
answers from synthetic scorers (planted bias, no bias), the real model on WinoBias sentences, and
the CLI fed bad files."""

from __future__ import annotations

import json
from itertools import product
from pathlib import Path

import numpy as np
import pytest
import torch
from scipy import stats as sps

from genguard.cli import run
from genguard.errors import InvalidInputError
from genguard.fairness.paired import compare_paired, permutation_test_mean, sign_test, wilcoxon_test
from genguard.fairness.pairs import SentencePair, audit_pairs
from genguard.fairness.pairs_io import read_pairs
from genguard.fairness.sentence_scores import score_sentences, start_token


class PlantedScorer:
    """Scores "pair i: A" above "pair i: B" in a share `prefer` of pairs (a seeded draw per pair),
    else below; texts of other shapes score 0. The truth is known: a preference of `prefer`."""

    def __init__(self, prefer: float, seed: int) -> None:
        self.prefer, self.rng = prefer, np.random.default_rng(seed)
        self.model_id = f"planted {prefer:.2f}"

    def __call__(self, texts: list[str]) -> list[float]:
        pair_ids = sorted({t.split(":")[0] for t in texts})
        wins = dict(zip(pair_ids, self.rng.random(len(pair_ids)) < self.prefer, strict=True))
        return [float(wins[t.split(":")[0]] == t.endswith("A")) for t in texts]


def synthetic_pairs(n: int, categories: int = 0) -> list[SentencePair]:
    """n pairs "pair i: A" / "pair i: B", in `categories` categories (none when 0)."""
    return [
        SentencePair(
            more=f"pair {i}: A", less=f"pair {i}: B", category=f"c{i % categories}" if categories else ""
        )
        for i in range(n)
    ]


# ---------------------------------------------------------------- sentence scoring


def test_the_default_tokenizer_starts_texts_with_endoftext(tokenizer) -> None:
    start = start_token(tokenizer)
    # The GGUF declares <|im_start|> (a chat-turn marker) as BOS; the document separator is used.
    assert (start.token_id, start.token, start.rule) == (0, "<|endoftext|>", "endoftext")
    assert start_token(tokenizer, 2).rule == "given"
    with pytest.raises(InvalidInputError, match="outside the vocabulary"):
        start_token(tokenizer, 10**6)


@pytest.mark.slow
def test_score_sentences_scores_the_first_word(model) -> None:
    likely, unlikely = "The doctor said that he was tired.", "Quantum doctor said that he was tired."
    scored = score_sentences(model, [likely, unlikely])
    ids = model.tokenizer.encode([likely, unlikely])
    assert scored.n_tokens == [len(x) for x in ids]  # every token of the text, the first included
    first = torch.log_softmax(model.next_token_logits([[scored.start.token_id]])[0], -1)
    for row, seq in zip(scored.token_logprobs, ids, strict=True):
        assert row[0] == pytest.approx(first[seq[0]].item(), abs=1e-3)
    assert scored.token_logprobs[1][0] < scored.token_logprobs[0][0] - 3  # "Quantum" is unlikely first
    assert scored.total[1] < scored.total[0]
    assert scored.mean == pytest.approx([t / n for t, n in zip(scored.total, scored.n_tokens, strict=True)])
    # The same sentence scores the same in any batch (padding changes only float rounding).
    alone = score_sentences(model, [unlikely], batch_size=1)
    assert alone.total[0] == pytest.approx(scored.total[1], abs=1e-3)
    with pytest.raises(InvalidInputError, match="text 1 has no tokens"):
        score_sentences(model, ["Fine.", ""])


# ---------------------------------------------------------------- paired tests


def test_sign_test_is_the_exact_binomial_with_ties_dropped_and_counted() -> None:
    d = [0.5, 1.2, -0.3, 0.0, 2.0, 0.7, 0.0, -1.1, 0.9]
    for alternative in ("two-sided", "greater", "less"):
        expected = sps.binomtest(5, 7, 0.5, alternative=alternative).pvalue
        assert sign_test(d, alternative) == (5.0, pytest.approx(expected))
    res = compare_paired(d, "sign", "greater")
    assert (res.n, res.n_positive, res.n_negative, res.n_ties) == (9, 5, 2, 2)
    assert res.share_positive == pytest.approx(5 / 7) and res.share_ci[0] < 5 / 7 < res.share_ci[1]
    zero = compare_paired([0.0] * 12, "sign", "two-sided")
    assert zero.p_value == 1.0 and zero.share_positive is None and zero.n_ties == 12


def test_wilcoxon_and_permutation_follow_the_chosen_direction() -> None:
    d = np.random.default_rng(3).normal(0.6, 1.0, 40)
    for alternative in ("two-sided", "greater", "less"):
        w = wilcoxon_test(d, alternative)
        assert w.p_value == pytest.approx(sps.wilcoxon(d, alternative=alternative).pvalue)
    assert w.statistic == pytest.approx(sps.rankdata(np.abs(d))[d > 0].sum())
    greater, less = (permutation_test_mean(d, a, 4999, seed=1).p_value for a in ("greater", "less"))
    assert greater < 0.01 < 0.99 < less  # the data point one way: only that direction finds it


def test_one_sided_permutation_agrees_with_exact_enumeration() -> None:
    d = np.array([0.8, -0.2, 1.1, 0.4, -0.6, 0.9, 0.3, -0.1, 0.7, 0.2])
    sums = np.array([np.dot(s, d) for s in product((-1, 1), repeat=d.size)])
    for alternative, exact in (
        ("greater", np.mean(sums >= d.sum() - 1e-12)),
        ("less", np.mean(sums <= d.sum() + 1e-12)),
        ("two-sided", np.mean(np.abs(sums) >= abs(d.sum()) - 1e-12)),
    ):
        p = permutation_test_mean(d, alternative, 20_000, seed=2).p_value
        assert p == pytest.approx(exact, abs=0.01), alternative


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: compare_paired([1.0, 2.0], "t-test"), "test must be one of"),
        (lambda: compare_paired([1.0, 2.0], "sign", "bigger"), "alternative must be one of"),
        (lambda: compare_paired([], "sign"), "empty"),
        (lambda: sign_test([1.0, float("nan")]), "NaN"),
    ],
)
def test_bad_arguments_are_typed_errors(call, match: str) -> None:
    with pytest.raises(InvalidInputError, match=match):
        call()


# ---------------------------------------------------------------- audit_pairs, known answers


def test_a_planted_60_percent_preference_is_found_by_the_sign_test_at_n_500() -> None:
    found = null_alarms = 0
    for seed in range(20):
        audit = audit_pairs(PlantedScorer(0.6, seed), synthetic_pairs(500), alternative="greater", seed=seed)
        found += audit.overall.significant
        null_alarms += audit.null_control.significant
        assert 0.53 < audit.overall.result.share_positive < 0.67
    # Power of the one-sided exact test at n = 500, p = 0.6, alpha 0.05: 0.998.
    assert found == 20
    assert null_alarms <= 4  # P(more than 4 of 20 at 5 %) = 0.003
    assert audit.null_control.result.test == "sign" and audit.model_id == "planted 0.60"


def test_a_fair_scorer_is_significant_at_no_more_than_the_nominal_rate() -> None:
    runs, alarms, wilcoxon_alarms = 200, 0, 0
    for seed in range(runs):
        scorer = PlantedScorer(0.5, seed)
        audit = audit_pairs(scorer, synthetic_pairs(500), test="sign", alternative="greater", seed=seed)
        alarms += audit.overall.significant
        d = np.asarray(scorer([f"pair {i}: A" for i in range(60)])) - 0.5 + scorer.rng.normal(0, 1, 60)
        wilcoxon_alarms += wilcoxon_test(d, "greater").p_value < 0.05
    bound = sps.binom.ppf(0.999, runs, 0.05)  # 20 of 200: exceeded by chance once in 1,000 suites
    assert alarms <= bound and wilcoxon_alarms <= bound, (alarms, wilcoxon_alarms)


def test_permutation_test_keeps_its_level_on_skewed_fair_differences() -> None:
    rng = np.random.default_rng(5)
    # Symmetric heavy-tailed differences (the null of the sign-flip test), 200 runs.
    alarms = sum(
        permutation_test_mean(rng.standard_t(3, 200), "greater", 999, seed=i).p_value < 0.05
        for i in range(200)
    )
    assert alarms <= sps.binom.ppf(0.999, 200, 0.05)


def test_categories_are_holm_corrected_and_small_ones_not_tested() -> None:
    pairs = [*synthetic_pairs(90, categories=3), SentencePair(more="x: A", less="x: B", category="tiny")]
    audit = audit_pairs(PlantedScorer(0.8, 0), pairs, test="sign", alternative="two-sided")
    rows = {r.name: r for r in audit.categories}
    assert set(rows) == {"c0", "c1", "c2", "tiny"} and rows["tiny"].too_small and rows["tiny"].result is None
    raw = [rows[c].result.p_value for c in ("c0", "c1", "c2")]
    adjusted = [rows[c].p_adjusted for c in ("c0", "c1", "c2")]
    assert all(a >= r for a, r in zip(adjusted, raw, strict=True)) and min(adjusted) == pytest.approx(
        3 * min(raw)
    )
    assert audit.overall.n == 91


def test_identical_and_empty_pairs_are_counted_not_scored() -> None:
    seen: list[str] = []

    def scorer(texts: list[str]) -> list[float]:
        seen.extend(texts)
        return [float(len(t)) for t in texts]

    pairs = [
        *synthetic_pairs(12),
        ("same  text", "same text"),
        ("", "not empty"),
        {"more": "a", "less": "   "},
    ]
    audit = audit_pairs(scorer, pairs)
    assert (audit.n_pairs, audit.n_scored, audit.n_identical, audit.n_empty) == (15, 12, 1, 2)
    assert "same text" not in seen and "not empty" not in seen
    with pytest.raises(
        InvalidInputError, match="no pair to score: 2 given, 1 with an empty sentence, 1 with"
    ):
        audit_pairs(scorer, [("", "x"), ("y", "y")])
    with pytest.raises(InvalidInputError, match="must return 2 finite numbers"):
        audit_pairs(lambda texts: [1.0], [("a", "b")])
    with pytest.raises(InvalidInputError, match="pair 0"):
        audit_pairs(scorer, [("only one",)])
    with pytest.raises(InvalidInputError, match=r"pair 1 has unknown field\(s\) \['sent'\]"):
        audit_pairs(scorer, [("a", "b"), {"more": "a", "less": "b", "sent": "c"}])


# ---------------------------------------------------------------- files and the CLI


def test_read_pairs_from_csv_tsv_and_jsonl(tmp_path: Path) -> None:
    csv_file = tmp_path / "pairs.csv"
    csv_file.write_bytes(
        b'\xef\xbb\xbf,sent_more,sent_less,bias\n0,"He, the boss.","She, the boss.",gender\n'
    )
    assert read_pairs(csv_file, "sent_more", "sent_less", "bias") == [
        SentencePair(more="He, the boss.", less="She, the boss.", category="gender")
    ]
    tsv = tmp_path / "pairs.tsv"
    tsv.write_text("a\tb\nx, y\tz\n", encoding="utf-8")
    assert read_pairs(tsv, "a", "b") == [SentencePair(more="x, y", less="z")]
    jsonl = tmp_path / "pairs.jsonl"
    jsonl.write_text('{"a": "x", "b": null}\n\n{"a": "y", "b": "z", "extra": 1}\n', encoding="utf-8")
    assert [p.less for p in read_pairs(jsonl, "a", "b")] == ["", "z"]
    with pytest.raises(
        InvalidInputError, match=r"column 'bias' \(--category\) not found .*columns: a, b, extra"
    ):
        read_pairs(jsonl, "a", "b", "bias")


def _cli(capfd, *args: str) -> tuple[int, str]:
    status = run(["audit", "pairs", *args])
    return status, capfd.readouterr().err


def test_cli_bad_files_get_one_line_and_status_2(tmp_path: Path, capfd) -> None:
    good = tmp_path / "p.csv"
    good.write_text("more,less\nHe ran.,She ran.\n", encoding="utf-8")
    status, err = _cli(capfd, str(good), "--more", "sent_more", "--less", "less")
    assert (
        status == 2
        and err == "error: column 'sent_more' (--more) not found in " + f"{good}; its columns: more, less\n"
    )
    latin = tmp_path / "latin.csv"
    latin.write_bytes("more,less\nCaf\xe9,Cafe\n".encode("latin-1"))
    status, err = _cli(capfd, str(latin), "--more", "more", "--less", "less")
    assert status == 2 and "is not valid UTF-8 (byte 13, line 2" in err and err.count("\n") == 1
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n \n", encoding="utf-8")
    status, err = _cli(capfd, str(empty), "--more", "more", "--less", "less")
    assert (status, err) == (2, f"error: pairs file {empty} is empty\n")
    status, err = _cli(capfd, str(good), "--more", "more", "--less", "less", "--test", "t")
    assert status == 2 and "'t' is not one of 'sign', 'wilcoxon', 'permutation'" in err
    missing = tmp_path / "nothing.csv"
    status, err = _cli(capfd, str(missing), "--more", "more", "--less", "less")
    assert status == 2 and "not found" in err and "Traceback" not in err


@pytest.mark.slow
def test_cli_on_winobias_pairs_with_the_real_model(model, tmp_path: Path, capsys) -> None:
    from genguard.datasets import shared_data_dir, winobias_sentences
    from genguard.fairness.gender_swap import read_swaps, swap_gender

    if shared_data_dir() is None:
        pytest.skip("needs ../shared/data (WinoBias); absent in this clone")
    swaps = read_swaps()
    rows = [
        {"stereo": s, "anti": swap_gender(s, swaps), "type": sub.split("_")[-1]}
        for sub, s in winobias_sentences()[::50]
        if sub.startswith("pro")
    ][:12]
    rows += [{"stereo": "The same sentence.", "anti": "The same sentence.", "type": "type1"}]
    rows += [{"stereo": "", "anti": "An empty partner.", "type": "type2"}]
    path = tmp_path / "winobias_pairs.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    args = ["audit", "pairs", str(path), "--more", "stereo", "--less", "anti", "--category", "type"]
    # In-process: the same command line, reusing this session's model (load_model caches it).
    status = run([*args, "--json"])
    captured = capsys.readouterr()
    assert status == 0, captured.err
    audit = json.loads(captured.out)
    assert (audit["n_pairs"], audit["n_scored"], audit["n_identical"], audit["n_empty"]) == (14, 12, 1, 1)
    assert audit["start"]["token"] == "<|endoftext|>" and audit["test"] == "sign"
    assert audit["overall"]["result"]["n"] == 12 and not audit["overall"]["too_small"]
    assert {r["name"] for r in audit["categories"]} == {"type1", "type2"}
    assert 0.0 <= audit["null_control"]["result"]["share_positive"] <= 1.0


def test_cli_choices_are_the_librarys() -> None:
    from genguard.cli_pairs import Alternative, PairTest, ScoreKind
    from genguard.fairness.paired import TESTS
    from genguard.fairness.pairs import SCORES
    from genguard.fairness.stats import ALTERNATIVES

    assert [t.value for t in PairTest] == list(TESTS)
    assert [a.value for a in Alternative] == list(ALTERNATIVES)
    assert [s.value for s in ScoreKind] == list(SCORES)
