"""A point is not an interval, a named value is named right, a vmatrix is a determinant.

Red-team findings on ``guru/Math.linear_system-v0`` (gold ``(16, 26)``): ``16 < x < 26``, ``16 < t < 26``
and ``x \\in (16, 26)`` were paid (an open interval is written like a pair); ``(y, x) = (16, 26)`` was paid
(the names were thrown away) while ``(y, x) = (26, 16)`` was refused; ``y = 16, z = 26`` and
``a = 16, b = 26`` were paid (names paired with the tuple alphabetically, never checked against the
question). ``\\begin{vmatrix}1&2\\\\3&4\\end{vmatrix}`` was paid as the matrix and refused as its value -2.
"""

import pytest

import guru_envs
from guru_envs.verify.latex import score_boxed_answer

SYSTEM = "Solve the system $x + y = 42$, $x - y = -10$. Give the answer as an ordered pair $(x, y)$."
YX = "Solve the system $x + y = 42$, $x - y = 10$. Give the answer as an ordered pair $(y, x)$."
MATRIX = "\\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}"
VMATRIX = "\\begin{vmatrix}1&2\\\\3&4\\end{vmatrix}"


def boxed(answer: str) -> str:
    return f"So the answer is $\\boxed{{{answer}}}$."


@pytest.mark.parametrize(
    "answer",
    [
        "16 < x < 26",
        "16 < y < 26",
        "16 < t < 26",
        "26 > x > 16",
        "x \\in (16, 26)",
        "y \\in (16, 26)",
        "[16, 26]",
        "(16, 26) \\cup (26, 16)",
        # names
        "(y, x) = (16, 26)",  # states y = 16 and x = 26
        "y = 16, z = 26",
        "a = 16, b = 26",
        "x = 16, y = 26, z = 0",
        "x = 26, y = 16",
    ],
)
def test_a_point_is_not_an_interval_nor_other_names(answer):
    score = score_boxed_answer(boxed(answer), "(16, 26)", question=SYSTEM)
    assert score.reward == 0.0, score


@pytest.mark.parametrize(
    "answer",
    [
        "(16, 26)",
        "x = 16, y = 26",
        "y = 26, x = 16",
        "(x, y) = (16, 26)",
        "(y, x) = (26, 16)",  # the right answer, its names in another order
        "x = 16 \\text{ and } y = 26",
        "16, 26",
        "\\begin{pmatrix}16\\\\26\\end{pmatrix}",
    ],
)
def test_the_point_however_written_is_paid(answer):
    score = score_boxed_answer(boxed(answer), "(16, 26)", question=SYSTEM)
    assert score.reward == 1.0, score


@pytest.mark.parametrize(
    ("answer", "paid"),
    [
        ("x = 26, y = 16", True),  # the question's order is (y, x): (16, 26) means y = 16
        ("y = 16, x = 26", True),
        ("(y, x) = (16, 26)", True),
        ("(16, 26)", True),
        ("x = 16, y = 26", False),
        ("(x, y) = (16, 26)", False),
        ("(26, 16)", False),
    ],
)
def test_named_values_follow_the_order_the_question_writes(answer, paid):
    assert score_boxed_answer(boxed(answer), "(16, 26)", question=YX).correct is paid


def test_subscripted_names_of_the_questions_variable_are_its_values():
    roots = score_boxed_answer(boxed("x_1 = 2, x_2 = 3"), "2, 3", question="Solve $x^2 - 5x + 6 = 0$.")
    assert roots.reward == 1.0
    other = score_boxed_answer(boxed("t_1 = 2, t_2 = 3"), "2, 3", question="Solve $x^2 - 5x + 6 = 0$.")
    assert other.reward == 0.0


def test_the_generated_linear_systems_refuse_intervals_and_strangers():
    family = guru_envs.catalog().family("math", "linear_system")
    for seed in range(10):
        task = family.sample(seed, 1)
        assert family.score(task, task.reference_response).reward == 1.0
        inner = task.answer.strip()[1:-1]
        values = [v.strip() for v in inner.split(",")]
        if len(values) != 2:
            continue
        a, b = values
        for attack in (f"{a} < x < {b}", f"x \\in ({a}, {b})", f"p = {a}, q = {b}", f"(y, x) = ({a}, {b})"):
            if a != b:
                assert family.score(task, boxed(attack)).reward == 0.0, (task.prompt, attack)


@pytest.mark.parametrize(
    ("answer", "reference", "question"),
    [
        ("1 < x < 3", "(1, 3)", "Solve the inequality $x^2 - 4x + 3 < 0$."),
        ("x \\in (1, 3)", "(1, 3)", "Solve $x^2 - 4x + 3 < 0$."),
        ("1 < x < 3", "(1, 3)", "Give the interval on which f is decreasing."),
        ("x > 0", "(0, \\infty)", None),  # an infinite end: always an interval
        ("x > 0", "(0, \\infty)", "Find the domain."),
    ],
)
def test_intervals_asked_for_are_still_paid(answer, reference, question):
    score = score_boxed_answer(boxed(answer), reference, question=question)
    assert score.reward == 1.0, score


def test_a_vmatrix_is_a_determinant():
    assert score_boxed_answer(boxed(VMATRIX), MATRIX).reward == 0.0
    assert score_boxed_answer(boxed(VMATRIX), "-2").reward == 1.0
    assert score_boxed_answer(boxed("-2"), VMATRIX).reward == 1.0
    three = "\\begin{vmatrix}1&2&3\\\\4&5&6\\\\7&8&10\\end{vmatrix}"
    assert score_boxed_answer(boxed(three), "-3").reward == 1.0
    norm = "\\begin{Vmatrix}1&2\\\\3&4\\end{Vmatrix}"
    assert score_boxed_answer(boxed(norm), MATRIX).reward == 0.0
    assert score_boxed_answer(boxed(norm), "-2").reward == 0.0
    # the determinant of the question's own matrix is the question again
    question = f"Find the determinant of ${MATRIX}$."
    assert score_boxed_answer(boxed(VMATRIX), "-2", question=question).reward == 0.0
    assert score_boxed_answer(boxed("-2"), "-2", question=question).reward == 1.0


@pytest.mark.parametrize(
    ("answer", "reference", "question", "paid"),
    [
        ("x \\approx 7", "7", None, False),  # x is about 7: not x = 7
        ("x ≈ 7", "7", None, False),
        ("\\mathrm{x} \\approx 7", "7", None, False),
        ("x \\approx 7.3", "7.3", "Round your answer to the nearest tenth.", True),
        # the exact value, then its decimals
        ("x = \\frac{1}{3} \\approx 0.333333", "\\frac{1}{3}", None, True),
        # superscripts and full-width digits are read (they were refused)
        ("7²", "49", None, True),
        ("1·10²", "100", None, True),
        ("2⁻¹", "0.5", None, True),
        ("x²+1", "x^2+1", None, True),
        ("７", "7", None, True),
        ("7²", "49", "Compute $7^2$.", False),  # still the question written again
        ("7₁", "7", None, False),  # a subscript on a number is a base, not read
    ],
)
def test_approximations_and_unicode_scripts(answer, reference, question, paid):
    assert score_boxed_answer(boxed(answer), reference, question=question).correct is paid


@pytest.mark.parametrize(
    ("answer", "reference", "paid"),
    [
        # values that agree with the reference in floating point, but are not it
        ("\\frac{665857}{470832}", "\\sqrt{2}", False),  # a convergent of sqrt(2)
        ("\\frac{114243}{80782}", "\\sqrt{2}", False),
        ("7+e^{-100}", "7", False),
        ("7 + e^{-1000}", "7", False),
        ("x + e^{-100}", "x", False),
        # and values that are it
        ("\\frac{2}{\\sqrt{5}-1}", "\\frac{1+\\sqrt{5}}{2}", True),
        ("\\sin(1)^2+\\cos(1)^2", "1", True),
        ("4\\arctan(1)", "\\pi", True),
        ("e^{2\\pi i}", "1", True),
        ("\\sqrt{18}", "3\\sqrt{2}", True),
        ("1.414214", "\\sqrt{2}", True),  # a correctly rounded decimal, as before
        ("\\sin(\\pi)", "0", True),  # a rounding residue, not a term
        ("\\sin(\\pi) + 7", "7", True),
        ("\\frac{" + "1" * 300 + "\\sqrt{2}}{" + "1" * 300 + "}", "\\sqrt{2}", True),  # too big for floats
        # mixed numbers written in plain text
        ("2 1/2", "\\frac{5}{2}", True),
        ("-2 1/2", "-\\frac{5}{2}", True),
        ("2 1/2", "1", False),
        ("2 1/2", "2", False),
        ("2 3/2", "\\frac{7}{2}", False),  # not a proper fraction: two values
    ],
)
def test_precise_values_and_plain_mixed_numbers(answer, reference, paid):
    assert score_boxed_answer(boxed(answer), reference).correct is paid


def test_points_cannot_be_aimed_at():
    """With fixed sample points, x^2 + (x - p1)(x - p2)(x - p3) was paid for x^2."""
    from guru_envs.verify.latex_expr import _points

    for points in (_points(frozenset({"x"})), _points(frozenset({"x"}), salt="another answer")):
        roots = [p["x"] for p in points]
        factors = "".join(f"(x - \\frac{{{r.numerator}}}{{{r.denominator}}})" for r in roots)
        assert score_boxed_answer(boxed(f"x^2 + {factors}"), "x^2").reward == 0.0
    assert score_boxed_answer(boxed("(x+1)^2"), "x^2 + 2x + 1").reward == 1.0
