"""The math answer rule, case by case: equal pairs must match and different pairs must not, in both directions."""

import pytest

from guru_envs.verify.latex import check_answer, normalize_answer, repeats_question, score_boxed_answer

# (reference, answer): the answer is a correct way to write the reference.
EQUAL = [
    ("3", "3.0"),
    ("3", "+3"),
    ("-3", "−3"),
    ("\\frac{1}{2}", "0.5"),
    ("\\frac{1}{2}", "1/2"),
    ("\\frac{1}{2}", "\\dfrac{1}{2}"),
    ("\\frac{1}{2}", "\\tfrac12"),
    ("\\frac{1}{2}", "\\frac{2}{4}"),
    ("-\\frac{7}{12}", "\\frac{-7}{12}"),
    ("-\\frac{7}{12}", "-7/12"),
    ("\\frac{1}{3}", "0.333333"),
    ("\\frac{2}{3}", "0.666667"),
    ("\\sqrt{2}", "1.414214"),
    ("\\sqrt{2}", "1.41421"),
    ("\\pi", "3.14159"),
    ("2\\pi", "6.283185"),
    ("3", "x=3"),
    ("x=3", "3"),
    ("x = 3", "x=3"),
    ("y = 2x + 3", "2x+3"),
    ("f(x) = x^2", "x^2"),
    ("-2, 3", "3, -2"),
    ("-2, 3", "\\{-2, 3\\}"),
    ("-2, 3", "x = 3 \\text{ or } x = -2"),
    ("-2, 3", "x=-2, x=3"),
    ("-2, 3", "x = -2 \\text{ and } x = 3"),
    ("\\frac{-3-\\sqrt{5}}{2}, \\frac{-3+\\sqrt{5}}{2}", "\\frac{-3 \\pm \\sqrt{5}}{2}"),
    ("-1 - \\sqrt{7}, -1 + \\sqrt{7}", "-1 \\pm \\sqrt{7}"),
    ("- \\sqrt{2}, \\sqrt{2}", "\\pm\\sqrt{2}"),
    ("-1 - 2 i, -1 + 2 i", "-1 \\pm 2i"),
    ("3 + 4i", "4i + 3"),
    ("2", "2, 2"),
    ("(2, -1)", "(2,-1)"),
    ("(2, -1)", "x = 2, y = -1"),
    ("(2, -1)", "y = -1, x = 2"),
    ("(2, -1)", "(x, y) = (2, -1)"),
    ("(2, -1)", "2, -1"),
    ("(1, 2, 3)", "x=1, y=2, z=3"),
    ("25\\%", "0.25"),
    ("25\\%", "25"),
    ("25\\%", "25 percent"),
    ("0.25", "25\\%"),
    ("1000", "1,000"),
    ("1000", "1{,}000"),
    ("1000", "1\\,000"),
    ("1234567", "1,234,567"),
    ("5", "5\\text{ cm}"),
    ("5\\text{ cm}", "5"),
    ("5", "5 \\mbox{cm}^2"),
    ("12", "12 \\text{ cm}"),
    ("12", "12 dollars"),
    ("12.5", "\\$12.50"),
    ("90", "90^\\circ"),
    ("90^\\circ", "90"),
    ("(-\\infty, 3]", "(-\\infty,3]"),
    ("(-\\infty, 3]", "x \\le 3"),
    ("(-\\infty, 3]", "x \\leq 3"),
    ("(2, 5]", "2 < x \\le 5"),
    ("(-\\infty, -2) \\cup (3, \\infty)", "(3, \\infty) \\cup (-\\infty, -2)"),
    ("(-\\infty, -2) \\cup (3, \\infty)", "x < -2 \\text{ or } x > 3"),
    ("[1, 2)", "x \\in [1, 2)"),
    ("2\\sqrt{3}", "\\sqrt{12}"),
    ("2\\sqrt{3}", "2 \\sqrt 3"),
    ("\\frac{\\sqrt{3}}{2}", "\\frac{1}{2}\\sqrt{3}"),
    ("\\frac{\\sqrt{2}}{2}", "\\frac{1}{\\sqrt{2}}"),
    ("x^2 + 2x + 1", "(x+1)^2"),
    ("\\frac{x+1}{x-1}", "\\frac{-x-1}{1-x}"),
    ("6", "3!"),
    ("10", "\\binom{5}{2}"),
    ("1024", "2^{10}"),
    ("\\frac{7}{2}", "3\\frac{1}{2}"),
    ("\\frac{7}{2}", "3.5"),
    ("1", "\\sin^2 x + \\cos^2 x"),
    ("\\sin x", "\\tan x \\cos x"),
    ("3", "\\log_2 8"),
    ("-1", "e^{i\\pi}"),
    ("\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}", "\\begin{bmatrix}1&2\\\\3&4\\end{bmatrix}"),
    ("\\begin{pmatrix} 1 \\\\ -2 \\end{pmatrix}", "(1, -2)"),
    ("\\text{Monday}", "Monday"),
    ("\\text{(B)}", "B"),
    ("\\text{no solution}", "No Solution."),
    ("\\left( \\frac{1}{2}, 3 \\right)", "(0.5, 3)"),
    ("\\dfrac{3}{4}", "\\left(\\frac{3}{4}\\right)"),
    ("1.5 \\times 10^{3}", "1500"),
    ("1500", "1.5e3"),
    ("\\infty", "\\infty"),
    ("\\emptyset", "\\{\\}"),
]

# (reference, answer): the answer is wrong.
DIFFERENT = [
    ("3", "4"),
    ("3", "-3"),
    ("3", "3.1"),
    ("\\frac{1}{2}", "\\frac{1}{3}"),
    ("\\frac{1}{2}", "2"),
    ("\\frac{1}{3}", "0.33"),
    ("\\frac{1}{3}", "0.333"),
    ("\\frac{2}{3}", "0.666666"),
    ("\\sqrt{2}", "1.414"),
    ("\\pi", "3.14"),
    ("\\frac{7}{12}", "\\frac{8}{12}"),
    ("\\frac{7}{12}", "\\frac{14}{12}"),
    ("-2, 3", "3"),
    ("-2, 3", "-2, 3, 4"),
    ("-2, 3", "2, -3"),
    ("-2, 3", "(-2, 3)"),
    ("\\frac{-3-\\sqrt{5}}{2}, \\frac{-3+\\sqrt{5}}{2}", "\\frac{-3 + \\sqrt{5}}{2}"),
    ("\\frac{-3-\\sqrt{5}}{2}, \\frac{-3+\\sqrt{5}}{2}", "\\frac{3 \\pm \\sqrt{5}}{2}"),
    ("(2, -1)", "(-1, 2)"),
    ("(2, -1)", "x = -1, y = 2"),
    ("(2, -1)", "(2)"),
    ("(2, -1)", "(2, -1, 0)"),
    ("(1, 2, 3)", "x=1, y=2, w=3"),  # variables of a given answer are read in alphabetical order
    ("0.25", "25"),
    ("25\\%", "2.5"),
    ("1000", "1,001"),
    ("1000", "100"),
    ("(-\\infty, 3]", "(-\\infty, 3)"),
    ("(-\\infty, 3]", "x < 3"),
    ("(-\\infty, 3]", "[3, \\infty)"),
    ("[1, 2)", "[1, 2]"),
    ("(-\\infty, -2) \\cup (3, \\infty)", "(-2, 3)"),
    ("2\\sqrt{3}", "3\\sqrt{2}"),
    ("x^2 + 2x + 1", "x^2 + 1"),
    ("x + 1", "y + 1"),
    ("\\frac{7}{2}", "3\\frac{1}{3}"),
    ("3 + 4i", "3 - 4i"),
    ("\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}", "\\begin{pmatrix}1&3\\\\2&4\\end{pmatrix}"),
    ("\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}", "\\begin{pmatrix}1&2\\end{pmatrix}"),
    ("\\text{Monday}", "dynamo"),
    ("\\text{Monday}", "Tuesday"),
    ("\\text{(B)}", "C"),
    ("x = 3", "y = 3"),
    ("\\infty", "-\\infty"),
    ("10", "\\text{ten apples and more}"),
    ("1", "9^{9^{9^9}}"),
    ("2", ""),
]


@pytest.mark.parametrize("reference,answer", EQUAL)
def test_equal_answers_match(reference, answer):
    verdict = check_answer(answer, reference)
    assert verdict.equal, f"{answer!r} should equal {reference!r}: {verdict}"


@pytest.mark.parametrize("reference,answer", DIFFERENT)
def test_different_answers_do_not_match(reference, answer):
    verdict = check_answer(answer, reference)
    assert not verdict.equal, f"{answer!r} should not equal {reference!r}: {verdict}"


# The reference decides the kind of object: a tuple reference accepts a bare "2, -1" in order, but a bare
# list of roots does not accept a tuple. These pairs hold in one direction only.
# A reference written as assignments is read in its written order (x=1, y=2, w=3 is (1, 2, 3)).
ONE_WAY = {("(2, -1)", "2, -1"), ("-2, 3", "(-2, 3)"), ("(1, 2, 3)", "x=1, y=2, w=3")}
SYMMETRIC_EQUAL = [
    (r, a)
    for r, a in EQUAL
    if "\\pm" not in a and not a.startswith(("x", "y", "f(")) and (r, a) not in ONE_WAY
]


@pytest.mark.parametrize("reference,answer", SYMMETRIC_EQUAL)
def test_equality_holds_both_ways(reference, answer):
    assert check_answer(reference, answer).equal


@pytest.mark.parametrize("reference,answer", [(r, a) for r, a in DIFFERENT if a and (r, a) not in ONE_WAY])
def test_difference_holds_both_ways(reference, answer):
    assert not check_answer(reference, answer).equal


def test_common_answers_are_decided_without_sympy():
    fast = [
        ("\\frac{7}{12}", "7/12"),
        ("-2, 3", "3, -2"),
        ("(2, -1)", "x=2, y=-1"),
        ("2\\sqrt{3}", "\\sqrt{12}"),
        ("1000", "1,000"),
        ("(-\\infty, 3]", "x \\le 3"),
        ("25\\%", "0.25"),
        ("3", "4"),
        ("\\pi", "3.14"),
    ]
    for reference, answer in fast:
        assert check_answer(answer, reference).method in ("string", "value"), (reference, answer)


@pytest.mark.parametrize(
    "response,reference,correct,why",
    [
        ("So the answer is \\boxed{42}.", "42", True, ""),
        ("<think>maybe \\boxed{41}</think> The answer is \\boxed{42}.", "42", True, ""),
        ("<think>\\boxed{42}</think> I give up.", "42", False, "no \\boxed"),
        ("\\boxed{41} or perhaps \\boxed{42}", "42", False, "several different"),
        ("\\boxed{42}, so the answer is \\boxed{42.0}", "42", True, ""),
        ("\\boxed{\\frac{1}{2}} which is \\boxed{0.5}", "1/2", True, ""),
        ("\\boxed{}", "42", False, "empty"),
        ("The answer is 42.", "42", False, "no \\boxed"),
        ("\\fbox{42}", "42", True, ""),
        ("\\boxed{\\boxed{42}}", "42", True, ""),
        ("\\boxed{42", "42", False, "no \\boxed"),
    ],
)
def test_response_rule(response, reference, correct, why):
    score = score_boxed_answer(response, reference)
    assert score.correct is correct and score.reward == float(correct)
    assert why in score.reason


def test_boxing_every_candidate_earns_nothing():
    spray = " ".join(f"\\boxed{{{i}}}" for i in range(40, 45))
    assert score_boxed_answer(spray, "44").reward == 0.0
    assert score_boxed_answer(spray + " " + "\\boxed{44}" * 20, "44").reward == 0.0


@pytest.mark.parametrize(
    "question,answer,reference,repeats",
    [
        ("Compute $47 + 38$.", "47 + 38", "85", True),
        ("Compute $\\frac{2}{3} + \\frac{5}{7}$.", "\\frac{2}{3}+\\frac{5}{7}", "\\frac{29}{21}", True),
        ("Simplify $\\frac{6}{8}$.", "\\dfrac{6}{8}", "\\frac{3}{4}", True),
        ("Simplify $\\sqrt{12}$.", "\\sqrt{12}", "2\\sqrt{3}", True),
        ("Compute $47 + 38$.", "85", "85", False),
        ("What is $\\frac{1}{2}$ of 10?", "5", "5", False),
        ("Is the probability $\\frac{1}{2}$? Give it.", "\\frac{1}{2}", "\\frac{1}{2}", False),
        ("Answer yes or no: is 7 prime?", "yes", "yes", False),
        ("Find $x$ if $x + 13 = 21$.", "x = 8", "8", False),
        ("Which is larger? (A) $2\\sqrt{3}$ (B) $3\\sqrt{2}$", "3\\sqrt{2}", "3\\sqrt2", False),
    ],
)
def test_repeating_the_question(question, answer, reference, repeats):
    assert repeats_question(answer, reference, question) is repeats
    score = score_boxed_answer(f"\\boxed{{{answer}}}", reference, question=question)
    if repeats:
        assert score.reward == 0.0 and "repeats" in score.reason
    else:
        assert score.reward == 1.0


def test_normalisation_removes_presentation_only():
    assert normalize_answer("$\\left(\\dfrac{1}{2}\\right)$") == "(\\frac{1}{2})"
    assert normalize_answer("\\text{ 5 cm }") == "5"
    assert normalize_answer("90^{\\circ}") == "90"
    assert normalize_answer("1\\,000\\,000") == "1,000,000"
