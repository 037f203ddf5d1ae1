"""ShardedEnsemble (SISA): forget() gives, bit for bit, the ensemble trained without the records;
the checkpoint folder survives reloads and refuses damage; bad input is refused without harm."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.neighbors import KNeighborsClassifier

from genguard.errors import ConfigError, InvalidInputError, StorageError
from genguard.unlearning import ConstantClassifier, ShardedEnsemble, TorchClassifier
from genguard.unlearning.assign import assign


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    X, y = make_classification(600, 8, n_informative=5, random_state=0)
    users = np.arange(600) // 3  # three records per user
    return X, y, users


def _without(X, y, users, gone):
    keep = np.setdiff1d(np.arange(len(X)), gone)
    return X[keep], y[keep], users[keep], keep


@pytest.mark.parametrize(
    ("estimator", "slices"),
    [
        (LogisticRegression(max_iter=300), 1),
        (LogisticRegression(max_iter=300), 3),  # warm_start from the slice checkpoint
        (SGDClassifier(loss="log_loss"), 4),  # partial_fit
        (TorchClassifier(hidden=(8,), epochs=2, batch_size=32), 3),
    ],
    ids=["logreg", "logreg-slices", "sgd-slices", "torch-slices"],
)
def test_forget_is_bit_for_bit_the_ensemble_trained_without_the_records(data, estimator, slices, tmp_path):
    X, y, users = data
    ens = ShardedEnsemble(estimator, n_shards=4, n_slices=slices, epochs_per_slice=2, checkpoint_dir=tmp_path)
    ens.fit(X, y, groups=users)
    before = ens.fingerprint()
    gone = [5, 77, 300, 301]
    report = ens.forget(gone)
    Xk, yk, uk, keep = _without(X, y, users, gone)
    fresh = ShardedEnsemble(estimator, n_shards=4, n_slices=slices, epochs_per_slice=2).fit(
        Xk, yk, ids=keep, groups=uk
    )
    assert ens.fingerprint() == fresh.fingerprint() != before
    assert np.array_equal(ens.predict_proba(X), fresh.predict_proba(X))
    assert report.forgotten == 4 and 1 <= len(report.shards_retrained) <= 3
    assert report.record_passes < report.full_record_passes
    # what is on disk is what is in memory
    assert ShardedEnsemble.load(tmp_path).fingerprint() == fresh.fingerprint()
    assert np.array_equal(ShardedEnsemble.load(tmp_path).predict_proba(X), fresh.predict_proba(X))


def test_the_ensemble_does_not_depend_on_row_order_and_keeps_users_together(data):
    X, y, users = data
    order = np.random.default_rng(1).permutation(len(X))
    a = ShardedEnsemble(n_shards=5).fit(X, y, groups=users)
    b = ShardedEnsemble(n_shards=5).fit(X[order], y[order], ids=order, groups=users[order])
    assert a.fingerprint() == b.fingerprint()
    report = a.forget(np.flatnonzero(users == 17))  # one user's three records: one shard
    assert len(report.shards_retrained) == 1 and report.forgotten == 3
    assert clone(a).get_params()["n_shards"] == 5


def test_an_unknown_id_is_refused_and_nothing_changes(data, tmp_path):
    X, y, _ = data
    ens = ShardedEnsemble(n_shards=3, checkpoint_dir=tmp_path).fit(X, y)
    before, manifest = ens.fingerprint(), (tmp_path / "manifest.json").read_bytes()
    with pytest.raises(InvalidInputError, match=r"1 id\(s\) not in the ensemble.*'no-such-id'"):
        ens.forget([3, "no-such-id"])
    with pytest.raises(InvalidInputError, match="no id given"):
        ens.forget([])
    assert ens.fingerprint() == before and (tmp_path / "manifest.json").read_bytes() == manifest
    assert "3" in ens.ids_ and len(ens.ids_) == len(X)


def test_a_damaged_checkpoint_folder_is_refused(data, tmp_path):
    X, y, _ = data
    ShardedEnsemble(n_shards=2, n_slices=2, checkpoint_dir=tmp_path).fit(X, y)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    step = next(name for name in manifest["files"] if "step-01" in name)
    path = tmp_path / step
    raw = path.read_bytes()
    path.write_bytes(raw[:-10] + b"0123456789")
    with pytest.raises(StorageError, match="does not match its hash"):
        ShardedEnsemble.load(tmp_path)
    path.unlink()
    with pytest.raises(StorageError, match="is missing"):
        ShardedEnsemble.load(tmp_path)
    (tmp_path / "manifest.json").write_text("{not json")
    with pytest.raises(StorageError, match="damaged"):
        ShardedEnsemble.load(tmp_path)
    with pytest.raises(StorageError, match=r"has no manifest\.json"):
        ShardedEnsemble.load(tmp_path / "shard-000")
    with pytest.raises(StorageError, match="does not exist"):
        ShardedEnsemble.load(tmp_path / "nowhere")
    with pytest.raises(ConfigError, match="not empty and holds no ensemble"):
        ShardedEnsemble(checkpoint_dir=tmp_path / "shard-000").fit(X, y)


def test_a_single_class_shard_predicts_its_label_and_an_emptied_shard_drops_out(data):
    X, y, _ = data
    # user "pos" holds 30 positive records, and no other user shares its shard
    home = assign(["pos"], 4, 0, "shard")[0]
    others = [k for k in map(str, range(5 * len(y))) if assign([k], 4, 0, "shard")[0] != home]
    mine = np.flatnonzero(y == 1)[:30]
    users = np.asarray(others[: len(y)], dtype=object)
    users[mine] = "pos"
    ens = ShardedEnsemble(LogisticRegression(), n_shards=4).fit(X, y, groups=users)
    shard = ens.fit_report_.single_class_shards
    assert len(shard) == 1 and isinstance(ens.estimators_[shard[0]], ConstantClassifier)
    assert ens.predict_proba(X).shape == (len(X), 2)
    ens.forget(mine)  # that shard is now empty and takes no part
    assert ens.estimators_[shard[0]] is None
    assert ens.predict_proba(X).shape == (len(X), 2)
    with pytest.raises(InvalidInputError, match="one label only"):
        ShardedEnsemble().fit(X, np.zeros(len(X)))


def test_votes_parameters_and_inputs_are_checked(data):
    X, y, _ = data
    votes = ShardedEnsemble(n_shards=5, aggregation="vote").fit(X, y).predict_proba(X[:20])
    assert np.allclose(votes * 5, np.round(votes * 5)) and np.allclose(votes.sum(1), 1)
    with pytest.raises(ConfigError, match="neither partial_fit nor warm_start"):
        ShardedEnsemble(KNeighborsClassifier(), n_slices=2).fit(X, y)
    with pytest.raises(ConfigError, match="n_shards must be"):
        ShardedEnsemble(n_shards=0).fit(X, y)
    with pytest.raises(InvalidInputError, match="given twice"):
        ShardedEnsemble().fit(X[:3], y[:3], ids=["a", "b", "a"])
    with pytest.raises(InvalidInputError, match="NaN"):
        ShardedEnsemble().fit(np.full((4, 2), np.nan), [0, 1, 0, 1])
    with pytest.raises(InvalidInputError, match="not fitted"):
        ShardedEnsemble().predict(X)
    with pytest.raises(InvalidInputError, match="features"):
        ShardedEnsemble(n_shards=2).fit(X, y).predict(X[:, :3])


def test_a_torch_adapter_learns(tmp_path: Path):
    X, y = make_classification(400, 6, n_informative=4, class_sep=2.0, random_state=3)
    model = TorchClassifier(hidden=(16,), epochs=20, lr=1e-2).fit(X[:300], y[:300])
    assert (model.predict(X[300:]) == y[300:]).mean() > 0.85
