"""Language models behind one interface: the embedded default (SmolLM2-135M-Instruct) and local
transformers models, with genguard's own reproducible sampling loop."""

from genguard.lm.base import Generation, LanguageModel, LogitsProcessorFn, Tokenizer
from genguard.lm.default import (
    DEFAULT_MODEL_ID,
    default_model_dir,
    load_default_model,
    load_default_tokenizer,
    load_model,
    load_tokenizer,
)
from genguard.lm.hf import HFLanguageModel, HFTokenizer

__all__ = [
    "DEFAULT_MODEL_ID",
    "Generation",
    "HFLanguageModel",
    "HFTokenizer",
    "LanguageModel",
    "LogitsProcessorFn",
    "Tokenizer",
    "default_model_dir",
    "load_default_model",
    "load_default_tokenizer",
    "load_model",
    "load_tokenizer",
]
