"""The OpenAI wire format the gateway speaks: request and response models of /v1/models,
/v1/chat/completions and /v1/completions, as the official `openai` client sends and reads them.

Requests ignore fields this gateway has no use for (`user`, `metadata`, zero penalties ...), so
that clients such as LangChain work unchanged, but refuse with 400 the ones whose meaning it
cannot honour (n > 1, logprobs, tools, stop sequences ...) instead of silently answering
something else. Responses carry a `genguard` object: the watermark that marks the answer (or why
there is none) and the guard's verdicts on the prompt and the answer.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

# Fields OpenAI defines that this gateway cannot honour, with the value that means "not used".
_UNSUPPORTED: dict[str, tuple[Any, ...]] = {
    "logprobs": (None, False, 0),
    "top_logprobs": (None, 0),
    "tools": (None, []),
    "tool_choice": (None, "none"),
    "functions": (None, []),
    "function_call": (None, "none"),
    "logit_bias": (None, {}),
    "stop": (None, [], ""),
    "echo": (None, False),
    "best_of": (None, 1),
    "suffix": (None, ""),
    "presence_penalty": (None, 0, 0.0),
    "frequency_penalty": (None, 0, 0.0),
}


class _Request(BaseModel):
    model_config = ConfigDict(extra="ignore")

    model: str = Field(min_length=1, max_length=200, description="A name listed by GET /v1/models.")
    max_tokens: int | None = Field(
        default=None, ge=1, description="Most new tokens (the gateway's limit caps it)."
    )
    temperature: float = Field(default=1.0, ge=0, le=2, description="0 = greedy decoding.")
    top_p: float = Field(default=1.0, gt=0, le=1)
    n: int = Field(default=1, ge=1, le=1, description="Only one choice per request is supported.")
    seed: int | None = Field(default=None, description="Same seed, same settings: the same answer.")
    stream: bool = False
    stream_options: StreamOptions | None = None
    # Declared so that a client sending them gets a 400 that says so (see unsupported()).
    logprobs: Any = None
    top_logprobs: Any = None
    logit_bias: Any = None
    stop: Any = None
    presence_penalty: Any = None
    frequency_penalty: Any = None

    def unsupported(self) -> str | None:
        """The first field set to a value this gateway cannot honour, or None."""
        data = self.model_dump()
        for name, unused in _UNSUPPORTED.items():
            if name in data and not any(data[name] == value for value in unused):
                return name
        return None

    def new_tokens(self) -> int | None:
        """The number of new tokens asked for (None: not given)."""
        return self.max_tokens


class StreamOptions(BaseModel):
    model_config = ConfigDict(extra="ignore")

    include_usage: bool = False


class TextPart(BaseModel):
    model_config = ConfigDict(extra="ignore")

    type: Literal["text"]
    text: str


class ChatMessage(BaseModel):
    """One turn. `developer` is OpenAI's newer name for `system`; content parts must be text."""

    model_config = ConfigDict(extra="ignore")

    role: Literal["system", "developer", "user", "assistant"]
    content: str | list[TextPart]
    name: str | None = None

    def text(self) -> str:
        """The content as one string (text parts joined with newlines)."""
        return self.content if isinstance(self.content, str) else "\n".join(p.text for p in self.content)

    def template_role(self) -> str:
        return "system" if self.role == "developer" else self.role


class ChatCompletionRequest(_Request):
    messages: list[ChatMessage] = Field(min_length=1, description="The conversation so far, oldest first.")
    max_completion_tokens: int | None = Field(default=None, ge=1, description="Newer name of max_tokens.")
    tools: Any = None
    tool_choice: Any = None
    functions: Any = None
    function_call: Any = None

    def new_tokens(self) -> int | None:
        return self.max_completion_tokens if self.max_completion_tokens is not None else self.max_tokens


class CompletionRequest(_Request):
    prompt: str | list[str] = Field(description="One prompt (a list must hold exactly one string).")
    echo: Any = None
    best_of: Any = None
    suffix: Any = None

    @field_validator("prompt")
    @classmethod
    def _one_prompt(cls, value: str | list[str]) -> str | list[str]:
        if isinstance(value, list) and len(value) != 1:
            raise ValueError(f"send exactly one prompt per request, got a list of {len(value)}")
        text = value if isinstance(value, str) else value[0]
        if not text.strip():
            raise ValueError("the prompt is empty; send some text")
        return value

    def prompt_text(self) -> str:
        return self.prompt if isinstance(self.prompt, str) else self.prompt[0]


# ---------------------------------------------------------------------------------- responses


class Usage(BaseModel):
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


class WatermarkMeta(BaseModel):
    key_id: str  # verify with GET /v1/watermark/public-key or `genguard watermark verify`
    scheme: str
    gamma: float


class StageMeta(BaseModel):
    action: Literal["allow", "annotate", "redact", "block"]
    rules: list[str]  # names of the rules that fired (the scorers of the policy's stage)


class GuardMeta(BaseModel):
    profile: str
    input: StageMeta
    output: StageMeta | None  # None until the answer has been checked (first stream chunks)


class GenguardMeta(BaseModel):
    watermark: WatermarkMeta | None
    watermark_note: str | None = None  # why there is no watermark ("disabled", upstream ...)
    guard: GuardMeta


class AssistantMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str


class ChatChoice(BaseModel):
    index: int = 0
    message: AssistantMessage
    finish_reason: str  # stop, length, content_filter
    logprobs: None = None


class _Envelope(BaseModel):
    """What every answer and stream event carries: its request's id, time and model name."""

    id: str
    created: int  # Unix seconds
    model: str


class ChatCompletion(_Envelope):
    object: Literal["chat.completion"] = "chat.completion"
    choices: list[ChatChoice]
    usage: Usage
    genguard: GenguardMeta


class Delta(BaseModel):
    role: Literal["assistant"] | None = None
    content: str | None = None


class ChunkChoice(BaseModel):
    index: int = 0
    delta: Delta
    finish_reason: str | None = None
    logprobs: None = None


class ChatCompletionChunk(_Envelope):
    object: Literal["chat.completion.chunk"] = "chat.completion.chunk"
    choices: list[ChunkChoice]
    usage: Usage | None = None
    genguard: GenguardMeta | None = None


class TextChoice(BaseModel):
    index: int = 0
    text: str
    finish_reason: str | None
    logprobs: None = None


class Completion(_Envelope):
    """Both the answer of /v1/completions and (object "text_completion", usage None) its chunks."""

    object: Literal["text_completion"] = "text_completion"
    choices: list[TextChoice]
    usage: Usage | None = None
    genguard: GenguardMeta | None = None


class ModelCard(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int
    owned_by: str  # "genguard" for a local model, "upstream" for a proxied one


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelCard]


class ErrorDetail(BaseModel):
    message: str
    type: str
    param: str | None
    code: str | None


class ErrorResponse(BaseModel):
    """OpenAI's error body (see server/errors.py)."""

    error: ErrorDetail


_Request.model_rebuild()
