"""Training guardrail models: reading labelled CSV/TSV/JSONL files, and training a real head on MiniLM
features that then works through the scorer and through a policy."""

from __future__ import annotations

import csv
import itertools
import json
from pathlib import Path

import numpy as np
import pytest

from genguard.errors import ConfigError, InvalidInputError
from genguard.guard.pipeline import Guard
from genguard.guard.train import LabelledTexts, TrainingSource, check_rows, read_labelled, train_head
from genguard.scoring.toxicity import ToxicityHead, ToxicityScorer


def write_csv(path: Path, header: list[str], rows: list[list[object]], delimiter: str = ",") -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_csv_label_values(tmp_path: Path) -> None:
    rows = [
        ["you absolute clown", "1"],
        ["have a nice day", "0"],
        ["get lost, loser", "true"],
        ["thanks, that helps", "False"],
        ["what a moron", " Toxic "],
        ["lovely weather", "non-toxic"],
        ["a quoted, comma-laden\nmulti-line text", "yes"],
        ["see you soon", "no"],
    ]
    data = read_labelled(write_csv(tmp_path / "data.csv", ["text", "label"], rows))
    assert data.name == "data.csv"
    assert data.texts == [r[0] for r in rows]
    assert data.labels.tolist() == [1, 0, 1, 0, 1, 0, 1, 0]
    assert data.labels.dtype == np.int64
    assert data.skipped == []


def test_tsv_and_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "data.tsv"
    path.write_bytes("\ufefftext\tlabel\nyou fool, honestly\t1\nall good, thanks\t0\n".encode())
    data = read_labelled(path)
    assert data.texts == ["you fool, honestly", "all good, thanks"]
    assert data.labels.tolist() == [1, 0]


def test_jsonl_with_broken_lines(tmp_path: Path) -> None:
    path = tmp_path / "data.jsonl"
    lines = [
        json.dumps({"text": "idiot", "label": 1}),
        "{not json",
        json.dumps({"text": "hello friend", "label": False}),
        "",
        json.dumps(["a", "list"]),
        json.dumps({"text": "line\u2028separator inside", "label": "toxic"}, ensure_ascii=False),
        json.dumps({"text": "   ", "label": 1}),
        json.dumps({"text": "no label"}),
        json.dumps({"text": "good morning", "label": 0}),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    data = read_labelled(path)
    assert data.texts == ["idiot", "hello friend", "line\u2028separator inside", "good morning"]
    assert data.labels.tolist() == [1, 0, 1, 0]
    assert data.skipped == [
        "line 2: not a JSON object",
        "line 5: not a JSON object",
        "line 7: empty text or missing label",
        "line 8: empty text or missing label",
    ]


def test_positive_values_for_davidson_style_classes(tmp_path: Path) -> None:
    # Davidson et al.: class 0 hate speech, 1 offensive, 2 neither.
    rows = [[0, "hateful tweet", 0], [1, "offensive tweet", 1], [2, "ordinary tweet", 2], [3, "another", "2"]]
    path = write_csv(tmp_path / "labeled_data.csv", ["id", "tweet", "class"], rows)
    data = read_labelled(path, text_field="tweet", label_field="class", positive=["0", "1"])
    assert data.texts == ["hateful tweet", "offensive tweet", "ordinary tweet", "another"]
    assert data.labels.tolist() == [1, 1, 0, 0]
    with pytest.raises(InvalidInputError, match=r"line 4: label '2'.*--positive"):
        read_labelled(path, text_field="tweet", label_field="class")


def test_bad_rows_are_skipped_and_listed(tmp_path: Path) -> None:
    rows = [
        ["fine text", "1"],
        ["", "0"],
        ["no label here", ""],
        ["a\nmulti-line row", "0"],
        ["   ", "1"],
        ["ok", "0"],
    ]
    data = read_labelled(write_csv(tmp_path / "d.csv", ["text", "label"], rows))
    assert data.texts == ["fine text", "a\nmulti-line row", "ok"]
    assert data.labels.tolist() == [1, 0, 0]
    # Lines of the file: the header is line 1, the multi-line row takes lines 5-6.
    assert data.skipped == [
        "line 3: empty text or missing label",
        "line 4: empty text or missing label",
        "line 7: empty text or missing label",
    ]


def test_missing_column_names_the_columns(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "d.csv", ["tweet", "class"], [["hi", "1"]])
    with pytest.raises(InvalidInputError) as caught:
        read_labelled(path)
    message = str(caught.value)
    assert "no column(s) ['label', 'text']" in message
    assert "['tweet', 'class']" in message
    assert "--text-field" in message


def test_unknown_label_names_the_line(tmp_path: Path) -> None:
    rows = [["one", "1"], ["two", "0"], ["three", "maybe"]]
    path = write_csv(tmp_path / "d.csv", ["text", "label"], rows)
    with pytest.raises(InvalidInputError, match=r"d\.csv line 4: label 'maybe' is not 0/1"):
        read_labelled(path)
    assert read_labelled(path, positive=["maybe"]).labels.tolist() == [0, 0, 1]


def test_unreadable_files(tmp_path: Path) -> None:
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes("text,label\ncaf\u00e9 au lait,0\n".encode("latin-1"))
    with pytest.raises(InvalidInputError, match=r"latin1\.csv is not valid UTF-8 \(byte 14\)"):
        read_labelled(latin1)
    txt = tmp_path / "data.txt"
    txt.write_text("text,label\nhi,1\n", encoding="utf-8")
    with pytest.raises(InvalidInputError, match=r"unsupported file type '\.txt'"):
        read_labelled(txt)
    with pytest.raises(InvalidInputError, match="cannot read"):
        read_labelled(tmp_path / "missing.csv")
    empty = write_csv(tmp_path / "empty.csv", ["text", "label"], [["", "1"]])
    with pytest.raises(InvalidInputError, match=r"no usable rows \(1 skipped\)"):
        read_labelled(empty)


ADJECTIVES = [
    "worthless",
    "pathetic",
    "stupid",
    "disgusting",
    "brainless",
    "useless",
    "miserable",
    "repulsive",
]
NOUNS = ["idiot", "moron", "loser", "clown", "failure", "imbecile", "fool", "creep"]
NAMES = ["Anna", "Ben", "Chloe", "David", "Emma", "Farid", "Grace", "Hiro", "Ines", "Jonas"]
THINGS = ["help", "kind note", "advice", "patience", "lovely gift", "quick reply"]
GREETINGS = [
    "Have a wonderful weekend, {}.",
    "Good morning {}, I hope you slept well.",
    "See you at lunch, {}!",
]


def synthetic_rows() -> list[tuple[str, int]]:
    """120 insults and 120 friendly sentences from templates."""
    insults = [f"You are a {a} {n}." for a, n in itertools.product(ADJECTIVES, NOUNS)]
    insults += [f"Shut up, you {a} {n}." for a, n in itertools.product(ADJECTIVES, NOUNS)]
    friendly = [f"Thank you so much for your {t}, {n}!" for t, n in itertools.product(THINGS, NAMES)]
    friendly += [g.format(n) for g, n in itertools.product(GREETINGS, NAMES)]
    friendly += [f"{n}, your {t} made my day." for t, n in itertools.product(THINGS[:3], NAMES)]
    assert len(insults) >= 120 and len(friendly) >= 120
    return [(t, 1) for t in insults[:120]] + [(t, 0) for t in friendly[:120]]


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, LabelledTexts]:
    folder = tmp_path_factory.mktemp("train")
    path = write_csv(folder / "insults.csv", ["text", "label"], [[t, y] for t, y in synthetic_rows()])
    data = read_labelled(path)
    head, metrics = train_head([TrainingSource(data)], name="test-insults", seed=1)
    head.save(folder / "model")
    return folder / "model", metrics, data


def test_train_head_learns_the_split(trained: tuple[Path, dict, LabelledTexts]) -> None:
    model_dir, metrics, _ = trained
    source = metrics["sources"]["insults.csv"]
    assert (source["rows"], source["train"]) == (240, 192)
    assert source["test"]["n"] == 24 and source["test"]["positives"] == 12
    assert source["test"]["auc"] > 0.9
    assert source["validation"]["auc"] > 0.9
    assert metrics["layers"] == [4, 6] and metrics["threshold"] == 0.5
    assert (model_dir / "head.safetensors").is_file()
    config = json.loads((model_dir / "config.json").read_text())
    assert config["name"] == "test-insults"
    assert config["layers"] == [4, 6]
    assert "all-MiniLM-L6-v2" in config["embedder"]
    assert config["metrics"]["sources"]["insults.csv"]["test"] == source["test"]
    assert ToxicityHead.load(model_dir).threshold == 0.5


def test_trained_model_through_the_scorer(trained: tuple[Path, dict, LabelledTexts]) -> None:
    model_dir, _, _ = trained
    scorer = ToxicityScorer(model_dir=model_dir)
    assert scorer.model_id.startswith("test-insults on ")
    insult, friendly = scorer.score(["You are a revolting halfwit.", "Thanks for the lovely dinner, Maria!"])
    assert insult.score >= 0.5 and insult.findings
    assert friendly.score < 0.5 and friendly.findings == []


def test_trained_model_through_a_policy(trained: tuple[Path, dict, LabelledTexts], tmp_path: Path) -> None:
    model_dir, _, _ = trained
    policy = tmp_path / "mine.yaml"
    policy.write_text(
        "profiles:\n"
        "  default:\n"
        "    output:\n"
        "      toxicity:\n"
        "        {threshold: 0.5, action: block, reason: insult,\n"
        f"         params: {{model_dir: {model_dir}}}}}\n",
        encoding="utf-8",
    )
    guard = Guard.from_policy(policy)
    blocked, allowed = guard.check(["You are a revolting halfwit.", "See you at dinner, Maria!"], "output")
    assert (blocked.action, blocked.reasons) == ("block", ["insult: TOXIC"])
    assert allowed.action == "allow"
    assert blocked.model_ids["toxicity"].startswith("test-insults on ")


def test_one_class_data_is_refused() -> None:
    data = LabelledTexts(
        "insults",
        [f"You are a {a} {n}." for a, n in zip(ADJECTIVES, NOUNS, strict=True)] * 3,
        np.ones(24, dtype=np.int64),
    )
    with pytest.raises(InvalidInputError, match="only one class"):
        train_head([TrainingSource(data)], name="one-class")


def test_training_configuration_errors() -> None:
    data = LabelledTexts("tiny", ["a", "b"], np.array([0, 1]))
    with pytest.raises(ConfigError, match="no training data"):
        train_head([], name="none")
    with pytest.raises(ConfigError, match="at least one data set must be split"):
        train_head([TrainingSource(data, role="train")], name="no-split")


def test_too_few_rows_per_class_is_refused_before_embedding() -> None:
    data = LabelledTexts(
        "small.csv", ["You idiot.", "You fool.", "Hello there.", "Nice day."], np.array([1, 1, 0, 0])
    )
    with pytest.raises(
        InvalidInputError, match=r"small\.csv: 2 toxic and 2 non-toxic rows; .* at least 10 rows of each"
    ):
        train_head([TrainingSource(data)], name="tiny", embedder=None)
    neutral = LabelledTexts("neutral", [f"Sentence {i}." for i in range(5)], np.zeros(5, dtype=np.int64))
    labels = np.array([1] * 20 + [0] * 10, dtype=np.int64)
    insults = LabelledTexts("mixed", [f"Sentence number {i}." for i in range(30)], labels)
    with pytest.raises(
        InvalidInputError, match=r"neutral has 5 rows; a data set split 80/10/10 needs at least 10"
    ):
        check_rows([TrainingSource(insults, role="train"), TrainingSource(neutral)])
