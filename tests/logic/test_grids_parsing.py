"""guru_envs.verify.grids: the shared readers for integer grids and markdown tables."""

import time

import pytest

from guru_envs.verify.grids import parse_int_grid, parse_markdown_table


@pytest.mark.parametrize(
    ("text", "grid"),
    [
        ("[[1, 2], [3, 4]]", [[1, 2], [3, 4]]),
        ("((1, 2), (3, 4))", [[1, 2], [3, 4]]),
        ("1 2\n3 4", [[1, 2], [3, 4]]),
        ("12\n34", [[1, 2], [3, 4]]),
        ("[1, 2]\n[3, 4]", [[1, 2], [3, 4]]),
        ('["12", "34"]', [[1, 2], [3, 4]]),
        ("1,2\n3,4\n", [[1, 2], [3, 4]]),
        ("| 1 | 2 |\n| 3 | 4 |", [[1, 2], [3, 4]]),
        ("```\n[[1, 2], [3, 4]]\n```", [[1, 2], [3, 4]]),
        ("So the output is [[1, 2], [3, 4]].", [[1, 2], [3, 4]]),
        ("**Output grid:** `[[1, 2], [3, 4]]`", [[1, 2], [3, 4]]),
        ("The final answer is [[1, 2], [3, 4]]", [[1, 2], [3, 4]]),
        ("Maybe the output is [[1, 2], [3, 4]]", None),  # the lead-in qualifies the grid
        ("not [[1, 2], [3, 4]]", None),
        ("[[1, 2], [3, 4]] is wrong", None),  # prose after the grid
        ("[[1, 2], [3, 4]], I think", None),
        ("The output is [[1, 2], [3, 4]] or the transpose", None),
        ("[[1, 2], [3]]", [[1, 2], [3]]),  # ragged is returned; the caller rejects the shape
        ("[[1.0, 2.0]]", [[1, 2]]),
        ("[[1, 2]] or [[2, 1]]", None),
        ("[[true, false]]", None),
        ("[[1.5]]", None),
        ("[1, 2, 3]", None),
        ("[]", None),
        ("a b\nc d", None),
        ("", None),
        ("[[" * 1000, None),
        ("[" * 100_000 + "]" * 100_000, None),
        ("1 " * 20_000, None),
    ],
)
def test_parse_int_grid(text, grid):
    assert parse_int_grid(text) == grid


def test_parse_int_grid_is_fast_on_hostile_text():
    for text in ("[[" + "1, " * 60_000 + "1]]", "[[" * 60_000, "9" * 199_000, "1\n" * 90_000):
        start = time.monotonic()
        parse_int_grid(text)
        assert time.monotonic() - start < 1.0


def test_parse_markdown_table():
    text = "Here:\n\n| **House** | Name | `Pet` |\n|:---|---|---:|\n| 1 | Alice | cats |\n| 2 | Bob | dogs |\n\nDone."
    assert parse_markdown_table(text) == (
        ["House", "Name", "Pet"],
        [["1", "Alice", "cats"], ["2", "Bob", "dogs"]],
    )
    assert parse_markdown_table("House | Name\n1 | Alice") == (["House", "Name"], [["1", "Alice"]])
    assert parse_markdown_table("no table here") is None
    assert parse_markdown_table("| only a header |") is None
    assert parse_markdown_table("|" * 300_000) is None


def test_parse_markdown_table_is_one_table():
    table = "| House | Name |\n|---|---|\n| 1 | Alice |"
    assert parse_markdown_table(table + "\n\nor\n\n" + table) is None  # a second table
    assert parse_markdown_table(table, alone=True) == (["House", "Name"], [["1", "Alice"]])
    assert parse_markdown_table("```\n" + table + "\n```", alone=True) is not None
    assert parse_markdown_table("Here:\n" + table, alone=True) is None  # the answer is the table alone
    assert parse_markdown_table(table + "\nNot sure.", alone=True) is None
