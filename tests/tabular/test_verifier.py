"""The tabular verifier: tolerances, percent and scale forms, units, names, unordered sets, hostile answers."""

from __future__ import annotations

import time

import pytest

from guru_envs.tabular.answers import (
    display_number,
    format_instructions,
    number_item,
    score_items,
    text_item,
)
from guru_envs.verify.quantity import parse_reported_number, quantity_matches
from guru_envs.verify.sets import MAX_SET_ITEMS, match_unordered


def box(x: str) -> str:
    return f"Some reasoning first.\n\nThe answer is \\boxed{{{x}}}."


# ---- shared helpers added to guru_envs.verify -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value", "percent"),
    [
        ("1234.5", 1234.5, False),
        ("$1,234.5 million", 1234.5, False),
        ("\\$1,234.5", 1234.5, False),
        ("USD 5", 5, False),
        ("-$3", -3, False),
        ("−4.5", -4.5, False),
        ("12.5\\%", 12.5, True),
        ("12.5 %", 12.5, True),
        ("12.5 percent", 12.5, True),
        ("-3.2 percentage points", -3.2, True),
        ("\\text{47.1}\\%", 47.1, True),
        ("12.5 kg", 12.5, False),
        ("3 m^2", 3, False),
        ("2.6:1", 2.6, False),
        ("\\frac{1}{4}", 0.25, False),
        ("1.2e3", 1200, False),
        ("$$ 7 $$", 7, False),
        ("12.5% of net sales", 12.5, True),
        ("1.34 \\times 10^5", 134000, False),  # the exponent of the number is no unit (issue 17)
        ("1.34 \\times 10^{5} kg", 134000, False),
        ("$1.34 \\times 10^5", 134000, False),
        ("134 000", 134000, False),
        ("1 234 567.5", 1234567.5, False),
        ("5~kg", 5, False),  # a tie before a unit is a space
    ],
)
def test_parse_reported_number(text, value, percent):
    q = parse_reported_number(text)
    assert q is not None and float(q.value) == pytest.approx(value) and q.percent == percent


@pytest.mark.parametrize(
    "text",
    [
        "5 to 10",
        "abc",
        "",
        "1 2",
        "12 or 13",
        "x" * 1000,
        "9^{9^{9}}",
        "NaN",
        "inf",
        "10^5",  # was 10, with the "unit" ^5
        "~7",  # was 7: the tilde is "about", not a space
        "0 360",  # not a digit group
        "12 345 6",
    ],
)
def test_parse_reported_number_refuses_non_numbers(text):
    assert parse_reported_number(text) is None


@pytest.mark.parametrize(
    ("answer", "ref", "kind", "ok"),
    [
        ("25%", 0.25, "number", False),  # an amount: 25% is no 0.25 mg/L (shares are kind percent)
        ("0.25", 0.25, "number", True),
        ("25", 0.25, "number", False),
        ("25%", 25, "percent", True),
        ("25", 25, "percent", True),
        ("0.25", 25, "percent", True),
        ("0.25%", 25, "percent", False),
        ("2500%", 25, "percent", False),
        ("12", 12, "count", True),
        ("12%", 12, "count", False),
        ("2500", 25, "either", True),  # GURU's rule: the reference may be a fraction or a percentage
        ("0.25", 25, "either", True),
        ("25%", 25, "either", True),
        ("26", 25, "either", False),
        ("2500%", 0.25, "either", False),  # X% is X or X/100 in the reference's units, never 100 X
        ("25%", 0.25, "either", True),
        ("(1.5%)", 1.5, "percent", False),  # accounting brackets: a negative
        ("(1.5%)", -1.5, "percent", True),
        ("1167-", 1167, "number", False),  # a trailing sign is no unit
        ("1.5%%", 1.5, "percent", False),
    ],
)
def test_quantity_kinds(answer, ref, kind, ok):
    assert quantity_matches(answer, ref, kind) is ok


def test_unordered_matching_is_a_true_bipartite_match():
    # Greedy pairing would take "1" for the first want and then fail; a matching succeeds.
    def eq(g, w):
        return g in w

    assert match_unordered(["1", "2"], [{"1", "2"}, {"1"}], eq)
    assert not match_unordered(["1", "1"], [{"1", "2"}, {"2"}], eq)
    assert not match_unordered(["1"], [{"1"}, {"1"}], eq)
    big = [str(i) for i in range(MAX_SET_ITEMS + 1)]
    assert not match_unordered(big, big, str.__eq__)


# ---- items and scoring ---------------------------------------------------------------------------------------


def test_number_item_tolerance_and_text():
    item = number_item(12.3456, "percent", 2, 1e-3)
    assert item["text"] == "12.35%" and item["decimals"] == 2
    assert number_item(3.0, "count")["text"] == "3"
    assert display_number(-0.0001, 2) == "0"
    assert number_item(1234.5, "number", None)["text"] == "1234.5"


@pytest.mark.parametrize(
    ("answer", "ok"),
    [
        ("12.35%", True),
        ("12.35", True),  # percent sign optional
        ("0.1235", True),  # the fraction form
        ("12.3456", True),
        ("12.346%", True),
        ("12.34%", True),  # within 0.1% relative of 12.3456
        ("12.3%", False),
        ("12%", False),
        ("0.1235%", False),
        ("-12.35%", False),
        ("1235%", False),
        ("12.35 | 12.35", False),
    ],
)
def test_percent_answers(answer, ok):
    item = number_item(12.3456, "percent", 2, 1e-3)
    assert score_items(box(answer), [item]).correct is ok


@pytest.mark.parametrize(
    ("answer", "ok"),
    [
        ("0.0234", True),
        ("0.02", False),  # asked for 4 decimals; 2 lose too much
        ("2.34%", False),  # the amount with a percent sign: another quantity
        ("0.0235", False),
    ],
)
def test_small_numbers_need_their_digits(answer, ok):
    item = number_item(0.023412, "number", 4, 1e-3)
    assert score_items(box(answer), [item]).correct is ok


@pytest.mark.parametrize(
    ("answer", "ok"),
    [
        ("1234.5", True),
        ("1,234.5", True),
        ("$1,234.5 million", True),
        ("\\$1{,}234.5", True),
        ("1234.50", True),
        ("1235", False),  # a lookup must be as shown: no tolerance
        ("1234", False),
        ("1234.4", False),
    ],
)
def test_cell_lookups_are_exact(answer, ok):
    question = "Revenue by region, in millions of dollars. What was the revenue of Alberta?"
    assert score_items(box(answer), [number_item(1234.5)], question=question).correct is ok


@pytest.mark.parametrize(
    ("answer", "ok"),
    [
        ("8.87", True),
        ("8.87 mg/L", True),
        ("8.87 \\text{ mg / L}", True),
        ("8.87 g/L", False),  # a unit is dropped, never converted: this states 1000 times the cell
        ("8.87 \\mu g/L", False),
        ("8.87 kg/L", False),
    ],
)
def test_a_unit_after_the_value_must_be_the_tables(answer, ok):
    question = (
        "| Site | Nitrate (mg/L) |\n|---|---:|\n| East Reach | 8.87 |\nWhat is the nitrate for East Reach?"
    )
    assert score_items(box(answer), [number_item(8.87, "number", 2)], question=question).correct is ok


@pytest.mark.parametrize(
    ("header", "answer"),
    [
        ("Weight(kg)", "5.5 kg"),
        ("Weight (kg)", "5.5 kilograms"),  # the same unit spelled out
        ("Distance (miles)", "5.5 mi"),
        ("Time (hours)", "5.5 h"),
        ("Conc (mg/L)", "5.5 mg L^{-1}"),
        ("Area (sq km)", "5.5 km^2"),
        ("Revenue (in millions)", "5.5M"),  # a scale, and "in" is no inch
        ("Revenue (in millions)", "$5.5m"),  # after a currency a lower-case m is a million
    ],
)
def test_the_tables_unit_in_other_spellings_is_read(header, answer):
    name = header.split("(")[0].strip()
    question = f"| Site | {header} |\n|---|---:|\n| A | 5.5 |\nWhat is the {name} for A?"
    assert score_items(box(answer), [number_item(5.5, "number", 1)], question=question).correct


@pytest.mark.parametrize(
    ("answer", "why"),
    [
        ("134000 is wrong", "statement"),
        ("134000 or one hundred", "alternative"),
        ("134000 - not sure", "negation"),
        ("not 134000", ""),
        ("134000 thousand", "scale word"),  # the table says nothing of thousands
        ("134000 (approx.)", ""),  # not read as a number at all
        ("134000 bananas", "neither a unit"),
        ("134000?", "'?'"),
        ("134000\uff1f", "'?'"),  # full width
        ("134000\ufe16", "'?'"),  # vertical presentation form
        ("134000 \u2047", "'?'"),  # double question mark
        ("~134000", "'~'"),
    ],
)
def test_a_number_must_be_one_claim(answer, why):
    score = score_items(box(answer), [number_item(134000)], question="What was the total revenue of Alberta?")
    assert score.reward == 0.0 and why in score.reason, score


@pytest.mark.parametrize(
    "answer", ["134000", "134,000", "134 000", "1.34 \\times 10^5", "1.34 \\times 10^{5}", "$134,000"]
)
def test_numbers_as_people_write_them(answer):
    assert score_items(box(answer), [number_item(134000)], question="What was the total revenue?").correct


@pytest.mark.parametrize(
    ("answer", "gold"), [("10^5", 10), ("10^{5}", 10), ("~134000", 134000), ("2^3", 2), ("0 360", 360)]
)
def test_an_exponent_or_a_tilde_does_not_vanish(answer, gold):
    assert not score_items(box(answer), [number_item(gold)], question="What was the total?").correct


def test_a_lower_case_m_without_a_currency_states_metres():
    question = "| Site | Revenue (in millions) |\n|---|---:|\n| A | 5.5 |\nWhat is it for A?"
    for answer in ("5.5 \\text{ m}", "5.5m", "5.5 m"):
        assert not score_items(box(answer), [number_item(5.5, "number", 1)], question=question).correct


def test_scale_words_need_the_table_to_use_them():
    item = [number_item(1234.5)]
    assert not score_items(box("1,234.5 million"), item, question="What was the revenue?").correct
    assert score_items(box("1,234.5 million"), item, question="Revenue (millions of dollars)").correct


@pytest.mark.parametrize(
    ("response", "ok"),
    [
        ("\\boxed{12} so \\boxed{12.0}", True),  # the same answer twice
        ("\\boxed{12} or maybe \\boxed{13}", False),  # two different answers
        ("\\boxed{13} no wait \\boxed{12}", False),
    ],
)
def test_several_boxes_follow_the_shared_rule(response, ok):
    assert score_items(response, [number_item(12)]).correct is ok


def test_a_name_with_a_question_mark_is_not_a_claim():
    assert not score_items(box("Alberta?"), [text_item("Alberta")]).correct
    assert score_items(box("Alberta"), [text_item("Alberta")]).correct


def test_several_boxes_may_give_the_items_of_a_set():
    items = [text_item("Alberta"), text_item("Quebec")]
    assert score_items("\\boxed{Alberta} and \\boxed{Quebec}", items).correct
    assert not score_items("\\boxed{Alberta} and \\boxed{Quebec} and \\boxed{Ontario}", items).correct


@pytest.mark.parametrize(
    ("answer", "ok"),
    [
        ("Alberta", True),
        ("alberta", True),
        ("  ALBERTA. ", True),
        ("\\text{Alberta}", True),
        ("$\\text{Alberta}$", True),
        ("Alberta province", False),
        ("Albert", False),
        ("Alberta | Quebec", False),
        ("", False),
    ],
)
def test_names_are_normalised(answer, ok):
    assert score_items(box(answer), [text_item("Alberta")]).correct is ok


def test_articles_are_ignored():
    assert score_items(box("the Tampa Herons"), [text_item("Tampa Herons")]).correct
    assert score_items(box("Tampa Herons"), [text_item("The Tampa Herons")]).correct


@pytest.mark.parametrize(
    ("answer", "ok"),
    [
        ("Quebec | Alberta | Nova Scotia", True),
        ("alberta|quebec|nova scotia", True),
        ("Alberta | Quebec", False),
        ("Alberta | Quebec | Nova Scotia | Ontario", False),
        ("Alberta | Alberta | Quebec", False),
        ("Alberta, Quebec, Nova Scotia", False),
    ],
)
def test_several_answers_are_an_unordered_set(answer, ok):
    items = [text_item(x) for x in ("Alberta", "Quebec", "Nova Scotia")]
    assert score_items(box(answer), items).correct is ok


def test_numeric_sets_match_under_tolerance():
    items = [number_item(12.3456, "percent", 2, 1e-3), number_item(81.0)]
    assert score_items(box("81 | 12.35%"), items).correct
    assert score_items(box("0.1235 | 81"), items).correct
    assert not score_items(box("81 | 81"), items).correct


def test_last_box_after_think_counts():
    item = [text_item("Alberta")]
    assert score_items("<think>\\boxed{Quebec}</think> so \\boxed{Alberta}", item).correct
    assert not score_items("<think>\\boxed{Alberta}</think> so \\boxed{Quebec}", item).correct
    assert not score_items("\\boxed{Alberta} hmm, no: \\boxed{Quebec}", item).correct
    assert not score_items("The answer is Alberta.", item).correct


def test_format_instructions_state_tolerance_and_separator():
    text = format_instructions([number_item(1.2345, "percent", 2, 1e-3)], several=False)
    assert "rounded to 2 decimal places" in text and "0.1%" in text and "\\boxed{}" in text
    text = format_instructions([text_item("a"), text_item("b")], several=True, count_known=True)
    assert "There are 2 answers" in text and "' | '" in text
    assert "whole number" in format_instructions([number_item(3, "count")], several=False)


# ---- hostile answers ---------------------------------------------------------------------------------------------

HOSTILE = {
    "eval bait": "\\boxed{__import__('os').system('echo pwned')}",
    "expression": "\\boxed{12 + 0.345}",
    "python lambda": "\\boxed{(lambda: 12.35)()}",
    "exponent tower": "\\boxed{9^{9^{9^{9}}}}",
    "huge exponent literal": "\\boxed{1e9999}",
    "huge integer": "\\boxed{" + "9" * 390 + "}",
    "long box": "\\boxed{" + "1" * 100_000 + "}",
    "many parts": "\\boxed{" + " | ".join(["12.35%"] * 5000) + "}",
    "nested braces": "\\boxed{" + "{" * 50_000 + "12.35" + "}" * 50_000 + "}",
    "unclosed": "\\boxed{12.35" + "{" * 10_000,
    "nested boxes": "\\boxed{" * 2000 + "12.35" + "}" * 2000,
    "null bytes": "\\boxed{12.35\x00%}",
    "regex bomb": "\\boxed{1" + " a" * 5000 + "!}",
    "percent spam": "\\boxed{" + "%" * 10_000 + "}",
    "10 MB noise": "x" * 10_000_000,
    "unicode": "\\boxed{１２.３５％}",
}


@pytest.mark.parametrize("label", sorted(HOSTILE))
def test_hostile_answers_score_zero_fast(label):
    items = [number_item(12.3456, "percent", 2, 1e-3)]
    start = time.thread_time()
    verdict = score_items(HOSTILE[label], items)
    elapsed = time.thread_time() - start
    assert elapsed < 1.0, f"{label} took {elapsed:.2f}s"
    if (
        label == "unicode"
    ):  # full-width digits normalise to the right answer only if NFKC is applied; either way no crash
        return
    assert verdict.reward == 0.0 and not verdict.correct


def test_hostile_answers_against_names_and_sets():
    items = [text_item("Alberta"), text_item("Quebec")]
    for response in HOSTILE.values():
        start = time.thread_time()
        assert not score_items(response, items).correct
        assert time.thread_time() - start < 1.0
