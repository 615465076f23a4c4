"""`guru export` for GURU's pipeline: typed ground truths, one file per data_source, and the note that
names the rows Reasoning360's own dispatcher cannot score."""

from __future__ import annotations

from guru_envs import read_rows
from guru_envs.cli import main
from guru_envs.cli.export import export_tasks, guru_gaps
from guru_envs.core.rows import UNSCORABLE_KEY


def test_split_by_source_writes_gurus_layout_with_typed_ground_truths(tmp_path):
    paths = export_tasks(
        "guru/Logic-v0",
        20,
        tmp_path / "logic.parquet",
        families=["zebra", "ordering", "graph"],
        typed_ground_truth=True,
        split_by_source=True,
    )
    names = sorted(p.name for p in paths)
    assert names == [
        "logic.logic__graph_guru.parquet",
        "logic.logic__ordering_puzzle_guru.parquet",
        "logic.logic__zebra_puzzle_guru.parquet",
    ]
    for path in paths:
        rows = read_rows(path)
        assert {r["data_source"] for r in rows} == {path.name.split(".")[1]}
        assert all(r["extra_info"][UNSCORABLE_KEY] == "" for r in rows)
        truth = rows[0]["reward_model"]["ground_truth"]
        kind = {"zebra": dict, "ordering": list, "graph": str}[path.name.split("__")[1].split("_")[0]]
        assert isinstance(truth, kind)
    indexes = sorted(r["extra_info"]["index"] for p in paths for r in read_rows(p))
    assert indexes == list(range(20))  # unique across the files


def test_text_ground_truths_are_flagged_for_guru(tmp_path):
    path = export_tasks("guru/Logic.zebra-v0", 3, tmp_path / "zebra.jsonl")[0]
    rows = read_rows(path)
    assert all(isinstance(r["reward_model"]["ground_truth"], str) for r in rows)
    ((source, count, reason),) = guru_gaps(rows)
    assert (source, count) == ("logic__zebra_puzzle_guru", 3) and "--typed-ground-truth" in reason


def test_the_cli_names_the_rows_guru_cannot_score(tmp_path, capsys):
    out = tmp_path / "mix.parquet"
    assert main(["export", "guru/Simulation-v1", "--n", "12", "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert f"wrote {out}" in captured.out
    assert "cannot be scored by GURU's own default_compute_score" in captured.err
    assert "simulation__guru_bank_queue" in captured.err or "simulation__guru_stack_machine" in captured.err
    assert main(["export", "guru/Math-v0", "--n", "5", "--out", str(tmp_path / "math.parquet")]) == 0
    assert "cannot be scored" not in capsys.readouterr().err  # GURU's math scorer takes every math row


def test_rows_guru_never_pays_are_flagged_per_row():
    """GURU's ordering scorer lower-cases the answer but not the ground truth; its table scorer pays no
    negative percentage: such rows say so, the others of the same families do not."""
    from guru_envs.core.registry import catalog
    from guru_envs.core.rows import to_row

    ordering = catalog().family("logic", "ordering")
    seen = set()
    for seed in range(40):
        task = ordering.sample(seed, 1 + seed % ordering.levels)
        readable = all(x == x.lower() and x.replace(" ", "").isalnum() for x in task.answer)
        gap = to_row(task, typed_ground_truth=True)["extra_info"][UNSCORABLE_KEY]
        assert bool(gap) != readable, task.answer
        seen.add(readable)
    assert seen == {True, False}  # both kinds occur
    ratio = catalog().family("tabular", "ratio")
    seen = set()
    for seed in range(60):
        task = ratio.sample(seed, 1 + seed % ratio.levels)
        negative = str(task.answer).startswith("-") and str(task.answer).endswith("%")
        gap = to_row(task)["extra_info"][UNSCORABLE_KEY]
        assert bool(gap) == negative, task.answer
        seen.add(negative)
    assert seen == {True, False}
