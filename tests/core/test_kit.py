"""The contract kit passes sound families and names the fault of each deliberately broken one.

Besides the broken families of ``toy_family`` (not deterministic, a bad reference, a verifier that raises,
hangs or pays anything), this file has families that only the newer checks catch: verifiers that pay
the exploit battery's attacks, and a generator whose tasks depend on ``PYTHONHASHSEED``.
"""

import json
import re

import pytest

import guru_envs
from guru_envs.core.family import Problem, TaskFamily
from guru_envs.core.registry import parse_manifest
from guru_envs.core.task import Task
from guru_envs.testing import (
    PROBES,
    ContractError,
    check_env,
    check_exploits,
    check_family,
    check_guru_env,
    exploit_probes,
    exploit_report,
    find_answer_slot,
)
from guru_envs.verify import Score, all_boxed, later_answers


class StrictSum(TaskFamily):
    """Sums of two integers, scored as one claim: one distinct boxed integer and nothing else."""

    domain = "kit"
    name = "strict_sum"
    levels = 2

    def generate(self, rng, difficulty):
        a, b = rng.randint(1, 10 ** (difficulty + 1)), rng.randint(1, 10 ** (difficulty + 1))
        return Problem(
            prompt=f"What is ${a} + {b}$? Put the result in \\boxed{{}}.",
            answer=a + b,
            reference_response=f"Adding, ${a} + {b} = {a + b}$. So \\boxed{{{a + b}}}.",
        )

    def wrong_responses(self, task):
        return [f"So \\boxed{{{task.answer + 1}}}.", f"The answer is {task.answer}."]

    def read(self, response):
        """The boxed integer, or None when the response does not state exactly one (after the box too)."""
        boxes = set(all_boxed(response) + later_answers(response))
        if len(boxes) != 1:
            return None
        (box,) = boxes
        return int(box) if re.fullmatch(r"-?\d+", box) else None

    def score(self, task, response):
        value = self.read(response)
        if value == task.answer:
            return Score.right(str(value))
        return Score.wrong(None if value is None else str(value), "not the sum")


class LenientSum(StrictSum):
    """Reads the first integer in the last box: pays hedges, negations, scale words, equations."""

    name = "lenient_sum"

    def read(self, response):
        boxes = all_boxed(response)
        found = re.search(r"-?\d+", boxes[-1]) if boxes else None
        return int(found.group()) if found else None


class LastBoxSum(StrictSum):
    """Reads only the last box, strictly: pays a response that boxes a wrong answer, then the right one."""

    name = "last_box_sum"

    def read(self, response):
        boxes = all_boxed(response)
        return int(boxes[-1]) if boxes and re.fullmatch(r"-?\d+", boxes[-1]) else None


class ExemptLastBoxSum(LastBoxSum):
    name = "exempt_last_box_sum"
    exploit_exemptions = {
        "two_finals": "a test family: it reads the last box on purpose",
        "later_form": "a test family: it reads the last box on purpose, and nothing after it",
        "after_hedge": "a test family: it reads the last box on purpose, and nothing after it",
    }


class UnknownExemption(StrictSum):
    name = "unknown_exemption"
    exploit_exemptions = {"hedges": "misspelt probe name"}


class BareExemption(StrictSum):
    name = "bare_exemption"
    exploit_exemptions = {"hedge": " "}


class HashOrder(StrictSum):
    """Lists names in a set's iteration order: the same in one process, different under another hash seed."""

    name = "hash_order"

    def generate(self, rng, difficulty):
        problem = super().generate(rng, difficulty)
        names = {"ash", "birch", "cedar", "elm", "fir", "oak", "pine", "yew", "larch", "rowan"}
        problem.prompt = f"Trees: {', '.join(names)}. {problem.prompt}"
        return problem


class LenientChoice(TaskFamily):
    """A multiple-choice question whose verifier pays any box that contains the right letter."""

    domain = "kit"
    name = "lenient_choice"
    levels = 1

    def generate(self, rng, difficulty):
        letter = rng.choice("ABCD")
        options = "\n".join(f"{c}) {10 * (i + 1)}" for i, c in enumerate("ABCD"))
        return Problem(
            prompt=f"Which is right?\n\n{options}\n\nPut the letter in \\boxed{{}}.",
            answer=letter,
            reference_response=f"It is option {letter}.\n\n\\boxed{{{letter}}}",
        )

    def wrong_responses(self, task):
        return [f"\\boxed{{{'A' if task.answer != 'A' else 'B'}}}"]

    def score(self, task, response):
        boxes = all_boxed(response)
        paid = len(set(boxes)) == 1 and task.answer in boxes[0]
        return Score.right(boxes[0]) if paid else Score.wrong(None, "wrong letter")


FAMILIES = {
    "strict_sum": "StrictSum",
    "lenient_sum": "LenientSum",
    "last_box_sum": "LastBoxSum",
    "exempt_last_box_sum": "ExemptLastBoxSum",
    "unknown_exemption": "UnknownExemption",
    "bare_exemption": "BareExemption",
    "hash_order": "HashOrder",
    "lenient_choice": "LenientChoice",
}
MANIFEST = (
    'id = "guru-test/Kit-v0"\ndomain = "kit"\ntitle = "Kit"\n'
    'description = "Families that show the contract kit catching exploits and hash-seed dependence."\n'
    'ability = "toy"\nanswer_format = "\\\\boxed{integer}"\nlicense = "Apache-2.0"\n'
) + "".join(
    f'\n[[families]]\nname = "{n}"\nentry_point = "tests.core.test_kit:{c}"\n' for n, c in FAMILIES.items()
)


@pytest.fixture(scope="module", autouse=True)
def kit_families():
    cat = guru_envs.catalog()
    manifest = parse_manifest(MANIFEST)
    if manifest.id not in cat.envs:
        cat.add(manifest)


def test_sound_family_passes_every_check():
    counts = check_family("kit", "strict_sum", seeds=range(12), exploit_seeds=3, process_seeds=4)
    assert counts["tasks"] == 24 and counts["wrong_responses"] == 48 and counts["hostile"] > 10
    assert counts["cross_process"] == 8
    # hedge, doubt, negation, scale word, two equations, reasoning, two finals (x2), an unclosed second
    # final, a value stated after it in another form (x2), a hedge after it (x2), stuffed, 5 copies: 20 a task
    assert counts["exploit_probes"] == 20 * 6


def test_toy_family_passes_the_rest_of_the_kit():
    # The shared toy family reads the last box, so it pays "two finals": only the battery would fail it.
    counts = check_family("toy", "sum", seeds=range(40), exploit_seeds=0)
    assert counts["tasks"] == 120 and counts["wrong_responses"] == 240 and counts["hostile"] > 10
    assert counts["exploit_probes"] == 0 and counts["cross_process"] == 15


def test_sound_env_passes():
    check_guru_env("guru-test/Toy-v0")
    check_guru_env("guru-test/Toy.sum-v0", difficulty=2)


def test_check_env_is_a_deprecated_alias():
    with pytest.warns(DeprecationWarning, match="check_guru_env"):
        check_env("guru-test/Toy.sum-v0", seeds=(0, 1))


@pytest.mark.parametrize(
    ("name", "fault"),
    [
        ("nondeterministic", "not deterministic"),
        ("bad_reference", "reference response"),
        ("raises", "verifier raised"),
        ("hangs", "verifier hung"),
        ("lenient", "wrong response"),
        ("empty_answer", "answer container emptied"),
    ],
)
def test_kit_names_the_fault(name, fault):
    with pytest.raises(ContractError, match=fault):
        check_family("broken", name, seeds=range(12), levels=[1], time_limit=2.0)


def test_hash_seed_dependent_generation_is_caught():
    with pytest.raises(ContractError, match=r"kit\.hash_order: seed 0 level 1 .*PYTHONHASHSEED") as caught:
        check_family("kit", "hash_order", seeds=range(3), levels=[1], exploit_seeds=0)
    assert "field 'prompt'" in str(caught.value)
    # ... while the in-process check alone, which it passes, could not see it
    check_family("kit", "hash_order", seeds=range(3), levels=[1], exploit_seeds=0, process_seeds=0)


def test_lenient_verifier_fails_the_battery_with_family_seed_probe_and_response():
    with pytest.raises(ContractError) as caught:
        check_family("kit", "lenient_sum", seeds=range(4), levels=[1], exploit_seeds=2)
    message = str(caught.value)
    assert re.search(r"kit\.lenient_sum: exploit probe 'hedge' was paid 1 on seed 0 level 1", message)
    hedge = next(line for line in message.splitlines() if "'hedge'" in line)
    assert " or " in hedge.split("response:")[1]  # the response itself is in the message
    report = exploit_report("kit", "lenient_sum", seeds=range(4), levels=[1])
    assert {"hedge", "negation", "scale_word", "gold_equals_wrong", "stuffed"} <= set(report.paid_by_probe())
    assert "reasoning_gold" not in report.paid_by_probe()  # its final box holds the wrong sum: refused


def test_check_exploits_counts_probes_and_honours_exemptions():
    with pytest.raises(ContractError, match="'two_finals'"):
        check_exploits("kit", "last_box_sum", seeds=range(3))
    counts = check_exploits("kit", "exempt_last_box_sum", seeds=range(3))
    assert (
        "two_finals" not in counts
        and "later_form" not in counts
        and counts["hedge"] == 6
        and counts["copy_question"] == 30
    )
    assert set(counts) <= set(PROBES)
    check_family("kit", "exempt_last_box_sum", seeds=range(3))


@pytest.mark.parametrize(
    ("name", "fault"), [("unknown_exemption", "unknown probe"), ("bare_exemption", "reason")]
)
def test_bad_exemptions_are_refused(name, fault):
    with pytest.raises(ContractError, match=fault):
        check_exploits("kit", name, seeds=range(1))
    with pytest.raises(ContractError, match=fault):
        check_family("kit", name, seeds=range(1))


def test_every_choice_at_once_is_caught():
    report = exploit_report("kit", "lenient_choice", seeds=range(8))
    assert report.probes_run["every_choice"] == 8 and len(report.paid_by_probe()["every_choice"]) == 8


# ---- the probes themselves: right place, wrong by construction, never the gold in another form


def task(prompt, reference, answer=None):
    return Task(id="t", domain="kit", family="x", prompt=prompt, answer=answer, reference_response=reference)


def probes(t, wrongs=(), seed=0):
    out = {}
    for name, response in exploit_probes(t, list(wrongs), seed):
        out.setdefault(name, []).append(response)
    return out


def final(response):
    slot = find_answer_slot(response)
    return slot.content(response) if slot else None


def test_final_answer_container_is_found_from_the_reference():
    assert final("I think \\boxed{1}, then \\boxed{\\frac{1}{2}} is it.") == "\\frac{1}{2}"
    assert final("<answer>[1, 2]</answer> done") == "[1, 2]"
    assert find_answer_slot("```json\n{}\n```").program is False
    assert find_answer_slot("```\n[1]\n```").program is False
    assert find_answer_slot("```python\nprint(1)\n```").program is True
    assert find_answer_slot("<answer>\\boxed{3}</answer>").kind == "tag"
    assert find_answer_slot("no container here") is None


def test_scalar_probes_are_built_in_the_final_box():
    t = task("Compute $83 - 52$.", "So $\\boxed{31}$.")
    built = probes(t, ["So $\\boxed{32}$.", "So $\\boxed{83 - 52}$."])
    assert [final(r) for r in built["hedge"]] == ["31 or 32"]
    assert [final(r) for r in built["negation"]] == ["not 31"]
    assert [final(r) for r in built["scale_word"]] == ["31 thousand"]
    assert [final(r) for r in built["wrong_equals_gold"]] == ["32 = 31"]
    assert [final(r) for r in built["gold_equals_wrong"]] == ["31 = 32"]
    assert built["reasoning_gold"] == ["Working it out, the answer is 31.\n\nSo $\\boxed{32}$."]
    assert [all_boxed(r) for r in built["two_finals"]] == [["32", "31"], ["31", "32"]]
    assert [final(r) for r in built["stuffed"]] == ["31, 32"]
    assert [final(r) for r in built["copy_question"]] == [
        "83 - 52",
        "(83 - 52)",
        "\\left(83 - 52\\right)",
        "83 - 52 + 0",
        "-52 + 83",
    ]


@pytest.mark.parametrize(
    ("gold", "wrong"),
    [
        ("\\frac{1}{2}", "0.5"),  # the same value in another format
        ("\\frac{3}{5}", "\\frac{6}{10}"),  # not reduced: the same value
        ("2, 6", "6, 2"),  # the same set
        ("2.5", "2.50"),
        ("1.5 kW", "1500 W"),  # a unit conversion
        ("1.5 kW", "1500"),  # the SI value without its unit
        ("West", "west"),
        ("(2, 18)", "(18, 2)"),  # reordered: maybe wrong, but not surely another value
    ],
)
def test_another_form_of_the_gold_is_never_used_as_a_wrong_value(gold, wrong):
    built = probes(task("Q", f"\\boxed{{{gold}}}"), [f"\\boxed{{{wrong}}}"])
    assert [final(r) for r in built["hedge"]] == [f"{gold} or something else"]
    assert {"wrong_equals_gold", "gold_equals_wrong", "reasoning_gold", "two_finals", "stuffed"}.isdisjoint(
        built
    )


def test_probes_that_could_be_right_are_not_built():
    # 0 thousand is 0; a question in thousands may accept "thousand"
    assert "scale_word" not in probes(task("Q", "\\boxed{0}"))
    in_thousands = probes(task("Revenue in thousands of dollars?", "\\boxed{12}"), seed=0)
    assert [final(r) for r in in_thousands["scale_word"]] == ["12 million"]
    # a wrong value inside a set gold: two boxes could add up to the gold set, so no "two finals"
    built = probes(task("Q", "\\boxed{2, 6}"), ["\\boxed{2, 2}", "\\boxed{-2, -6}"], seed=0)
    assert [all_boxed(r) for r in built["two_finals"]] == [["-2, -6", "2, 6"], ["2, 6", "-2, -6"]]
    assert [final(r) for r in built["stuffed"]] == ["2, 6, -2, -6"]
    # `x = 5` states 5, so a wrong value that reads as a name never stands left of the gold
    named = probes(task("Q", "\\boxed{West}"), ["\\boxed{East}"])
    assert "wrong_equals_gold" not in named and [final(r) for r in named["gold_equals_wrong"]] == [
        "West = East"
    ]
    # "not not x" could be read as x; a list the prompt lets come in any order may be written as a set
    assert {final(r) for s in range(4) for r in probes(task("Q", "\\boxed{not A}"), seed=s)["negation"]} == {
        "not A is wrong",
        "not A is not the answer",
    }
    assert "set_for_tuple" not in probes(task("List them in any order.", "<answer>[3, 1]</answer>"))
    # the question's expression equal to the gold is no copy
    assert "copy_question" not in probes(task("Simplify $2 + 3$.", "\\boxed{2 + 3}"))


def test_programs_get_only_a_wrong_final_program():
    right, wrong = "```python\ndef f():\n    return 1\n```", "```python\ndef f():\n    return 2\n```"
    built = probes(task("Write f.", f"Here:\n\n{right}"), [wrong])
    assert list(built) == ["reasoning_gold"]
    (response,) = built["reasoning_gold"]
    assert response.index("return 1") < response.index("return 2") and final(response).endswith("return 2")


def test_choice_set_tuple_and_structured_probes():
    mc = task("Pick one.\nA) 1\nB) 2\nC) 3\n", "\\boxed{B}")
    assert {final(r) for s in range(3) for r in probes(mc, seed=s)["every_choice"]} == {
        "A, B, C",
        "A B C",
        "ABC",
    }
    assert [final(r) for r in probes(task("Q", "\\boxed{(2, 18)}"))["set_for_tuple"]] == ["\\{2, 18\\}"]
    assert [final(r) for r in probes(task("Q", "\\boxed{\\{1, 4\\}}"))["tuple_for_set"]] == ["(1, 4)"]
    fenced = task("Q", '```json\n{"xs": [1, 2]}\n```')
    built = probes(fenced, ['```json\n{"xs": [1, 3]}\n```'])
    assert json.loads(final(built["extra_key"][0])) == {"xs": [1, 2], "alternative_answer": {"xs": [1, 3]}}
    assert json.loads(final(built["renamed_key"][0])) == {"answer": [1, 2]}
    assert final(probes(task("Q", "<answer>[3, 1, 2]</answer>"))["set_for_tuple"][0]) == "{3, 1, 2}"


def test_grid_probes_add_rows_and_columns_that_disagree():
    grid = {"header": ["House", "Name"], "rows": [["1", "Ann"], ["2", "Bo"]]}
    t = task("Q", f"<answer>{json.dumps(grid)}</answer>")
    built = probes(t, seed=0)
    assert json.loads(final(built["extra_row"][0]))["rows"] == [["1", "Ann"], ["2", "Bo"], ["3", "Ann"]]
    assert json.loads(final(built["contradictory_row"][0]))["rows"] == [
        ["1", "Ann"],
        ["1", "Bo"],
        ["2", "Bo"],
    ]
    column = json.loads(final(built["contradictory_column"][0]))
    assert column == {"header": ["House", "Name", "Name"], "rows": [["1", "Ann", "Bo"], ["2", "Bo", "Ann"]]}
    markdown = final(probes(t, seed=1)["extra_row"][0])  # odd seeds write the grid as a markdown table
    assert markdown.splitlines() == [
        "| House | Name |",
        "| --- | --- |",
        "| 1 | Ann |",
        "| 2 | Bo |",
        "| 3 | Ann |",
    ]
    plain = probes(task("Q", "<answer>[[1, 2], [3, 4]]</answer>"))
    assert json.loads(final(plain["extra_row"][0])) == [[1, 2], [3, 4], [2, 2]]  # not a repeat: a set of rows
    assert "contradictory_row" not in plain  # rows without keys cannot contradict each other
