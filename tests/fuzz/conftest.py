"""Hypothesis keeps its caches (constants, unicode tables) in the temporary folder, not in the repo."""

import tempfile
from pathlib import Path

from hypothesis.configuration import set_hypothesis_home_dir

set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "guru-envs-hypothesis")
