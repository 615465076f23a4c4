"""Reward integrity of the math rule: wrong answers that contain the gold are refused, right ones are paid.

Each class of issue 17 has a table here; the families' own seeds are attacked in ``test_copies_*``.
"""

import time

import pytest

import guru_envs
from guru_envs.core.task import Task
from guru_envs.verify.latex import score_boxed_answer

ARITHMETIC = guru_envs.catalog().family("math", "arithmetic")


def boxed(answer: str) -> str:
    return f"Working it through carefully. So the answer is $\\boxed{{{answer}}}$."


@pytest.mark.parametrize(
    ("answer", "reference", "why"),
    [
        # words inside the box
        ("7 \\text{ is wrong}", "7", "statement"),
        ("7\\text{ or eight}", "7", "alternative"),
        ("7 \\text{ thousand}", "7", "scale word"),
        ("7 \\text{ not sure}", "7", "negation"),
        ("\\text{not } 7", "7", "negation"),
        ("7 \\text{ (approximately)}", "7", "approximation"),
        ("7 \\text{ bananas}", "7", "neither a unit"),
        ("7 \\textbf{ or } 8", "7", "alternative"),
        ("\\text{maybe } 7", "7", "hedge"),
        ("7 \\text{ apples } 8", "7", ""),
        # false equations and chains
        ("5 = 3", "3", "false equation"),
        ("2+2=5", "5", "false equation"),
        ("x = 5 = 3", "3", "false equation"),
        ("x = 3 = 5", "5", "false equation"),
        ("x = 1/3 \\approx 1.3", "1/3", "false approximation"),
        ("3 = 3 + 1", "3", "false equation"),
        ("(2, -1) \\approx (-1, 2)", "(2, -1)", "approximation"),
        ("7 \\approx 8", "7", "false approximation"),
        ("7 \\pm 0", "7", "\\pm 0"),
        ("2, 3 \\pm 0", "2, 3", "\\pm 0"),
        ("\\text{Monday}?", "\\text{Monday}", "'?'"),
        ("~7", "7", "approximates"),
        ("x \\approx 7", "7", "approximates"),  # x is about 7: not x = 7
        ("x ≈ 7", "7", "approximates"),
    ],
)
def test_more_than_one_claim_is_refused(answer, reference, why):
    score = score_boxed_answer(boxed(answer), reference)
    assert score.reward == 0.0, score
    assert why in score.reason, score.reason


@pytest.mark.parametrize(
    ("answer", "reference"),
    [
        ("\\{1, 2\\}", "(1, 2)"),  # a set for an ordered pair
        ("\\{2, -1\\}", "(2, -1)"),
        ("(1, 2)", "\\{1, 2\\}"),  # and an ordered pair for a set
        ("(1, 2)", "1, 2"),
        ("- i, i or - i", "- i, i"),  # an item said twice: a hedge between the set and one root
        ("2, 3 or 3", "2, 3"),
        ("3 \\text{ or } 3", "3"),
        ("x + 1 = 4", "3"),  # an equation is not a value
        ("a + 3z = 0", "0"),
    ],
)
def test_wrong_kind_of_object_is_refused(answer, reference):
    assert score_boxed_answer(boxed(answer), reference).reward == 0.0


@pytest.mark.parametrize(
    ("response", "reference"),
    [
        ("The answer is $\\boxed 3$.", "3"),
        ("\\boxed{0.\\overline{3}}", "\\frac{1}{3}"),
        ("\\boxed{0.1\\overline{6}}", "\\frac{1}{6}"),
        ("\\boxed{\\sin 60^\\circ}", "\\frac{\\sqrt{3}}{2}"),
        ("\\boxed{\\cos 60°}", "\\frac{1}{2}"),
        ("\\boxed{\\textbf{42}}", "42"),
        ("\\boxed{**42**}", "42"),
        ("\\boxed{\\mathbf{x = 5}}", "5"),
        ("\\boxed{x >= 5}", "x \\geq 5"),
        ("\\boxed{x \\geq 5}", "x >= 5"),
        ("\\boxed{x <= 2}", "x \\leq 2"),
        ("\\boxed{0,5}", "0.5"),
        ("\\boxed{1000,99}", "1000.99"),
        ("\\boxed{125\\textnormal{ miles}}", "125"),
        ("\\boxed{28 pct}", "28\\%"),
        ("\\boxed{28 percent}", "28\\%"),
        ("\\boxed{15\\mbox{ cm}^2}", "15"),
        ("\\boxed{0.06 \\text{ yuan}}", "0.06"),
        (
            "\\boxed{\\left[\\begin{array}{cc}1 & 2 \\\\ 3 & 4\\end{array}\\right]}",
            "\\begin{pmatrix}1 & 2 \\\\ 3 & 4\\end{pmatrix}",
        ),
        (
            "\\boxed{\\begin{bmatrix}0 & 0 \\\\ 0 & 0\\end{bmatrix}}",
            "\\begin{pmatrix}0 & 0 \\\\ 0 & 0\\end{pmatrix}",
        ),
        ("$x = \\boxed{2}$ or $x = \\boxed{3}$", "2, 3"),  # several boxes giving a set of solutions
        ("\\boxed{(1, 2)}, \\boxed{(2, 1)}", "(1, 2), (2, 1)"),
        ("\\boxed{11,\\! 111,\\! 100}", "11111100"),
        ("\\boxed{7:32}", "V_1:V_2 = 7:32"),
        ("\\boxed{x = 2 + 3 = 5}", "5"),  # a true chain states its value
        ("\\boxed{5 \\text{ apples}}", "5"),  # the question counts apples (see below)
        ("\\boxed{(-\\infty, 3\\rbrack}", "(-\\infty, 3]"),
        ("\\boxed{\\lbrack 1, 3)}", "[1, 3)"),
        ("\\boxed{\uff0d5}", "-5"),  # a full-width minus
    ],
)
def test_right_answers_are_paid(response, reference):
    question = "How many apples are left?" if "apples" in response else None
    score = score_boxed_answer(response, reference, question=question)
    assert score.reward == 1.0, score


@pytest.mark.parametrize(
    ("response", "reference"),
    [
        ("\\boxed{2} and \\boxed{3}", "3"),  # several different answers to a one-value question
        ("\\boxed{2} and \\boxed{3} and \\boxed{4}", "2, 3"),  # a set with an extra item
        ("\\boxed{2} and \\boxed{2, 3}", "2, 3"),  # a box that is a list does not join a set
        ("\\boxed{(1, 2)} \\boxed{(2, 1)}", "(1, 2)"),
    ],
)
def test_several_boxes_that_are_not_one_answer_are_refused(response, reference):
    assert score_boxed_answer(response, reference).reward == 0.0


def _copies(expression: str) -> list[str]:
    """The question's expression written again: parenthesised, sized, plus zero, reordered, doubled sign."""
    bare = expression.replace("\\left", "").replace("\\right", "")
    out = [
        expression,
        f"({bare})",
        f"\\left({bare}\\right)",
        f"{{{bare}}}",
        f"{bare} + 0",
        f"0 + {bare}",
        f"({bare}) \\times 1",
        f"\\frac{{{bare}}}{{1}}",
        f"(((({bare}))))",
    ]
    if " - " in bare and bare.count(" ") == 2:  # a - b -> -b + a
        a, b = bare.split(" - ")
        out.append(f"-{b} + {a}")
    if " + " in bare and bare.count(" ") == 2:
        a, b = bare.split(" + ")
        out.append(f"{b} + {a}")
    return out


@pytest.mark.parametrize("level", [1, 3, 4, 5])
def test_copies_of_the_question_earn_nothing_on_arithmetic(level):
    paid = []
    for seed in range(60):
        task = ARITHMETIC.sample(seed, level)
        for copy in _copies(task.meta["expression"]):
            if ARITHMETIC.score(task, boxed(copy)).reward > 0:
                paid.append((task.prompt, copy))
        assert ARITHMETIC.score(task, task.reference_response).reward == 1.0
    assert not paid, paid[:5]


@pytest.mark.parametrize(
    ("question", "answer", "reference"),
    [
        ("Compute $83 - 52$.", "(83 - 52)", "31"),
        ("Compute $83 - 52$.", "\\left(83 - 52\\right)", "31"),
        ("Compute $83 - 52$.", "83 - 52 + 0", "31"),
        ("Compute $83 - 52$.", "-52 + 83", "31"),
        ("Compute $83 - 52$.", "{{{83 - 52}}}", "31"),
        ("Compute $83 - 52$.", "83 - 52 + 1 - 1", "31"),
        ("Compute $\\frac{2}{3} + \\frac{5}{7}$.", "\\frac{5}{7} + \\frac{2}{3}", "\\frac{29}{21}"),
        (
            "Compute $\\frac{2}{3} + \\frac{5}{7}$.",
            "\\left(\\frac{2}{3} + \\frac{5}{7}\\right)",
            "\\frac{29}{21}",
        ),
        ("Simplify $\\frac{6}{8}$.", "6/8", "\\frac{3}{4}"),
        ("Simplify $\\sqrt{8}$.", "(\\sqrt{8})", "2\\sqrt{2}"),
        ("Simplify $\\sqrt{8}$.", "\\sqrt{8} \\cdot 1", "2\\sqrt{2}"),
        ("Compute $3 \\times 4 + 5$.", "5 + 4 \\cdot 3", "17"),
        # plain-text questions: the arithmetic has no $..$ around it
        ("What is 6*7?", "6 \\times 7", "42"),
        ("What is 6*7?", "7 \\cdot 6", "42"),
        ("What is 12 ÷ 4?", "12 \\div 4", "3"),
        ("Compute 2^10.", "2^{10}", "1024"),
        ("Evaluate (3 + 4) * 2 for me.", "2(4+3)", "14"),
        # worded arithmetic: an operation of the question's own numbers is the question again
        ("What is the sum of 123 and 456?", "456 + 123", "579"),
        ("What is 100 divided by 4?", "\\frac{100}{4}", "25"),
        ("What is 100 divided by 4?", "100 \\div 4", "25"),
        ("What is 2 to the power of 10?", "2^{10}", "1024"),
        ("What is 15% of 80?", "15\\% \\times 80", "12"),
        ("Find $\\sqrt{144}$.", "\\sqrt[2]{144}", "12"),
        ("Find $\\sqrt{144}$.", "\\left|\\sqrt{144}\\right|", "12"),
        # an integral or sum left unevaluated, however it is braced
        ("Compute $\\int_0^1 x^2 dx$.", "\\int_{0}^{1}x^2dx", "\\frac{1}{3}"),
        ("Compute $\\int_0^1 x^2 dx$.", "\\int_0^1 x^2 \\mathrm{d}x", "\\frac{1}{3}"),
        ("Compute $\\sum_{k=1}^{10} k$.", "\\sum_{k=1}^{10} {k}", "55"),
    ],
)
def test_copies_of_the_question_earn_nothing_on_guru_rows(question, answer, reference):
    task = Task(id="row/0", domain="math", family="guru", prompt=question, answer=reference)
    score = guru_envs.score(task, boxed(answer))
    assert score.reward == 0.0, score


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        ("What is 6*7?", "42"),
        ("What is 12 ÷ 4?", "3"),
        ("Compute 2^10.", "1024"),
        ("Reduce 3/6.", "\\frac{1}{2}"),
        ("What is 3 divided by 4?", "\\frac{3}{4}"),  # a reduced fraction is a value
        ("A town has 300000 people. Write it in scientific notation.", "3 \\times 10^{5}"),
        ("Compute $\\int_0^1 x^2 dx$.", "\\frac{1}{3}"),
    ],
)
def test_the_value_of_a_plain_text_question_is_still_paid(question, answer):
    task = Task(id="row/0", domain="math", family="guru", prompt=question, answer=answer)
    assert guru_envs.score(task, boxed(answer)).reward == 1.0


def test_generated_tasks_ask_for_a_plain_number():
    task = ARITHMETIC.sample(3, 1)
    value = task.answer
    for unevaluated in (f"{value} + 0", f"2 \\cdot {value} - {value}", f"\\frac{{2 \\cdot {value}}}{{2}}"):
        assert ARITHMETIC.score(task, boxed(unevaluated)).reward == 0.0
    assert ARITHMETIC.score(task, boxed(value)).reward == 1.0
    assert ARITHMETIC.score(task, boxed(f"x = {value}")).reward == 1.0


@pytest.mark.parametrize("depth", [20, 200])
def test_redundant_brackets_cost_microseconds(depth):
    for left, right in (("(", ")"), ("{", "}"), ("\\left(", "\\right)")):
        answer = left * depth + "7" + right * depth
        start = time.thread_time()
        score = score_boxed_answer(boxed(answer), "7")
        elapsed = time.thread_time() - start
        assert elapsed < 0.05, (left, elapsed)
        assert score.reward == (1.0 if depth <= 20 else 0.0), score  # past 24 levels the cap refuses it


@pytest.mark.parametrize(
    "answer",
    [
        "5 \\\\ 3",
        "5 \\Rightarrow 3",
        "5 \\to 3",
        "5 \\implies 3",
        "5 \\lor 3",
        "5 \\vee 3",
        "\\neg 5, 3",
        "5 \\mid 3",
        "5 | 3",
        "\\cancel{5} 3",
        "\\sout{5} 3",
        "3^{?}",
        "3?",
        "\\sim 3",
        "\\color{red}{5} 3",
        "3 \\text{ is not right}",
        "5 \\ne 3",
    ],
)
def test_notation_the_symbolic_checker_reads_only_in_part_is_refused(answer):
    """math-verify reads the part of an answer it understands; what it would drop must not reach it."""
    score = score_boxed_answer(boxed(answer), "3")
    assert score.reward == 0.0, score


# Malformed formulas math-verify would read in part (it takes a number it finds and drops the rest): each
# scored 1 against 7 before the symbolic stage refused values side by side, operators without operands and
# dots, and read LaTeX only (its plain-expression reader finds a 7 anywhere).
@pytest.mark.parametrize(
    "answer",
    [
        "8 \\cup 7",
        "7 \\cup",
        "\\cup 7",
        "8 \\in 7",
        "0 \\in 7",
        "8 \\subset 7",
        "7 \\times",
        "\\times 7",
        "7 \\cdot",
        "7 \\div",
        "\\binom{8}{9} 7",
        "\\min{8}{9} 7",
        "7 \\max{8}{9}",
        "\\emptyset 7",
        "7 \\emptyset",
        "7 \\ldots",
        "0 \\ldots 7",
        "\\cdots 7",
        "7 \\dots",
        "8 \\dots 7",
        "7 \\sin",
        "7 \\sqrt",
        "7 \\frac",
        "8 \\frac 7",
        "7 \\lfloor",
        "\\rceil 7",
        "7 \\mod 8",
        "7 \\pmod{0}",
        "7 \\bmod{8}{9}",
        "8 \\perp 7",
        "\\parallel 7",
        "7 \\mathrm{0}",
        "\\operatorname{0} 7",
        "8 \\vec 7",
        "8 \\begin 7",
        "\\det{8}{9} 7",
        "7 \\approx 8",
        "8 7",
        "0 7",
        "7 0",
    ],
)
def test_malformed_formulas_are_refused_before_the_symbolic_checker(answer):
    score = score_boxed_answer(boxed(answer), "7")
    assert score.reward == 0.0, score


@pytest.mark.parametrize(
    ("answer", "reference"),
    [
        ("0 \\quad \\frac{1}{4}", "\\frac{1}{4}"),  # two values, not the mixed number 0 1/4
        ("0\\frac{1}{4}", "\\frac{1}{4}"),  # a mixed number has a whole part and a proper fraction
        ("0 \\; \\frac{1}{4}", "\\frac{1}{4}"),
        ("0 \\quad - 2 i, 2 i", "- 2 i, 2 i"),  # not 0 - 2i
        ("0~\\frac{427}{90}", "\\frac{427}{90}"),
        ("0 \\text{ } \\frac{1}{7}", "\\frac{1}{7}"),
        ("0 \\enspace \\frac{4}{5}", "\\frac{4}{5}"),
    ],
)
def test_values_set_apart_by_spacing_are_two_claims(answer, reference):
    score = score_boxed_answer(boxed(answer), reference)
    assert score.reward == 0.0, score


@pytest.mark.parametrize(
    ("answer", "reference"),
    [
        ("3\\frac{1}{2}", "\\frac{7}{2}"),
        ("3\\,\\frac{1}{2}", "\\frac{7}{2}"),
        ("\\log_2 8", "3"),
        ("\\sin^2 x + \\cos^2 x", "1"),
        ("\\sin^{-1} x", "\\arcsin x"),
        ("\\sum_{i=1}^{3} i", "6"),
        ("\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}", "\\begin{bmatrix}1&2\\\\3&4\\end{bmatrix}"),
        ("\\begin{array}{cc} 1 & 2 \\\\ 3 & 4 \\end{array}", "\\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}"),
        ("5 \\mathrm{mN}", "5"),  # a unit, not the scale word "mn"
        ("x^2 - 1", "(x - 1)(x + 1)"),
        ("\\frac{1}{2} \\quad", "\\frac{1}{2}"),  # spacing at the end is presentation
    ],
)
def test_well_formed_answers_still_pass_the_gate(answer, reference):
    score = score_boxed_answer(boxed(answer), reference)
    assert score.reward == 1.0, score


def test_powers_of_functions_are_decided_without_sympy():
    """``\\sin^2 x + \\cos^2 x`` used to go to sympy and take ~1 s (past the limit on a loaded machine)."""
    from guru_envs.verify.latex import check_answer

    verdict = check_answer("\\sin^2 x + \\cos^2 x", "1")
    assert verdict.equal and verdict.method == "value", verdict
    assert not check_answer("\\sin^2 x + \\cos^2 x", "2").equal
    assert check_answer("\\cos^{2} x", "1 - \\sin^2 x").method == "value"


@pytest.mark.parametrize(
    ("answer", "reference"),
    [
        ("7 ⊕ 0", "7"),  # math-verify drops symbols it does not know
        ("0 ⊕ 7", "7"),
        ("7 ≈ 8", "7"),
        ("7 ∨ 8", "7"),
        ("7 ∧ 8", "7"),
        ("7 … 8", "7"),
        ("7 ∣ 8", "7"),
        ("¬ 7", "7"),
        ("7 → 8", "7"),
        ("7'", "7"),  # a prime is dropped too
        ("- 2 i, 2 i'", "- 2 i, 2 i"),
        ("~ (24, 13)", "(24, 13)"),  # approximately, however it is bracketed
        ("~[1, 2]", "[1, 2]"),
    ],
)
def test_unicode_connectives_primes_and_tildes_are_refused(answer, reference):
    score = score_boxed_answer(boxed(answer), reference)
    assert score.reward == 0.0, score


@pytest.mark.parametrize(
    ("answer", "reference"),
    [
        # every order of an ordered answer at once: a name given twice is not a set of values here
        ("x=13, x=15, y=13, y=15", "x=13, y=15"),
        ("x=13, x=15, y=13, y=15", "(13, 15)"),
        ("a=13, a=15", "(13, 15)"),
        ("x=2, y=3, y=2", "x=2, y=3"),
        ("x=3, x=2, x=5", "(2, 3, 5)"),
        ("x=2, x=3, x=4", "x=2, x=3"),
        ("y=1, y=2, x=3, x=2", "x=2, x=3, y=1"),
        # a percent sign on both sides is read as written: one side's face value is not the other's value
        ("0.25\\%", "25\\%"),
        ("2500\\%", "25\\%"),
        # ... and a percent sign in a wrapper, or a percent word, is a percent sign
        ("0.5 \\text{\\%}", "50\\%"),
        ("0.5 \\mathrm{\\%}", "50\\%"),
        ("0.5 \\text{ percent}", "50\\%"),
        ("0.25 \\text{ pct}", "25\\%"),
        ("0.25 \\text{ percentage points}", "25\\%"),
        ("\\frac{1}{8} \\text{ percent}", "12.5\\%"),
        # solutions pair their values: the right values in the wrong pairs are another answer
        ("x=1, y=-1 \\text{ or } x=4, y=5", "x=1, y=5 \\text{ or } x=4, y=-1"),
        ("x=1, x=4, y=5, y=-1", "x=1, y=5 \\text{ or } x=4, y=-1"),
        ("x=2, y=2 \\text{ or } x=3, y=3", "x=2, y=3 \\text{ or } x=3, y=2"),
        # "or" between two unknowns gives one of them where both are asked for
        ("x=2 \\text{ or } y=3", "x=2, y=3"),
        ("x=2 \\text{ or } y=3", "(2, 3)"),
    ],
)
def test_hedges_over_orders_and_scales_are_refused(answer, reference):
    assert score_boxed_answer(boxed(answer), reference).reward == 0.0


@pytest.mark.parametrize(
    ("answer", "reference"),
    [
        ("y=15, x=13", "x=13, y=15"),
        ("x=13, y=15", "(13, 15)"),
        ("x=2, x=3", "2, 3"),  # roots of one variable
        ("x=3, x=2", "x=2, x=3"),
        ("3, 2", "x=2, x=3"),
        ("y=1, x=3, x=2", "x=2, x=3, y=1"),
        ("25\\%", "25\\%"),
        ("25\\%", "0.25"),
        ("25\\%", "25"),
        ("50 \\text{ percent}", "50\\%"),
        ("50 \\text{ percent}", "0.5"),
        ("0.25", "25 \\text{ percent}"),
        ("y=5, x=1, y=-1, x=4", "x=1, y=5 \\text{ or } x=4, y=-1"),
        ("x=4, y=-1 \\text{ or } x=1, y=5", "x=1, y=5 \\text{ or } x=4, y=-1"),
    ],
)
def test_named_values_and_percentages_in_other_spellings_are_paid(answer, reference):
    assert score_boxed_answer(boxed(answer), reference).reward == 1.0


@pytest.mark.parametrize(
    ("answer", "reference", "question", "paid"),
    [
        # a question that asks for no percentage: a percent sign is read as a hundredth, never dropped
        ("0.7\\%", "\\frac{7}{10}", "What is the probability that both draws are red?", False),
        ("70\\%", "\\frac{7}{10}", "What is the probability that both draws are red?", True),
        ("99\\%", "99", "How many ways can the committee be chosen?", False),
        ("-3\\%", "-3", "Compute $5 - 8$.", False),
        ("2\\%, 7\\%", "2, 7", "Solve $x^2 - 9x + 14 = 0$.", False),
        ("300 \\text{ percent}", "3", "How many apples are left?", True),
        # where the question speaks of a percentage, the reference may have dropped its sign
        ("25\\%", "25", "What percent of the students passed?", True),
        ("25\\%", "25", "Give the answer as a percentage.", True),
        ("25\\%", "0.25", "What share of 80 is 20? Give it in %.", True),
        # no question (a bare compute_score): both readings stay
        ("25\\%", "25", None, True),
    ],
)
def test_a_percent_sign_is_not_free_where_no_percentage_is_asked(answer, reference, question, paid):
    assert score_boxed_answer(boxed(answer), reference, question=question).reward == float(paid)


def test_generated_math_tasks_refuse_their_gold_with_a_percent_sign():
    """A policy could put \\% on every answer: on a task that asks for no percentage it must cost."""
    for selector in ("arithmetic", "counting", "probability", "quadratic"):
        family = guru_envs.catalog().family("math", selector)
        task = family.sample(0, 1)
        if "%" in task.prompt or "percent" in task.prompt:
            continue
        gold = str(task.answer)
        stuffed = ", ".join(f"{part.strip()}\\%" for part in gold.split(","))
        assert guru_envs.score(task, boxed(gold)).reward == 1.0
        assert guru_envs.score(task, boxed(stuffed)).reward == 0.0, (selector, stuffed)


@pytest.mark.parametrize(
    ("answer", "reference", "question"),
    [
        # a unit on both sides is compared, not dropped: 5 km is no 5 cm
        ("5 \\text{ km}", "5 \\text{ cm}", None),
        ("2 \\text{ minutes}", "2 \\text{ hours}", None),
        ("90 \\text{ radians}", "90^\\circ", None),
        ("\\frac{\\pi}{2}^\\circ", "\\frac{\\pi}{2}", None),
        # a word of the question that changes the value is not a label
        ("5 \\text{ squared}", "5", "What is 5 squared plus 0?"),
        ("5 \\text{ factorial}", "5", "Compute the factorial of 3, minus 1."),
        (
            "0.36 \\text{ decrease}",
            "0.36",
            "By how much did it change? Give a negative number for a decrease.",
        ),
        # the power of a unit is part of it; an arc-minute is no degree
        ("5 \\text{ cm}^2", "5 \\text{ cm}", None),
        ("5 \\text{ cm}^{3}", "5 \\text{ cm}", None),
        ("90 \\text{ minutes}", "90^\\circ", None),
        # no unit in the reference: another scale of the unit the question asks in
        ("7 \\text{ mm}", "7", "What is the length in cm?"),
        ("7 \\text{ minutes}", "7", "How many hours does the trip take?"),
        # a percent word anywhere in the label keeps the percent sign
        ("190 \\text{ percents}", "190", "How many committees can be formed?"),
        ("0.7 \\text{ percent red}", "\\frac{7}{10}", "What fraction of the marbles are red?"),
        ("190\\text{ %s}", "190", "How many committees can be formed?"),
    ],
)
def test_units_and_value_changing_words_are_part_of_the_answer(answer, reference, question):
    assert score_boxed_answer(boxed(answer), reference, question=question).reward == 0.0


@pytest.mark.parametrize(
    ("answer", "reference"),
    [
        ("5 \\text{ cm}", "5 \\text{ cm}"),
        ("5\\,\\mathrm{cm}", "5 \\text{ cm}"),
        ("90 \\text{ degrees}", "90^\\circ"),
        ("90", "90^\\circ"),
        ("30^\\circ", "30"),
        ("24 \\text{ square units}", "24"),
        ("5 \\text{ m/s}", "5"),
        ("5 \\text{ cm}^2", "5 \\text{ cm}^2"),
        ("5\\,\\mathrm{cm^2}", "5 \\text{ cm}^2"),
    ],
)
def test_the_same_unit_however_written_is_paid(answer, reference):
    assert score_boxed_answer(boxed(answer), reference).reward == 1.0


def test_an_answer_in_the_unit_the_question_asks_is_paid():
    assert score_boxed_answer(boxed("7 \\text{ cm}"), "7", question="What is the length in cm?").reward == 1.0
    assert score_boxed_answer(boxed("7 \\text{ hours}"), "7", question="How many hours?").reward == 1.0
