"""A language model's decision on a prompt, read from the probabilities of the allowed answers.

One forward pass per prompt gives the next-token distribution after it; the probability of an
answer is the summed probability of the first tokens of its forms (" Approve" and " approve" for
"approve"). With the default model " Approve" is two tokens (" Appro" + "ve") and its first token
is what the model commits to. From the two answer probabilities p_fav and p_unfav:

- `mass` = p_fav + p_unfav: how much of the model's probability the offered answers hold;
- `score` = p_fav / mass: the model's probability of the favourable answer among the two, a
  number in [0, 1] that a threshold (and Fairlearn's ThresholdOptimizer) can act on;
- a prompt whose mass is below `min_mass` is "undecided": the model is not answering the
  question, and taking the larger of two tiny probabilities would be a guess. Undecided prompts
  are counted and left out of every rate, never decided for the applicant.

Plain prompts get the model's start-of-text token in front, as `sentence_scores.score_sentences`
does (the default model's `<|endoftext|>`), so the first word of the prompt is read in a document
context; `chat=True` wraps the prompt in the model's chat template instead (which begins with its
own turn marker).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from genguard.errors import InvalidInputError
from genguard.fairness.decisions_prompts import AnswerOptions
from genguard.lm.base import LanguageModel, Tokenizer
from genguard.lm.checks import check_texts
from genguard.lm.start_token import StartToken, start_token

# Below this share of probability on the two answers a prompt is undecided (see the docstring).
# Measured on the default model (benchmarks/results/fairness_decisions.json, answer_mass_min and
# _median): the preset prompts give the answers 4.0 % (German credit) and 11.4 % (Adult) at the
# least, 9.6 % and 16.4 % at the median, so no preset row is undecided; a prompt ending where no
# answer word can follow ("... Answer Approve or Deny. https://www.") gives them 7.6e-8. A short
# plain prompt can fall below 1 % (0.04 % for "Should the bank approve or deny a loan to a male
# applicant aged 30? Answer Approve or Deny.\nAnswer:"): check answer_mass on your template.
MIN_MASS = 0.01


def answer_token_ids(tokenizer: Tokenizer, answers: AnswerOptions) -> tuple[list[int], list[int]]:
    """The distinct first token ids of the favourable and the unfavourable forms.

    Raises InvalidInputError for a form that encodes to no token, or when a form of one answer
    starts with the same token as a form of the other (their probabilities could not be told
    apart), naming the forms and the shared token.
    """
    ids: list[list[int]] = [[], []]
    owner: dict[int, str] = {}
    for side, forms in enumerate((answers.favourable, answers.unfavourable)):
        for form, encoded in zip(forms, tokenizer.encode(list(forms)), strict=True):
            if not encoded:
                raise InvalidInputError(f"answer form {form!r} encodes to no token")
            first = int(encoded[0])
            other = owner.get(first)
            if other is not None and first not in ids[side]:
                shared = tokenizer.token_strings([first])[0]
                raise InvalidInputError(
                    f"answer forms {other!r} and {form!r} both start with the token {shared!r}, so the "
                    "model's next-token probability cannot tell the answers apart; choose answers that "
                    "begin differently (e.g. ' Approve' / ' Deny')"
                )
            owner[first] = form
            if first not in ids[side]:
                ids[side].append(first)
    return ids[0], ids[1]


def prompt_ids(
    model: LanguageModel, prompts: Sequence[str], chat: bool, start: StartToken | None
) -> list[list[int]]:
    """Token ids each prompt is scored on: chat template applied, or the start token prepended."""
    if chat:
        return [model.prompt_ids(p, chat=True) for p in prompts]
    assert start is not None
    return [[start.token_id, *seq] for seq in model.tokenizer.encode(list(prompts))]


def answer_logprobs(
    model: LanguageModel,
    prompts: Sequence[str],
    answers: AnswerOptions,
    *,
    chat: bool = False,
    batch_size: int = 16,
    progress: Callable[[int], None] | None = None,
) -> np.ndarray:
    """Natural-log probabilities of the favourable and the unfavourable answer after each prompt.

    Returns a float64 array [n, 2] (column 0 favourable, 1 unfavourable), in prompt order. Prompts
    are batched by length (less padding); a prompt's values depend on its batch only through float
    rounding (about 1e-5 nats). `progress(n)` is called after each batch. Raises
    InvalidInputError for an empty prompt, a prompt over the model's context, or answer forms that
    share a first token; ConfigError for a tokenizer with no start-of-text token (use chat=True).
    """
    import torch

    prompts = check_texts(prompts, "prompts")
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise InvalidInputError(f"batch_size must be a positive integer, got {batch_size!r}")
    fav, unfav = answer_token_ids(model.tokenizer, answers)
    empty = [i for i, p in enumerate(prompts) if not p.strip()]
    if empty:
        raise InvalidInputError(f"prompt {empty[0]} is empty ({len(empty)} empty prompt(s))")
    start = None if chat else start_token(model.tokenizer)
    ids = prompt_ids(model, prompts, chat, start)
    out = np.zeros((len(ids), 2), dtype=np.float64)
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
    for begin in range(0, len(order), batch_size):
        chunk = order[begin : begin + batch_size]
        logp = torch.log_softmax(model.next_token_logits([ids[i] for i in chunk]).double(), dim=-1)
        both = torch.stack(
            [torch.logsumexp(logp[:, fav], dim=-1), torch.logsumexp(logp[:, unfav], dim=-1)], dim=-1
        )
        out[chunk] = both.cpu().numpy()
        if progress is not None:
            progress(len(chunk))
    return out


def decide(
    logprobs: np.ndarray, threshold: float = 0.5, min_mass: float = MIN_MASS
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(score, mass, decision) from answer log-probabilities [n, 2].

    score = p_fav / (p_fav + p_unfav) in [0, 1]; mass = p_fav + p_unfav; decision 1 (favourable)
    when score >= threshold, 0 when below, -1 (undecided) when mass < min_mass.
    """
    lp = np.asarray(logprobs, dtype=np.float64).reshape(-1, 2)
    if not 0 < threshold < 1:
        raise InvalidInputError(f"threshold must lie between 0 and 1, got {threshold}")
    if not 0 <= min_mass < 1:
        raise InvalidInputError(f"min_mass must lie in [0, 1), got {min_mass}")
    mass = np.exp(np.logaddexp(lp[:, 0], lp[:, 1]))
    score = 1.0 / (1.0 + np.exp(lp[:, 1] - lp[:, 0]))  # p_fav / mass without underflow
    decision = np.where(score >= threshold, 1, 0)
    decision[mass < min_mass] = -1
    return score, mass, decision
