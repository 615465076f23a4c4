"""Procedural programming problems: a template library and the family that serves it in two I/O modes.

A :class:`Template` is one parameterised problem: a reference solution (a real module-level function,
whose source becomes the reference response), a plausible buggy solution, typed arguments, a
statement, and a test generator that always includes the edge cases the buggy solution trips on, plus
random tests and, at high levels, large tests that only an efficient solution finishes within the CPU
limit. Expected outputs come from calling the reference on our own generated inputs (never model text).

A task poses one template either as **call-based function synthesis** (``io="call"``: write
``fn(args) -> result``; tests are calls) or as a **stdin/stdout program** (``io="stdio"``: read the
arguments in a stated format, print the result). Both are verified by :mod:`guru_envs.code.verifier`.

Answer forms (``Task.answer``, also the GURU/verl ``ground_truth`` on export):

- call: ``{"fn_name": name, "inputs": [[arg, ...], ...], "outputs": [result, ...]}`` (APPS/TACO style);
- stdio: ``{"inputs": [stdin, ...], "outputs": [stdout, ...]}`` (GURU's own format, so exported rows also
  score in GURU's pipeline).
"""

from __future__ import annotations

import copy
import functools
import inspect
import random
import re
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import msgspec

from guru_envs.code.verifier import (
    GENERATED_LIMITS,
    call_suite,
    score_program,
    stdio_suite,
    strict_equal,
)
from guru_envs.core.family import Problem, TaskFamily
from guru_envs.core.task import Task, json_ground_truth
from guru_envs.verify.score import Score

# Argument and result kinds: how a value is typed, read from stdin and printed.
HINTS = {
    "int": "int",
    "str": "str",
    "bool": "bool",
    "ints": "list[int]",
    "strs": "list[str]",
    "grid": "list[list[int]]",
    "rows": "list[str]",
    "pairs": "list[list[int]]",
}
_READ = {
    "int": "{name} = int(next(lines))",
    "str": "{name} = next(lines)",
    "ints": "next(lines)\n{name} = [int(x) for x in next(lines).split()]",
    "strs": "count = int(next(lines))\n{name} = [next(lines) for _ in range(count)]",
    "grid": "rows, _ = map(int, next(lines).split())\n{name} = [[int(x) for x in next(lines).split()] for _ in range(rows)]",
    "rows": "rows, _ = map(int, next(lines).split())\n{name} = [next(lines) for _ in range(rows)]",
    "pairs": "count = int(next(lines))\n{name} = [[int(x) for x in next(lines).split()] for _ in range(count)]",
}
_PRINT = {
    "int": "print(result)",
    "str": "print(result)",
    "bool": 'print("YES" if result else "NO")',
    "ints": 'print(" ".join(map(str, result)))',
    "strs": 'print("\\n".join(result))',
    "grid": 'print("\\n".join(" ".join(map(str, row)) for row in result))',
    "rows": 'print("\\n".join(result))',
    "pairs": 'print("\\n".join(" ".join(map(str, row)) for row in result))',
}
_INPUT_FORMAT = {
    "int": "a line with the integer `{name}`",
    "str": "a line with the string `{name}` (possibly empty)",
    "ints": "a line with the length of `{name}`, then a line with its elements separated by spaces (empty if it has none)",
    "strs": "a line with the number of strings in `{name}`, then one string per line",
    "grid": "a line with the number of rows and columns of `{name}`, then each row as integers separated by spaces",
    "rows": "a line with the number of rows and columns of `{name}`, then each row as a line of characters",
    "pairs": "a line with the number of pairs in `{name}`, then one pair per line as two integers",
}
_OUTPUT_FORMAT = {
    "int": "Print it as an integer.",
    "str": "Print it on one line.",
    "bool": "Print `YES` if so and `NO` otherwise.",
    "ints": "Print its elements on one line, separated by spaces (an empty line if there are none).",
    "strs": "Print one string per line (nothing if there are none).",
    "grid": "Print one row per line, integers separated by spaces.",
    "rows": "Print one row per line.",
    "pairs": "Print one pair per line as two integers separated by a space (nothing if there are none).",
}


@dataclass(frozen=True)
class Arg:
    """One argument of a template's function."""

    name: str
    kind: str


@dataclass(frozen=True)
class CodeLevel:
    """Input sizes at one difficulty level; each template reads the fields it needs.

    Attributes:
        size: largest random input (elements, characters, digits ... as the template defines).
        value: largest absolute value of numbers in random inputs.
        tests: number of random tests (edge cases come on top).
        large: size of performance tests (0: none at this level).
        large_tests: number of performance tests.
    """

    size: int
    value: int
    tests: int
    large: int = 0
    large_tests: int = 0


@dataclass(frozen=True)
class Cases:
    """Generated inputs (each a list of arguments): edge cases, random ones, performance ones."""

    edge: list[list[Any]]
    random: list[list[Any]]
    large: list[list[Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Template:
    """One parameterised problem.

    Attributes:
        solution: the reference, a self-contained module-level function; its name is the task's.
        buggy: a plausible wrong solution that fails one of the always-included edge cases.
        args: the function's arguments, in order.
        returns: kind of the result.
        statement: what to compute, naming the arguments in backticks.
        result: what the result is, as a noun phrase ("the number of ...").
        cases: ``(rng, level, config) -> Cases``.
        notes: constraints that the test data alone does not show (distinctness, alphabets ...).
        approach: one sentence on the reference's method (shown in the reference response).
        imports: import lines the solution needs.
    """

    solution: Callable[..., Any]
    buggy: Callable[..., Any]
    args: tuple[Arg, ...]
    returns: str
    statement: str
    result: str
    cases: Callable[[random.Random, int, CodeLevel], Cases]
    notes: tuple[str, ...] = ()
    approach: str = ""
    imports: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """The template's (and function's) name."""
        return self.solution.__name__

    def signature(self) -> str:
        """``def name(a: list[int], k: int) -> int``."""
        params = ", ".join(f"{a.name}: {HINTS[a.kind]}" for a in self.args)
        return f"def {self.name}({params}) -> {HINTS[self.returns]}"


# ----------------------------------------------------------------------------------- source helpers


@functools.cache
def function_source(fn: Callable[..., Any], name: str | None = None) -> str:
    """The source of ``fn`` (dedented, docstring removed), renamed to ``name``."""
    source = textwrap.dedent(inspect.getsource(fn))
    source = re.sub(r'^(\s*def [^\n]*:\n)\s*"""(?:.|\n)*?"""\n', r"\1", source, count=1)
    if name and name != fn.__name__:
        source = re.sub(rf"\b{re.escape(fn.__name__)}\b", name, source)
    return source.rstrip() + "\n"


def program_source(template: Template, io: str, fn: Callable[..., Any] | None = None) -> str:
    """A complete solution program: the function (``fn`` or the reference), plus a ``main`` for stdio."""
    body = function_source(fn or template.solution, template.name)
    header = "\n".join(template.imports)
    if io == "call":
        return (header + "\n\n\n" if header else "") + body
    reads = "\n".join(textwrap.indent(_READ[a.kind].format(name=a.name), "    ") for a in template.args)
    call = f"    result = {template.name}({', '.join(a.name for a in template.args)})"
    main = (
        "def main() -> None:\n"
        '    lines = iter(sys.stdin.read().split("\\n"))\n'
        f"{reads}\n{call}\n"
        f"{textwrap.indent(_PRINT[template.returns], '    ')}\n\n\n"
        'if __name__ == "__main__":\n    main()\n'
    )
    imports = "\n".join(["import sys", *template.imports])
    return f"{imports}\n\n\n{body}\n\n{main}"


def assert_tests(fn_name: str, inputs: Sequence[Sequence[Any]], outputs: Sequence[Any]) -> str:
    """Call-based tests as Python asserts (GURU's ``functional`` form), one per test; values as literals."""
    lines = [
        f"assert {fn_name}({', '.join(map(repr, args))}) == {out!r}" for args, out in zip(inputs, outputs)
    ]
    return "\n".join(lines) + "\n"


def fenced(code: str) -> str:
    """``code`` in a ```python block."""
    return f"```python\n{code.rstrip()}\n```"


# -------------------------------------------------------------------------------------- rendering


def plain(value: Any) -> Any:
    """``value`` with tuples turned into lists (what survives a JSON round trip)."""
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def render_value(value: Any, kind: str) -> str:
    """One argument as stdin lines (without the final newline)."""
    if kind in ("int", "str"):
        return str(value)
    if kind == "ints":
        return f"{len(value)}\n{' '.join(map(str, value))}"
    if kind == "strs":
        return "\n".join([str(len(value)), *value])
    if kind == "grid":
        return "\n".join(
            [f"{len(value)} {len(value[0]) if value else 0}", *(" ".join(map(str, r)) for r in value)]
        )
    if kind == "rows":
        return "\n".join([f"{len(value)} {len(value[0]) if value else 0}", *value])
    if kind == "pairs":
        return "\n".join([str(len(value)), *(f"{a} {b}" for a, b in value)])
    raise ValueError(f"no stdin form for kind {kind!r}")


def render_output(value: Any, kind: str) -> str:
    """A result as the reference program prints it."""
    if kind in ("int", "str"):
        return f"{value}\n"
    if kind == "bool":
        return "YES\n" if value else "NO\n"
    if kind == "ints":
        return " ".join(map(str, value)) + "\n"
    if kind in ("strs", "rows"):
        return "\n".join(value) + "\n"
    if kind in ("grid", "pairs"):
        return "\n".join(" ".join(map(str, r)) for r in value) + "\n"
    raise ValueError(f"no printed form for kind {kind!r}")


def render_input(template: Template, args: Sequence[Any]) -> str:
    """A test's stdin text."""
    return "\n".join(render_value(v, a.kind) for v, a in zip(args, template.args)) + "\n"


def _bounds(template: Template, inputs: Sequence[Sequence[Any]]) -> list[str]:
    """Constraints read off the test data itself, so they are always true."""
    lines = []
    for k, arg in enumerate(template.args):
        values = [args[k] for args in inputs]
        n = arg.name
        if arg.kind == "int":
            lines.append(f"{min(values)} <= {n} <= {max(values)}")
        elif arg.kind == "str":
            lines.append(f"{min(map(len, values))} <= len({n}) <= {max(map(len, values))}")
        elif arg.kind in ("ints", "strs", "pairs"):
            lines.append(f"{min(map(len, values))} <= len({n}) <= {max(map(len, values))}")
            items = [x for v in values for x in v]
            if arg.kind == "ints" and items:
                lines.append(f"{min(items)} <= {n}[i] <= {max(items)}")
            elif arg.kind == "pairs" and items:
                flat = [x for pair in items for x in pair]
                lines.append(f"{min(flat)} <= {n}[i][j] <= {max(flat)}")
            elif arg.kind == "strs" and items:
                lines.append(f"{min(map(len, items))} <= len({n}[i]) <= {max(map(len, items))}")
        elif arg.kind in ("grid", "rows"):
            lines.append(f"1 <= rows, columns of {n} <= {max(max(len(v), len(v[0])) for v in values)}")
    return lines


# ----------------------------------------------------------------------------------------- family


class TemplateFamily(TaskFamily):
    """A family serving a library of :class:`Template` problems (one library per file).

    Options:
        io: ``"mixed"`` (default: each task is call-based or stdin/stdout at random), ``"call"`` or
            ``"stdio"``. The seed decides the problem; ``io`` only decides how it is posed.
        partial_credit: reward the fraction of tests passed instead of all-or-nothing.
    """

    domain: ClassVar[str] = "code"
    templates: ClassVar[tuple[Template, ...]] = ()
    LEVELS: ClassVar[dict[int, CodeLevel]] = {}
    levels = 5
    examples = 2  # tests shown in the prompt
    row_meta_keys: ClassVar[tuple[str, ...]] = ("examples",)  # the tests the prompt shows
    guru_scorer: ClassVar[str] = "coder1"

    def __init__(self, io: str = "mixed", partial_credit: bool = False) -> None:
        if io not in ("mixed", "call", "stdio"):
            raise ValueError(f"io must be 'mixed', 'call' or 'stdio', not {io!r}")
        self.io = io
        self.partial_credit = bool(partial_credit)

    def template(self, name: str) -> Template:
        """The template called ``name``."""
        for t in self.templates:
            if t.name == name:
                return t
        raise KeyError(f"{self.domain}.{self.name} has no template {name!r}")

    def sample(self, seed: int, difficulty: int = 1) -> Task:
        """As :meth:`TaskFamily.sample`; with a fixed ``io`` the id says so (``.../s7/stdio``)."""
        task = super().sample(seed, difficulty)
        if self.io != "mixed":
            task = msgspec.structs.replace(task, id=f"{task.id}/{self.io}")
        return task

    def generate(self, rng: random.Random, difficulty: int) -> Problem:
        """Pick a template and an I/O mode, generate its tests, and run the reference on them."""
        template = rng.choice(self.templates)
        io = "call" if rng.random() < 0.5 else "stdio"
        if self.io != "mixed":
            io = self.io
        cases = template.cases(rng, difficulty, self.LEVELS[difficulty])
        inputs = [plain(args) for args in [*cases.edge, *cases.random, *cases.large]]
        outputs = [plain(template.solution(*copy.deepcopy(args))) for args in inputs]
        shown = list(range(len(cases.edge), len(cases.edge) + min(self.examples, len(cases.random))))
        if not shown:
            shown = [0]
        prompt = self._prompt(template, io, inputs, outputs, shown)
        approach = f"{template.approach}\n\n" if template.approach else ""
        reference = approach + fenced(program_source(template, io))
        if io == "call":
            answer: dict[str, Any] = {"fn_name": template.name, "inputs": inputs, "outputs": outputs}
        else:
            answer = {
                "inputs": [render_input(template, args) for args in inputs],
                "outputs": [render_output(out, template.returns) for out in outputs],
            }
        meta = {"io": io, "template": template.name, "examples": shown}
        return Problem(prompt=prompt, answer=answer, reference_response=reference, meta=meta)

    def _prompt(
        self,
        template: Template,
        io: str,
        inputs: list[list[Any]],
        outputs: list[Any],
        shown: list[int],
    ) -> str:
        constraints = "\n".join(f"- {c}" for c in [*_bounds(template, inputs), *template.notes])
        if io == "call":
            examples = "\n".join(
                f">>> {template.name}({', '.join(repr(a) for a in inputs[i])})\n{outputs[i]!r}" for i in shown
            )
            return (
                f"Write a Python function\n\n```python\n{template.signature()}:\n```\n\n"
                f"{template.statement}\n\nReturn {template.result}.\n\n"
                f"Constraints:\n{constraints}\n\nExamples:\n```\n{examples}\n```\n\n"
                "The function is called directly with these arguments: do not read input or print. Give the "
                "complete function, with any imports it needs, in a single ```python code block."
            )
        fmt = "\n".join(f"- {_INPUT_FORMAT[a.kind].format(name=a.name)}" for a in template.args)
        examples = "\n\n".join(
            f"Example {k + 1}\nInput:\n```\n{render_input(template, inputs[i])}```\n"
            f"Output:\n```\n{render_output(outputs[i], template.returns)}```"
            for k, i in enumerate(shown)
        )
        return (
            "Write a Python program that reads from standard input and writes to standard output.\n\n"
            f"{template.statement}\n\nInput: the input holds, in this order:\n{fmt}\n\n"
            f"Output: the program outputs {template.result}. {_OUTPUT_FORMAT[template.returns]}\n\n"
            f"Constraints:\n{constraints}\n\n{examples}\n\n"
            "Give the complete program in a single ```python code block."
        )

    # ---------------------------------------------------------------------------------------- rows

    def row_ground_truth(self, task: Task) -> str:
        """The tests as JSON text; a call-based task adds them as asserts (``functional``) for GURU's coder1.

        coder1 reads ``functional`` (or ``inputs``/``outputs`` as stdin/stdout); :meth:`parse_ground_truth`
        reads the structured tests, which are the ones scored here.
        """
        answer = dict(task.answer)
        if "fn_name" in answer:
            answer["functional"] = assert_tests(answer["fn_name"], answer["inputs"], answer["outputs"])
        return msgspec.json.encode(answer).decode()

    def parse_ground_truth(self, ground_truth: Any, row: dict[str, Any]) -> Any:
        """The tests of :meth:`row_ground_truth`: ``fn_name`` with argument lists, or stdin/stdout texts."""
        data = json_ground_truth(ground_truth)
        if not isinstance(data, dict):
            raise ValueError("code ground truth must be a JSON object")
        inputs, outputs = data.get("inputs"), data.get("outputs")
        if (
            not isinstance(inputs, list)
            or not isinstance(outputs, list)
            or len(inputs) != len(outputs)
            or not inputs
        ):
            raise ValueError("code ground truth must hold 'inputs' and 'outputs' lists of one length")
        fn_name = data.get("fn_name")
        if fn_name is None:
            if not all(isinstance(x, str) for x in [*inputs, *outputs]):
                raise ValueError("stdin/stdout tests must be strings")
            return {"inputs": inputs, "outputs": outputs}
        if not isinstance(fn_name, str) or not fn_name.isidentifier():
            raise ValueError("'fn_name' must be a function name")
        if not all(isinstance(args, list) for args in inputs):
            raise ValueError("each call-based input must be a list of arguments")
        return {"fn_name": fn_name, "inputs": inputs, "outputs": outputs}

    def task_from_row(self, row: dict[str, Any]) -> Task:
        """As the base reader; the I/O mode follows from the tests (``fn_name``: call-based)."""
        task = super().task_from_row(row)
        io = "call" if "fn_name" in task.answer else "stdio"
        return msgspec.structs.replace(task, meta={**task.meta, "io": io})

    # ------------------------------------------------------------------------------------ scoring

    def score(self, task: Task, response: str) -> Score:
        """Run the task's tests on the response's last ```python block (see :mod:`.verifier`)."""
        answer = task.answer
        public = task.meta.get("examples") or ()  # the tests the prompt shows; the rest stay hidden
        if task.meta.get("io") == "call":
            suite = call_suite(
                answer["fn_name"],
                answer["inputs"],
                answer["outputs"],
                strict_equal,
                GENERATED_LIMITS,
                public=public,
            )
        else:
            suite = stdio_suite(answer["inputs"], answer["outputs"], limits=GENERATED_LIMITS, public=public)
        return score_program(response, suite, partial_credit=self.partial_credit)

    def wrong_responses(self, task: Task) -> list[str]:
        """The template's buggy solution, a hard-coded-examples hack, an early exit, and a format slip."""
        template = self.template(task.meta["template"])
        io = task.meta["io"]
        reference = program_source(template, io)
        wrongs = [fenced(program_source(template, io, template.buggy))]
        examples = task.meta.get("examples") or [0]
        if io == "call":
            table = {repr(task.answer["inputs"][i]): task.answer["outputs"][i] for i in examples}
            params = ", ".join(a.name for a in template.args)
            hack = (
                f"def {template.name}({params}):\n"
                f"    known = {table!r}\n"
                f"    return known.get(repr([{params}]))\n"
            )
            renamed = program_source(template, io).replace(
                f"def {template.name}(", f"def {template.name}_solution("
            )
            wrongs.append(fenced(renamed))
        else:
            table = {task.answer["inputs"][i]: task.answer["outputs"][i] for i in examples}
            hack = f"import sys\n\nknown = {table!r}\nprint(known.get(sys.stdin.read(), '?'), end='')\n"
            no_main = program_source(template, "call")
            wrongs.append(fenced(no_main))
        wrongs.append("Matching the examples is enough:\n\n" + fenced(hack))
        wrongs.append(fenced("import os\nos._exit(0)\n\n" + reference))
        return wrongs
