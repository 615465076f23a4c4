"""The core imports without cycles: a module-level import graph with no loop, and each module alone works."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "guru_envs"
CORE = sorted(p.stem for p in (PACKAGE / "core").glob("*.py") if p.stem != "__init__")


def module_of(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """guru_envs modules imported at module level (the ones that run at import time), with their packages."""
    names = set()
    tree = ast.parse(path.read_text())
    for node in tree.body:  # top level only: imports inside functions are deferred on purpose
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING":
            continue
        targets = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            targets = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        for target in targets:
            parts = target.split(".")
            for end in range(2, len(parts) + 1):  # importing a.b.c runs a.b's __init__ first
                names.add(".".join(parts[:end]))
    return {n for n in names if n.startswith("guru_envs.")}


def import_graph() -> dict[str, set[str]]:
    """Module -> the modules its import runs; a module's own parent packages are already running, so skipped."""
    modules = {module_of(p): p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts}
    return {
        name: {m for m in imports_of(path) if m in modules and m != name and not name.startswith(m + ".")}
        for name, path in modules.items()
    }


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt) :] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_the_package_import_graph_has_no_cycle():
    graph = import_graph()
    assert "guru_envs.core.registry" in graph["guru_envs.core.source"]  # the scan sees real edges
    assert find_cycle(graph) is None, " -> ".join(find_cycle(graph))


def test_the_cycle_finder_finds_cycles():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def test_task_knows_nothing_of_the_catalog():
    assert imports_of(PACKAGE / "core" / "task.py") == set()


@pytest.mark.parametrize("name", CORE)
def test_each_core_module_imports_alone(name):
    code = f"import guru_envs.core.{name}"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]


def test_core_and_verify_do_not_import_each_other():
    """Folder level: verify may not import core (core uses verify's rules, never the reverse)."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "guru_envs"
    for path in sorted((root / "verify").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            assert not any(n.startswith("guru_envs.core") for n in names), f"{path.name} imports {names}"
