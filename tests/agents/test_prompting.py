"""The training prompts: the template, the plain share, and evaluation under the template."""

import pytest

from agents.config import ConfigError, PromptConfig, from_dict
from agents.prompting import PromptBuilder, TemplatedEngine
from guru_envs.rollout.base import Completion, RolloutEngine, RolloutGroup, SamplingParams
from tests.agents import helpers

helpers.register()


def tasks(n):
    from guru_envs.core.registry import catalog

    family = catalog().family("agenttest", "vowels")
    return [family.sample(seed, 1) for seed in range(n)]


def test_plain_share_sends_that_share_plain_and_always_the_same_tasks():
    batch = tasks(400)
    half = PromptBuilder("Be brief.", True, 123, plain_share=0.25)
    plain = [t for t in batch if half.messages(t) == t.messages()]
    assert 0.18 < len(plain) / len(batch) < 0.32
    again = PromptBuilder("Be brief.", True, 123, plain_share=0.25)  # a resumed run decides the same way
    assert [again.is_plain(t) for t in batch] == [half.is_plain(t) for t in batch]
    templated = [t for t in batch if not half.is_plain(t)]
    assert all(half.messages(t) == half.template(t) and len(half.messages(t)) == 4 for t in templated)
    assert all(not PromptBuilder("x", True, 123).is_plain(t) for t in batch)
    assert all(PromptBuilder("x", True, 123, plain_share=1.0).messages(t) == t.messages() for t in batch)
    with pytest.raises(ValueError):
        PromptBuilder("x", True, 123, plain_share=1.5)


def test_config_carries_the_plain_share_and_refuses_bad_ones():
    assert PromptBuilder.from_config(PromptConfig(plain_share=0.5)).plain_share == 0.5
    with pytest.raises(ConfigError, match="plain_share"):
        from_dict({"prompt": {"plain_share": -0.1}})


class EchoEngine(RolloutEngine):
    """Answers with the number of messages it was sent."""

    def __init__(self):
        super().__init__(tokenizer=object())  # never used: nothing is rendered

    def _generate(self, prompts, params):
        return [
            RolloutGroup("", [], [Completion(str(len(p)), [1], "stop") for _ in range(params.n)])
            for p in prompts
        ]


def test_evaluation_under_the_template_never_uses_the_plain_share():
    batch = tasks(20)
    builder = PromptBuilder("Be brief.", True, 123, plain_share=1.0)
    groups = TemplatedEngine(EchoEngine(), builder, batch).generate(
        [t.messages() for t in batch], SamplingParams(n=1)
    )
    assert {g.completions[0].text for g in groups} == {"4"}  # system, example, answer, task: every time
