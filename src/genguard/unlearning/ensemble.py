"""SISA (Bourtoule et al., "Machine Unlearning", IEEE S&P 2021) as a scikit-learn estimator.

`ShardedEnsemble` splits the training records into S shards (by record id, or by user so that
all of a user's records share a shard), trains one constituent per shard, slice by slice with a
checkpoint after each slice (see `training`), and aggregates the constituents' probabilities
(mean) or votes. `forget(ids)` retrains only the shards that held those records, from the
checkpoint before the earliest slice that held one, and returns what that cost beside what a
full retrain would have cost. The guarantee is exact: the ensemble after `forget` is, bit for bit,
the one `fit` gives on the same data without those records and with the same parameters and seed
(tests/unlearning/test_ensemble.py checks the stored bytes and the predictions); benchmarks/
unlearning.py measures its accuracy and speed against retraining from scratch.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import time
import weakref
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone

from genguard.errors import ConfigError, InvalidInputError
from genguard.types import Result
from genguard.unlearning.assign import as_keys, assign, check_unique, key_hashes
from genguard.unlearning.store import MANIFEST, CheckpointStore
from genguard.unlearning.training import Mode, continuation, train_step

AGGREGATIONS = ("mean", "vote")


class FitReport(Result):
    """What `fit` trained: records per shard, shards whose records carry one label (they predict
    that label), and the work done (record passes: records seen, summed over steps and epochs)."""

    records: int
    shards: int
    slices: int
    shard_sizes: list[int]
    single_class_shards: list[int]
    record_passes: int
    seconds: float


class ForgetReport(Result):
    """What `forget` did: records removed, shards retrained and slice steps repeated, the work
    done (record passes) beside a full retrain's, and wall-clock seconds. `speedup_work` is
    full_record_passes / record_passes (1.0 when every shard was retrained from its first slice)."""

    forgotten: int
    shards_retrained: list[int]
    steps_retrained: int
    record_passes: int
    full_record_passes: int
    speedup_work: float
    seconds: float


def _seed(random_state: int, shard: int) -> int:
    return int(np.random.SeedSequence([int(random_state), shard]).generate_state(1)[0])


def _check_x(X: Any, n_features: int | None = None) -> np.ndarray:
    if hasattr(X, "toarray"):
        raise InvalidInputError("X is a sparse matrix; give a dense numeric array")
    X = np.asarray(X)
    if X.ndim != 2 or X.shape[0] == 0:
        raise InvalidInputError(f"X must be a non-empty 2-D array of numbers, got shape {X.shape}")
    if X.dtype.kind not in "fiub":
        raise InvalidInputError(f"X must hold numbers, not {X.dtype}; encode text and categories first")
    if X.dtype.kind == "f" and not np.isfinite(X).all():
        raise InvalidInputError("X holds NaN or infinite values; fill or drop them first")
    if n_features is not None and X.shape[1] != n_features:
        raise InvalidInputError(f"X has {X.shape[1]} features; the ensemble was fitted on {n_features}")
    return X


class ShardedEnsemble(ClassifierMixin, BaseEstimator):
    """A SISA ensemble of `estimator` clones (default: LogisticRegression(max_iter=1000)).

    n_shards (S) and n_slices (R): the partition; slices need an estimator with partial_fit or
    warm_start. aggregation: "mean" of the constituents' probabilities or "vote" (share of
    constituents predicting each class). epochs_per_slice: partial_fit passes per step.
    checkpoint_dir: where shards, records and checkpoints are kept (None: a temporary folder
    removed with the object). random_state: seeds the assignment and every constituent.
    """

    def __init__(
        self,
        estimator: BaseEstimator | None = None,
        n_shards: int = 5,
        n_slices: int = 1,
        aggregation: Literal["mean", "vote"] = "mean",
        epochs_per_slice: int = 1,
        checkpoint_dir: str | Path | None = None,
        random_state: int = 0,
    ) -> None:
        self.estimator = estimator
        self.n_shards = n_shards
        self.n_slices = n_slices
        self.aggregation = aggregation
        self.epochs_per_slice = epochs_per_slice
        self.checkpoint_dir = checkpoint_dir
        self.random_state = random_state

    # -- parameters and folder -----------------------------------------------------------------

    def _template(self) -> BaseEstimator:
        if self.estimator is not None:
            return self.estimator
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression(max_iter=1000)

    def _check_params(self) -> Mode:
        for name in ("n_shards", "n_slices", "epochs_per_slice"):
            value = getattr(self, name)
            if not isinstance(value, int | np.integer) or isinstance(value, bool) or value < 1:
                raise ConfigError(f"{name} must be a whole number >= 1, got {value!r}")
        if self.aggregation not in AGGREGATIONS:
            raise ConfigError(f"aggregation must be one of {AGGREGATIONS}, got {self.aggregation!r}")
        return continuation(self._template(), int(self.n_slices))

    def _folder(self) -> Path:
        if self.checkpoint_dir is None:
            folder = Path(tempfile.mkdtemp(prefix="genguard-sisa-"))
            weakref.finalize(self, shutil.rmtree, str(folder), True)
            return folder
        folder = Path(self.checkpoint_dir)
        if folder.exists() and not folder.is_dir():
            raise ConfigError(f"checkpoint_dir {folder} is a file; give a folder")
        if folder.is_dir() and any(folder.iterdir()) and not (folder / MANIFEST).exists():
            raise ConfigError(
                f"checkpoint_dir {folder} is not empty and holds no ensemble; give an empty or new folder"
            )
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    # -- training ------------------------------------------------------------------------------

    def _train_shard(
        self, shard: int, data: dict[str, np.ndarray], first: int, previous: Any, gen: int
    ) -> tuple[list[str], Any, int, int]:
        """Steps first..R-1 of one shard from `previous` (the model after step first-1, or None).
        Returns the new step files, the final model, the steps run and the record passes."""
        mode = continuation(self._template(), int(self.n_slices))
        epochs = int(self.epochs_per_slice) if mode == "partial_fit" else 1
        names, model, passes = [], previous, 0
        for step in range(first, int(self.n_slices)):
            upto = int(np.searchsorted(data["slice"], step, side="right"))
            model = train_step(
                self._template(),
                model,
                data["X"][:upto],
                data["y"][:upto],
                self.classes_,
                mode,
                epochs,
                _seed(self.random_state, shard),
            )
            names.append(self._store.put_model(f"shard-{shard:03d}/step-{step:02d}-{gen}.pkl", model))
            passes += upto * epochs
        return names, model, int(self.n_slices) - first, passes

    def fit(
        self,
        X: Any,
        y: Any,
        ids: Sequence | np.ndarray | None = None,
        groups: Sequence | np.ndarray | None = None,
    ) -> ShardedEnsemble:
        """Train every shard; returns self, with `fit_report_` (a FitReport).

        ids: one unique id per row (default: the row numbers), what `forget` takes. groups: the
        user (or other unit) of each row; all rows of a group share a shard, so forgetting a
        user retrains one shard. InvalidInputError for bad shapes, values, duplicate ids or a
        single label overall; ConfigError for bad parameters.
        """
        start = time.perf_counter()
        self._check_params()
        X = _check_x(X)
        y = np.asarray(y)
        if y.ndim != 1 or len(y) != len(X):
            raise InvalidInputError(f"y must be one label per row of X ({len(X)}), got shape {y.shape}")
        if y.dtype.kind == "O":
            y = y.astype(str)
        classes = np.unique(y)
        if len(classes) < 2:
            raise InvalidInputError(
                f"y holds one label only ({classes[0]!r}); a classifier needs two or more"
            )
        keys = as_keys(ids, len(X), "ids")
        check_unique(keys)
        unit = as_keys(groups, len(X), "groups") if groups is not None else keys
        shard_of = assign(unit, int(self.n_shards), self.random_state, "shard")
        slice_of = assign(keys, int(self.n_slices), self.random_state, "slice")
        order = key_hashes(keys, self.random_state, "order")
        self.classes_, self.n_features_in_ = classes, X.shape[1]
        self._store = CheckpointStore(self._folder())
        self._store.files = {}
        self._shards, self.estimators_, self._where = [], [], {}
        passes, single = 0, []
        ids_arr = np.asarray(keys, dtype=str)
        self._store.put_model("template-0.pkl", clone(self._template()))
        for shard in range(int(self.n_shards)):
            rows = np.flatnonzero(shard_of == shard)
            rows = rows[np.lexsort((order[rows], slice_of[rows]))]  # by slice, then a fixed order
            data = {"X": X[rows], "y": y[rows], "ids": ids_arr[rows], "slice": slice_of[rows]}
            names, model, _, work = (
                self._train_shard(shard, data, 0, None, 0) if len(rows) else ([], None, 0, 0)
            )
            if len(rows) and len(np.unique(data["y"])) < 2:
                single.append(shard)
            self._shards.append(
                {
                    "data": self._store.put_arrays(f"shard-{shard:03d}/data-0.npz", **data),
                    "steps": names,
                    "sizes": self._sizes(data),
                }
            )
            self.estimators_.append(model)
            self._where.update(dict.fromkeys(data["ids"].tolist(), shard))
            passes += work
        self._generation = 0
        self._commit()
        self.fit_report_ = FitReport(
            records=len(X),
            shards=int(self.n_shards),
            slices=int(self.n_slices),
            shard_sizes=[int((shard_of == s).sum()) for s in range(int(self.n_shards))],
            single_class_shards=single,
            record_passes=passes,
            seconds=time.perf_counter() - start,
        )
        return self

    def _sizes(self, data: dict[str, np.ndarray]) -> list[int]:
        return np.bincount(data["slice"], minlength=int(self.n_slices)).tolist()

    def _commit(self) -> None:
        self._store.commit(
            {
                "params": {
                    k: v
                    for k, v in self.get_params(deep=False).items()
                    if k not in ("estimator", "checkpoint_dir")
                },
                "estimator": type(self._template()).__name__,
                "template": "template-0.pkl",
                "classes": self.classes_.tolist(),
                "classes_dtype": self.classes_.dtype.str,
                "n_features": int(self.n_features_in_),
                "generation": self._generation,
                "shards": self._shards,
            }
        )

    # -- prediction ----------------------------------------------------------------------------

    def _check_fitted(self) -> None:
        if not hasattr(self, "estimators_"):
            raise InvalidInputError("this ShardedEnsemble is not fitted; call fit() or load() first")

    def predict_proba(self, X: Any) -> np.ndarray:
        """(n, n_classes) probabilities in the order of `classes_`: the mean of the constituents'
        probabilities, or the share of their votes. Shards left empty by `forget` take no part."""
        self._check_fitted()
        X = _check_x(X, int(self.n_features_in_))
        total, count = np.zeros((len(X), len(self.classes_))), 0
        for model in self.estimators_:
            if model is None:
                continue
            cols = np.searchsorted(self.classes_, model.classes_)
            if self.aggregation == "vote":
                total[np.arange(len(X)), np.searchsorted(self.classes_, model.predict(X))] += 1
            else:
                total[:, cols] += model.predict_proba(X)
            count += 1
        if count == 0:
            raise InvalidInputError("every shard is empty (all records were forgotten); fit again")
        return total / count

    def predict(self, X: Any) -> np.ndarray:
        """The class with the highest aggregated probability (the first of them on a tie)."""
        self._check_fitted()
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    # -- unlearning ----------------------------------------------------------------------------

    @property
    def ids_(self) -> list[str]:
        """The ids of the records the ensemble holds now, as text."""
        self._check_fitted()
        return list(self._where)

    def forget(self, ids: Sequence | np.ndarray) -> ForgetReport:
        """Remove the records with these ids and retrain what held them; returns a ForgetReport.

        InvalidInputError (and the ensemble unchanged) when no id is given or any id is unknown.
        On any failure while retraining, the ensemble and its folder stay as they were.
        """
        self._check_fitted()
        start = time.perf_counter()
        keys = list(dict.fromkeys(as_keys(ids, len(np.asarray(ids, dtype=object).ravel()), "ids")))
        if not keys:
            raise InvalidInputError("no id given to forget")
        unknown = [k for k in keys if k not in self._where]
        if unknown:
            raise InvalidInputError(
                f"{len(unknown)} id(s) not in the ensemble (e.g. {', '.join(map(repr, unknown[:5]))}); "
                "nothing was forgotten"
            )
        by_shard: dict[int, set[str]] = {}
        for k in keys:
            by_shard.setdefault(self._where[k], set()).add(k)
        gen = self._generation + 1
        before, new_shards = dict(self._store.files), [dict(s) for s in self._shards]
        models, steps, passes = list(self.estimators_), 0, 0
        try:
            for shard, gone in sorted(by_shard.items()):
                data = self._store.get_arrays(self._shards[shard]["data"])
                drop = np.isin(data["ids"], list(gone))
                first = int(data["slice"][drop].min())
                data = {k: v[~drop] for k, v in data.items()}
                kept_steps = self._shards[shard]["steps"][:first]
                previous = self._store.get_model(kept_steps[-1]) if kept_steps else None
                names, model, n_steps, work = (
                    self._train_shard(shard, data, first, previous, gen)
                    if len(data["ids"])
                    else ([], None, 0, 0)
                )
                name = self._store.put_arrays(f"shard-{shard:03d}/data-{gen}.npz", **data)
                new_shards[shard] = {
                    "data": name,
                    "steps": (kept_steps + names) if len(data["ids"]) else [],
                    "sizes": self._sizes(data),
                }
                models[shard] = model
                steps += n_steps
                passes += work
            self._shards, self._generation = new_shards, gen
            self._commit()
        except BaseException:
            self._store.discard(set(self._store.files) - set(before), before)
            self._shards, self._generation = [dict(s) for s in self._shards], gen - 1
            raise
        self.estimators_ = models
        for k in keys:
            del self._where[k]
        full = self._full_passes()
        return ForgetReport(
            forgotten=len(keys),
            shards_retrained=sorted(by_shard),
            steps_retrained=steps,
            record_passes=passes,
            full_record_passes=full,
            speedup_work=full / passes if passes else float("inf"),
            seconds=time.perf_counter() - start,
        )

    def _full_passes(self) -> int:
        """Record passes a fit on the records held now would make."""
        mode = continuation(self._template(), int(self.n_slices))
        epochs = int(self.epochs_per_slice) if mode == "partial_fit" else 1
        return sum(int(np.cumsum(s["sizes"]).sum()) for s in self._shards) * epochs

    # -- folder --------------------------------------------------------------------------------

    def fingerprint(self) -> str:
        """SHA-256 over the content digests (see digest.py) of every shard's stored records and
        slice checkpoints, in shard order: equal fingerprints mean bit-identical ensembles."""
        self._check_fitted()
        h = hashlib.sha256()
        for shard in self._shards:
            for name in [shard["data"], *shard["steps"]]:
                h.update(self._store.digests[name].encode())
            h.update(b"|")
        return h.hexdigest()

    @classmethod
    def load(cls, folder: str | Path) -> ShardedEnsemble:
        """The ensemble stored in `folder` (by `fit` or `forget` with checkpoint_dir), every file
        checked against its hash; StorageError for a missing, damaged or foreign folder."""
        from genguard.errors import StorageError

        store, manifest = CheckpointStore.open(folder)
        try:
            template = store.get_model(manifest["template"])
            ensemble = cls(estimator=template, checkpoint_dir=folder, **manifest["params"])
            ensemble.classes_ = np.asarray(manifest["classes"], dtype=np.dtype(manifest["classes_dtype"]))
            ensemble.n_features_in_ = int(manifest["n_features"])
            ensemble._generation = int(manifest["generation"])
            ensemble._shards = [
                {"data": s["data"], "steps": list(s["steps"]), "sizes": [int(n) for n in s["sizes"]]}
                for s in manifest["shards"]
            ]
        except (KeyError, TypeError, ValueError) as exc:
            raise StorageError(f"{Path(folder) / MANIFEST} is damaged ({type(exc).__name__}: {exc})") from exc
        if len(ensemble._shards) != ensemble.n_shards:
            raise StorageError(
                f"{Path(folder) / MANIFEST} lists {len(ensemble._shards)} shards, not {ensemble.n_shards}"
            )
        ensemble._store, ensemble.estimators_, ensemble._where = store, [], {}
        for i, shard in enumerate(ensemble._shards):
            data = store.get_arrays(shard["data"])
            ensemble._where.update(dict.fromkeys(data["ids"].tolist(), i))
            ensemble.estimators_.append(store.get_model(shard["steps"][-1]) if shard["steps"] else None)
        return ensemble
