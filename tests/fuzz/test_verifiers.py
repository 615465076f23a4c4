"""Property-based fuzzing of every verifier, domain by domain, with hypothesis.

Each example takes a task of the domain's corpus (every generator family at three levels, and GURU rows
for the verifier-only families) and scores one of: a random text, a mutated right response, a mutated
wrong response, or a wrong response under edits that cannot make it right (see ``mutations``). Asserted:

- the verifier never raises and returns a Score with a reward in [0, 1];
- no call takes over 1 s, in the least of three tries (families that run the model's code: the
  sandbox's own wall limit, plus 1 s);
- no wrong response kept wrong is paid.

The default run tries a few hundred examples per domain; ``-m slow`` tries 10,000 per domain. Both are
derandomized (the same examples every run) and write no hypothesis database.
"""

from __future__ import annotations

import time
from collections import Counter

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import guru_envs
from guru_envs.core.scoring import check_response
from guru_envs.testing import find_answer_slot
from guru_envs.verify.score import Score
from tests.fuzz.corpus import DOMAINS, Case, cases
from tests.fuzz.mutations import MARKUP, kept_wrong, mutated

DEFAULT_EXAMPLES = 200
SLOW_EXAMPLES = 10_000
TIME_LIMIT_S = 1.0
# Families whose verdict runs the model's code in the sandbox: its wall limit bounds the call instead.
SANDBOX_TIME_LIMIT_S = {"code": 21.0, "simulation.program_input": 6.0, "simulation.cruxeval": 6.0}
KINDS = ("random", "mutated right", "mutated wrong", "kept wrong")

random_text = st.one_of(
    st.text(max_size=300),
    st.lists(st.one_of(st.sampled_from(MARKUP), st.text(max_size=8)), max_size=40).map("".join),
)


def _gold(case: Case) -> str:
    slot = find_answer_slot(case.right)
    return slot.content(case.right) if slot else str(case.task.answer)


def _time_limit(task) -> float:
    for key in (f"{task.domain}.{task.family}", task.domain):
        if key in SANDBOX_TIME_LIMIT_S:
            return SANDBOX_TIME_LIMIT_S[key]
    return TIME_LIMIT_S


def _timed(family, task, response) -> tuple[Score, float]:
    start = time.perf_counter()
    verdict = family.score(task, response)
    return verdict, time.perf_counter() - start


def _one_example(corpus: tuple[Case, ...], data, counts: Counter, slow: dict[str, str]) -> None:
    case = data.draw(st.sampled_from(corpus), label="case")
    gold = _gold(case)
    kind = data.draw(st.sampled_from(KINDS if case.wrongs else KINDS[:2]), label="kind")
    if kind == "random":
        response = data.draw(random_text, label="response")
    elif kind == "mutated right":
        response = data.draw(mutated(case.right, gold), label="response")
    else:
        wrong = data.draw(st.sampled_from(case.wrongs), label="wrong")
        edits = mutated(wrong, gold) if kind == "mutated wrong" else kept_wrong(wrong, gold)
        response = data.draw(edits, label="response")
    counts[kind] += 1
    if check_response(response) is not None:  # refused before any verifier runs, as guru_envs.score does
        return
    task = case.task
    family = guru_envs.catalog().family(task.domain, task.family)
    verdict, elapsed = _timed(family, task, response)
    if elapsed >= _time_limit(task):  # a busy machine or a first call's imports: slow every time counts
        elapsed = min(elapsed, *(_timed(family, task, response)[1] for _ in range(2)))
    counts["verifier calls"] += 1
    assert isinstance(verdict, Score), f"{task.family} returned {type(verdict).__name__}"
    assert 0.0 <= verdict.reward <= 1.0
    if elapsed >= _time_limit(task):  # noted, and asserted after the run: timings are not for shrinking
        slow.setdefault(
            f"{task.id} ({kind})", f"{elapsed:.2f} s on {len(response):,} characters: {response[:160]!r}"
        )
    if kind == "kept wrong":
        assert not verdict.correct and verdict.reward < 1.0, (
            f"{task.id} paid a wrong response: {verdict.reason}"
        )
    counts["paid"] += verdict.reward >= 1.0


def _fuzz(corpus: tuple[Case, ...], examples: int, shrink: bool = True) -> Counter:
    counts: Counter = Counter()
    slow: dict[str, str] = {}
    for case in corpus:  # warm up: imports and caches a verifier builds on its first calls
        guru_envs.catalog().family(case.task.domain, case.task.family).score(case.task, case.right)

    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        print_blob=False,
        phases=list(Phase) if shrink else [Phase.generate],
    )
    @given(data=st.data())
    def run(data):
        _one_example(corpus, data, counts, slow)

    run()
    assert not slow, f"{len(slow)} slow verifier calls:\n" + "\n".join(
        f"{k}: {v}" for k, v in list(slow.items())[:8]
    )
    assert sum(counts[k] for k in KINDS) >= examples
    assert all(counts[k] > 0 for k in KINDS), counts
    return counts


@pytest.mark.parametrize("domain", DOMAINS)
def test_corpus_right_responses_score_one_and_wrong_ones_less(domain):
    for case in cases(domain):
        family = guru_envs.catalog().family(case.task.domain, case.task.family)
        assert family.score(case.task, case.right).reward == 1.0, case.task.id
        for wrong in case.wrongs:
            verdict = family.score(case.task, wrong)
            assert not verdict.correct and verdict.reward < 1.0, (case.task.id, wrong)


@pytest.mark.parametrize("domain", DOMAINS)
def test_fuzz_verifiers(domain):
    _fuzz(cases(domain), DEFAULT_EXAMPLES)


@pytest.mark.slow
@pytest.mark.timeout(3 * 3600)  # Code runs 10,000 programs in the sandbox
@pytest.mark.parametrize("domain", DOMAINS)
def test_fuzz_verifiers_ten_thousand(domain):
    counts = _fuzz(cases(domain), SLOW_EXAMPLES)
    print(domain, dict(counts))


@pytest.mark.parametrize(
    ("name", "fault"), [("lenient", "paid a wrong response"), ("raises", "nested too deep")]
)
def test_fuzzer_catches_a_broken_verifier(name, fault):
    family = guru_envs.catalog().family("broken", name)
    corpus = tuple(
        Case(task, task.reference_response, tuple(family.wrong_responses(task)))
        for task in (family.sample(seed, 1) for seed in range(3))
    )
    with pytest.raises(Exception, match=fault):
        _fuzz(corpus, 2_000, shrink=False)


# Responses the fuzzer found that once raised: a value JSON cannot show (a set, tuple keys) made Simulation's
# reason text call json.dumps on it (``0{0}`` raised TypeError in codeio).
FOUND = [
    "0{0}",
    "{0}",
    "{1, 2}",
    '```json\n{"output": 1}\n```\n{0}',
    "{(1, 2): 3}",
    "\\boxed{{0}}",
    "{frozenset()}",
]


@pytest.mark.parametrize("response", FOUND)
def test_responses_the_fuzzer_found_score_zero_without_raising(response):
    for case in cases("simulation"):
        family = guru_envs.catalog().family_for(case.task)
        verdict = family.score(case.task, response)
        assert isinstance(verdict, Score) and verdict.reward == 0.0, (case.task.id, verdict)
