"""The guard: run a policy profile's scorers on a batch of texts and decide what happens to each.

guard = Guard.from_policy()                       # built-in policy, profile "default"
verdicts = guard.check(["my SSN is 078-05-1120"], stage="input")
verdicts[0].action, verdicts[0].text              # "redact", "my SSN is [US_SSN]"
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from genguard.errors import ConfigError
from genguard.guard.policy import ACTIONS, STAGES, Policy, Profile, Rule
from genguard.guard.quotes import quotation_spans
from genguard.scoring import Scorer, get_scorer, parameters
from genguard.scoring.base import piecewise
from genguard.scoring.embedder import embed_together
from genguard.text import check_texts
from genguard.text.sentences import sentence_cuts
from genguard.types import Finding, Flag, ScoreResult, Span, Verdict


class Guard:
    """A loaded policy profile: every scorer it names is built once, at construction."""

    def __init__(self, profile: Profile) -> None:
        self.profile = profile
        self._scorers: dict[str, Scorer] = {}
        # Per stage, each rule's scorer, resolved here: the key takes a signature inspection,
        # which cost more than the cheap scorers themselves when done per batch.
        self._stage_scorers: dict[str, list[Scorer]] = {}
        for stage, rules in profile.stages.items():
            for rule in rules:
                key = _scorer_key(rule)
                if key not in self._scorers:
                    self._scorers[key] = get_scorer(rule.scorer, **_scorer_params(rule))
            self._stage_scorers[stage] = [self._scorers[_scorer_key(rule)] for rule in rules]

    @classmethod
    def from_policy(cls, path: str | Path | None = None, profile: str = "default") -> Guard:
        """The guard for `profile` of the policy file at `path` (built-in policy when None)."""
        return cls(Policy.load(path).profile(profile))

    def check(
        self, texts: Sequence[str], stage: str = "input", progress: Callable[[int], None] | None = None
    ) -> list[Verdict]:
        """One Verdict per text, in order. Each scorer runs once per batch of about BATCH_CHARS
        characters (many short texts together; a long text in pieces cut at line starts between
        whole sentences, see `text_pieces`), and again on texts with labelled quotations, for the
        scorers the quotation rule covers. What the embedding scorers are about to embed in a
        batch goes through MiniLM in one pass first (`embed_together`). `progress(n)` is called
        after each batch with the n characters it held (they add up to the total length of the texts).

        Memory beyond the texts and their verdicts stays bounded: only findings are kept between
        batches. Scorers without `combine` (see genguard.scoring.base) see whole texts."""
        if stage not in STAGES:
            raise ConfigError(f"unknown stage {stage!r}; use {', '.join(STAGES)}")
        texts = check_texts(texts, hint="use check([text]) for one text")
        rules = self.profile.stages[stage]
        quotes_rule = self.profile.quotations
        quotes = [quotation_spans(t) for t in texts] if quotes_rule else [[] for _ in texts]
        runs = {rule.scorer: _Parts(len(texts)) for rule in rules}
        scorers = self._stage_scorers[stage]
        quoting = set(quotes_rule.scorers) if quotes_rule is not None else set()
        # A quotation scorer reads the author's words with the quotations blanked, which joins the
        # sentences around them; the scorers it acts `inside` must mark that same blanked text.
        quoting |= {name for rule in rules if rule.scorer in quoting for name in rule.inside}
        for batch in _batches(texts, quotes):
            whole = [_Piece(p.index, 0, texts[p.index], quotes[p.index], True) for p in batch if p.last]
            parts = [batch if piecewise(scorer) else whole for scorer in scorers]
            # What the embedding scorers are about to embed, in one forward pass instead of one each;
            # not for a whole long text (a scorer without `combine`): its units would not fit the
            # cache. Planning costs a second screening, so only where two scorers could share.
            sharing = [
                (scorer, pieces)
                for scorer, pieces in zip(scorers, parts, strict=True)
                if pieces
                and hasattr(scorer, "embedding_requests")
                and sum(len(p.text) for p in pieces) <= BATCH_CHARS
            ]
            if len(sharing) > 1:
                requests = [s.embedding_requests([p.text for p in pieces]) for s, pieces in sharing]
                embed_together([r for group in requests for r in group])
            for rule, scorer, pieces in zip(rules, scorers, parts, strict=True):
                if pieces:
                    runs[rule.scorer].score(scorer, pieces, rule.scorer in quoting)
            if progress is not None:
                progress(sum(len(p.text) for p in batch))
        marking = {name for rule in rules for name in rule.inside}  # scorers some rule acts inside
        markers = {
            rule.scorer: (rule, scorer)
            for rule, scorer in zip(rules, self._stage_scorers[stage], strict=True)
            if rule.scorer in marking
        }
        verdicts = []
        for i, text in enumerate(texts):
            flags: list[Flag] = []
            scores: dict[str, float] = {}
            model_ids: dict[str, str] = {}
            results = []
            for rule, scorer in zip(rules, self._stage_scorers[stage], strict=True):
                model_ids[rule.scorer] = scorer.model_id
                results.append(runs[rule.scorer].result(scorer, i, text))
                scores[rule.scorer] = results[-1].score
            flagged = {
                rule.scorer: _flagged_spans(result, rule)
                for rule, result in zip(rules, results, strict=True)
                if rule.scorer in marking
            }
            for rule, scorer, result in zip(rules, self._stage_scorers[stage], results, strict=True):
                action = rule.action_for(scores)
                inside = [(s, e, act) for name, act in rule.inside.items() for s, e in flagged.get(name, ())]
                if not (quotes_rule is not None and rule.scorer in quotes_rule.scorers and quotes[i]):
                    flags += _flags(result, rule, action, inside=inside)
                    continue
                parts = runs[rule.scorer]
                inside = [
                    (s, e, act)
                    for name, act in rule.inside.items()
                    if name in markers
                    for s, e in _flagged_spans(
                        runs[name].result(markers[name][1], i, text, own=True), markers[name][0]
                    )
                ]
                flags += _flags(parts.result(scorer, i, text, own=True), rule, action, inside=inside)
                for q, quoted in parts.quoted[i]:
                    flags += _flags(quoted, rule, quotes_rule.action, offset=q.start, quoted=True)
            verdicts.append(self._verdict(stage, text, flags, scores, model_ids))
        return verdicts

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
        notice = _notice([f for f in flags if f.action == "disclaimer"]) if out is not None else None
        return Verdict(
            stage=stage,
            profile=self.profile.name,
            action=action,
            reasons=reasons,
            flags=flags,
            scores=scores,
            text=out,
            model_ids=model_ids,
            notice=notice,
        )


def _notice(flags: list[Flag]) -> str | None:
    """The `disclaimer` action's note: per rule reason, how many findings of each label, e.g.
    "Note: cited works not in the bibliographic database: 2 citation not found. Check ..."; None
    without disclaimer flags. The text itself is passed on unchanged."""
    if not flags:
        return None
    by_reason: dict[str, Counter[str]] = {}
    for f in flags:
        by_reason.setdefault(f.reason, Counter())[f.label.lower().replace("_", " ")] += 1
    parts = [
        f"{reason}: " + ", ".join(f"{n} {label}" for label, n in sorted(labels.items()))
        for reason, labels in by_reason.items()
    ]
    return "Note: " + "; ".join(parts) + ". Check these against the original sources before relying on them."


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


def _triggering(result: ScoreResult, rule: Rule) -> list[Finding]:
    """The findings at or over the rule's threshold, or the text as a whole when a scorer without
    findings scores over it."""
    threshold = rule.threshold
    findings = [f for f in result.findings if threshold is None or f.score >= threshold]
    if not result.findings and threshold is not None and result.score >= threshold:
        findings = [Finding(scorer=rule.scorer, label=rule.scorer.upper(), score=result.score)]
    return findings


def _flagged_spans(result: ScoreResult, rule: Rule) -> list[tuple[int, int]]:
    """[start, end) of the rule's triggering findings that have spans (what `inside` refers to)."""
    return [(f.span.start, f.span.end) for f in _triggering(result, rule) if f.span is not None]


def _flags(
    result: ScoreResult,
    rule: Rule,
    action: str,
    offset: int = 0,
    quoted: bool = False,
    inside: Sequence[tuple[int, int, str]] = (),
) -> list[Flag]:
    """The rule's flags from one result (`_triggering`); `allow` records nothing. A finding whose
    span (shifted by `offset`) lies inside an `inside` span (start, end, action) gets that action
    where it is milder."""
    if action == "allow":
        return []
    flags = []
    for f in _triggering(result, rule):
        act = action
        if f.span is not None:
            start, end = f.span.start + offset, f.span.end + offset
            for s, e, milder in inside:
                if s <= start and end <= e:
                    act = min(act, milder, key=ACTIONS.index)
        if act == "allow":
            continue
        flags.append(_flag(f, act, rule.reason or rule.scorer, offset, quoted))
    return flags


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


BATCH_CHARS = 50_000
"""Characters scored at once. A longer text is cut into pieces of about this size at line starts
between two whole sentences of 5+ words, away from labelled quotations: there toxicity's sentence
chunks, the rule patterns and the quotation rule find on the pieces what they find on the whole
text. Memory then grows with the batch, not with the text (benchmarks/large_inputs.py)."""
_FORCE_CHARS = 4 * BATCH_CHARS  # no such cut this far: cut at any sentence end, else at a space
_QUOTE_CONTEXT = (80, 60)  # characters before and after a quotation that decide whether it is one


@dataclass
class _Piece:
    """text[start:start + len(text)] of text `index` (`last`: it ends the text), its quotations."""

    index: int
    start: int
    text: str
    quotes: list[Span]  # offsets in the piece
    last: bool


@dataclass
class _Scored:
    """What is kept of a scored piece: where it was, its quotations, its results (piece offsets)."""

    start: int
    end: int
    quotes: list[Span]
    result: ScoreResult
    own: ScoreResult  # the author's own words (quotations blanked); `result` when it has none


class _Parts:
    """One rule's results, piece by piece, for every text of a check."""

    def __init__(self, n: int) -> None:
        self.pieces: list[list[_Scored]] = [[] for _ in range(n)]
        self.quoted: list[list[tuple[Span, ScoreResult]]] = [[] for _ in range(n)]

    def score(self, scorer: Scorer, pieces: list[_Piece], split: bool) -> None:
        """Score `pieces`; with `split`, also the author's own words (quotations blanked) and each
        quotation alone. Results are kept, piece texts are not."""
        results = scorer.score([p.text for p in pieces])
        quoted = [k for k, p in enumerate(pieces) if split and p.quotes]
        blanked = scorer.score([_blank(pieces[k].text, pieces[k].quotes) for k in quoted])
        own = dict(zip(quoted, blanked, strict=True))
        for k, (p, result) in enumerate(zip(pieces, results, strict=True)):
            self.pieces[p.index].append(
                _Scored(p.start, p.start + len(p.text), p.quotes, result, own.get(k, result))
            )
        spans = [(pieces[k], q) for k in quoted for q in pieces[k].quotes]
        alone = scorer.score([p.text[q.start : q.end] for p, q in spans])
        for (p, q), result in zip(spans, alone, strict=True):
            self.quoted[p.index].append((_shifted_span(q, p.start), result))

    def result(self, scorer: Scorer, i: int, text: str, own: bool = False) -> ScoreResult:
        """Text i's result: its pieces' findings on the whole text, their scores combined by the scorer."""
        parts = self.pieces[i]
        if len(parts) == 1:
            return parts[0].own if own else parts[0].result

        def scored() -> Iterator[tuple[str, ScoreResult]]:  # one piece's text at a time
            for p in parts:
                piece = text[p.start : p.end]
                yield (_blank(piece, p.quotes), p.own) if own else (piece, p.result)

        return ScoreResult(
            scorer=parts[0].result.scorer,
            model_id=parts[0].result.model_id,
            score=scorer.combine(scored()),  # type: ignore[attr-defined]
            findings=[_shifted(f, p.start) for p in parts for f in (p.own if own else p.result).findings],
        )


def _batches(texts: list[str], quotes: list[list[Span]]) -> Iterator[list[_Piece]]:
    """The texts' pieces in order, in batches of about BATCH_CHARS characters (one piece may be more)."""
    batch: list[_Piece] = []
    size = 0
    for i, text in enumerate(texts):
        cuts = text_pieces(text, quotes[i])
        for k, (start, end) in enumerate(cuts):
            inside = [_shifted_span(q, -start) for q in quotes[i] if start <= q.start and q.end <= end]
            if batch and size + end - start > BATCH_CHARS:
                yield batch
                batch, size = [], 0
            batch.append(_Piece(i, start, text[start:end], inside, k == len(cuts) - 1))
            size += end - start
    if batch:
        yield batch


def text_pieces(text: str, quotes: Sequence[Span] = ()) -> list[tuple[int, int]]:
    """[start, end) pieces covering `text`, each of at most about BATCH_CHARS characters, cut only
    where every built-in scorer finds on the pieces what it finds on the whole text: at a line start
    (no indentation) between two whole sentences of 5+ words (`sentence_cuts`), not within 80
    characters before or 60 after a labelled quotation in `quotes`. A text without such a place
    for _FORCE_CHARS characters is cut at a sentence end, else a space, else anywhere: a pattern
    running across such a cut may then be missed. The language scorer's run of one language
    across a cut is reported as one finding per piece (the same sentences, split at the cut)."""
    if len(text) <= BATCH_CHARS:
        return [(0, len(text))]
    blocked = [(q.start - _QUOTE_CONTEXT[0], q.end + _QUOTE_CONTEXT[1]) for q in quotes]
    pieces: list[tuple[int, int]] = []
    start, best, seen = 0, 0, 0  # seen: the last sentence end, safe or not
    for cut in [*sentence_cuts(text), len(text)]:
        while cut - start > BATCH_CHARS and (best > start or cut - start > _FORCE_CHARS):
            end = best if best > start else _forced(text, start, seen)
            pieces.append((start, end))
            start = end
        seen = cut
        if text[cut - 1] == "\n" and not any(a < cut < b for a, b in blocked):
            best = cut
    pieces.append((start, len(text)))
    return [p for p in pieces if p[1] > p[0]]


def _forced(text: str, start: int, sentence_end: int) -> int:
    """Where to cut `text` after `start` when no safe place came: the last sentence end seen, else
    the last space within _FORCE_CHARS, else _FORCE_CHARS on."""
    if start < sentence_end <= start + _FORCE_CHARS:
        return sentence_end
    space = text.rfind(" ", start + 1, start + _FORCE_CHARS)
    return space + 1 if space > start else start + _FORCE_CHARS


def _shifted_span(span: Span, offset: int) -> Span:
    return Span(start=span.start + offset, end=span.end + offset, label=span.label)


def _shifted(finding: Finding, offset: int) -> Finding:
    if finding.span is None or not offset:
        return finding
    return finding.model_copy(update={"span": _shifted_span(finding.span, offset)})
