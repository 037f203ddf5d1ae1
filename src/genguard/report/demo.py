"""`make demo`: watermarked and plain answers from the default model, plus human texts, detected."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table

from genguard.errors import ConfigError
from genguard.report.fairness_demo import fairness_section
from genguard.report.guard_demo import ERROR_RATES, guard_section, write_json
from genguard.report.guard_demo import records as guard_records
from genguard.report.html import render, token_spans

PROMPTS = [
    "Explain how vaccines train the immune system.",
    "Write a short story about a lighthouse keeper who finds a message in a bottle.",
    "What are the main causes of inflation?",
    "Describe the water cycle for a ten-year-old.",
]
FALLBACK_HUMAN = [
    "The committee met on Tuesday to review the budget. After a long discussion about road repairs, "
    "the members agreed to postpone the vote on the new library until the spring, when the final cost "
    "estimates from the architects are expected. Several residents spoke during the public comment period, "
    "most of them asking for longer opening hours at the swimming pool during the summer months.",
]
MAX_NEW_TOKENS = 200


def _human_texts(tokenizer) -> list[tuple[str, str]]:
    from genguard.datasets import human_token_chunks

    texts: list[tuple[str, str]] = []
    for source in ("bold", "shakespeare"):
        try:
            chunks = human_token_chunks(tokenizer, MAX_NEW_TOKENS, 2, source)
        except ConfigError:
            continue
        texts += [(f"human ({source})", t) for t in tokenizer.decode(chunks)]
    return texts or [("human (built-in)", t) for t in FALLBACK_HUMAN]


def run_demo(out_dir: Path, console: Console, as_json: bool = False, seed: int = 7) -> list[dict]:
    """Generate, detect and report; writes watermark, guard and fairness pages (HTML + JSON) to out_dir."""
    from genguard.lm import load_default_model
    from genguard.watermark import WatermarkDetector, WatermarkKey, WatermarkLogitsProcessor

    started = time.perf_counter()
    model = load_default_model()
    key = WatermarkKey.reference()
    scheme, gamma, delta = "selfhash", 0.25, 2.0
    processor = WatermarkLogitsProcessor(
        model.tokenizer.vocab_size, key, scheme=scheme, gamma=gamma, delta=delta
    )
    watermarked = model.generate(
        PROMPTS,
        max_new_tokens=MAX_NEW_TOKENS,
        seed=seed,
        logits_processors=[processor],
        min_new_tokens=MAX_NEW_TOKENS // 2,
    )
    plain = model.generate(
        PROMPTS, max_new_tokens=MAX_NEW_TOKENS, seed=seed, min_new_tokens=MAX_NEW_TOKENS // 2
    )
    items = [("watermarked", g.prompt, g.text) for g in watermarked] + [
        ("plain", g.prompt, g.text) for g in plain
    ]
    items += [(kind, "", text) for kind, text in _human_texts(model.tokenizer)]

    detector = WatermarkDetector(model.tokenizer, keys=[key], scheme=scheme, gamma=gamma)
    ids = detector.encode([text for _, _, text in items])
    detections = detector.detect_ids(ids)
    rows = []
    for (kind, prompt, text), d, tok in zip(items, detections, ids, strict=True):
        preview = " ".join(text.split())[:70] + ("…" if len(text) > 70 else "")
        spans = token_spans(model.tokenizer.token_strings(tok), d.green_mask)
        rows.append(
            {"kind": kind, "prompt": prompt, "text": text, "preview": preview, "d": d, "spans": spans}
        )

    table = Table(
        title=f"Watermark detection ({scheme}, gamma {gamma}, delta {delta}, z >= {detector.z_threshold:g})"
    )
    table.add_column("kind", no_wrap=True)
    table.add_column("text", no_wrap=True, overflow="ellipsis", max_width=38)
    for col in ("tokens", "z", "p"):
        table.add_column(col, justify="right", no_wrap=True)
    table.add_column("verdict", no_wrap=True)
    for row in rows:
        d = row["d"]
        table.add_row(
            row["kind"],
            row["preview"],
            str(d.num_tokens),
            "n/a" if d.z_score is None else f"{d.z_score:.2f}",
            "n/a" if d.p_value is None else f"{d.p_value:.2g}",
            d.decision.replace("_", " "),
        )
    page = render(
        "watermark.html.j2",
        out_dir / "watermark.html",
        rows=rows,
        model_id=model.model_id,
        tokenizer_id=model.tokenizer.tokenizer_id,
        scheme=scheme,
        gamma=gamma,
        delta=delta,
        key_id=key.key_id,
        z_threshold=detector.z_threshold,
        fpr=detector.alpha,
        created=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    records = [
        {"kind": r["kind"], "prompt": r["prompt"], "text": r["text"], "detection": r["d"].model_dump()}
        for r in rows
    ]
    (out_dir / "watermark.json").write_text(
        json.dumps(records, indent=2, ensure_ascii=False), encoding="utf-8"
    )
    answers = [("answer", g.text) for g in watermarked]
    guard_rows, guard_table = guard_section(answers)
    guard_page = render(
        "guard.html.j2",
        out_dir / "guard.html",
        rows=guard_rows,
        model_ids={k: v for r in guard_rows for k, v in r["default"].model_ids.items()},
        error_rates=ERROR_RATES,
        created=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    write_json(guard_rows, out_dir / "guard.json")
    fairness, fairness_table, fairness_page = fairness_section(model, out_dir)
    if as_json:
        console.print_json(
            json.dumps(
                {
                    "watermark": records,
                    "guard": guard_records(guard_rows),
                    "fairness": {k: r.model_dump(mode="json") for k, r in fairness.items()},
                }
            )
        )
    else:
        if not console.is_terminal:  # a pipe or CI log: do not squeeze the table into 80 columns
            console = Console(width=120, highlight=False)
        console.print(table)
        console.print(guard_table)
        console.print(fairness_table)
        pages = ", ".join(str(p) for p in (page, guard_page, fairness_page) if p)
        console.print(f"HTML reports: {pages}  ({time.perf_counter() - started:.0f} s)")
    return records
