"""The OpenAI endpoints: GET /v1/models, POST /v1/chat/completions and POST /v1/completions,
streamed (server-sent events) or not, with the guard around the model.

Each request: the caller's guard profile (config.profile_for(route, key profile)); the input
stage on the prompt (chat: the system and user turns): block -> 422 `content_blocked` naming the
rules, never the text; redact -> the model sees the redacted prompt; annotate -> listed in the
metadata. Then the backend; then the output stage on the answer: block -> finish_reason
"content_filter" and no content, redact -> the redacted answer. Streams pass through the
SentenceGate (server/streaming.py). Guard and model calls run off the event loop (the thread
pool, the model's worker). Every answer carries a `genguard` object (openai_schema.GenguardMeta)
and fills the request's audit row.

Factuality (config `factuality`): with `grounded`, a chat whose last user turn asks for literature
gets the records retrieved for it in that turn (after the input stage); with `disclaimer`, the
answer's citations are verified. A notice (from that, or from a guard rule with the `disclaimer`
action) is appended to the answer after a blank line, as the last chunk of a stream, and repeated
in `genguard.notice`; the verdicts are in `genguard.factuality`.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from genguard.errors import GenguardError, InvalidInputError
from genguard.factuality.answers import FactualityNote
from genguard.factuality.records import BibRecord
from genguard.guard.pipeline import Guard
from genguard.guard.policy import ACTIONS
from genguard.server.audit_draft import draft
from genguard.server.auth import Caller, caller
from genguard.server.backends import Backend, BackendRequest, BackendResult
from genguard.server.errors import APIError, error_body
from genguard.server.openai_schema import (
    AssistantMessage,
    ChatChoice,
    ChatCompletion,
    ChatCompletionChunk,
    ChatCompletionRequest,
    ChunkChoice,
    Completion,
    CompletionRequest,
    Delta,
    ErrorResponse,
    GenguardMeta,
    GuardMeta,
    ModelCard,
    ModelList,
    StageMeta,
    TextChoice,
    Usage,
    WatermarkMeta,
)
from genguard.server.state import Gateway
from genguard.server.streaming import DONE, SentenceGate, sse
from genguard.types import Verdict

router = APIRouter(tags=["openai"])
_Answer = TypeVar("_Answer", ChatCompletion, ChatCompletionChunk, Completion)

COMPLETION_DEFAULT_MAX_TOKENS = 16  # OpenAI's default for /v1/completions
_STARTED = int(time.time())  # the models' `created`: when this process started serving them
_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse, "description": text}
    for status, text in {
        400: "Invalid request",
        401: "Missing or invalid API key",
        403: "Not allowed",
        404: "Unknown model",
        413: "Request body too large",
        422: "Prompt blocked by the guard policy",
        429: "Rate limit reached",
        502: "Upstream error",
        504: "Upstream timeout",
    }.items()
}
_STREAM = {200: {"content": {"text/event-stream": {"schema": {"type": "string"}}}}}


@router.get("/v1/models", response_model=ModelList, responses=_ERRORS)
async def list_models(request: Request, who: Caller = Depends(caller)) -> ModelList:
    """The model names this gateway serves (OpenAI's list shape)."""
    config = request.app.state.gateway.config
    cards = [
        ModelCard(id=m.name, created=_STARTED, owned_by="genguard" if m.backend == "local" else "upstream")
        for m in config.models
    ]
    return ModelList(data=cards)


@router.post("/v1/chat/completions", response_model=ChatCompletion, responses={**_ERRORS, **_STREAM})
async def chat_completions(
    body: ChatCompletionRequest, request: Request, who: Caller = Depends(caller)
) -> Any:
    """A chat answer; `stream: true` sends chat.completion.chunk events and `data: [DONE]`."""
    turns = tuple((m.template_role(), m.text()) for m in body.messages)
    checked = [i for i, (role, _) in enumerate(turns) if role in ("system", "user")]
    turn = await _prepare(request, who, body, "chat", [turns[i][1] for i in checked])
    guarded = list(turns)
    for i, text in zip(checked, turn.input_texts, strict=True):
        guarded[i] = (turns[i][0], text)
    await _ground(turn, guarded)
    turn.prompt_text = "\n".join(f"{role}: {content}" for role, content in guarded)
    return await _respond(turn, body, BackendRequest("chat", messages=tuple(guarded), **turn.sampling))


async def _ground(turn: _Turn, turns: list[tuple[str, str]]) -> None:
    """Grounded mode: the last user turn, if it asks for literature, replaced in `turns` by the
    grounded prompt holding the records retrieved for it (kept in `turn.references`)."""
    facts, settings = turn.gateway.facts, turn.gateway.config.factuality
    last = next((i for i in range(len(turns) - 1, -1, -1) if turns[i][0] == "user"), None)
    if facts is None or settings is None or not settings.grounded or last is None:
        return
    grounded = await run_in_threadpool(facts.ground, turns[last][1])
    if grounded is not None:
        turns[last] = ("user", grounded[0])
        turn.references = grounded[1]


@router.post("/v1/completions", response_model=Completion, responses={**_ERRORS, **_STREAM})
async def completions(body: CompletionRequest, request: Request, who: Caller = Depends(caller)) -> Any:
    """A text completion; `stream: true` sends text_completion events and `data: [DONE]`."""
    turn = await _prepare(request, who, body, "completion", [body.prompt])
    turn.prompt_text = turn.input_texts[0]
    return await _respond(turn, body, BackendRequest("completion", prompt=turn.prompt_text, **turn.sampling))


@dataclass
class _Turn:
    """One request on its way through guard and backend."""

    gateway: Gateway
    request: Request
    kind: Literal["chat", "completion"]
    model: str
    backend: Backend
    guard: Guard
    profile: str
    input_meta: StageMeta
    input_texts: list[str]  # the checked prompt texts, redacted where the guard said so
    sampling: dict[str, Any]
    prompt_text: str = ""
    references: list[BibRecord] | None = None  # grounded mode: the records put in the prompt
    id: str = field(default_factory=lambda: secrets.token_hex(12))
    created: int = field(default_factory=lambda: int(time.time()))

    def meta(
        self, output: StageMeta | None, notice: str | None = None, facts: FactualityNote | None = None
    ) -> GenguardMeta:
        wm = self.backend.watermark
        return GenguardMeta(
            watermark=WatermarkMeta.model_validate(wm) if wm else None,
            watermark_note=self.backend.watermark_note,
            guard=GuardMeta(profile=self.profile, input=self.input_meta, output=output),
            notice=notice,
            factuality=facts,
        )

    async def notice(
        self, text: str, verdicts: Sequence[Verdict]
    ) -> tuple[str | None, FactualityNote | None]:
        """(notice to append to `text`, citation verdicts): the output verdicts' disclaimer notices
        and, with the `factuality.disclaimer` setting, the check of `text`'s citations."""
        notes = list(dict.fromkeys(v.notice for v in verdicts if v.notice))
        facts = None
        settings = self.gateway.config.factuality
        if self.gateway.facts is not None and settings is not None and settings.disclaimer:
            facts = await run_in_threadpool(self.gateway.facts.check, text, self.references)
            if facts.notice:
                notes.append(facts.notice)
        return ("\n".join(notes) or None), facts

    def envelope(
        self, cls: type[_Answer], choices: list, usage: Usage | None, meta: GenguardMeta | None
    ) -> _Answer:
        """An answer or stream event of class `cls` for this request (same id in every event)."""
        prefix = "chatcmpl" if self.kind == "chat" else "cmpl"
        return cls(
            id=f"{prefix}-{self.id}",
            created=self.created,
            model=self.model,
            choices=choices,
            usage=usage,
            genguard=meta,
        )

    async def check_output(self, text: str) -> Verdict:
        return (await run_in_threadpool(self.guard.check, [text], "output"))[0]

    def audit(
        self, output: StageMeta | None, result: BackendResult | None, completion_text: str | None
    ) -> None:
        """Fill the audit row: strictest action, rules of both stages, tokens, texts if asked."""
        row = draft(self.request)
        stages = [self.input_meta] + ([output] if output else [])
        row["action"] = max((s.action for s in stages), key=ACTIONS.index)
        row["rules"] = sorted({rule for s in stages for rule in s.rules})
        if result is not None:
            row["prompt_tokens"] = result.prompt_tokens
            row["completion_tokens"] = result.completion_tokens
        if self.gateway.config.audit.log_text:
            row["prompt_text"] = self.prompt_text or None
            row["completion_text"] = completion_text


async def _prepare(
    request: Request,
    who: Caller,
    body: ChatCompletionRequest | CompletionRequest,
    kind: str,
    texts: list[str],
) -> _Turn:
    """Validate what the schema cannot, pick the backend and run the input stage on `texts`.
    Raises APIError 400 (too many tokens), 404 (unknown model), 422 (blocked)."""
    gateway: Gateway = request.app.state.gateway
    config = gateway.config
    route = config.model(body.model)
    if route is None:
        names = ", ".join(m.name for m in config.models)
        raise APIError(
            404,
            f"the model {body.model!r} does not exist on this gateway; use one of: {names} (GET /v1/models)",
            code="model_not_found",
            param="model",
        )
    max_tokens = body.new_tokens()
    if max_tokens is None:
        limit = config.limits.max_tokens
        max_tokens = limit if kind == "chat" else min(COMPLETION_DEFAULT_MAX_TOKENS, limit)
    if max_tokens > config.limits.max_tokens:
        raise APIError(
            400,
            f"max_tokens {max_tokens} is above this gateway's limit of {config.limits.max_tokens}; "
            "ask for fewer",
            param="max_tokens",
            code="max_tokens_too_large",
        )
    row = draft(request)
    row.update(model=route.name, backend=route.backend)
    profile = config.profile_for(request.url.path, who.profile)
    guard = await run_in_threadpool(gateway.guard, profile)
    backend = await run_in_threadpool(gateway.backend, route.name)
    assert backend is not None  # the route exists
    if backend.watermark:
        row.update(watermark_key_id=backend.watermark["key_id"], scheme=backend.watermark["scheme"])
    verdicts = await run_in_threadpool(guard.check, texts, "input") if texts else []
    input_meta = stage_meta(verdicts)
    if input_meta.action == "block":
        row.update(action="block", rules=input_meta.rules)
        reasons = sorted({r for v in verdicts if v.action == "block" for r in _blocking_reasons(v)})
        raise APIError(
            422,
            f"the prompt was blocked by the guard ({profile} profile), "
            f"rule(s) {', '.join(input_meta.rules)}: {'; '.join(reasons)}; rephrase the request",
            code="content_blocked",
        )
    sampling = {
        "max_tokens": max_tokens,
        "temperature": body.temperature,
        "top_p": body.top_p,
        "seed": body.seed,
    }
    return _Turn(
        gateway=gateway,
        request=request,
        kind=kind,  # type: ignore[arg-type]
        model=body.model,
        backend=backend,
        guard=guard,
        profile=profile,
        input_meta=input_meta,
        input_texts=[v.text if v.text is not None else t for v, t in zip(verdicts, texts, strict=True)],
        sampling=sampling,
    )


def stage_meta(verdicts: Sequence[Verdict]) -> StageMeta:
    """The strictest action of `verdicts` and the names of the rules that acted (not just recorded)."""
    action = max((v.action for v in verdicts), key=ACTIONS.index, default="allow")
    rules = sorted({f.scorer for v in verdicts for f in v.flags if f.action != "allow"})
    return StageMeta(action=action, rules=rules)


def _blocking_reasons(verdict: Verdict) -> list[str]:
    return [f.reason or f.scorer for f in verdict.flags if f.action == "block"]


async def _respond(turn: _Turn, body: ChatCompletionRequest | CompletionRequest, job: BackendRequest) -> Any:
    if body.stream:
        include_usage = bool(body.stream_options and body.stream_options.include_usage)
        return await _stream(turn, job, include_usage)
    result = await turn.backend.complete(job)
    text, finish, output = result.text, result.finish_reason, StageMeta(action="allow", rules=[])
    verdicts: list[Verdict] = []
    if text.strip():
        verdicts = [await turn.check_output(text)]
        output = stage_meta(verdicts)
        if verdicts[0].action == "block":
            text, finish = "", "content_filter"
        else:
            text = verdicts[0].text or ""
    notice, facts = (None, None) if finish == "content_filter" else await turn.notice(text, verdicts)
    if notice:
        text = f"{text}\n\n{notice}"
    turn.audit(output, result, text)
    meta = turn.meta(output, notice, facts)
    if turn.kind == "chat":
        chat = ChatChoice(message=AssistantMessage(content=text), finish_reason=finish)
        return turn.envelope(ChatCompletion, [chat], _usage(result), meta)
    return turn.envelope(Completion, [TextChoice(text=text, finish_reason=finish)], _usage(result), meta)


def _usage(result: BackendResult) -> Usage:
    return Usage(
        prompt_tokens=result.prompt_tokens,
        completion_tokens=result.completion_tokens,
        total_tokens=result.prompt_tokens + result.completion_tokens,
    )


async def _stream(turn: _Turn, job: BackendRequest, include_usage: bool) -> StreamingResponse:
    """Start the backend's stream; an error before its first piece is an ordinary error answer."""
    pieces = turn.backend.stream(job)
    first = await anext(pieces)
    return StreamingResponse(_events(turn, pieces, first, include_usage), media_type="text/event-stream")


async def _events(
    turn: _Turn, pieces: AsyncIterator[str | BackendResult], first: str | BackendResult, include_usage: bool
) -> AsyncIterator[bytes]:
    """The SSE events of one answer: (chat) the role, the released text, the finish reason with the
    metadata, the usage when asked, [DONE]. An error mid-stream is sent as an error event."""
    gate = SentenceGate(turn.check_output if turn.guard.profile.stages["output"] else None)
    released: list[str] = []
    result: BackendResult | None = None
    count = 0  # pieces received: the token count when a block ends the stream early
    try:
        if turn.kind == "chat":
            yield sse(_chunk(turn, Delta(role="assistant", content="")))
        item: str | BackendResult | None = first
        while item is not None:
            if isinstance(item, BackendResult):
                result = item
                break
            count += 1
            text = await gate.feed(item)
            if gate.blocked:
                break
            if text:
                released.append(text)
                yield sse(_chunk(turn, Delta(content=text)))
            item = await anext(pieces, None)
        tail = await gate.flush()
        if tail:
            released.append(tail)
            yield sse(_chunk(turn, Delta(content=tail)))
        notice, facts, answer = None, None, "".join(released)
        if not gate.blocked:
            verdicts = gate.verdicts
            if answer.strip() and any(r.action == "disclaimer" for r in turn.guard.profile.stages["output"]):
                # a citation spans sentences that the gate checked one at a time: a disclaimer
                # rule's notice comes from one more check of the whole answer
                verdicts = [await turn.check_output(answer)]
            notice, facts = await turn.notice(answer, verdicts)
        if notice:  # the notice is the last content chunk
            released.append(f"\n\n{notice}")
            yield sse(_chunk(turn, Delta(content=released[-1])))
    except (APIError, GenguardError) as exc:  # the headers are sent: the error becomes the last event
        turn.audit(stage_meta(gate.verdicts), result, "".join(released))
        if not isinstance(exc, APIError):
            status = 400 if isinstance(exc, InvalidInputError) else 500
            exc = APIError(status, " ".join(str(exc).split()), code=type(exc).__name__)
        yield sse(error_body(exc.status, exc.message, exc.code, exc.param))
        return
    finally:
        await pieces.aclose()  # a block or a client gone: stop generating
    output = StageMeta(action=gate.action(), rules=stage_meta(gate.verdicts).rules)
    if result is None:  # stopped by a block: count what was generated
        result = BackendResult("", "content_filter", 0, count)
    finish = "content_filter" if gate.blocked else result.finish_reason
    turn.audit(output, result, "".join(released))
    yield sse(_chunk(turn, Delta(), finish, turn.meta(output, notice, facts)))
    if include_usage:
        yield sse(_chunk(turn, None, usage=_usage(result)))
    yield DONE


def _chunk(
    turn: _Turn,
    delta: Delta | None,
    finish: str | None = None,
    meta: GenguardMeta | None = None,
    usage: Usage | None = None,
) -> ChatCompletionChunk | Completion:
    """One stream event; `delta` None is the usage event (no choices)."""
    if turn.kind == "chat":
        choices = [ChunkChoice(delta=delta, finish_reason=finish)] if delta is not None else []
        return turn.envelope(ChatCompletionChunk, choices, usage, meta)
    texts = [TextChoice(text=delta.content or "", finish_reason=finish)] if delta is not None else []
    return turn.envelope(Completion, texts, usage, meta)
