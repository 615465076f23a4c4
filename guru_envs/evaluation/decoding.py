"""Decoding study: pass@k of one model under several sampling settings (temperature x top-p).

The GURU paper shows that pass@k, the measure of what RL can still find, depends on how one samples:
a hotter or wider distribution trades pass@1 for pass@k at large k. :func:`decoding_sweep` evaluates the
same tasks under every setting of a grid with the same sampling seed (so settings differ only by their
decoding), and :func:`plot_decoding` draws the paper's figure: pass@k against k, one line per setting.
"""

from __future__ import annotations

import contextlib
import itertools
import math
import textwrap
from collections.abc import Collection, Sequence
from dataclasses import replace
from pathlib import Path

import msgspec

from guru_envs.core.scoring import Scorer
from guru_envs.core.task import Task
from guru_envs.evaluation.harness import EvalReport, GroupSummary, evaluate
from guru_envs.rollout.base import RolloutEngine, SamplingParams


class DecodingReport(msgspec.Struct, kw_only=True):
    """One :class:`EvalReport` per decoding setting, in grid order (``decoding.json``)."""

    model: str
    settings: list[str]
    reports: list[EvalReport]


def setting_grid(
    base: SamplingParams, temperatures: Sequence[float], top_ps: Sequence[float]
) -> list[SamplingParams]:
    """Every ``(temperature, top_p)`` pair, each a copy of ``base`` (same ``n``, seed, budget).

    Raises:
        ValueError: on an empty list, a repeated value, or a value :class:`SamplingParams` refuses.
    """
    for name, values in (("temperature", temperatures), ("top_p", top_ps)):
        if not values:
            raise ValueError(f"give at least one {name}")
        if len(set(values)) != len(values):
            raise ValueError(f"{name} values repeat: {list(values)}")
    return [replace(base, temperature=t, top_p=p) for t, p in itertools.product(temperatures, top_ps)]


def setting_label(params: SamplingParams) -> str:
    """``T=0.6 top-p=0.95``: how a setting is named in tables and legends."""
    return f"T={params.temperature:g} top-p={params.top_p:g}"


def setting_dirname(params: SamplingParams) -> str:
    """A folder name for a setting's own report, e.g. ``t0.6-p0.95``."""
    return f"t{params.temperature:g}-p{params.top_p:g}"


def decoding_sweep(
    engine: RolloutEngine,
    tasks: Sequence[Task],
    settings: Sequence[SamplingParams],
    model_name: str = "model",
    progress: bool = True,
    scorer: Scorer | None = None,
    training_prompts: Collection[str] | None = None,
    **evaluate_kwargs: object,
) -> DecodingReport:
    """Evaluate ``tasks`` once per setting with :func:`~guru_envs.evaluation.harness.evaluate`.

    One scorer serves every setting (worker processes start once). Settings must share ``n``, so every
    curve has the same k values.
    """
    if not settings:
        raise ValueError("give at least one decoding setting")
    if len({s.n for s in settings}) != 1:
        raise ValueError("every setting must draw the same number of samples (n) to compare pass@k")
    labels = [setting_label(s) for s in settings]
    if len(set(labels)) != len(labels):
        raise ValueError(f"decoding settings repeat: {labels}")
    reports = []
    with Scorer() if scorer is None else contextlib.nullcontext(scorer) as shared:
        for params, label in zip(settings, labels):
            if progress:
                print(f"decoding setting {label}", flush=True)
            reports.append(
                evaluate(
                    engine,
                    tasks,
                    params,
                    model_name=model_name,
                    progress=progress,
                    scorer=shared,
                    training_prompts=training_prompts,
                    **evaluate_kwargs,  # type: ignore[arg-type]
                )
            )
    return DecodingReport(model=model_name, settings=labels, reports=reports)


def _cells(s: GroupSummary, ks: list[int]) -> str:
    return " | ".join(f"{100 * s.pass_at_k[k]:.1f}" for k in ks)


def decoding_table(report: DecodingReport, domains: bool = True) -> str:
    """Markdown: one row per setting (and per setting and domain): pass@1 with its CI, pass@k, format failures."""
    first = report.reports[0]
    ks = sorted(first.overall.pass_at_k)
    head = " | ".join(f"pass@{k} (%)" for k in ks)
    lines = [
        f"| setting | group | pass@1 (%, 95% CI) | {head} | format failures (%) | mean tokens |",
        "|---|---|---:|" + "---:|" * len(ks) + "---:|---:|",
    ]
    for label, rep in zip(report.settings, report.reports):
        groups = [("all", rep.overall)]
        if domains and len(rep.by_domain) > 1:
            groups += list(rep.by_domain.items())
        for name, s in groups:
            lines.append(
                f"| {label} | {name} | {100 * s.pass1:.1f} ± {100 * s.pass1_ci:.1f} | {_cells(s, ks)} "
                f"| {100 * s.format_failure_rate:.1f} | {s.mean_tokens:.0f} |"
            )
    gen = sum(r.generation_seconds for r in report.reports)
    lines += [
        "",
        f"{report.model} via {first.engine}; {first.overall.tasks} tasks x {first.samples} samples per setting, "
        f"max_tokens {first.sampling['max_tokens']}, seed {first.sampling['seed']} (the same for every setting). "
        f"Generation {gen:.1f} s over {len(report.reports)} settings.",
    ]
    return "\n".join(lines)


def plot_decoding(report: DecodingReport, path: str | Path) -> Path:
    """pass@k against k, one line per setting: all tasks, then one panel per domain when there are several."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    domains = list(report.reports[0].by_domain) if len(report.reports[0].by_domain) > 1 else []
    panels = [("all tasks", lambda r: r.overall)] + [(d, (lambda r, d=d: r.by_domain[d])) for d in domains]
    cols = min(len(panels), 4)
    rows = math.ceil(len(panels) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.6 * rows), squeeze=False)
    colours = plt.get_cmap("viridis")
    temperatures = sorted({r.sampling["temperature"] for r in report.reports})
    top_ps = sorted({r.sampling["top_p"] for r in report.reports})
    styles = ["-", "--", ":", "-."]
    for ax, (title, pick) in zip(axes.flat, panels):
        for label, rep in zip(report.settings, report.reports):
            s = pick(rep)
            ks = sorted(s.pass_at_k)
            t_rank = temperatures.index(rep.sampling["temperature"])
            ax.plot(
                ks,
                [100 * s.pass_at_k[k] for k in ks],
                marker="o",
                markersize=3,
                color=colours(t_rank / max(1, len(temperatures) - 1) * 0.85),
                linestyle=styles[top_ps.index(rep.sampling["top_p"]) % len(styles)],
                label=label,
            )
        ax.set_xscale("log", base=2)
        ax.set_xlabel("k (samples)")
        ax.set_ylabel("pass@k (%)")
        ax.set_title(title)
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[len(panels) :]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=7)
    first = report.reports[0]
    # a checkpoint path is long: its last parts name it; the title wraps instead of running off the figure
    model = "/".join(Path(report.model).parts[-3:]) if "/" in report.model else report.model
    fig.suptitle(
        textwrap.fill(
            f"{model}: pass@k by decoding setting ({first.overall.tasks} tasks, {first.samples} samples each)",
            width=int(44 * cols),
        ),
        fontsize=10,
    )
    fig.tight_layout()
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=120)
    plt.close(fig)
    return out


def write_decoding(report: DecodingReport, out_dir: str | Path) -> dict[str, Path]:
    """Write ``decoding.json``, ``decoding.md`` and ``decoding.png`` into ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"json": out / "decoding.json", "markdown": out / "decoding.md", "plot": out / "decoding.png"}
    paths["json"].write_bytes(msgspec.json.format(msgspec.json.encode(report), indent=2))
    paths["markdown"].write_text(decoding_table(report) + "\n", encoding="utf-8")
    plot_decoding(report, paths["plot"])
    return paths


def read_decoding(path: str | Path) -> DecodingReport:
    """Load a ``decoding.json``."""
    return msgspec.json.decode(Path(path).read_bytes(), type=DecodingReport)
