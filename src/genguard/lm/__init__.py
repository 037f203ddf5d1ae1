"""Language models behind one interface: the embedded default (SmolLM2-135M-Instruct) and local
transformers models, with genguard's own reproducible sampling loop.

Names are re-exported lazily (PEP 562): `from genguard.lm import load_tokenizer` does not import
torch; HFLanguageModel, load_model and load_default_model load it on first use.
"""

from __future__ import annotations

from genguard.lazy import lazy_exports

_LAZY = {
    "Generation": "genguard.lm.base",
    "LanguageModel": "genguard.lm.base",
    "LogitsProcessorFn": "genguard.lm.base",
    "SamplingOptions": "genguard.lm.base",
    "Tokenizer": "genguard.lm.base",
    "DEFAULT_MODEL_ID": "genguard.lm.default",
    "default_model_dir": "genguard.lm.default",
    "load_default_model": "genguard.lm.default",
    "load_default_tokenizer": "genguard.lm.default",
    "load_model": "genguard.lm.default",
    "load_tokenizer": "genguard.lm.default",
    "HFLanguageModel": "genguard.lm.hf",
    "HFTokenizer": "genguard.lm.tokenizer",
}

__all__ = sorted(_LAZY)

__getattr__, __dir__ = lazy_exports(__name__, _LAZY)
