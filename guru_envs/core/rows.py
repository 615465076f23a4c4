"""Dataset rows, both ways: GURU/verl and SkyRL rows from tasks, tasks from rows, and row files.

Every function that needs to know about families takes the catalog to ask (default: the process-wide
one), so a :class:`~guru_envs.core.task.Task` stays a plain value. A row we write carries the exact task
as JSON in ``extra_info["guru"]`` (its scoring options included), so reading it back anywhere gives the
same task and the same reward; rows without it (GURU's own) are routed to a family by ``data_source``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import msgspec

from guru_envs.core.registry import Catalog
from guru_envs.core.registry import catalog as process_catalog
from guru_envs.core.task import GURU_KEY, Task, ground_truth_text

SUFFIXES = (".parquet", ".jsonl", ".json")
SPLITS = ("train", "test")
FILTER_KEYS = ("pass_rate", "bucket")  # written by `guru filter`, kept in extra_info for the sampler
SKYRL_ENV_CLASS_PREFIX = "guru_"


def _catalog(cat: Catalog | None) -> Catalog:
    return cat if cat is not None else process_catalog()


def data_source_of(task: Task, cat: Catalog | None = None) -> str:
    """A row's own ``data_source`` for loaded tasks; the family's canonical one for generated tasks.

    A family the catalog does not know (a plugin not installed here) gets ``guru__<domain>__<family>``.
    """
    own = task.meta.get("data_source")
    if isinstance(own, str) and own:
        return own
    spec = _catalog(cat).find_family_spec(task.domain, task.family)
    return spec.canonical_source if spec is not None else f"guru__{task.domain}__{task.family}"


def ability_of(task: Task, cat: Catalog | None = None) -> str:
    """The verl ``ability`` of the task's domain (the domain name when the catalog does not know it)."""
    manifest = _catalog(cat).find_domain(task.domain)
    return manifest.ability if manifest is not None else task.domain


def _extra_info(task: Task, index: int | None, split: str | None) -> dict[str, Any]:
    if split is not None and split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    extra: dict[str, Any] = {"task_id": task.id, GURU_KEY: msgspec.json.encode(task).decode()}
    if index is not None:
        extra["index"] = int(index)
    if split is not None:
        extra["split"] = split
    extra.update({k: task.meta[k] for k in FILTER_KEYS if k in task.meta})
    return extra


def to_row(
    task: Task, cat: Catalog | None = None, index: int | None = None, split: str | None = None
) -> dict:
    """The GURU/verl row (``data_source``, chat ``prompt``, ``ability``, ``reward_model``, ``extra_info``).

    ``extra_info`` holds the task as JSON (``guru``), its id, and with them ``index`` (unique per row of a
    dataset: verl reads it) and ``split`` when given. Tools that only know the verl schema still see a
    string ``ground_truth``.
    """
    return {
        "data_source": data_source_of(task, cat),
        "prompt": task.messages(),
        "ability": ability_of(task, cat),
        "reward_model": {"style": "rule", "ground_truth": ground_truth_text(task.answer)},
        "extra_info": _extra_info(task, index, split),
    }


def to_skyrl_row(
    task: Task, cat: Catalog | None = None, index: int | None = None, split: str | None = None
) -> dict:
    """A SkyRL dataset row: chat ``prompt``, per-row ``env_class`` (``guru_<domain>``) and ``reward_spec``.

    SkyRL hands every column but ``prompt`` and ``env_class`` to the env as ``extras``;
    :func:`task_from_skyrl_extras` rebuilds the exact task from them.
    """
    return {
        "data_source": data_source_of(task, cat),
        "prompt": task.messages(),
        "env_class": f"{SKYRL_ENV_CLASS_PREFIX}{task.domain}",
        "reward_spec": {"method": "rule", "ground_truth": ground_truth_text(task.answer)},
        "extra_info": _extra_info(task, index, split),
    }


ROW_WRITERS = {"verl": to_row, "skyrl": to_skyrl_row}


def from_row(row: dict[str, Any], cat: Catalog | None = None) -> Task:
    """A task from a GURU/verl or SkyRL row (ours or GURU's own), routing foreign rows by ``data_source``.

    Raises:
        ValueError: when the row lacks the fields a verifier needs, or no family claims its source.
    """
    if not isinstance(row, dict):
        raise ValueError(f"a dataset row must be a dict, got {type(row).__name__}")
    extra = row.get("extra_info") or {}
    if isinstance(extra, dict) and isinstance(extra.get(GURU_KEY), str):
        try:
            return msgspec.json.decode(extra[GURU_KEY], type=Task)
        except msgspec.DecodeError as exc:
            raise ValueError(f"extra_info.{GURU_KEY} is not a guru task: {exc}") from None
    source = row.get("data_source")
    if not isinstance(source, str) or not source:
        raise ValueError("dataset row has no data_source")
    if "reward_model" not in row and isinstance(row.get("reward_spec"), dict):
        row = {**row, "reward_model": row["reward_spec"]}  # SkyRL's name for the same field
    cat = _catalog(cat)
    spec = cat.route(source)
    family = cat.family(spec.domain, spec.name, version=spec.version)
    task = family.task_from_row(row)
    if task.version != family.version or task.options != family.options:
        task = msgspec.structs.replace(task, version=family.version, options=dict(family.options))
    return task


def task_from_skyrl_extras(extras: dict[str, Any], cat: Catalog | None = None) -> Task:
    """The task of a SkyRL dataset row from ``extras`` (the row without ``prompt`` and ``env_class``).

    Raises:
        ValueError: when the row names neither an exported task nor a ``data_source`` with ground truth.
    """
    if not isinstance(extras, dict):
        raise ValueError(f"extras must be a dict (a dataset row), got {type(extras).__name__}")
    spec = extras.get("reward_spec") or extras.get("reward_model") or {}
    row = {
        "data_source": extras.get("data_source"),
        "prompt": extras.get("raw_prompt") or [{"role": "user", "content": ""}],
        "reward_model": {
            "style": "rule",
            "ground_truth": spec.get("ground_truth") if isinstance(spec, dict) else None,
        },
        "extra_info": extras.get("extra_info") or {},
    }
    return from_row(row, cat)


def _check_suffix(path: Path) -> None:
    if path.suffix not in SUFFIXES:
        raise ValueError(f"{path}: dataset files must end in one of {SUFFIXES}")


def read_rows(path: str | Path) -> list[dict[str, Any]]:
    """All rows of a dataset file as plain Python dicts (no numpy arrays, unlike ``pandas.read_parquet``)."""
    path = Path(path)
    _check_suffix(path)
    if not path.is_file():
        raise FileNotFoundError(f"dataset file not found: {path}")
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        return pq.read_table(path).to_pylist()
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        rows = json.loads(text)
        if not isinstance(rows, list):
            raise ValueError(f"{path}: a .json dataset must hold a list of rows")
        return rows
    rows = []
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{number}: not a JSON row ({exc})") from None
    return rows


def write_rows(rows: Iterable[dict[str, Any]], path: str | Path) -> Path:
    """Write rows to ``path`` (format from the suffix); parent folders are created."""
    path = Path(path)
    _check_suffix(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = list(rows)
    if path.suffix == ".parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        pq.write_table(pa.Table.from_pylist(rows), path)
    elif path.suffix == ".json":
        path.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    else:
        with path.open("w", encoding="utf-8") as f:
            for row in rows:
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
    return path


def load_tasks(paths: str | Path | Iterable[str | Path], cat: Catalog | None = None) -> list[Task]:
    """Tasks from one or more dataset files; every row is routed to its verifier by ``data_source``.

    Raises:
        ValueError: naming the file and row of the first row that cannot be turned into a task.
    """
    if isinstance(paths, str | Path):
        paths = [paths]
    tasks = []
    for path in paths:
        for index, row in enumerate(read_rows(path)):
            try:
                tasks.append(from_row(row, cat))
            except (ValueError, KeyError, TypeError) as exc:
                raise ValueError(f"{path} row {index}: {exc}") from None
    return tasks
