"""Normalised text comparison: case, whitespace, punctuation at the ends, leading articles; doubt marks."""

from __future__ import annotations

import re
import unicodedata

_ARTICLES = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)
_SPACE = re.compile(r"\s+")
# Compatibility characters whose NFKC form would change what an answer says rather than how it is spelled.
_SCRIPTS = {"<super>": "^", "<sub>": "_"}
_KEPT_AS_WRITTEN = frozenset(("<circle>", "<fraction>"))
# The blocks that hold such characters (superscripts, subscripts, modifier letters, number forms, enclosed
# alphanumerics): only these are looked up one by one, the rest of the text is folded in one call.
_MAYBE_SCRIPT = re.compile(
    "[\u00aa\u00b2\u00b3\u00b9\u00ba\u00bc-\u00be\u02b0-\u02ff\u1d2c-\u1dbf\u2070-\u209f\u2120-\u2122"
    "\u2150-\u218f\u2460-\u24ff\u2776-\u2793\u2c7c\u2c7d\u3192-\u319f\u3200-\u33ff\ua69c\ua69d\ua770"
    "\ua7f8\ua7f9\uab5c-\uab5f\U0001e030-\U0001e06d\U0001f100-\U0001f1ff]"
)


# Characters that show nothing and mean nothing in an answer: zero-width space, non-joiner and joiner, word
# joiner, zero-width no-break space (BOM) and soft hyphen. They are dropped, so text reads as displayed
# (``112\u200b`` is 112; ``112\u200b113`` is 112113). Bidirectional controls (U+202A-U+202E,
# U+2066-U+2069, U+200E, U+200F) are kept: they reorder what is displayed, so text holding them is not
# what it shows, and readers refuse it.
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_DROP_INVISIBLE = dict.fromkeys(map(ord, INVISIBLE))


def fold_unicode(text: str) -> str:
    """NFKC (full-width ``４２`` is 42, ``ｏｒ`` is ``or``), except where folding would rewrite the answer.

    Plain NFKC glues a superscript or subscript onto the number before it (``48²`` becomes 482,
    ``4.92₃`` becomes 4.923) and turns ``①`` into 1 and ``1½`` into ``11⁄2``. Here a run of superscripts
    or subscripts becomes LaTeX (``48^{2}``, ``m^{-1}``, ``x_{3}``), and circled digits and vulgar
    fractions stay as written, so no reader takes them for digits of a plain number. Invisible characters
    (:data:`INVISIBLE`: zero-width spaces and joiners, the BOM, the soft hyphen) are dropped, so a value
    reads as it is displayed; bidirectional controls are kept.
    """
    if text.isascii():
        return text
    text = text.translate(_DROP_INVISIBLE)
    pieces: list[str] = []
    pos = 0  # text before it is in pieces
    run_kind, run_start, run_end = "", 0, 0  # the open run of scripts, text[run_start:run_end]

    def close_run() -> None:
        folded = unicodedata.normalize("NFKC", text[run_start:run_end]).replace("\u2212", "-")
        pieces.append(f"{_SCRIPTS[run_kind]}{{{folded}}}")

    for m in _MAYBE_SCRIPT.finditer(text):
        i = m.start()
        tag = unicodedata.decomposition(text[i]).split(" ", 1)[0]
        if tag not in _SCRIPTS and tag not in _KEPT_AS_WRITTEN:
            continue
        if run_kind and not (tag == run_kind and i == run_end):
            close_run()
            pos, run_kind = run_end, ""
        if tag in _SCRIPTS:
            if not run_kind:
                pieces.append(unicodedata.normalize("NFKC", text[pos:i]))
                run_kind, run_start = tag, i
            run_end = i + 1
        else:
            pieces.append(unicodedata.normalize("NFKC", text[pos:i]) + text[i])
            pos = i + 1
    if run_kind:
        close_run()
        pos = run_end
    pieces.append(unicodedata.normalize("NFKC", text[pos:]))
    return "".join(pieces)


# Question marks that NFKC leaves alone or folds into something else (the Greek one becomes ";"): inverted,
# Arabic, reversed, Ethiopic, APL, interrobang, emoji. The full-width and small forms fold to "?".
_DOUBT_MARKS = re.compile(
    "[?\u00bf\u037e\u061f\u1367\u203d\u2047-\u2049\u2370\u2753\u2754\u2e2e\ufe16\ufe56\uff1f]"
)
_ESCAPED_CHAR = re.compile(
    r"(?<!\\)\\(?:u([0-9a-fA-F]{4})|x([0-9a-fA-F]{2})|U([0-9a-fA-F]{8})|([0-7]{1,3})|N\{([^{}]{1,80})\})"
)


def _spelled(m: re.Match[str]) -> str:
    """The character a JSON or Python escape spells ("" for a name or number that spells none)."""
    hex4, hex2, hex8, octal, name = m.groups()
    try:
        if name is not None:
            return unicodedata.lookup(name)
        return chr(int(octal, 8) if octal is not None else int(hex4 or hex2 or hex8, 16))
    except (KeyError, ValueError, OverflowError):
        return ""


def doubts(text: str) -> bool:
    """Whether ``text`` holds a question mark in any script or spelling: an answer that asks claims nothing.

    Why: ``Frank?`` is a doubt, not punctuation, yet a comparison that folds and strips end punctuation
    reads it as ``Frank``. Escapes inside a JSON or Python literal (``"Frank\\u003f"``) count as the
    character they spell.
    """
    if _DOUBT_MARKS.search(text) or "?" in fold_unicode(text):
        return True
    if "\\" not in text:
        return False
    spelled = "".join(_spelled(m) for m in _ESCAPED_CHAR.finditer(text))
    return bool(spelled) and (_DOUBT_MARKS.search(spelled) is not None or "?" in fold_unicode(spelled))


# Two or more dots in a row (after NFKC: "…" is "...", "‥" is ".."), spaced dots, the ellipses NFKC leaves
# alone (midline, vertical, Mongolian) and LaTeX's dots commands.
_ELLIPSIS = re.compile(r"\.\s?\.|[\u22ee\u22ef\u1801\u205d]|\\(?:[lcvd]?dots|dotsc|dotsb|dotso)(?![A-Za-z])")


def elides(text: str) -> bool:
    """Whether ``text`` holds an ellipsis (``...``, ``…``, ``..``, ``\\ldots``) in any spelling: something left unsaid.

    Why: ``steevort...`` trails off rather than states, and ``a, b, ..., e`` leaves items out, yet a
    comparison that strips end punctuation reads the first as ``steevort``. For answers that are names,
    orders, grids and roles, where no honest answer holds one. Escapes inside a JSON or Python literal
    (``"steevort\\u2026"``) count as the character they spell.
    """
    if _ELLIPSIS.search(fold_unicode(text)):
        return True
    if "\\" not in text:
        return False
    return _ELLIPSIS.search(fold_unicode(_ESCAPED_CHAR.sub(_spelled, text))) is not None


def normalize_text(text: str) -> str:
    """Short free-text answers, canonical: :func:`fold_unicode`, lower case, one space, no article or end punctuation.

    A question mark is kept (``Frank?`` is not ``Frank``): it doubts the answer rather than ending it.
    """
    s = fold_unicode(text).strip().lower()
    s = _SPACE.sub(" ", s)
    s = s.strip(" .,;:!\"'`")
    s = _ARTICLES.sub("", s)
    return s


def text_equal(a: str, b: str) -> bool:
    """Equality after :func:`normalize_text`."""
    return normalize_text(a) == normalize_text(b)


def split_multi(answer: str, separators: str = "|;") -> list[str]:
    """Split a several-answer string (GURU's ``a | b``) into stripped, non-empty parts."""
    parts = re.split("[" + re.escape(separators) + "]", answer)
    return [p.strip() for p in parts if p.strip()]
