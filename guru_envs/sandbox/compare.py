"""Comparators that run in the scorer, on plain data only (never inside the sandbox)."""

from __future__ import annotations

from typing import Any

from guru_envs.verify.structured import values_equal


def stdout_equal(actual: str, expected: str, mode: str = "lines") -> bool:
    """Compare program output with the expected output.

    Modes: ``"lines"`` (default, what most judges do): trailing whitespace of each line and trailing
    blank lines are ignored; ``"tokens"``: any whitespace is a separator; ``"exact"``: byte for byte.
    """
    if mode == "exact":
        return actual == expected
    if mode == "tokens":
        return actual.split() == expected.split()
    if mode != "lines":
        raise ValueError(f"unknown stdout comparison mode {mode!r}")
    return _lines(actual) == _lines(expected)


def _lines(text: str) -> list[str]:
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def returned_equal(actual: Any, expected: Any) -> bool:
    """Default comparison of a returned value, as a test judge does (:func:`~guru_envs.verify.structured.values_equal`).

    The expected value's types decide: a set is not a list, a bool is not a number, an int must be
    exactly the expected int, and only floats may differ, by 1e-9. Both sides are plain data rebuilt in
    the scorer.
    """
    return values_equal(actual, expected, rel_tol=1e-9, abs_tol=1e-9)
