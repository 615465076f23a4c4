"""Hostile and unusual inputs get a zero within the time limit, from the main thread, threads and batch workers."""

import threading
import time

import pytest

import guru_envs
from guru_envs.core.scoring import score_batch
from guru_envs.core.task import Task
from guru_envs.verify.latex import DEFAULT_TIMEOUT, check_answer, score_boxed_answer

# sympy needs longer than any time limit to sum this exactly: a harmless input that always runs out of time
HARMONIC = "\\sum_{n=1}^{99999} \\frac{1}{n}"
SLACK = 2.0  # seconds on top of the per-answer limit for process start-up on a loaded machine


@pytest.fixture(autouse=True, scope="module")
def _math_verify_warm():
    """math-verify's one-time import and warm-up in this process (untimed, once) is not what these tests time."""
    from guru_envs.verify.latex import _preload

    _preload()


HOSTILE = {
    "None": None,
    "bytes": b"\\boxed{7}",
    "int": 7,
    "empty": "",
    "10 MB of digits": "9" * 10_000_000,
    "10 MB with a box at the end": "x" * 10_000_000 + "\\boxed{7}",
    "100k nested braces": "\\boxed{" + "{" * 100_000 + "7" + "}" * 100_000 + "}",
    "deeply nested fractions": "\\boxed{" + "\\frac{1}{" * 200 + "2" + "}" * 200 + "}",
    "deeply nested parentheses": "\\boxed{" + "(" * 5_000 + "7" + ")" * 5_000 + "}",
    "power tower": "\\boxed{9^{9^{9^9}}}",
    "power tower, bare": "\\boxed{9^9^9^9}",
    "huge power": "\\boxed{2^{10^{8}}}",
    "huge factorial": "\\boxed{100000000!}",
    "nested factorial": "\\boxed{(10!)!}",
    "huge integer": "\\boxed{" + "9" * 900 + "}",
    "huge exponent with variable": "\\boxed{x^{10^{20}}}",
    "many boxes": "\\boxed{7}" * 10_000,
    "unclosed boxes": "\\boxed{" * 20_000,
    "code": "\\boxed{__import__('os').system('echo pwned')}",
    "eval bait": "\\boxed{[1 for _ in range(10**12)]}",
    "latex bomb": "\\boxed{" + "\\sqrt{" * 60 + "2" + "}" * 60 + "}",
    "long sum": "\\boxed{" + "+".join(["1"] * 2_000) + "}",
    "unicode junk": "\\boxed{\u202e\u0000\ufffd7}",
    "huge binomial": "\\boxed{\\binom{10^{9}}{5 \\cdot 10^{8}}}",
    "integral bomb": "\\boxed{\\int_0^1 x^{10^{9}} dx}",
}


@pytest.fixture(scope="module")
def task():
    return guru_envs.catalog().family("math", "arithmetic").sample(0, 1)


@pytest.mark.parametrize("label", list(HOSTILE))
def test_hostile_response_scores_zero_in_time(task, label):
    start = time.monotonic()
    score = guru_envs.score(task, HOSTILE[label])
    elapsed = time.monotonic() - start
    assert score.reward == 0.0 and not score.correct, label
    assert elapsed < DEFAULT_TIMEOUT + SLACK, f"{label} took {elapsed:.1f} s"


@pytest.mark.parametrize(
    "answer", ["9^{9^{9^9}}", "10^{10^{10}}", "2^{2^{2^{2^{2^{2}}}}}", "x^x^x^x^x^x^x^x^x^x^x^x"]
)
def test_huge_answers_against_huge_references(answer):
    start = time.monotonic()
    verdict = check_answer(answer, "9^{9^{9^{9}}}")
    assert not verdict.equal or answer == "9^{9^{9^9}}"
    assert time.monotonic() - start < DEFAULT_TIMEOUT + SLACK


def test_identical_huge_answer_matches_as_text():
    assert check_answer("9^{9^{9^9}}", "9^{9^{9^9}}").equal


def test_symbolic_work_is_cut_at_the_time_limit():
    start = time.monotonic()
    verdict = check_answer(HARMONIC, "1", timeout=1.0)
    assert not verdict.equal and verdict.method == "timeout"
    assert time.monotonic() - start < 1.0 + SLACK


def _score_in_thread(results, key, response, reference):
    results[key] = score_boxed_answer(response, reference)


def test_symbolic_check_from_threads():
    """math-verify's own alarm refuses to run off the main thread; ours goes through the guard pool."""
    results = {}
    cases = {
        "trig": ("\\boxed{\\sin^2 x + \\cos^2 x}", "1"),
        "wrong trig": ("\\boxed{\\sin^2 x - \\cos^2 x}", "1"),
        "fraction": ("\\boxed{0.5}", "\\frac{1}{2}"),
        "tower": ("\\boxed{9^{9^{9^9}}}", "1"),
    }
    threads = [
        threading.Thread(target=_score_in_thread, args=(results, k, r, ref)) for k, (r, ref) in cases.items()
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=DEFAULT_TIMEOUT + 10)
    assert results["trig"].correct and results["fraction"].correct
    assert not results["wrong trig"].correct and not results["tower"].correct


def test_score_batch_workers_match_sequential_and_keep_the_limit():
    family = guru_envs.catalog().family("math", "quadratic")
    tasks, responses = [], []
    for seed in range(12):
        t = family.sample(seed, 1 + seed % 5)
        tasks += [t, t, t]
        responses += [t.reference_response, family.wrong_responses(t)[0], HOSTILE["power tower"]]
    # a GURU row: generated tasks ask for a plain number, so they refuse these before any symbolic work
    slow = Task(id="row/0", domain="math", family="guru", prompt="", answer="31")
    tasks.append(slow)
    responses.append(f"\\boxed{{{HARMONIC}}}")
    tasks.append(slow)
    responses.append("\\boxed{\\sin^2 x + \\cos^2 x + " + slow.answer + " - 1}")
    start = time.monotonic()
    batch = score_batch(tasks, responses, workers=2, timeout=60)
    elapsed = time.monotonic() - start
    sequential = [guru_envs.score(t, r) for t, r in zip(tasks, responses)]
    assert [s.reward for s in batch] == [s.reward for s in sequential]
    assert [s.reward for s in batch[:-2]] == [1.0, 0.0, 0.0] * 12
    assert batch[-1].reward == 1.0, batch[-1]
    assert batch[-2].reward == 0.0 and batch[-2].details.get("method") == "timeout"
    assert elapsed < 4 * (DEFAULT_TIMEOUT + SLACK)
