"""Strict option-letter extraction: one clear letter or none, never a guess, never the first of several."""

import time

import pytest

from guru_envs.verify.choice import extract_choice, parse_options

OPTIONS = {"A": "3.0 km", "B": "30 km", "C": "0.3 km", "D": "300 m"}


@pytest.mark.parametrize(
    ("response", "letter"),
    [
        ("\\boxed{B}", "B"),
        ("\\boxed{(B)}", "B"),
        ("\\boxed{B)}", "B"),
        ("\\boxed{\\text{B}}", "B"),
        ("\\boxed{\\textbf{B}}", "B"),
        ("$\\boxed{B}$", "B"),
        ("\\boxed{B: 30 km}", "B"),
        ("\\boxed{B) 30 km}", "B"),
        ("\\boxed{Option B}", "B"),
        ("\\boxed{b}", "B"),
        ("\\boxed{30 km}", "B"),  # exactly one option's text
        ("Answer: B", "B"),
        ("Answer: $B$", "B"),
        ("**Answer:** B", "B"),
        ("**Answer: B**", "B"),
        ("Final Answer: (B)", "B"),
        ("The answer is B.", "B"),
        ("The correct answer is (C).", "C"),
        ("the correct option is **D**", "D"),
        ("ANSWER: C", "C"),
        ("<think>\\boxed{A}</think>\\boxed{D}", "D"),
        ("\\boxed{Ｂ}", "B"),  # full-width is the same letter
        ("\\boxed{B.}", "B"),
        ("\\boxed{[B]}", "B"),
        ("\\boxed{\\mathrm{B}}", "B"),
        ("\\boxed{\\text{Option B}}", "B"),
        ("\\boxed{(B) 30 km}", "B"),  # a letter with its own option's text
        ("\\boxed{B. 30 km}", "B"),
        ("The answer is B because the distance is 30 km.", "B"),
        ("The answer is (B) 30 km.", "B"),
        ("Final answer: option B", "B"),
        ("Is the answer A? No: the answer is B.\n\\boxed{B}", "B"),  # a question states nothing
        ("\\boxed{B}\n\nAnswer: B", "B"),  # box and statement agree
        ("\\boxed{B} ... so once more, \\boxed{(B)}", "B"),  # identical repeats are one answer
        ("The answer is B. A quick check confirms it.", "B"),  # "A" opens the next sentence
        ("The answer is B. I am confident.", "B"),
        ("Answer: B\nThis matches option B's value.", "B"),
        ("Answer: c", "C"),  # a lone lower-case letter on its answer line, as in a box
        ("Answer: (c).", "C"),
        ("The answer is B, not A", "B"),  # a rejection of A after the answer, not a second option
    ],
)
def test_letters_that_are_read(response, letter):
    assert extract_choice(response, "ABCD", OPTIONS).letter == letter


@pytest.mark.parametrize(
    "response",
    [
        "",
        "I think it is B",  # no explicit statement: not guessed
        "B",
        "\\boxed{A, C}",
        "\\boxed{A or C}",
        "\\boxed{B) or C)}",
        "\\boxed{maybe B}",
        "\\boxed{}",
        "\\boxed{E}",  # not an option
        "\\boxed{3 km}",  # text of no option
        "Answer: A large value",
        "The answer to part A is 3",
        "Option A is wrong. Option D: plausible",
        "<think>Answer: A</think>",  # reasoning never counts
        "\\boxed{" + "B" * 1000 + "}",
        # hedged or stuffed letters are never read as their first letter
        "\\boxed{C. or D}",
        "\\boxed{A.B.C.D}",
        "\\boxed{A: B: C: D}",
        "A: B: C: D",
        "Answer: A: B: C: D",
        "Answer: A. B. C. D.",
        "\\boxed{B. C.}",
        "\\boxed{B.C}",
        "\\boxed{AB}",
        "\\boxed{ABCD}",
        "\\boxed{A-D}",
        "\\boxed{A/B}",
        "\\boxed{A & B}",
        "\\boxed{B;C}",
        "\\boxed{B|C}",
        "\\boxed{B C}",
        "\\boxed{B + C}",
        "\\boxed{\\{B, C\\}}",
        "\\boxed{(B) or (C)}",
        "\\boxed{B (or C)}",
        "\\boxed{either B or C}",
        "\\boxed{A and/or B}",
        "\\boxed{Answer: B or C}",
        "\\boxed{all of the above}",
        "Answer: C, D",
        "Answer: C or D",
        "Answer: c or d",
        "Answer: a value of 5",
        "Answer: C and/or D",
        "Answer: (B) (C)",
        "The answer is A, B, C or D",
        "The answer is B and C.",
        "The answer is B/C.",
        "The correct answers are B and C",
        # negations and question marks
        "\\boxed{not A}",
        "\\boxed{B, not A}",
        "\\boxed{B?}",
        # "e.g." and "i.e." are not choices E and I; other scripts' look-alikes are not letters
        "The answer is e.g. the largest one",
        "Answer: i.e. the smaller value",
        "\\boxed{С}",  # Cyrillic Es
        # a letter with another option's text, and several different answers
        "\\boxed{B) 3.0 km}",
        "\\boxed{A} is tempting, but \\boxed{C}",
        "\\boxed{B} or \\boxed{C}",
        "\\boxed{B}\\boxed{C}",
        "\\boxed{A}\nThe answer is B.",
        "Answer: B\n\nWait, actually... Answer: C",
    ],
)
def test_no_letter_means_none(response):
    choice = extract_choice(response, "ABCD", OPTIONS)
    assert choice.letter is None
    assert choice.how  # always a reason


def test_extraction_is_deterministic_when_nothing_is_found():
    # GURU's SuperGPQA scorer draws a random letter here; we must return the same "None" every time
    assert {extract_choice("no idea", "ABCDEFGHIJ").letter for _ in range(50)} == {None}


def test_option_text_shared_by_two_options_is_ambiguous():
    options = {"A": "30 km", "B": "30 km ", "C": "0.3 km", "D": "300 m"}
    choice = extract_choice("\\boxed{30 km}", "ABCD", options)
    assert choice.letter is None and "several options" in choice.how


def test_statements_inside_boxes_are_the_box():
    assert extract_choice("\\boxed{Answer: C}", "ABCD", OPTIONS).letter == "C"
    assert extract_choice("Final answer: \\boxed{C}", "ABCD", OPTIONS).letter == "C"


def test_supergpqa_letters():
    assert extract_choice("\\boxed{J}", "ABCDEFGHIJ").letter == "J"
    assert extract_choice("\\boxed{J}", "ABCD").letter is None


def test_parse_options_both_formats():
    gpqa = "Q?\nA) foo\nB) bar\nC) baz\nD) qux\n"
    super_ = "Q\nOptions are:\n(A): x\n(B): y\n(C): z\n"
    assert parse_options(gpqa) == {"A": "foo", "B": "bar", "C": "baz", "D": "qux"}
    assert parse_options(super_) == {"A": "x", "B": "y", "C": "z"}
    assert parse_options("no options here") == {}


@pytest.mark.parametrize(
    "hostile",
    ["Answer: " * 200_000, "\\boxed{" * 50_000, "(" * 500_000 + "A", "Answer:" + " " * 1_000_000 + "B"],
)
def test_hostile_is_fast(hostile):
    start = time.thread_time()
    extract_choice(hostile, "ABCD", OPTIONS)
    assert time.thread_time() - start < 1.0
