"""The catalog: manifests beside their code, ``guru_envs.register``, the index of community environments."""

import re
import tomllib
from pathlib import Path

import gymnasium as gym
import pytest

import guru_envs
from guru_envs.core.registry import builtin_manifest_paths, parse_manifest
from tests.core.toy_family import MANIFEST

ROOT = Path(__file__).resolve().parents[2]


def test_each_builtin_domain_keeps_its_manifest_beside_its_code():
    paths = builtin_manifest_paths()
    assert {p.parent.name for p in paths} == {"math", "code", "science", "logic", "simulation", "tabular"}
    for path in paths:
        manifest = parse_manifest(path.read_bytes(), origin=str(path))
        assert manifest.domain == path.parent.name
        assert manifest.version_history and manifest.license and manifest.description
        assert all(f.description for f in manifest.families), path
        assert manifest.id in guru_envs.catalog().envs


def test_every_id_in_the_readme_table_is_registered():
    readme = (ROOT / "README.md").read_text()
    ids = set(re.findall(r"`(guru/[A-Za-z]+(?:\.[a-z_]+)?-v\d+)`", readme))
    assert {"guru/Math-v0", "guru/Code-v0", "guru/Tabular-v0"} <= ids
    for env_id in ids:
        assert env_id in gym.registry, env_id
    for manifest in guru_envs.catalog().envs.values():
        if manifest.source == "guru-envs" and not manifest.id.startswith("guru-test/"):
            for env_id in manifest.family_ids().values():  # guru/<Domain>.<family>-v0, as the README says
                gym.make(env_id).reset(seed=0)


def test_the_readme_environment_table_is_the_catalogs():
    """``guru list --markdown`` is what the README shows: a new family or data source updates both."""
    from guru_envs.cli.catalog import markdown_table

    readme = (ROOT / "README.md").read_text()
    assert markdown_table(guru_envs.catalog()) in readme
    assert "<answer>" not in markdown_table(guru_envs.catalog())  # escaped: a raw tag renders as nothing


def test_register_adds_an_environment_from_text_and_refuses_a_clash():
    text = (
        MANIFEST.replace("guru-test/Toy-v0", "guru-test/Registered-v0")
        .replace('domain = "toy"', 'domain = "registered"')
        .replace("toy_family:SumFamily", "toy_family:RegisteredSum")
        .replace('"toy__sum"', '"registered__sum"')
        .replace('["toy"]', '["registered"]')
    )
    manifest = guru_envs.register(text, source="a test")
    assert manifest.source == "a test"
    env = gym.make("guru-test/Registered.sum-v0")
    env.reset(seed=0)
    assert env.unwrapped.task.domain == "registered"
    with pytest.raises(ValueError, match="clashes"):
        guru_envs.register(manifest)


def test_a_capitalised_domain_gets_a_helpful_message():
    with pytest.raises(KeyError, match="domains are lower-case, use 'math'"):
        guru_envs.catalog().family("Math", "arithmetic")
    with pytest.raises(KeyError, match="lower-case"):
        guru_envs.catalog().domain("Logic")
    with pytest.raises(KeyError, match=r"math has \['arithmetic'"):
        guru_envs.catalog().family("math", "arithmetc")


def test_the_public_names_are_exported_at_the_top():
    for name in ("GuruEnv", "MixedSampler", "TaskSource", "Scorer", "register", "make_dataset", "score"):
        assert name in guru_envs.__all__ and hasattr(guru_envs, name)


def test_the_community_index_is_well_formed():
    index = tomllib.loads((ROOT / "registry" / "index.toml").read_text())
    builtin = set(gym.registry)
    for entry in index.get("environments", []):
        assert set(entry) >= {"id", "package", "homepage", "description", "license"}, entry
        assert re.fullmatch(r"[\w-]+/[\w.]+-v\d+", entry["id"]) and entry["id"] not in builtin
