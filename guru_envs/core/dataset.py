"""GURU/verl dataset files: kept for imports written before :mod:`guru_envs.core.rows` held them."""

from guru_envs.core.rows import SUFFIXES, load_tasks, read_rows, write_rows

__all__ = ["SUFFIXES", "load_tasks", "read_rows", "write_rows"]
