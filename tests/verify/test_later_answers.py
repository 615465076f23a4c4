"""What a response states after its final answer: a restatement is fine, another value is a second answer."""

import time

import gymnasium as gym
import pytest

import guru_envs  # noqa: F401  (registers the environments)
from guru_envs.testing import _within, find_answer_slot
from guru_envs.verify.claim import contradiction
from guru_envs.verify.extract import HedgedClause, all_boxed, changes_of_mind, later_answers


@pytest.mark.parametrize(
    "response, boxes",
    [
        ("\\boxed\\text{113}", ["113"]),
        ("\\boxed\\mathrm{kg}", ["kg"]),
        ("\\boxedA", ["A"]),
        ("\\boxed*{w}", ["w"]),
        ("\\framebox[2cm][l]{w}", ["w"]),
        ("\\colorbox{yellow}{w}", ["w"]),
        ("\\fcolorbox{red}{white}{7}", ["7"]),
        ("\\setlength{\\fboxsep}{0pt} \\boxed{3}", ["3"]),  # a length named like a box is none
    ],
)
def test_every_box_a_reader_sees_is_read(response, boxes):
    assert all_boxed(response) == boxes


@pytest.mark.parametrize(
    "response, stated",
    [
        ("\\boxed{48}\nWait, no: 57.", ["57"]),
        ("\\boxed{49.20 m/s}\nWait, no: 24.20 m/s.", ["24.20 m/s"]),  # a decimal point ends no sentence
        ("\\boxed{6}\n\nActually, -6.", ["-6"]),  # the sign is the value's
        ("\\boxed{1}\n\nActually, -\\frac{1}{2}.", ["-\\frac{1}{2}"]),
        ("\\boxed{48}\n<answer>57</answer>", ["57"]),
        ("\\boxed{48}\n<final>57</final>", ["57"]),
        ("\\boxed{48} <!-- 57 -->", ["57"]),
        ("\\boxed{48}\n#### 57", ["57"]),
        ("\\boxed{48}\n**Final answer:** 57", ["57"]),
        ("\\boxed{48}\n```json\n57\n```", ["57"]),
        ("\\boxed{C} Non, plutôt A.", ["A"]),
        ("\\boxed{C} Eigentlich A.", ["A"]),
        ("\\boxed{48} 不对，应该是57", ["57"]),
        ("\\boxed{48}\n\nNo, wait, it's 57 games.", ["57 games"]),
        (
            "\\boxed{48}\n\nFinal answer: Olga is a knave, Gita is a knight",
            ["Olga is a knave, Gita is a knight"],
        ),
        # prose, code and drafts are no statement
        ("\\boxed{48}\n```python\nprint(48)\n```", []),
        ("\\boxed{48}\n\nAnswer: see the table above for how this was computed", []),
        ("\\boxed{48}\nActually, 48 is right.", []),
        ("\\boxed{48} Actually, yes.", []),
        ("\\boxed{48}. No remainder is left.", []),
        ("\\boxed{48}. No other value fits.", []),
        ("\\boxed{48}. Instead of dividing we add.", []),
        ("\\boxed{48}. Wait, yes, that is right.", []),
        ("Answer: 50?\n\\boxed{48}", []),  # before the box: a draft
        ("no box at all. Wait, no: 57.", []),
    ],
)
def test_values_stated_after_the_box(response, stated):
    # the values each form states (the sentences that hedge or state a value come whole as well)
    assert [s for s in later_answers(response) if not isinstance(s, HedgedClause)] == stated


def test_after_a_tag_a_box_counts_and_a_second_tag_is_the_tag_reader_s():
    assert later_answers("<answer>a</answer>\n\\boxed{b}", reads="tag") == ["b"]
    assert later_answers('<answer>["crow", "hawk"]</answer>\nWait, no: ["hawk", "crow"].', "tag") == [
        '["hawk", "crow"]'
    ]
    assert later_answers("<answer>a</answer> <answer>b</answer>", reads="tag") == []


@pytest.mark.parametrize(
    "text",
    [
        "\\boxed{1}" + "<!--" * 100_000,
        "\\boxed{1}" + "<final>" * 100_000,
        "\\boxed{1}" + "wait, no, " * 100_000,
        "\\boxed{1}" + "```\n" * 100_000,
        "\\boxed{1}" + "Wait no 5. " * 100_000,
        "<answer>1</answer>" + "\\boxed{" * 50_000,
        "\\boxed{1}(" + ". or maybe 6" * 20_000,  # a bracket never closed: hedged clauses run on
        "<answer>1</answer>" + " perhaps harp, drum," * 20_000,
    ],
)
def test_hostile_text_after_the_answer_costs_little(text):
    start = time.perf_counter()
    later_answers(text)
    later_answers(text, reads="tag")
    changes_of_mind(text)
    assert time.perf_counter() - start < 1.0


# One family per domain that reads a container: a restatement of the gold after the final answer is paid,
# another value stated after it in any form is not, and prose about the answer is fine.
FAMILIES = [
    ("guru/Math.arithmetic-v0", 1),
    ("guru/Science.mechanics-v0", 1),
    ("guru/Science.multiple_choice-v0", 1),
    ("guru/Tabular.lookup-v0", 1),
    ("guru/Tabular.aggregation-v0", 1),
    ("guru/Logic.ordering-v0", 1),
    ("guru/Logic.knights_knaves-v0", 1),
    ("guru/Logic.graph-v0", 1),
    ("guru/Simulation.program_output-v0", 1),
]


@pytest.mark.parametrize("env_id, difficulty", FAMILIES)
@pytest.mark.parametrize("seed", [0, 1])
def test_restatements_are_paid_and_second_answers_are_not(env_id, difficulty, seed):
    env = gym.make(env_id, difficulty=difficulty)
    env.reset(seed=seed)
    task = env.unwrapped.task
    reference = task.reference_response
    slot = find_answer_slot(reference)
    gold = slot.content(reference)
    one_line = "\n" not in gold
    paid = [
        reference + "\n\nThat is the final answer.",
        reference + "\n\nActually, that matches what the question asks.",
        reference + "\n\nNo other value fits.",
    ]
    if one_line:  # restatements, also with words the reader does not take
        paid += [
            reference + f"\n\nFinal answer: {gold}",
            reference + f"\n\nSo the answer is {gold}.",
            reference + f"\n\nFinal answer: {gold} (rounded)",
            reference + f"\n\n**Answer:** {gold}.",
        ]
    for text in paid:
        env.reset(seed=seed)
        assert env.step(text)[1] == 1.0, text
    wrongs = []
    for wrong in task_wrongs(env.unwrapped, task):
        other = find_answer_slot(wrong)
        if other is not None and "\n" not in other.content(wrong) and other.content(wrong) != gold:
            wrongs.append(other.content(wrong))
    assert wrongs, "the family gives a wrong response in the reference's container"
    w = wrongs[0]
    container = f"<answer>{w}</answer>" if slot.kind != "tag" else f"\\boxed{{{w}}}"
    for text in [f"Wait, no: {w}.", f"Final answer: {w}", container, f"```\n{w}\n```"]:
        env.reset(seed=seed)
        _, reward, _, _, info = env.step(reference + "\n\n" + text)
        assert reward < 1.0 and not info["correct"], (text, info.get("reason"))


def task_wrongs(env, task):
    family = guru_envs.catalog().family_for(task)
    return family.wrong_responses(task)


def verdict(env, seed, text):
    """(reward, reason) of ``text`` on the task ``seed`` draws (the env reset to it first)."""
    env.reset(seed=seed)
    _, reward, _, _, info = env.step(text)
    return reward, info["reason"]


def _plain_same(a, b):
    return a.strip() == b.strip()


@pytest.mark.parametrize(
    "final, stated, other",
    [
        ("48", ["48 games", "48 (rounded)", "Final 48"], None),  # a restatement with words the reader skips
        ("48", ["57"], "57"),
        ("48", ["48 or 57"], "48 or 57"),
        ("6", ["-6"], "-6"),
        (
            "\\frac{85}{24}",
            ["-\\frac{85}{24}"],
            "-\\frac{85}{24}",
        ),  # the sign before a command is the value's
        ("(\\frac{1}{4}, \\frac{1}{6})", ["(\\frac{1}{4}, -\\frac{1}{6})"], "(\\frac{1}{4}, -\\frac{1}{6})"),
        ("2.881 m/s^2", ["2.881 m/s^2 (rounded)"], None),
        ("Boston", ["Chicago"], "Chicago"),
        ("Boston", ["boston"], None),
    ],
)
def test_a_statement_after_the_answer_contradicts_it_when_it_states_something_else(final, stated, other):
    assert contradiction(final, stated, _plain_same) == other


# The review of this rule's first version: prose after an answer it refused, and second answers it paid.
PROSE_AFTER = [
    "Wait, sanity check.",
    "Hmm, interesting.",
    "Nope, all consistent.",
    "Oops, typo above: fixed.",
    "En fait, c'est simple.",
    "Non, c'est bien ça.",
    "其实，这道题也可以用方程来解。",
    "No, that's correct.",
    "```python\n>>> 2**10\n1024\n```",
    "Wait, let me verify: yes.",
]


@pytest.mark.parametrize(
    "env_id", ["guru/Math.arithmetic-v0", "guru/Science.mechanics-v0", "guru/Tabular.lookup-v0"]
)
def test_prose_after_the_answer_is_no_second_answer(env_id):
    env = gym.make(env_id, difficulty=1)
    for seed in range(2):
        env.reset(seed=seed)
        reference = env.unwrapped.task.reference_response
        gold = find_answer_slot(reference).content(reference)
        for text in [*PROSE_AFTER, f"**Answer:** {gold} (as computed above)", f"Answer: {gold} [rounded]"]:
            env.reset(seed=seed)
            _, reward, _, _, info = env.step(reference + "\n\n" + text)
            assert reward == 1.0, (text, info["reason"])


@pytest.mark.parametrize(
    "final, stated",
    [
        ("\\frac{3}{4}", "Wait, no: 3."),
        ("(2, 5)", "Actually, (5, 2)."),
        ("5", "Actually, 5\\pi."),
        ("12", "Wait, no: 12 million."),
        ("48", "Final answer: not 48"),
        ("48", "Actually, 48 is wrong."),
        ("48", "Final answer: maybe 48"),
        ("48", "Final answer: 48?"),
        ("48", "Wait, is it 48?"),
    ],
)
def test_second_answers_after_a_math_box_are_refused(final, stated):
    from guru_envs.verify.latex import score_boxed_answer

    assert score_boxed_answer(f"So \\boxed{{{final}}}.", final).reward == 1.0
    assert score_boxed_answer(f"So \\boxed{{{final}}}.\n\n{stated}", final).reward == 0.0


def test_a_unit_changed_after_a_science_answer_is_a_second_answer():
    env = gym.make("guru/Science.mechanics-v0", difficulty=1)
    env.reset(seed=0)
    reference = env.unwrapped.task.reference_response
    gold = find_answer_slot(reference).content(reference)
    number, unit = gold.split(" ", 1)
    for text in [f"Actually, {number} k{unit}.", f"Wait, no: {float(number) * 10:g} {unit}."]:
        env.reset(seed=0)
        assert env.step(reference + "\n\n" + text)[1] == 0.0, text


def test_a_cjk_change_of_mind_touching_a_letter_is_read():
    assert later_answers("\\boxed{B} 不对，应该是A。") == ["A"]
    assert later_answers("\\boxed{B}\n不对，答案是A") == ["A"]


# The second red team of this rule: honest endings it refused, and second answers it paid.
HONEST_ENDINGS = {
    "guru/Math.quadratic-v0": ["Answer: x = {a} or x = {b}", "Answer: either {a} or {b}"],
    "guru/Science.mechanics-v0": [
        "Answer: {g} ✓",
        "Answer: {n}",
        "Answer: **{g}** downward",
        "Answer: {g} (3 s.f.)",
    ],
    "guru/Tabular.multi_answer-v0": ["Answer: {items}"],
    "guru/Tabular.ranking-v0": ["Answer: {g}, with the lowest value", "Answer: {g} (see the table)"],
}


@pytest.mark.parametrize("env_id", sorted(HONEST_ENDINGS))
def test_honest_endings_the_second_red_team_found_refused_are_paid(env_id):
    env = gym.make(env_id, difficulty=1)
    for seed in range(3):
        env.reset(seed=seed)
        reference = env.unwrapped.task.reference_response
        gold = find_answer_slot(reference).content(reference)
        parts = [p.strip() for p in gold.replace("|", ",").split(",")]
        values = {
            "g": gold,
            "n": gold.split()[0],
            "a": parts[0],
            "b": parts[-1],
            "items": ", ".join(reversed(parts)),
        }
        for form in HONEST_ENDINGS[env_id]:
            if env_id.endswith("quadratic-v0") and len(parts) != 2:
                continue
            text = reference + "\n\n" + form.format(**values)
            reward, reason = verdict(env, seed, text)
            assert reward == 1.0, (seed, text[-80:], reason)


SECOND_ANSWERS = [
    "Update: {w}",
    "EDIT: {w}",
    "Correct answer: {w}",
    "Final: {w}",
    "Result = {w}",
    "=> {w}",
    "Ans: {w}",
    "**{w}**",
    "> {w}",
    "$${w}$$",
    "Answer: \\({w}\\)",
    "Answer: {g} (no, {w})",
    "Answer: {g} (actually {w})",
    "Hold on: {w}.",
    "My mistake: {w}.",
    "Ah, {w}.",
    "Maybe {g}.",
    "{g}?",
    "{g} or {w}.",
    "Or {w}.",
    "Possibly {w}.",
    "Alternatively, {w}.",
    "等等，是{w}。",
    "Attendez, {w}.",
]


@pytest.mark.parametrize("form", SECOND_ANSWERS)
def test_second_answers_the_second_red_team_found_paid_are_refused(form):
    env = gym.make("guru/Math.arithmetic-v0", difficulty=1)
    for seed in range(2):
        env.reset(seed=seed)
        reference = env.unwrapped.task.reference_response
        gold = find_answer_slot(reference).content(reference)
        wrong = str(int(gold) + 38)
        env.reset(seed=seed)
        text = reference + "\n\n" + form.format(g=gold, w=wrong)
        assert env.step(text)[1] == 0.0, text[-60:]
        env.reset(seed=seed)
        restated = reference + "\n\n" + form.format(g=gold, w=gold)
        if "{w}" in form and not any(
            cue in form
            for cue in ("no,", "actually", "Maybe", "?", " or ", "Or ", "Possibly", "Alternatively")
        ):
            assert env.step(restated)[1] == 1.0, restated[-60:]  # the same form restating the answer is fine


# A hedge or correction anywhere in a sentence after the answer, not only at its start (the third red team)
HEDGED_AFTER = [
    "{r} (or possibly {w})",
    "{r}, unless it is {w}.",
    "{r}\n\nThough {w} is also plausible.",
    "{r}\n\nI'm not sure; it could be {w}.",
    "{r}\n\nThe correct answer is actually {w}.",
    "{r}\n\nP.S. the real answer: {w}",
    "{r}\n\nI made an error. Final: {w}",
    "{r} \U0001f914 {w}?",
    "{r}\n\n(50% confident; otherwise {w})",
    "{r} but my gut says {w}",
    "{r}\n\nJust kidding, it is {w}.",
    "{r}\n\nthe final answer is {w}",
    # and sentences that state another value without a cue: short ones, conclusions, relations
    "{r} vs {w}",
    "{r}\n\n{w} is also possible",
    "{r}\n\nHowever, {w} is the answer.",
    "{r}\n\nTherefore {w}.",
    "{r}\n\nSo {w}.",
    "{r}\n\nThe value is {w}.",
    "{r}\n\nbackup: {w}",
    "{r}\n\nIt's {w}.",
    "{r}\n\nThat gives {w}.",
    "{r}\n\n= {w}",
]
HEDGED_FAMILIES = [
    *FAMILIES,
    ("guru/Math.linear_system-v0", 1),
    ("guru/Science.genetics-v0", 1),
    ("guru/Tabular.ranking-v0", 1),
    ("guru/Tabular.multi_answer-v0", 1),
    ("guru/Simulation.register_machine-v0", 1),
]


@pytest.mark.parametrize("env_id, difficulty", HEDGED_FAMILIES)
def test_a_hedge_with_another_value_anywhere_after_the_answer_is_refused(env_id, difficulty):
    env = gym.make(env_id, difficulty=difficulty)
    for seed in range(2):
        env.reset(seed=seed)
        task = env.unwrapped.task
        reference = task.reference_response
        gold = find_answer_slot(reference).content(reference)
        wrongs = [
            other.content(w)
            for w in task_wrongs(env.unwrapped, task)
            if (other := find_answer_slot(w)) is not None
            and "\n" not in other.content(w)
            and other.content(w).strip() not in ("", gold)
            # a part of the answer ("a" of "a | b") is not another value
            and not _within(other.content(w), gold)
        ]
        if not wrongs:
            continue
        for form in HEDGED_AFTER:
            text = form.format(r=reference, w=wrongs[seed % len(wrongs)])
            reward, reason = verdict(env, seed, text)
            assert reward == 0.0, (seed, text[-90:], reason)


# Sentences after the answer that carry a cue but restate the answer, check it, or talk: still paid
HONEST_CUED = [
    "{r}\n\nActually, {g} is right.",
    "{r}\n\nSo the final answer is {g}.",
    "{r}\n\nI think that is right.",
    "{r}\n\nI am not sure I explained this well, but the steps above hold.",
    "{r}\n\nIf you want, I could explain another method.",
]


@pytest.mark.parametrize("env_id, difficulty", HEDGED_FAMILIES)
def test_cued_sentences_that_restate_or_talk_after_the_answer_are_paid(env_id, difficulty):
    env = gym.make(env_id, difficulty=difficulty)
    for seed in range(2):
        env.reset(seed=seed)
        reference = env.unwrapped.task.reference_response
        gold = find_answer_slot(reference).content(reference)
        for form in HONEST_CUED:
            several = "\n" in gold or "|" in gold  # several items: restated in the box's terms only
            if "{g}" in form and several:
                continue
            text = form.format(r=reference, g=gold)
            reward, reason = verdict(env, seed, text)
            assert reward == 1.0, (seed, text[-90:], reason)


@pytest.mark.parametrize(
    ("gold", "ending", "paid"),
    [
        ("\\frac{1}{2}", " (or 0.5)", True),  # the same value in another form
        ("\\frac{1}{2}", " (or maybe 0.4)", False),
        ("5", "\n\nThis is correct because 2 + 3 = 5.", True),  # a check ending in the answer
        ("5", "\n\nThe answer is 5, I believe.", True),
        ("5", "\n\nThe answer is 6, I believe.", False),
        ("5", "\n\nCheck: 2 + 3 = 6, so maybe not.", False),  # a false check that doubts
        ("5", "\n\n```python\nprint(maybe(6))\n```", True),  # code is no sentence
    ],
)
def test_hedged_clauses_after_a_math_answer(gold, ending, paid):
    from guru_envs.core.task import Task

    row = {
        "data_source": "lighteval/MATH",
        "prompt": [{"role": "user", "content": "Compute it. Put the final answer in \\boxed{}."}],
        "ability": "math",
        "reward_model": {"style": "rule", "ground_truth": gold},
        "extra_info": {"index": 0, "split": "test"},
    }
    score = guru_envs.score(Task.from_record(row), f"So the result is \\boxed{{{gold}}}.{ending}")
    assert (score.reward == 1.0) == paid, score.reason


def test_hedged_clauses_are_cut_at_sentences_but_not_inside_brackets():
    from guru_envs.verify.extract import hedged_clauses

    text = " Answer: 49.20 m/s (3 s.f.). Though 24.2 m/s is plausible; otherwise 12 m/s? Fine."
    assert hedged_clauses(text) == [
        "49.20 m/s (3 s.f.)",  # its label dropped
        "Though 24.2 m/s is plausible",
        "otherwise 12 m/s?",
    ]
    assert hedged_clauses("\n\nMaybe harp, drum, guitar.") == []  # no digit: a worded hedge
    assert hedged_clauses("\n\nMaybe harp, drum, guitar.", worded=True) == ["Maybe harp, drum, guitar"]


def test_many_hedging_sentences_after_a_logic_answer_are_not_one_claim_and_cost_little():
    env = gym.make("guru/Logic.ordering-v0", difficulty=2)
    env.reset(seed=0)
    reference = env.unwrapped.task.reference_response
    tail = " Maybe Olga is a knave, Gita is a knight, and so on." * 2000
    start = time.perf_counter()
    _, reward, _, _, info = env.step(reference + tail)
    assert reward == 0.0 and "hedge or correct" in info["reason"]
    assert time.perf_counter() - start < 1.0


# What the slow battery found paid after the third round (each closed)
@pytest.mark.parametrize(
    ("env_id", "level", "seed", "ending"),
    [
        ("guru/Science.multiple_choice-v0", 1, 4, "\n\n<answer>A.B.C.D</answer>"),  # every option at once
        ("guru/Science.multiple_choice-v0", 1, 23, "\n\nThough A, B, C, D is also plausible."),
        ("guru/Simulation.program_output-v0", 5, 39, '\n\nNon, plutôt "sugar haze mango aple comet".'),
        (
            "guru/Math.quadratic-v0",
            4,
            31,
            "\n\n```\n- 2 \\sqrt{7} - 4, -5 + 2 \\sqrt{7}\n```",
        ),  # a fence's line
        ("guru/Tabular.lookup-v0", 2, 29, " but my gut says Pt"),  # a two-letter symbol of the table
        ("guru/Tabular.lookup-v0", 2, 37, " but my gut says TSX"),  # a value the table does not have
        ("guru/Tabular.lookup-v0", 2, 41, "., unless it is Comets."),
    ],
)
def test_second_answers_the_slow_battery_found_are_refused(env_id, level, seed, ending):
    domain, name = env_id.split("/")[1].split("-v")[0].lower().split(".")
    task = guru_envs.catalog().family(domain, name).sample(seed, level)  # the battery's task
    score = guru_envs.score(task, task.reference_response + ending)
    assert score.reward == 0.0, score.reason
    assert guru_envs.score(task, task.reference_response + "\n\nI hope this helps.").reward == 1.0
