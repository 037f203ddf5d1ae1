"""The OpenAI wire format the gateway speaks: request and response models of /v1/models,
/v1/chat/completions and /v1/completions, as the official `openai` client sends and reads them.

Requests ignore fields this gateway has no use for (`user`, `metadata`, zero penalties ...), so
that clients such as LangChain work unchanged, but refuse with 400 the ones whose meaning it
cannot honour (n > 1, logprobs, tools, stop sequences, penalties ...) instead of silently
answering something else; the served OpenAPI schema says which values each field accepts.
Responses carry a `genguard` object: the watermark that marks the answer (or why there is none)
and the guard's verdicts on the prompt and the answer.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    WithJsonSchema,
)

from genguard.factuality.answers import FactualityNote


def _valid_unicode(value: str) -> str:
    """`value` unchanged; a ValueError (so a 400) if it holds a lone UTF-16 surrogate, which JSON's
    \\ud800 escapes can carry but no tokenizer or database column can take."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as e:
        raise ValueError(
            f"holds a lone UTF-16 surrogate at character {e.start}; send valid Unicode"
        ) from None
    return value


Text = Annotated[str, AfterValidator(_valid_unicode)]
# JSON Schema counts 538.0 as an integer; strict pydantic would not, so a whole float becomes an int
# first (other floats, strings and booleans are still refused).
_WHOLE = BeforeValidator(lambda v: int(v) if isinstance(v, float) and v.is_integer() else v)
# The constraints sit before the validator so that the schema says "minimum" (not "ge") in a union.
WholeNumber = Annotated[int, Field(strict=True), _WHOLE]
TokenCount = Annotated[int, Field(ge=1, strict=True), _WHOLE]


def _unsupported(*unused: Any) -> Any:
    """The type of an OpenAI field this gateway cannot honour: only the values that mean "not
    used" (and null) are valid, in the schema and in validation; anything else is a 400 saying so."""

    def check(value: Any) -> Any:
        if value is None or any(value == u and isinstance(value, type(u)) for u in unused):
            return None
        raise ValueError("not supported by this gateway; remove it from the request")

    return Annotated[Any, BeforeValidator(check), WithJsonSchema({"enum": [None, *unused]})]


class _Request(BaseModel):
    model_config = ConfigDict(extra="ignore")

    model: str = Field(min_length=1, max_length=200, description="A name listed by GET /v1/models.")
    # Numbers and booleans are strict, as OpenAI's own API is: "5" is a 400, not 5.
    max_tokens: TokenCount | None = Field(
        default=None, description="Most new tokens (the gateway's limit caps it)."
    )
    temperature: float = Field(default=1.0, ge=0, le=2, strict=True, description="0 = greedy decoding.")
    top_p: float = Field(default=1.0, gt=0, le=1, strict=True)
    n: WholeNumber = Field(
        default=1, ge=1, le=1, strict=True, description="Only one choice per request is supported."
    )
    seed: WholeNumber | None = Field(default=None, description="Same seed, same settings: the same answer.")
    stream: bool = Field(default=False, strict=True)
    stream_options: StreamOptions | None = None
    # Declared so that a client sending them gets a 400 that says so (see _unsupported).
    logprobs: _unsupported(False, 0) = None
    top_logprobs: _unsupported(0) = None
    logit_bias: _unsupported({}) = None
    stop: _unsupported([], "") = None
    presence_penalty: _unsupported(0, 0.0) = None
    frequency_penalty: _unsupported(0, 0.0) = None

    def new_tokens(self) -> int | None:
        """The number of new tokens asked for (None: not given)."""
        return self.max_tokens


class StreamOptions(BaseModel):
    model_config = ConfigDict(extra="ignore")

    include_usage: bool = False


class TextPart(BaseModel):
    model_config = ConfigDict(extra="ignore")

    type: Literal["text"]
    text: Text


class ChatMessage(BaseModel):
    """One turn. `developer` is OpenAI's newer name for `system`; content parts must be text."""

    model_config = ConfigDict(extra="ignore")

    role: Literal["system", "developer", "user", "assistant"]
    # Tagged by the JSON type, so that a bad text part is reported as such and not as "not a string".
    content: Annotated[
        Annotated[Text, Tag("text")] | Annotated[list[TextPart], Tag("parts")],
        Discriminator(
            lambda v: "text" if isinstance(v, str) else "parts" if isinstance(v, list) else None,
            custom_error_type="content_type",
            custom_error_message="content must be a string or a list of text parts",
        ),
    ]
    name: Text | None = None

    def text(self) -> str:
        """The content as one string (text parts joined with newlines)."""
        return self.content if isinstance(self.content, str) else "\n".join(p.text for p in self.content)

    def template_role(self) -> str:
        return "system" if self.role == "developer" else self.role


class ChatCompletionRequest(_Request):
    messages: list[ChatMessage] = Field(min_length=1, description="The conversation so far, oldest first.")
    max_completion_tokens: TokenCount | None = Field(default=None, description="Newer name of max_tokens.")
    tools: _unsupported([]) = None
    tool_choice: _unsupported("none") = None
    functions: _unsupported([]) = None
    function_call: _unsupported("none") = None

    def new_tokens(self) -> int | None:
        return self.max_completion_tokens if self.max_completion_tokens is not None else self.max_tokens


def _one_prompt(value: Any) -> str:
    """The one prompt of a request: a non-empty string, or a list holding exactly one."""
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    elif isinstance(value, list):
        raise ValueError(f"send exactly one prompt per request, got a list of {len(value)}")
    if not isinstance(value, str) or not value:
        raise ValueError("the prompt must be a non-empty string (or a list of exactly one)")
    return _valid_unicode(value)


_PROMPT_SCHEMA = {
    "anyOf": [
        {"type": "string", "minLength": 1},
        {"type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 1, "maxItems": 1},
    ],
    "description": "One prompt (a list must hold exactly one string).",
}


class CompletionRequest(_Request):
    prompt: Annotated[str, BeforeValidator(_one_prompt), WithJsonSchema(_PROMPT_SCHEMA)]
    echo: _unsupported(False) = None
    best_of: _unsupported(1) = None
    suffix: _unsupported("") = None


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
    action: Literal["allow", "annotate", "disclaimer", "redact", "block"]
    rules: list[str]  # names of the rules that fired (the scorers of the policy's stage)


class GuardMeta(BaseModel):
    profile: str
    input: StageMeta
    output: StageMeta | None  # None until the answer has been checked (first stream chunks)


class GenguardMeta(BaseModel):
    watermark: WatermarkMeta | None
    watermark_note: str | None = None  # why there is no watermark ("disabled", upstream ...)
    guard: GuardMeta
    # The notice appended to the answer (a `disclaimer` guard rule, or unverified citations), and
    # the citations' verdicts when the gateway's `factuality` setting is on.
    notice: str | None = None
    factuality: FactualityNote | None = None


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
