"""The gateway's configuration: one YAML file, validated, every error naming its line.

`genguard serve` with no file serves the embedded default model with the `default` guard
profile and the watermark on (a key is made once and kept beside the database), on loopback
only, with no API keys required.

    models:                         # the names clients pass as `model`
      - name: genguard-default
        backend: local              # the embedded SmolLM2 ("default") or a local transformers folder
        path: default
      - name: big
        backend: upstream           # any OpenAI-compatible server (vLLM, Ollama, another genguard)
        base_url: http://127.0.0.1:9000/v1
        upstream_model: llama-3
        api_key_env: UPSTREAM_KEY   # the upstream's key is read from this environment variable
    guard: {policy: null, profile: default, routes: {/v1/completions: strict}}
    watermark: {key_file: null, scheme: selfhash, gamma: 0.25, delta: 3.0}
    storage: out/gateway/gateway.sqlite
    limits: {max_body_bytes: 1000000, max_tokens: 512, requests_per_minute: 60, tokens_per_minute: 20000}
    audit: {log_text: false}
    provenance: {index: null}
    factuality: {db: bib.db, grounded: true, disclaimer: true}   # or null (the default): off
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from genguard.errors import ConfigError
from genguard.files import decode_utf8, read_bytes

DEFAULT_MODEL_NAME = "genguard-default"
DEFAULT_STORAGE = Path("out/gateway/gateway.sqlite")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ModelRoute(_Strict):
    """One model name clients may ask for, and the backend that serves it."""

    name: str = Field(min_length=1, max_length=200)
    backend: Literal["local", "upstream"] = "local"
    path: str = "default"  # local: "default" (embedded SmolLM2-135M-Instruct) or a transformers folder
    watermark: bool = True  # local only: an upstream's sampling cannot be watermarked from here
    base_url: str | None = None  # upstream: the OpenAI-compatible base URL, ending in /v1
    upstream_model: str | None = None  # upstream: the model name sent upstream (default: `name`)
    api_key_env: str | None = None  # upstream: the environment variable holding the upstream key
    timeout_s: float = Field(default=120.0, gt=0, le=3600)

    @model_validator(mode="after")
    def _backend_fields(self) -> ModelRoute:
        if self.backend == "upstream" and not self.base_url:
            raise ValueError("an upstream model needs base_url (e.g. http://127.0.0.1:9000/v1)")
        if self.backend == "upstream" and not self.base_url.startswith(("http://", "https://")):
            raise ValueError(f"base_url must start with http:// or https://, got {self.base_url!r}")
        return self


class GuardSettings(_Strict):
    policy: Path | None = None  # a policy YAML; the built-in policy when null
    profile: str = "default"  # applied to every route and key unless overridden
    routes: dict[str, str] = Field(default_factory=dict)  # route path -> profile


class WatermarkSettings(_Strict):
    # A key file from `genguard watermark keygen`; when null the gateway makes one at first start
    # and keeps it beside the database (gateway.key.json), so certificates stay verifiable.
    key_file: Path | None = None
    scheme: str = "selfhash"
    gamma: float = Field(default=0.25, gt=0, lt=1)
    # 3 rather than the reference's 2: chat answers are short. Measured on SmolLM2-135M, "why the sky
    # is blue" in up to 120 tokens at temperature 0.8, 12 random keys: delta 2 gave z 3.02-6.60 and
    # 4 of 12 answers below the threshold 4 (no certificate); delta 3 gave z 5.43-11.31, none below.
    delta: float = Field(default=3.0, ge=0, le=100)
    min_new_tokens: int = Field(default=64, ge=0, le=8192)  # enough for detection to decide


class Limits(_Strict):
    max_body_bytes: int = Field(default=1_000_000, ge=1024, le=100_000_000)
    max_tokens: int = Field(default=512, ge=1, le=8192)  # most new tokens one request may ask for
    requests_per_minute: int = Field(default=60, ge=1)  # per API key (or per client without keys)
    tokens_per_minute: int = Field(default=20_000, ge=1)
    max_batch: int = Field(default=8, ge=1, le=64)  # local model: requests decoded together


class AuditSettings(_Strict):
    log_text: bool = False  # keep prompts and completions in the audit log (off: verdicts only)


class ProvenanceSettings(_Strict):
    index: Path | None = None  # a protected-content index (`genguard provenance index build`)


class FactualitySettings(_Strict):
    """Citations checked against a bibliographic database (`genguard cite import`)."""

    db: Path  # the database; missing, empty or locked at start: a config error
    # Chat answers' citations verified: the verdicts in `genguard.factuality`, and a notice appended
    # to the answer when any is not verified (error rates: benchmarks/results/citation_quality.json).
    disclaimer: bool = True
    # Literature questions answered from the database's records ("creativity off"): the records
    # retrieved for the last user turn are put in it with the instruction to cite only those.
    grounded: bool = False
    references: int = Field(default=6, ge=1, le=50)  # records put in a grounded prompt


class GatewayConfig(_Strict):
    """The whole gateway configuration; every field has a working default."""

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    models: list[ModelRoute] = Field(
        default_factory=lambda: [ModelRoute(name=DEFAULT_MODEL_NAME)], min_length=1
    )
    guard: GuardSettings = GuardSettings()
    watermark: WatermarkSettings = WatermarkSettings()
    storage: Path = DEFAULT_STORAGE  # API keys and the audit log (one SQLite file, WAL)
    admin_key_env: str = "GENGUARD_ADMIN_KEY"  # the admin key is read from this environment variable
    limits: Limits = Limits()
    audit: AuditSettings = AuditSettings()
    provenance: ProvenanceSettings = ProvenanceSettings()
    factuality: FactualitySettings | None = None

    @field_validator("models")
    @classmethod
    def _unique_names(cls, models: list[ModelRoute]) -> list[ModelRoute]:
        names = [m.name for m in models]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"model names must be unique; repeated: {', '.join(dupes)}")
        return models

    def model(self, name: str) -> ModelRoute | None:
        """The route serving model `name`, or None."""
        return next((m for m in self.models if m.name == name), None)

    @property
    def key_file(self) -> Path:
        """Where the watermark key lives: the configured file or the one kept beside the database."""
        return self.watermark.key_file or self.storage.with_name("gateway.key.json")

    def profile_for(self, route: str, key_profile: str | None = None) -> str:
        """The guard profile for a request: the API key's own, else the route's, else the default."""
        return key_profile or self.guard.routes.get(route) or self.guard.profile


def load_config(path: str | Path | None = None, **overrides: Any) -> GatewayConfig:
    """The validated configuration in `path` (defaults when None), with `overrides` (e.g. host,
    port from the command line) applied on top. Raises ConfigError naming the file, the line and
    the field of the first problem."""
    if path is None:
        return _validate({}, None, "<defaults>", overrides)
    path = Path(path)
    text = decode_utf8(read_bytes(path, ConfigError, "gateway config"), path, ConfigError)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{path}{where}: not valid YAML ({getattr(exc, 'problem', exc)})") from exc
    if data is None:
        raise ConfigError(
            f"{path} is empty; give at least one setting, or leave out --config for the defaults"
        )
    if not isinstance(data, dict):
        raise ConfigError(f"{path} line 1: the gateway config must be a mapping of settings")
    return _validate(data, node, str(path), overrides)


def _validate(data: dict, node: yaml.Node | None, source: str, overrides: dict[str, Any]) -> GatewayConfig:
    data = {**data, **{k: v for k, v in overrides.items() if v is not None}}
    try:
        config = GatewayConfig.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = tuple(first["loc"])
        field = ".".join(str(p) for p in loc) or "(top level)"
        line = _line_of(node, loc)
        where = f" line {line}" if line else ""
        message = first["msg"].removeprefix("Value error, ")
        raise ConfigError(f"{source}{where}: {field}: {message}") from exc
    base = Path(source).parent if node is not None else Path.cwd()
    # Relative paths in a config file are relative to the file, as in docker-compose.
    return config.model_copy(update=_resolved_paths(config, base)) if node is not None else config


def _resolved_paths(config: GatewayConfig, base: Path) -> dict[str, Any]:
    def rel(p: Path | None) -> Path | None:
        return p if p is None or p.is_absolute() else base / p

    return {
        "storage": rel(config.storage),
        "guard": config.guard.model_copy(update={"policy": rel(config.guard.policy)}),
        "watermark": config.watermark.model_copy(update={"key_file": rel(config.watermark.key_file)}),
        "provenance": config.provenance.model_copy(update={"index": rel(config.provenance.index)}),
        "factuality": config.factuality
        and config.factuality.model_copy(update={"db": rel(config.factuality.db)}),
    }


def _line_of(node: yaml.Node | None, loc: tuple) -> int | None:
    """The 1-based line of the YAML node at `loc` (the deepest one that exists)."""
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if k.value == part), None)
            key = next((k for k, v in node.value if k.value == part), None)
            if match is None:
                return line
            node, line = match, (key.start_mark.line + 1)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            return line
    return line
