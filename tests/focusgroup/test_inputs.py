"""Bad study inputs get one clear error: persona files, grids, specs; the CLI exits 2 before any
model loads; and a study's result renders as a report section."""

from __future__ import annotations

from pathlib import Path

import pytest

from genguard.cli import run
from genguard.errors import InvalidInputError
from genguard.focusgroup import load_study, run_study, study_from_dict
from genguard.focusgroup.personas import PersonaGrid, grid_personas, read_personas
from genguard.focusgroup.prompts import parse_choice
from genguard.report.fairness_report import write_fairness_report
from genguard.report.sections.focusgroup import focusgroup_section
from genguard.storage.runs import RunStore
from tests.focusgroup.synthetic import SurveyModel

PAIRS = [{"id": "coffee", "first": "cold brew", "second": "filter coffee"}]


def test_a_persona_file_missing_columns_names_every_missing_one(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("id,age,occupation\n1,30,nurse\n", encoding="utf-8")
    with pytest.raises(
        InvalidInputError, match="lacks the column\\(s\\) gender, location; its columns: id, age"
    ):
        read_personas(path)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty"),
        (b"age,gender,occupation,location\n", "no personas"),
        (b"age,gender,occupation,location\n30,,nurse,Ohio\n", "line 2, column gender is empty"),
        (b"id,age,gender,occupation,location\nx,30,w,n,O\nx,40,m,n,O\n", "'x' appears twice"),
        (b"age,gender,occupation,location\n30,w\xe9,n,O\n", "not valid UTF-8"),
        (b"age,gender,occupation,location\n30,w,n,O,extra\n", "has 5 fields"),
    ],
)
def test_bad_persona_files_are_refused(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "p.csv"
    path.write_bytes(content)
    with pytest.raises(InvalidInputError, match=message):
        read_personas(path)


def test_a_tsv_persona_file_reads_and_numeric_ages_fall_into_bands(tmp_path: Path) -> None:
    path = tmp_path / "p.tsv"
    path.write_text("Age\tGender\tOccupation\tLocation\n23\twoman\tnurse\tOhio\n70\tman\tfarmer\tMaine\n")
    a, b = read_personas(path)
    assert (a.group("age"), b.group("age")) == ("18-29", "65+")
    assert a.persona_id == "p0000" and "23 years old" in a.describe()


def test_a_grid_draws_a_fixed_sample_and_refuses_impossible_counts() -> None:
    grid = PersonaGrid(
        age=["30"], gender=["w", "m"], occupation=["a", "b", "c"], location=["x", "y"], count=5
    )
    assert grid_personas(grid, 1) == grid_personas(grid, 1) != grid_personas(grid, 2)
    with pytest.raises(InvalidInputError, match="fewer than count 13"):
        grid_personas(grid.model_copy(update={"count": 13}))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "must be a mapping"),
        ({"pairs": PAIRS}, "exactly one of grid"),
        ({"personas": {"grid": {"age": ["1"]}}, "pairs": PAIRS}, "lacks gender, occupation, location"),
        (
            {"personas": {"grid": {"age": ["1"], "gender": ["w"], "occupation": ["n"], "location": ["O"]}}},
            "pairs",
        ),
        (
            {
                "personas": {"grid": {"age": ["1"], "gender": ["w"], "occupation": ["n"], "location": ["O"]}},
                "pairs": [{"id": "x", "first": "tea", "second": "Tea"}],
            },
            "with itself",
        ),
        ({"personas": {"csv": "p.csv"}, "pairs": PAIRS, "colour": 1}, "unknown key"),
    ],
)
def test_bad_specs_are_refused_naming_the_field(data: object, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        study_from_dict(data)


def test_parse_choice_counts_answers_that_name_neither_letter() -> None:
    assert [parse_choice(t) for t in [" A, because", "B: nice", "Option b", " I like both", "Apples"]] == [
        "A",
        "B",
        "B",
        None,
        None,
    ]


def test_the_cli_refuses_a_persona_file_with_missing_columns_in_one_line(tmp_path: Path, capsys) -> None:
    (tmp_path / "people.csv").write_text("age,gender\n30,w\n", encoding="utf-8")
    spec = tmp_path / "study.yaml"
    spec.write_text("personas: {csv: people.csv}\npairs: [{id: c, first: tea, second: coffee}]\n")
    assert run(["focusgroup", "run", str(spec), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "lacks the column(s) occupation, location" in err and len(err.strip().splitlines()) == 1
    spec.write_text("personas: [unclosed\n")
    assert run(["focusgroup", "run", str(spec)]) == 2
    assert "not valid YAML" in capsys.readouterr().err


def test_a_study_renders_as_a_report_section_with_plots(tokenizer, tmp_path: Path) -> None:
    (tmp_path / "people.csv").write_text(
        "age,gender,occupation,location\n"
        + "".join(f"{20 + i},{'woman' if i % 2 else 'man'},nurse,Ohio\n" for i in range(24)),
        encoding="utf-8",
    )
    (tmp_path / "s.yaml").write_text(
        "personas: {csv: people.csv}\npairs: [{id: coffee, first: cold brew, second: filter coffee}]\n"
        "comments: {samples: 0}\n"
    )
    spec = load_study(tmp_path / "s.yaml")
    with RunStore(tmp_path / "runs.sqlite") as store:
        result = run_study(SurveyModel(tokenizer, ["cold brew"]), store, spec, n_permutations=99)
    html, js = write_fairness_report(tmp_path / "out", sections={"focusgroup": focusgroup_section(result)})
    page = html.read_text(encoding="utf-8")
    assert page.count("<svg") >= 1 and "Virtual focus group" in page and "chose A" in page
    assert '"focusgroup"' in js.read_text(encoding="utf-8")
