"""Dataset rows, both ways: GURU/verl and SkyRL rows from tasks, tasks from rows, and row files.

Every function that needs to know about families takes the catalog to ask (default: the process-wide
one), so a :class:`~guru_envs.core.task.Task` stays a plain value. A row we write carries the exact task
as JSON in ``extra_info["guru"]`` (its scoring options included), so reading it back anywhere gives the
same task and the same reward; rows without it (GURU's own) are routed to a family by ``data_source``.

A row we write also scores without ``extra_info["guru"]``, as verl's reward functions see it (no
prompt; ``data_source``, ``ground_truth`` and ``extra_info``): ``ground_truth`` holds the answer in the
form GURU's scorer reads (:meth:`TaskFamily.row_ground_truth`), ``extra_info["guru_scoring"]`` the
family, version, options, level and the ``meta`` its verifier reads (:attr:`TaskFamily.row_meta_keys`),
and ``extra_info["question"]`` the prompt where the verdict reads it (GURU's own rows keep theirs as
``original_prompt`` or ``original_question``, read the same way). ``extra_info["guru_unscorable"]``
says why Reasoning360's own ``default_compute_score`` cannot score the row ("" when it can).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any

import msgspec

from guru_envs.core.family import TaskFamily
from guru_envs.core.registry import Catalog, FamilySpec
from guru_envs.core.registry import catalog as process_catalog
from guru_envs.core.task import GURU_KEY, Task, ground_truth_text, json_ground_truth, plain_value

SUFFIXES = (".parquet", ".jsonl", ".json")
SPLITS = ("train", "test")
FILTER_KEYS = ("pass_rate", "bucket")  # written by `guru filter`, kept in extra_info for the sampler
SKYRL_ENV_CLASS_PREFIX = "guru_"
SCORING_KEY = "guru_scoring"  # extra_info: what the verifier needs beside the ground truth (JSON text)
QUESTION_KEY = "question"  # extra_info: the prompt, for families whose verdict reads it
# Where rows that lost their prompt keep it, in order: ours (QUESTION_KEY), then what Reasoning360's
# data_preprocess scripts write: the whole prompt (stem gpqa/supergpqa, simulation cruxeval, codegen
# humaneval/mbpp/leetcode/livecodebench) and the question without the instruction (math deepscaler, dapo_or1).
QUESTION_KEYS = (QUESTION_KEY, "original_prompt", "original_question")
UNSCORABLE_KEY = "guru_unscorable"  # extra_info: why GURU's default_compute_score cannot score the row


class RowScoring(msgspec.Struct, kw_only=True, omit_defaults=True):
    """``extra_info["guru_scoring"]``: what scores a row that lost ``extra_info["guru"]``, beside its ground truth.

    Attributes:
        family: ``domain.name`` of the family that wrote the row; the row's ``data_source`` must route there.
        version: the family version that made the task (None: the current one).
        difficulty: the task's level (0 when unknown).
        options: the family options the task is scored with.
        meta: the task's ``meta`` entries its verifier reads (:attr:`TaskFamily.row_meta_keys`).
        json_ground_truth: ``ground_truth`` is the JSON text of a value that is not a string (so a
            string answer that looks like JSON is never mistaken for one).
    """

    family: str
    version: int | None = None
    difficulty: Annotated[int, msgspec.Meta(ge=0)] = 0
    options: dict[str, Any] = msgspec.field(default_factory=dict)
    meta: dict[str, Any] = msgspec.field(default_factory=dict)
    json_ground_truth: bool = False


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


def _family_of(task: Task, cat: Catalog) -> TaskFamily | None:
    """The family that scores ``task``, or None where it cannot be built here (a plugin not installed)."""
    try:
        return cat.family_for(task)
    except (KeyError, ImportError, TypeError, ValueError):  # ValueError: a retired version, bad options
        return None


def _kind(value: Any) -> str:
    return {dict: "JSON object", list: "list", tuple: "list"}.get(type(value), type(value).__name__)


def _ground_truth(task: Task, family: TaskFamily | None, typed: bool) -> tuple[Any, bool, str]:
    """(``reward_model.ground_truth``, whether it is JSON text, why GURU's dispatcher cannot score the row or "").

    A value that is not a string is written as JSON text, unless ``typed`` and GURU has a scorer for
    the family (which then reads it as that type: only such families return a non-string).
    """
    if family is None:
        text = ground_truth_text(task.answer)
        return text, text is not task.answer, "unknown here: the task's family is not installed"
    native = family.row_ground_truth(task)
    keep = isinstance(native, str) or (typed and bool(family.guru_scorer))
    written = native if keep else ground_truth_text(native)
    reason = family.guru_unscorable(task)
    if not reason and written is not native:
        reason = (
            f"GURU's {family.guru_scorer} scorer reads this ground truth as a {_kind(native)}, not as JSON "
            "text: export with typed ground truths (guru export --typed-ground-truth)"
        )
    return written, written is not native, reason


def _extra_info(
    task: Task,
    index: int | None,
    split: str | None,
    family: TaskFamily | None,
    json_truth: bool,
    unscorable: str,
) -> dict[str, Any]:
    if split is not None and split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    extra: dict[str, Any] = {"task_id": task.id, GURU_KEY: msgspec.json.encode(task).decode()}
    keys = family.row_meta_keys if family is not None else ()
    scoring = RowScoring(
        family=f"{task.domain}.{task.family}",
        version=task.version,
        difficulty=task.difficulty,
        options=dict(task.options),
        meta={k: task.meta[k] for k in keys if k in task.meta},
        json_ground_truth=json_truth,
    )
    extra[SCORING_KEY] = msgspec.json.encode(scoring).decode()
    if family is not None and family.row_question:
        extra[QUESTION_KEY] = task.prompt
    extra[UNSCORABLE_KEY] = unscorable
    if index is not None:
        extra["index"] = int(index)
    if split is not None:
        extra["split"] = split
    extra.update({k: task.meta[k] for k in FILTER_KEYS if k in task.meta})
    return extra


def to_row(
    task: Task,
    cat: Catalog | None = None,
    index: int | None = None,
    split: str | None = None,
    *,
    typed_ground_truth: bool = False,
) -> dict:
    """The GURU/verl row (``data_source``, chat ``prompt``, ``ability``, ``reward_model``, ``extra_info``).

    ``extra_info`` holds the task as JSON (``guru``), its id, what scores the row without them
    (``guru_scoring``, and ``question`` where the verdict reads the prompt), whether GURU's own
    dispatcher can score it (``guru_unscorable``), and ``index`` (unique per row of a dataset: verl reads
    it) and ``split`` when given. ``ground_truth`` is text (a dict or list as JSON) unless
    ``typed_ground_truth``, which keeps the types GURU's scorers read (a zebra grid's dict, an ordering's
    list); a parquet file cannot mix such types.
    """
    cat = _catalog(cat)
    family = _family_of(task, cat)
    truth, json_truth, unscorable = _ground_truth(task, family, typed_ground_truth)
    return {
        "data_source": data_source_of(task, cat),
        "prompt": task.messages(),
        "ability": ability_of(task, cat),
        "reward_model": {"style": "rule", "ground_truth": truth},
        "extra_info": _extra_info(task, index, split, family, json_truth, unscorable),
    }


def to_skyrl_row(
    task: Task,
    cat: Catalog | None = None,
    index: int | None = None,
    split: str | None = None,
    *,
    typed_ground_truth: bool = False,
) -> dict:
    """A SkyRL dataset row: chat ``prompt``, per-row ``env_class`` (``guru_<domain>``) and ``reward_spec``.

    SkyRL hands every column but ``prompt`` and ``env_class`` to the env as ``extras``;
    :func:`task_from_skyrl_extras` rebuilds the exact task from them.
    """
    cat = _catalog(cat)
    family = _family_of(task, cat)
    truth, json_truth, unscorable = _ground_truth(task, family, typed_ground_truth)
    return {
        "data_source": data_source_of(task, cat),
        "prompt": task.messages(),
        "env_class": f"{SKYRL_ENV_CLASS_PREFIX}{task.domain}",
        "reward_spec": {"method": "rule", "ground_truth": truth},
        "extra_info": _extra_info(task, index, split, family, json_truth, unscorable),
    }


ROW_WRITERS = {"verl": to_row, "skyrl": to_skyrl_row}


def from_row(row: dict[str, Any], cat: Catalog | None = None) -> Task:
    """A task from a GURU/verl or SkyRL row (ours or GURU's own), routing foreign rows by ``data_source``.

    A row we wrote gives back the exact task from ``extra_info["guru"]``; without it, the family the
    ``data_source`` routes to reads ``ground_truth`` (and the prompt; when the row has none, the one its
    ``extra_info`` keeps: ``question`` as we write it, else GURU's ``original_prompt`` or
    ``original_question``), and ``extra_info["guru_scoring"]`` restores the version, options, level and the
    ``meta`` the verifier reads, so the task scores as the exported one did.

    Raises:
        ValueError: when the row lacks the fields a verifier needs, or no family claims its source.
    """
    try:
        return _from_row(row, cat)
    except RecursionError:  # JSON (or numpy) nested deeper than any decoder or family parser goes
        raise ValueError("the row's data is nested too deeply to read") from None


def _from_row(row: dict[str, Any], cat: Catalog | None) -> Task:
    if not isinstance(row, dict):
        raise ValueError(f"a dataset row must be a dict, got {type(row).__name__}")
    extra = row.get("extra_info") or {}
    if isinstance(extra, dict) and isinstance(extra.get(GURU_KEY), str):
        try:
            return msgspec.json.decode(extra[GURU_KEY], type=Task)
        except msgspec.DecodeError as exc:
            raise ValueError(f"extra_info.{GURU_KEY} is not a guru task: {exc}") from None
    extra = extra if isinstance(extra, dict) else {}
    source = row.get("data_source")
    if not isinstance(source, str) or not source:
        raise ValueError("dataset row has no data_source")
    if "reward_model" not in row and isinstance(row.get("reward_spec"), dict):
        row = {**row, "reward_model": row["reward_spec"]}  # SkyRL's name for the same field
    cat = _catalog(cat)
    spec = cat.route(source)
    scoring = _row_scoring(extra)
    family = _row_family(cat, spec, scoring)
    if scoring is not None and scoring.json_ground_truth:
        row = _decoded_ground_truth(row)
    else:
        row = _plain_ground_truth(row)
    if _no_prompt(row.get("prompt")):  # verl hands a reward function no prompt
        question = _row_question(extra)
        if question is not None:
            row = {**row, "prompt": question}
    task = family.task_from_row(row)
    updates: dict[str, Any] = {}
    if task.version != family.version or task.options != family.options:
        updates.update(version=family.version, options=dict(family.options))
    if scoring is not None:
        kept = {k: v for k, v in scoring.meta.items() if k in family.row_meta_keys}
        if kept:
            updates["meta"] = {**task.meta, **kept}
        updates["difficulty"] = scoring.difficulty
        task_id = extra.get("task_id")
        if isinstance(task_id, str) and task_id:
            updates["id"] = task_id
    return msgspec.structs.replace(task, **updates) if updates else task


def _row_question(extra: dict[str, Any]) -> str | None:
    """The prompt a row keeps in ``extra_info`` (:data:`QUESTION_KEYS`, first non-blank text), or None.

    Why: verl gives a reward function no prompt, and GURU's own rows keep theirs only there
    (``original_question``, ``original_prompt``): without it a verdict that reads the question (a copy of
    the question's expression, a label word, the options of a choice, CRUXEval's call) reads nothing.
    """
    for key in QUESTION_KEYS:
        value = extra.get(key)
        if isinstance(value, str) and value.strip():
            return value
    return None


def _row_scoring(extra: dict[str, Any]) -> RowScoring | None:
    """The row's ``extra_info["guru_scoring"]`` (None when it has none, as GURU's own rows)."""
    raw = extra.get(SCORING_KEY)
    if raw is None or raw == "":
        return None
    try:
        if isinstance(raw, str):
            return msgspec.json.decode(raw, type=RowScoring)
        if isinstance(raw, dict):
            return msgspec.convert(raw, type=RowScoring)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise ValueError(f"extra_info.{SCORING_KEY} is unusable: {exc}") from None
    raise ValueError(f"extra_info.{SCORING_KEY} must be JSON text, got {type(raw).__name__}")


def _row_family(cat: Catalog, spec: FamilySpec, scoring: RowScoring | None) -> TaskFamily:
    """The family instance that reads and scores the row: the route's, at the row's version and options."""
    if scoring is None:
        return cat.family(spec.domain, spec.name, version=spec.version)
    routed = f"{spec.domain}.{spec.name}"
    if scoring.family != routed:
        raise ValueError(
            f"extra_info.{SCORING_KEY} was written by {scoring.family!r}, but the row's data_source "
            f"routes to {routed!r}"
        )
    version = spec.version if scoring.version is None else scoring.version
    try:
        return cat.family(spec.domain, spec.name, version=version, **scoring.options)
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{routed} v{version} cannot be built with the row's options: {exc}") from None


def _decoded_ground_truth(row: dict[str, Any]) -> dict[str, Any]:
    """The row with its JSON-text ``ground_truth`` decoded (``guru_scoring`` says it is JSON text)."""
    reward_model = row.get("reward_model")
    if not isinstance(reward_model, dict) or not isinstance(reward_model.get("ground_truth"), str):
        raise ValueError("extra_info.guru_scoring says the ground truth is JSON text, but it is no string")
    value = json_ground_truth(reward_model["ground_truth"])
    return {**row, "reward_model": {**reward_model, "ground_truth": value}}


def _plain_ground_truth(row: dict[str, Any]) -> dict[str, Any]:
    """The row with numpy arrays in its ``ground_truth`` (pandas reads parquet lists so) made lists."""
    reward_model = row.get("reward_model")
    if not isinstance(reward_model, dict) or isinstance(reward_model.get("ground_truth"), str | None):
        return row
    return {
        **row,
        "reward_model": {**reward_model, "ground_truth": plain_value(reward_model["ground_truth"])},
    }


def _no_prompt(prompt: Any) -> bool:
    """Whether a row's ``prompt`` is missing, or only messages with empty content (none, for scoring).

    verl passes no prompt to a reward function; a SkyRL env without ``raw_prompt`` gets one empty message.
    """
    if prompt is None:
        return True
    if isinstance(prompt, str):
        return not prompt.strip()
    if hasattr(prompt, "tolist"):
        prompt = prompt.tolist()
    if not isinstance(prompt, list | tuple):
        return False
    return all(
        isinstance(m, dict) and isinstance(m.get("content"), str) and not m["content"].strip() for m in prompt
    )


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

        try:
            table = pa.Table.from_pylist(rows)
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError) as exc:
            raise ValueError(
                f"{path}: these rows cannot share one parquet table ({exc}). Typed ground truths of "
                "different shapes (a zebra grid's dict, an ordering's list, text) need one file per "
                "data_source (guru export --split-by-source) or a .jsonl file"
            ) from None
        pq.write_table(table, path)
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
