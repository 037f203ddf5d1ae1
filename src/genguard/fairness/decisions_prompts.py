"""Application prompts for the LLM-as-decision-maker audit: answer options, templates, rendering.

A template is plain text with `{field}` placeholders, filled once per table row (a field is a
column of the table, or a readable field a preset derives from coded columns). The model's
decision is read from the probability of the answer options as the next token after the prompt
(genguard.fairness.decisions_model), never parsed from free text, so a template must name the
options it offers ("Answer Approve or Deny.") and should end where the answer begins ("Answer:").

Placeholders are substituted once, as text: a value that itself holds braces is not expanded,
and a placeholder may not index, convert or format (`{0.__class__}`, `{x!r}`, `{x:>10}` are
refused), so a table cannot make a template reach into Python objects.
"""

from __future__ import annotations

import string
from collections.abc import Mapping, Sequence

from pydantic import field_validator

from genguard.errors import InvalidInputError
from genguard.types import Result

# Said before the application in the "fairness instruction" mitigation; written once, before any
# result was seen, and never tuned on the audited rows.
FAIRNESS_INSTRUCTION = (
    "Judge the application on the applicant's finances and repayment record only. The applicant's "
    "sex, age, marital status, race and origin must not influence the decision."
)
_MAX_TEMPLATE_CHARS = 20_000


class AnswerOptions(Result):
    """The two answers a decision prompt offers, each as one or more surface forms.

    `favourable` grants the outcome (" Approve"), `unfavourable` denies it (" Deny"). Forms are
    written as they follow the prompt, usually with a leading space; several forms of one answer
    (" Approve", " approve") pool their probability. `names` are the answers as the report says
    them. Each form is read by its first token (decisions_model), so no two forms of different
    answers may share one.
    """

    favourable: tuple[str, ...] = (" Approve", " approve")
    unfavourable: tuple[str, ...] = (" Deny", " deny")
    names: tuple[str, str] = ("approve", "deny")

    @field_validator("favourable", "unfavourable")
    @classmethod
    def _forms(cls, forms: tuple[str, ...]) -> tuple[str, ...]:
        if not forms or any(not isinstance(f, str) or not f.strip() for f in forms):
            raise ValueError("each answer needs at least one non-blank form, e.g. ' Approve'")
        return tuple(dict.fromkeys(forms))


def template_fields(template: str) -> list[str]:
    """The placeholder names of `template` in order of first use.

    Raises InvalidInputError for a template that is not a non-empty str, is over 20,000
    characters, has unbalanced braces, an empty placeholder, or one that indexes, converts or
    formats (see the module docstring).
    """
    if not isinstance(template, str) or not template.strip():
        raise InvalidInputError("the decision template is empty; give the application text with {fields}")
    if len(template) > _MAX_TEMPLATE_CHARS:
        raise InvalidInputError(
            f"the decision template has {len(template):,} characters (at most {_MAX_TEMPLATE_CHARS:,})"
        )
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise InvalidInputError(
            f"cannot read the decision template: {exc}; write placeholders as {{column}} and a literal "
            "brace as {{ or }}"
        ) from exc
    fields: list[str] = []
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        if not name.strip():
            raise InvalidInputError("the decision template has an empty placeholder {}; name a column in it")
        if conversion or spec or any(c in name for c in ".[]"):
            raise InvalidInputError(
                f"placeholder {{{name}{'!' + conversion if conversion else ''}{':' + spec if spec else ''}}} "
                "may only name a field: no attribute, index, conversion or format"
            )
        if name not in fields:
            fields.append(name)
    return fields


def check_template(
    template: str, answers: AnswerOptions, available: Sequence[str] | None = None
) -> list[str]:
    """Validate a decision template; returns its placeholder names.

    Raises InvalidInputError when the template has no placeholder (every applicant would get the
    same prompt), does not name both answer options in its own text (the model must be offered
    the words whose probability decides), or uses a field that is not in `available` (when given;
    the message names the missing fields and lists those there are).
    """
    fields = template_fields(template)
    if not fields:
        raise InvalidInputError(
            "the decision template has no {field} placeholder, so every applicant would get the same "
            "prompt; put the applicant's columns in it, e.g. {age}"
        )
    literal = "".join(text for text, *_ in string.Formatter().parse(template)).lower()
    for name, forms in ((answers.names[0], answers.favourable), (answers.names[1], answers.unfavourable)):
        if not any(form.strip().lower() in literal for form in forms):
            raise InvalidInputError(
                f"the decision template does not offer the answer option {name!r} (none of "
                f"{[f.strip() for f in forms]} appears in its text); the decision is read from the "
                "probability of the answer words, so the prompt must name them, e.g. "
                f"'Answer {answers.favourable[0].strip()} or {answers.unfavourable[0].strip()}.'"
            )
    if available is not None:
        missing = [f for f in fields if f not in set(available)]
        if missing:
            raise InvalidInputError(
                f"the decision template uses field(s) {missing} that the table does not have; "
                f"available: {', '.join(map(str, available))}"
            )
    return fields


def render(template: str, rows: Sequence[Mapping[str, str]], instruction: str | None = None) -> list[str]:
    """One prompt per row: each placeholder replaced by the row's value (text, inserted as is).

    `instruction`, when given, is put before the application as its own paragraph (the
    fairness-instruction mitigation). Whitespace at the template's end is dropped: the answer
    forms carry their own leading space, and "Answer: " + " Approve" would read as two spaces.
    Raises InvalidInputError naming a field a row lacks.
    """
    template_fields(template)
    parsed = list(string.Formatter().parse(template.rstrip()))
    prompts = []
    for i, row in enumerate(rows):
        parts = []
        for text, name, _, _ in parsed:
            parts.append(text)
            if name is not None:
                if name not in row:
                    raise InvalidInputError(f"row {i} has no field {name!r} for the decision template")
                parts.append(str(row[name]))
        prompt = "".join(parts)
        prompts.append(f"{instruction.strip()}\n\n{prompt}" if instruction else prompt)
    return prompts
