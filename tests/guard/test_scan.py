"""Corpus scans: counts and outputs, unreadable lines, overwrite protection, checkpoints, and resuming
after the scanning process is really killed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from genguard.errors import ConfigError, InvalidInputError
from genguard.guard.pipeline import Guard
from genguard.guard.scan import MAX_BROKEN_LISTED, ScanSummary, check_scan, scan_corpus
from tests.guard.light_policy import LIGHT_POLICY


@pytest.fixture
def light_policy(tmp_path: Path) -> Path:
    path = tmp_path / "light.yaml"
    path.write_text(LIGHT_POLICY, encoding="utf-8")
    return path


@pytest.fixture
def light(light_policy: Path) -> Guard:
    return Guard.from_policy(light_policy)


def write_jsonl(path: Path, records: list[object]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def side_files(out: Path) -> tuple[Path, Path, Path]:
    return tuple(out.with_name(out.name + s) for s in (".rejects.jsonl", ".checkpoint.json", ".summary.json"))


def counts(summary: ScanSummary) -> dict:
    """The summary without the paths and the resume point, which differ between equivalent scans."""
    return summary.model_dump(exclude={"input", "output", "rejects", "resumed_at_line"})


RECORDS = [
    {"id": 1, "text": "The weather is mild today.", "meta": {"source": "forum", "tags": ["a", "b"]}},
    {"id": 2, "text": "Mail me at jane.doe@example.com please.", "lang": "en", "score": 0.5},
    {"id": 3, "text": "What the fuck is this?", "lang": "en"},
    {"id": 4, "text": "Ünïcödé: 東京は晴れ 🌞 — café, naïve", "nested": {"deep": [1, {"x": None}]}},
    {"id": 5, "text": "", "note": "empty text is still a record"},
]


def test_counts_and_outputs(tmp_path: Path, light: Guard) -> None:
    corpus = write_jsonl(tmp_path / "corpus.jsonl", RECORDS)
    out = tmp_path / "clean.jsonl"
    summary = scan_corpus(corpus, out, light)
    assert (summary.lines, summary.kept, summary.redacted, summary.removed) == (5, 3, 1, 1)
    assert (summary.annotated, summary.broken, summary.blank) == (0, 0, 0)
    assert summary.removed_by_reason == {"profanity: PROFANITY": 1}
    assert summary.redacted_by_reason == {"personal data: EMAIL": 1}
    assert summary.complete and summary.resumed_at_line == 0
    assert summary.profile == "default"

    redacted = {**RECORDS[1], "text": "Mail me at [EMAIL] please."}
    assert read_jsonl(out) == [RECORDS[0], redacted, RECORDS[3], RECORDS[4]]
    assert "東京は晴れ 🌞 — café".encode() in out.read_bytes()  # written as UTF-8, not \\u escapes

    rejects, checkpoint, summary_file = side_files(out)
    assert summary.rejects == str(rejects)
    (rejected,) = read_jsonl(rejects)
    assert rejected == {
        "line": 3,
        "action": "block",
        "reasons": ["profanity: PROFANITY"],
        "record": RECORDS[2],
    }
    assert ScanSummary.model_validate_json(summary_file.read_text()) == summary
    assert json.loads(checkpoint.read_text())["summary"]["complete"] is True


BAD_LINES: list[tuple[bytes, str]] = [
    (b'{"text": "a broken line\n', "not valid JSON"),
    (b'{"text": "caf\xe9 in Latin-1"}\n', "not valid UTF-8"),
    (b'["a", "JSON", "array"]\n', "a JSON list, not an object"),
    (b'{"body": "no text field"}\n', "no text in field 'text'"),
    (b'{"text": 42}\n', "no text in field 'text'"),
    (b'"just a string"\n', "a JSON str, not an object"),
]


def test_unreadable_lines_are_listed_and_nothing_else_is_lost(tmp_path: Path, light: Guard) -> None:
    good = [{"id": i, "text": f"good record number {i}"} for i in range(8)]
    lines: list[bytes] = []
    expected_broken: dict[int, str] = {}
    good_iter = iter(good)
    for bad, why in BAD_LINES:
        lines.append(json.dumps(next(good_iter)).encode() + b"\n")
        lines.append(bad)
        expected_broken[len(lines)] = why
    lines += [b"\n", b"   \t \r\n"]  # blank lines
    lines += [json.dumps(r).encode() + b"\n" for r in good_iter]
    lines[-1] = lines[-1].rstrip(b"\n")  # the last line has no newline
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_bytes(b"".join(lines))

    out = tmp_path / "out.jsonl"
    summary = scan_corpus(corpus, out, light, batch_size=3)  # broken lines fall in several batches
    assert summary.lines == len(lines)
    assert summary.broken == len(BAD_LINES)
    assert summary.blank == 2
    assert summary.kept == len(good)
    assert summary.broken_lines == sorted(expected_broken)
    assert read_jsonl(out) == good  # every good record, in order

    rejects = read_jsonl(side_files(out)[0])
    assert [r["line"] for r in rejects] == sorted(expected_broken)
    for r in rejects:
        assert expected_broken[r["line"]] in r["error"]
        assert r["raw"]  # the start of the line as read
    assert any("\ufffd" in r["raw"] for r in rejects)  # undecodable bytes shown as replacement characters


def test_broken_lines_listed_up_to_a_limit(tmp_path: Path, light: Guard) -> None:
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_bytes(b"not json\n" * (MAX_BROKEN_LISTED + 5) + b'{"text": "fine"}\n')
    out = tmp_path / "out.jsonl"
    summary = scan_corpus(corpus, out, light)
    assert summary.broken == MAX_BROKEN_LISTED + 5
    assert summary.broken_lines == list(range(1, MAX_BROKEN_LISTED + 1))
    assert len(read_jsonl(side_files(out)[0])) == MAX_BROKEN_LISTED + 5
    assert read_jsonl(out) == [{"text": "fine"}]


def test_text_field(tmp_path: Path, light: Guard) -> None:
    records = [
        {"content": "Call me at (415) 555-2671 tonight.", "text": "this field is not scanned"},
        {"content": "A quiet afternoon.", "text": "what the fuck"},
        {"text": "no content field here"},
    ]
    corpus = write_jsonl(tmp_path / "corpus.jsonl", records)
    out = tmp_path / "out.jsonl"
    summary = scan_corpus(corpus, out, light, text_field="content")
    assert (summary.redacted, summary.kept, summary.broken, summary.broken_lines) == (1, 1, 1, [3])
    assert read_jsonl(out) == [{**records[0], "content": "Call me at [PHONE] tonight."}, records[1]]
    (rejected,) = read_jsonl(side_files(out)[0])
    assert rejected["error"] == "no text in field 'content'"


def test_existing_output_is_not_overwritten_without_restart(tmp_path: Path, light: Guard) -> None:
    corpus = write_jsonl(tmp_path / "corpus.jsonl", RECORDS)
    out = tmp_path / "out.jsonl"
    out.write_text("precious data\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="already exists and has no checkpoint"):
        scan_corpus(corpus, out, light)
    assert out.read_text(encoding="utf-8") == "precious data\n"

    summary = scan_corpus(corpus, out, light, restart=True)
    assert summary.lines == len(RECORDS)
    assert "precious data" not in out.read_text(encoding="utf-8")
    assert len(read_jsonl(out)) == summary.kept + summary.redacted


def test_checkpoint_of_another_scan_is_refused(tmp_path: Path, light: Guard, light_policy: Path) -> None:
    corpus = write_jsonl(tmp_path / "corpus.jsonl", RECORDS)
    other = write_jsonl(tmp_path / "other.jsonl", RECORDS[:2])
    out = tmp_path / "out.jsonl"
    first = scan_corpus(corpus, out, light)
    before = out.read_bytes()

    with pytest.raises(ConfigError, match=r"different input.*--restart"):
        scan_corpus(other, out, light)
    with pytest.raises(ConfigError, match=r"different text_field.*--restart"):
        scan_corpus(corpus, out, light, text_field="body")
    stricter = light_policy.with_name("stricter.yaml")
    stricter.write_text(LIGHT_POLICY.replace("pii: {action: redact", "pii: {action: block"), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"different profile.*--restart"):
        scan_corpus(corpus, out, Guard.from_policy(stricter))
    # The corpus grew after the scan: also another input.
    with corpus.open("a", encoding="utf-8") as f:
        f.write(json.dumps({"text": "one more"}) + "\n")
    with pytest.raises(ConfigError, match=r"input_size.*--restart"):
        scan_corpus(corpus, out, light)
    assert out.read_bytes() == before

    again = scan_corpus(corpus, out, light, restart=True)
    assert again.lines == first.lines + 1


def test_rerunning_a_complete_scan_changes_nothing(tmp_path: Path, light: Guard) -> None:
    corpus = write_jsonl(tmp_path / "corpus.jsonl", RECORDS)
    out = tmp_path / "out.jsonl"
    first = scan_corpus(corpus, out, light)
    paths = [out, *side_files(out)]
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in paths}
    second = scan_corpus(corpus, out, light)
    assert second == first
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in paths} == before


def test_missing_corpus_and_output_onto_corpus(tmp_path: Path, light: Guard) -> None:
    with pytest.raises(InvalidInputError, match="does not exist"):
        scan_corpus(tmp_path / "nowhere.jsonl", tmp_path / "out.jsonl", light)
    corpus = write_jsonl(tmp_path / "corpus.jsonl", RECORDS)
    with pytest.raises(ConfigError, match="different file from the corpus"):
        scan_corpus(corpus, tmp_path / "." / "corpus.jsonl", light)
    assert read_jsonl(corpus) == RECORDS


def test_a_two_megabyte_record(tmp_path: Path, light: Guard) -> None:
    sentence = "The committee met on Tuesday to discuss the budget for next year. "
    body = sentence * (2_000_000 // len(sentence))
    text = body + "Contact: jane.doe@example.com"
    corpus = write_jsonl(tmp_path / "corpus.jsonl", [{"text": "short one"}, {"id": "big", "text": text}])
    assert corpus.stat().st_size > 2_000_000
    out = tmp_path / "out.jsonl"
    summary = scan_corpus(corpus, out, light)
    assert (summary.lines, summary.kept, summary.redacted) == (2, 1, 1)
    _, big = read_jsonl(out)
    assert big == {"id": "big", "text": body + "Contact: [EMAIL]"}


class Interrupted(Exception):
    pass


def _stop_after_first_batch(n: int) -> None:
    raise Interrupted


def test_resume_refuses_when_the_output_was_deleted(tmp_path: Path, light: Guard) -> None:
    corpus = write_jsonl(tmp_path / "corpus.jsonl", [{"text": f"record {i}"} for i in range(50)])
    out = tmp_path / "out.jsonl"
    with pytest.raises(Interrupted):
        scan_corpus(corpus, out, light, batch_size=10, progress=_stop_after_first_batch)
    out.unlink()
    with pytest.raises(ConfigError, match=r"cannot resume.*--restart"):
        scan_corpus(corpus, out, light, batch_size=10)
    assert not out.exists() or out.stat().st_size == 0
    assert scan_corpus(corpus, out, light, batch_size=10, restart=True).kept == 50


def test_resume_after_an_exception_mid_scan(tmp_path: Path, light: Guard) -> None:
    records = [
        {"text": f"record {i} mail{i}@example.com" if i % 7 == 0 else f"record {i}"} for i in range(50)
    ]
    corpus = write_jsonl(tmp_path / "corpus.jsonl", records)
    out = tmp_path / "out.jsonl"
    with pytest.raises(Interrupted):
        scan_corpus(corpus, out, light, batch_size=10, progress=_stop_after_first_batch)
    resumed = scan_corpus(corpus, out, light, batch_size=10)
    assert resumed.resumed_at_line == 10
    reference = scan_corpus(corpus, tmp_path / "ref.jsonl", light)
    assert out.read_bytes() == (tmp_path / "ref.jsonl").read_bytes()
    assert counts(resumed) == counts(reference)


def _big_corpus(path: Path, n: int) -> Path:
    with path.open("w", encoding="utf-8") as f:
        for i in range(n):
            if i % 1000 == 999:
                f.write("{broken json line\n")
            elif i % 10 == 3:
                f.write(json.dumps({"id": i, "text": f"write to user{i}@example.com"}) + "\n")
            elif i % 10 == 7:
                f.write(json.dumps({"id": i, "text": "what the fuck is this"}) + "\n")
            else:
                f.write(
                    json.dumps({"id": i, "text": f"record {i}: ünïcödé is fine"}, ensure_ascii=False) + "\n"
                )
    return path


def test_resume_after_a_real_kill(tmp_path: Path, light_policy: Path, light: Guard) -> None:
    # 30,000 records take a scan with batch_size=64 several seconds (an fsync'ed checkpoint per batch);
    # the process is killed right after its first checkpoint.
    corpus = _big_corpus(tmp_path / "corpus.jsonl", 30_000)
    out = tmp_path / "out.jsonl"
    _, checkpoint, _ = side_files(out)
    script = textwrap.dedent(
        f"""
        from genguard.guard.pipeline import Guard
        from genguard.guard.scan import scan_corpus
        scan_corpus({str(corpus)!r}, {str(out)!r}, Guard.from_policy({str(light_policy)!r}), batch_size=64)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 240  # only against a hang; nothing is timed
        state: dict = {}
        while proc.poll() is None and time.monotonic() < deadline:
            if checkpoint.exists():
                state = json.loads(checkpoint.read_text(encoding="utf-8"))
                if state["offset"] > 0 and not state["summary"]["complete"]:
                    break
            time.sleep(0.002)
        finished = proc.poll()
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        if proc.poll() is None:
            proc.kill()
        _, stderr = proc.communicate()
    if finished is not None:
        pytest.fail(
            f"the scan ended (status {finished}) before it could be killed: make the corpus larger. "
            f"stderr: {stderr.decode(errors='replace')[-2000:]}"
        )
    assert proc.returncode == -signal.SIGKILL
    state = json.loads(checkpoint.read_text(encoding="utf-8"))
    if state["summary"]["complete"]:
        pytest.fail("the scan completed before the kill landed: make the corpus larger")
    assert 0 < state["offset"] < corpus.stat().st_size

    # A crash after a write but before its checkpoint leaves bytes the checkpoint does not cover.
    with out.open("ab") as f:
        f.write(b'{"id": 99999999, "text": "half a rec')
    with side_files(out)[0].open("ab") as f:
        f.write(b"\x00garbage")

    resumed = scan_corpus(corpus, out, light, batch_size=512)
    assert resumed.complete
    assert resumed.resumed_at_line == state["summary"]["lines"] > 0

    reference_out = tmp_path / "reference.jsonl"
    reference = scan_corpus(corpus, reference_out, light, batch_size=4096)
    assert out.read_bytes() == reference_out.read_bytes()
    # Within a batch, unreadable lines are written to the rejects before removed records, so the
    # order of the rejects depends on the batch size; their content must not.
    assert sorted(read_jsonl(side_files(out)[0]), key=lambda r: r["line"]) == sorted(
        read_jsonl(side_files(reference_out)[0]), key=lambda r: r["line"]
    )
    assert counts(resumed) == counts(reference)
    assert (reference.lines, reference.broken, reference.removed, reference.redacted) == (
        30_000,
        30,
        3000,
        3000,
    )


def test_default_policy_on_a_small_corpus(tmp_path: Path, default_guard: Guard) -> None:
    clean = [
        "The library opens at nine on weekdays.",
        "Photosynthesis converts light energy into chemical energy.",
        "The train to Edinburgh leaves from platform four.",
        "Please remember to water the plants while I am away.",
        "The museum has a new exhibition on Roman coins.",
    ]
    toxic = ["You are a worthless idiot.", "Immigrants are vermin.", "Shut up, you stupid moron."]
    records: list[dict] = []
    for i in range(50):
        if i % 10 == 4:
            records.append({"id": i, "text": toxic[i % 3]})
        elif i % 10 == 6:
            records.append({"id": i, "text": f"Reach me at person{i}@example.org about the flat."})
        elif i % 10 == 8:
            records.append({"id": i, "text": 'He said "you are a worthless idiot" and left.'})
        else:
            records.append({"id": i, "text": clean[i % len(clean)]})
    corpus = write_jsonl(tmp_path / "corpus.jsonl", records)
    out = tmp_path / "out.jsonl"
    summary = scan_corpus(corpus, out, default_guard, batch_size=16)
    assert (summary.lines, summary.removed, summary.redacted, summary.annotated, summary.kept) == (
        50,
        5,
        5,
        5,
        35,
    )
    assert summary.removed_by_reason == {"toxic language: TOXIC": 5}
    assert summary.redacted_by_reason == {"personal data: EMAIL": 5}
    written = read_jsonl(out)
    assert [r["id"] for r in written] == [i for i in range(50) if i % 10 != 4]
    for r in written:
        if r["id"] % 10 == 6:
            assert r["text"] == "Reach me at [EMAIL] about the flat."
        else:
            assert r == records[r["id"]]
    assert sorted(r["line"] - 1 for r in read_jsonl(side_files(out)[0])) == [4, 14, 24, 34, 44]


def test_empty_and_binary_corpora_are_refused_before_anything_is_written(
    tmp_path: Path, light: Guard
) -> None:
    out = tmp_path / "out.jsonl"
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b" \n\n")
    binary = tmp_path / "model.bin"
    binary.write_bytes(bytes(range(256)) * 600)  # NUL bytes, invalid UTF-8, newlines: 153,600 bytes
    for corpus, why in ((empty, "is empty"), (binary, r"is not UTF-8 text \(binary data at byte 0")):
        with pytest.raises(InvalidInputError, match=why):
            check_scan(corpus, out)
        with pytest.raises(InvalidInputError, match=why):
            scan_corpus(corpus, out, light)
        assert not any(p.exists() for p in (out, *side_files(out)))
    with pytest.raises(InvalidInputError, match=r"folder .* does not exist"):
        check_scan(write_jsonl(tmp_path / "c.jsonl", RECORDS), tmp_path / "no" / "out.jsonl")


def test_binary_bytes_beside_records_are_only_bad_lines(tmp_path: Path, light: Guard) -> None:
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_bytes(b"\x00\xff\xfe junk\n" + json.dumps(RECORDS[0]).encode() + b"\n")
    summary = scan_corpus(corpus, tmp_path / "out.jsonl", light)
    assert (summary.kept, summary.broken, summary.broken_lines) == (1, 1, [1])


def test_a_corpus_without_one_record_is_an_error(tmp_path: Path, light: Guard) -> None:
    corpus = tmp_path / "table.csv"
    corpus.write_text("text,label\nhello,0\nworld,1\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    with pytest.raises(
        InvalidInputError, match=r"no line of .*table\.csv is a JSON object .*3 unreadable lines"
    ):
        scan_corpus(corpus, out, light)
    rejects, checkpoint, summary = side_files(out)
    assert not out.exists() and not checkpoint.exists() and not summary.exists()
    assert len(read_jsonl(rejects)) == 3  # what was wrong with each line stays readable
