"""Prose after a structured answer: a hedge on a value is a second answer, an explanation is not.

Round-2 red team of 053713c (``/tmp/reports/json2.md``). The rule it landed refused any "or", "could" or
"either" after the answer block, so honest explanations scored 0 (B), while a hedge on one part of a
list or object answer ("The top value may be 5.") was paid (A). A clause (prose cut at sentence ends and
line breaks) now refuses the answer only when it carries a cue of doubt, an alternative or a condition
and states a value that is not the answer or a part of it; a clause labelled as working ("After the if
block", "at step 3") may state an intermediate value. Rows are the red team's: seed 1 of each family.
"""

import json

import gymnasium as gym
import pytest

import guru_envs
from guru_envs.simulation.answers import score_value


def family_task(name, seed=1):
    env = gym.make(f"guru/Simulation.{name}-v0")
    env.reset(seed=seed)
    return env.unwrapped.task


def fence(value):
    return "```json\n" + json.dumps(value) + "\n```"


STACK = family_task("stack_machine")
TOP = STACK.answer[-1]
NOT_IN = next(v for v in range(TOP + 1, TOP + 100) if v not in STACK.answer)  # no part of the answer
OTHER_STACK = " ".join(map(str, [*STACK.answer[:-1], NOT_IN]))
WORDS = "zero one two three four five six seven eight nine ten".split()
REGISTERS = family_task("register_machine")
LAST_REGISTER = list(REGISTERS.answer)[-1]
OTHER_REGISTER = REGISTERS.answer[LAST_REGISTER] + 1
BANK = family_task("bank_queue")


def test_the_rows_are_the_red_teams():
    assert STACK.answer == [0, 4, 4, 4]
    assert REGISTERS.answer == {"A": 20, "B": 0, "C": -6, "D": 447}
    assert None in BANK.answer.values()


# ------------------------------------------------------------------- A: a hedge on one part is refused
STACK_HEDGES = {
    "the top may be": f"The top value may be {NOT_IN}.",
    "low confidence": f"Low confidence: the last entry may be {NOT_IN}.",
    "not certain, plausible": f"Not certain about the top value; {NOT_IN} is plausible too.",
    "if applied first": f"If the mod is applied first, the top is {NOT_IN}.",
    "unless": f"Unless I misread rot, in which case the top is {NOT_IN}.",
    "a label line": f"Last: {NOT_IN}",
    "a whole second answer, conditional": f"The stack may be {OTHER_STACK} if the rot is reversed.",
    "a second candidate in words": "Second candidate: "
    + ", ".join(WORDS[v] for v in [*STACK.answer[:-1], NOT_IN])
    + ".",
    "could": f"The last entry could be {NOT_IN}.",
    "alternatively": f"Alternatively the stack is {OTHER_STACK.replace(' ', ', ')}.",
    "or in brackets": f"The top is {TOP} (or {NOT_IN}).",
    "in case": f"In case I misread rot, the top is {NOT_IN}.",
    "a second guess list": f"[{OTHER_STACK.replace(' ', ', ')}] would be my second guess.",
    "an interrobang label": f"The top: {NOT_IN}\u203d",
}


@pytest.mark.parametrize("label", sorted(STACK_HEDGES))
def test_a_hedge_on_a_part_of_the_answer_is_refused(label):
    verdict = guru_envs.score(STACK, fence(STACK.answer) + "\n\n" + STACK_HEDGES[label])
    assert verdict.reward == 0.0, verdict.reason


@pytest.mark.parametrize(
    "prose",
    [
        f"{LAST_REGISTER} may be {OTHER_REGISTER} if dec runs first.",
        f"Register {LAST_REGISTER}: {OTHER_REGISTER} (if my trace of line 12 is off).",
    ],
)
def test_a_hedge_on_one_register_is_refused(prose):
    verdict = guru_envs.score(REGISTERS, fence(REGISTERS.answer) + "\n\n" + prose)
    assert verdict.reward == 0.0, verdict.reason


# ------------------------------------------------------------ B: explanations are paid
STACK_EXPLANATIONS = [
    "Either way, the result is the same.",
    "Each step pushes or pops one value.",
    "The simulation could be checked by hand.",
    "After the if block the stack was [0, 4].",
    "At step 3 the stack was [0, 4, 4].",
    "Initially the stack is [].",
    "After the `if`, the stack held [0, 4].",
    f"The top value is {TOP}.",
    f"The top value may be {TOP}; the stack is {STACK.answer}.",  # the answer's own values, hedged or not
    "The if branch was taken because -5 is not 0.",
    "This took 9 top-level steps.",
    f"Bottom: {STACK.answer[0]}. Top: {TOP}.",
    "`or` pops two values and pushes one.",
    "If the stack were empty, pop would fail, so line 12 or line 13 must run first.",
    "Note: if a register is 0, jz jumps.",  # a condition's own value is what it tests
    f"When the counter reaches {NOT_IN}, the loop stops.",
]


@pytest.mark.parametrize("prose", STACK_EXPLANATIONS)
def test_an_explanation_after_the_answer_is_paid(prose):
    verdict = guru_envs.score(STACK, fence(STACK.answer) + "\n\n" + prose)
    assert verdict.reward == 1.0, verdict.reason


@pytest.mark.parametrize(
    "prose",
    [
        "Sue and Quin left because 2 or more people were waiting.",
        "The simulation could be checked by hand: 5 customers were served.",
        "If there were no VIP rule, Yan would leave later.",
        "Sue and Quin are null since they left without being served.",
    ],
)
def test_a_bank_queue_explanation_is_paid(prose):
    verdict = guru_envs.score(BANK, fence(BANK.answer) + "\n\n" + prose)
    assert verdict.reward == 1.0, verdict.reason


@pytest.mark.parametrize(
    "prose",
    [
        "Note: line 17 jumps only if A is 0.",
        "The loop at lines 12-16 runs 3 times.",
        f"So {', '.join(f'{k} = {v}' for k, v in REGISTERS.answer.items())}.",
    ],
)
def test_a_register_explanation_is_paid(prose):
    verdict = guru_envs.score(REGISTERS, fence(REGISTERS.answer) + "\n\n" + prose)
    assert verdict.reward == 1.0, verdict.reason


def test_an_intermediate_state_is_working_but_a_final_one_is_an_answer():
    right = [0, 0, 0, 1, 1, 1]
    block = fence(right)
    assert score_value(block + "\nAfter step 2 the list was [0, 1, 1, 0, 0, 0].", right).reward == 1.0
    assert score_value(block + "\nBefore the last shift: [0, 0, 1, 1, 1, 0].", right).reward == 1.0
    # "final" undoes the label: a final state is the answer
    assert score_value(block + "\nAfter all steps the final list is [0, 0, 0, 0, 1, 1].", right).reward == 0.0
    # a hedge with another value is refused even beside a label
    assert score_value(block + "\nAfter step 2 it may be [0, 0, 0, 0, 1, 1].", right).reward == 0.0


def test_a_string_answer_hedged_on_a_quoted_value():
    row = "#..##."
    assert score_value(fence(row) + '\nThe row could be "#.###." instead.', row, bare_text=True).reward == 0.0
    assert score_value(fence(row) + '\nThe row could be "#..##." only.', row, bare_text=True).reward == 1.0


def test_hostile_prose_stays_fast():
    import time

    for tail in ["5" + " " * 19_000 + "x", "Top = 5" + " " * 19_000 + "x", "a. " * 6_000, "may (" * 4_000]:
        start = time.perf_counter()
        score_value(fence([1, 2]) + "\n" + tail, [1, 2])
        assert time.perf_counter() - start < 0.5, tail[:20]
