"""Thresholds from human text: the score above which a text is called machine-generated, chosen
so that a stated share of human texts like the calibration texts is flagged.

Given the scores of n human texts and a target false-positive rate a, the threshold is the k-th
highest score with k = floor(a * (n + 1)), and a text is flagged when it scores strictly above it.
For scores from a continuous distribution the false-positive rate of that threshold on new text
from the same source is Beta(k, n - k + 1) distributed (an order statistic of n uniforms), whatever
the distribution is: expected k / (n + 1) <= a, and `fpr_interval` is its central 95 % interval.
So 99 texts are the fewest that can hold 1 %, and the interval narrows only with more: with 200
human texts at 1 % (k = 2) it is [0.12 %, 2.8 %], with 1,000 (k = 10) [0.48 %, 1.7 %].

The rate holds for text like the calibration texts only: the same domain, register and length.
Zero-shot detectors are known to flag human text of another domain or by non-native writers far
more often (issue 18); calibrate on the user's own texts (`genguard detect calibrate`).
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from pydantic import Field
from scipy.special import betaincinv

from genguard.errors import ConfigError, InvalidInputError
from genguard.files import decode_utf8, read_bytes
from genguard.types import Result

DEFAULT_FILE = Path(__file__).with_name("default_calibration.json")
SCORE_NAME = "fast-detectgpt-analytic"


class Threshold(Result):
    """A threshold on one kind of score (whole texts, or windows of `tokens` tokens): flag when the
    score is > `threshold`. `fpr_interval` is the 95 % interval of its false-positive rate on text
    like the `n` calibration items, `expected_fpr` its mean k / (n + 1), `empirical_fpr` the share
    of the calibration items above it."""

    threshold: float
    target_fpr: float
    expected_fpr: float
    fpr_interval: tuple[float, float]
    empirical_fpr: float
    n: int
    tokens: int | None = None  # window length, for span thresholds


class Calibration(Result):
    """What the detector needs to decide: the text threshold, the span threshold, and the length
    below which it does not decide (`min_tokens`, measured by benchmarks/detection_quality.py).

    `text_tokens` is (min, median, max) tokens of the calibration texts: the false-positive rate
    is measured for texts of about that length."""

    score: str = SCORE_NAME
    model_id: str
    domain: str | None
    source: str
    created: str
    min_tokens: int
    text: Threshold
    span: Threshold | None
    text_tokens: tuple[int, int, int]
    skipped_short: int


class CalibrationFile(Result):
    """A calibration file: one pooled calibration and, when the texts named their domain, one per
    domain (each from that domain's texts only)."""

    pooled: Calibration
    domains: dict[str, Calibration] = Field(default_factory=dict)

    def pick(self, domain: str | None) -> Calibration:
        """The calibration of `domain` (None: the pooled one); ConfigError naming those known."""
        if domain is None:
            return self.pooled
        if domain not in self.domains:
            known = ", ".join(sorted(self.domains)) or "none"
            raise ConfigError(f"no calibration for domain {domain!r} in this file (domains: {known})")
        return self.domains[domain]


def fpr_threshold(scores: Sequence[float] | np.ndarray, target_fpr: float) -> Threshold:
    """The threshold that holds `target_fpr` on human `scores` (module docstring), with the
    interval of its false-positive rate. InvalidInputError when there are too few scores."""
    if isinstance(target_fpr, bool) or not isinstance(target_fpr, int | float) or not 0 < target_fpr < 1:
        raise InvalidInputError(f"target false-positive rate must be in (0, 1), got {target_fpr!r}")
    values = np.asarray(scores, dtype=np.float64)
    values = values[np.isfinite(values)]
    n = len(values)
    k = math.floor(target_fpr * (n + 1) + 1e-9)
    if k < 1:
        need = math.ceil(1 / target_fpr - 1 - 1e-9)
        raise InvalidInputError(
            f"{n} human text(s) cannot hold a false-positive rate of {target_fpr:g}: at least {need} "
            "are needed (more narrow the interval of the rate)"
        )
    ranked = np.sort(values)[::-1]
    threshold = float(ranked[k - 1])
    low, high = betaincinv(k, n - k + 1, [0.025, 0.975])
    return Threshold(
        threshold=threshold,
        target_fpr=float(target_fpr),
        expected_fpr=k / (n + 1),
        fpr_interval=(float(low), float(high)),
        empirical_fpr=float(np.mean(values > threshold)),
        n=n,
    )


def default_calibration() -> Calibration:
    """The packaged calibration (pooled human text of three domains, written by
    benchmarks/detection_quality.py); ConfigError when the file is missing or unreadable."""
    return load_calibration(DEFAULT_FILE).pooled


def load_calibration(path: str | Path) -> CalibrationFile:
    """Read a calibration file written by `genguard detect calibrate`; ConfigError if it is not one."""
    path = Path(path)
    raw = read_bytes(path, ConfigError, "calibration file", "create one with `genguard detect calibrate`")
    try:
        return CalibrationFile.model_validate_json(decode_utf8(raw, path, ConfigError))
    except ValueError as exc:
        first = str(exc).splitlines()[0]
        raise ConfigError(f"{path} is not a genguard detection calibration file ({first})") from exc


def save_calibration(calibration: CalibrationFile, path: str | Path) -> Path:
    """Write `calibration` as JSON to `path` (written to a temporary file, then renamed)."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(calibration.model_dump_json(indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path


def now() -> str:
    """The current UTC time, ISO 8601 to the second."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def read_human_jsonl(path: str | Path, max_bytes: int = 200 << 20) -> list[tuple[str, str | None]]:
    """(text, domain or None) of every line of a JSONL file of human texts: each line a JSON string,
    or an object with "text" (and optionally "domain"); blank lines skipped. InvalidInputError
    naming the line for anything else, for a file that is not UTF-8, empty, or over `max_bytes`."""
    path = Path(path)
    raw = read_bytes(path, InvalidInputError, "file")
    if len(raw) > max_bytes:
        raise InvalidInputError(f"{path} has {len(raw):,} bytes; calibrate on at most {max_bytes:,}")
    text = decode_utf8(raw, path, InvalidInputError)
    rows: list[tuple[str, str | None]] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InvalidInputError(f"{path} line {number} is not JSON ({exc.msg})") from exc
        if isinstance(item, str):
            rows.append((item, None))
            continue
        if not isinstance(item, dict) or not isinstance(item.get("text"), str):
            raise InvalidInputError(
                f'{path} line {number}: expected a JSON string or an object with a "text" string'
            )
        domain = item.get("domain")
        if domain is not None and not isinstance(domain, str):
            raise InvalidInputError(f'{path} line {number}: "domain" must be a string')
        rows.append((item["text"], domain))
    if not rows:
        raise InvalidInputError(f"{path} holds no texts; one JSON string or object per line")
    return rows
