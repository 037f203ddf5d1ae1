"""Prompt-injection and jailbreak heuristics: hand-written patterns over evasion-normalised text.

Labels and the fixed confidence each finding gets (the text's score is the highest one):

- IGNORE_INSTRUCTIONS 0.9 - "ignore/disregard/forget (all) (the) previous instructions",
  "new instructions:", "your prior rules no longer apply" and paraphrases. Telling a model to
  drop instructions that are not the user's own has almost no benign reading; the user revising
  their own request ("ignore my previous message") is deliberately not matched.
- ROLE_PLAY_ESCAPE 0.85 - DAN / "do anything now", developer mode with restrictions lifted,
  "you are no longer bound by", "pretend you have no filters", "act as an unfiltered AI",
  "you have been jailbroken". Slightly lower: fiction and discussions of jailbreaks use the
  same words. Bare mentions ("jailbreak my iPhone", "developer mode on Windows") are not matched.
- SYSTEM_PROMPT_LEAK 0.8 - "reveal/print/repeat your system prompt / hidden instructions /
  the text above". Often mere curiosity, and harmless where the system prompt holds no secret.
- ROLE_MARKER 0.7 - chat-template tokens and fake role turns inside user text ("<|im_start|>",
  "[INST]", "<<SYS>>", "### System:", a line starting "Assistant: Sure, ..."). A strong
  structural signal, but developers also paste templates and transcripts when asking about them.
- ENCODED_PAYLOAD 0.9 - base64, hex or rot13 that decodes to text matching one of the patterns
  above, or text smuggled in invisible Unicode tag characters (U+E0000-E007F; emoji flag tag
  sequences excepted), which have no other use. 0.6 when the decoded text is merely long
  readable prose (>= 8 words, >= 30 % common English words): unusual in ordinary prompts and a
  known smuggling channel, but "please decode this" questions exist. Binary payloads (images,
  hashes, keys, UUIDs, JWT headers) and short strings ("SGVsbG8=") are not findings.

Patterns run on the text after the shared normaliser (NFKC, invisible characters, homoglyphs,
leetspeak, spacing tricks), so "1gn0re", "\u0456gnore" (Cyrillic i), "i g n o r e" and zero-width
characters do not hide a phrase; role markers and encoded runs are searched on the text after
character-level folding only (leetspeak would mangle "<|im_start|>" and base64). Spans are on
the text as given (see `genguard.text.normalize_for_matching`).

Measured by `benchmarks/injection_quality.py` (a finding with score >= 0.5 counts as flagged):

- false positives: 0.00 % of 23,674 BOLD prompts, 0.00 % of 4,163 Davidson "neither" tweets,
  0.00 % of 159 ordinary prompts written with the patterns (dev set), and 19 % (8/42) of a
  held-out set of deliberately tricky ordinary prompts (26 %, 11/42, before two fixes made after
  seeing it): questions about chat templates ("what does <|im_start|> mean"), base64 of plain
  prose, "show me the system prompt examples in the cookbook", "new instructions: use a table";
  none of 18 everyday sentences with the same words ("I will not forget what you have been to
  me", "do whatever you were told by the nurse", "you are now connected to an agent"), added to
  the held-out set after "forget what you have been" was found to match (it no longer does);
- recall: 99 % of 107 dev attacks (93-99 % after homoglyph, zero-width, spacing, leetspeak or
  upper-case evasion), but only 35 % (13/37) of attacks written after the patterns were fixed
  (27 % with evasions). Paraphrases outside the patterns ("wipe your earlier directions",
  "what did the developers tell you before I arrived?") are missed: use this scorer as a cheap
  first pass beside a trained classifier, not as the only guard.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator, Sequence

from genguard.scoring.base import check_texts, max_score, register
from genguard.text import normalize_for_matching, normalize_with_offsets
from genguard.types import Finding, ScoreResult, Span

__all__ = ["CONFIDENCE", "InjectionScorer"]

IGNORE = "IGNORE_INSTRUCTIONS"
ROLE_PLAY = "ROLE_PLAY_ESCAPE"
LEAK = "SYSTEM_PROMPT_LEAK"
ENCODED = "ENCODED_PAYLOAD"
MARKER = "ROLE_MARKER"
CONFIDENCE = {IGNORE: 0.9, ROLE_PLAY: 0.85, LEAK: 0.8, MARKER: 0.7, ENCODED: 0.9}
READABLE_ONLY = 0.6  # ENCODED_PAYLOAD whose decoded text is prose without an injection pattern

_ = r"\W*"  # between words: any punctuation or whitespace, or none (spacing tricks glue words together)

# --- IGNORE_INSTRUCTIONS ------------------------------------------------------------------------
_VERB = (
    r"(?:ignore|disregard|forget|\bskip|discard|\bdrop|abandon|override|overwrite|bypass|neglect|"
    r"set\W*aside|scratch|erase|\bdelete|\bclear|\breset|pay\W*no\W*attention\W*to|\bdismiss|throw\W*out|"
    r"do\W*not\W*(?:follow|obey|listen\W*to)|don'?t\W*(?:follow|obey|listen\W*to)|stop\W*following|"
    r"no\W*longer\W*(?:follow|obey))"
)
_DET = r"(?:(?:all|any|every|each|of|the|your|these|those|about|its|their|whatever|whole|entire)\b\W*){0,3}"
_STRONG_DET = r"(?:all|any|every|your)\b\W*(?:(?:of|the|your)\b\W*){0,2}"
_QUAL = (
    r"(?:previous|previously|prior|above|earlier|preceding|former|original|initial|old|system|existing|"
    r"current|foregoing|aforementioned|given|developer'?s?|hidden|pre\W*set|safety|ethical|"
    r"programmed)"
)
_NOUN = (
    r"(?:instructions?|directions?|directives?|rules|prompts?|guidelines?|guidance|commands?|orders|"
    r"constraints?|programming|context|system\W*messages?|tasks?|restrictions?|polic(?:y|ies)|training|"
    r"conditioning|limitations|guardrails|filters)"
)
_GIVEN = (
    r"(?:you|u)\W*(?:were|have\W*been|'?ve\W*been|got|received|was)\W*"
    r"(?:given|told|provided|received|instructed|programmed)?"
)
# "what / everything you were told": the participle is what makes it about instructions. Without
# it, "I will not forget what you have been to me" and "forget everything you were" are letters
# and novels, not injections.
_TOLD = (
    r"(?:you|u)\W*(?:were|have\W*been|'?ve\W*been|got|was)\W*"
    r"(?:told|instructed|programmed|ordered|commanded|given\W*(?:before|earlier|previously|so\W*far))"
)
_IGNORE_PATTERNS = [
    # ignore all previous instructions / pay no attention to the system message above
    _VERB + _ + _DET + _QUAL + _ + r"(?:\w+\W*){0,2}?" + _NOUN,
    # forget your instructions / ignore any rules / discard all the constraints
    _VERB + _ + _STRONG_DET + r"(?:\w+\W*){0,1}?" + _NOUN,
    # set aside every instruction you received / forget about the task you were given
    _VERB + _ + _DET + _NOUN + _ + r"(?:that\W*)?" + _GIVEN,
    # ignore the above / forget everything you were told before
    _VERB
    + _
    + r"(?:(?:all|of|the)\b\W*){0,2}(?:above|everything\W*(?:above|before|prior|"
    + _TOLD
    + r")|what(?:ever)?\W*"
    + _TOLD
    + ")",
    # ignore the user's question / the instructions from your user
    _VERB + _ + r"(?:the|your)\W*user'?s?\W*(?:question|request|query|instructions|prompt|message)",
    _VERB
    + _
    + _DET
    + _NOUN
    + _
    + r"(?:from|of|set\W*by|by)\W*(?:the\W*|your\W*)?(?:user|developers?|creators?|"
    r"openai|anthropic|system|administrators?|admins?)",
    _VERB + _ + _DET + r"system\W*(?:message|prompt)",
    # disregard the content policy / your safety guidelines
    _VERB
    + _
    + _DET
    + r"(?:content\W*polic(?:y|ies)|usage\W*polic(?:y|ies)|safety\W*(?:guidelines|rules|filters|"
    r"protocols|measures)|ethical\W*guidelines|guardrails)",
    # new instructions: / the real instructions follow / updated system directive:
    r"\b(?:new|updated|real|actual|revised|true|secret)\W*(?:system\W*)?(?:instructions?|directives?|rules|orders|tasks?)"
    r"\s*(?::|follow\b|are\W*as\W*follows)",
    # your previous instructions are void / prior rules no longer apply / were a test
    _QUAL + _ + r"(?:\w+\W*)?" + _NOUN + _ + r"(?:are|is|were|was|have\W*been|has\W*been)?\W*(?:now\W*)?"
    r"(?:void|null|revoked|cancel+ed|outdated|obsolete|invalid|over|lifted|superseded|a\W*test|no\W*longer\W*(?:valid|apply|applies|matter|in\W*effect))",
    r"\b(?:instructions|rules|guidelines|restrictions|polic(?:y|ies))\W*(?:no\W*longer|do\W*not|don'?t)\W*apply",
    # "whatever you were instructed": "told" and "given" are everyday ("do whatever you were told")
    r"whatever\W*you\W*(?:were|have\W*been|'?ve\W*been)\W*(?:instructed|programmed)",
]

# --- ROLE_PLAY_ESCAPE ---------------------------------------------------------------------------
_LIMITS = (
    r"(?:restrictions?|restraints|filters?|filtering|censorship|guardrails|guidelines|limitations|rules|"
    r"refusals|boundaries|constraints|morals|ethics|content\W*polic(?:y|ies)|safety\W*(?:measures|training))"
)
_ROLE_PLAY_PATTERNS = [
    r"do\W*anything\W*now",
    r"developer\W*mode\W*(?:enabled|activated|output)",
    r"developer\W*mode[^.!?\n]{0,80}?(?:restrict|filter|censor|polic|any\W*content|rules|refus|unfiltered)",
    r"(?:enable|enter|activate|switch\W*to)\W*developer\W*mode\W*(?:and|to)\W*(?:ignore|bypass|disable)",
    r"\b(?:you|you'?re|you\W*are|you'll)\W*(?:now\W*)?(?:no\W*longer|not|never)\W*(?:be\W*)?"
    r"(?:bound|restricted|limited|constrained|censored|filtered)\W*by",
    r"\bno\W*longer\W*(?:bound|restricted|limited|constrained)\W*by",
    r"(?:do\W*not|don'?t|never)\W*(?:have|need)\W*to\W*(?:abide\W*by|follow|obey|comply\W*with|adhere\W*to)\W*"
    r"(?:any|the|your)\W*(?:\w+\W*)?" + _LIMITS,
    r"free(?:d)?\W*(?:from|of)\W*(?:\w+\W*){0,3}(?:confines|restrictions|limitations|rules|filters|guidelines|"
    r"constraints|shackles|chains|programming)",
    r"\b(?:act|acting|pretend|roleplay|role\W*play|behave|simulate|imagine|become|answer|respond|reply|"
    r"you\W*are|you'?re|you'll\W*be|you\W*will\W*be|(?:if\W*)?you\W*(?:had|have|were)|an?\W*(?:ai|assistant|"
    r"chatbot|bot|model|language\W*model|version))\b[^.!?\n]{0,80}?\b(?:no|without(?:\W*any)?|free\W*(?:of|from)|"
    r"zero|lacks?)\W*(?:\w+\W*){0,3}?" + _LIMITS,
    r"(?:restrictions|filters|guidelines|safety\W*\w+|guardrails|limitations|censorship|training|rules|"
    r"constraints)\W*(?:have\W*been|has\W*been|are|were|is|was)\W*(?:now\W*)?(?:disabled|removed|lifted|"
    r"switched\W*off|turned\W*off|gone|deactivated|off\b)",
    r"(?:ethical|moral|safety)\W*(?:constraints|guidelines|rules|restrictions)\W*(?:do\W*not|don'?t|no\W*longer)"
    r"\W*(?:exist|apply)",
    r"\b(?:uncensored|unfiltered|unrestricted|unmoderated|amoral|unaligned|jailbroken|unchained|unlocked|"
    r"unhinged|evil)\W*(?:and\W*\w+\W*)?(?:ai|a\W*i|assistant|chat\W*bot|bot|model|language\W*model|llm|gpt|"
    r"mode|version|persona|character)\b",
    r"jailbreak\W*mode|(?:you|i)\W*(?:have\W*been|'?ve\W*been|are\W*now|'?re\W*now|am\W*now|'?m\W*now)\W*jailbroken"
    r"|(?:this\W*is\W*a|activate|enable|initiate|start)\W*jailbreak\b",
    r"\b(?:god|evil|chaos|unrestricted|unlimited|no\W*limits?)\W*mode\b[^.!?\n]{0,40}?(?:no\W*rules|no\W*filters|"
    r"anything|restrict)",
]

# --- SYSTEM_PROMPT_LEAK -------------------------------------------------------------------------
_LEAK_VERB = (
    r"\b(?:reveal|print|show|display|output|repeat|echo|dump|leak|share|tell|give|write\W*out|spell\W*out|"
    r"copy|paste|quote|recite|disclose|expose|list|state|translate|summari[sz]e|provide|return|"
    r"what\W*(?:is|are|was|were|does|did|do))\b"
)
_PROMPT = (
    r"(?:system\W*(?:prompt|message|instructions?)|(?:hidden|secret|confidential|internal)\W*(?:prompt|"
    r"instructions?|rules|message|guidelines)|(?:initial|original|initialization|starting|opening|"
    r"configuration|config|developer|pre|meta|base)\W*(?:prompt|instructions?|message|text)|pre\W*prompt)"
)
_LEAK_PATTERNS = [
    _LEAK_VERB + r"\W*(?:\w+\W*){0,3}?(?:your|the|my|its)\W*(?:\w+\W*){0,2}?" + _PROMPT,
    r"\b(?:leak|reveal|dump|disclose|expose|print|output|show\W*me|repeat|echo)\W*(?:back\W*)?(?:\w+\W*)?your\W*"
    r"(?:full\W*|entire\W*|whole\W*|exact\W*|complete\W*)?(?:prompt|instructions|rules|guidelines)\b",
    r"\b(?:repeat|print|output|copy|echo|show|write|display)\W*(?:\w+\W*){0,2}?(?:text|words|everything|all|content)"
    r"\W*(?:written\W*)?(?:above|before\W*(?:this|my|the)\W*(?:message|line|point|conversation))",
    _LEAK_VERB + r"[^.!?\n]{0,40}?(?:prompt|instructions|rules|guidelines|directives)\W*(?:that\W*)?"
    r"(?:you\W*(?:were|have\W*been|'?ve\W*been)\W*(?:given|told|provided|fed)|you\W*(?:received|got))",
]

# --- ROLE_MARKER (character-level folding only) --------------------------------------------------
_MARKER_PATTERNS = [
    r"<\|\s*(?:im_start|im_end|system|user|assistant|endoftext|start_header_id|end_header_id|eot_id|"
    r"begin_of_text|end_of_turn|start_of_turn)\s*\|>",
    r"\[/?inst\]|<</?sys>>|<start_of_turn>|<end_of_turn>",
    r"</?(?:system|assistant|im_start|developer)>",
    r"\[system(?:\s+[a-z]+)*\](?:\(#\w+\))?",
    r"^[ \t]*#{1,6}[ \t]*(?:system|assistant|developer)[ \t]*:",
    r"^[ \t]*#{2,6}[ \t]*(?:instruction|response)[ \t]*:",
    # a line starting with a role label, followed by something addressed to or spoken by a model
    r"^[ \t]*(?:system|assistant|developer|ai)[ \t]*:[^\n]*?"
    r"\b(?:you|your|must|now|all|allowed|sure|here\W*is|i\W*will|ignore|reveal|grant|rules|policy)\b",
    r"end\W*of\W*(?:the\W*)?user\W*(?:input|prompt|message)",
]
# Case matters here: "DAN" the persona, not Dan the neighbour; "SYSTEM:" shouted mid-line.
_CASED = {
    ROLE_PLAY: re.compile(
        r"(?i:\b(?:as|be|called|named|am|are|you're|stay|mode)\W*(?:a\W*)?)DAN\b"
        r"|\bDAN\W*(?i:(?:mode|can|which\W*stands|has\W*been|is\W*an?|will|does)\b)"
    ),
    MARKER: re.compile(r"(?<=[.!?] )SYSTEM\s*:"),
}

# Words one of which every match of a category contains (substrings of the lower-cased text):
# the verb or the noun each IGNORE pattern requires, the limit, mode or persona word each
# ROLE_PLAY pattern requires. A text without any is not searched: the full alternation costs
# about 1 ms per sentence at every position, the gate a few microseconds. Exactness (no text
# the full pattern matches is gated out) is checked in tests/scoring/test_injection_gates.py.
_GATE_WORDS = {
    IGNORE: (
        "ignore disregard forget skip discard drop abandon override overwrite bypass neglect aside "
        "scratch erase delete clear reset attention dismiss throw follow obey listen "
        "instruction direction directive rule prompt guideline guidance command order constraint "
        "programming context message task restriction polic training conditioning limitation "
        "guardrail filter whatever"
    ),
    ROLE_PLAY: (
        "anything developer bound restrict limit constrain censor filter restraint guardrail guideline "
        "rule refusal boundar moral ethic polic safety free training moderated aligned jailb chained "
        "locked hinged evil mode"
    ),
}
_GATES = {label: re.compile("|".join(words.split())) for label, words in _GATE_WORDS.items()}

# Compiled without IGNORECASE and run on lower-cased text: the same matches, several times faster.
_CATEGORIES = [
    (IGNORE, re.compile("|".join(f"(?:{p})" for p in _IGNORE_PATTERNS))),
    (ROLE_PLAY, re.compile("|".join(f"(?:{p})" for p in _ROLE_PLAY_PATTERNS))),
    (LEAK, re.compile("|".join(f"(?:{p})" for p in _LEAK_PATTERNS))),
]


def _category_matches(label: str, pattern: re.Pattern[str], lower: str) -> Iterator[re.Match[str]]:
    """pattern.finditer(lower), or nothing where the category's gate finds none of its words."""
    gate = _GATES.get(label)
    if gate is not None and gate.search(lower) is None:
        return iter(())
    return pattern.finditer(lower)


_MARKER = re.compile("|".join(f"(?:{p})" for p in _MARKER_PATTERNS), re.MULTILINE)

# --- ENCODED_PAYLOAD ----------------------------------------------------------------------------
_BASE64 = re.compile(r"(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{20,}={0,2}(?![A-Za-z0-9+/_=-])")
_HEX = re.compile(
    r"(?<![0-9A-Za-z])(?:[0-9A-Fa-f]{2}){12,}(?![0-9A-Za-z])"
    r"|(?:[0-9A-Fa-f]{2}[ :,-]){11,}[0-9A-Fa-f]{2}(?![0-9A-Za-z])"
    r"|(?:\\x[0-9A-Fa-f]{2}){12,}"
)
_TAGS = re.compile("[\U000e0000-\U000e007f]+")
_FLAG = "\U0001f3f4"  # black flag: followed by tag characters it spells a subdivision flag (England ...)
_ROT13 = str.maketrans(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
    "NOPQRSTUVWXYZABCDEFGHIJKLMnopqrstuvwxyzabcdefghijklm",
)
_SEGMENT = re.compile(r"[^.!?\n:;()\[\]{}<>\"]+")
_WORD = re.compile(r"[A-Za-z]+(?:'[a-z]+)?")
# The commonest English words: readable prose is full of them, rot13 and binary noise are not.
_COMMON = frozenset(
    """
    a about after all also am an and any are as at back be because been but by can come could day
    did do does even first for from get give go good had has have he her him his how i if ignore in
    instructions into is it its just know like look make me most my new no not now of on one only or
    other our out over people please previous prompt rules say see she show so some step steps
    system take tell than that the their them then there these they think this time to two up us use
    want was way we well were what when which who will with without work would year you your
    """.split()  # noqa: SIM905
)
MIN_PROSE_WORDS = 8


def _common_ratio(text: str) -> tuple[int, float]:
    words = _WORD.findall(text)
    if not words:
        return 0, 0.0
    return len(words), sum(w.lower() in _COMMON for w in words) / len(words)


def _is_prose(text: str) -> bool:
    """Whether decoded text reads as natural language: >= 8 words, >= 30 % of them common English."""
    printable = sum(c.isprintable() or c in "\n\t" for c in text)
    if printable < 0.95 * len(text):
        return False
    n, ratio = _common_ratio(text)
    return n >= MIN_PROSE_WORDS and ratio >= 0.3


def _decode_base64(run: str) -> str | None:
    run = run.rstrip("=")
    if len(run) % 4 == 1:
        return None
    padded = run + "=" * (-len(run) % 4)
    try:
        raw = base64.urlsafe_b64decode(padded.replace("+", "-").replace("/", "_"))
        return raw.decode("utf-8")
    except (binascii.Error, ValueError):
        return None


def _decode_hex(run: str) -> str | None:
    digits = re.sub(r"\\x|[ :,-]", "", run)
    try:
        return bytes.fromhex(digits).decode("utf-8")
    except ValueError:
        return None


def _has_pattern(text: str) -> bool:
    """Whether decoded text itself carries an injection pattern (after the shared normaliser)."""
    clean = normalize_for_matching(text)[0]
    lower = _lower(clean)
    return (
        any(next(_category_matches(label, p, lower), None) for label, p in _CATEGORIES)
        or any(p.search(clean) for p in _CASED.values())
        or bool(_MARKER.search(_lower(text)))
    )


class InjectionScorer:
    """Prompt-injection and jailbreak findings; `score` is the highest finding confidence, 0 if none.

    Confidences are fixed per label (see the module docstring for the reasons): IGNORE_INSTRUCTIONS
    0.9, ROLE_PLAY_ESCAPE 0.85, SYSTEM_PROMPT_LEAK 0.8, ROLE_MARKER 0.7, ENCODED_PAYLOAD 0.9 (0.6
    for decoded prose without an injection pattern). Treat score >= 0.5 as flagged: measured
    false-positive rate 0.00 % on BOLD prompts and ordinary tweets, 19 % on a held-out set of
    deliberately tricky ordinary prompts; recall 35 % on held-out attacks (99 % on the dev set).
    """

    name = "injection"
    combine = staticmethod(max_score)  # a text scores its strongest piece
    model_id = "genguard-injection-rules/1"

    def score(self, texts: Sequence[str]) -> list[ScoreResult]:
        """One ScoreResult per text: findings sorted by position, spans in characters of the text as given.

        InvalidInputError for a bare string, non-str items or texts over the size limit.
        """
        return [self._score_one(text) for text in check_texts(texts)]

    def _score_one(self, text: str) -> ScoreResult:
        found: list[tuple[str, float, int, int]] = []  # label, confidence, start, end (original text)

        def add(label: str, conf: float, m: re.Match[str], offsets: list[int]) -> None:
            found.append((label, conf, offsets[m.start()], offsets[m.end() - 1] + 1))

        clean, offsets = normalize_for_matching(text)  # every evasion trick undone
        chars, char_offsets = normalize_with_offsets(text)  # NFKC, invisible, homoglyphs only
        lower, chars_lower = _lower(clean), _lower(chars)
        for label, pattern in _CATEGORIES:
            for m in _category_matches(label, pattern, lower):
                add(label, CONFIDENCE[label], m, offsets)
        for view, view_offsets in ((lower, offsets), (chars_lower, char_offsets)):
            for m in _MARKER.finditer(view):
                add(MARKER, CONFIDENCE[MARKER], m, view_offsets)
        for label, pattern in _CASED.items():
            for m in pattern.finditer(clean):
                add(label, CONFIDENCE[label], m, offsets)

        for regex, decode in ((_BASE64, _decode_base64), (_HEX, _decode_hex)):
            for m in regex.finditer(chars):
                decoded = decode(m.group(0))
                if decoded and _has_pattern(decoded):
                    add(ENCODED, CONFIDENCE[ENCODED], m, char_offsets)
                elif decoded and _is_prose(decoded):
                    add(ENCODED, READABLE_ONLY, m, char_offsets)
        for m in _SEGMENT.finditer(chars):  # rot13: gibberish as given, English once rotated
            n, ratio = _common_ratio(m.group(0))
            if n < 3 or ratio > 0.2:
                continue
            rotated = m.group(0).translate(_ROT13)
            ratio13 = _common_ratio(rotated)[1]
            if ratio13 <= ratio:
                continue
            if _has_pattern(rotated):
                add(ENCODED, CONFIDENCE[ENCODED], m, char_offsets)
            elif n >= MIN_PROSE_WORDS and ratio < 0.1 and ratio13 >= 0.3:
                add(ENCODED, READABLE_ONLY, m, char_offsets)
        for m in _TAGS.finditer(text):  # text hidden in tag characters, found before normalisation
            if m.start() > 0 and text[m.start() - 1] == _FLAG and m.group(0).endswith("\U000e007f"):
                continue
            hidden = "".join(chr(ord(c) - 0xE0000) for c in m.group(0) if 0xE0020 <= ord(c) <= 0xE007E)
            if hidden.strip():
                found.append((ENCODED, CONFIDENCE[ENCODED], m.start(), m.end()))

        findings = [
            Finding(scorer=self.name, label=label, score=conf, span=Span(start=start, end=end, label=label))
            for label, conf, start, end in _merge(found)
        ]
        return ScoreResult(
            scorer=self.name,
            model_id=self.model_id,
            score=max((f.score for f in findings), default=0.0),
            findings=findings,
        )


def _lower(text: str) -> str:
    """Lower case, one character for one (a few letters, such as U+0130, would otherwise grow)."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


def _merge(found: list[tuple[str, float, int, int]]) -> list[tuple[str, float, int, int]]:
    """Overlapping findings of one label merged (highest confidence kept), sorted by position."""
    merged: list[tuple[str, float, int, int]] = []
    for label, conf, start, end in sorted(found, key=lambda f: (f[0], f[2], f[3])):
        if merged and merged[-1][0] == label and start < merged[-1][3]:
            _l, c, s, e = merged[-1]
            merged[-1] = (label, max(c, conf), s, max(e, end))
        else:
            merged.append((label, conf, start, end))
    return sorted(merged, key=lambda f: (f[2], f[3], f[0]))


register("injection", InjectionScorer)
