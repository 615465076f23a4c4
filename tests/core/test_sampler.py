"""The mixed sampler: weights, determinism, exact resume, dedup, curricula, datasets and buckets."""

import json
from collections import Counter

import pytest

from guru_envs import write_rows
from guru_envs.sampler import MixedSampler, PassRateCurriculum, ScheduleCurriculum, SourceSpec


def _sources():
    return [
        SourceSpec(env="guru-test/Toy-v0", weight=3.0, difficulty=(2, 3)),
        SourceSpec(env="guru-test/Broken.bad_reference-v0", weight=1.0),
    ]


def test_weights_are_respected():
    sampler = MixedSampler(_sources(), seed=1)
    counts = Counter(t.domain for t in sampler.next_batch(2000))
    assert 0.70 < counts["toy"] / 2000 < 0.80
    toy_levels = {t.difficulty for t in sampler.next_batch(200) if t.domain == "toy"}
    assert toy_levels == {2, 3}


def test_same_seed_same_stream_and_exact_resume():
    a = MixedSampler(_sources(), seed=5)
    b = MixedSampler(_sources(), seed=5)
    assert [t.id for t in a.next_batch(50)] == [t.id for t in b.next_batch(50)]
    state = json.loads(json.dumps(a.state_dict()))  # survives a JSON checkpoint
    expected = [t.id for t in a.next_batch(30)]
    resumed = MixedSampler(_sources(), seed=999)
    resumed.load_state_dict(state)
    assert [t.id for t in resumed.next_batch(30)] == expected
    assert [t.id for t in MixedSampler(_sources(), seed=6).next_batch(5)] != expected[:5]


def test_groups_repeat_each_prompt_adjacently():
    batch = MixedSampler({"guru-test/Toy-v0": 1}, seed=0).groups(num_prompts=3, group_size=4)
    assert len(batch) == 12
    assert all(batch[i].id == batch[i - i % 4].id for i in range(12))
    assert len({t.id for t in batch}) == 3


def test_dedup_skips_repeats_in_a_small_space():
    sampler = MixedSampler([SourceSpec(env="guru-test/Toy-v0", difficulty=(1, 1))], seed=0)
    prompts = [t.prompt for t in sampler.next_batch(300)]
    assert len(set(prompts)) == 300 and sampler.repeats == 0


def test_schedule_curriculum_raises_difficulty():
    sampler = MixedSampler({"guru-test/Toy-v0": 1}, seed=0, curriculum=ScheduleCurriculum(draws_to_max=100))
    early = max(t.difficulty for t in sampler.next_batch(20))
    sampler.next_batch(100)
    late = {t.difficulty for t in sampler.next_batch(60)}
    assert early == 1 and 3 in late


def test_pass_rate_curriculum_promotes_and_demotes():
    curriculum = PassRateCurriculum(promote=0.8, demote=0.2, window=8)
    sampler = MixedSampler({"guru-test/Toy-v0": 1}, seed=0, curriculum=curriculum)
    tasks = sampler.next_batch(8)
    assert {t.difficulty for t in tasks} == {1}
    sampler.observe(tasks, [1.0] * 8)
    assert {t.difficulty for t in sampler.next_batch(8)} == {2}
    tasks = sampler.next_batch(8)
    sampler.observe(tasks, [0.0] * 8)
    assert {t.difficulty for t in sampler.next_batch(8)} == {1}


def test_dataset_sources_and_buckets(tmp_path):
    family_rows = []
    from guru_envs import catalog

    fam = catalog().family("toy", "sum")
    for seed in range(20):
        task = fam.sample(seed, 1)
        bucket = "easy" if seed % 2 else "hard"
        task = type(task)(
            **{**{f: getattr(task, f) for f in task.__struct_fields__}, "meta": {"bucket": bucket}}
        )
        family_rows.append(task.to_record())
    path = write_rows(family_rows, tmp_path / "rows.jsonl")
    spec = SourceSpec(env="toy-filtered", dataset=[str(path)], buckets={"easy": 1.0})
    drawn = MixedSampler([spec], seed=0, dedup=False).next_batch(40)
    assert {t.meta["bucket"] for t in drawn} == {"easy"}
    with pytest.raises(ValueError, match="guru filter"):
        MixedSampler([SourceSpec(env="x", dataset=[str(path)], buckets={"medium": 1.0})])


def test_temperature_reweights_by_size(tmp_path):
    fam_rows = [t.to_record() for t in (MixedSampler({"guru-test/Toy-v0": 1}).next_batch(99))]
    big = write_rows(fam_rows, tmp_path / "big.jsonl")
    small = write_rows(fam_rows[:11], tmp_path / "small.jsonl")
    specs = [SourceSpec(env="big", dataset=[str(big)]), SourceSpec(env="small", dataset=[str(small)])]
    assert MixedSampler(specs, temperature=1.0).probabilities == pytest.approx([0.9, 0.1])
    assert MixedSampler(specs, temperature=None).probabilities == pytest.approx([0.5, 0.5])


@pytest.mark.parametrize(
    ("sources", "message"),
    [
        ({}, "at least one source"),
        ({"guru/Nope-v0": 1}, "not a registered"),
        ([SourceSpec(env="guru-test/Toy-v0", families=["nope"])], "no generator families"),
        ([SourceSpec(env="guru-test/Toy-v0", difficulty=(3, 1))], "out of range"),
        ([SourceSpec(env="guru-test/Toy-v0", difficulty=(1, 4))], "levels 1..3"),
        ([SourceSpec(env="guru-test/Toy-v0", difficulty="impossible")], "no difficulty preset"),
        ({"guru-test/Toy-v0": 0}, "positive sum"),
    ],
)
def test_bad_sampler_configs(sources, message):
    with pytest.raises(ValueError, match=message):
        MixedSampler(sources)
