"""The measured error rates of the guard's scorers, read from `error_rates.json` beside this file.

That JSON is the one place the numbers live: the report card shows them beside every threshold,
and the policy comments and the model card point to it. Each entry says what was measured, on
which data, on how many texts and by which benchmark (rerun with `make bench`).

    error_rate("toxicity", 0.2, unit="paragraph").value   # the share of BOLD paragraphs flagged at 0.2
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from genguard.types import Result

RATES_FILE = Path(__file__).with_name("error_rates.json")
_SHORT = {"false-positive rate": "FPR", "true-positive rate": "recall"}


class MeasuredRate(Result):
    """One measurement: `value` is a fraction (a rate, or an AUC) of `n` texts of kind `unit`."""

    scorer: str
    threshold: float | None
    measure: str
    value: float
    unit: str
    label: str  # the data in two or three words, for a sentence: "BOLD paragraphs"
    data: str
    n: int | None
    benchmark: str

    def _head(self, data: str) -> str:
        measure = _SHORT.get(self.measure, self.measure)
        at = "" if self.threshold is None else f" at {self.threshold:g}"
        value = f"{self.value:.3f}" if self.measure == "AUC" else f"{self.value * 100:.1f} %"
        return f"{measure}{at} on {data}: {value}"

    def describe(self) -> str:
        """ "FPR at 0.2 on BOLD Wikipedia paragraphs ...: 9.0 % (n=1,540, benchmarks/guard_quality.py)"."""
        n = f"n={self.n:,}, " if self.n else ""
        return f"{self._head(self.data)} ({n}{self.benchmark})"

    def brief(self) -> str:
        """ "FPR at 0.2 on BOLD paragraphs: 9.0 %"."""
        return self._head(self.label)


@cache
def measured_rates() -> tuple[MeasuredRate, ...]:
    """Every measured rate in the shipped file, in its order (most relevant first per scorer)."""
    raw = json.loads(RATES_FILE.read_text(encoding="utf-8"))
    return tuple(MeasuredRate(**entry) for entry in raw["rates"])


def error_rates(scorer: str, threshold: float | None = None) -> list[MeasuredRate]:
    """The rates measured for `scorer` at `threshold` (None: the threshold-free ones)."""
    return [r for r in measured_rates() if r.scorer == scorer and r.threshold == threshold]


def error_rate(
    scorer: str, threshold: float | None, unit: str | None = None, measure: str = "false-positive rate"
) -> MeasuredRate | None:
    """The first rate measured for `scorer` at `threshold` (of `measure`, on texts of kind `unit`
    when given), or None when that threshold was never measured."""
    for rate in error_rates(scorer, threshold):
        if rate.measure == measure and (unit is None or rate.unit == unit):
            return rate
    return None


def replace_rates(scorer: str, benchmark: str, fresh: list[dict]) -> None:
    """Rewrite the shipped file with `fresh` (entries as MeasuredRate's fields) in place of the
    entries of `scorer` that `benchmark` produced, where the first of them stood (at the end if
    none did); every other entry is kept as it was. For the benchmarks that measure the rates."""
    for entry in fresh:
        MeasuredRate(**entry)  # ValueError on a missing or mistyped field, before the file is touched
    raw = json.loads(RATES_FILE.read_text(encoding="utf-8"))
    rates = raw["rates"]
    mine = {i for i, r in enumerate(rates) if r["scorer"] == scorer and r["benchmark"] == benchmark}
    at = min(mine, default=len(rates))
    kept = [r for i, r in enumerate(rates) if i not in mine]
    rates = kept[:at] + fresh + kept[at:]
    lines = ",\n".join("    " + json.dumps(r, ensure_ascii=False) for r in rates)
    text = '{\n  "about": ' + json.dumps(raw["about"], ensure_ascii=False) + ',\n  "rates": [\n'
    RATES_FILE.write_text(text + lines + "\n  ]\n}\n", encoding="utf-8")
    measured_rates.cache_clear()
