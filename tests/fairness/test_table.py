from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from genguard.errors import InvalidInputError
from genguard.fairness.table import (
    PRESETS,
    TabularReport,
    derive_groups,
    features_from,
    labels_from,
    load_table,
    parse_bins,
    parse_map,
    run_tabular_audit,
)
from genguard.fairness.tabular import audit_predictions


@pytest.fixture(scope="module")
def shared():
    from genguard.datasets import shared_data_dir

    if shared_data_dir() is None:
        pytest.skip("../shared/data (German credit, Adult) is not available in this clone")
    return shared_data_dir()


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------- load_table


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("comma.csv", 'sex,age,y\nf,30,1\n"m",22,0\n'),
        ("spaced.csv", "sex, age, y\nf, 30, 1\nm , 22 ,0\n"),
        ("tab.tsv", "sex\tage\ty\nf\t30\t1\nm\t22\t0\n"),
        ("semi.csv", "sex;age;y\nf;30;1\nm;22;0\n"),
        ("space.data", "sex age y\nf 30 1\nm  22 0\n"),
    ],
)
def test_load_table_sniffs_the_delimiter(tmp_path: Path, name: str, text: str) -> None:
    df = load_table(_write(tmp_path / name, text))
    assert list(df.columns) == ["sex", "age", "y"]
    assert df["sex"].tolist() == ["f", "m"]
    assert df["age"].tolist() == [30, 22] and pd.api.types.is_numeric_dtype(df["age"])


def test_load_table_reads_german_credit(shared) -> None:
    df = load_table(shared / "german-credit" / "german.data")
    assert df.shape == (1000, 21)
    assert df["PERSONAL_STATUS_AND_SEX"].value_counts()["A93"] == 548


def test_load_table_missing_values(tmp_path: Path) -> None:
    df = load_table(_write(tmp_path / "t.csv", "a,b\nx,1\n?,\n,3\n ? ,4\n"))
    assert df["a"].isna().tolist() == [False, True, True, True]
    assert df["b"].isna().tolist() == [False, True, False, False]


def test_load_table_bad_input(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="not found"):
        load_table(tmp_path / "nope.csv")
    latin = tmp_path / "latin.csv"
    latin.write_bytes("name,y\nab,1\ncaf\u00e9,0\n".encode("latin-1"))
    with pytest.raises(InvalidInputError, match=r"not valid UTF-8 \(byte 15, line 3"):
        load_table(latin)
    with pytest.raises(InvalidInputError, match="is empty"):
        load_table(_write(tmp_path / "empty.csv", ""))
    with pytest.raises(InvalidInputError, match="is empty"):
        load_table(_write(tmp_path / "blank.csv", "\n  \n"))
    with pytest.raises(InvalidInputError, match="single column"):
        load_table(_write(tmp_path / "one.csv", "label\n1\n0\n"))
    with pytest.raises(InvalidInputError, match="looks like data, not a header"):
        load_table(_write(tmp_path / "noheader.csv", "39, State-gov, 77516\n50, Private, 83311\n"))
    with pytest.raises(InvalidInputError, match="header line but no rows"):
        load_table(_write(tmp_path / "header.csv", "a,b\n"))
    with pytest.raises(InvalidInputError, match="twice"):
        load_table(_write(tmp_path / "dupe.csv", "a,a\n1,2\n"))
    with pytest.raises(InvalidInputError, match="cannot parse"):
        load_table(_write(tmp_path / "ragged.csv", "a,b\n1,2\n1,2,3\n"))


# ---------------------------------------------------------------- groups, labels, features


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "status": ["A92", "A93", "A95", "A91", None, "A94"],
            "age": [22, 25, 39, 40, 61, np.nan],
            "job": ["x", "y", "x", None, "y", "x"],
            "amount": [1.0, 2.0, np.nan, 4.0, 5.0, 6.0],
            "y": [1, 0, 1, 1, 0, 1],
        }
    )


def test_derive_groups_maps_bins_missing_and_intersections() -> None:
    df = _frame()
    sex_map = {"status": {"A91": "male", "A92": "female", "A93": "male", "A94": "male", "A95": "female"}}
    sex, attribute = derive_groups(df, "status", maps=sex_map, names={"status": "sex"})
    assert attribute == "sex"
    assert sex.tolist() == ["female", "male", "female", "male", "missing", "male"]
    age, attribute = derive_groups(df, ["age"], bins={"age": [25, 40]})
    assert attribute == "age"
    assert age.tolist() == ["<25", "25-39", "25-39", ">=40", ">=40", "missing"]
    both, attribute = derive_groups(
        df, ["status", "age"], maps=sex_map, bins={"age": [25]}, names={"status": "sex"}
    )
    assert attribute == "sex x age"
    assert both[:2].tolist() == ["female x <25", "male x >=25"]
    unmapped, _ = derive_groups(df, ["status"])
    assert unmapped[0] == "A92"
    fractional, _ = derive_groups(df.assign(age=df["age"] + 0.5), ["age"], bins={"age": [25, 40]})
    assert fractional[1] == "25 to <40"


def test_derive_groups_errors() -> None:
    df = _frame()
    with pytest.raises(
        InvalidInputError, match=r"group column 'sex' not found; available columns: status, age"
    ):
        derive_groups(df, ["sex"])
    with pytest.raises(InvalidInputError, match=r"column 'job' has non-numeric values \(e.g. 'x'\)"):
        derive_groups(df, ["job"], bins={"job": [1]})
    with pytest.raises(InvalidInputError, match=r"numeric with 30 distinct values; cut it into bands"):
        derive_groups(pd.DataFrame({"age": range(30)}), ["age"])
    with pytest.raises(InvalidInputError, match="increasing"):
        derive_groups(df, ["age"], bins={"age": [40, 25]})
    with pytest.raises(InvalidInputError, match="not a group column"):
        derive_groups(df, ["status"], bins={"age": [25]})


def test_labels_from() -> None:
    df = _frame()
    assert labels_from(df, "y", "1").tolist() == [1, 0, 1, 1, 0, 1]
    assert labels_from(df.assign(y=df["y"].astype(float)), "y", 1).tolist() == [1, 0, 1, 1, 0, 1]
    assert labels_from(pd.DataFrame({"y": [" >50K", "<=50K"]}), "y", ">50K").tolist() == [1, 0]
    with pytest.raises(InvalidInputError, match=r"no value equal to '2' \(its values: 1, 0\)"):
        labels_from(df, "y", "2")
    with pytest.raises(InvalidInputError, match="holds only one value"):
        labels_from(df.assign(y=1), "y", "1")
    with pytest.raises(InvalidInputError, match="label column 'job' has 1 missing"):
        labels_from(df, "job", "x")
    with pytest.raises(InvalidInputError, match="label column 'nope' not found"):
        labels_from(df, "nope", "1")


def test_features_from_one_hot_and_median() -> None:
    df = _frame()
    x = features_from(df, ["status", "y"])
    # age (median 39 fills the gap), job one-hot (x, y; missing -> zeros), amount (median 4)
    assert x.shape == (6, 4)
    assert x[5, 0] == 39.0 and x[2, 3] == 4.0
    assert x[3, 1:3].tolist() == [0.0, 0.0]
    assert x[0, 1:3].tolist() == [1.0, 0.0]
    ids = pd.DataFrame({"id": [f"row{i}" for i in range(120)], "y": [0, 1] * 60})
    with pytest.raises(InvalidInputError, match="'id' has 120 distinct values"):
        features_from(ids, ["y"])
    with pytest.raises(InvalidInputError, match="no feature columns"):
        features_from(df[["y"]], ["y"])


def test_parse_specs() -> None:
    assert parse_map("SEX=A91:male, A92:female") == ("SEX", {"A91": "male", "A92": "female"})
    assert parse_bins("AGE=25,40") == ("AGE", [25.0, 40.0])
    for bad in ("SEX", "SEX=", "SEX=A91"):
        with pytest.raises(InvalidInputError, match="COLUMN=CODE:name"):
            parse_map(bad)
    for bad in ("AGE", "AGE=young", "AGE=nan"):
        with pytest.raises(InvalidInputError, match="COLUMN=EDGE"):
            parse_bins(bad)


# ---------------------------------------------------------------- data sets and presets


def test_adult_reader(shared) -> None:
    from genguard.datasets import adult

    df = adult()
    assert df.shape == (32561, 15)
    assert df["income"].value_counts().to_dict() == {"<=50K": 24720, ">50K": 7841}
    assert df[["workclass", "occupation", "native-country"]].isna().sum().tolist() == [1836, 1843, 583]
    assert not df["sex"].str.contains(" ").any()


def test_presets_derive_the_documented_groups(shared) -> None:
    german = PRESETS["german-credit"]
    df = german.loader()
    sex, attribute = derive_groups(df, german.groups, german.maps, german.bins, german.names)
    assert attribute == "sex x age"
    counts = pd.Series(sex).value_counts().to_dict()
    assert counts == {"male x >=25": 625, "female x >=25": 226, "female x <25": 84, "male x <25": 65}
    assert labels_from(df, german.label, german.positive).sum() == 700
    adult = PRESETS["adult"]
    assert labels_from(adult.loader(), adult.label, adult.positive).sum() == 7841


# ---------------------------------------------------------------- the audit


def _predicted(n: int = 400, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    group = np.where(np.arange(n) < n // 2, "a", "b")
    y = rng.integers(0, 2, n)
    pred = np.where(rng.random(n) < 0.8, y, 1 - y)
    return pd.DataFrame({"group": group, "x": rng.random(n), "y": y, "pred": pred})


def test_given_predictions_equal_audit_predictions(tmp_path: Path) -> None:
    df = _predicted()
    df.loc[:4, "group"] = "tiny"
    df.to_csv(tmp_path / "p.csv", index=False)
    report = run_tabular_audit(tmp_path / "p.csv", label="y", groups=["group"], prediction="pred")
    assert report.mode == "predictions" and not report.mitigations
    expected = audit_predictions(df["y"], df["pred"], df["group"], "group")
    assert report.audits == [expected]
    assert report.accuracy == pytest.approx(np.mean(df["y"] == df["pred"]))
    tiny = next(g for g in report.audits[0].groups if g.group == "tiny")
    assert tiny.too_small and tiny.false_rejection_rate.value is None
    assert TabularReport.model_validate_json(report.model_dump_json()) == report


def test_predictions_must_be_coded_like_labels(tmp_path: Path) -> None:
    df = _predicted().assign(pred=lambda d: d["pred"] * 0.9)
    df.to_csv(tmp_path / "p.csv", index=False)
    with pytest.raises(InvalidInputError, match="not scores"):
        run_tabular_audit(tmp_path / "p.csv", label="y", groups=["group"], prediction="pred")


def test_mitigation_on_german_credit_by_display_name(shared) -> None:
    report = run_tabular_audit(
        dataset="german-credit", groups=["age"], method="threshold_optimizer", bootstrap=50
    )
    assert report.mode == "mitigation" and [m.attribute for m in report.mitigations] == ["age"]
    assert report.groups[0].column == "AGE" and report.groups[0].bins == [25.0]
    assert {g.group for g in report.mitigations[0].baseline.groups} == {"<25", ">=25"}
    # the 19 other columns, categoricals one-hot (PERSONAL_STATUS_AND_SEX included: not a group here)
    assert report.n_features == 60


def test_untrainable_groups_are_skipped_with_a_note_or_refused(tmp_path: Path) -> None:
    df = _predicted()
    df["band"] = np.where((df.index < 2) | (df.index >= 200) & (df.index < 300), "q", "p")
    df.loc[[0, 1], "y"] = [1, 0]  # "a x q" has one row of each label: the split cannot stratify it
    df.to_csv(tmp_path / "t.csv", index=False)
    report = run_tabular_audit(
        tmp_path / "t.csv", label="y", groups=["group", "band"], method="threshold_optimizer", bootstrap=0
    )
    assert [m.attribute for m in report.mitigations] == ["group", "band"]
    assert report.notes == [
        "group x band: not trained, group 'a x q' has only 1 row with label 0 (the train/test split "
        "stratifies by group and label); merge small groups with --map or audit given predictions"
    ]
    df.loc[0, "group"] = "lonely"
    df.to_csv(tmp_path / "t.csv", index=False)
    with pytest.raises(InvalidInputError, match="'lonely' has only 1 row"):
        run_tabular_audit(tmp_path / "t.csv", label="y", groups=["group"], method="threshold_optimizer")


def test_audit_argument_errors(shared, tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="unknown dataset 'credit'; known: german-credit, adult"):
        run_tabular_audit(dataset="credit")
    _predicted().to_csv(tmp_path / "p.csv", index=False)
    with pytest.raises(InvalidInputError, match="--label"):
        run_tabular_audit(tmp_path / "p.csv")
    with pytest.raises(InvalidInputError, match="unknown method"):
        run_tabular_audit(dataset="german-credit", method="magic")
    with pytest.raises(InvalidInputError, match="--map given for AGE"):
        run_tabular_audit(dataset="german-credit", groups=["sex"], maps={"AGE": {"1": "x"}})
