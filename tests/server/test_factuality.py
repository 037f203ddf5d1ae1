"""The gateway's factuality setting and the guard's `disclaimer` action, end to end: a real
gateway in front of a tiny OpenAI-compatible upstream that answers with the last user turn (so a
test chooses the answer, and sees the prompt the gateway sent), a real bibliographic database of
a few DBLP records, the official `openai` client."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import httpx
import openai
import pytest
import yaml

from genguard.errors import ConfigError
from genguard.factuality import BibDatabase, BibRecord
from genguard.server.config import load_config
from genguard.server.launch import Served, start_gateway
from genguard.server.state import Gateway

from .conftest import fast_config

RECORDS = [
    BibRecord(title="Efficient IR-Style Keyword Search over Relational Databases", venue="VLDB", year=2003,
              authors=["Vagelis Hristidis", "Luis Gravano", "Yannis Papakonstantinou"]),
    BibRecord(title="STARTS: Stanford Proposal for Internet Meta-Searching",
              authors=["Luis Gravano", "Kevin Chen-Chuan Chang", "Hector Garcia-Molina", "Andreas Paepcke"],
              venue="SIGMOD Conference", year=1997),
    BibRecord(title="Incremental Maintenance for Non-Distributive Aggregate Functions",
              authors=["Themistoklis Palpanas", "Richard Sidle", "Hamid Pirahesh", "Roberta Cochrane"],
              venue="VLDB", year=2002),
]  # fmt: skip
REAL = (
    'See "Efficient IR-Style Keyword Search over Relational Databases" by V. Hristidis, L. Gravano '
    "and Y. Papakonstantinou (2003)."
)
FABRICATED = (
    'See "Quantum Lattice Kittens for Relational Hypergraph Streams" by J. Smith and A. Jones (2003).'
)
GROUNDED_QUESTION = "Tell me about some papers by Themistoklis Palpanas."


class _Echo(BaseHTTPRequestHandler):
    """An OpenAI-compatible chat endpoint that answers with the last user turn (streamed or not)."""

    seen: ClassVar[list[list[dict]]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        _Echo.seen.append(body["messages"])
        text = next(m["content"] for m in reversed(body["messages"]) if m["role"] == "user")
        usage = {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}
        if body.get("stream"):
            words = text.split(" ")
            pieces = [w if i == 0 else " " + w for i, w in enumerate(words)]
            events = [{"choices": [{"delta": {"content": p}}]} for p in pieces]
            events.append({"choices": [{"delta": {}, "finish_reason": "stop"}], "usage": usage})
            payload = "".join(f"data: {json.dumps(e)}\n\n" for e in events) + "data: [DONE]\n\n"
            self._send(payload.encode(), "text/event-stream")
            return
        answer = {"choices": [{"message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
                  "usage": usage}  # fmt: skip
        self._send(json.dumps(answer).encode(), "application/json")

    def _send(self, data: bytes, kind: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


def _bib(path: Path, records: list[BibRecord]) -> Path:
    with BibDatabase(path) as db:
        db.add(records)
    return path


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("factuality")
    db = _bib(folder / "bib.db", RECORDS)
    policy = folder / "policy.yaml"
    rule = {"threshold": 0.5, "action": "disclaimer", "reason": "cited works not in the database",
            "params": {"db": str(db)}}  # fmt: skip
    policy.write_text(yaml.safe_dump({"profiles": {"facts": {"output": {"citations": rule}}}}))
    upstream = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    route = {"name": "echo", "backend": "upstream", "base_url": f"http://127.0.0.1:{upstream.server_port}/v1"}
    config = {
        "models": [route],
        "guard": {"policy": str(policy), "profile": "facts"},
        "factuality": {"db": str(db), "grounded": True, "disclaimer": True},
    }
    gateway = start_gateway(folder / "gw", fast_config(config))
    yield gateway
    gateway.stop()
    upstream.shutdown()


def _ask(served: Served, text: str, **options):
    client = openai.OpenAI(base_url=served.v1, api_key="unused-on-loopback", max_retries=0, timeout=60)
    messages = [{"role": "user", "content": text}]
    return client.chat.completions.create(model="echo", messages=messages, **options)


def test_a_fabricated_citation_gets_the_notice_and_its_verdict(served: Served) -> None:
    answer = _ask(served, FABRICATED)
    content, meta = answer.choices[0].message.content, answer.genguard
    assert content.startswith(FABRICATED + "\n\n")
    assert meta["notice"] and content.endswith(meta["notice"])
    # the factuality setting's notice, and the guard rule's
    assert "Note: of 1 cited works, 1 not found in the bibliographic database" in meta["notice"]
    assert "cited works not in the database: 1 citation not found" in meta["notice"]
    assert meta["guard"]["output"] == {"action": "disclaimer", "rules": ["citations"]}
    [citation] = meta["factuality"]["citations"]
    assert citation["verdict"] == "not_found" and citation["record"] is None
    assert FABRICATED[citation["start"] : citation["end"]] == citation["text"]


def test_a_verified_citation_passes_unchanged(served: Served) -> None:
    answer = _ask(served, REAL)
    meta = answer.genguard
    assert answer.choices[0].message.content == REAL
    assert meta["notice"] is None and meta["guard"]["output"]["action"] == "allow"
    [citation] = meta["factuality"]["citations"]
    assert citation["verdict"] == "verified"
    assert citation["record"].startswith("Vagelis Hristidis, Luis Gravano, Yannis Papakonstantinou.")


def test_a_literature_question_is_grounded_in_the_database(served: Served) -> None:
    answer = _ask(served, GROUNDED_QUESTION)
    sent = _Echo.seen[-1][-1]["content"]  # what the upstream model was asked
    assert sent.endswith(f"Question: {GROUNDED_QUESTION}") and "Answer using only the references" in sent
    assert RECORDS[2].title in sent
    assert RECORDS[0].title not in sent and RECORDS[1].title not in sent  # not by Palpanas
    facts = answer.genguard["factuality"]
    assert facts["grounded"] and facts["references"] == [
        "Themistoklis Palpanas, Richard Sidle, Hamid Pirahesh, Roberta Cochrane. Incremental Maintenance "
        "for Non-Distributive Aggregate Functions. VLDB, 2002."
    ]
    # the echoed prompt cites the listed records as listed: all verified, no notice
    assert facts["citations"] and {c["verdict"] for c in facts["citations"]} == {"verified"}
    assert answer.genguard["notice"] is None


def test_a_stream_ends_with_the_notice_as_its_last_chunk(served: Served) -> None:
    listed = f"1. {FABRICATED}\n2. {FABRICATED.replace('Kittens', 'Puppies')}"
    chunks = list(_ask(served, listed, stream=True))
    texts = [c.choices[0].delta.content for c in chunks if c.choices and c.choices[0].delta.content]
    notice = chunks[-1].genguard["notice"]
    assert notice and texts[-1] == "\n\n" + notice
    assert "".join(texts[:-1]) == listed
    # both notices count both citations, though the gate checked the answer sentence by sentence
    assert "of 2 cited works, 2 not found" in notice and "2 citation not found" in notice
    citations = chunks[-1].genguard["factuality"]["citations"]
    assert [c["verdict"] for c in citations] == ["not_found", "not_found"]


def test_the_litellm_guardrail_passes_the_notice_on(served: Served) -> None:
    url = f"{served.base_url}/beta/litellm_basic_guardrail_api"
    body = {"input_type": "response", "texts": [FABRICATED, REAL]}
    answer = httpx.post(url, json=body, timeout=60).json()
    assert answer["action"] == "GUARDRAIL_INTERVENED"
    fabricated, real = answer["texts"]
    assert fabricated.startswith(FABRICATED + "\n\nNote: cited works not in the database") and real == REAL


def test_a_bad_database_is_a_clear_config_error(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    empty = _bib(tmp_path / "empty.db", [])
    locked = _bib(tmp_path / "locked.db", RECORDS[:1])
    cases = {
        tmp_path / "missing.db": "factuality.db: no bibliographic database at",
        empty: "holds no records",
        tmp_path / "policy.yaml": "cannot use",  # a file that is not a database
    }
    (tmp_path / "policy.yaml").write_text("not a database\n" * 100)
    for db, message in cases.items():
        with pytest.raises(ConfigError, match=message):
            Gateway(load_config(None, storage=tmp_path / "gw.sqlite", factuality={"db": db}))
    config = load_config(None, storage=tmp_path / "gw.sqlite", factuality={"db": locked})
    holder = sqlite3.connect(locked, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # an import writing: WAL readers go on, the gateway starts
    Gateway(config).close()
    holder.execute("ROLLBACK")
    holder.execute("PRAGMA locking_mode=EXCLUSIVE")  # a process keeping everyone out
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(ConfigError, match=r"cannot use .*locked"):
            Gateway(config)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    # `genguard serve` says it in one line (exit 2), no traceback
    from genguard.cli import run

    config = tmp_path / "gateway.yaml"
    config.write_text(f"storage: {tmp_path / 'gw.sqlite'}\nfactuality: {{db: {tmp_path / 'missing.db'}}}\n")
    capsys.readouterr()
    assert run(["serve", "--config", str(config), "--port", "0"]) == 2
    stderr = capsys.readouterr().err
    assert len(stderr.strip().splitlines()) == 1 and "factuality.db: no bibliographic database at" in stderr
