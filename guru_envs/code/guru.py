"""Verifier for GURU/verl code rows (``codegen__*``, MBPP, LiveCodeBench, APPS/TACO, PrimeIntellect, LeetCode).

Description:
    Scores dataset rows whose ``reward_model.ground_truth`` is one of the test formats GURU's preprocessing
    writes (``LLM360/Reasoning360``: ``data_preprocess/codegen/*.py``), as JSON text or an object:

    - ``{"functional": "<python test code>"}``: assert-style tests. ``codegen__leetcode2k`` (a ``check``
      function and ``check(Solution().method)``; the row's ``extra_info.prefix`` holds the imports and the
      ``ListNode``/``TreeNode`` helpers), ``codegen__livecodebench`` functional problems (``assert
      Solution().f(...) == ...``), ``codegen__primeintellect`` function-call problems, ``codegen__taco``
      call-based problems (``_inputs``/``_outputs`` loops), and ``codegen__mbpp`` (bare asserts);
      ``codegen__humaneval`` rows go to :mod:`.humaneval`.
    - ``{"inputs": [stdin, ...], "outputs": [stdout, ...]}``: stdin/stdout tests (LiveCodeBench stdin
      problems, PrimeIntellect, TACO, CodeContests); an input or output given as a list of lines is
      joined with newlines.
    - ``{"fn_name": name, "inputs": [[args], ...], "outputs": [...]}``: call-based tests in the APPS/TACO
      raw form used by verl's ``prime_code`` sources.

    GURU's ``pytest`` and ``solution_file`` forms (used by none of these sources) are refused when the
    row is loaded.

Prompt:
    The row's chat prompt (or, for rows stored with an empty ``prompt`` list, ``extra_info.prompt`` or
    ``raw_prompt``).

Answer format:
    The last ```python fenced block (GURU joins every block instead).

Scoring:
    Functional tests run in the sandbox's trusted checker process against the submission in another
    process (:mod:`.functional`), so ``os._exit(0)`` before the asserts, patched builtins and
    always-equal objects all score 0, where GURU's executor would pass them. The row's ``prefix`` is put
    before the submission and loaded into the checker. Stdin/stdout output is judged line by line and
    token by token, numbers within 1e-6, ``yes``/``no`` in any case (as GURU's ``fuzzy_equal``, except
    that two integers must match exactly). Call-based results are compared structurally within 1e-6,
    also against the single item of a one-item expected list (the APPS convention). Option
    ``partial_credit`` pays the fraction of tests passed where tests are separate (stdin/stdout and
    call-based; a functional test file is one test).

Difficulty:
    Not generated: rows keep difficulty 0.

Version History:
    v0: initial release.
    v0 (unreleased): returned values are compared as a judge does (a set is not a list, no tolerance between
        integers, a bool is not an int) (issue 17); each test runs in a fresh process that sees only its own
        input, the CPU of forked children counts, and hidden tests are named, not shown, in feedback (issue
        18, see docs/code.md).
"""

from __future__ import annotations

from typing import Any

import msgspec

from guru_envs.code.functional import functional_suite, with_shim
from guru_envs.code.templates import fenced
from guru_envs.code.verifier import Suite, call_suite, lenient_equal, score_program, stdio_suite
from guru_envs.core.family import TaskFamily
from guru_envs.core.task import Task, prompt_from_row
from guru_envs.verify.score import Score

MAX_GROUND_TRUTH_CHARS = 64 << 20  # a row's test data; anything bigger is not a test suite


def _text(value: Any) -> str:
    if isinstance(value, list | tuple):
        return "\n".join(str(v) for v in value)
    if not isinstance(value, str):
        raise ValueError(f"stdin/stdout tests must be strings, got {type(value).__name__}")
    return value


def parse_tests(ground_truth: Any) -> dict[str, Any]:
    """A row's ``ground_truth`` as one of the supported test forms (see the module docstring).

    Raises:
        ValueError: when it is not JSON, or not a supported form.
    """
    data = ground_truth
    if isinstance(data, bytes | bytearray):
        data = bytes(data).decode("utf-8")
    if isinstance(data, str):
        if len(data) > MAX_GROUND_TRUTH_CHARS:
            raise ValueError("code ground_truth is too large")
        try:
            data = msgspec.json.decode(data)
        except msgspec.DecodeError as exc:
            raise ValueError(f"code ground_truth is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ValueError(f"code ground_truth must be a JSON object, got {type(data).__name__}")
    if "functional" in data:
        if not isinstance(data["functional"], str) or not data["functional"].strip():
            raise ValueError("'functional' tests must be non-empty Python source")
        return {"functional": data["functional"]}
    if "inputs" in data and "outputs" in data:
        inputs, outputs = data["inputs"], data["outputs"]
        if not isinstance(inputs, list) or not isinstance(outputs, list) or len(inputs) != len(outputs):
            raise ValueError("'inputs' and 'outputs' must be lists of the same length")
        if not inputs:
            raise ValueError("the row has no tests")
        fn_name = data.get("fn_name")
        if fn_name:
            if not isinstance(fn_name, str):
                raise ValueError("'fn_name' must be a string")
            args = [a if isinstance(a, list) else [a] for a in inputs]
            return {"fn_name": fn_name, "inputs": args, "outputs": outputs}
        return {"inputs": [_text(i) for i in inputs], "outputs": [_text(o) for o in outputs]}
    forms = sorted(data)[:5]
    raise ValueError(
        f"unsupported code ground_truth with keys {forms}: need 'functional' or 'inputs'/'outputs'"
    )


class GuruCodeFamily(TaskFamily):
    """Scores GURU/verl code rows (see the module docstring).

    Options:
        partial_credit: reward the fraction of tests passed (stdin/stdout and call-based rows).
    """

    domain = "code"
    name = "guru"
    generator = False
    levels = 1

    def __init__(self, partial_credit: bool = False) -> None:
        self.partial_credit = bool(partial_credit)

    def parse_ground_truth(self, ground_truth: Any, row: dict[str, Any]) -> Any:
        """The row's tests in one of the supported forms."""
        return parse_tests(ground_truth)

    def task_from_row(self, row: dict[str, Any]) -> Task:
        """Read the prompt, tests, trusted prefix and reference solution of a GURU code row."""
        extra = row.get("extra_info") if isinstance(row.get("extra_info"), dict) else {}
        try:
            prompt, system = prompt_from_row(row)
        except ValueError:
            fallback = extra.get("prompt") or row.get("raw_prompt")
            if not isinstance(fallback, str) or not fallback.strip():
                raise
            prompt, system = fallback, None
        reward_model = row.get("reward_model") or {}
        if not isinstance(reward_model, dict) or "ground_truth" not in reward_model:
            raise ValueError("dataset row has no reward_model.ground_truth")
        source = row.get("data_source")
        if not isinstance(source, str) or not source:
            raise ValueError("dataset row has no data_source")
        meta: dict[str, Any] = {"data_source": source}
        if system:
            meta["system_prompt"] = system
        prefix = extra.get("prefix")
        if isinstance(prefix, str) and prefix.strip():
            meta["prefix"] = prefix
        reference = extra.get("reference")
        index = extra.get("index", extra.get("id", extra.get("task_id")))
        return Task(
            id=f"{source}/{index}" if index is not None else source,
            domain=self.domain,
            family=self.name,
            prompt=prompt,
            answer=self.parse_ground_truth(reward_model["ground_truth"], row),
            reference_response=fenced(reference) if isinstance(reference, str) and reference.strip() else "",
            meta=meta,
        )

    def suite(self, task: Task) -> Suite:
        """The sandbox tests of a row."""
        answer = task.answer if isinstance(task.answer, dict) else parse_tests(task.answer)
        prefix = task.meta.get("prefix", "")
        if "functional" in answer:
            return functional_suite(answer["functional"], prelude=prefix, prefix=prefix)
        if "fn_name" in answer:
            return call_suite(
                answer["fn_name"], answer["inputs"], answer["outputs"], lenient_equal, prefix=prefix
            )
        return stdio_suite(answer["inputs"], answer["outputs"])

    def score(self, task: Task, response: str) -> Score:
        """Run the row's tests on the response's last ```python block."""
        try:
            suite = self.suite(task)
        except (ValueError, KeyError, TypeError) as exc:
            return Score.wrong(None, f"the row's tests are unusable: {exc}"[:300], error="bad_row")
        prepare = with_shim if suite.io == "check" else None
        partial = self.partial_credit and suite.io != "check"
        return score_program(response, suite, partial_credit=partial, prepare=prepare)
