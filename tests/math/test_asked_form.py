"""The form the question asks for, and honest answers the math rule refused (red team, round 2).

A conversion question ("Convert 3/8 to a decimal", "Express 0.375 as a common fraction") paid a copy of the
quantity it gives: the plain-number exemption of the copy rule let ``\\frac{3}{8}`` through. Where the
question asks for a form, an answer not in that form is no answer (:func:`form_problem`). And a few honest
answers were refused: ``= 346``, ``C(7,2) = 21``, ``2\\mathrm{i}``, ``0 + 2i``, ``11_{10}``.
"""

import pytest

import guru_envs
from guru_envs.core.task import Task
from guru_envs.verify.latex import asked_forms, form_problem, score_boxed_answer

FRACTION = "Express your answer as a common fraction."
RADICAL = "Express your answer in simplest radical form."


def boxed(answer: str) -> str:
    return f"Working it through carefully. So the answer is $\\boxed{{{answer}}}$."


def guru_row(question: str, reference: str) -> Task:
    return Task(id="row/0", domain="math", family="guru", prompt=question, answer=reference)


def score(question: str, answer: str, reference: str) -> float:
    return guru_envs.score(guru_row(question, reference), boxed(answer)).reward


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Convert $3/8$ to a decimal.", {"decimal"}),
        ("What is $3/4$ expressed as a decimal?", {"decimal"}),
        ("Express $0.375$ as a common fraction.", {"fraction"}),
        ("Write the fraction in lowest terms.", {"fraction"}),
        ("Express $5/8$ as a percent.", {"percent"}),
        ("Write $7/4$ as a mixed number.", {"mixed"}),
        ("Write $0.00042$ in scientific notation.", {"scientific"}),
        ("Find $x$. " + RADICAL, {"radical"}),
        (
            "Find $x$. Express your answer as a common fraction in simplest radical form.",
            {"fraction", "radical"},
        ),
        ("Write $3/8$ as a decimal and as a percent.", set()),  # two number forms: neither in particular
        ("Round to two decimal places.", set()),
        ("How many fractions are there?", set()),
    ],
)
def test_asked_forms(question, expected):
    assert asked_forms(question) == expected


@pytest.mark.parametrize(
    ("question", "answer", "reference"),
    [
        ("Convert $3/8$ to a decimal.", "\\frac{3}{8}", "0.375"),
        ("Convert $3/8$ to a decimal.", "3/8", "0.375"),
        ("What is $3/4$ expressed as a decimal?", "\\frac{3}{4}", "0.75"),
        ("Write $7/4$ as a mixed number.", "\\frac{7}{4}", "1\\frac{3}{4}"),
        ("Write $7/4$ as a mixed number.", "1.75", "1\\frac{3}{4}"),
        ("Express $5/8$ as a percent.", "\\frac{5}{8}", "62.5\\%"),
        ("Express $5/8$ as a percent.", "0.625", "62.5\\%"),  # the fraction, not its percentage
        ("Write $0.00042$ in scientific notation.", "0.00042", "4.2 \\times 10^{-4}"),
        ("Write $0.00042$ in scientific notation.", "42 \\times 10^{-5}", "4.2 \\times 10^{-4}"),
        ("Express $0.375$ as a common fraction.", "0.375", "\\frac{3}{8}"),
        ("What is the probability? " + FRACTION, "0.25", "\\frac{1}{4}"),
        ("What is the probability? " + FRACTION, "25\\%", "\\frac{1}{4}"),
        ("How many are left? " + FRACTION, "12.0", "12"),
        (
            "Find the height. Express your answer as a common fraction in simplest radical form.",
            "0.866025",
            "\\frac{\\sqrt{3}}{2}",
        ),
        ("How long is the diagonal? " + RADICAL, "\\sqrt{12}", "2\\sqrt{3}"),
        ("How long is the diagonal? " + RADICAL, "3.464102", "2\\sqrt{3}"),
        ("How long is the diagonal? " + RADICAL, "\\sqrt{4 \\cdot 3}", "2\\sqrt{3}"),
    ],
)
def test_an_answer_not_in_the_asked_form_is_refused(question, answer, reference):
    assert score(question, answer, reference) == 0.0
    assert form_problem(answer, reference, question) is not None


@pytest.mark.parametrize(
    ("question", "answer", "reference"),
    [
        ("Convert $3/8$ to a decimal.", "0.375", "0.375"),
        ("What is $2.5 + 4.5$ as a decimal?", "7", "7"),  # an integer is a decimal
        ("Write $7/4$ as a mixed number.", "1\\frac{3}{4}", "1\\frac{3}{4}"),
        ("Write $7/4$ as a mixed number.", "1 3/4", "1\\frac{3}{4}"),
        ("Express $5/8$ as a percent.", "62.5\\%", "62.5\\%"),
        ("Express $5/8$ as a percent.", "62.5", "62.5"),
        ("Express $5/8$ as a percent.", "62.5", "62.5\\%"),  # the number of the percentage
        ("Write $0.00042$ in scientific notation.", "4.2 \\times 10^{-4}", "4.2 \\times 10^{-4}"),
        ("Express $0.375$ as a common fraction.", "\\frac{3}{8}", "\\frac{3}{8}"),
        ("Express $0.375$ as a common fraction.", "3/8", "\\frac{3}{8}"),
        ("How many are left? " + FRACTION, "12", "12"),  # an integer is a fraction n/1
        (
            "Find the height. Express your answer as a common fraction in simplest radical form.",
            "\\frac{\\sqrt{3}}{2}",
            "\\frac{\\sqrt{3}}{2}",
        ),
        ("How long is the diagonal? " + RADICAL, "2\\sqrt{3}", "2\\sqrt{3}"),
        ("How long is the diagonal? " + RADICAL, "\\sqrt{3} \\cdot 2", "2\\sqrt{3}"),
        ("How long is the side? " + RADICAL, "\\frac{1}{\\sqrt{2}}", "\\frac{\\sqrt{2}}{2}"),
        ("How long is the side? " + RADICAL, "4", "4"),
        # the phrase is not about the answer: the reference is not in that form
        ("If $0.\\overline{42}$ is written as a fraction $\\frac{a}{b}$, what is $a + b$?", "47", "47"),
        ("When $\\frac{1}{7}$ is written as a decimal, what is the sum of its first 6 digits?", "27", "27"),
        ("What is $\\frac{1}{3}$ as a decimal? (A) 0.3 (B) 0.333333 (C) 3", "\\frac{1}{3}", "\\frac{1}{3}"),
    ],
)
def test_an_answer_in_the_asked_form_is_paid(question, answer, reference):
    assert score(question, answer, reference) == 1.0


@pytest.mark.parametrize(
    ("question", "answer", "reference"),
    [
        ("What is the value of $17 \\times 23 - 45$?", "= 346", "346"),
        ("What is the value of $17 \\times 23 - 45$?", "=346", "346"),
        ("Compute $\\dbinom{7}{2}$.", "C(7,2) = 21", "21"),
        ("Compute $\\dbinom{7}{2}$.", "\\binom{7}{2} = 21", "21"),
        ("Compute $7 \\cdot 8$.", "7 \\cdot 8 = 56", "56"),
        ("Compute $(1+i)^2$.", "2\\mathrm{i}", "2i"),
        ("Compute $(1+i)^2$.", "0 + 2i", "2i"),
        ("Evaluate $i^{11} + i^{111}$.", "0 - 2i", "-2i"),
        ("Compute $e^0 + 1$.", "2", "2"),
        ("Convert $1011_2$ to base 10.", "11_{10}", "11"),
        ("Convert $1011_2$ to base ten.", "11_{\\text{ten}}", "11"),
        ("Convert $11$ to base 2.", "1011_2", "1011"),
        ("What is $213_4 + 32_4$? Express your answer in base 4.", "311_4", "311"),
    ],
)
def test_honest_answers_are_paid(question, answer, reference):
    assert score(question, answer, reference) == 1.0


@pytest.mark.parametrize(
    ("question", "answer", "reference"),
    [
        ("Compute $\\dbinom{7}{2}$.", "C(7,2) = 20", "21"),  # a false equation
        ("Compute $\\dbinom{7}{2}$.", "C(7,2)", "21"),  # the question again
        ("Compute $(1+i)^2$.", "2\\mathrm{e}", "2i"),
        ("Compute $3 + 4$.", "7 + 0i", "7"),  # a zero imaginary part is still a no-op
        ("Convert $11$ to base 2.", "1011_{10}", "1011"),  # says 1011 in base ten
        ("Convert $1011_2$ to base 10.", "11_{2}", "11"),
        ("Convert $1011_2$ to base 10.", "19_{8}", "11"),  # 9 is no octal digit
        ("What is the value of $17 \\times 23 - 45$?", "= 345", "346"),
        ("What is the value of $17 \\times 23 - 45$?", "== 346", "346"),
    ],
)
def test_the_honest_forms_do_not_pay_wrong_answers(question, answer, reference):
    assert score(question, answer, reference) == 0.0


def test_the_form_rule_without_a_question_is_moot():
    assert score_boxed_answer(boxed("\\frac{3}{8}"), "0.375").reward == 1.0
    assert form_problem("\\frac{3}{8}", "0.375", None) is None
