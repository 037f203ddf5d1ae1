"""Streaming: the sentence gate with the real guard (a blocked sentence never leaves, PII is
redacted before it leaves), and streams through the real gateway (a client that leaves does not
break the worker, concurrent clients get their own answers, the guard's added time to first token)."""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import openai
import pytest

from genguard.guard.pipeline import Guard
from genguard.server.launch import Served, start_gateway
from genguard.server.streaming import SentenceGate
from genguard.types import Verdict

pytestmark = pytest.mark.slow

PLAIN = [{"name": "plain", "path": "default", "watermark": False}]  # greedy answers independent of any key
TIDES = [{"role": "user", "content": "Explain in three sentences how tides work."}]
OPEN_POLICY = """\
profiles:
  open:
    description: no checks at all (the baseline of the time-to-first-token measurement)
    input: {}
    output: {}
    training: {}
"""


def _feed_words(text: str, guard: Guard) -> tuple[list[str], SentenceGate]:
    async def check(part: str) -> Verdict:
        return guard.check([part], "output")[0]

    async def run() -> tuple[list[str], SentenceGate]:
        gate = SentenceGate(check)
        released = [await gate.feed(word + " ") for word in text.split(" ")]
        released.append(await gate.flush())
        return [r for r in released if r], gate

    return asyncio.run(run())


@pytest.fixture(scope="module")
def guard() -> Guard:
    return Guard.from_policy(None, "default")


def test_gate_releases_checked_sentences_and_stops_at_a_toxic_one(guard: Guard) -> None:
    text = (
        "The weather was pleasant all day long. You are a worthless idiot and everyone hates you. "
        "The rest of this answer would have been fine."
    )
    released, gate = _feed_words(text, guard)
    assert "".join(released) == "The weather was pleasant all day long. "
    assert gate.blocked and gate.action() == "block"
    assert not any("idiot" in r or "rest of this" in r for r in released)


def test_gate_redacts_before_release_and_keeps_clean_text_whole(guard: Guard) -> None:
    text = "You can write to our team any time. The address is mary.jones@example.com for all questions."
    released, gate = _feed_words(text, guard)
    out = "".join(released)
    assert "mary.jones" not in out and "[EMAIL]" in out and gate.action() == "redact"
    clean = "Tides rise and fall twice a day here. The moon pulls the water toward it as it passes."
    released, gate = _feed_words(clean, guard)
    assert "".join(released) == clean + " " and gate.action() == "allow"


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    gw = start_gateway(tmp_path_factory.mktemp("streaming"), {"models": PLAIN})
    yield gw
    gw.stop()


def test_a_client_leaving_mid_stream_does_not_break_the_worker(plain: Served) -> None:
    gw = plain
    body = {"model": "plain", "messages": TIDES, "max_tokens": 200, "temperature": 0, "stream": True}
    with httpx.stream("POST", f"{gw.v1}/chat/completions", json=body, timeout=60) as response:
        assert response.status_code == 200
        next(response.iter_lines())  # the first event, then hang up
    client = openai.OpenAI(base_url=gw.v1, api_key="x", max_retries=0)
    answer = client.chat.completions.create(model="plain", messages=TIDES, max_tokens=12, temperature=0)
    assert answer.choices[0].message.content and gw.process.poll() is None


def test_concurrent_clients_each_get_their_own_answer(plain: Served) -> None:
    gw = plain
    client = openai.OpenAI(base_url=gw.v1, api_key="x", max_retries=0, timeout=120)
    questions = ["What is the capital of France?", "Name a colour of the sky.", "What is 2 plus 2?"]

    def ask(q: str) -> str:
        messages = [{"role": "user", "content": q}]
        answer = client.chat.completions.create(
            model="plain", messages=messages, max_tokens=16, temperature=0
        )
        return answer.choices[0].message.content

    alone = [ask(q) for q in questions]
    with ThreadPoolExecutor(len(questions)) as pool:
        together = list(pool.map(ask, questions))
    assert together == alone and len(set(alone)) == 3


def _first_token_s(base: str) -> float:
    body = {"model": "plain", "messages": TIDES, "max_tokens": 40, "temperature": 0, "stream": True}
    start = time.perf_counter()
    with httpx.stream("POST", f"{base}/chat/completions", json=body, timeout=120) as response:
        for line in response.iter_lines():
            if line.startswith("data: {"):
                choices = json.loads(line[6:])["choices"]
                if choices and choices[0]["delta"].get("content"):
                    return time.perf_counter() - start
    raise AssertionError("the stream sent no text")


def test_time_to_first_token_with_and_without_gate(plain: Served, serve_gateway, tmp_path: Path) -> None:
    policy = tmp_path / "open.yaml"
    policy.write_text(OPEN_POLICY, encoding="utf-8")
    guarded = plain
    bare = serve_gateway({"models": PLAIN, "guard": {"policy": str(policy), "profile": "open"}})
    figures = {}
    for name, gw in (("guarded", guarded), ("bare", bare)):
        _first_token_s(gw.v1)  # warm: model and scorers loaded
        figures[name] = statistics.median(_first_token_s(gw.v1) for _ in range(3))
    print(
        f"\ntime to first token, median of 3: default profile {figures['guarded']:.3f} s, "
        f"no guard {figures['bare']:.3f} s, added {figures['guarded'] - figures['bare']:.3f} s"
    )
    assert figures["guarded"] > figures["bare"]  # the gate holds the first sentence back until it is checked
