"""TaskSource: the one owner of "which tasks does this id serve" (families, weights, difficulty, options).

The env's ``reset``, the mixed sampler's sources, held-out splits, worked examples, ``guru export`` and
:func:`make_dataset` all draw through a TaskSource, so they agree on family weights, on what a
difficulty means, on the options a task is scored with, and on the error for a difficulty a family does
not have. An environment whose manifest names its own env class (a plugin's entry point) supplies its
own TaskSource subclass through that class's ``source_class``, and everything draws through it.

Seeds: training draws use task seeds below ``2**62``; held-out tasks use ``EVAL_SEED_BASE + k``, where
``k`` counts the held-out tasks of that family and level, so every held-out split (of a domain id or of a
single-family id) takes its tasks from one fixed sequence per (family, level), which the sampler can
exclude from training by prompt.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import msgspec
import numpy as np

from guru_envs.core.family import TaskFamily
from guru_envs.core.registry import (
    EnvManifest,
    RetiredFamily,
    catalog,
    import_entry_point,
    one_family,
    parse_selector,
)
from guru_envs.core.rows import ROW_WRITERS, SPLITS, load_tasks
from guru_envs.core.task import Task

EVAL_SEED_BASE = 2**62  # held-out task seeds start here; training draws stay below
TRAIN_SEED_LIMIT = 2**62

Difficulty = int | tuple[int, int] | list[int] | str | None
"""A level, an inclusive ``(low, high)`` range, a preset name (``"easy"``, ``"medium"``, ``"hard"``), or None
(each family's full range). Presets map onto each family's own levels."""

_HELDOUT_KEYS: dict[tuple[Any, ...], frozenset[str]] = {}  # see TaskSource.heldout_keys

LevelRange = Callable[[int, int], tuple[int, int]]
"""Narrows a family's ``(low, high)`` at a draw (a curriculum); the result is kept inside ``(low, high)``."""


def options_for(options: Mapping[str, Mapping[str, Any]] | None, domain: str, family: str) -> dict[str, Any]:
    """The options of ``domain.family`` in a ``{"domain.family" or "family": {option: value}}`` mapping.

    The qualified key wins; a bare family name applies to that family in whichever domain is asked.
    """
    if not options:
        return {}
    found = options.get(f"{domain}.{family}", options.get(family))
    return dict(found) if found else {}


def parse_difficulty(values: Sequence[str] | str | int | None) -> Difficulty:
    """A difficulty from command-line words: ``["easy"]``, ``["2"]`` or ``["1", "3"]``.

    Raises:
        ValueError: for anything else.
    """
    if values is None or isinstance(values, int):
        return values
    words = [values] if isinstance(values, str) else list(values)
    if len(words) == 1 and not words[0].lstrip("-").isdigit():
        return words[0]
    if not 1 <= len(words) <= 2 or not all(w.lstrip("-").isdigit() for w in words):
        raise ValueError(f"difficulty must be a level, LOW HIGH, or a preset name, got {' '.join(words)!r}")
    numbers = [int(w) for w in words]
    return numbers[0] if len(numbers) == 1 else (numbers[0], numbers[1])


def family_levels(family: TaskFamily, difficulty: Difficulty) -> tuple[int, int]:
    """The inclusive level range ``difficulty`` means for ``family``.

    Raises:
        ValueError: when the difficulty is malformed, names no preset of the family, or asks for a
            level the family does not have (the same error wherever a difficulty is accepted).
    """
    where = f"{family.domain}.{family.name}"
    presets = family.presets()
    if difficulty is None:
        return 1, family.levels
    if isinstance(difficulty, str):
        if difficulty not in presets:
            raise ValueError(f"{where} has no difficulty preset {difficulty!r}; presets: {sorted(presets)}")
        low, high = presets[difficulty]
    elif isinstance(difficulty, int) and not isinstance(difficulty, bool):
        low = high = difficulty
    elif (
        isinstance(difficulty, tuple | list)
        and len(difficulty) == 2
        and all(isinstance(x, int) and not isinstance(x, bool) for x in difficulty)
    ):
        low, high = difficulty
    else:
        raise ValueError(
            f"difficulty must be a level, a (low, high) range or a preset {sorted(presets)}, got {difficulty!r}"
        )
    if not 1 <= low <= high <= family.levels:
        shown = ", ".join(f"{name} {lo}-{hi}" for name, (lo, hi) in presets.items())
        raise ValueError(
            f"{where} has levels 1..{family.levels}; difficulty {difficulty!r} is out of range "
            f"(presets fit every family: {shown})"
        )
    return low, high


def _json_options(where: str, options: Mapping[str, Any]) -> dict[str, Any]:
    try:
        msgspec.json.encode(dict(options))
    except (TypeError, msgspec.EncodeError) as exc:
        raise ValueError(
            f"{where}: options must be plain JSON values (they travel with each task): {exc}"
        ) from None
    return dict(options)


def cumulative(weights: np.ndarray) -> list[float]:
    """The normalised cumulative weights that ``Generator.choice(n, p=weights)`` searches.

    ``bisect_right(cdf, rng.random())`` picks exactly what ``rng.choice(n, p=weights)`` would, from the
    same single draw, at a tenth of the cost.
    """
    cdf = np.asarray(weights, dtype=float).cumsum()
    cdf /= cdf[-1]
    return cdf.tolist()


def source_class_of(manifest: EnvManifest) -> type[TaskSource]:
    """The TaskSource class of an environment: its env class's ``source_class``.

    Raises:
        ValueError: when the manifest's entry point declares none (Gymnasium can still make it, but
            guru-envs cannot draw training or evaluation tasks from it).
    """
    env_class = import_entry_point(manifest.entry_point)
    source_class = getattr(env_class, "source_class", None)
    if not (isinstance(source_class, type) and issubclass(source_class, TaskSource)):
        raise ValueError(
            f"{manifest.id}: its entry point {manifest.entry_point} declares no TaskSource `source_class`; "
            "guru-envs cannot draw tasks from it (subclass guru_envs.GuruEnv)"
        )
    return source_class


class TaskSource:
    """The tasks one environment serves: generated by weighted families, or the rows of a dataset.

    Args:
        domain: the domain the families belong to (and that names the source by default).
        families: family names (``"zebra"``, or ``"zebra-v1"`` for one version), or ``{name: weight}``;
            default: the domain's default mix, equal weights.
        difficulty: see :data:`Difficulty`; checked against every family here, once.
        options: ``{family: {option: value}}`` (or ``"domain.family"`` keys): family options, stamped on
            every task served, dataset rows included.
        dataset: GURU/verl files or a list of Tasks to serve instead of generating.
        buckets: with a filtered dataset (``guru filter``), ``{bucket: weight}`` to draw by.
        name: how the source is named in messages and curricula (default: the domain's id).

    Prefer :meth:`from_id`, which honours an environment's own ``source_class``.
    """

    def __init__(
        self,
        domain: str | None,
        families: Sequence[str] | Mapping[str, float] | None = None,
        difficulty: Difficulty = None,
        options: Mapping[str, Mapping[str, Any]] | None = None,
        dataset: str | Path | Sequence[str | Path] | Sequence[Task] | None = None,
        buckets: Mapping[str, float] | None = None,
        name: str | None = None,
    ) -> None:
        cat = catalog()
        if domain is None and dataset is None:
            raise ValueError("a TaskSource needs a domain, or a dataset whose rows name their own")
        self.domain = cat.domain(domain).domain if domain is not None else None
        self.name = name or (cat.domain(domain).id if domain is not None else "dataset")
        self.options = {
            str(k): _json_options(f"{self.name} options[{k!r}]", v) for k, v in (options or {}).items()
        }
        self.difficulty = difficulty
        self.tasks: list[Task] | None = None
        self.families: list[TaskFamily] = []
        self.weights = np.zeros(0)
        self._cdf: list[float] = []
        self.ranges: list[tuple[int, int]] = []
        if dataset is not None:
            if families or difficulty is not None:  # served silently otherwise: the rows are what they are
                raise ValueError(
                    f"{self.name}: families and difficulty choose generated tasks; a dataset serves its "
                    "own rows (select them with `guru filter` and buckets)"
                )
            self._load_dataset(dataset, buckets)
            return
        if buckets:
            raise ValueError(f"{self.name}: buckets need a dataset")
        self._build_families(families)

    @classmethod
    def from_id(cls, env_id: str, **kwargs: Any) -> TaskSource:
        """The source behind a registered id (a domain id or a single-family id), built by its env's class.

        Keyword arguments are those of :class:`TaskSource`; a single-family id fixes ``families``.

        Raises:
            ValueError: unknown or retired id, or any argument the source refuses.
        """
        cat = catalog()
        try:
            manifest, spec = cat.resolve_family(env_id)
        except KeyError as exc:
            raise ValueError(exc.args[0]) from None
        if spec is not None:
            if spec.retired:
                raise RetiredFamily(f"{env_id} is retired: {spec.retired}")
            kwargs = one_family(env_id, f"{spec.name}-v{spec.version}", kwargs)
        kwargs.setdefault("name", env_id)
        return source_class_of(manifest)(manifest.domain, **kwargs)

    @classmethod
    def for_task(cls, task: Task) -> TaskSource:
        """A source of the family, version and options that made ``task`` (for worked examples)."""
        manifest = catalog().domain(task.domain)
        selector = task.family if task.version is None else f"{task.family}-v{task.version}"
        return source_class_of(manifest)(
            task.domain, families=[selector], options={f"{task.domain}.{task.family}": task.options}
        )

    # --- construction ------------------------------------------------------------------------------
    def _build_families(self, families: Sequence[str] | Mapping[str, float] | None) -> None:
        cat = catalog()
        if isinstance(families, str):
            raise ValueError(
                f"{self.name}: families must be a list or a {{name: weight}} mapping, not a string"
            )
        weights = (
            dict(families)
            if isinstance(families, Mapping)
            else dict.fromkeys(families or cat.default_families(self.domain), 1.0)
        )
        available = [f.name for f in cat.families(self.domain, generators_only=True)]
        if not weights:
            raise ValueError(f"{self.name}: no families to draw from")
        chosen: list[tuple[str, int | None, float]] = []
        for selector, weight in weights.items():
            family_name, version = parse_selector(selector)
            if family_name not in available:
                raise ValueError(
                    f"{self.domain} has no generator families ['{family_name}']; choose from {available}"
                )
            if not isinstance(weight, int | float) or isinstance(weight, bool) or not weight >= 0:
                raise ValueError(f"family weights must be numbers >= 0 with a positive sum, got {weights}")
            chosen.append((family_name, version, float(weight)))
        total = sum(w for _, _, w in chosen)
        if not total > 0:
            raise ValueError(f"family weights must be non-negative with a positive sum, got {weights}")
        names = {n for n, _, _ in chosen}
        for key in self.options:
            domain, _, family_name = key.rpartition(".")
            if (domain and domain != self.domain) or family_name not in names:
                raise ValueError(
                    f"{self.name}: options for {key!r}, which this source does not serve (families: {sorted(names)})"
                )
        for family_name, version, _ in chosen:  # build now, so a bad option or family fails here, not mid-run
            family_options = options_for(self.options, self.domain, family_name)
            try:
                family = cat.family(self.domain, family_name, version=version, **family_options)
            except KeyError as exc:
                raise ValueError(exc.args[0]) from None
            except TypeError as exc:
                raise ValueError(
                    f"{self.domain}.{family_name}: bad options {family_options}: {exc}"
                ) from None
            self.families.append(family)
            self.ranges.append(family_levels(family, self.difficulty))
        self.weights = np.array([w / total for _, _, w in chosen])
        self._cdf = cumulative(self.weights)

    def _load_dataset(self, dataset: Any, buckets: Mapping[str, float] | None) -> None:
        items = [dataset] if isinstance(dataset, str | Path) else list(dataset)
        paths = [item for item in items if not isinstance(item, Task)]
        tasks = [item for item in items if isinstance(item, Task)] + (load_tasks(paths) if paths else [])
        if not tasks:
            raise ValueError(f"{self.name}: dataset holds no rows")
        cat = catalog()
        for key in self.options:
            domain, _, family_name = key.rpartition(".")
            domains = [domain or self.domain] if (domain or self.domain) else cat.domains()
            if all(cat.find_family_spec(d, family_name) is None for d in domains if cat.find_domain(d)):
                raise ValueError(f"{self.name}: options for {key!r}, which is not a registered family")
        self.tasks = [self._stamp(task) for task in tasks]
        self.buckets = dict(buckets or {})
        self.by_bucket: dict[str, list[Task]] = {}
        if self.buckets:
            for task in self.tasks:
                self.by_bucket.setdefault(task.meta.get("bucket", "unfiltered"), []).append(task)
            missing = sorted(set(self.buckets) - set(self.by_bucket))
            if missing:
                raise ValueError(
                    f"{self.name}: no rows in buckets {missing} (have {sorted(self.by_bucket)}); "
                    "run `guru filter` first"
                )
            if any(w < 0 for w in self.buckets.values()) or sum(self.buckets.values()) <= 0:
                raise ValueError(f"{self.name}: bucket weights must be >= 0 with a positive sum")
            self._bucket_names = sorted(self.buckets)
            self._bucket_cdf = cumulative(
                np.array([self.buckets[n] for n in self._bucket_names], dtype=float)
            )

    def _stamp(self, task: Task) -> Task:
        extra = options_for(self.options, task.domain, task.family)
        if not extra:
            return task
        merged = {**task.options, **extra}
        return task if merged == task.options else msgspec.structs.replace(task, options=merged)

    # --- what it serves ------------------------------------------------------------------------------
    @property
    def is_dataset(self) -> bool:
        """Whether this source serves dataset rows rather than generated tasks."""
        return self.tasks is not None

    @property
    def size(self) -> int:
        """Rows of a dataset; a generator counts as 1 (the sampler's temperature then acts on weights)."""
        return len(self.tasks) if self.tasks is not None else 1

    def family_index(self, selector: str) -> int:
        """The position of a family (by name, or ``name-vN``) among this source's families.

        Raises:
            ValueError: when the source does not serve it.
        """
        name, version = parse_selector(selector)
        for index, family in enumerate(self.families):
            if family.name == name and version in (None, family.version):
                return index
        raise ValueError(
            f"{self.name} does not serve family {selector!r}; it serves {[f.name for f in self.families]}"
        )

    def make(self, family: TaskFamily, seed: int, level: int) -> Task:
        """The task of ``family`` at ``(seed, level)``: the one path every draw, split and example takes.

        Subclasses override this to change what is served (and everything, training included, follows).
        """
        task = family.sample(seed, level)
        if task.options != family.options or task.version != family.version:
            task = msgspec.structs.replace(task, options=dict(family.options), version=family.version)
        return task

    def draw(
        self,
        rng: np.random.Generator,
        family: str | None = None,
        difficulty: Difficulty = None,
        level_range: LevelRange | None = None,
    ) -> Task:
        """One task drawn with ``rng``: a family by weight, a level in its range, a seed below ``2**62``.

        Args:
            rng: the only randomness used.
            family: draw from this family instead of by weight.
            difficulty: override the source's difficulty for this draw (checked like the source's).
            level_range: narrows the family's range at this draw (a curriculum).
        """
        if self.tasks is not None:
            if self.buckets:
                rows = self.by_bucket[self._bucket_names[bisect_right(self._bucket_cdf, rng.random())]]
                return rows[int(rng.integers(len(rows)))]
            return self.tasks[int(rng.integers(len(self.tasks)))]
        index = self.family_index(family) if family is not None else bisect_right(self._cdf, rng.random())
        chosen = self.families[index]
        low, high = self.ranges[index] if difficulty is None else family_levels(chosen, difficulty)
        if level_range is not None:
            narrow_low, narrow_high = level_range(low, high)
            high = min(high, max(low, narrow_high))
            low = min(high, max(low, narrow_low))
        level = int(rng.integers(low, high + 1))
        return self.make(chosen, int(rng.integers(TRAIN_SEED_LIMIT)), level)

    def task_at(self, seed: int) -> Task:
        """The task ``reset(seed=seed)`` of this source's env serves."""
        from gymnasium.utils.seeding import np_random

        return self.draw(np_random(seed)[0])

    def tasks_at(self, seeds: Sequence[int] | range) -> list[Task]:
        """:meth:`task_at` for each seed."""
        return [self.task_at(seed) for seed in seeds]

    # --- held-out split ----------------------------------------------------------------------------
    def heldout_slot(self, i: int) -> tuple[int, int, int]:
        """(family index, level, k) of held-out task ``i``: families cycle, then levels, then ``k``."""
        count = len(self.families)
        index, rounds = i % count, i // count
        low, high = self.ranges[index]
        span = high - low + 1
        return index, low + rounds % span, rounds // span

    def heldout(self, n: int, offset: int = 0) -> list[Task]:
        """``n`` held-out tasks, covering the families and levels in turn; disjoint from training draws.

        Task ``i`` of family ``f`` at level ``L`` has seed ``EVAL_SEED_BASE + k``, ``k`` counting the earlier
        held-out tasks of ``(f, L)``; ``offset`` starts further into the split (a second, disjoint set).
        """
        if self.tasks is not None:
            raise ValueError(
                f"{self.name}: held-out splits are drawn from generators; a dataset is its own split"
            )
        if n < 0 or offset < 0:
            raise ValueError("n and offset must be >= 0")
        tasks = []
        for i in range(offset, offset + n):
            index, level, k = self.heldout_slot(i)
            tasks.append(self.make(self.families[index], EVAL_SEED_BASE + k, level))
        return tasks

    def heldout_keys(self, family: TaskFamily, level: int, count: int) -> frozenset[str]:
        """Prompt keys of the first ``count`` held-out tasks of ``family`` at ``level``.

        Generating them is a one-off cost per family, version, options and level in a process (every
        source of this class shares the result); the sampler pays it at its first draw there.
        """
        options = msgspec.json.encode(family.options, order="sorted")
        key = (type(self), family.domain, family.name, family.version, options, level, count)
        found = _HELDOUT_KEYS.get(key)
        if found is None:
            found = frozenset(self.make(family, EVAL_SEED_BASE + k, level).prompt_key for k in range(count))
            _HELDOUT_KEYS[key] = found
        return found

    def family_of(self, task: Task) -> TaskFamily | None:
        """The family instance of this source that made ``task`` (None for rows and foreign tasks)."""
        for family in self.families:
            if family.name == task.family and family.domain == task.domain and family.version == task.version:
                return family
        return None

    def worked_example(self, task: Task, seed: int) -> Task | None:
        """A solved task of ``task``'s family at its level (level 1 for rows), or None when there is none."""
        family = self.family_of(task) or next((f for f in self.families if f.name == task.family), None)
        if family is None or not family.generator:
            return None
        example = self.make(family, seed, min(max(task.difficulty, 1), family.levels))
        if not example.reference_response or example.prompt == task.prompt:
            return None
        return example

    # --- export ------------------------------------------------------------------------------------
    def export(
        self, n: int, seed: int = 0, split: str = "train", fmt: str = "verl", cat: Any = None
    ) -> list[dict[str, Any]]:
        """``n`` rows of :meth:`split` in format ``fmt``, each carrying ``index`` (its position) and ``split``."""
        if fmt not in ROW_WRITERS:
            raise ValueError(f"format must be one of {sorted(ROW_WRITERS)}, got {fmt!r}")
        writer = ROW_WRITERS[fmt]
        return [writer(task, cat, index=i, split=split) for i, task in enumerate(self.split(n, seed, split))]

    def split(self, n: int, seed: int = 0, split: str = "train") -> list[Task]:
        """The tasks of :meth:`export` (``train``: seeds ``seed..seed+n-1``; ``test``: held-out from ``seed``)."""
        if split not in SPLITS:
            raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
        if not isinstance(n, int) or n < 1:
            raise ValueError(f"size must be a positive int, got {n!r}")
        if split == "test":
            return self.heldout(n, offset=seed)
        if self.tasks is not None:
            return [self.tasks[(seed + i) % len(self.tasks)] for i in range(n)]
        return self.tasks_at(range(seed, seed + n))


def worked_example(task: Task, seed: int) -> Task | None:
    """A solved task of the same family, version, options and level as ``task`` (None when there is none)."""
    try:
        return TaskSource.for_task(task).worked_example(task, seed)
    except (KeyError, ValueError, TypeError):
        return None


def make_dataset(
    env_id: str,
    size: int,
    seed: int = 0,
    difficulty: Difficulty = None,
    families: Sequence[str] | Mapping[str, float] | None = None,
    options: Mapping[str, Mapping[str, Any]] | None = None,
    split: str = "train",
    as_dataset: bool = False,
) -> Any:
    """``size`` tasks of ``env_id`` in one call: a list of Tasks, or a ``datasets.Dataset`` of GURU/verl rows.

    Args:
        env_id: a registered id.
        size: number of tasks.
        seed: ``train``: task ``i`` is what ``reset(seed=seed + i)`` serves; ``test``: the held-out split
            from position ``seed``.
        difficulty: a level, ``(low, high)``, or a preset (``"easy"``, ``"medium"``, ``"hard"``).
        families: restrict or weight the families (domain ids only).
        options: family options, stamped on every task.
        split: ``train`` or ``test`` (held-out, disjoint from training draws).
        as_dataset: return a Hugging Face ``datasets.Dataset`` of rows (needs ``datasets``).

    Example:
        >>> tasks = guru_envs.make_dataset("guru/Logic.zebra-v0", size=100, seed=0, difficulty="easy")
    """
    source = TaskSource.from_id(env_id, families=families, difficulty=difficulty, options=options)
    if not as_dataset:
        return source.split(size, seed, split)
    try:
        import datasets
    except ImportError as exc:
        raise ImportError("as_dataset=True needs the `datasets` package: pip install datasets") from exc
    return datasets.Dataset.from_list(source.export(size, seed, split))
