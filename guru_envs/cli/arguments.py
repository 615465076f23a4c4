"""Command-line options several ``guru`` commands share: difficulty (levels or presets) and family options."""

from __future__ import annotations

import argparse
import json
from typing import Any

from guru_envs.core.source import Difficulty, parse_difficulty


def add_difficulty_argument(p: argparse.ArgumentParser) -> None:
    """``--difficulty``: a level, ``LOW HIGH``, or a preset name (read with :func:`difficulty_from_args`)."""
    p.add_argument(
        "--difficulty",
        nargs="+",
        default=None,
        metavar="LEVEL",
        help="a level, LOW HIGH, or a preset: easy, medium, hard (mapped onto each family's levels)",
    )


def difficulty_from_args(args: argparse.Namespace) -> Difficulty:
    """The ``--difficulty`` words as a difficulty."""
    return parse_difficulty(args.difficulty)


def add_options_argument(p: argparse.ArgumentParser) -> None:
    """``--options``: family options as JSON (read with :func:`options_from_args`)."""
    p.add_argument(
        "--options",
        default=None,
        metavar="JSON",
        help='family options, e.g. \'{"zebra": {"exact_match": true}}\'; every task carries them',
    )


def options_from_args(args: argparse.Namespace) -> dict[str, dict[str, Any]] | None:
    """The ``--options`` JSON as ``{family: {option: value}}`` (None when not given).

    Raises:
        ValueError: when it is not a JSON object of objects.
    """
    if not getattr(args, "options", None):
        return None
    try:
        options = json.loads(args.options)
    except json.JSONDecodeError as exc:
        raise ValueError(f"--options is not JSON: {exc}") from None
    if not isinstance(options, dict) or not all(isinstance(v, dict) for v in options.values()):
        raise ValueError('--options must be a JSON object of objects, e.g. {"zebra": {"exact_match": true}}')
    return options
