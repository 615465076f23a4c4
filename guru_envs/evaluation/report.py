"""What ``guru eval`` writes: results JSON, a markdown table, and plots (pass@k curves, per-domain bars)."""

from __future__ import annotations

from pathlib import Path

import msgspec

from guru_envs.evaluation.harness import EvalReport, GroupSummary


def _row(name: str, s: GroupSummary) -> str:
    best_k = max(s.pass_at_k)
    return (
        f"| {name} | {s.tasks} | {100 * s.pass1:.1f} ± {100 * s.pass1_ci:.1f} | {100 * s.pass_at_k[best_k]:.1f} "
        f"| {s.mean_reward:.3f} | {100 * s.format_failure_rate:.1f} | {s.mean_tokens:.0f} |"
    )


def markdown_table(report: EvalReport, families: bool = True) -> str:
    """Per-domain rows (and per-family rows), then the overall row."""
    k = report.samples
    lines = [
        f"| group | tasks | pass@1 (%, 95% CI) | pass@{k} (%) | mean reward | format failures (%) | mean tokens |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, summary in report.by_domain.items():
        lines.append(_row(f"**{name}**", summary))
        if families:
            for fam, fam_summary in report.by_family.items():
                if (
                    fam.split(".", 1)[0] == name
                    and len([f for f in report.by_family if f.startswith(name + ".")]) > 1
                ):
                    lines.append(_row(f"&nbsp;&nbsp;{fam}", fam_summary))
    lines.append(_row("**all**", report.overall))
    total = report.generation_seconds + report.scoring_seconds
    lines.append("")
    lines.append(
        f"{report.model} via {report.engine}; {report.samples} samples/task, temperature {report.sampling['temperature']}, "
        f"top_p {report.sampling['top_p']}, max_tokens {report.sampling['max_tokens']}. Time: generation "
        f"{report.generation_seconds:.1f} s, scoring {report.scoring_seconds:.2f} s "
        f"({100 * report.scoring_seconds / max(total, 1e-9):.1f}% of the total)."
    )
    if report.overlap is not None:
        found = report.overlap.task_ids
        shown = ", ".join(found[:10]) + (" ..." if len(found) > 10 else "")
        lines.append(
            f"Held-out overlap with training: {len(found)} of {report.overlap.heldout_tasks} tasks have a prompt "
            f"the run was served ({report.overlap.training_prompts:,} training prompts)"
            + (f": {shown}" if found else ".")
        )
    return "\n".join(lines)


def plot(report: EvalReport, path: Path) -> Path:
    """Two panels: pass@k curves per domain, and pass@1 bars per domain with confidence intervals."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    for name, s in report.by_domain.items():
        ks = sorted(s.pass_at_k)
        left.plot(ks, [100 * s.pass_at_k[k] for k in ks], marker="o", label=name)
    left.set_xscale("log", base=2)
    left.set_xlabel("k (samples)")
    left.set_ylabel("pass@k (%)")
    left.set_title("pass@k per domain")
    left.set_ylim(0, 100)
    left.legend(fontsize=8)
    left.grid(alpha=0.3)
    names = list(report.by_domain)
    values = [100 * report.by_domain[n].pass1 for n in names]
    errors = [100 * report.by_domain[n].pass1_ci for n in names]
    right.bar(names, values, yerr=errors, capsize=4, color="tab:blue", alpha=0.8)
    right.set_ylabel("pass@1 (%)")
    right.set_ylim(0, 100)
    right.set_title(f"pass@1 per domain ({report.samples} samples/task, 95% CI)")
    right.tick_params(axis="x", rotation=30)
    fig.suptitle(f"{report.model} ({report.engine})")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def write_report(report: EvalReport, out_dir: str | Path) -> dict[str, Path]:
    """Write ``results.json``, ``results.md`` and ``passk.png`` into ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"json": out / "results.json", "markdown": out / "results.md", "plot": out / "passk.png"}
    paths["json"].write_bytes(msgspec.json.format(msgspec.json.encode(report), indent=2))
    paths["markdown"].write_text(markdown_table(report) + "\n", encoding="utf-8")
    plot(report, paths["plot"])
    return paths


def read_report(path: str | Path) -> EvalReport:
    """Load a ``results.json``."""
    return msgspec.json.decode(Path(path).read_bytes(), type=EvalReport)
