"""Write code/manifest.json and text/manifest.json from the files of the plagiarism corpus.

Code: code/<language>/<task>/solution_<k>.<ext> are independent solutions (role "independent"; the
ones that have copies are also "original"), original_<k>_L<n>.<ext> are copies of solution_<k> at
level n of the Faidhi-Robinson taxonomy (role "copy"). Text: text/<topic>/source.txt (role
"original"), copy.txt / light.txt / heavy.txt (role "copy", level copy / light / heavy) and
independent_<k>.txt (role "independent").

The split is by task (code) or topic (text), never by file, so that no parameter chosen on the tune
split has seen a held-out task: the sorted task names alternate tune, heldout, tune, ... (the same
task name is in the same split in both languages).

Usage: python benchmarks/plagiarism/make_manifest.py   (rewrites both manifests; deterministic)
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent
CODE_NAME = re.compile(r"^(?:solution_(?P<sol>\d+)|original_(?P<orig>\d+)_L(?P<level>[1-6]))\.(?:py|java)$")
TEXT_NAME = re.compile(r"^(?:(?P<base>source|copy|light|heavy)|independent_(?P<ind>\d+))\.txt$")
LANG_EXT = {"python": "py", "java": "java"}


def split_of(names: list[str]) -> dict[str, str]:
    """Alternate tune / heldout over the sorted names."""
    return {name: ("tune" if i % 2 == 0 else "heldout") for i, name in enumerate(sorted(set(names)))}


def code_manifest() -> list[dict[str, Any]]:
    """One entry per code file, sorted by language, task and file name."""
    base = ROOT / "code"
    tasks = [t.name for lang in LANG_EXT for t in (base / lang).iterdir() if t.is_dir()]
    split = split_of(tasks)
    entries = []
    for lang in LANG_EXT:
        for task in sorted(p for p in (base / lang).iterdir() if p.is_dir()):
            copied = {m["orig"] for f in task.iterdir() if (m := CODE_NAME.match(f.name)) and m["orig"]}
            for f in sorted(task.iterdir()):
                m = CODE_NAME.match(f.name)
                if m is None:
                    raise SystemExit(f"unexpected file {f}")
                if m["sol"]:
                    role, level, of = ("original" if m["sol"] in copied else "independent"), None, None
                else:
                    role, level, of = "copy", f"L{m['level']}", f"solution_{m['orig']}.{LANG_EXT[lang]}"
                entries.append(
                    {
                        "path": f.relative_to(ROOT).as_posix(),
                        "language": lang,
                        "task": task.name,
                        "role": role,
                        "level": level,
                        "copy_of": of,
                        "split": split[task.name],
                    }
                )
    return entries


def text_manifest() -> list[dict[str, Any]]:
    """One entry per text file, sorted by topic and file name."""
    base = ROOT / "text"
    topics = sorted(p for p in base.iterdir() if p.is_dir())
    split = split_of([t.name for t in topics])
    entries = []
    for topic in topics:
        for f in sorted(topic.iterdir()):
            m = TEXT_NAME.match(f.name)
            if m is None:
                raise SystemExit(f"unexpected file {f}")
            kind = m["base"]
            role = "original" if kind == "source" else "copy" if kind else "independent"
            entries.append(
                {
                    "path": f.relative_to(ROOT).as_posix(),
                    "language": "en",
                    "task": topic.name,
                    "role": role,
                    "level": kind if role == "copy" else None,
                    "copy_of": "source.txt" if role == "copy" else None,
                    "split": split[topic.name],
                }
            )
    return entries


def main() -> None:
    """Rewrite both manifests."""
    for name, entries in (("code", code_manifest()), ("text", text_manifest())):
        if (ROOT / name).is_dir():
            (ROOT / name / "manifest.json").write_text(json.dumps(entries, indent=1) + "\n")
            print(f"{name}: {len(entries)} files")


if __name__ == "__main__":
    main()
