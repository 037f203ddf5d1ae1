"""genguard command line: thin over the library. Every command takes --json for machine output."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from genguard.cli_common import JsonOpt, ModelOpt, err, out, read_text
from genguard.cli_common import emit as _emit
from genguard.cli_provenance import audit_memorization, provenance_app
from genguard.cli_report import demo
from genguard.errors import GenguardError, InvalidInputError

app = typer.Typer(
    help="Measurable safety checks for generative models.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
wm_app = typer.Typer(help="Watermarked generation, detection and certificates.", no_args_is_help=True)
app.add_typer(wm_app, name="watermark")
guard_app = typer.Typer(
    help="Guardrails: check texts, scan training corpora, train guardrail models.", no_args_is_help=True
)
app.add_typer(guard_app, name="guard")
audit_app = typer.Typer(
    help="Fairness audits: probes of what a model writes, group audits of a predictive model.",
    no_args_is_help=True,
)
app.add_typer(audit_app, name="audit")
app.add_typer(provenance_app, name="provenance")
audit_app.command("memorization")(audit_memorization)
app.command()(demo)

SchemeOpt = Annotated[str, typer.Option(help="lefthash, selfhash, minhash or skipgram.")]
GammaOpt = Annotated[float, typer.Option(help="Fraction of the vocabulary that is green.")]


def _processor(model, watermark: bool, key: Path | None, scheme: str, gamma: float, delta: float, hard: bool):
    from genguard.watermark import WatermarkKey, WatermarkLogitsProcessor

    if not watermark:
        return None, None
    wm_key = WatermarkKey.load(key) if key else WatermarkKey.reference()
    if key is None:
        err.print("note: no --key given; using the public reference key (anyone can detect or forge it)")
    proc = WatermarkLogitsProcessor(
        model.tokenizer.vocab_size, wm_key, scheme=scheme, gamma=gamma, delta=delta, hard=hard
    )
    return proc, wm_key


@app.command()
def generate(
    prompt: Annotated[str, typer.Argument(help="The prompt (the chat template is applied).")],
    watermark: Annotated[
        bool, typer.Option("--watermark/--no-watermark", help="Watermark the output.")
    ] = False,
    key: Annotated[
        Path | None, typer.Option(help="Watermark key file (default: the public reference key).")
    ] = None,
    model: ModelOpt = "default",
    scheme: SchemeOpt = "selfhash",
    gamma: GammaOpt = 0.25,
    delta: Annotated[float, typer.Option(help="Logit bias added to green tokens.")] = 2.0,
    hard: Annotated[bool, typer.Option(help="Sample green tokens only.")] = False,
    max_new_tokens: int = 200,
    temperature: float = 1.0,
    seed: int | None = None,
    chat: Annotated[bool, typer.Option("--chat/--no-chat", help="Apply the chat template.")] = True,
    as_json: JsonOpt = False,
) -> None:
    """Generate a completion with the default (or given) model, optionally watermarked."""
    from genguard.lm import load_model

    lm = load_model(model)
    proc, wm_key = _processor(lm, watermark, key, scheme, gamma, delta, hard)
    gen = lm.generate(
        [prompt],
        max_new_tokens=max_new_tokens,
        temperature=temperature,
        seed=seed,
        chat=chat,
        logits_processors=[proc] if proc else [],
    )[0]
    if as_json:
        record = gen.model_dump()
        record["watermark"] = (
            {"scheme": scheme, "gamma": gamma, "delta": delta, "hard": hard, "key_id": wm_key.key_id}
            if proc
            else None
        )
        _emit(record)
    else:
        sys.stdout.write(gen.text + "\n")  # verbatim: rich would re-wrap lines and change the text


@wm_app.command()
def keygen(path: Annotated[Path, typer.Argument(help="Where to write the secret key file (0600).")]) -> None:
    """Create a watermark key file and its public key file PATH.pub."""
    from genguard.watermark import WatermarkKey

    key = WatermarkKey.generate()
    private, public = key.save(path)
    err.print(f"key {key.key_id}: secret key in {private} (keep it private), public key in {public}")


def _render_tokens(tokenizer, ids: list[int], mask: list[int]) -> Text:
    styles = {1: "black on green", 0: "white on red", -1: "dim", -2: "dim green"}
    text = Text()
    for piece, code in zip(tokenizer.token_strings(ids), mask, strict=True):
        text.append(piece, style=styles[code])
    return text


@wm_app.command()
def detect(
    source: Annotated[str, typer.Argument(help="Text file to test, or - for standard input.")],
    key: Annotated[
        list[Path] | None, typer.Option(help="Key file; repeat for several keys (rotation).")
    ] = None,
    model: Annotated[
        str, typer.Option(help="Tokenizer: 'default', a folder, a .gguf file or a hub id.")
    ] = "default",
    scheme: SchemeOpt = "selfhash",
    gamma: GammaOpt = 0.25,
    z_threshold: float = 4.0,
    window: Annotated[bool, typer.Option(help="Search for a watermarked passage (WinMax).")] = False,
    normalize: Annotated[
        list[str] | None, typer.Option(help="Normalisers (unicode, nfkc, invisible, homoglyphs, whitespace).")
    ] = None,
    ignore_repeated: Annotated[
        str,
        typer.Option(help="Count once: 'pairs' (seed, token; default), 'ngrams' (the reference), 'none'."),
    ] = "pairs",
    certify: Annotated[
        bool, typer.Option(help="Emit a signed certificate if the text is watermarked.")
    ] = False,
    cert_out: Annotated[
        Path | None, typer.Option(help="Write the certificate here instead of printing it.")
    ] = None,
    color: Annotated[bool, typer.Option("--color/--no-color", help="Show green/red tokens.")] = True,
    as_json: JsonOpt = False,
) -> None:
    """Test a text for the watermark: z-score, exact p-value and a verdict."""
    from genguard.lm import load_tokenizer
    from genguard.watermark import WatermarkDetector, WatermarkKey, issue_certificate, serialize

    text = read_text(source)
    keys = [WatermarkKey.load(k) for k in key] if key else [WatermarkKey.reference()]
    tokenizer = load_tokenizer(model)
    detector = WatermarkDetector(
        tokenizer,
        keys=keys,
        scheme=scheme,
        gamma=gamma,
        z_threshold=z_threshold,
        window=window,
        ignore_repeated=ignore_repeated,
        normalizers=normalize or ("unicode", "invisible"),
    )
    ids = detector.encode([text])
    result = detector.detect_ids(ids)[0]
    cert_bytes = None
    if certify:
        signer = next(k for k in keys if k.key_id == result.key_id)
        cert_bytes = serialize(issue_certificate(text, result, signer))
        if cert_out:
            cert_out.write_bytes(cert_bytes)
    if as_json:
        record = {"detection": result.model_dump()}
        if cert_bytes and not cert_out:
            record["certificate"] = json.loads(cert_bytes)
        _emit(record)
    else:
        if color and out.is_terminal and result.num_tokens:
            out.print(_render_tokens(tokenizer, ids[0], result.green_mask))
        z = "n/a" if result.z_score is None else f"{result.z_score:.2f}"
        p = "n/a" if result.p_value is None else f"{result.p_value:.3g}"
        out.print(
            f"{result.decision}: z = {z}, p = {p}, {result.num_green_tokens}/{result.num_tokens_scored} "
            f"green ({result.scheme}, gamma {result.gamma}, key {result.key_id})",
            markup=False,
        )
        out.print(result.reason, markup=False)
        if cert_bytes and not cert_out:
            sys.stdout.write(cert_bytes.decode("ascii"))
    if certify and not result.is_watermarked:
        raise typer.Exit(1)


@wm_app.command()
def verify(
    certificate: Annotated[Path, typer.Argument(help="Certificate JSON file.")],
    public_key: Annotated[Path, typer.Option(help="The issuer's public key file (.pub).")],
    text: Annotated[str | None, typer.Option(help="Also check the certified text (file or -).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Verify a certificate offline with the issuer's public key. Exit 0 if valid, 1 if not."""
    from genguard.errors import CertificateError
    from genguard.watermark import load_public_key, verify_certificate

    _, public = load_public_key(public_key)
    try:
        data = certificate.read_bytes()
    except OSError as exc:
        raise InvalidInputError(f"cannot read certificate {certificate}: {exc.strerror}") from exc
    try:
        cert = verify_certificate(data, public, read_text(text) if text else None)
    except CertificateError as exc:
        if as_json:
            _emit({"valid": False, "reason": str(exc)})
        else:
            out.print(f"INVALID: {exc}", markup=False)
        raise typer.Exit(1) from exc
    if as_json:
        _emit({"valid": True, "certificate": cert.model_dump()})
    else:
        out.print(
            f"VALID: issued {cert.issued_at} by key {cert.key_id}; z = {cert.z_score:.2f}, "
            f"p = {cert.p_value:.3g}, text sha256 {cert.text_sha256[:16]}...",
            markup=False,
        )


PolicyOpt = Annotated[Path | None, typer.Option(help="Policy YAML file (default: the built-in policy).")]
ProfileOpt = Annotated[
    str, typer.Option(help="Profile of the policy: default, strict, creative, or your own.")
]
_STYLE = {"allow": "green", "annotate": "yellow", "redact": "magenta", "block": "bold red"}


@guard_app.command("check")
def guard_check(
    text: Annotated[str, typer.Argument(help="The text to check, or '-' to read it from standard input.")],
    stage: Annotated[str, typer.Option(help="input (prompts), output (generations) or training.")] = "input",
    policy: PolicyOpt = None,
    profile: ProfileOpt = "default",
    as_json: JsonOpt = False,
) -> None:
    """Check one text against a policy. Exit status 1 when the policy blocks it."""
    from genguard.guard.pipeline import Guard

    source = read_text("-") if text == "-" else text
    verdict = Guard.from_policy(policy, profile).check([source], stage)[0]
    if as_json:
        _emit(verdict.model_dump())
    else:
        out.print(
            f"[{_STYLE[verdict.action]}]{verdict.action.upper()}[/] ({verdict.profile} profile, {stage})"
        )
        for flag in verdict.flags:
            where = f" at {flag.span.start}-{flag.span.end}" if flag.span else ""
            quoted = " (in a quotation)" if flag.quoted else ""
            out.print(
                f"  {flag.action:8} {flag.reason}: {flag.label} {flag.score:.2f}{where}{quoted}", markup=False
            )
        scores = ", ".join(f"{name} {value:.2f}" for name, value in verdict.scores.items())
        out.print(f"  scores: {scores}", markup=False)
        if verdict.action == "redact":
            out.print("  redacted text:", markup=False)
            sys.stdout.write(f"{verdict.text}\n")
    if verdict.action == "block":
        raise typer.Exit(1)


@guard_app.command("scan")
def guard_scan(
    corpus: Annotated[Path, typer.Argument(help="JSONL corpus, one record per line.")],
    out_path: Annotated[Path, typer.Option("--out", help="Where to write the records that pass.")],
    policy: PolicyOpt = None,
    profile: ProfileOpt = "default",
    text_field: Annotated[str, typer.Option(help="Field of each record holding the text.")] = "text",
    stage: Annotated[str, typer.Option(help="Policy stage to apply.")] = "training",
    batch_size: Annotated[int, typer.Option(min=1, max=4096, help="Records scored together.")] = 256,
    restart: Annotated[
        bool, typer.Option(help="Ignore a checkpoint of an earlier run and start over.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Filter a training corpus through a policy: streaming, resumable, with a summary of what was removed."""
    from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn, TransferSpeedColumn

    from genguard.guard.pipeline import Guard
    from genguard.guard.scan import scan_corpus

    guard = Guard.from_policy(policy, profile)
    columns = (*Progress.get_default_columns()[:1], BarColumn(), DownloadColumn(), TransferSpeedColumn())
    with Progress(*columns, TimeRemainingColumn(), console=err, disable=as_json) as bar:
        task = bar.add_task(
            f"scanning {corpus.name}", total=corpus.stat().st_size if corpus.is_file() else None
        )
        summary = scan_corpus(
            corpus,
            out_path,
            guard,
            text_field=text_field,
            stage=stage,
            batch_size=batch_size,
            restart=restart,
            progress=lambda n: bar.advance(task, n),
        )
    if as_json:
        _emit(summary.model_dump())
        return
    resumed = f" (resumed at line {summary.resumed_at_line:,})" if summary.resumed_at_line else ""
    out.print(
        f"{summary.lines:,} lines{resumed}: {summary.kept:,} kept, {summary.annotated:,} annotated, "
        f"{summary.redacted:,} redacted, {summary.removed:,} removed, {summary.broken:,} unreadable"
    )
    for title, reasons in (("removed", summary.removed_by_reason), ("redacted", summary.redacted_by_reason)):
        for reason, n in sorted(reasons.items(), key=lambda kv: -kv[1]):
            out.print(f"  {title:8} {n:>8,}  {reason}", markup=False)
    if summary.broken:
        listed = ", ".join(map(str, summary.broken_lines[:10]))
        out.print(f"  unreadable lines (skipped, listed in {summary.rejects}): {listed}", markup=False)
    out.print(f"written: {summary.output}; removed records and reasons: {summary.rejects}", markup=False)


@guard_app.command("train")
def guard_train(
    data: Annotated[
        list[Path], typer.Option("--data", help="Labelled .csv/.tsv/.jsonl; repeat for several.")
    ],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the trained model.")],
    text_field: Annotated[str, typer.Option(help="Column or field with the text.")] = "text",
    label_field: Annotated[str, typer.Option(help="Column or field with the label.")] = "label",
    positive: Annotated[str | None, typer.Option(help="Comma-separated label values meaning toxic.")] = None,
    name: Annotated[str | None, typer.Option(help="Model name recorded with every score.")] = None,
    threshold: Annotated[float, typer.Option(min=0.0, max=1.0, help="Default decision threshold.")] = 0.5,
    seed: Annotated[int, typer.Option(help="Seed of the train/validation/test split.")] = 0,
    as_json: JsonOpt = False,
) -> None:
    """Train a guardrail model (MiniLM features + logistic head) from labelled text; 80/10/10 split."""
    from rich.progress import Progress

    from genguard.guard.train import TrainingSource, read_labelled, train_head

    positives = [p.strip() for p in positive.split(",")] if positive else None
    sets = [read_labelled(p, text_field, label_field, positives) for p in data]
    for s in sets:
        if s.skipped:
            err.print(
                f"{s.name}: skipped {len(s.skipped)} unusable rows (first: {s.skipped[0]})", markup=False
            )
    with Progress(console=err, disable=as_json) as bar:
        task = bar.add_task("embedding", total=sum(len(s.texts) for s in sets))
        head, metrics = train_head(
            [TrainingSource(s) for s in sets],
            name=name or out_dir.name,
            seed=seed,
            threshold=threshold,
            progress=lambda n: bar.advance(task, n),
        )
    head.save(out_dir)
    if as_json:
        _emit(metrics)
        return
    out.print(f"model written to {out_dir} (threshold {threshold})", markup=False)
    for source, m in metrics["sources"].items():
        test = m["test"] or {}
        out.print(
            f"  {source}: {m['rows']:,} rows, test AUC {test.get('auc')}, F1 {test.get('f1')}, "
            f"false-positive rate {test.get('fpr')}",
            markup=False,
        )
    out.print(f"use it in a policy: toxicity: {{params: {{model_dir: {out_dir}}}}}", markup=False)


# ---- audit: fairness probes of a generative model (pronoun, tone, counterfactual) ----


@audit_app.command("fairness")
def audit_fairness(
    model: ModelOpt = "default",
    probe: Annotated[
        list[str] | None, typer.Option("--probe", help="pronoun, tone or counterfactual; repeat for several.")
    ] = None,
    out_dir: Annotated[
        Path, typer.Option("--out", help="Folder for fairness.html and fairness.json.")
    ] = Path("out/audit"),
    db: Annotated[
        Path | None,
        typer.Option(help="Run database (SQLite); re-running resumes. Default: <out>/runs.sqlite."),
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of every sampled completion.")] = 0,
    generation: Annotated[bool, typer.Option(help="Pronoun probe: also sample completions.")] = False,
    samples: Annotated[int, typer.Option(help="Pronoun generation mode: completions per prompt.")] = 10,
    gen_occupations: Annotated[int, typer.Option(help="Pronoun generation mode: occupations sampled.")] = 12,
    occupations: Annotated[
        Path | None, typer.Option(help="TSV with columns occupation, bls_pct_female (default: Winogender's).")
    ] = None,
    per_group: Annotated[
        int | None, typer.Option(help="Tone: BOLD prompts per group (default 100; 12 with --fast).")
    ] = None,
    domains: Annotated[str, typer.Option(help="Tone: BOLD domains, comma-separated.")] = "gender,race",
    fast: Annotated[bool, typer.Option(help="A small subset (the demo's): about a minute or two.")] = False,
    chunk_size: Annotated[
        int, typer.Option(help="Completions generated and stored together (smaller: less lost when killed).")
    ] = 32,
    as_json: JsonOpt = False,
) -> None:
    """Fairness probes of a generative model, with an HTML report and JSON."""
    from rich.progress import Progress

    from genguard.fairness.audit import FairnessOptions, run_fairness_audit
    from genguard.lm import load_model
    from genguard.report.fairness_report import write_fairness_report
    from genguard.storage.runs import RunStore

    base = FairnessOptions.fast(seed) if fast else FairnessOptions(seed=seed)
    options = base.model_copy(
        update={
            "per_group": per_group or base.per_group,
            "generation": generation,
            "generation_samples": samples,
            "generation_occupations": gen_occupations,
            "occupations_file": str(occupations) if occupations else None,
            "domains": tuple(d.strip() for d in domains.split(",") if d.strip()),
            "chunk_size": chunk_size,
        }
    )
    lm = load_model(model)
    with RunStore(db or out_dir / "runs.sqlite") as store, Progress(console=err, disable=as_json) as bars:

        def progress(task: str, total: int):
            handle = bars.add_task(task, total=total)
            return lambda n: bars.advance(handle, n)

        results = run_fairness_audit(lm, tuple(probe or ["pronoun"]), store, options, progress)
    html, js = write_fairness_report(out_dir, sections=results)
    if as_json:
        _emit({key: r.model_dump(mode="json") for key, r in results.items()})
        return
    _print_fairness(results)
    out.print(f"report: {html}  data: {js}", markup=False)


def _print_fairness(results: dict) -> None:
    """A few lines per probe; the report has the rest."""
    if "pronoun" in results:
        p = results["pronoun"]
        ci = p.correlation_ci
        out.print(
            f"pronoun (likelihood, {len(p.occupations)} occupations x {len(p.templates)} templates): "
            f"mean absolute skew {p.mean_absolute_skew:.2f}; r with labour statistics "
            + ("n/a" if p.correlation is None else f"{p.correlation:.2f} [{ci[0]:.2f}, {ci[1]:.2f}]"),
            markup=False,
        )
    if "context" in results:
        for m in results["context"].modifiers:
            verdict = "moves as expected" if m.moves_as_expected else "does NOT move as expected"
            out.print(
                f"  context '{m.modifier}' (should: {m.expected}): female share {m.shift:+.1%} "
                f"[{m.ci[0]:+.1%}, {m.ci[1]:+.1%}], {verdict}",
                markup=False,
            )
    if "pronoun_generation" in results:
        g = results["pronoun_generation"]
        r = "n/a" if g.correlation is None else f"{g.correlation:.2f}"
        out.print(
            f"pronoun (generation, {g.n_samples} completions, {g.share_with_pronoun:.0%} with a pronoun): "
            f"r with labour statistics {r}. {g.note}",
            markup=False,
        )
    if "tone" in results:
        t = results["tone"]
        out.print(f"tone ({t.n_prompts} BOLD prompts, {t.n_empty} empty completions): {t.note}", markup=False)
        for c in t.comparisons:
            if c.significant:
                out.print(
                    f"  {c.domain} {c.metric}: {c.group_a} - {c.group_b} = {c.difference:+.3f} "
                    f"(Holm p {c.p_adjusted:.3g})",
                    markup=False,
                )
        n_sig = sum(c.significant for c in t.comparisons)
        out.print(
            f"  {n_sig} of {len(t.comparisons)} group gaps significant at {t.alpha:.0%} (Holm)", markup=False
        )
    if "counterfactual" in results:
        c = results["counterfactual"]
        pref = "n/a" if c.stereotype_preference is None else f"{c.stereotype_preference:.1%}"
        out.print(
            f"counterfactual: stereotypical sentence preferred in {pref} of pairs. {c.note}", markup=False
        )
        for m in c.measures:
            if not m.too_small:
                out.print(
                    f"  {m.measure}: {m.mean:+.3f} [{m.ci[0]:+.3f}, {m.ci[1]:+.3f}], "
                    f"Holm p {m.p_adjusted:.3g}",
                    markup=False,
                )


# ---- audit: group fairness of a predictive model (tabular) ----


def _tabular_cell(rate, ci: bool = False) -> str:
    if rate.value is None:
        return f"too small (n={rate.n})"
    text = f"{100 * rate.value:5.1f} %"
    return f"{text} [{100 * rate.low:4.1f}, {100 * rate.high:5.1f}]" if ci else text


def _print_tabular_audit(audit, title: str) -> None:
    from genguard.fairness.stats import MIN_GROUP

    width = max(5, *(len(g.group) for g in audit.groups))
    out.print(f"  {title}", markup=False)
    out.print(
        f"    {'group':<{width}} {'n':>7}  {'selected':>8}  {'false rejection [95 % CI]':<26} "
        f"{'false positive':>15}  {'error':>7}",
        markup=False,
    )
    for g in audit.groups:
        if g.n < MIN_GROUP:
            out.print(f"    {g.group:<{width}} {g.n:>7,}  too small to judge", markup=False)
            continue
        frr = _tabular_cell(g.false_rejection_rate, ci=True)
        out.print(
            f"    {g.group:<{width}} {g.n:>7,}  {_tabular_cell(g.selection_rate):>8}  {frr:<26} "
            f"{_tabular_cell(g.false_positive_rate):>15}  {_tabular_cell(g.error_rate):>7}",
            markup=False,
        )


def _tabular_gap(audit) -> str:
    if audit.false_rejection_gap is None:
        return "none (fewer than two groups large enough to judge)"
    low, high = audit.gap_between
    return f"{100 * audit.false_rejection_gap:.1f} points ({high} highest, {low} lowest)"


def _tabular_group_spec(g) -> str:
    how = ([g.column] if g.name != g.column else []) + (["mapped"] if g.map else [])
    how += [f"bands at {', '.join(f'{b:g}' for b in g.bins)}"] if g.bins else []
    return f"{g.name} ({', '.join(how)})" if how else g.name


def _print_tabular(report) -> None:
    groups = ", ".join(_tabular_group_spec(g) for g in report.groups)
    what = f"{report.dataset} preset" if report.dataset else report.source
    what += f" on {report.source}" if report.dataset and report.source != report.dataset else ""
    features = f", {report.n_features} features" if report.n_features is not None else ""
    out.print(
        f"{what}: {report.rows:,} rows, label {report.label} = {report.positive} "
        f"({report.positive_meaning}){features}; groups: {groups}",
        markup=False,
    )
    out.print(
        f"false rejection = share of rows with {report.label} = {report.positive} that the model "
        f"predicts otherwise; groups with fewer than 10 in a rate's denominator get no number",
        markup=False,
    )
    for note in report.notes:
        out.print(f"note: {note}", markup=False)
    if report.mode == "predictions":
        out.print(f"given predictions ({report.prediction}): accuracy {100 * report.accuracy:.1f} %")
        for audit in report.audits:
            out.print()
            _print_tabular_audit(audit, f"{audit.attribute}: all {report.rows:,} rows")
            out.print(f"  false-rejection gap: {_tabular_gap(audit)}", markup=False)
        return
    for m in report.mitigations:
        out.print()
        out.print(
            f"{m.attribute}: {m.n_train:,} training / {m.n_test:,} held-out rows, {m.method}, "
            f"epsilon {100 * m.epsilon:.1f} %, seed {m.seed}",
            markup=False,
        )
        for title, audit, accuracy in (
            ("unconstrained", m.baseline, m.baseline_accuracy),
            ("constrained", m.constrained, m.constrained_accuracy),
        ):
            _print_tabular_audit(audit, f"{title} model: accuracy {100 * accuracy:.1f} %")
        ci = f", 95 % bootstrap CI [{100 * m.gap_ci[0]:.1f}, {100 * m.gap_ci[1]:.1f}]" if m.gap_ci else ""
        out.print(f"  false-rejection gap, unconstrained: {_tabular_gap(m.baseline)}", markup=False)
        out.print(f"  false-rejection gap, constrained:   {_tabular_gap(m.constrained)}{ci}", markup=False)
        if m.gap_ci and m.constrained_gap is not None and not m.gap_ci[0] <= m.constrained_gap <= m.gap_ci[1]:
            out.print(
                "  caution: the gap lies outside its interval: a bootstrapped largest-minus-smallest gap is "
                "biased upward when the true gap is near 0; read only the interval's upper end",
                markup=False,
            )
        if m.meets_epsilon:
            out.print(f"  meets epsilon = {100 * m.epsilon:.1f} %", markup=False)
        elif m.miss_by is not None:
            out.print(
                f"  misses epsilon = {100 * m.epsilon:.1f} % by {100 * m.miss_by:.1f} points", markup=False
            )
        else:
            out.print("  cannot tell whether it meets epsilon: too few groups large enough", markup=False)


@audit_app.command("tabular")
def audit_tabular(
    data: Annotated[
        Path | None, typer.Argument(help="CSV/TSV file with a header line (optional with --dataset).")
    ] = None,
    dataset: Annotated[
        str | None, typer.Option(help="Preset: german-credit or adult (label, groups, maps, bins).")
    ] = None,
    label: Annotated[str | None, typer.Option(help="Column with the true outcome.")] = None,
    positive: Annotated[
        str | None, typer.Option(help="Label value of the favourable outcome (default 1, or the preset's).")
    ] = None,
    group: Annotated[
        list[str] | None,
        typer.Option("--group", help="Group column; repeat for several (adds their intersection)."),
    ] = None,
    map_: Annotated[
        list[str] | None, typer.Option("--map", help="Rename codes: COL=CODE:name,CODE:name (repeatable).")
    ] = None,
    bins: Annotated[
        list[str] | None, typer.Option("--bins", help="Numeric bands: COL=25,40 (repeatable).")
    ] = None,
    prediction: Annotated[
        str | None, typer.Option(help="Column with a model's predictions: audit them, train nothing.")
    ] = None,
    exclude: Annotated[
        list[str] | None, typer.Option("--exclude", help="Column the model must not see (repeatable).")
    ] = None,
    epsilon: Annotated[float, typer.Option(help="Allowed false-rejection gap (0.01 = 1 point).")] = 0.01,
    method: Annotated[
        str, typer.Option(help="exponentiated_gradient (in-training) or threshold_optimizer (post-hoc).")
    ] = "exponentiated_gradient",
    seed: Annotated[int, typer.Option(help="Seed of the split, the model and the bootstrap.")] = 0,
    test_size: Annotated[float, typer.Option(help="Share of rows held out for the audit.")] = 0.3,
    bootstrap: Annotated[int, typer.Option(min=0, help="Bootstrap resamples for the gap's CI.")] = 1000,
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Folder for tabular.json and the report fairness.html.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Group audit of a predictive model on a table: per-group error rates with intervals, and a
    model trained under false-rejection-rate parity compared with an unconstrained one."""
    import time

    from genguard.fairness.table import parse_bins, parse_map, run_tabular_audit

    maps: dict[str, dict[str, str]] = {}
    for spec in map_ or []:
        column, mapping = parse_map(spec)
        maps.setdefault(column, {}).update(mapping)
    edges = dict(parse_bins(spec) for spec in bins or [])
    started = time.perf_counter()
    report = run_tabular_audit(
        data,
        dataset=dataset,
        label=label,
        positive=positive,
        groups=group or [],
        maps=maps,
        bins=edges,
        prediction=prediction,
        exclude=exclude or [],
        epsilon=epsilon,
        method=method,
        seed=seed,
        test_size=test_size,
        bootstrap=bootstrap,
        progress=None if as_json else lambda msg: err.print(msg, markup=False),
    )
    seconds = time.perf_counter() - started
    if out_dir is not None:
        from genguard.report.fairness_report import write_fairness_report

        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / "tabular.json").write_text(report.model_dump_json(indent=2), encoding="utf-8")
        write_fairness_report(out_dir, tabular=report)
    if as_json:
        _emit(report.model_dump(mode="json"))
        return
    _print_tabular(report)
    if out_dir is not None:
        out.print(f"written: {out_dir / 'tabular.json'}, {out_dir / 'fairness.html'}", markup=False)
    err.print(f"done in {seconds:.1f} s", markup=False)


def main() -> None:
    """Entry point: runs the app, turning genguard errors into one clear line and exit status 2."""
    try:
        status = app(standalone_mode=False)
    except GenguardError as exc:
        err.print(f"error: {exc}", markup=False)
        sys.exit(2)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except Exception as exc:  # click's usage errors
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        if isinstance(exc, click.exceptions.Abort):
            sys.exit(130)
        raise
    sys.exit(status if isinstance(status, int) else 0)


if __name__ == "__main__":
    main()
