"""Readers for the shared public data sets (../shared/data), read in place and never copied."""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterator, Sequence
from pathlib import Path

from genguard.errors import ConfigError


def shared_data_dir() -> Path | None:
    """The shared data folder: $GENGUARD_DATA, else ../shared/data beside the repository; None if absent."""
    env = os.environ.get("GENGUARD_DATA")
    candidates = [Path(env)] if env else []
    here = Path(__file__).resolve()
    candidates += [p / "shared" / "data" for p in here.parents] + [Path.cwd().parent / "shared" / "data"]
    for c in candidates:
        if (c / "README.md").exists() or (c / "bold").is_dir():
            return c
    return None


def require_data(name: str) -> Path:
    """Path of one shared data set, or ConfigError saying where it was looked for."""
    root = shared_data_dir()
    if root is None or not (root / name).exists():
        raise ConfigError(f"shared data set {name!r} not found; set GENGUARD_DATA to the folder holding it")
    return root / name


def bold_wikipedia_paragraphs(domains: Sequence[str] | None = None) -> Iterator[str]:
    """Human-written Wikipedia text from BOLD: each person's sentences joined into one paragraph
    (all domains, or the given ones: gender, race, profession, political_ideology, religious_ideology)."""
    for path in sorted(require_data("bold/wikipedia").glob("*.json")):
        if domains is not None and path.name.removesuffix("_wiki.json") not in domains:
            continue
        data = json.loads(path.read_text(encoding="utf-8"))
        for group in data.values():
            for sentences in group.values():
                yield " ".join(s.strip() for s in sentences if s.strip())


def shakespeare_text() -> str:
    """The Tiny Shakespeare corpus as one string."""
    folder = require_data("tinyshakespeare")
    return "\n".join(
        p.read_text(encoding="utf-8")
        for p in sorted(folder.iterdir())
        if p.is_file() and p.suffix in {"", ".txt"}
    )


MEMORIZATION_SOURCES = ("shakespeare", "wikipedia")


def named_documents(source: str, max_chars: int | None = None) -> list[tuple[str, str]]:
    """(source, text) documents of a shared data set named in MEMORIZATION_SOURCES: Tiny
    Shakespeare as one document, or BOLD Wikipedia paragraphs; at most `max_chars` characters
    (None: all; whole paragraphs, Shakespeare cut). ConfigError for another name."""
    if source == "shakespeare":
        return [(source, shakespeare_text()[:max_chars])]
    if source != "wikipedia":
        raise ConfigError(f"unknown data set {source!r}; use {', '.join(MEMORIZATION_SOURCES)}")
    documents, total = [], 0
    for paragraph in bold_wikipedia_paragraphs():
        if max_chars is not None and total + len(paragraph) > max_chars:
            break
        documents.append((source, paragraph))
        total += len(paragraph)
    return documents


def human_token_chunks(tokenizer, n_tokens: int, limit: int, source: str) -> list[list[int]]:
    """Up to `limit` human-written token sequences of exactly `n_tokens` ids.

    `source` is "bold" (Wikipedia paragraphs, packed end to end within one group's stream) or
    "shakespeare" (consecutive non-overlapping chunks of the plays).
    """
    if source == "shakespeare":
        ids = tokenizer.encode([shakespeare_text()])[0]
        return [ids[i : i + n_tokens] for i in range(0, len(ids) - n_tokens + 1, n_tokens)][:limit]
    if source != "bold":
        raise ConfigError(f"unknown human text source {source!r}; use 'bold' or 'shakespeare'")
    separator = tokenizer.encode(["\n"])[0]
    chunks: list[list[int]] = []
    buffer: list[int] = []
    paragraphs = list(bold_wikipedia_paragraphs())
    for start in range(0, len(paragraphs), 256):
        for ids in tokenizer.encode(paragraphs[start : start + 256]):
            buffer.extend(ids + separator)
            while len(buffer) >= n_tokens:
                chunks.append(buffer[:n_tokens])
                buffer = buffer[n_tokens:]
        if len(chunks) >= limit:
            break
    return chunks[:limit]


def bold_wikipedia_sentences(domains: Sequence[str] | None = None) -> list[str]:
    """BOLD's Wikipedia sentences (human-written, non-toxic), from the given domains or all of them.

    Domains are the file stems: gender, race, profession, political_ideology, religious_ideology.
    """
    folder = require_data("bold/wikipedia")
    paths = sorted(folder.glob("*_wiki.json"))
    known = [p.name.removesuffix("_wiki.json") for p in paths]
    unknown = sorted(set(domains or ()) - set(known))
    if unknown:
        raise ConfigError(f"unknown BOLD domain(s) {unknown}; known: {known}")
    sentences: list[str] = []
    for path, domain in zip(paths, known, strict=True):
        if domains is None or domain in domains:
            data = json.loads(path.read_text(encoding="utf-8"))
            sentences += [
                s.strip() for group in data.values() for ss in group.values() for s in ss if s.strip()
            ]
    return sentences


def davidson_tweets() -> tuple[list[str], list[int]]:
    """Davidson et al. (2017) tweets and their crowd labels: 0 hate speech, 1 offensive, 2 neither."""
    with (require_data("davidson") / "labeled_data.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    return [r["tweet"] for r in rows], [int(r["class"]) for r in rows]


def german_credit():
    """UCI Statlog German Credit as a pandas DataFrame (coded columns; CLASSIFICATION 1 good, 0 bad)."""
    import pandas as pd

    return pd.read_csv(require_data("german-credit") / "german.data", sep=" ")


ADULT_COLUMNS = (
    "age",
    "workclass",
    "fnlwgt",
    "education",
    "education-num",
    "marital-status",
    "occupation",
    "relationship",
    "race",
    "sex",
    "capital-gain",
    "capital-loss",
    "hours-per-week",
    "native-country",
    "income",
)
ADULT_NUMERIC = ("age", "fnlwgt", "education-num", "capital-gain", "capital-loss", "hours-per-week")


def adult():
    """UCI Adult census income (adult.data, 32,561 rows) as a pandas DataFrame.

    The file has no header; the columns get UCI adult.names' names (ADULT_COLUMNS). Text values
    are whitespace-stripped, and UCI's missing marker "?" is read as missing, as is "MissingValue",
    which the shared copy has in its place (workclass 1,836, occupation 1,843, native-country 583:
    UCI's counts of "?"). income is "<=50K" or ">50K".
    """
    import pandas as pd

    df = pd.read_csv(
        require_data("adult") / "adult.data",
        header=None,
        names=list(ADULT_COLUMNS),
        sep=",",
        skipinitialspace=True,
        dtype={c: str for c in ADULT_COLUMNS if c not in ADULT_NUMERIC},
    )
    for column in df.columns.difference(list(ADULT_NUMERIC)):
        values = df[column].str.strip()
        df[column] = values.mask(values.isin(["?", "MissingValue"]))
    return df


def bold_prompts(domain: str) -> dict[str, list[tuple[str, str]]]:
    """BOLD's prompts of one domain: group -> [(person or topic, prompt)], prompts whitespace-stripped.

    Domains are the file stems: gender, race, profession, political_ideology, religious_ideology.
    """
    folder = require_data("bold/prompts")
    known = sorted(p.name.removesuffix("_prompt.json") for p in folder.glob("*_prompt.json"))
    if domain not in known:
        raise ConfigError(f"unknown BOLD domain {domain!r}; known: {known}")
    data = json.loads((folder / f"{domain}_prompt.json").read_text(encoding="utf-8"))
    return {
        group: [(name, p.strip()) for name, prompts in entries.items() for p in prompts if p.strip()]
        for group, entries in sorted(data.items())
    }


def winobias_sentences(split: str = "test") -> list[tuple[str, str]]:
    """WinoBias sentences as (subset, sentence): subset e.g. "pro_stereotyped_type1"; the
    coreference brackets and the leading line numbers removed."""
    if split not in ("dev", "test"):
        raise ConfigError(f"WinoBias split must be dev or test, not {split!r}")
    out = []
    for path in sorted(require_data("winobias/data").glob(f"*_stereotyped_type*.txt.{split}")):
        subset = path.name.removesuffix(f".txt.{split}")
        for line in path.read_text(encoding="utf-8").splitlines():
            text = line.strip().split(" ", 1)[-1].replace("[", "").replace("]", "")
            if text:
                out.append((subset, " ".join(text.split())))
    return out
