"""The injection rules' keyword gates skip only texts the full patterns cannot match: on every
attack and prompt the project holds (training lines, dev and held-out sets), the gated search
finds exactly the matches of the ungated one."""

from __future__ import annotations

import json
from pathlib import Path

from genguard.scoring import injection
from genguard.text import normalize_for_matching

ROOT = Path(__file__).resolve().parents[2]


def _texts() -> list[str]:
    texts = []
    for path in sorted((ROOT / "benchmarks" / "data").glob("injection*.jsonl")):
        rows = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
        texts += [r["text"] for r in rows if isinstance(r.get("text"), str)]
    for path in sorted((ROOT / "models" / "injection-minilm" / "data").glob("*.txt")):
        texts += [
            x for x in path.read_text(encoding="utf-8").split("\n") if x.strip() and not x.startswith("#")
        ]
    return texts


TEXTS = _texts()


def test_the_gates_are_exact_on_every_attack_and_prompt_held() -> None:
    assert len(TEXTS) > 1000
    matched = 0
    for text in TEXTS:
        lower = injection._lower(normalize_for_matching(text)[0])
        for label, pattern in injection._CATEGORIES:
            full = [m.span() for m in pattern.finditer(lower)]
            gated = [m.span() for m in injection._category_matches(label, pattern, lower)]
            assert gated == full, (label, text)
            matched += bool(full)
    assert matched > 300  # the check means something only where the patterns match
