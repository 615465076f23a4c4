"""A question that writes the computation asks for its value: an answer still to be computed is no answer.

Red-team finding: on GURU rows (no ``final_form``) an answer that rewrote the question's expression in a
form the copy rule did not list (``17 \\times 23 - 40 - 5``, ``2(E)/2``, ``\\sqrt{E^2}``, ``4!`` for
"Compute $4!$") was paid "equal in value", and ``\\frac{12}{16}`` was paid for "Simplify $\\frac{6}{8}$".
"""

import pytest

import guru_envs
from guru_envs.core.task import Task
from guru_envs.verify.latex import evaluation_problem, score_boxed_answer

Q346 = "What is the value of $17 \\times 23 - 45$?"


def boxed(answer: str) -> str:
    return f"Working it through carefully. So the answer is $\\boxed{{{answer}}}$."


def guru_row(question: str, reference: str) -> Task:
    return Task(id="row/0", domain="math", family="guru", prompt=question, answer=reference)


@pytest.mark.parametrize(
    ("question", "answer", "reference"),
    [
        (Q346, "17 \\times 23 - 40 - 5", "346"),
        (Q346, "2(17 \\times 23 - 45)/2", "346"),
        (Q346, "\\sqrt{(17 \\times 23 - 45)^2}", "346"),
        (Q346, "17\\times23-45\\times1^{2}", "346"),
        (Q346, "17 \\times 23 - 9 \\times 5", "346"),
        (Q346, "17 \\times 20 + 17 \\times 3 - 45", "346"),
        (Q346, "391 - 45", "346"),
        (Q346, "345 + 1", "346"),
        (Q346, "346 + 0", "346"),
        (Q346, "\\frac{692}{2}", "346"),
        (Q346, "346 \\cdot 10^{0}", "346"),
        (Q346, "x = 345 + 1", "346"),
        (Q346, "346, 345 + 1", "346"),  # a list whose items are all "equal"
        (Q346, "346 + \\pi - \\pi", "346"),
        (Q346, "\\int_0^{346} 1 \\, dx", "346"),  # not a value the reader can check
        (Q346, "345 + 1 + x - x", "346"),  # a variable in it
        (Q346, "\\frac{346x}{x}", "346"),
        ("Evaluate $\\left\\lceil\\sqrt{140}\\right\\rceil$.", "\\lceil\\sqrt{141}\\rceil", "12"),
        ("Evaluate $\\lfloor 3.7 \\rfloor + \\lceil 2.1 \\rceil$.", "3 + 3", "6"),
        ("Compute $\\det \\begin{pmatrix} 2 & 1 \\\\ 3 & 4 \\end{pmatrix}$.", "8 - 3", "5"),
        ("Compute $4!$.", "4!", "24"),
        ("Compute $4!$.", "\\frac{5!}{5}", "24"),
        ("Compute $4!$.", "2 \\cdot 12", "24"),
        ("Compute $2^{10}$.", "4^5", "1024"),
        ("Compute $2^{10}$.", "4^5", "2^{10}"),  # the reference's own form, not another
        ("Compute $\\cos 30^\\circ$.", "\\sin 60^\\circ", "\\frac{\\sqrt{3}}{2}"),
        ("Compute $\\cos 30^\\circ$.", "\\frac{\\sqrt{12}}{4}", "\\frac{\\sqrt{3}}{2}"),
        ("Compute $\\arccos 0$.", "\\arcsin 1", "\\frac{\\pi}{2}"),
        ("Compute $\\arccos 0$.", "\\frac{2\\pi}{4}", "\\frac{\\pi}{2}"),
        ("Simplify $\\sqrt{12}$.", "\\sqrt{4 \\cdot 3}", "2\\sqrt{3}"),
        ("Simplify $\\sqrt{12}$.", "\\sqrt{3} + \\sqrt{3}", "2\\sqrt{3}"),
        ("Simplify $\\sqrt{12}$.", "\\sqrt{2}\\sqrt{6}", "2\\sqrt{3}"),
        ("Simplify $\\sqrt{12}$.", "\\frac{6}{\\sqrt{3}}", "2\\sqrt{3}"),
        ("Simplify $\\sqrt{12}$.", "-(-2\\sqrt{3})", "2\\sqrt{3}"),
        ("Simplify $\\sqrt{12}$.", "|2\\sqrt{3}|", "2\\sqrt{3}"),
        ("Simplify $\\sqrt{12}$.", "(2\\sqrt{3})^{1}", "2\\sqrt{3}"),
        ("Simplify $\\sqrt{12}$.", "2\\sqrt{3} + 0", "2\\sqrt{3}"),
        ("Compute $(1+i)^2$.", "i + i", "2i"),
        ("Compute $3 + 4$.", "7 + 0i", "7"),
        ("Compute $(1+i)^2$.", "(1+i)(1+i)", "2i"),
        ("Compute $\\frac{1}{1-i}$.", "\\frac{2+2i}{4}", "\\frac{1+i}{2}"),
        ("Compute $\\frac{2}{3} + \\frac{5}{7}$.", "\\frac{58}{42}", "\\frac{29}{21}"),
        # the question asks for lowest terms
        ("Simplify $\\frac{6}{8}$.", "\\frac{12}{16}", "\\frac{3}{4}"),
        ("Simplify $\\frac{6}{8}$.", "\\frac{60}{80}", "\\frac{3}{4}"),
        ("Simplify $\\frac{6}{8}$.", "\\frac{3\\cdot 2}{8}", "\\frac{3}{4}"),
        ("Simplify $\\frac{6}{8}$.", "\\frac{6}{4 \\cdot 2}", "\\frac{3}{4}"),
        ("Write the probability of 6 in 8 as a fraction in lowest terms.", "\\frac{12}{16}", "\\frac{3}{4}"),
        ("Express the ratio in simplest form.", "\\frac{4\\sqrt{3}}{2}", "2\\sqrt{3}"),
        ("Simplify the expression.", "\\frac{6x}{8}", "\\frac{3x}{4}"),
    ],
)
def test_an_answer_still_to_be_computed_is_refused(question, answer, reference):
    score = guru_envs.score(guru_row(question, reference), boxed(answer))
    assert score.reward == 0.0, score


def test_the_peer_case_compute_4_factorial():
    """Math-Verify's case: "Compute $4!$." with gold 24; ``4!`` is the question, not its value."""
    assert score_boxed_answer(boxed("4!"), "24", question="Compute $4!$.").reward == 0.0
    assert score_boxed_answer(boxed("24"), "24", question="Compute $4!$.").reward == 1.0


@pytest.mark.parametrize(
    ("question", "answer", "reference"),
    [
        (Q346, "346", "346"),
        ("Evaluate $\\left\\lceil\\sqrt{140}\\right\\rceil$.", "12", "12"),
        ("Compute $\\det \\begin{pmatrix} 2 & 1 \\\\ 3 & 4 \\end{pmatrix}$.", "5", "5"),
        ("Evaluate $i^{11} + i^{111}$.", "-2i", "-2i"),
        ("Simplify $(2-3i)^2$. Express your answer in the form $a+bi$.", "-5 - 12i", "-5-12i"),
        (Q346, "x = 346", "346"),
        (Q346, "346.0", "346"),
        (Q346, "3.46 \\times 10^{2}", "346"),
        (Q346, "17 \\times 23 - 45 = 346", "346"),  # a true equation states the value
        ("Compute $4!$.", "24", "24"),
        ("Compute $2^{10}$.", "1024", "2^{10}"),
        ("Compute $2^{10}$.", "2^{10}", "2^{10}"),  # written as the reference is
        ("Simplify $\\sqrt{12}$.", "2\\sqrt{3}", "2\\sqrt{3}"),
        ("Simplify $\\sqrt{12}$.", "\\sqrt{3} \\cdot 2", "2\\sqrt{3}"),
        ("Simplify $\\sqrt{12}$.", "2 \\cdot 3^{1/2}", "2\\sqrt{3}"),
        ("Simplify $\\sqrt{12}$.", "3.464102", "2\\sqrt{3}"),
        ("Compute $\\arccos 0$.", "\\frac{\\pi}{2}", "\\frac{\\pi}{2}"),
        ("Compute $\\arccos 0$.", "\\pi/2", "\\frac{\\pi}{2}"),
        ("Compute $\\arccos 0$.", "0.5\\pi", "\\frac{\\pi}{2}"),
        ("Compute $\\arccos 0$.", "\\frac{1}{2}\\pi", "\\frac{\\pi}{2}"),
        ("Compute $\\arccos 0$.", "1.570796", "\\frac{\\pi}{2}"),
        ("Compute $\\cos 30^\\circ$.", "\\frac{1}{2}\\sqrt{3}", "\\frac{\\sqrt{3}}{2}"),
        ("Compute $\\sin 45^\\circ$.", "\\frac{1}{\\sqrt{2}}", "\\frac{\\sqrt{2}}{2}"),
        ("Compute $\\sin 45^\\circ$.", "\\sqrt{\\frac{1}{2}}", "\\frac{\\sqrt{2}}{2}"),
        ("Compute $\\sin 45^\\circ$.", "2^{-1/2}", "\\frac{\\sqrt{2}}{2}"),
        ("Compute $\\sqrt{2}\\cdot\\sqrt{3}+1$.", "\\sqrt{6} + 1", "1+\\sqrt{6}"),
        ("Compute $(1+i)^2 + 1$.", "2i + 1", "1+2i"),
        ("Compute $\\frac{1}{1-i}$.", "\\frac{1}{2} + \\frac{1}{2}i", "\\frac{1+i}{2}"),
        ("Compute $\\frac{1}{1-i}$.", "\\frac{i+1}{2}", "\\frac{1+i}{2}"),
        ("Compute $\\frac{1}{1-i}$.", "0.5+0.5i", "\\frac{1+i}{2}"),
        ("Compute $\\frac{2}{3} + \\frac{5}{7}$.", "1\\frac{8}{21}", "\\frac{29}{21}"),
        ("Simplify $\\frac{6}{8}$.", "\\frac{3}{4}", "\\frac{3}{4}"),
        ("Simplify $\\frac{6}{8}$.", "0.75", "\\frac{3}{4}"),
        ("Simplify $\\frac{6}{8}$.", "3/4", "\\frac{3}{4}"),
        ("Simplify the expression.", "\\frac{3x}{4}", "\\frac{3x}{4}"),
        # no operation of the question has the reference's value: the rule is moot
        ("Find the remainder when $2^{100}$ is divided by 7.", "2", "2"),
        ("How many handshakes among 7 people?", "\\frac{7 \\cdot 6}{2}", "21"),
        ("What is the area of a circle of radius 2?", "2^2 \\pi", "4\\pi"),
    ],
)
def test_values_and_simplified_forms_are_paid(question, answer, reference):
    score = guru_envs.score(guru_row(question, reference), boxed(answer))
    assert score.reward == 1.0, score


def test_multiple_choice_and_unrelated_questions_are_not_held_to_the_rule():
    choices = "What is $2 + 3$? (A) $1 + 4$ (B) $2 + 2$ (C) 7 (D) 8"
    assert evaluation_problem("1 + 4", "5", choices) is None
    assert evaluation_problem("1 + 4", "5", None) is None
    assert evaluation_problem("1 + 4", "5", "What is $2 + 3$?") is not None


def test_generated_arithmetic_tasks_refuse_unreduced_fractions():
    family = guru_envs.catalog().family("math", "arithmetic")
    refused = 0
    for seed in range(40):
        task = family.sample(seed, 3)
        assert family.score(task, task.reference_response).reward == 1.0
        if "\\frac" in task.answer and task.answer.startswith("\\frac"):
            num, den = task.answer[6:-1].split("}{")
            unreduced = f"\\frac{{{2 * int(num)}}}{{{2 * int(den)}}}"
            assert family.score(task, boxed(unreduced)).reward == 0.0, (task.prompt, unreduced)
            refused += 1
    assert refused
