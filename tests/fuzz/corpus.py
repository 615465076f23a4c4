"""What the fuzzer mutates: for each domain, tasks with a right response and responses known to be wrong.

Every generator family gives tasks at its easiest, middle and hardest level, with its reference and its
``wrong_responses``; every verifier-only family (GURU/verl rows) gets a few hand-made rows in the
formats GURU's preprocessing writes, with our own small problems.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass

import guru_envs
from guru_envs.core.task import Task

DOMAINS = ("math", "code", "science", "logic", "simulation", "tabular")


@dataclass(frozen=True)
class Case:
    """A task, a response that earns 1 and responses that must not."""

    task: Task
    right: str
    wrongs: tuple[str, ...]


def _row(source: str, prompt: str, ground_truth, **extra) -> dict:
    return {
        "data_source": source,
        "prompt": [{"role": "user", "content": prompt}],
        "ability": source.split("__")[0],
        "reward_model": {"style": "rule", "ground_truth": ground_truth},
        "extra_info": {"split": "test", "index": 0, **extra},
    }


def _fence(text: str, language: str = "python") -> str:
    return f"```{language}\n{text}\n```"


BOX = " Please put the final answer within \\boxed{}."
CHOICES = "A) 2.0 m\nB) 4.0 m\nC) 8.0 m\nD) 16 m\n"
CRUX_CODE = "def f(text):\n    return text[::-1] + '!'"

# (row, right response, wrong responses) for each verifier-only family, by domain
ROWS: dict[str, list[tuple[dict, str, tuple[str, ...]]]] = {
    "math": [
        (
            _row("math__deepscaler_preview", "What is 3/8 + 3/8?" + BOX, "\\frac{3}{4}"),
            "Adding, 6/8 = 3/4, so \\boxed{\\frac{3}{4}}.",
            ("So \\boxed{\\frac{3}{5}}.", "So \\boxed{\\frac{6}{16}}.", "The answer is 3/4."),
        ),
        (
            _row("math__olympiad_bench", "Solve x + y = 5, x - y = 1 for (x, y)." + BOX, "(3, 2)"),
            "Adding the equations gives x = 3, then y = 2: \\boxed{(3, 2)}.",
            ("\\boxed{(2, 3)}", "\\boxed{(3, 1)}"),
        ),
        (
            _row("aime2024", "How many divisors does 360 have?" + BOX, "24"),
            "360 = 2^3 3^2 5, so (3+1)(2+1)(1+1) = \\boxed{24}.",
            ("\\boxed{23}", "\\boxed{12}", "It is 24 or 25: \\boxed{25}"),
        ),
    ],
    "science": [
        (
            _row(
                "stem__gpqa_diamond",
                "How far does it fall in 2 s from rest (g = 4 m/s^2)?\n" + CHOICES + BOX,
                "C",
            ),
            "d = g t^2 / 2 = 8 m, option C.\n\n\\boxed{C}",
            ("\\boxed{B}", "\\boxed{D}", "I cannot decide."),
        ),
        (
            _row(
                "stem_web",
                "A 0.50 L solution holds 0.125 mol of NaCl. What is its concentration?",
                "0.25 M",
                answer_type="Float",
            ),
            "c = n / V = 0.125 / 0.50 = \\boxed{0.25 M}",
            ("\\boxed{0.5 M}", "\\boxed{0.0625 M}"),
        ),
    ],
    "simulation": [
        (
            _row(
                "simulation__codeio",
                'Given the input {"n": 4}, predict the output of a function that returns n squared plus one. '
                'Answer in the json format {"output": <your output>}.',
                '"output": 17',
            ),
            "4 * 4 + 1 = 17.\n" + _fence(json.dumps({"output": 17}), "json"),
            (_fence(json.dumps({"output": 16}), "json"), _fence(json.dumps({"output": "17"}), "json")),
        ),
        (
            _row(
                "simulation__cruxeval-o",
                "Complete the assertion with the output of the function, in ```python and ``` tags.\n\n"
                + _fence(f"{CRUX_CODE}\nassert f('abc') == ??"),
                json.dumps({"functional": CRUX_CODE}),
            ),
            "Reversed with an exclamation mark.\n" + _fence("assert f('abc') == 'cba!'"),
            (_fence("assert f('abc') == 'abc!'"), _fence("assert f('abc') == 'cba'")),
        ),
    ],
    "tabular": [
        (
            _row(
                "table__hitab",
                "| region | 2016 |\n|---|---|\n| alberta | 47.1 |\n| yukon | 12.5 |\n"
                "Which value does alberta have in 2016?" + BOX,
                "47.1",
            ),
            "Reading the alberta row: \\boxed{47.1}.",
            ("\\boxed{12.5}", "\\boxed{47.2}", "The answer is 47.1."),
        ),
    ],
    "code": [
        (
            _row(
                "codegen__primeintellect",
                "Read two integers on one line and print their sum. Give a ```python block.",
                json.dumps({"inputs": ["1 2\n", "10 -3\n", "0 0\n"], "outputs": ["3\n", "7\n", "0\n"]}),
            ),
            _fence("a, b = map(int, input().split())\nprint(a + b)"),
            (_fence("a, b = map(int, input().split())\nprint(a - b)"), _fence("print(3)")),
        ),
        (
            _row(
                "codegen__mbpp",
                "Write a function double(x) that returns twice x. Give a ```python block.",
                json.dumps(
                    {"functional": "assert double(2) == 4\nassert double(-1) == -2\nassert double(0) == 0"}
                ),
            ),
            _fence("def double(x):\n    return 2 * x"),
            (_fence("def double(x):\n    return x + 2"), _fence("def double(x):\n    return 4")),
        ),
    ],
    "logic": [],  # GURU's logic rows are scored by the generator families, whose tasks are below
}


def _levels(family) -> list[int]:
    return sorted({1, (family.levels + 1) // 2, family.levels})


@functools.cache
def cases(domain: str) -> tuple[Case, ...]:
    """The fuzzing corpus of one domain (built once per process)."""
    cat = guru_envs.catalog()
    out = []
    for spec in cat.families(domain, generators_only=True):
        family = cat.family(domain, spec.name)
        for level in _levels(family):
            for seed in (0, 1):
                task = family.sample(seed, level)
                out.append(Case(task, task.reference_response, tuple(family.wrong_responses(task))))
    for row, right, wrongs in ROWS[domain]:
        out.append(Case(Task.from_record(row), right, wrongs))
    return tuple(out)
