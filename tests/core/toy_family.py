"""A test-only family (sums of two integers) that exercises the core contract without any real domain."""

from guru_envs.core.family import Problem, TaskFamily
from guru_envs.verify import (
    Score,
    all_boxed,
    final_answer,
    last_boxed,
    parse_number,
    read_claim,
    strip_think,
)
from guru_envs.verify.claim import words_of

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
    """Option ``partial_credit``: an answer off by one earns 0.5 (default: only the sum pays)."""

    domain = "toy"
    name = "sum"
    levels = 3

    def __init__(self, partial_credit: bool = False):
        self.partial_credit = partial_credit

    def generate(self, rng, difficulty):
        a, b = rng.randint(0, 10 ** (difficulty + 1)), rng.randint(0, 10 ** (difficulty + 1))
        return Problem(
            prompt=f"What is {a} + {b}?", answer=a + b, reference_response=f"So \\boxed{{{a + b}}}."
        )

    def wrong_responses(self, task):
        return [f"So \\boxed{{{task.answer + 1}}}.", f"The answer is {task.answer}."]

    def score(self, task, response):
        """The shared rules, applied as every family should apply them.

        The boxes after the reasoning; one final answer among them (repeats fine, different answers
        refused); that answer one claim (a hedge, a negation or a word the question does not use refused);
        then the comparison.
        """
        pick = final_answer(all_boxed(strip_think(response)), same=_same_number)
        if pick.text is None:
            return Score.wrong(None, pick.refused or "no boxed answer")
        claim = read_claim(pick.text, allow=words_of(task.prompt))
        if claim.refused:
            return Score.wrong(pick.text, claim.refused)
        value = parse_number(claim.text)
        if value == task.answer:
            return Score.right(pick.text)
        if self.partial_credit and value is not None and abs(value - task.answer) == 1:
            return Score.partial(0.5, pick.text, "off by one")
        return Score.wrong(pick.text, "wrong number", feedback=f"{pick.text} is wrong")


def _same_number(a: str, b: str) -> bool:
    """Two boxes give the same answer when both read as the same number (two unreadable boxes do not)."""
    x = parse_number(a)
    return x is not None and x == parse_number(b)


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


class CallsNothingAnAnswer(SumFamily):
    """Reports what it read as ``str(value)``, so an empty box reads as the answer ``'None'``."""

    domain = "broken"
    name = "empty_answer"

    def score(self, task, response):
        boxes = all_boxed(response)
        value = parse_number(boxes[-1]) if boxes else None
        return Score.right(str(value)) if value == task.answer else Score.wrong(str(value), "not the sum")


BROKEN = {
    "nondeterministic": "NonDeterministic",
    "bad_reference": "BadReference",
    "raises": "RaisesOnOddInput",
    "hangs": "HangsOnLongInput",
    "lenient": "AcceptsAnything",
    "empty_answer": "CallsNothingAnAnswer",
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


class OtherSum(SumFamily):
    """A family named like toy.sum in another domain: options are keyed by domain and family."""

    domain = "toyb"


class RegisteredSum(SumFamily):
    """Registered at run time by a test, through ``guru_envs.register``."""

    domain = "registered"


class ProductFamily(SumFamily):
    """Version 1 of toy-versioned.arith: products instead of sums (a different task for the same seed)."""

    domain = "versioned"
    name = "arith"

    def generate(self, rng, difficulty):
        a, b = rng.randint(2, 10 ** (difficulty + 1)), rng.randint(2, 10 ** (difficulty + 1))
        return Problem(prompt=f"What is {a} * {b}?", answer=a * b, reference_response=f"\\boxed{{{a * b}}}")


class SumV0(SumFamily):
    """Version 0 of toy-versioned.arith, still served beside version 1."""

    domain = "versioned"
    name = "arith"


class OldSum(SumFamily):
    domain = "versioned"
    name = "old"


TOYB_MANIFEST = (
    MANIFEST.replace("guru-test/Toy-v0", "guru-test/ToyB-v0")
    .replace('domain = "toy"', 'domain = "toyb"')
    .replace("toy__sum", "toyb__sum")
    .replace('data_sources = ["toy"]', 'data_sources = ["toyb"]')
    .replace("toy_family:SumFamily", "toy_family:OtherSum")
    .replace(
        """[[families]]
name = "rows"
entry_point = "tests.core.toy_family:RowVerifier"
data_sources = ["toyb"]
generator = false
""",
        "",
    )
)

VERSIONED_MANIFEST = """
id = "guru-test/Versioned-v0"
domain = "versioned"
title = "Versioned"
description = "One family at two versions side by side, and one whose old version is retired."
ability = "toy"
answer_format = "\\\\boxed{integer}"
license = "Apache-2.0"

[[families]]
name = "arith"
version = 0
entry_point = "tests.core.toy_family:SumV0"
data_sources = ["versioned__arith"]

[[families]]
name = "arith"
version = 1
entry_point = "tests.core.toy_family:ProductFamily"
data_sources = ["versioned__arith"]

[[families]]
name = "old"
version = 0
retired = "v0 double-counted carries; use guru-test/Versioned.old-v1"
entry_point = "tests.core.toy_family:OldSum"

[[families]]
name = "old"
version = 1
entry_point = "tests.core.toy_family:OldSum"
"""


def register_test_manifests():
    """Add the toy, broken and versioned manifests to this process's catalog (idempotent)."""
    import guru_envs
    from guru_envs.core.registry import parse_manifest

    cat = guru_envs.catalog()
    for text in (MANIFEST, BROKEN_MANIFEST, TOYB_MANIFEST, VERSIONED_MANIFEST):
        manifest = parse_manifest(text)
        if manifest.id not in cat.envs:
            cat.add(manifest)
