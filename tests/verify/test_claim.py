"""The shared rule: a final answer is one claim (guru_envs.verify.claim)."""

import time

import pytest

from guru_envs.verify.claim import (
    equation_value,
    final_answer,
    label_problem,
    read_claim,
    spaced_values,
    split_label,
    words,
    words_of,
)

ALLOW = words_of("How many apples of the sales did Alberta sell?")


@pytest.mark.parametrize(
    ("answer", "value"),
    [
        ("134000", "134000"),
        ("134,000", "134,000"),
        ("12.5 kg", "12.5"),
        ("5 m^2", "5"),
        ("5 m/s^2", "5"),
        ("12 km/h", "12"),
        ("5 cm.", "5"),
        ("5 apples", "5"),  # the question counts apples
        ("9 pct", "9\\%"),  # a percent word is a percent sign, never dropped like a unit
        ("3 percentage points", "3\\%"),
        ("47.1 %", "47.1 %"),
        ("12.5% of sales", "12.5%"),
        ("$1,234.5", "$1,234.5"),
        ("1.34 \\times 10^5", "1.34 \\times 10^5"),
        ("(5)", "(5)"),
        ("x = 5", "5"),
        ("7 dollars", "7"),
        ("20 degrees", "20"),
    ],
)
def test_one_claim_is_read_with_its_label_dropped(answer, value):
    claim = read_claim(answer, allow=ALLOW)
    assert claim.refused is None, claim
    assert claim.text == value


@pytest.mark.parametrize(
    ("answer", "why"),
    [
        ("134000 is wrong", "statement"),
        ("134000 or one hundred", "alternative"),
        ("134000 - not sure", "negation"),
        ("not 134000", "negation"),
        ("134000 isn't it", "negation"),
        ("7 thousand", "scale word"),
        ("$1,234.5 million", "scale word"),
        ("7 or eight", "alternative"),
        ("7 eight", "number word"),
        ("maybe 7", "hedge"),
        ("7 probably", "hedge"),
        ("approximately 7", "approximation"),
        ("at least 7", "approximation"),
        ("7 (approx.)", "approximation"),
        ("more than 7", "approximation"),
        ("7?", "'?'"),
        ("~7", "'~'"),
        ("<5", "'<'"),
        ("7, 8", "several values"),
        ("7; 8", "several values"),
        ("7 apples 8", "more than one number"),
        ("7 cm 8", "more than one number"),
        ("7 bananas", "neither a unit"),  # not a unit, and the question never says bananas
        ("7 ｏｒ eight", "alternative"),  # full-width letters fold to ASCII
        ("x = 5 = 3", "'='"),
        ("2+2=5", "'='"),
        ("7 is correct", "statement"),
        ("7 " + "cm " * 40, "too long"),
    ],
)
def test_more_than_one_claim_is_refused_with_a_reason(answer, why):
    claim = read_claim(answer, allow=ALLOW)
    assert claim.refused is not None and why in claim.refused, claim


def test_scale_words_pass_only_when_the_task_allows_them():
    assert read_claim("1,234.5 million").refused
    assert read_claim("1,234.5 million", allow={"million"}).refused is None
    assert "million" in words_of("Revenue (in millions)", scales=True) or "millions" in words_of(
        "Revenue (in millions)", scales=True
    )
    assert "thousand" not in words_of("values in thousand dollars")


def test_denied_words_stay_denied_even_when_the_question_uses_them():
    allow = words_of("Is it not true that 7 or 8 is about right?")
    assert read_claim("7 or 8", allow=allow).refused
    assert read_claim("7 not", allow=allow).refused
    assert read_claim("about 7", allow=allow).refused


@pytest.mark.parametrize("bad", [None, 7, b"7", ["7"]])
def test_non_text_is_refused(bad):
    assert read_claim(bad).refused


@pytest.mark.parametrize(
    ("label", "ok"),
    [
        ("cm", True),
        ("\u00b0", True),
        ("miles", True),
        ("square units", True),
        ("", True),
        ("apples", False),
        ("or eight", False),
        ("is wrong", False),
        ("thousand", False),
        ("n o t", False),  # spaced out: not a unit either
    ],
)
def test_label_problem(label, ok):
    assert (label_problem(label) is None) is ok


def test_split_label():
    assert split_label("12.5 kg") == ("12.5", "kg")
    assert split_label("no digits") == ("", "no digits")
    assert split_label("5 m^2") == ("5", "m^2")
    assert split_label("10^5") == ("10^5", "")


def test_words_skip_latex_commands_and_fold_case():
    assert words("\\frac{1}{2} \\text{ Or Eight}") == ["text", "or", "eight"] or words(
        "\\frac{1}{2} \\text{ Or Eight}"
    ) == ["or", "eight"]
    assert words("isn\u2019t") == ["isnt"]


def _same(a: str, b: str) -> bool:
    return a.replace(" ", "") == b.replace(" ", "")


@pytest.mark.parametrize(
    ("boxes", "several", "text", "refused"),
    [
        (["7"], False, "7", False),
        (["7", "7 "], False, "7 ", False),  # identical repeats are one answer
        (["7", "8"], False, None, True),
        (["2", "3"], True, "2, 3", False),  # a set of solutions, one per box
        (["2", "3", "2"], True, "2, 3", False),
        (["2", "2, 3"], True, None, True),  # a box holding a list is not one item
        ([], False, None, True),
        (["7"] * 17, False, None, True),
    ],
)
def test_final_answer(boxes, several, text, refused):
    pick = final_answer(boxes, _same, several_items=several, single=lambda b: "," not in b)
    assert pick.text == text
    assert (pick.refused is not None) is refused


def _value_equal(a: str, b: str) -> bool | None:
    table = {"2+3": 5, "5": 5, "3": 3, "2+2": 4, "?": None}
    x, y = table.get(a.replace(" ", "")), table.get(b.replace(" ", ""))
    if x is None or y is None:
        return None
    return x == y


def _is_name(s: str) -> bool:
    return s.isalpha() and len(s) == 1


@pytest.mark.parametrize(
    ("sides", "value", "refused"),
    [
        (["x", "5"], "5", False),
        (["5", "x"], "5", False),
        (["x", "2 + 3", "5"], "5", False),
        (["2 + 3", "5"], "5", False),
        (["5", "3"], None, True),
        (["2+2", "5"], None, True),
        (["x", "5", "3"], None, True),
        (["x", "y"], None, True),
        (["x", "?", "5"], None, True),  # undecided is not paid
        (["x", ""], None, True),
    ],
)
def test_equation_value(sides, value, refused):
    got, why = equation_value(sides, is_name=_is_name, same=_value_equal)
    assert got == value
    assert (why is not None) is refused


def test_hostile_text_costs_microseconds():
    for text in ("1" * 999, "a" * 999, "7 " + "^" * 990, "'" * 999, "1^" * 499, "x = " * 249):
        start = time.perf_counter()
        read_claim(text)
        assert time.perf_counter() - start < 0.05
    start = time.perf_counter()
    read_claim("7" * 2_000_000)  # over the cap: refused before any scan
    label_problem("a" * 1_000_000)
    assert time.perf_counter() - start < 0.5


# --- LaTeX commands are words and separators too (issue 17) ------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "why"),
    [
        ("5 \\lor 6", "\\lor"),
        ("7 \\vee 8", "\\vee"),
        ("7 \\quad 8", "more than one number"),
        ("7 \\qquad 8", "more than one number"),
        ("7 \\neq 8", "\\neq"),
        ("7 \\ne 8", "\\ne"),
        ("7 \\not= 8", "'='"),
        ("7 \\text{ or } 8", "alternative"),
        ("7 \\textrm{ or } 8", "alternative"),
        ("7 \\mathrm{or} 8", "alternative"),
        ("7 \\; 8", "several values"),
        ("7\\;8", "more than one number"),
        ("7\\,8", "more than one number"),
        ("7\\ 8", "more than one number"),
        ("7 \\: 8", "more than one number"),
        ("7 \\mid 8", "\\mid"),
        ("7 \\& 8", "\\&"),
        ("7 \\cup 8", "\\cup"),
        ("7 \\pm 8", "\\pm"),
        ("\\pm 7", "\\pm"),
        ("7 \\approx 8", "\\approx"),
        ("\\approx 7", "\\approx"),
        ("7 \\sim 8", "\\sim"),
        ("7 \\le 8", "\\le"),
        ("7 \\to 8", "\\to"),
        ("7 \\ldots 8", "\\ldots"),
        ("7 \\hspace{1em} 8", "more than one number"),
        ("7 \\text{ } 8", "more than one number"),
        ("7 8", "more than one number"),
        ("0 360", "more than one number"),  # not a digit group: groups start with a non-zero digit
        ("1234 567", "more than one number"),
        ("7 \\lor \\pi", "not a unit"),  # a label made only of commands is no unit
        ("7 -\\pi", "not a unit"),
        ("7 \\lor", "not a unit"),
        ("7 \\dots", "not a unit"),
        ("7\\pi", "not a unit"),  # 7 pi, not 7
        ("7 \\neg", "not a unit"),
        ("5 bn", "scale word"),
        ("5 mn", "scale word"),
        ("5 Mn", "scale word"),
    ],
)
def test_latex_commands_between_or_after_values_are_not_one_claim(answer, why):
    claim = read_claim(answer, allow=ALLOW)
    assert claim.refused is not None and why in claim.refused, claim


@pytest.mark.parametrize(
    ("answer", "value"),
    [
        ("5 mN", "5"),  # a millinewton, not "mn" (million)
        ("5 MN", "5"),
        ("5 \\mathrm{mN}", "5"),
        ("5\\,\\text{kg}", "5"),
        ("5 \\, \\text{kg}", "5"),
        ("5\\,\\mathrm{m/s}", "5"),
        ("3.2~m", "3.2"),
        ("5 \\mu m", "5"),
        ("20^\\circ", "20"),
        ("7 \\quad", "7"),  # spacing at the end is presentation
        ("1\\,000", "1\\,000"),
        ("134 000", "134 000"),
        ("1 000 000", "1 000 000"),
        ("12 345.6", "12 345.6"),
        ("1.34 \\times 10^5", "1.34 \\times 10^5"),
        ("2 \\cdot 10^{3}", "2 \\cdot 10^{3}"),
        ("\\frac{1}{2}", "\\frac{1}{2}"),
        ("\\left(5\\right)", "\\left(5\\right)"),
    ],
)
def test_presentation_commands_still_read_as_one_claim(answer, value):
    claim = read_claim(answer, allow=ALLOW)
    assert claim.refused is None, claim
    assert claim.text == value


@pytest.mark.parametrize(
    ("text", "apart"),
    [
        ("0 \\quad \\frac{1}{4}", True),  # a reader that drops spacing sees the mixed number 0 1/4
        ("0\\quad -2i", True),  # ... or 0 - 2i
        ("0~360", True),
        ("7\\;8", True),
        ("2 \\quad \\pi", True),
        ("(1,2) \\quad (3,4)", True),
        ("7 \\hspace{2em} 8", True),
        ("7 \\text{ } 8", True),
        ("0 \\quad -\\frac{1}{2}", True),
        ("0.50784~J", False),  # a tie before a unit
        ("5 \\quad \\text{cm}", False),
        ("5 \\quad \\mu m", False),
        ("x = 2 \\quad \\text{and} \\quad y = 3", False),
        ("a \\quad + \\quad b", False),  # spacing around an operator
        ("7 \\quad", False),
        ("\\quad 7", False),
        ("3\\,\\frac{1}{2}", False),  # a thin space may join a mixed number
        ("1\\,000", False),
    ],
)
def test_spaced_values(text, apart):
    assert (spaced_values(text) is not None) is apart


@pytest.mark.parametrize(
    "answer",
    ["134K", "134k", "134M", "134 M", "134 MM", "134 B", "134 T", "134 bn", "134 Mio.", "134 mn", "134 Mn"],
)
def test_abbreviated_scales_are_scale_words(answer):
    """K, M, T are unit symbols too (kelvin, molar, tesla), but after a reported value they scale it."""
    claim = read_claim(answer)
    assert claim.refused is not None and "scale word" in claim.refused, claim
    in_millions = words_of("Revenue (in millions of dollars)", scales=True)
    # mn is a million as M is (it was refused where M was paid)
    assert (read_claim(answer, allow=in_millions).refused is None) is (
        answer in ("134M", "134 M", "134 MM", "134 Mio.", "134 mn", "134 Mn")
    )


def test_a_task_that_knows_its_units_rules_on_them():
    """With ``units`` the task's rule replaces "any unit, currency or counted noun passes"."""

    def only_cm(label: str) -> bool:
        return label == "cm"

    assert read_claim("12 cm", units=only_cm).refused is None
    assert read_claim("12 kg", units=only_cm).refused  # a unit, but not one this value is in
    assert read_claim("12 dollars", units=only_cm).refused  # counted nouns and currencies are not free
    assert read_claim("12 minutes", units=only_cm).refused
    assert read_claim("12\u00b0", units=only_cm).refused  # a degree sign states a unit: the rule decides
    assert read_claim("12 apples", allow=ALLOW, units=only_cm).refused is None  # the question's words
    assert label_problem("kg", units=only_cm) is not None
    for answer in ("12 kg", "12 dollars", "12 minutes", "12\u00b0"):  # without a rule, as before
        assert read_claim(answer).refused is None, answer


@pytest.mark.parametrize("answer", ["134 m", "134 mm", "134 mN", "134 kg", "134 ks", "134 km"])
def test_units_that_look_like_scales_are_units(answer):
    assert read_claim(answer).refused is None
