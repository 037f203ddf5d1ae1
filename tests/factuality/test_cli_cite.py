"""`genguard cite import|check` and `genguard generate --grounded`, run in-process through the CLI's
entry point (exit statuses and one-line errors as a user sees them)."""

from __future__ import annotations

import json

import pytest

from genguard.cli import run

CSV = """title,authors,venue,year
Estimation of Query-Result Distribution and its Application in Parallel-Join Load Balancing,"Viswanath Poosala, Yannis E. Ioannidis",VLDB,1996
Incremental Maintenance for Non-Distributive Aggregate Functions,"Themistoklis Palpanas, Richard Sidle, Hamid Pirahesh, Roberta Cochrane",VLDB,2002
Balancing Histogram Optimality and Practicality for Query Result Size Estimation,"Yannis E. Ioannidis, Viswanath Poosala",SIGMOD Conference,1995
"""  # noqa: E501
ANSWER = """Papers by Yannis Ioannidis:
1. Poosala, V., & Ioannidis, Y. E. (1996). Estimation of query-result distribution and its application in parallel-join load balancing. VLDB.
2. "Learning to Rank Joins with Neural Histograms" by Yannis E. Ioannidis (2001)
"""  # noqa: E501


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cite")
    (folder / "refs.csv").write_text(CSV, encoding="utf-8")
    assert run(["cite", "import", str(folder / "refs.csv"), "--db", str(folder / "bib.db")]) == 0
    return folder / "bib.db"


def test_import_twice_and_check(db, tmp_path, capsys):
    capsys.readouterr()
    assert run(["cite", "import", str(db.parent / "refs.csv"), "--db", str(db)]) == 0
    assert "already imported (3 works" in capsys.readouterr().out
    answer = tmp_path / "answer.txt"
    answer.write_text(ANSWER, encoding="utf-8")
    assert run(["cite", "check", str(answer), "--db", str(db)]) == 1  # one not_found
    shown = capsys.readouterr().out
    assert "[1] verified" in shown and "[2] not_found" in shown and "record: Viswanath Poosala" in shown
    assert run(["cite", "check", str(answer), "--db", str(db), "--json"]) == 1
    result = json.loads(capsys.readouterr().out)
    assert [c["verdict"] for c in result["citations"]] == ["verified", "not_found"]
    assert result["citations"][0]["citation"]["span"]["start"] == ANSWER.index("Poosala, V.")


def test_check_without_citations_and_bad_inputs(db, tmp_path, capsys):
    plain = tmp_path / "plain.txt"
    plain.write_text("The weather was fine in 1999.", encoding="utf-8")
    assert run(["cite", "check", str(plain), "--db", str(db)]) == 0
    assert "no citations found" in capsys.readouterr().out
    latin = tmp_path / "latin.txt"
    latin.write_bytes("Caf\u00e9 \u00e0 la carte".encode("latin-1"))
    assert run(["cite", "check", str(latin), "--db", str(db)]) == 2
    assert "not valid UTF-8" in capsys.readouterr().err
    empty = tmp_path / "empty.db"
    bad = tmp_path / "bad.bib"
    bad.write_text("@article{x, title={Unclosed,\n", encoding="utf-8")
    assert run(["cite", "import", str(bad), "--db", str(empty)]) == 0
    assert "line 1:" in capsys.readouterr().err
    assert run(["cite", "check", str(plain), "--db", str(empty)]) == 2
    assert "holds no records" in capsys.readouterr().err
    assert run(["cite", "check", str(plain), "--db", str(tmp_path / "none.db")]) == 2
    assert run(["generate", "papers by Yannis Ioannidis", "--grounded"]) == 2  # before any model loads
    assert "--grounded needs --db" in capsys.readouterr().err


@pytest.mark.slow
def test_generate_grounded_end_to_end(db, capsys):
    question = "Tell me about some papers by Yannis E. Ioannidis."
    options = ["--max-new-tokens", "24", "--temperature", "0", "--json"]
    status = run(["generate", question, "--grounded", "--db", str(db), *options])
    assert status == 0
    record = json.loads(capsys.readouterr().out)
    assert len(record["references"]) == 2  # every record by the named author, re-ranked
    assert all("Ioannidis" in " ".join(r["authors"]) for r in record["references"])
    assert isinstance(record["citations"], list) and record["text"]
