"""The local backend: a model in this process (the embedded default or a transformers folder),
driven by ONE worker thread that owns it.

Requests go into a queue. The worker takes what is waiting (up to limits.max_batch), groups the
requests with the same sampling settings and decodes each group in one `generate()` batch (the
groups one after another), so concurrent clients share the 2 cores instead of fighting over
them with threads. Each request samples from its own seed (`row_seeds`), so its answer does not
depend on what it was batched with. Watermarked with the gateway's key and the configured
scheme when the route asks for it, exactly as `genguard generate --watermark` does.
Measured (this machine, 2 cores, load average 7-9 from other work, so only a rough figure): four
chat requests of 48 tokens each took 41.7-47.6 s one after another and 29.2-37.3 s sent at once
(the first runs alone, the three that arrive meanwhile share one batch), with identical answers.

Streaming: the model's per-token callback decodes the tokens so far in the worker and hands the
new text to the request's asyncio queue with `loop.call_soon_threadsafe`; a client that goes
away sets its request's `cancelled` flag, which ends its row at the next token. Neither a
disconnect nor a failing request stops the worker.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import secrets
import threading
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from genguard.errors import GenguardError, InvalidInputError
from genguard.server.backends import Backend, BackendRequest, BackendResult

if TYPE_CHECKING:
    from genguard.lm.base import Generation, LanguageModel
    from genguard.server.config import ModelRoute
    from genguard.server.state import Gateway
    from genguard.watermark import WatermarkKey

logger = logging.getLogger(__name__)

_STOP = object()  # the worker's shutdown sentinel


@dataclass(frozen=True, eq=False)
class WatermarkSpec:
    """The watermark a request is generated under (identity: the key object and the settings)."""

    key: WatermarkKey
    scheme: str
    gamma: float
    delta: float

    def cache_key(self) -> tuple:
        return (self.key.key_id, self.scheme, self.gamma, self.delta)


@dataclass(eq=False)
class Job:
    """One request in the worker's queue; `future` gets (Generation, prompt token count)."""

    request: BackendRequest
    min_new_tokens: int
    watermark: WatermarkSpec | None
    emit: Callable[[str], None] | None = None  # streaming: called in the worker with each new piece of text
    cancelled: threading.Event = field(default_factory=threading.Event)
    future: Future = field(default_factory=Future)

    def batch_key(self) -> tuple:
        """Requests with equal keys can be decoded in one batch."""
        r = self.request
        wm = self.watermark.cache_key() if self.watermark else None
        return (r.max_tokens, self.min_new_tokens, r.temperature, r.top_p, wm)


class _Stream:
    """Incremental detokenisation of one streamed row: the text of the tokens so far, minus what
    was already sent; an unfinished UTF-8 character (U+FFFD at the end) waits for its next byte."""

    def __init__(self, job: Job, decode: Callable[[list[int]], str]) -> None:
        self.job, self.decode = job, decode
        self.ids: list[int] = []
        self.sent = 0

    def add(self, token_id: int) -> None:
        self.ids.append(token_id)
        text = self.decode(self.ids)
        if text.endswith("\ufffd") or len(text) <= self.sent:
            return
        piece, self.sent = text[self.sent :], len(text)
        assert self.job.emit is not None
        self.job.emit(piece)


class Worker:
    """The thread that owns one model: loads it, then decodes queued jobs in batches."""

    def __init__(self, path: str, max_batch: int) -> None:
        self.path = path
        self.max_batch = max_batch
        self.jobs: queue.Queue[Any] = queue.Queue()
        self.users = 0  # backends sharing this worker (one model per path, never two threads on it)
        self._processors: dict[tuple, Any] = {}
        self._thread = threading.Thread(target=self._run, name=f"genguard-model-{path}", daemon=True)
        self._thread.start()

    def submit(self, job: Job) -> Job:
        self.jobs.put(job)
        return job

    def stop(self) -> None:
        self.jobs.put(_STOP)
        self._thread.join(timeout=30)

    # ------------------------------------------------------------------ in the worker thread

    def _run(self) -> None:
        from genguard.lm import load_model

        try:
            model = load_model(self.path)
        except Exception as exc:  # every job gets the load error instead of hanging
            logger.error("could not load model %s: %s", self.path, exc)
            model, load_error = None, exc
        while True:
            jobs, stopping = self._take()
            for job in jobs:
                if model is None:
                    _fail(job, load_error)
            if model is not None:
                for group in _groups(j for j in jobs if not j.future.done()):
                    self._decode(model, group)
            if stopping:
                break
        while not self.jobs.empty():  # shutting down: nobody will serve what is left
            job = self.jobs.get_nowait()
            if job is not _STOP:
                _fail(job, GenguardError("the gateway is shutting down; retry against a running gateway"))

    def _take(self) -> tuple[list[Job], bool]:
        """The next job (waiting for one) and whatever else is queued, up to max_batch jobs."""
        first = self.jobs.get()
        if first is _STOP:
            return [], True
        jobs = [first]
        while len(jobs) < self.max_batch:
            try:
                job = self.jobs.get_nowait()
            except queue.Empty:
                break
            if job is _STOP:
                return jobs, True
            jobs.append(job)
        return jobs, False

    def _decode(self, model: LanguageModel, group: list[Job]) -> None:
        """Generate one batch for `group` (jobs with one batch key); each job gets its result or error."""
        jobs: list[Job] = []
        texts: list[str] = []
        lengths: list[int] = []
        for job in group:
            if job.cancelled.is_set():
                _fail(job, GenguardError("the client went away before generation started"))
                continue
            try:
                text = _prompt_text(model, job)
                lengths.append(len(_checked_ids(model, job, text)))
            except Exception as exc:  # this request's own problem (e.g. too long): only it fails
                _fail(job, exc)
                continue
            jobs.append(job)
            texts.append(text)
        if not jobs:
            return
        streams = {i: _Stream(j, _decoder(model)) for i, j in enumerate(jobs) if j.emit is not None}

        def on_token(index: int, token_id: int) -> bool:
            if index in streams:
                try:
                    streams[index].add(token_id)
                except Exception:  # a broken consumer ends its own row, not the batch
                    jobs[index].cancelled.set()
            return jobs[index].cancelled.is_set()

        first = jobs[0]
        try:
            generations = model.generate(
                texts,
                max_new_tokens=first.request.max_tokens,
                min_new_tokens=first.min_new_tokens,
                temperature=first.request.temperature,
                top_p=first.request.top_p,
                logits_processors=self._processors_for(model, first.watermark),
                chat=False,
                batch_size=len(jobs),
                row_seeds=[
                    j.request.seed if j.request.seed is not None else secrets.randbits(63) for j in jobs
                ],
                on_token=on_token,
            )
        except Exception as exc:
            for job in jobs:
                _fail(job, exc)
            return
        for job, gen, length in zip(jobs, generations, lengths, strict=True):
            if not job.future.done():
                job.future.set_result((gen, length))

    def _processors_for(self, model: LanguageModel, spec: WatermarkSpec | None) -> list[Any]:
        if spec is None:
            return []
        if spec.cache_key() not in self._processors:
            from genguard.watermark import WatermarkLogitsProcessor

            self._processors[spec.cache_key()] = WatermarkLogitsProcessor(
                model.tokenizer.vocab_size, spec.key, scheme=spec.scheme, gamma=spec.gamma, delta=spec.delta
            )
        return [self._processors[spec.cache_key()]]


def _groups(jobs: Any) -> list[list[Job]]:
    """Jobs grouped by batch key, in order of first arrival."""
    groups: dict[tuple, list[Job]] = {}
    for job in jobs:
        groups.setdefault(job.batch_key(), []).append(job)
    return list(groups.values())


def _fail(job: Job, exc: BaseException) -> None:
    if not job.future.done():
        job.future.set_exception(exc)


def _decoder(model: LanguageModel) -> Callable[[list[int]], str]:
    return lambda ids: model.tokenizer.decode([ids])[0]


def _prompt_text(model: LanguageModel, job: Job) -> str:
    """What the model continues: the completion prompt, or the chat turns rendered with the
    tokenizer's chat template and the assistant's generation prompt appended."""
    r = job.request
    if r.kind == "completion":
        return r.prompt
    hf = getattr(model.tokenizer, "hf_tokenizer", None)
    if hf is not None and getattr(model.tokenizer, "has_chat_template", False):
        turns = [{"role": role, "content": content} for role, content in r.messages]
        return hf.apply_chat_template(turns, add_generation_prompt=True, tokenize=False)
    # A model without a template gets a plain transcript ending where the assistant speaks.
    return "".join(f"{role}: {content}\n" for role, content in r.messages) + "assistant:"


def _checked_ids(model: LanguageModel, job: Job, text: str) -> list[int]:
    """The ids of prompt `text`; InvalidInputError when it and the answer would not fit the context."""
    ids = model.prompt_ids(text, chat=False)
    limit = getattr(model, "max_positions", None)
    if limit is not None and len(ids) + job.request.max_tokens > limit:
        raise InvalidInputError(
            f"the prompt has {len(ids)} tokens and max_tokens is {job.request.max_tokens}: together more "
            f"than the model's context of {limit}; shorten the prompt or ask for fewer tokens"
        )
    return ids


_WORKERS: dict[str, Worker] = {}
_WORKERS_LOCK = threading.Lock()


def _acquire_worker(path: str, max_batch: int) -> Worker:
    """The worker of model `path`, shared by every backend serving it (one model, one thread)."""
    with _WORKERS_LOCK:
        worker = _WORKERS.get(path)
        if worker is None:
            worker = _WORKERS[path] = Worker(path, max_batch)
        worker.users += 1
        return worker


def _release_worker(worker: Worker) -> None:
    with _WORKERS_LOCK:
        worker.users -= 1
        if worker.users > 0:
            return
        _WORKERS.pop(worker.path, None)
    worker.stop()


class LocalBackend(Backend):
    """A model in this process behind the shared worker of its path."""

    kind = "local"

    def __init__(self, route: ModelRoute, gateway: Gateway) -> None:
        settings = gateway.config.watermark
        self.route = route
        self._spec = (
            WatermarkSpec(gateway.watermark_key, settings.scheme, settings.gamma, settings.delta)
            if route.watermark
            else None
        )
        self._min_new_tokens = settings.min_new_tokens if route.watermark else 0
        self._worker = _acquire_worker(route.path, gateway.config.limits.max_batch)
        self._closed = False

    @property
    def watermark(self) -> dict[str, object] | None:
        if self._spec is None:
            return None
        return {"key_id": self._spec.key.key_id, "scheme": self._spec.scheme, "gamma": self._spec.gamma}

    @property
    def watermark_note(self) -> str | None:
        return None if self._spec is not None else "disabled"

    def _job(self, request: BackendRequest, emit: Callable[[str], None] | None = None) -> Job:
        # The watermark needs enough tokens to be detectable, but never more than the client allows.
        job = Job(request, min(self._min_new_tokens, request.max_tokens), self._spec, emit)
        return self._worker.submit(job)

    async def complete(self, request: BackendRequest) -> BackendResult:
        job = self._job(request)
        try:
            gen, prompt_tokens = await asyncio.wrap_future(job.future)
        finally:
            job.cancelled.set()  # a client gone while waiting frees its row
        return _result(gen, prompt_tokens)

    async def stream(self, request: BackendRequest) -> AsyncIterator[str | BackendResult]:
        loop = asyncio.get_running_loop()
        pieces: asyncio.Queue[Any] = asyncio.Queue()
        job: Job | None = None

        def push(item: Any) -> None:
            try:
                loop.call_soon_threadsafe(pieces.put_nowait, item)
            except RuntimeError:  # the event loop is gone (shutdown): stop generating for it
                if job is not None:
                    job.cancelled.set()

        job = self._job(request, emit=push)
        job.future.add_done_callback(lambda _: push(_STOP))
        sent: list[str] = []
        try:
            while (item := await pieces.get()) is not _STOP:
                sent.append(item)
                yield item
            gen, prompt_tokens = job.future.result()
            streamed = "".join(sent)
            if len(gen.text) > len(streamed) and gen.text.startswith(streamed):
                yield gen.text[len(streamed) :]  # a last character that waited for its bytes
            yield _result(gen, prompt_tokens)
        finally:
            job.cancelled.set()

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            _release_worker(self._worker)


def _result(gen: Generation, prompt_tokens: int) -> BackendResult:
    return BackendResult(gen.text, gen.finish_reason, prompt_tokens, len(gen.token_ids))
