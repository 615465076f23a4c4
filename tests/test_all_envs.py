"""Every registered built-in environment and generator family passes the contract kit.

The same kit (`guru_envs.testing`) is what community authors run; domain test folders go deeper. The
kit's exploit battery runs over every family in `tests/test_exploits.py`, which keeps the table of holes
not closed yet.
"""

import pytest

import guru_envs
from guru_envs.core.registry import builtin_manifest_paths, parse_manifest
from guru_envs.testing import check_family, check_guru_env

CATALOG = guru_envs.catalog()
BUILTIN = [m for m in CATALOG.envs.values() if m.source == "guru-envs" and not m.id.startswith("guru-test/")]
ENV_IDS = [eid for m in BUILTIN for eid in [m.id, *m.family_ids().values()]]
FAMILIES = [(m.domain, f.name) for m in BUILTIN for f in m.families if f.generator]


def test_every_builtin_manifest_loads():
    assert CATALOG.errors == {}
    files = builtin_manifest_paths()  # guru_envs/<domain>/manifest.toml
    assert {p.parent.name for p in files} >= {"math", "code", "science", "logic", "simulation", "tabular"}
    for path in files:
        where = f"{path.parent.name}/{path.name}"
        manifest = parse_manifest(path.read_bytes(), origin=where)
        assert manifest.version_history, f"{where}: record a version history"
        assert manifest.license and manifest.description and manifest.answer_format
        for family in manifest.families:
            assert family.description, f"{where}: family {family.name} needs a description"


@pytest.mark.parametrize("env_id", ENV_IDS)
def test_env_contract(env_id):
    check_guru_env(env_id)


@pytest.mark.parametrize(("domain", "family"), FAMILIES, ids=[f"{d}.{f}" for d, f in FAMILIES])
def test_family_contract(domain, family):
    counts = check_family(domain, family, seeds=range(10), exploit_seeds=0)
    assert (
        counts["cross_process"] == counts["tasks"] // 2
    )  # 5 seeds a level, generated under another hash seed


def test_real_benchmarks_stay_out_of_default_mixes():
    import gymnasium as gym

    for env_id, benchmark in [("guru/Code-v0", "humaneval"), ("guru/Logic-v0", "arc_agi")]:
        env = gym.make(env_id)
        served = set()
        for seed in range(60):
            env.reset(seed=seed)
            served.add(env.unwrapped.task.family)
        assert benchmark not in served and len(served) > 2
        family_id = env_id.replace("-v0", f".{benchmark}-v0")
        one = gym.make(family_id)
        one.reset(seed=0)
        assert one.unwrapped.task.family == benchmark
