"""What follows the final answer of a multiple-choice response: it may explain, not name a second option.

Before: ``Answer: D. Alternatively A.``, ``Answer: D since A also works``, ``Answer: D\\nFinal answer: A?``
and ``\\boxed{D}\\n\\nIt could also be A.`` all read as D (paid 1.0): the statement's reason clause, a
later sentence, later lines and a second statement ending in ``?`` were never read.
"""

from __future__ import annotations

import time

import pytest

from guru_envs.verify.choice import extract_choice

OPTIONS = {"A": "3.0 km", "B": "30 km", "C": "0.3 km", "D": "300 m"}


@pytest.mark.parametrize(
    "response",
    [
        # the report's cases
        "Answer: D. Alternatively A.",
        "Answer: D, as is A",
        "Answer: D since A also works",
        "Answer: D, because A too",
        "Answer: D\n\nActually it could also be A.",
        "Answer: D\nFinal answer: A?",
        "Answer: D  \nA",
        # the same class in other spellings
        "Answer: D (or A)",
        "Answer: D (not A)",  # as "The answer is D, not A": the statement itself names two options
        "The answer is D. Or A.",
        "Answer: D; A also plausible",
        "Answer: D\nor A",
        "Answer: D\n(A)",
        "Answer: D\n**A**",
        "Answer: D\n\n$A$",
        "Answer: D\n\n\\text{A}",
        "Answer: D\n\nＡ",  # full-width
        "Answer: D\n\u200bA",  # behind a zero-width space
        "Answer: D\n\nMaybe A.",
        "Answer: D\n\nA is good too",
        "Answer: D\n\nA, B, and C are possible too.",
        "Answer: D\n\nA is equally valid.",
        "Answer: D\n\nOption A works too.",
        "Answer: D\n\nBoth D and A fit.",
        "Answer: D\n\nA/B also possible.",
        "Answer: D\nI would also accept A.",
        "Answer: D\nIs it A?",
        "Answer: D\nAnswer: A?",
        "Answer: D\n\nthe other candidate, A, is plausible",
        "Answer: D. Though honestly A.",
        "\\boxed{D}\n\nActually it could also be A.",
        "\\boxed{D} or maybe A",
        "\\boxed{D}\nA",
        "\\boxed{D}\n\nOr is it A?",
        "\\boxed{D}, or possibly \\text{A}",
        "\\boxed{D} \\quad (A)",
        # rejections that are not rejections
        "Answer: D\n\nOption A is not wrong either.",
        "Answer: D\n\nA is not incorrect.",
        "Answer: D\n\nA is not the wrong answer.",
        "Answer: D\n\nA is wrong, or maybe not.",
        "Answer: D\n\nA is wrong, or right.",
        "Answer: D\n\nA is wrong, but it could also be right.",
        "Answer: D\n\nA is wrong?",
        "Answer: D\n\nCan't rule out A.",
        "Answer: D\n\nWe cannot eliminate A.",
        "Answer: D\n\nA is incorrect; A is correct.",
        # lower-case letters where they plainly name an option
        "Answer: D. Option b also works.",
        "Answer: D\n\n(b)",
        "Answer: D\n\n**(b)**",
        # the answer taken back
        "Answer: D\n\nD is wrong.",
        "\\boxed{D}\n\nD is incorrect, though.",
    ],
)
def test_another_option_after_the_answer_is_no_choice(response):
    choice = extract_choice(response, "ABCD", OPTIONS)
    assert choice.letter is None, choice
    assert choice.how


@pytest.mark.parametrize(
    "response",
    [
        "Answer: D. This is because the force is larger.",
        "Answer: D (the third law)",
        "Answer: D (the third law).",
        "Answer: D because A is wrong",
        "Answer: D, since A is incorrect.",
        "Answer: D\n\nExplanation: option A ignores friction.",
        "Answer: D\n\nOption A is wrong because it ignores friction.",
        "Answer: D\n\nA cannot be right since it neglects drag.",
        "Answer: D\n\nA doesn't work.",
        "Answer: D\n\nA isn't correct either.",
        "Answer: D\n\n- (A) is incorrect: it ignores friction.\n- (B) is incorrect: wrong units.\n"
        "- (C) is wrong.\n- (D) is correct.",
        "Answer: D\n\nOptions A, B and C are wrong.",
        "Answer: D\n\nThe other options (A, B, C) are incorrect.",
        "Answer: D\n\n(Options A-C all neglect friction.)",
        "Answer: D\n\nThis rules out A, B and C.",
        "Answer: D\n\n(A), (B), and (C) are incorrect.",  # the Oxford comma
        "Answer: D\n\nThis eliminates A, B, and C.",
        "Answer: D\n\nNote that options A and C can be eliminated.",
        "\\boxed{D}\n\n**Why not the others?**\n- A: wrong sign.\n- B: forgets the factor 2.\n- C: uses the wrong unit.",
        "Answer: D\n\nNeither A nor B fits.",
        "Answer: D\n\nNote: A and B are distractors.",
        "Answer: D\n\nWhy the others fail: A neglects friction; B uses the wrong sign; C inverts the ratio.",
        "Answer: D\n\nIt is D, not A.",
        "Answer: D\n\nA is not correct, but D is.",
        "Answer: D\n\nA is wrong, and D is correct.",
        "Answer: D\n\nD is correct, A is not.",
        "Answer: D\n\nOption b is wrong.",
        "Answer: D\n\nTo answer a question like this, use energy.",
        "Answer: D\n\n(a) the force is larger; (b) the energy too.",  # an enumeration in prose
        # letters that are not options: the article, the pronoun, units, symbols
        "Answer: D\n\nA quick check confirms it.",
        "Answer: D\n\nA 300 m distance is what we get.",
        "Answer: D\n\nI am confident.",
        "Answer: D\n\nI'm confident.",
        "\\boxed{D}\n\nA larger current of 5 A flows.",
        "\\boxed{D}\n\nThe field B points upward, so the force F = qvB.",
        "\\boxed{D}\n\nAt 25 C the charge is 3 C.",
        "Answer: D\n\nwhere E is the energy.",
        "Answer: D\nThe mass of block A doubles.",
        "Final answer: \\boxed{D}\n\nThe block A slides further than block B.",
        # what was read before
        "Is the answer A? No: the answer is D.\n\\boxed{D}",
        "Option A is wrong. Answer: D",
        "\\boxed{D}\n\nAnswer: D",
        "The answer is D. A quick check confirms it.",
        "Answer: D\nThis matches option D's value.",
        "The answer is (D) 300 m.",
        "The correct answer is **D) 300 m**.",
        "The correct answer is **D**.",  # refused before: the closing markup stopped the sentence
        "Therefore the correct answer is \\boxed{D}.",
    ],
)
def test_explanations_after_the_answer_still_read(response):
    assert extract_choice(response, "ABCD", OPTIONS).letter == "D"


def test_ten_options_pronoun_and_letter_i():
    letters = "ABCDEFGHIJ"
    assert extract_choice("Answer: D\n\nI think so.", letters).letter == "D"
    assert extract_choice("Answer: D\n\nI is also right.", letters).letter is None
    assert extract_choice("\\boxed{D}\n\nor J", letters).letter is None
    assert extract_choice("\\boxed{D}\n\nThe energy is 10 J.", letters).letter == "D"


@pytest.mark.parametrize(
    "hostile",
    [
        "\\boxed{D}\n" + "option A is wrong, " * 1500,
        "\\boxed{D}\n" + "A ignores, " * 3000,
        "\\boxed{D}\n" + "A quick, " * 3000,
        "\\boxed{D}\n" + "A " + "b, " * 8000 + "is wrong",
        "Answer: D\n" + "Answer: D because A is wrong\n" * 600,
    ],
)
def test_long_explanations_are_fast(hostile):
    start = time.perf_counter()
    extract_choice(hostile, "ABCD", OPTIONS)
    assert time.perf_counter() - start < 1.0


CHEMISTRY = (
    "Compound A (C3H6) undergoes bromination to give compound B, which reacts with alcoholic KOH to form C. "
    "A 2.0 g sample of A is used. Identify D.\n"
    "A) D is propyne\nB) D is propene\nC) D is 1-bromopropane\nD) D is acetone\n"
    "Please reason step by step, and put your final answer option within \\boxed{}. Only put the letter in the "
    "box, e.g. \\boxed{A}. There is only one correct answer."
)


def test_letters_the_question_uses_as_names():
    from guru_envs.verify.choice import named_letters, parse_options

    names = named_letters(CHEMISTRY, "ABCD")
    assert names == "ABCD"  # not from "A 2.0 g sample", the options or the \\boxed{A} example
    options = parse_options(CHEMISTRY)
    explained = "\\boxed{C}\n\nCompound A is brominated to B, and B reacts with KOH to give C."
    assert extract_choice(explained, "ABCD", options, names).letter == "C"
    assert extract_choice(explained, "ABCD", options).letter is None  # without the question: unclear
    # an option is still an option: plainly named, bracketed or alone on its line
    for hedge in ("\\boxed{C}\n\nOption A also works.", "\\boxed{C}\n\nor (A)", "\\boxed{C}\n\nA"):
        assert extract_choice(hedge, "ABCD", options, names).letter is None, hedge
    assert named_letters("A block slides.\nA) 1 m\nB) 2 m\n", "ABCD") == ""
    assert named_letters("A 2 kg block at I think 3 m.\nA) 1 m\nB) 2 m\n", "ABCD") == ""


def test_gpqa_rows_read_the_questions_names():
    from guru_envs.science.gpqa import ChoiceRowsFamily

    row = {
        "data_source": "stem__gpqa_diamond",
        "prompt": [{"role": "user", "content": CHEMISTRY}],
        "reward_model": {"ground_truth": "C"},
        "extra_info": {"index": 0},
    }
    family = ChoiceRowsFamily()
    task = family.task_from_row(row)
    assert (
        family.score(task, "\\boxed{C}\n\nA is brominated to B, which reacts with KOH to give C.").reward
        == 1.0
    )
    assert family.score(task, "\\boxed{C}\n\nOption B also works.").reward == 0.0
    assert family.score(task, "Answer: C\nFinal answer: B?").reward == 0.0
