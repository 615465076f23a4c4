"""Score rows with Reasoning360's own ``default_compute_score`` (run by ``test_guru_dispatch.py``).

Usage: ``python guru_dispatch_driver.py <Reasoning360 checkout> <requests.jsonl> <results.jsonl>``, with
a Python that has the few packages its scorers import (``sympy pylatexenc numpy pydantic requests``).
Each request line is ``{"data_source", "solution_str", "ground_truth", "extra_info"}``; each result line
is ``{"score": float}`` or ``{"error": "<exception>"}`` (``NotImplementedError`` when the dispatcher
routes no scorer to the data source). Results go to a file because GURU's scorers print to stdout.

Reasoning360's ``verl/__init__.py`` and ``verl/utils/__init__.py`` import the whole trainer (torch, ray,
transformers); the reward scorers need none of it, so the two packages are entered as bare namespace
packages over the checkout's folders and only ``verl.utils.reward_score`` (and what it imports) runs.
Nothing of Reasoning360 is copied here: the checkout is the one given on the command line.
"""

from __future__ import annotations

import json
import random
import sys
import types
from pathlib import Path


def load_dispatcher(checkout: Path):
    """``verl.utils.reward_score.default_compute_score`` from ``checkout``, without verl's heavy package inits."""
    for name in ("verl", "verl.utils"):
        package = types.ModuleType(name)
        package.__path__ = [str(checkout / name.replace(".", "/"))]
        sys.modules[name] = package
    from verl.utils.reward_score import default_compute_score

    return default_compute_score


def main(checkout: str, requests_path: str, results_path: str) -> int:
    """Score every request line and write one result line for each."""
    dispatch = load_dispatcher(Path(checkout))
    random.seed(
        0
    )  # GURU's supergpqa scorer guesses a random letter when it finds none: same guesses each run
    with open(requests_path, encoding="utf-8") as src, open(results_path, "w", encoding="utf-8") as out:
        for line in src:
            request = json.loads(line)
            try:
                result = dispatch(
                    request["data_source"],
                    request["solution_str"],
                    request["ground_truth"],
                    request["extra_info"],
                )
                value = result["score"] if isinstance(result, dict) else result
                record = {"score": float(value)}
            except BaseException as exc:  # noqa: BLE001 - the dispatcher's own failure is the finding
                if isinstance(exc, KeyboardInterrupt):
                    raise
                record = {"error": f"{type(exc).__name__}: {exc}"[:300]}
            out.write(json.dumps(record) + "\n")
            out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
