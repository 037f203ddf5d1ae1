"""Encoded payloads in a text, decoded: what a model reads when a prompt says "decode this and do it".

An attacker hides an instruction from a classifier by encoding it (base64, hex, a cipher) and asks
the model to decode and follow it; the classifier sees only the frame ("decode this and do what it
says") and a run of noise. `payloads(text)` finds runs that decode to readable text and returns
the decoded text with the run's span, so that a scorer can read the payload itself.

Decoders (each run must decode to readable text, see `_readable`, or it is not a payload):
base64 and base64url (the bytes as UTF-8, UTF-16 or bz2/gzip/zlib-compressed UTF-8), base32,
base58 (Bitcoin alphabet), Ascii85 between <~ ~>, hex (plain, spaced, \\x escapes), CSS and JS
escapes (\\53 \\74, \\u0053), percent-encoding, MIME encoded-words (=?UTF-8?B?...?=, Q too),
punycode words (xn--), Morse, 8-bit binary, Unicode tag characters, regional-indicator and
enclosed letters, and for runs of Latin words that are not English: rot13, every Caesar shift,
Atbash and reversal, kept where the result holds far more common English words than the run.

Bounded work: at most MAX_PAYLOADS payloads per text and MAX_DECODED characters each, and a
compressed payload is inflated to at most MAX_DECODED bytes, so a decompression bomb costs nothing.
"""

from __future__ import annotations

import base64
import binascii
import bz2
import re
import unicodedata
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from email.errors import HeaderParseError
from email.header import decode_header
from urllib.parse import unquote

import numpy as np

__all__ = ["MAX_DECODED", "MAX_PAYLOADS", "Payload", "payloads"]

MAX_PAYLOADS = 8
MAX_DECODED = 4000  # characters of decoded text kept per payload (a prompt's worth)
MIN_CHARS = 12  # shorter decoded strings ("SGVsbG8=" -> "Hello") carry no instruction


@dataclass(frozen=True)
class Payload:
    """A decoded run: [start, end) in the text as given, the decoder's name, the decoded text."""

    start: int
    end: int
    method: str
    text: str


# --- readability ---------------------------------------------------------------------------------
_COMMON = frozenset(
    """
    a about after all also am an and any are as at be been but by can do does for from get give has
    have how i if ignore in instructions into is it its just me my new no not now of on only or our
    out please previous prompt rules say secret show system tell that the their them then this to
    up us was we what when which who will with you your
    """.split()  # noqa: SIM905
)
_LATIN_WORD = re.compile(r"[A-Za-z]+")
_LONG_COMMON = frozenset(w for w in _COMMON if len(w) >= 3)


def _common_share(text: str) -> float:
    """The share of Latin words that are among the commonest English ones."""
    words = _LATIN_WORD.findall(text.lower())
    return sum(map(_COMMON.__contains__, words)) / len(words) if words else 0.0


def _english(text: str) -> bool:
    """Whether text reads as English: >= 40 % common words and >= 3 different ones of 3+ letters
    (chance hits on "a", "i", "no", "do" do not count on their own)."""
    words = _LATIN_WORD.findall(text.lower())
    return len(_LONG_COMMON.intersection(words)) >= 3 and _common_share(text) >= 0.4


def _script(c: str) -> str:
    name = unicodedata.name(c, "?").split()[0]
    return "CJK" if name in ("HIRAGANA", "KATAKANA", "IDEOGRAPHIC") else name


def _main_script_share(text: str) -> float:
    """The share of the letters written in the commonest script (Latin, Cyrillic, CJK with kana,
    Hangul ...). Text in a language is mostly one script; bytes wrongly read as UTF-16 scatter
    over the whole plane (CJK, Hangul, Yi, Tamil ...), about a third CJK."""
    scripts = Counter(_script(c) for c in text if c.isalpha())
    return max(scripts.values()) / sum(scripts.values()) if scripts else 0.0


def _readable(text: str) -> bool:
    """Whether decoded text reads as language in any script: printable, mostly letters and spaces,
    words of plausible length (binary noise decoded as Latin-1 or UTF-16 fails one of these)."""
    text = text.strip()
    if len(text) < MIN_CHARS:
        return False
    if sum(c.isprintable() or c in "\n\t" for c in text) < 0.97 * len(text):
        return False
    letters = sum(c.isalpha() for c in text)
    if letters < 0.6 * len(text.replace(" ", "")):
        return False
    if _main_script_share(text) < 0.8:
        return False
    words = text.split()
    if len(words) >= 3:
        return 2 <= letters / len(words) <= 15
    # scripts written without spaces (Chinese, Japanese, Thai) decode to one long "word"
    return sum(ord(c) > 0x2E80 for c in text) >= 0.5 * letters


def _utf8_or_16(raw: bytes) -> str | None:
    """The bytes as text: decompressed where they are bz2, gzip or zlib, then UTF-8, else UTF-16
    (BOM or little-endian, the way Windows tools write it)."""
    raw = _inflated(raw)
    if raw is None:
        return None
    encodings = ["utf-8", "utf-16"] if raw.count(0) < len(raw) // 4 else ["utf-16", "utf-16-le", "utf-16-be"]
    for encoding in encodings:
        try:
            return raw.decode(encoding)[:MAX_DECODED]
        except UnicodeDecodeError:
            continue
    return None


def _inflated(raw: bytes) -> bytes | None:
    try:
        if raw.startswith(b"BZh"):
            d = bz2.BZ2Decompressor()
            return d.decompress(raw, max_length=MAX_DECODED)
        if raw.startswith(b"\x1f\x8b") or (
            len(raw) > 2 and raw[0] == 0x78 and (raw[0] * 256 + raw[1]) % 31 == 0
        ):
            wbits = 31 if raw[0] == 0x1F else 15
            return zlib.decompressobj(wbits).decompress(raw, MAX_DECODED)
    except (OSError, ValueError, EOFError, zlib.error):
        return None
    return raw


# --- decoders: (regex over the text, run -> decoded text or None) ---------------------------------
def _base64(run: str) -> str | None:
    run = re.sub(r"\s+", "", run).rstrip("=")
    if len(run) % 4 == 1:
        return None
    try:
        raw = base64.urlsafe_b64decode(run.replace("+", "-").replace("/", "_") + "=" * (-len(run) % 4))
    except (binascii.Error, ValueError):
        return None
    return _utf8_or_16(raw)


def _base32(run: str) -> str | None:
    run = run.rstrip("=")
    try:
        return _utf8_or_16(base64.b32decode(run + "=" * (-len(run) % 8)))
    except (binascii.Error, ValueError):
        return None


_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def _base58(run: str) -> str | None:
    n = 0
    for c in run:
        n = n * 58 + _B58.index(c)
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return _utf8_or_16(b"\0" * (len(run) - len(run.lstrip("1"))) + raw)


def _ascii85(run: str) -> str | None:
    try:
        return _utf8_or_16(base64.a85decode(run, adobe=True))
    except (ValueError, binascii.Error):
        return None


def _hex(run: str) -> str | None:
    digits = re.sub(r"\\x|0x|[\s:,-]", "", run)
    try:
        return _utf8_or_16(bytes.fromhex(digits))
    except ValueError:
        return None


def _escapes(run: str) -> str | None:
    """CSS escapes (\\53 or \\000053, a space may end one) and JS escapes (\\u0053, \\x53)."""
    try:
        return re.sub(
            r"\\(?:u\{?([0-9A-Fa-f]{1,6})\}?|x([0-9A-Fa-f]{2})|([0-9A-Fa-f]{1,6}) ?)",
            lambda m: chr(int(m.group(1) or m.group(2) or m.group(3), 16)),
            run,
        )
    except (ValueError, OverflowError):
        return None


def _percent(run: str) -> str | None:
    return unquote(run.replace("+", " "), errors="strict") if "%" in run else None


def _mime(run: str) -> str | None:
    try:
        parts = decode_header(run)
    except (ValueError, LookupError, binascii.Error, HeaderParseError):
        return None
    out = []
    for part, charset in parts:
        if isinstance(part, bytes):
            try:
                part = part.decode(charset or "utf-8")
            except (LookupError, UnicodeDecodeError):
                return None
        out.append(part)
    return "".join(out)


def _punycode(run: str) -> str | None:
    words = []
    for word in run.split():
        try:
            words.append(
                word[4:].encode("ascii").decode("punycode") if word.lower().startswith("xn--") else word
            )
        except (UnicodeError, ValueError):
            return None
    return " ".join(words)


_MORSE_CODES = (
    ".- -... -.-. -.. . ..-. --. .... .. .--- -.- .-.. -- -. --- .--. --.- .-. ... - ..- ...- .-- -..- "
    "-.-- --.. ----- .---- ..--- ...-- ....- ..... -.... --... ---.. ----."
)
_MORSE = dict(zip(_MORSE_CODES.split(), "abcdefghijklmnopqrstuvwxyz0123456789", strict=True))


def _morse(run: str) -> str | None:
    words = []
    for word in re.split(r"\s*[/|]\s*|\s{3,}", run.replace("\u2022", ".").replace("\u2013", "-").strip()):
        letters = [_MORSE.get(code) for code in word.split()]
        if not letters or None in letters:
            return None
        spelled = "".join(letters)  # type: ignore[arg-type]
        if not (spelled.isalpha() or spelled.isdigit()):  # dot groups of tap code read as Morse
            return None
        words.append(spelled)
    return " ".join(words)


def _binary(run: str) -> str | None:
    bits = re.sub(r"\s", "", run)
    if len(bits) % 8:
        return None
    return _utf8_or_16(int(bits, 2).to_bytes(len(bits) // 8, "big"))


def _tags(run: str) -> str | None:
    return "".join(chr(ord(c) - 0xE0000) for c in run if 0xE0020 <= ord(c) <= 0xE007E)


# Regional indicators (flags), and the enclosed letters NFKC leaves alone (negative circled and
# squared): each stands for one Latin letter.
_LETTER_BLOCKS = ((0x1F1E6, 0x1F1FF), (0x1F150, 0x1F169), (0x1F170, 0x1F189), (0x1F130, 0x1F149))


def _letters(run: str) -> str | None:
    out = []
    for c in run:
        code = ord(c)
        for first, last in _LETTER_BLOCKS:
            if first <= code <= last:
                out.append(chr(ord("a") + code - first))
                break
        else:
            if c.isspace() or c in ",.!?'-":
                out.append(c)
    return "".join(out)


_B64_CHARS = r"A-Za-z0-9+/_\-"
_LONG_RUN = re.compile(r"[A-Za-z0-9+/_=-]{16,}")  # base16/32/58/64 runs are at least this long


def _has(*needles: str) -> Callable[[str], bool]:
    return lambda text: any(n in text for n in needles)


def _astral(text: str) -> bool:  # tag characters and enclosed letters lie beyond U+1F000
    return max(text) >= "\U0001f130"


# (name, a cheap test a text must pass before the decoder's regex runs over it, regex, decoder)
_DECODERS: tuple[tuple[str, Callable[[str], bool], re.Pattern[str], Callable[[str], str | None]], ...] = (
    (
        "mime",
        _has("=?"),
        re.compile(r"=\?[\w-]+\?[BbQq]\?[^?\s]+\?=(?:\s*=\?[\w-]+\?[BbQq]\?[^?\s]+\?=)*"),
        _mime,
    ),
    ("ascii85", _has("<~"), re.compile(r"<~[!-u\s]{10,}?~>"), _ascii85),
    (
        "hex",
        lambda text: True,
        re.compile(
            r"(?<![0-9A-Za-z])(?:[0-9A-Fa-f]{2}){8,}(?![0-9A-Za-z])"
            r"|(?:(?:0x)?[0-9A-Fa-f]{2}[ :,-]){7,}(?:0x)?[0-9A-Fa-f]{2}(?![0-9A-Za-z])"
            r"|(?:\\x[0-9A-Fa-f]{2}){8,}"
        ),
        _hex,
    ),
    (
        "escapes",
        _has("\\"),
        re.compile(r"(?:\\(?:u\{?[0-9A-Fa-f]{4,6}\}?|x[0-9A-Fa-f]{2}|[0-9A-Fa-f]{1,6} ?)){6,}"),
        _escapes,
    ),
    ("percent", _has("%"), re.compile(r"(?:[\w.~+-]*%[0-9A-Fa-f]{2}){6,}[\w.~+-]*"), _percent),
    ("binary", _has("0000", "0100", "0110"), re.compile(r"(?<![01])(?:[01]{8}\s?){4,}"), _binary),
    (
        "morse",
        _has(".-", "-.", "..", "--", "\u2022"),
        re.compile(r"(?<![\w.-])(?:[.\-\u2022\u2013]{1,6}[ /|]+){5,}[.\-\u2022\u2013]{1,6}(?![\w.-])"),
        _morse,
    ),
    (
        "punycode",
        _has("xn--", "XN--", "Xn--"),
        re.compile(r"(?:xn--[a-z0-9-]+(?:\s+|$)){2,}|xn--[a-z0-9-]{6,}", re.IGNORECASE),
        _punycode,
    ),
    ("base32", _LONG_RUN.search, re.compile(r"(?<![A-Za-z0-9])[A-Z2-7]{16,}={0,6}(?![A-Za-z0-9=])"), _base32),
    ("base58", _LONG_RUN.search, re.compile(rf"(?<![{_B58}])[{_B58}]{{20,}}(?![{_B58}+/=])"), _base58),
    # base64 last: a hex or base32 run is also a valid base64 run
    (
        "base64",
        _LONG_RUN.search,
        re.compile(rf"(?<![{_B64_CHARS}])[{_B64_CHARS}]{{16,}}(?:\s*\n\s*[{_B64_CHARS}]{{4,}})*={{0,2}}"),
        _base64,
    ),
    ("tags", _astral, re.compile("[\U000e0020-\U000e007e]{4,}"), _tags),
    (
        "letters",
        _astral,
        re.compile(r"(?:[\U0001F1E6-\U0001F1FF\U0001F130-\U0001F189][\s\u200b,.!?'-]*){4,}"),
        _letters,
    ),
)

# --- classical ciphers on Latin words: kept where the result reads as English -------------------
_LATIN_RUN = re.compile(r"[A-Za-z][A-Za-z' \t,.!?-]{14,}[A-Za-z.!?]")  # within a line
_LOWER = "abcdefghijklmnopqrstuvwxyz"
_SHIFTS = [
    str.maketrans(_LOWER + _LOWER.upper(), _LOWER[k:] + _LOWER[:k] + (_LOWER[k:] + _LOWER[:k]).upper())
    for k in range(26)
]
_ATBASH = str.maketrans(_LOWER + _LOWER.upper(), _LOWER[::-1] + _LOWER[::-1].upper())
# English letter frequencies (per cent, a-z): a Caesar shift is found by frequency analysis, one
# candidate instead of 25.
_FREQ = np.log(
    np.array(
        [
            8.2,
            1.5,
            2.8,
            4.3,
            12.7,
            2.2,
            2.0,
            6.1,
            7.0,
            0.15,
            0.77,
            4.0,
            2.4,
            6.7,
            7.5,
            1.9,
            0.095,
            6.0,
            6.3,
            9.1,
            2.8,
            0.98,
            2.4,
            0.15,
            2.0,
            0.074,
        ]
    )
)
# row k: the log-frequency each letter c would have if shifting by k made it English
_SHIFT_SCORES = np.stack([np.roll(_FREQ, -k) for k in range(26)])


def _rot47(text: str) -> str:
    return "".join(chr(33 + (ord(c) - 33 + 47) % 94) if 33 <= ord(c) <= 126 else c for c in text)


def _ciphers(run: str) -> tuple[str, str] | None:
    """(method, English text) for a run of 4+ Latin words under 10 % common English words that a
    Caesar shift (the one frequency analysis picks), Atbash or reversal turns into English
    (`_english`), else None."""
    if len(_LATIN_WORD.findall(run)) < 4 or _common_share(run) >= 0.1:
        return None
    letters = np.frombuffer(run.lower().encode("ascii", "ignore"), np.uint8)
    counts = np.bincount(letters[(letters >= 97) & (letters <= 122)] - 97, minlength=26)
    k = int(np.argmax(_SHIFT_SCORES @ counts))
    candidates = [(f"caesar{26 - k}", run.translate(_SHIFTS[k])), ("atbash", run.translate(_ATBASH))]
    candidates.append(("reversed", run[::-1]))
    for method, text in candidates:
        if _english(text):
            return method, text
    return None


_ROT47_DIGITS = "0123456789:;<=>?@"
_ROT47_RUN = re.compile(r"[!-~][!-~\u00c0-\u024f]*(?:[ \t]+[!-~\u00c0-\u024f]+){3,}")


def payloads(text: str) -> list[Payload]:
    """The encoded runs of `text` that decode to readable text, in order of position, at most
    MAX_PAYLOADS (see the module docstring for the decoders); [] for ordinary text. A run claimed
    by one decoder is not offered to the next (a hex run is also base64), and a decoded payload is
    not decoded again (nested encodings are rare and costly)."""
    found: list[Payload] = []
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in taken)

    if not text:
        return []
    for name, gate, regex, decode in _DECODERS:
        if not gate(text):
            continue
        for m in regex.finditer(text):
            if not free(m.start(), m.end()):
                continue
            try:
                decoded = decode(m.group(0))
            except (ValueError, UnicodeError, OverflowError):
                decoded = None
            if decoded and decoded.strip() != m.group(0).strip() and _readable(decoded):
                found.append(Payload(m.start(), m.end(), name, decoded[:MAX_DECODED]))
                taken.append((m.start(), m.end()))
            if len(found) >= MAX_PAYLOADS:
                return sorted(found, key=lambda p: p.start)
    for m in _LATIN_RUN.finditer(text):
        hit = _ciphers(m.group(0)) if free(m.start(), m.end()) else None
        if hit is not None:
            found.append(Payload(m.start(), m.end(), hit[0], hit[1]))
            taken.append((m.start(), m.end()))
    # lower-case English under ROT47 is digits and :;<=>?@ (a-z -> 2-K)
    for m in _ROT47_RUN.finditer(text) if sum(map(text.count, _ROT47_DIGITS)) >= 12 else ():
        if free(m.start(), m.end()) and _common_share(m.group(0)) < 0.1:
            rotated = _rot47(m.group(0))
            if _english(rotated):
                found.append(Payload(m.start(), m.end(), "rot47", rotated))
                taken.append((m.start(), m.end()))
    return sorted(found, key=lambda p: p.start)[:MAX_PAYLOADS]
