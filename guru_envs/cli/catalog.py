"""``guru list``, ``guru info ID`` and ``guru sample ID``: look at the catalog and at tasks."""

from __future__ import annotations

import argparse
import json

from rich.console import Console
from rich.table import Table

from guru_envs.cli.arguments import add_difficulty_argument, difficulty_from_args


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register list, info and sample."""
    p = subparsers.add_parser("list", help="table of registered environments")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.add_argument("--markdown", action="store_true", help="print the README's environment table")
    p.set_defaults(run=run_list)
    p = subparsers.add_parser("info", help="everything the manifest says about one environment")
    p.add_argument("env_id")
    p.set_defaults(run=run_info)
    p = subparsers.add_parser("sample", help="print a task (prompt, answer, reference response)")
    p.add_argument("env_id")
    p.add_argument("--seed", type=int, default=0)
    add_difficulty_argument(p)
    p.add_argument("--family", default=None, help="one family of the env")
    p.add_argument("--json", action="store_true", help="print the task as a GURU/verl row")
    p.set_defaults(run=run_sample)


def run_list(args: argparse.Namespace) -> int:
    """Print every registered environment (and manifests that failed to load)."""
    from guru_envs import catalog

    cat = catalog()
    if args.markdown:
        print(markdown_table(cat))
        return 0
    if args.json:
        rows = [
            {"id": m.id, "domain": m.domain, "families": [f.name for f in m.families], "source": m.source}
            for m in cat.envs.values()
        ]
        print(json.dumps({"envs": rows, "errors": cat.errors}, indent=2))
        return 0
    table = Table(title="guru-envs environments")
    for column in ("id", "domain", "families", "source"):
        table.add_column(column, overflow="fold")
    for m in cat.envs.values():
        families = ", ".join(f.name if f.generator else f"[dim]{f.name}[/dim]" for f in m.families)
        table.add_row(m.id, m.domain, families, m.source)
    console = Console()
    console.print(table)
    console.print(
        "[dim]dim families score dataset rows only; each other family is also guru/<Domain>.<family>-vN[/dim]"
    )
    for source, error in cat.errors.items():
        console.print(f"[red]not loaded[/red] {source}: {error}")
    return 0


def markdown_table(cat) -> str:  # noqa: ANN001 (a Catalog)
    """The environment table of the README, built from the manifests (so a new family needs no README edit)."""
    lines = ["| id | families (generators) | scores GURU rows | answer format |", "|---|---|---|---|"]
    for m in cat.envs.values():
        if m.source != "guru-envs" or m.id.startswith("guru-test/"):
            continue
        generators = ", ".join(f.name for f in cat.families(m.domain, generators_only=True))
        # GURU's own dataset prefixes: not a generator's canonical (export) name, nor our older export names
        families = cat.families(m.domain)
        rows = sorted(
            {
                p
                for f in families
                for p in (f.data_sources[1:] if f.generator else f.data_sources)
                if "guru" not in p.split("__")[-1]
            }
        )
        shown = ", ".join(f"`{p}*`" for p in rows) or "-"
        # escaped for a table cell: "|" splits cells, "<answer>" would render as an (invisible) HTML tag
        answer = m.answer_format.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")
        lines.append(f"| `{m.id}` | {generators} | {shown} | {answer} |")
    return "\n".join(lines)


def run_info(args: argparse.Namespace) -> int:
    """Print one manifest."""
    from guru_envs import catalog

    manifest, family = catalog().resolve(args.env_id)
    console = Console()
    console.print(
        f"[bold]{manifest.id}[/bold]  ({manifest.title}, domain {manifest.domain}, from {manifest.source})"
    )
    console.print(manifest.description)
    console.print(f"answer format: {manifest.answer_format}")
    console.print(
        f"license: {manifest.license}   maintainer: {manifest.maintainer or '-'}   homepage: {manifest.homepage or '-'}"
    )
    table = Table()
    columns = ("family", "version", "kind", "single-family id", "data_source prefixes", "description")
    for column in columns:
        table.add_column(column, overflow="fold")
    for f in manifest.families:
        if family and f.name != family:
            continue
        kind = ("generator" if f.generator else "rows only") + (
            f" (retired: {f.retired})" if f.retired else ""
        )
        env_id = manifest.family_id(f) if f.generator else "-"
        table.add_row(f.name, f"v{f.version}", kind, env_id, ", ".join(f.data_sources), f.description)
    console.print(table)
    for note in manifest.version_history:
        console.print(f"v{note.version}: {note.notes}")
    return 0


def run_sample(args: argparse.Namespace) -> int:
    """Print the task that ``reset(seed=...)`` serves."""
    import gymnasium as gym

    kwargs = {}
    if args.difficulty is not None:
        kwargs["difficulty"] = difficulty_from_args(args)
    if args.family:
        kwargs["families"] = [args.family]
    env = gym.make(args.env_id, **kwargs)
    env.reset(seed=args.seed)
    task = env.unwrapped.task
    if args.json:
        print(json.dumps(task.to_record(), indent=2, ensure_ascii=False))
        return 0
    console = Console()
    console.rule(f"{task.id}  (difficulty {task.difficulty})")
    console.print(task.prompt, markup=False, highlight=False)
    console.rule("answer")
    console.print(
        json.dumps(task.answer, ensure_ascii=False) if not isinstance(task.answer, str) else task.answer,
        markup=False,
    )
    console.rule("reference response")
    console.print(task.reference_response, markup=False, highlight=False)
    return 0
