"""The gateway's long-lived parts, built once per app from its config: guards per profile, the
watermark key, the model backends, the key store, the audit log and the metrics.

Heavy parts (a guard's scorers, a model) are built on first use under a lock, so the server
starts in about a second and two first requests do not load the same model twice.
"""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING, Any

from genguard.errors import KeyFileError
from genguard.server.config import GatewayConfig

if TYPE_CHECKING:
    from genguard.factuality.answers import AnswerChecker
    from genguard.guard.pipeline import Guard
    from genguard.lm.hf import HFTokenizer
    from genguard.provenance.index import ProtectedIndex
    from genguard.server.backends import Backend
    from genguard.watermark import WatermarkKey


class Gateway:
    """Everything a request handler needs, shared by all requests of one app."""

    def __init__(self, config: GatewayConfig) -> None:
        from genguard.server.metrics import Metrics
        from genguard.storage.api_keys import KeyStore
        from genguard.storage.audit_log import AuditLog

        self.config = config
        self.watermark_key = load_or_create_key(config)
        self.keys = KeyStore(config.storage)
        self.audit_log = AuditLog(config.storage)
        self.metrics = Metrics()
        self._guards: dict[str, Guard] = {}
        self._backends: dict[str, Backend] = {}
        self._index: ProtectedIndex | None = None
        self._tokenizer: HFTokenizer | None = None
        self._public_key_text: str | None = None
        self._lock = threading.Lock()
        # Opened at start, so a missing, empty or locked database is a config error at once.
        self.facts: AnswerChecker | None = None
        if config.factuality is not None:
            from genguard.factuality.answers import AnswerChecker

            self.facts = AnswerChecker(config.factuality.db, k=config.factuality.references)

    def guard(self, profile: str) -> Guard:
        """The loaded guard of `profile` (ConfigError when the policy has no such profile)."""
        with self._lock:
            if profile not in self._guards:
                from genguard.guard.pipeline import Guard

                self._guards[profile] = Guard.from_policy(self.config.guard.policy, profile)
            return self._guards[profile]

    def backend(self, model: str) -> Backend | None:
        """The backend serving `model`, started on first use; None for a name not configured."""
        route = self.config.model(model)
        if route is None:
            return None
        with self._lock:
            if model not in self._backends:
                from genguard.server.backends import build_backend

                self._backends[model] = build_backend(route, self)
            return self._backends[model]

    def protected_index(self) -> ProtectedIndex | None:
        """The configured protected-content index, opened on first use (None when not configured)."""
        if self.config.provenance.index is None:
            return None
        with self._lock:
            if self._index is None:
                from genguard.provenance.index import ProtectedIndex

                self._index = ProtectedIndex(self.config.provenance.index)
            return self._index

    def detection_tokenizer(self) -> HFTokenizer:
        """The tokenizer watermark detection uses: the first local model's (the embedded default
        when there is none), loaded on first use (about a second) and kept."""
        path = next((m.path for m in self.config.models if m.backend == "local"), "default")
        with self._lock:
            if self._tokenizer is None:
                from genguard.lm import load_tokenizer

                self._tokenizer = load_tokenizer(path)
            return self._tokenizer

    def public_key_text(self) -> str:
        """The public key file of the watermark key, exactly as `genguard watermark keygen` writes
        its `.pub` (genguard.watermark.keys.public_key_json), so the CLI verifies with it offline."""
        if self._public_key_text is None:
            from genguard.watermark.keys import public_key_json

            self._public_key_text = public_key_json(self.watermark_key.public_key)  # type: ignore[arg-type]
        return self._public_key_text

    def close(self) -> None:
        """Stop the backends' workers and close the databases."""
        for backend in list(self._backends.values()):
            backend.close()
        self.audit_log.close()
        self.keys.close()
        if self.facts is not None:
            self.facts.close()

    def describe(self) -> dict[str, Any]:
        """What the server says at start: models, profile, key id, storage, who may call it."""
        return {
            "models": [m.name for m in self.config.models],
            "profile": self.config.guard.profile,
            "watermark_key_id": self.watermark_key.key_id,
            "storage": str(self.config.storage),
            "notes": self._access_notes(),
        }

    def _access_notes(self) -> list[str]:
        """Who may call: loopback only without API keys; whether key management over HTTP is on."""
        notes = []
        if self.keys.count_active() == 0:
            notes.append(
                "no API keys: serving loopback clients (127.0.0.1, ::1) only; create one with "
                f"`genguard keys create NAME --storage {self.config.storage}`"
            )
        env = self.config.admin_key_env
        if os.environ.get(env):
            notes.append(f"key management over HTTP at /admin/keys: on (the admin key is in {env})")
        else:
            notes.append(f"key management over HTTP at /admin/keys: off (set {env} to an admin key)")
        return notes


def load_or_create_key(config: GatewayConfig) -> WatermarkKey:
    """The configured watermark key; without one, the key kept beside the database, made (and
    saved with owner-only permissions) at first start so that certificates stay verifiable
    across restarts. Raises KeyFileError for a configured file that is missing or bad."""
    from genguard.watermark import WatermarkKey

    path = config.key_file
    if config.watermark.key_file is not None:
        if not path.exists():
            raise KeyFileError(
                f"watermark key file {path} does not exist; make one with "
                f"`genguard watermark keygen --out {path}` or remove watermark.key_file from the config"
            )
        return WatermarkKey.load(path)
    if path.exists():
        return WatermarkKey.load(path)
    key = WatermarkKey.generate()
    path.parent.mkdir(parents=True, exist_ok=True)
    key.save(path)
    return key
