"""Text spaces that accept any string: Gymnasium's ``Text`` checks every character against a charset."""

from __future__ import annotations

import multiprocessing as mp
import string
from collections.abc import Sequence
from types import ModuleType
from typing import Any

import numpy as np
from gymnasium import spaces
from gymnasium.vector.utils.shared_memory import (
    create_shared_memory,
    read_from_shared_memory,
    write_to_shared_memory,
)

SAMPLE_CHARSET = string.printable  # what ``sample()`` draws from; ``contains`` accepts any character


class AnyText(spaces.Text):
    """A ``Text`` space whose ``contains`` accepts any ``str`` within the length limits.

    Prompts and responses hold LaTeX, Unicode and code; Gymnasium's default alphanumeric charset would
    reject ``"What is 2+2?"``.
    """

    def __init__(self, max_length: int, min_length: int = 0, seed: int | None = None) -> None:
        super().__init__(max_length=max_length, min_length=min_length, charset=SAMPLE_CHARSET, seed=seed)

    def contains(self, x: Any) -> bool:
        """Any str whose length is within [min_length, max_length]."""
        return isinstance(x, str) and self.min_length <= len(x) <= self.max_length

    def __repr__(self) -> str:
        return f"AnyText({self.min_length}, {self.max_length})"


# Async vector envs keep observations in shared memory. Gymnasium stores a Text there as indexes into its
# charset (dropping every other character) and reads it back once, when the vector env is built, so every
# prompt arrived as a blank string. AnyText stores each prompt's length and code points (lone surrogates
# included) and reads them back as a live view; the vector env's usual deep copy turns it into a tuple.
@create_shared_memory.register(AnyText)
def _create_any_text_memory(space: AnyText, n: int = 1, ctx: ModuleType = mp) -> Any:
    return ctx.Array(np.dtype(np.int32).char, n * (space.max_length + 1))


@write_to_shared_memory.register(AnyText)
def _write_any_text(space: AnyText, index: int, value: str, shared_memory: Any) -> None:
    width = space.max_length + 1
    slot = np.frombuffer(shared_memory.get_obj(), dtype=np.int32)[index * width : (index + 1) * width]
    points = np.frombuffer(value.encode("utf-32-le", "surrogatepass"), dtype=np.int32)
    slot[0] = len(points)
    slot[1 : 1 + len(points)] = points


class SharedTexts(Sequence[str]):
    """The texts of an async vector env's shared memory, read when indexed (a deep copy is a tuple)."""

    def __init__(self, rows: np.ndarray) -> None:
        self._rows = rows

    def __len__(self) -> int:
        return len(self._rows)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return tuple(self)[index]
        row = self._rows[index]
        return row[1 : 1 + row[0]].tobytes().decode("utf-32-le", "surrogatepass")

    def __eq__(self, other: object) -> bool:
        return tuple(self) == (tuple(other) if isinstance(other, SharedTexts) else other)

    __hash__ = None  # type: ignore[assignment]  (mutable: its memory changes at every step)

    def __deepcopy__(self, memo: dict[int, Any]) -> tuple[str, ...]:
        return tuple(self)

    def __repr__(self) -> str:
        return f"SharedTexts({tuple(self)!r})"


@read_from_shared_memory.register(AnyText)
def _read_any_text(space: AnyText, shared_memory: Any, n: int = 1) -> SharedTexts:
    return SharedTexts(
        np.frombuffer(shared_memory.get_obj(), dtype=np.int32).reshape((n, space.max_length + 1))
    )
