"""Tabular answers: integer grids (ARC outputs, sudoku solutions) and markdown tables.

Models write grids as JSON (``[[0, 1], [2, 3]]``), as Python literals, after a short lead-in (``The
output grid is [[0, 1], [2, 3]].``) or as plain rows of digits; tables as JSON or as markdown pipes.
These readers accept all of those and nothing looser, because an answer is one claim: every cell must be
an integer (grids) or a cell of a well-formed table row; a grid in prose is read only when the prose is
a plain lead-in (words such as "the output grid is", never "not", "or", "maybe") and nothing but end
punctuation follows it; a second grid or table makes the answer ambiguous. Everything is linear in the
text and capped in size, so hostile answers cost microseconds.
"""

from __future__ import annotations

import re
from typing import Any

from guru_envs.verify.json_answer import parse_literal
from guru_envs.verify.structured import AnswerParseError

MAX_GRID_CELLS = 10_000  # ARC grids are at most 30 x 30; sudoku 9 x 9
MAX_TABLE_CELLS = 10_000
MAX_TEXT_CHARS = 200_000

_ROW_SPLIT = re.compile(r"[\s,;|]+")
_SEPARATOR_CELL = re.compile(r":?-{2,}:?")
# A lead-in before a grid literal may use only these words (and a colon or equals sign): it names the
# grid, it never qualifies it. "not", "or", "maybe", "wrong" and every other word make it prose.
LEAD_IN_WORDS = frozenset(
    "the a my our this final output answer result resulting solution solved completed predicted test grid "
    "is are would be will here so thus therefore hence".split()
)
_LEAD_IN_TOKEN = re.compile(r"[A-Za-z]+|\S")
_LEAD_IN_MARKS = frozenset(":=*,-`")  # punctuation and markdown a lead-in may hold
_TRAILER = re.compile(r"[\s.!*`]*")


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"-?\d{1,6}", value.strip()):
        return int(value.strip())
    return None


def _grid_from_value(value: Any) -> list[list[int]] | None:
    """A list of integer rows from a parsed literal: lists of ints, or a list of digit strings."""
    if not isinstance(value, list | tuple) or not value:
        return None
    rows: list[list[int]] = []
    cells = 0
    for row in value:
        if isinstance(row, str):
            parsed = _row_from_text(row)
            if parsed is None:
                return None
            rows.append(parsed)
        elif isinstance(row, list | tuple):
            ints = [_as_int(v) for v in row]
            if any(v is None for v in ints):
                return None
            rows.append(ints)  # type: ignore[arg-type]
        else:
            return None
        cells += len(rows[-1])
        if cells > MAX_GRID_CELLS:
            return None
    return rows


def _row_from_text(line: str) -> list[int] | None:
    s = line.strip().strip("[]()").strip()
    if not s:
        return None
    if s.isdigit() and s.isascii():  # "0120": one digit per cell
        return [int(ch) for ch in s] if len(s) <= MAX_GRID_CELLS else None
    if len(s) > 8 * MAX_GRID_CELLS:
        return None  # more text than a row of the largest grid
    ints = []
    for part in _ROW_SPLIT.split(s):
        if part:
            value = _as_int(part)
            if value is None:
                return None  # stop at the first cell that is not an integer
            ints.append(value)
    return ints or None


def _bracket_span(text: str, start: int) -> str | None:
    """The balanced ``[...]`` group that opens at ``start`` (bracket nesting only), or None."""
    depth = 0
    for i in range(start, len(text)):
        ch = text[i]
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
            if depth == 0:
                return text[start : i + 1]
    return None


def _plain_lead_in(text: str) -> bool:
    """Whether ``text`` (what precedes a grid literal) only names the grid: at most 16 allowed words and marks."""
    if len(text) > 200:
        return False
    tokens = _LEAD_IN_TOKEN.findall(text)
    if len(tokens) > 16:
        return False
    return all(t in _LEAD_IN_MARKS or t.lower() in LEAD_IN_WORDS for t in tokens)


def parse_int_grid(text: str) -> list[list[int]] | None:
    """A grid of integers from an answer, or None when the text holds no unambiguous grid.

    Accepted forms: a JSON or Python literal list of rows (rows may also be digit strings such as
    ``"0120"`` or ``"0 1 2 0"``); a single ``[[...]]`` literal after a plain lead-in (see the module
    docstring) and before nothing but end punctuation; or plain text with one row per line (cells
    separated by spaces, commas or pipes, or one digit per cell). Rows may differ in length: the caller
    compares shapes.
    """
    if not isinstance(text, str) or len(text) > MAX_TEXT_CHARS:
        return None
    s = text.strip()
    if not s:
        return None
    try:
        return _grid_from_value(parse_literal(s))
    except AnswerParseError:
        pass
    opened = s.find("[[")
    if opened >= 0:
        # A lead-in and one literal ("The output is [[1, 2], [3, 4]]."); any other prose is not one claim.
        span = _bracket_span(s, opened)
        if span is None or not _plain_lead_in(s[:opened]) or not _TRAILER.fullmatch(s[opened + len(span) :]):
            return None
        try:
            return _grid_from_value(parse_literal(span))
        except AnswerParseError:
            return None
    lines = [ln for ln in s.splitlines() if ln.strip() and not ln.strip().startswith("```")]
    if not lines or len(lines) > 1_000:
        return None
    rows = []
    for line in lines:
        row = _row_from_text(line)
        if row is None:
            return None
        rows.append(row)
    return rows if sum(map(len, rows)) <= MAX_GRID_CELLS else None


def _split_table_row(line: str) -> list[str]:
    s = line.strip()
    if s.startswith("|"):
        s = s[1:]
    if s.endswith("|") and not s.endswith("\\|"):
        s = s[:-1]
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", s)]


def parse_markdown_table(text: str, *, alone: bool = False) -> tuple[list[str], list[list[str]]] | None:
    """``(header, rows)`` of the markdown pipe table in ``text``, or None.

    The header is the first line containing a pipe; a ``|---|---|`` separator line under it is
    skipped; the table ends at the first line without a pipe. Cell text is stripped, and ``**bold**``
    or backtick markup around a whole cell is removed. A second table after the first makes the text
    ambiguous (None). With ``alone``, the text must be the table and nothing else (blank lines and code
    fence lines aside): the caller's answer block holds one claim, the table.
    """
    if not isinstance(text, str) or len(text) > MAX_TEXT_CHARS:
        return None
    lines = [ln for ln in text.strip().splitlines() if not ln.strip().startswith("```")]
    start = next((i for i, ln in enumerate(lines) if "|" in ln), None)
    if start is None:
        return None
    if alone and any(ln.strip() for ln in lines[:start]):
        return None
    table: list[list[str]] = []
    end = len(lines)
    count = 0  # cells so far (a running count: summing the table on every row is quadratic)
    for i, line in enumerate(lines[start:], start):
        if "|" not in line:
            end = i
            break
        if line.count("|") > MAX_TABLE_CELLS:
            return None
        cells = [_unmark(c) for c in _split_table_row(line)]
        if all(_SEPARATOR_CELL.fullmatch(c) for c in cells if c) and any(cells):
            continue
        table.append(cells)
        count += len(cells)
        if count > MAX_TABLE_CELLS:
            return None
    rest = lines[end:]
    if any("|" in ln for ln in rest) or (alone and any(ln.strip() for ln in rest)):
        return None
    if len(table) < 2:
        return None
    return table[0], table[1:]


def _unmark(cell: str) -> str:
    s = cell.strip()
    for mark in ("**", "__", "`", "*", "_"):
        if len(s) > 2 * len(mark) and s.startswith(mark) and s.endswith(mark):
            s = s[len(mark) : -len(mark)].strip()
    return s
