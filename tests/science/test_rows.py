"""GURU/verl rows: stem__gpqa*, stem__supergpqa* (letters) and stem_web (free form, rules) score correctly.

Rows are built in the exact shapes of GURU's preprocessing scripts (LLM360/Reasoning360
``data_preprocess/stem/{gpqa,gpqa_diamond,supergpqa,webinstruct}.py``).
"""

import time

import gymnasium as gym
import pytest

import guru_envs  # noqa: F401 - registers the envs
from guru_envs.core.dataset import load_tasks, write_rows
from guru_envs.core.rows import from_row
from guru_envs.core.scoring import score, score_batch
from guru_envs.core.task import Task
from guru_envs.science.web import rule_check
from guru_envs.testing import HOSTILE_RESPONSES

BOX_INSTRUCTION = (
    "Please reason step by step, and put your final answer option within \\boxed{}. Only put the letter in the box, "
    "e.g. \\boxed{A}. There is only one correct answer."
)
WEB_SYSTEM = (
    "You are a knowledgeable assistant. Answer the following questions and think step by step. Please output the "
    "final answer within \\boxed{}. "
)


def gpqa_row(data_source="stem__gpqa_diamond", boxed=True, letter="C", index=0):
    choices = "A) 2.1 eV\nB) 4.2 eV\nC) 6.3 eV\nD) 8.4 eV\n"
    question = "What is the photon energy in question?"
    if boxed:
        prompt = f"{question}\n{choices}{BOX_INSTRUCTION}"
    else:
        prompt = (
            "Answer the following multiple choice question. The last line of your response should be of the following "
            "format: 'Answer: $LETTER' (without quotes) where LETTER is one of ABCD. Think step by step before "
            f"answering.\n{question}\n{choices}"
        )
    return {
        "data_source": data_source,
        "prompt": [{"role": "user", "content": prompt}],
        "ability": "stem",
        "apply_chat_template": True,
        "reward_model": {"style": "rule", "ground_truth": letter},
        "extra_info": {
            "split": "test",
            "index": index,
            "original_prompt": prompt,
            "dataset": "Idavidrein/gpqa",
        },
    }


def supergpqa_row(letter="H", index=0):
    options = "Options are:\n" + "".join(f"({k}): {v}\n" for k, v in zip("ABCDEFGHIJ", range(10, 20)))
    prompt = f"Which value is right?\n{options}\n{BOX_INSTRUCTION}"
    return {
        "data_source": "stem__supergpqa",
        "prompt": [{"role": "user", "content": prompt}],
        "ability": "stem",
        "apply_chat_template": True,
        "reward_model": {"style": "rule", "ground_truth": letter},
        "extra_info": {
            "split": "test",
            "index": index,
            "original_prompt": prompt,
            "dataset": "m-a-p/SuperGPQA",
        },
    }


def web_row(answer, question="A 0.50 L sample ... what is the concentration?", index=7):
    return {
        "data_source": "stem_web",
        "prompt": [{"role": "user", "content": WEB_SYSTEM + question}],
        "raw_prompt": question,
        "ability": "QA",
        "apply_chat_template": True,
        "response": answer,
        "reward_model": {"ground_truth": answer},
        "extra_info": {
            "idx": index,
            "question": question,
            "category": "Chemistry",
            "difficulty": "University",
            "answer_type": "Float",
            "token_length": 8,
        },
    }


@pytest.mark.parametrize("source", ["stem__gpqa", "stem__gpqa_diamond", "stem__gpqa_diamond_no_box"])
@pytest.mark.parametrize(
    ("response", "reward"),
    [
        ("The energy is 6.3 eV.\n\\boxed{C}", 1.0),
        ("Reasoning...\nAnswer: C", 1.0),
        ("Reasoning...\nAnswer: $C$", 1.0),
        ("\\boxed{6.3 eV}", 1.0),
        ("\\boxed{B}", 0.0),
        ("Answer: A", 0.0),
        ("I cannot tell.", 0.0),
        ("\\boxed{E}", 0.0),
        ("\\boxed{C or D}", 0.0),
        ("<think>\\boxed{C}</think>\nno final answer", 0.0),
    ],
)
def test_gpqa_rows(source, response, reward):
    task = Task.from_record(gpqa_row(source, boxed="no_box" not in source))
    assert task.family == "gpqa" and task.answer == "C"
    assert task.meta["options"] == {"A": "2.1 eV", "B": "4.2 eV", "C": "6.3 eV", "D": "8.4 eV"}
    assert score(task, response).reward == reward


def test_supergpqa_rows_use_ten_letters():
    task = Task.from_record(supergpqa_row("H"))
    assert "".join(task.meta["options"]) == "ABCDEFGHIJ"
    assert score(task, "so \\boxed{H}").reward == 1.0
    assert score(task, "so \\boxed{(H)}").reward == 1.0
    assert score(task, "so \\boxed{17}").reward == 1.0  # the text of option H
    assert score(task, "so \\boxed{G}").reward == 0.0
    # GURU would draw a random letter here and pay 1/10 of the time; the verdict must be a fixed 0
    assert {score(task, "Final Answer: I do not know\n").reward for _ in range(30)} == {0.0}


def test_bad_rows_are_refused():
    with pytest.raises(ValueError):
        Task.from_record(gpqa_row(letter="Z"))
    with pytest.raises(ValueError):
        Task.from_record(gpqa_row(letter="AB"))
    with pytest.raises(ValueError, match="not among the options"):
        Task.from_record(gpqa_row(letter="F"))


def test_rows_through_files_and_env(tmp_path):
    rows = [gpqa_row(index=i) for i in range(3)] + [supergpqa_row(index=5), web_row("0.0214 M")]
    path = write_rows(rows, tmp_path / "stem.parquet")
    tasks = load_tasks(path)
    assert [t.family for t in tasks] == ["gpqa", "gpqa", "gpqa", "gpqa", "web"]
    env = gym.make("guru/Science-v0", dataset=str(path))
    env.reset(seed=0, options={"index": 4})
    _, reward, terminated, _, info = env.step("c = n/V = 0.0214 mol/L\n\\boxed{21.4 mM}")
    assert reward == 1.0 and terminated and info["correct"]
    env.reset(seed=0, options={"index": 3})
    _, reward, *_ = env.step("\\boxed{H}")
    assert reward == 1.0
    env.close()
    again = [Task.from_record(t.to_record()) for t in tasks]
    assert again == tasks


def test_batch_scoring_of_rows():
    tasks = [Task.from_record(gpqa_row(index=i)) for i in range(8)]
    responses = [
        "\\boxed{C}",
        "\\boxed{A}",
        "Answer: C",
        "",
        None,
        "\\boxed{" * 1000,
        "x" * 100_000,
        "\\boxed{6.3 eV}",
    ]
    rewards = [s.reward for s in score_batch(tasks, responses, workers=2)]
    assert rewards == [1.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0]


@pytest.mark.parametrize(
    ("reference", "answer", "ok"),
    [
        ("0.0214 M", "0.0214 M", True),
        ("0.0214 M", "21.4 mM", True),
        ("0.0214 M", "0.0214 mol/L", True),
        ("0.0214 M", "0.0214", True),  # bare number in the reference's unit
        ("0.0214 M", "0.0428 M", False),
        ("0.0214 M", "0.0214 g", False),
        ("0.0214 M", "21.4 M", False),
        ("$8,645.09", "8645.09", True),
        ("$8,645.09", "\\$8,645", True),
        ("$8,645.09", "8,200", False),
        ("-285.8 kJ/mol", "-285800 J/mol", True),
        ("-285.8 kJ/mol", "285.8 kJ/mol", False),
        ("3.2 m/s", "11.52 km/h", True),
        ("3.2 m/s", "3.2 m", False),
        ("1.52 × 10^-4 m/s", "1.52e-4 m/s", True),
        ("25%", "0.25", True),
        ("25%", "25", True),
        ("0.25", "25\\%", True),
        ("25%", "0.5", False),
        ("CH4", "CH_4", True),
        ("CH4", "\\mathrm{CH_{4}}", True),
        ("Co", "CO", False),
        ("mitochondria", "The mitochondria.", True),
        ("sp3 hybridization", "sp3 hybridization", True),
        ("\\frac{\\sqrt{3}}{2}", "\\sqrt{3}/2", True),
        ("\\frac{\\sqrt{3}}{2}", "0.866", True),
        ("2x + 1", "1 + 2x", True),
        ("2x + 1", "2x - 1", False),
        ("12", "", False),
        # units are checked, dimensionless ones too: an angle is not a percentage, radians are not degrees
        ("45 degrees", "45 rad", False),
        ("45 degrees", "45°", True),
        ("45 degrees", "0.7854 rad", True),
        ("45 degrees", "45", True),
        ("45 degrees", "45%", False),
        ("0.785 rad", "45^\\circ", True),
        ("25%", "25 rad", False),
        ("12", "12 m", False),
        ("1.6 \\times 10^{-19}", "9 \\times 10^{-20}", False),  # no absolute slack on tiny numbers
        # one claim: hedges, alternatives, negations, comparisons, false equations are refused
        ("0.47", "0.47 or thirteen", False),
        ("0.47", "0.47 \\text{ or } 0.5", False),
        ("0.47", "about 0.47", False),
        ("0.47", "\\approx 0.47", True),
        ("0.47", "x = 0.47", True),
        ("0.47", "0.5 = 0.47", False),
        ("0.47", "0.47 \\pm 0.1", False),
        ("0.47", "< 0.47", False),
        ("0.47", "not 0.47", False),
        ("3.2 m/s", "3.2 m/s or 6.4 m/s", False),
        ("3.2 m/s", "v = 3.2 m/s", True),
        ("3.2 m/s", "v = 6.4 m/s = 3.2 m/s", False),
        ("12", "12 thousand", False),
        ("12", "12 apples", False),  # a word the question does not use
        ("\\frac{\\sqrt{3}}{2}", "\\frac{\\sqrt{3}}{2} \\text{ or } 0.5", False),
        ("\\frac{\\sqrt{3}}{2}", "0.5 = \\frac{\\sqrt{3}}{2}", False),
        ("CH4", "CH4 or CO2", False),
        ("mitochondria", "mitochondria or ribosome", False),
        ("mitochondria", "not mitochondria", False),
    ],
)
def test_web_rules(reference, answer, ok):
    assert rule_check(answer, reference)[0] is ok


@pytest.mark.parametrize(
    ("reference", "answer"),
    [
        ("0.0214 M", "2.14 \\times 10^{-2} M"),
        ("0.0214 M", "0.0214\\,\\mathrm{mol\\,L^{-1}}"),
        ("0.0214 M", "c = 0.0214 \\text{ mol/L}"),
        ("0.0214 M", "[NaCl] = 0.0214 M"),
        ("0.0214 M", "\\approx 0.0214 M"),
        ("\\frac{\\sqrt{3}}{2}", "\\sin 60^\\circ"),
        ("\\frac{\\sqrt{3}}{2}", "x = \\frac{\\sqrt{3}}{2}"),
        ("x > 5", "5 < x"),
        ("x^2 + 1", "f(x) = x^2 + 1"),
        ("45 degrees", "\\pi/4 rad"),
        ("45 degrees", "\\frac{\\pi}{4} \\text{ rad}"),
        ("45 degrees", "\\theta = 45^{\\circ}"),
        ("1.34 \\times 10^5 J", "134 000 J"),
        ("1.34 \\times 10^5 J", "1.34\\cdot 10^{5}\\,\\mathrm{J}"),
        ("$8,645.09", "8,645.09 dollars"),
        ("CH4", "CH₄"),
        ("25 °C", "25 ^\\circ\\text{C}"),
        ("25 °C", "298.15 K"),
    ],
)
def test_web_accepts_right_answers_in_common_spellings(reference, answer):
    assert rule_check(answer, reference)[0] is True


@pytest.mark.parametrize(
    ("reference", "answer"),
    [
        ("mitochondria", "mitochondria?"),
        ("\\pi/2", "\\pi = \\pi/2"),  # pi is a number, not a name
        ("\\pi/2", "\\pi \\approx \\pi/2"),
        ("Yes", "Yes?"),
    ],
)
def test_web_refuses_questions_and_false_definitions(reference, answer):
    assert rule_check(answer, reference)[0] is False


def test_web_labels_the_question_uses():
    allow = frozenset({"apples"})
    assert rule_check("12 apples", "12", allow=allow)[0] is True
    assert rule_check("12 apples or 13", "12", allow=allow)[0] is False


@pytest.mark.parametrize(
    ("response", "reward"),
    [
        ("The concentration is \\boxed{0.0214 M}.", 1.0),
        ("\\boxed{2.14 \\times 10^{-2}\\,\\mathrm{mol\\,L^{-1}}}", 1.0),
        ("0.0214 M", 0.0),  # no box
        ("\\boxed{0.0214 M}\n\\boxed{0.5 M}", 0.0),  # several different boxes are several claims
        ("\\boxed{0.5 M}\n\\boxed{0.0214 M}", 0.0),  # even when the last one is right
        ("\\boxed{0.0214 M} that is \\boxed{21.4 mM}", 1.0),  # the same value twice is one answer
        ("\\boxed{" + "1" * 600 + "}", 0.0),
    ],
)
def test_web_rows_default_to_rules(response, reward):
    task = Task.from_record(web_row("0.0214 M"))
    assert task.family == "web" and task.meta["question"].startswith("A 0.50 L")
    assert score(task, response).reward == reward


@pytest.mark.parametrize("label", sorted(HOSTILE_RESPONSES))
def test_row_verifiers_survive_hostile_responses(label):
    from guru_envs.science.web import WebFamily

    response = HOSTILE_RESPONSES[label]
    tasks = [
        Task.from_record(gpqa_row()),
        Task.from_record(supergpqa_row()),
        Task.from_record(web_row("0.0214 M")),
    ]
    for task in tasks:
        start = time.perf_counter()
        assert score(task, response).reward == 0.0, (task.family, label)
        assert time.perf_counter() - start < 5.0
    hybrid_down = WebFamily(verifier="hybrid", judge_url="http://127.0.0.1:9", judge_timeout=1.0)
    assert score(tasks[2], response, family=hybrid_down).reward == 0.0


@pytest.mark.parametrize(
    ("reference", "question", "answer", "paid"),
    [
        # a percent sign on the answer's side is free only where the question speaks of a percentage
        ("0.25", "What is the probability of heads twice?", "0.25\\%", False),
        ("0.25", "What is the probability of heads twice?", "25\\%", True),
        ("250", "How many joules of work are done?", "250\\%", False),
        ("250", "How many joules of work are done?", "25000\\%", True),  # odd, but 250 by value
        ("\\frac{\\sqrt{3}}{2}", "Find sin 60 degrees.", "\\frac{\\sqrt{3}}{2}\\%", False),
        ("0.7", "What fraction of the marbles are red?", "0.7 \\text{ percent red}", False),
        ("0.7", "What fraction of the marbles are red?", "70 \\text{ percent}", True),
        ("47.1\\%", "What percent of the energy is lost?", "47.1", True),
        ("47.1", "What percent of the energy is lost?", "47.1\\%", True),
    ],
)
def test_web_percent_signs_cost_where_no_percentage_is_asked(reference, question, answer, paid):
    verdict = score(from_row(web_row(reference, question=question)), f"So the answer is \\boxed{{{answer}}}.")
    assert verdict.reward == float(paid), (answer, verdict.reason)
