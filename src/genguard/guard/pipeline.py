"""The guard: run a policy profile's scorers on a batch of texts and decide what happens to each.

guard = Guard.from_policy()                       # built-in policy, profile "default"
verdicts = guard.check(["my SSN is 078-05-1120"], stage="input")
verdicts[0].action, verdicts[0].text              # "redact", "my SSN is [US_SSN]"
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from genguard.errors import ConfigError
from genguard.guard.policy import ACTIONS, STAGES, Policy, Profile, Rule
from genguard.guard.quotes import quotation_spans
from genguard.scoring import Scorer, get_scorer, parameters
from genguard.text import check_texts
from genguard.types import Finding, Flag, ScoreResult, Span, Verdict


class Guard:
    """A loaded policy profile: every scorer it names is built once, at construction."""

    def __init__(self, profile: Profile) -> None:
        self.profile = profile
        self._scorers: dict[str, Scorer] = {}
        for rules in profile.stages.values():
            for rule in rules:
                key = _scorer_key(rule)
                if key not in self._scorers:
                    self._scorers[key] = get_scorer(rule.scorer, **_scorer_params(rule))

    @classmethod
    def from_policy(cls, path: str | Path | None = None, profile: str = "default") -> Guard:
        """The guard for `profile` of the policy file at `path` (built-in policy when None)."""
        return cls(Policy.load(path).profile(profile))

    def check(self, texts: Sequence[str], stage: str = "input") -> list[Verdict]:
        """One Verdict per text, in order. Each scorer runs once over the whole batch (and again on
        texts with labelled quotations, for the scorers the quotation rule covers)."""
        if stage not in STAGES:
            raise ConfigError(f"unknown stage {stage!r}; use {', '.join(STAGES)}")
        texts = check_texts(texts, hint="use check([text]) for one text")
        rules = self.profile.stages[stage]
        quotes_rule = self.profile.quotations
        quotes = [quotation_spans(t) for t in texts] if quotes_rule else [[] for _ in texts]
        flags: list[list[Flag]] = [[] for _ in texts]
        scores: list[dict[str, float]] = [{} for _ in texts]
        model_ids: dict[str, str] = {}
        for rule in rules:  # one rule per scorer in a stage
            scorer = self._scorers[_scorer_key(rule)]
            model_ids[rule.scorer] = scorer.model_id
            results = scorer.score(texts)
            split = quotes_rule is not None and rule.scorer in quotes_rule.scorers
            for i, result in enumerate(results):
                scores[i][rule.scorer] = result.score
                if not (split and quotes[i]):
                    flags[i] += _flags(result, rule, rule.action)
            if split:
                self._split_by_quotes(scorer, rule, texts, quotes, quotes_rule.action, flags)
        return [
            self._verdict(stage, t, f, s, model_ids) for t, f, s in zip(texts, flags, scores, strict=True)
        ]

    def _split_by_quotes(
        self,
        scorer: Scorer,
        rule: Rule,
        texts: list[str],
        quotes: list[list[Span]],
        quote_action: str,
        flags: list[list[Flag]],
    ) -> None:
        """Score the author's own words (quotations blanked, offsets kept) and each quotation alone."""
        idx = [i for i, spans in enumerate(quotes) if spans]
        if not idx:
            return
        own = scorer.score([_blank(texts[i], quotes[i]) for i in idx])
        for i, result in zip(idx, own, strict=True):
            flags[i] += _flags(result, rule, rule.action)
        pieces = [(i, q) for i in idx for q in quotes[i]]
        for (i, q), result in zip(
            pieces, scorer.score([texts[i][q.start : q.end] for i, q in pieces]), strict=True
        ):
            flags[i] += _flags(result, rule, quote_action, offset=q.start, quoted=True)

    def _verdict(
        self, stage: str, text: str, flags: list[Flag], scores: dict[str, float], model_ids: dict[str, str]
    ) -> Verdict:
        flags = sorted(flags, key=lambda f: (f.span.start if f.span else -1, f.scorer))
        # A redaction needs a span; a span-less finding that asks for one stops the text instead.
        flags = [
            f.model_copy(update={"action": "block", "reason": f"{f.reason} (no span to redact)"})
            if f.action == "redact" and f.span is None
            else f
            for f in flags
        ]
        action = max((f.action for f in flags), key=ACTIONS.index, default="allow")
        reasons = list(
            dict.fromkeys(f"{f.reason}: {f.label}" + (" (quoted)" if f.quoted else "") for f in flags)
        )
        out: str | None = text
        if action == "block":
            out = None
        elif action == "redact":
            out = _redact(text, [f for f in flags if f.action == "redact"])
        return Verdict(
            stage=stage,
            profile=self.profile.name,
            action=action,
            reasons=reasons,
            flags=flags,
            scores=scores,
            text=out,
            model_ids=model_ids,
        )


def _scorer_params(rule: Rule) -> dict:
    params = dict(rule.params)
    accepted = parameters(rule.scorer)
    # Scorers that gate their own findings (toxicity) must report down to the rule's threshold.
    if (
        rule.threshold is not None
        and "threshold" not in params
        and (accepted is None or "threshold" in accepted)
    ):
        params["threshold"] = rule.threshold
    return params


def _scorer_key(rule: Rule) -> str:
    return rule.scorer + json.dumps(_scorer_params(rule), sort_keys=True, default=str)


def _flags(result: ScoreResult, rule: Rule, action: str, offset: int = 0, quoted: bool = False) -> list[Flag]:
    """The rule's flags from one result: findings at or over the threshold, or the text as a whole
    when a scorer without findings scores over it. `allow` records nothing."""
    if action == "allow":
        return []
    threshold = rule.threshold
    findings = [f for f in result.findings if threshold is None or f.score >= threshold]
    if not result.findings and threshold is not None and result.score >= threshold:
        findings = [Finding(scorer=rule.scorer, label=rule.scorer.upper(), score=result.score)]
    return [_flag(f, action, rule.reason or rule.scorer, offset, quoted) for f in findings]


def _flag(finding: Finding, action: str, reason: str, offset: int, quoted: bool) -> Flag:
    span = finding.span
    if span is not None and offset:
        span = Span(start=span.start + offset, end=span.end + offset, label=span.label)
    return Flag(
        scorer=finding.scorer,
        label=finding.label,
        score=finding.score,
        span=span,
        action=action,
        quoted=quoted,
        reason=reason,
    )


def _blank(text: str, spans: list[Span]) -> str:
    """`text` with each span's characters replaced by spaces, so offsets stay valid."""
    chars = list(text)
    for s in spans:
        chars[s.start : s.end] = " " * (s.end - s.start)
    return "".join(chars)


def _redact(text: str, flags: list[Flag]) -> str:
    """`text` with the flags' spans (merged where they overlap) replaced by [LABEL] placeholders."""
    spans = sorted((f.span for f in flags if f.span is not None), key=lambda s: (s.start, -s.end))
    merged: list[Span] = []
    for s in spans:
        if merged and s.start < merged[-1].end:
            last = merged[-1]
            merged[-1] = Span(start=last.start, end=max(last.end, s.end), label=last.label)
        else:
            merged.append(s)
    for s in reversed(merged):
        text = text[: s.start] + f"[{s.label}]" + text[s.end :]
    return text
