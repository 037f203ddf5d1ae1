"""`genguard generate` and `genguard watermark ...`: watermarked generation, keys, detection,
certificates.

Options are checked by typer while the command line is parsed (choices, ranges), and input files
are read before any model or tokenizer loads, so a mistake costs no waiting.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from genguard.cli_cite import bib_db_file
from genguard.cli_common import (
    JsonOpt,
    ModelOpt,
    choices,
    emit,
    err,
    input_file,
    load_model_with_spinner,
    open_unit,
    out,
    output_file,
    read_text,
    show_progress,
    spinner,
)
from genguard.errors import ConfigError, InvalidInputError

wm_app = typer.Typer(help="Watermark keys, detection and certificates.", no_args_is_help=True)

# The detector needs about this many new tokens to decide at the default gamma 0.25 and z 4, with
# room for repeats that are counted once (8 scored tokens is the bare minimum; README, Watermarks).
WATERMARK_MIN_NEW_TOKENS = 64


Scheme = choices(
    "Scheme",
    ["lefthash", "selfhash", "minhash", "skipgram", "simple_1", "algorithm-3"],
    "Watermark schemes (genguard.watermark.SCHEMES and the reference's older aliases).",
)


Repeats = choices(
    "Repeats", ["pairs", "ngrams", "none"], "What the detector counts once (genguard.watermark.detector)."
)


Normalizer = choices(
    "Normalizer",
    ["unicode", "nfkc", "invisible", "homoglyphs", "leetspeak", "spacing", "whitespace"],
    "Text normalisers (genguard.text.NORMALIZERS).",
)


SchemeOpt = Annotated[Scheme, typer.Option(case_sensitive=False, help="The watermark scheme.")]
GammaOpt = Annotated[
    float,
    typer.Option(
        callback=open_unit,
        help="Fraction of the vocabulary that is green, in (0, 1).",
    ),
]
KeyFileOpt = Annotated[
    Path | None,
    typer.Option(callback=input_file, help="Watermark key file (default: the public reference key)."),
]


def _key(key: Path | None):
    """The watermark key from `key`, or the public reference key with a note on stderr."""
    from genguard.watermark.keys import WatermarkKey

    if key is None:
        err.print("note: no --key given; using the public reference key (anyone can detect or forge it)")
        return WatermarkKey.reference()
    return WatermarkKey.load(key)


def generate(
    prompt: Annotated[str, typer.Argument(help="The prompt (the chat template is applied).")],
    watermark: Annotated[
        bool, typer.Option("--watermark/--no-watermark", help="Watermark the output.")
    ] = False,
    key: KeyFileOpt = None,
    model: ModelOpt = "default",
    scheme: SchemeOpt = Scheme.selfhash,
    gamma: GammaOpt = 0.25,
    delta: Annotated[float, typer.Option(min=0.0, max=100.0, help="Logit bias added to green tokens.")] = 2.0,
    hard: Annotated[bool, typer.Option(help="Sample green tokens only.")] = False,
    max_new_tokens: Annotated[int, typer.Option(min=1, max=8192, help="Most tokens generated.")] = 200,
    min_new_tokens: Annotated[
        int | None,
        typer.Option(
            min=0,
            max=8192,
            help=f"Fewest tokens generated (default {WATERMARK_MIN_NEW_TOKENS} with --watermark, "
            "enough for detection to decide; 0 without).",
        ),
    ] = None,
    temperature: Annotated[float, typer.Option(min=0.0, max=100.0, help="0: greedy decoding.")] = 1.0,
    seed: Annotated[int | None, typer.Option(min=0, help="Seed of the sampling.")] = None,
    chat: Annotated[bool, typer.Option("--chat/--no-chat", help="Apply the chat template.")] = True,
    out_path: Annotated[
        Path | None,
        typer.Option("--out", callback=output_file, help="Write the answer to this file (UTF-8)."),
    ] = None,
    as_json: JsonOpt = False,
    grounded: Annotated[
        bool,
        typer.Option(
            "--grounded/--no-grounded",
            help="Creativity off: retrieve records from --db, let the model cite only those; verify the "
            "answer's citations anyway.",
        ),
    ] = False,
    db: Annotated[
        Path | None, typer.Option("--db", callback=bib_db_file, help="Bibliographic database for --grounded.")
    ] = None,
) -> None:
    """Generate a completion with the default (or given) model, optionally watermarked or grounded
    in a bibliographic database (the answer's citations checked)."""
    if grounded != (db is not None):
        raise ConfigError(
            "--grounded needs --db bib.db (made by `genguard cite import`), and --db needs --grounded"
        )
    if min_new_tokens is None:
        min_new_tokens = min(WATERMARK_MIN_NEW_TOKENS, max_new_tokens) if watermark else 0
    if min_new_tokens > max_new_tokens:
        raise ConfigError(f"--min-new-tokens {min_new_tokens} is more than --max-new-tokens {max_new_tokens}")
    if (key is not None or hard) and not watermark:
        raise ConfigError("--key and --hard only apply with --watermark")
    wm_key = _key(key) if watermark else None  # a bad key file fails before the model loads
    references = None
    if db is not None:  # a bad database fails before the model loads, too
        from genguard.cli_cite import grounded_prompt_for

        prompt, references = grounded_prompt_for(prompt, db)
    lm = load_model_with_spinner(model, show_progress(as_json))
    processors = []
    if wm_key is not None:
        from genguard.watermark import WatermarkLogitsProcessor

        processors.append(
            WatermarkLogitsProcessor(
                lm.tokenizer.vocab_size, wm_key, scheme=scheme.value, gamma=gamma, delta=delta, hard=hard
            )
        )
    with spinner(f"generating up to {max_new_tokens} tokens", show_progress(as_json)):
        gen = lm.generate(
            [prompt],
            max_new_tokens=max_new_tokens,
            min_new_tokens=min_new_tokens,
            temperature=temperature,
            seed=seed,
            chat=chat,
            logits_processors=processors,
        )[0]
    if wm_key is not None:
        _warn_if_undecidable(lm.tokenizer, gen.text, wm_key, scheme.value, gamma)
    if out_path is not None:
        out_path.write_text(gen.text + "\n", encoding="utf-8")
        err.print(f"answer written to {out_path}", markup=False)
    checks = None
    if db is not None:
        from genguard.cli_cite import check_grounded

        checks = check_grounded(gen.text, db)
    if as_json:
        record = gen.model_dump()
        if checks is not None:
            record["references"] = [r.model_dump() for r in references]
            record["citations"] = [c.model_dump() for c in checks]
        record["watermark"] = (
            {"scheme": scheme.value, "gamma": gamma, "delta": delta, "hard": hard, "key_id": wm_key.key_id}
            if wm_key is not None
            else None
        )
        emit(record)
    elif out_path is None:
        sys.stdout.write(gen.text + "\n")  # verbatim: rich would re-wrap lines and change the text
    if checks is not None and not as_json:
        from genguard.cli_cite import print_checks

        print_checks(checks, stream=err)


def _warn_if_undecidable(tokenizer, text: str, key, scheme: str, gamma: float) -> None:
    """A note on stderr when `text` is too short for the detector to decide (as `detect` sees it)."""
    from genguard.watermark import WatermarkDetector

    detection = WatermarkDetector(tokenizer, keys=[key], scheme=scheme, gamma=gamma).detect([text])[0]
    if detection.decision == "insufficient_evidence":
        err.print(
            f"warning: the answer is too short for detection to decide ({detection.num_tokens_scored} "
            f"scored tokens, {detection.min_tokens_needed} needed); raise --min-new-tokens",
            markup=False,
        )


@wm_app.command()
def keygen(
    path: Annotated[
        Path, typer.Argument(callback=output_file, help="Where to write the secret key file (0600).")
    ],
) -> None:
    """Create a watermark key file and its public key file PATH.pub."""
    from genguard.watermark.keys import WatermarkKey

    key = WatermarkKey.generate()
    private, public = key.save(path)
    err.print(f"key {key.key_id}: secret key in {private} (keep it private), public key in {public}")


def _render_tokens(tokenizer, ids: list[int], mask: list[int]):
    from rich.text import Text

    styles = {1: "black on green", 0: "white on red", -1: "dim", -2: "dim green"}
    text = Text()
    for piece, code in zip(tokenizer.token_strings(ids), mask, strict=True):
        text.append(piece, style=styles[code])
    return text


@wm_app.command()
def detect(
    source: Annotated[
        Path,
        typer.Argument(callback=input_file, help="Text file to test, or - for standard input."),
    ],
    key: Annotated[
        list[Path] | None,
        typer.Option(callback=input_file, help="Key file; repeat for several keys (rotation)."),
    ] = None,
    model: Annotated[
        str, typer.Option(help="Tokenizer: 'default', a folder, a .gguf file or a hub id.")
    ] = "default",
    scheme: SchemeOpt = Scheme.selfhash,
    gamma: GammaOpt = 0.25,
    z_threshold: Annotated[
        float, typer.Option(min=0.0, max=100.0, help="z-score at which a text is called watermarked.")
    ] = 4.0,
    window: Annotated[bool, typer.Option(help="Search for a watermarked passage (WinMax).")] = False,
    normalize: Annotated[
        list[Normalizer] | None,
        typer.Option(case_sensitive=False, help="Normalisers (default: unicode and invisible)."),
    ] = None,
    ignore_repeated: Annotated[
        Repeats,
        typer.Option(help="Count once: 'pairs' (seed, token; default), 'ngrams' (the reference), 'none'."),
    ] = Repeats.pairs,
    certify: Annotated[
        bool, typer.Option(help="Emit a signed certificate if the text is watermarked.")
    ] = False,
    cert_out: Annotated[
        Path | None,
        typer.Option(callback=output_file, help="Write the certificate here instead of printing it."),
    ] = None,
    color: Annotated[bool, typer.Option("--color/--no-color", help="Show green/red tokens.")] = True,
    as_json: JsonOpt = False,
) -> None:
    """Test a text for the watermark: z-score, exact p-value and a verdict. An empty or very short
    text gets 'insufficient_evidence' (exit 0) with the number of tokens needed."""
    from genguard.lm import load_tokenizer
    from genguard.watermark import WatermarkDetector, WatermarkKey, issue_certificate, serialize

    text = read_text(source)
    keys = [WatermarkKey.load(k) for k in key] if key else [WatermarkKey.reference()]
    with spinner("loading tokenizer", show_progress(as_json)):
        tokenizer = load_tokenizer(model)
    detector = WatermarkDetector(
        tokenizer,
        keys=keys,
        scheme=scheme.value,
        gamma=gamma,
        z_threshold=z_threshold,
        window=window,
        ignore_repeated=ignore_repeated.value,
        normalizers=[n.value for n in normalize] if normalize else ("unicode", "invisible"),
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
        emit(record)
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
    certificate: Annotated[Path, typer.Argument(callback=input_file, help="Certificate JSON file.")],
    public_key: Annotated[
        Path, typer.Option(callback=input_file, help="The issuer's public key file (.pub).")
    ],
    text: Annotated[
        Path | None,
        typer.Option(callback=input_file, help="Also check the certified text (file or -)."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Verify a certificate offline with the issuer's public key. Exit 0 if valid, 1 if not."""
    data = _certificate_bytes(certificate)
    from genguard.errors import CertificateError
    from genguard.watermark import load_public_key, verify_certificate

    _, public = load_public_key(public_key)
    try:
        cert = verify_certificate(data, public, read_text(text) if text else None)
    except CertificateError as exc:
        if as_json:
            emit({"valid": False, "reason": str(exc)})
        else:
            out.print(f"INVALID: {exc}", markup=False)
        raise typer.Exit(1) from exc
    if as_json:
        emit({"valid": True, "certificate": cert.model_dump()})
    else:
        out.print(
            f"VALID: issued {cert.issued_at} by key {cert.key_id}; z = {cert.z_score:.2f}, "
            f"p = {cert.p_value:.3g}, text sha256 {cert.text_sha256[:16]}...",
            markup=False,
        )


def _certificate_bytes(path: Path) -> bytes:
    """The bytes of a certificate file; InvalidInputError when it cannot be one at all (unreadable,
    empty, not text). A readable certificate that fails its checks is INVALID (exit 1), not this."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidInputError(f"cannot read certificate {path}: {exc.strerror}") from exc
    if not data.strip():
        raise InvalidInputError(f"certificate {path} is empty")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInputError(
            f"{path} is not a certificate (not UTF-8 text at byte {exc.start}); certificates are JSON files"
        ) from exc
    return data
