from __future__ import annotations

import random

import pytest

from genguard.errors import ConfigError
from genguard.guard.pipeline import Guard
from genguard.guard.policy import Policy
from genguard.provenance.index import ProtectedIndex
from genguard.scoring import available, get_scorer

WORDS = ["amber", "basalt", "cedar", "delta", "ember", "fjord", "granite", "heron", "iris", "juniper"]
WORDS += ["kelp", "lichen", "moss", "nectar", "obsidian", "pine", "quartz", "reed", "sage", "tundra"]


def _doc(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


@pytest.fixture
def protected(tmp_path) -> tuple[str, list[str]]:
    rng = random.Random(0)
    docs = [_doc(rng, 150) for _ in range(40)]
    path = tmp_path / "protected.db"
    with ProtectedIndex(path) as index:
        index.add(docs, keys=[f"doc-{i}" for i in range(len(docs))])
    return str(path), docs


def test_the_scorer_is_offered_through_the_entry_point(protected) -> None:
    assert "protected-content" in available()
    path, docs = protected
    scorer = get_scorer("protected-content", index=path)
    copied, clean = scorer.score([f"Sure! {docs[3][100:400].upper()} Hope that.", "Nothing copied here."])
    assert copied.score == 1.0 and copied.findings[0].span is not None
    assert clean.score == 0.0 and clean.findings == []
    with pytest.raises(ConfigError, match="no index at"):
        get_scorer("protected-content", index=str(tmp_missing := path + ".missing"))
    assert tmp_missing.endswith(".missing")


def _guard(path: str, params: str = "") -> Guard:
    policy = Policy.from_yaml(
        f"""
profiles:
  default:
    quotations: off
    output:
      protected-content: {{action: redact, reason: protected content, params: {{index: "{path}"{params}}}}}
"""
    )
    return Guard(policy.profile("default"))


def test_guard_policy_redacts_a_copied_passage(protected) -> None:
    path, docs = protected
    passage = docs[7][200:500]
    copied, clean = _guard(path).check(
        [f"Here you go: {passage} That is all.", "An original answer about nothing in the index."],
        stage="output",
    )
    assert copied.action == "redact"
    assert copied.text.startswith("Here you go: ") and copied.text.endswith(" That is all.")
    assert "[PROTECTED_CONTENT]" in copied.text and len(copied.text) < 60
    assert clean.action == "allow" and clean.text.startswith("An original answer")


def test_a_near_duplicate_without_a_long_shared_run_is_blocked(protected) -> None:
    path, docs = protected
    words = docs[9].split()
    near = " ".join(w if i % 30 else "zebra" for i, w in enumerate(words))
    [verdict] = _guard(path, ", min_span: 100000").check([near], stage="output")
    assert verdict.action == "block" and "no span to redact" in verdict.flags[0].reason
