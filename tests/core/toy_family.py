"""A test-only family (sums of two integers) that exercises the core contract without any real domain."""

from guru_envs.core.family import Problem, TaskFamily
from guru_envs.verify import Score, all_boxed, final_answer, last_boxed, parse_number, read_claim

MANIFEST = """
id = "guru-test/Toy-v0"
domain = "toy"
title = "Toy"
description = "Sums of two integers, for testing the core."
ability = "toy"
answer_format = "\\\\boxed{integer}"
license = "Apache-2.0"

[[families]]
name = "sum"
entry_point = "tests.core.toy_family:SumFamily"
data_sources = ["toy__sum"]

[[families]]
name = "rows"
entry_point = "tests.core.toy_family:RowVerifier"
data_sources = ["toy"]
generator = false
"""


class SumFamily(TaskFamily):
    domain = "toy"
    name = "sum"
    levels = 3

    def generate(self, rng, difficulty):
        a, b = rng.randint(0, 10 ** (difficulty + 1)), rng.randint(0, 10 ** (difficulty + 1))
        return Problem(
            prompt=f"What is {a} + {b}?", answer=a + b, reference_response=f"So \\boxed{{{a + b}}}."
        )

    def wrong_responses(self, task):
        return [f"So \\boxed{{{task.answer + 1}}}.", f"The answer is {task.answer}."]

    def score(self, task, response):
        pick = final_answer(all_boxed(response), same=lambda a, b: parse_number(a) == parse_number(b))
        if pick.text is None:
            return Score.wrong(None, pick.refused or "no boxed answer")
        claim = read_claim(pick.text)
        if claim.refused:
            return Score.wrong(pick.text, claim.refused)
        if parse_number(claim.text) == task.answer:
            return Score.right(pick.text)
        return Score.wrong(pick.text, "wrong number", feedback=f"{pick.text} is wrong")


class RowVerifier(SumFamily):
    name = "rows"
    generator = False

    def parse_ground_truth(self, ground_truth, row):
        return int(ground_truth)


class Hanging(SumFamily):
    def score(self, task, response):
        while True:
            pass


class NonDeterministic(SumFamily):
    domain = "broken"
    name = "nondeterministic"
    """Draws from global randomness: the kit must catch it."""

    def generate(self, rng, difficulty):
        import random

        a = random.randint(0, 10**9)
        return Problem(prompt=f"What is {a} + 0?", answer=a, reference_response=f"\\boxed{{{a}}}")


class BadReference(SumFamily):
    domain = "broken"
    name = "bad_reference"

    def generate(self, rng, difficulty):
        problem = super().generate(rng, difficulty)
        problem.reference_response = "I think it is \\boxed{-1}"
        return problem


class RaisesOnOddInput(SumFamily):
    domain = "broken"
    name = "raises"

    def score(self, task, response):
        if "{" * 50 in response:
            raise RecursionError("nested too deep")
        return super().score(task, response)


class HangsOnLongInput(SumFamily):
    domain = "broken"
    name = "hangs"

    def score(self, task, response):
        if len(response) > 100_000:
            while True:
                pass
        return super().score(task, response)


class AcceptsAnything(SumFamily):
    domain = "broken"
    name = "lenient"

    def wrong_responses(self, task):
        return ["\\boxed{nonsense}"]

    def score(self, task, response):
        return Score.right(last_boxed(response))


BROKEN = {
    "nondeterministic": "NonDeterministic",
    "bad_reference": "BadReference",
    "raises": "RaisesOnOddInput",
    "hangs": "HangsOnLongInput",
    "lenient": "AcceptsAnything",
}

BROKEN_MANIFEST = """
id = "guru-test/Broken-v0"
domain = "broken"
title = "Broken"
description = "Deliberately broken families: the contract kit must catch each."
ability = "toy"
answer_format = "\\\\boxed{integer}"
license = "Apache-2.0"
""" + "".join(
    f'\n[[families]]\nname = "{name}"\nentry_point = "tests.core.toy_family:{cls}"\n'
    for name, cls in BROKEN.items()
)


def register_test_manifests():
    """Add the toy and broken manifests to this process's catalog (idempotent)."""
    import guru_envs
    from guru_envs.core.registry import parse_manifest

    cat = guru_envs.catalog()
    for text in (MANIFEST, BROKEN_MANIFEST):
        manifest = parse_manifest(text)
        if manifest.id not in cat.envs:
            cat.add(manifest)
