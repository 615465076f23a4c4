"""What follows the final answer of a multiple-choice response: it may explain, not name a second option.

Before: ``Answer: D. Alternatively A.``, ``Answer: D since A also works``, ``Answer: D\\nFinal answer: A?``
and ``\\boxed{D}\\n\\nIt could also be A.`` all read as D (paid 1.0): the statement's reason clause, a
later sentence, later lines and a second statement ending in ``?`` were never read.

Round 2: the rule then refused every later letter that its sentence did not reject in a fixed vocabulary,
so honest explanations scored 0 ("The answer is C, not A.", "Unlike A, ...", "A is too big.", "Answer: C
— 200 offspring", allele names), while on GPQA rows whose question names compounds A-D every hedge was
paid ("Or maybe A.", "Actually, D.", "C or D."), and 20 KB of statements took seconds. Only the first
stated choice is ever read, so a later letter is now allowed unless the text offers it as an answer.
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
        "Answer: D (not A)",
        # the chosen letter called wrong afterwards offers no other option (and "statement D is
        # incorrect" is how an "identify the incorrect statement" question is explained)
        "Answer: D\n\nD is wrong.",
        "\\boxed{D}\n\nD is incorrect, though.",
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
    start = time.thread_time()
    extract_choice(hostile, "ABCD", OPTIONS)
    assert time.thread_time() - start < 1.0


CHEMISTRY = (
    "Compound A (C3H6) undergoes bromination to give compound B, which reacts with alcoholic KOH to form C. "
    "A 2.0 g sample of A is used. Identify D.\n"
    "A) D is propyne\nB) D is propene\nC) D is 1-bromopropane\nD) D is acetone\n"
    "Please reason step by step, and put your final answer option within \\boxed{}. Only put the letter in the "
    "box, e.g. \\boxed{A}. There is only one correct answer."
)


def test_letters_the_question_uses_as_names_read_the_same():
    """GPQA names compounds A-D: an explanation of them is paid, a hedge beside a lone letter is not."""
    from guru_envs.verify.choice import parse_options

    options = parse_options(CHEMISTRY)
    explained = "\\boxed{C}\n\nCompound A is brominated to B, and B reacts with KOH to give C."
    assert extract_choice(explained, "ABCD", options).letter == "C"
    for hedge in ("\\boxed{C}\n\nOption A also works.", "\\boxed{C}\n\nor (A)", "\\boxed{C}\n\nA"):
        assert extract_choice(hedge, "ABCD", options).letter is None, hedge


GPQA_QUESTION = (
    "Compound A (C3H6) undergoes bromination in the presence of carbon tetrachloride to form compound B. "
    "When compound B reacts with alcoholic KOH, it forms compound C. Passing compound C through a red-hot "
    "iron tube produces compound D. Identify the incorrect statement about the products obtained in this "
    "reaction sequence.\n\nA) D gives two singlets in the 1H NMR spectra.\nB) F is used for the synthesis of "
    "dyes.\nC) C is a flammable gas.\nD) H gives a yellow color with the addition of ferric chloride "
    "solution.\n\nAnswer with the letter in \\boxed{}."
)
# the second red team's hedges: paid 1.0 on this row (the question's names vetoed every letter)
GPQA_HEDGES = [
    "\\boxed{C}\n\nOr maybe A.",
    "\\boxed{C}\n\nThough A is close.",
    "\\boxed{C}\n\nA could work too.",
    "\\boxed{C}\n\nIt might also be B.",
    "\\boxed{C}\n\nI'd go with C or maybe D.",
    "\\boxed{C}\n\nActually, D.",
    "\\boxed{C}\n\nSecond guess: D.",
    "\\boxed{C}\n\nD is equally likely.",
    "\\boxed{C}\n\nAlternatively, A.",
    "\\boxed{C}\n\nC or D.",
    "\\boxed{C}\n\nC/D",
    "\\boxed{C}\n\nIf not C, then D.",
    "Answer: C (or D)",
    "Answer: C. Alternatively D.",
    "Answer: C since D also works",
    "\\boxed{C}\n\nPerhaps D.",
    "\\boxed{C}\n\nA is also acceptable.",
    "\\boxed{C}\n\nI'd go with D.",
]
GPQA_EXPLANATIONS = [
    "\\boxed{C}\n\nA is brominated to B, which eliminates to C (propyne).",
    "\\boxed{C}\n\nThe answer is C, not A.",
    "\\boxed{C}\n\nCompound A is propene; B is 1,2-dibromopropane.",
    "\\boxed{C}\n\nStatement A is true, B is true and D is true; statement C is the incorrect one.",
    "\\boxed{C}\n\nA + B → C, then C → D over hot iron.",
    "\\boxed{C}\n\nB is close to C in energy, and B is a good leaving group.",
]


@pytest.mark.parametrize(
    ("response", "reward"), [(r, 0.0) for r in GPQA_HEDGES] + [(r, 1.0) for r in GPQA_EXPLANATIONS]
)
def test_gpqa_row_hedges_and_explanations(response, reward):
    from guru_envs.integrations.verl import compute_score

    info = {"question": GPQA_QUESTION, "original_prompt": GPQA_QUESTION}
    assert compute_score("stem__gpqa", response, "C", info, details=True)["score"] == reward


def test_gpqa_rows_score_by_the_same_rule():
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
    assert family.score(task, "\\boxed{C}\n\nOr maybe A.").reward == 0.0
    assert family.score(task, "Answer: C\nFinal answer: B?").reward == 0.0


# guru/Science.multiple_choice-v0, seed 0: answer C (200 offspring); A 500, B 600, D 1000; alleles A and D
GENERATED_HONEST = [
    "\\boxed{C}\n\nThe answer is C, not A.",
    "The answer is C, not A.",
    "\\boxed{C}\n\nUnlike A, C accounts for the 1/4 terminal fraction.",
    "\\boxed{C}\n\nC is right because A assumes all offspring are terminal.",
    "\\boxed{C}\n\nOptions A and B are too large.",
    "\\boxed{C}\n\nA is too big.",
    "\\boxed{C}\n\nD is double the total, so it is wrong.",
    "\\boxed{C}\n\nOption D (1000) exceeds 800 offspring, so it cannot be right.",
    "\\boxed{C}\n\nA would require all plants to be terminal, which is impossible.",
    "\\boxed{C}\n\nPicking A would be a mistake.",
    "\\boxed{C}\n\nThe other choices are wrong: A, B, D.",
    "\\boxed{C}\n\n(A is 5/8, B is 3/4, D exceeds the total.)",
    "\\boxed{C}\n\nA: 500 - wrong. B: 600 - wrong. D: 1000 - wrong.",
    "\\boxed{C}\n\n- A) 500: incorrect\n- B) 600: incorrect\n- D) 1000: impossible",
    "\\boxed{C}\n\nA: 500\nB: 600\nC: 200\nD: 1000",
    "\\boxed{C}\n\nB would be the answer if we asked for axial flowers.",
    "Answer: C — 200 offspring",
    "So the answer is C: 200 plants.",
    "The correct option is C, i.e. 200.",
    "Answer: C. A would be 5/8 of 800, which is wrong.",
    "Answer: C, since the terminal fraction is 1/4 (choice A would need 5/8).",
    "\\boxed{C}\n\nAnswer A is wrong. C counts the recessive quarter.",
    "Answer: C\n\nA and B are both incorrect; D overcounts.",
    "\\boxed{C}\n\nSince A is dominant, a quarter of the offspring are terminal.",
    "\\boxed{C}\n\nThe D allele is present in every offspring.",
    "\\boxed{C}\n\nWhy not A? Because 500 is not a quarter of 800.",
    "\\boxed{C}\n\nIf you forgot the 1/4 you might pick A.",
    "\\boxed{C}\n\nThough A looks plausible, it ignores the 1/4 fraction.",
    "\\boxed{C}\n\nOptions A and B may look right, but both double count.",
    "\\boxed{C}\n\nSince A is dominant, the offspring are probably 200.",
    "\\boxed{C}\n\nI'd say A is wrong.",
    "\\boxed{C}\n\nA or B would be wrong.",
    "\\boxed{C}\n\nNot A.",
]
GENERATED_HEDGES = [
    "\\boxed{C} (A would also be acceptable)",
    "\\boxed{C}\n\nA is not wrong either.",
    "\\boxed{C}\n\nIt is not true that A is wrong.",
    "\\boxed{C}\n\nI wouldn't say A is wrong.",
    "\\boxed{C}\n\nA is wrong? No, A is right too.",
    "\\boxed{C}\n\nA is incorrect in theory but correct in practice.",
    "\\boxed{C}\n\nOn reflection the first option is right.",
    "\\boxed{C}\n\nOn reflection, 500 is right.",
    "\\boxed{C}\n\nCorrection: the answer is 500.",
    "\\boxed{C}\n\nActually \\(A\\).",
    "\\boxed{C}\n\nActually Ａ.",
    "\\boxed{C}\n\nActually (a).",
    "\\boxed{C}\n\nActually it's a.",
    "\\boxed{C}\n\nAnswer A is wrong. Correction: A is correct.",
    "\\boxed{C}\n\nNot A... well, A.",
    "\\boxed{C}\n\nEither C or A.",
    "\\boxed{C}\n\nD is possible too.",
    "\\boxed{C}\n\nBoth C and D fit.",
    "\\boxed{C}\n\nIt must be A.",
    "\\boxed{C}\nSo A.",
    "\\boxed{C} A",
    "\\boxed{C}\n\nA is the right one.",
    "\\boxed{C}\n\nI lean towards A.",
    "\\boxed{C}\n\nA is hardly wrong.",
    "\\boxed{C}\n\nA is wrong, just kidding.",
    "\\boxed{C}\n\nScratch that: A.",
    "\\boxed{C}\n\nThen again, A.",
]


@pytest.fixture(scope="module")
def generated_task():
    import gymnasium as gym

    import guru_envs  # noqa: F401  (registers the environments)

    env = gym.make("guru/Science.multiple_choice-v0")
    env.reset(seed=0)
    task = env.unwrapped.task
    assert task.answer == "C" and task.meta["options"]["A"] == "500"
    return task


@pytest.mark.parametrize(
    ("response", "reward"), [(r, 1.0) for r in GENERATED_HONEST] + [(r, 0.0) for r in GENERATED_HEDGES]
)
def test_generated_multiple_choice_pays_explanations_not_hedges(generated_task, response, reward):
    import guru_envs

    assert guru_envs.score(generated_task, response).reward == reward


@pytest.mark.parametrize(
    "hostile",
    [
        "The answer is C. " * 1200,
        "\\boxed{C}\n" + "A is brominated to B, which reacts further. " * 500,
        "\\boxed{C}\n" + "A: 500 - wrong.\n" * 1300,
        "\\boxed{C}\n" + "A, " * 7000,
    ],
)
def test_twenty_kilobytes_are_read_quickly(hostile):
    """Each statement's line is read once (it was re-read 400 characters at a time: 2 s for 27 KB)."""
    start = time.thread_time()
    extract_choice(hostile, "ABCD", {"A": "500", "B": "600", "C": "200", "D": "1000"})
    assert time.thread_time() - start < 0.5
