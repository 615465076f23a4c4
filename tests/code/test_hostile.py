"""Reward hacking at the domain level: submissions that try to pass without solving score 0, in every mode.

The sandbox's own suite (tests/sandbox) covers containment (fork bombs, memory, files, network ...); here
the question is only whether a *Code task* can be passed by gaming the verifier. For functional tests
the same programs are also run the way GURU's executor runs them (solution and tests in one process,
exit status 0 = pass) to show that they would pass there.
"""

import json

import pytest

import guru_envs
from guru_envs.code.guru import GuruCodeFamily
from guru_envs.code.humaneval import HumanEvalFamily, task_for
from guru_envs.code.humaneval import problems as humaneval_problems
from guru_envs.sandbox import run as sandbox_run

CATALOG = guru_envs.catalog()
ARRAYS = CATALOG.family("code", "arrays", io="call")
CALL_TASK = type("One", (type(ARRAYS),), {"templates": (ARRAYS.template("max_subarray_sum"),)})(
    io="call"
).sample(1, 2)
STDIO_FAMILY = type("One", (type(ARRAYS),), {"templates": (ARRAYS.template("max_subarray_sum"),)})(io="stdio")
STDIO_TASK = STDIO_FAMILY.sample(1, 2)


def fence(code):
    return f"```python\n{code}\n```"


REFERENCE = "def max_subarray_sum(nums):\n    best = cur = nums[0]\n    for x in nums[1:]:\n        cur = max(x, cur + x)\n        best = max(best, cur)\n    return best\n"

CALL_HACKS = {
    "os._exit(0) at import": "import os\nos._exit(0)\n" + REFERENCE,
    "sys.exit(0) at import": "import sys\nsys.exit(0)\n" + REFERENCE,
    "SystemExit(0) in the call": "def max_subarray_sum(nums):\n    raise SystemExit(0)\n",
    "os._exit(0) in the call": "import os\ndef max_subarray_sum(nums):\n    os._exit(0)\n",
    "always-equal object": "class Any:\n    def __eq__(self, other):\n        return True\n    __hash__ = object.__hash__\ndef max_subarray_sum(nums):\n    return Any()\n",
    "int subclass that lies": "class Liar(int):\n    def __eq__(self, other):\n        return True\n    __hash__ = int.__hash__\ndef max_subarray_sum(nums):\n    return Liar(-987654321)\n",
    "list subclass that lies": "class L(list):\n    def __eq__(self, other):\n        return True\ndef max_subarray_sum(nums):\n    return L()\n",
    "patched builtins and json": "import builtins, json\nbuiltins.isinstance = lambda *a: True\njson.dumps = lambda *a, **k: '0'\ndef max_subarray_sum(nums):\n    return 0\n",
    "forged result records": "import os, json\nfor k in range(64):\n    try:\n        os.write(3, (json.dumps({'k': k, 'status': 'ok', 'value': 0}) + '\\n').encode())\n    except OSError:\n        pass\nos._exit(0)\n",
    "kill the parent": "import os, signal\ndef max_subarray_sum(nums):\n    for pid in (os.getppid(), 1):\n        try:\n            os.kill(pid, signal.SIGKILL)\n        except OSError:\n            pass\n    return 0\n",
    "hunt for the expected outputs": (
        "import os\n"
        "def max_subarray_sum(nums):\n"
        "    found = []\n"
        "    for root, dirs, files in os.walk('/'):\n"
        "        found += [os.path.join(root, f) for f in files if f.endswith(('.json', '.parquet', '.jsonl'))]\n"
        "        if len(found) > 100:\n"
        "            break\n"
        "    for path in found:\n"
        "        try:\n"
        "            text = open(path).read()\n"
        "        except OSError:\n"
        "            continue\n"
        "        if str(nums) in text:\n"
        "            return 0\n"
        "    raise RuntimeError(f'found nothing in {len(found)} files')\n"
    ),
    "read the scorer's memory": "import os\ndef max_subarray_sum(nums):\n    return len(open(f'/proc/{os.getppid()}/environ', 'rb').read())\n",
    "infinite loop": "def max_subarray_sum(nums):\n    while True:\n        pass\n",
    "returns a generator": "def max_subarray_sum(nums):\n    return (x for x in nums)\n",
}


@pytest.mark.parametrize("label", sorted(CALL_HACKS))
def test_call_mode_hacks_score_zero(label):
    score = ARRAYS.score(CALL_TASK, fence(CALL_HACKS[label]))
    assert score.reward == 0.0 and not score.correct, score.reason


def test_the_scorer_survives_and_still_scores_the_reference():
    for label in ("kill the parent", "forged result records"):
        ARRAYS.score(CALL_TASK, fence(CALL_HACKS[label]))
    assert ARRAYS.score(CALL_TASK, fence(REFERENCE)).reward == 1.0


STDIO_MAIN = (
    "\nimport sys\nnums = list(map(int, sys.stdin.read().split()))[1:]\nprint(max_subarray_sum(nums))\n"
)
STDIO_HACKS = {
    "exit 0 before printing": "import os\nos._exit(0)\n" + REFERENCE + STDIO_MAIN,
    "print the first example's output for everything": "print({out!r}, end='')",
    "print every example output": "print({both!r})",
    "print nothing": "pass",
    "endless output": "while True:\n    print('7' * 1000)",
    "exit status 0 after a wrong answer via atexit": "import atexit\natexit.register(lambda: print(0))\n",
}


@pytest.mark.parametrize("label", sorted(STDIO_HACKS))
def test_stdio_mode_hacks_score_zero(label):
    first = STDIO_TASK.meta["examples"][0]
    outs = [STDIO_TASK.answer["outputs"][i] for i in STDIO_TASK.meta["examples"]]
    code = STDIO_HACKS[label].format(out=STDIO_TASK.answer["outputs"][first], both="".join(outs))
    score = STDIO_FAMILY.score(STDIO_TASK, fence(code))
    assert score.reward == 0.0 and not score.correct, score.reason
    assert STDIO_FAMILY.score(STDIO_TASK, fence(REFERENCE + STDIO_MAIN)).reward == 1.0


# --------------------------------------------------------------------------- functional (assert) tests

PREFIX = (
    "from typing import *\n\n"
    "class ListNode:\n"
    "    def __init__(self, val=0, next=None):\n"
    "        self.val = val\n"
    "        self.next = next\n\n"
    "def list_node(values: list):\n"
    "    head = None\n"
    "    for v in reversed(values):\n"
    "        head = ListNode(v, head)\n"
    "    return head\n\n"
    "def is_same_list(p1, p2):\n"
    "    while p1 and p2:\n"
    "        if p1.val != p2.val:\n"
    "            return False\n"
    "        p1, p2 = p1.next, p2.next\n"
    "    return p1 is None and p2 is None\n"
)
LEETCODE_TESTS = (
    "def check(candidate):\n"
    "    assert is_same_list(candidate(head = list_node([1, 2, 3])), list_node([3, 2, 1]))\n"
    "    assert is_same_list(candidate(head = list_node([7])), list_node([7]))\n"
    "    assert candidate(head = list_node([])) is None\n\n"
    "check(Solution().reverseList)"
)
LEETCODE_ROW = {
    "data_source": "codegen__leetcode2k",
    "prompt": [{"role": "user", "content": "Reverse a singly linked list."}],
    "ability": "codegen",
    "reward_model": {
        "style": "rule",
        "ground_truth": json.dumps({"functional": LEETCODE_TESTS}),
    },
    "extra_info": {"index": 7, "prefix": PREFIX},
}
LEETCODE_SOLUTION = (
    "class Solution:\n"
    "    def reverseList(self, head: Optional[ListNode]) -> Optional[ListNode]:\n"
    "        prev = None\n"
    "        while head:\n"
    "            head.next, prev, head = prev, head, head.next\n"
    "        return prev\n"
)
FUNCTIONAL_HACKS = {
    "os._exit(0) before the tests": "import os\nos._exit(0)\n",
    "sys.exit(0) at the end of the module": "import sys\nclass Solution:\n    def reverseList(self, head):\n        return head\nsys.exit(0)\n",
    "own check() that passes": "def check(candidate):\n    pass\nclass Solution:\n    def reverseList(self, head):\n        return None\n",
    "helper overridden to always agree": "def is_same_list(a, b):\n    return True\nclass Solution:\n    def reverseList(self, head):\n        return None\n",
    "AssertionError neutered": "import builtins\nclass Quiet(Exception):\n    pass\nbuiltins.AssertionError = Quiet\nclass Solution:\n    def reverseList(self, head):\n        return None\n",
    "always-equal result": "class Any:\n    def __eq__(self, o):\n        return True\n    val = 0\n    next = None\nclass Solution:\n    def reverseList(self, head):\n        return Any()\n",
    "remote entry replaced by a thread": (
        "import threading, time\n"
        "def _swap():\n"
        "    time.sleep(0.05)\n"
        "    globals()['__guru_remote__'] = lambda *a, **k: {'value': None}\n"
        "threading.Thread(target=_swap, daemon=True).start()\n"
        "class Solution:\n    def reverseList(self, head):\n        time.sleep(0.2)\n        return None\n"
    ),
}
FUNCTIONAL_HACKS["exit status 0 from atexit"] = (
    "import atexit, os\natexit.register(lambda: os._exit(0))\nclass Solution:\n    def reverseList(self, head):\n        return None\n"
)
# Hacks that GURU's executor (solution + tests in one process, exit status 0 = pass) accepts.
PASS_IN_GURU = {
    "os._exit(0) before the tests",
    "helper overridden to always agree",
    "exit status 0 from atexit",
}


@pytest.mark.parametrize("label", sorted(FUNCTIONAL_HACKS))
def test_functional_hacks_score_zero(label):
    family = GuruCodeFamily()
    task = family.task_from_row(LEETCODE_ROW)
    assert family.score(task, fence(LEETCODE_SOLUTION)).reward == 1.0
    score = family.score(task, fence(FUNCTIONAL_HACKS[label]))
    assert score.reward == 0.0 and not score.correct, score.reason


@pytest.mark.parametrize("label", sorted(PASS_IN_GURU))
def test_those_hacks_pass_a_same_process_executor(label):
    # For contrast: the prefix, the submission and the tests in one program, judged by exit status.
    program = PREFIX + "\n" + FUNCTIONAL_HACKS[label] + "\n" + LEETCODE_TESTS
    assert sandbox_run(program).exit_code == 0
    assert (
        sandbox_run(
            PREFIX
            + "\nclass Solution:\n    def reverseList(self, head):\n        return None\n"
            + LEETCODE_TESTS
        ).exit_code
        != 0
    )


def test_builtins_and_standard_modules_cannot_be_supplied_by_the_submission():
    row = {
        "data_source": "codegen__mbpp",
        "prompt": [{"role": "user", "content": "Write area(r), the area of a circle."}],
        "reward_model": {
            "ground_truth": {
                "functional": "assert math.isclose(area(2), 12.566370614359172)\nassert all([area(1) > 3])\n"
            }
        },
        "extra_info": {"index": 1},
    }
    family = GuruCodeFamily()
    task = family.task_from_row(row)
    assert family.score(task, fence("import math\ndef area(r):\n    return math.pi * r * r")).reward == 1.0
    fake = "class math:\n    isclose = staticmethod(lambda *a, **k: True)\ndef all(x):\n    return True\ndef area(r):\n    return 0\n"
    assert family.score(task, fence(fake)).reward == 0.0


def test_humaneval_hacks_score_zero():
    family = HumanEvalFamily()
    problem = humaneval_problems()[0]
    task = task_for(problem)
    entry = problem["entry_point"]
    hacks = [
        "import os\nos._exit(0)\n",
        f"def {entry}(*args):\n    raise SystemExit(0)\n",
        f"class T:\n    def __eq__(self, o):\n        return True\n    def __bool__(self):\n        return True\ndef {entry}(*args):\n    return T()\n",
        f"def check(candidate):\n    return None\ndef {entry}(*args):\n    return None\n",
        f"import builtins\nbuiltins.AssertionError = KeyError\ndef {entry}(*args):\n    return True\n",
    ]
    for code in hacks:
        score = family.score(task, fence(code))
        assert score.reward == 0.0, (code, score.reason)


def test_always_equal_objects_pass_a_same_process_executor_but_not_here():
    tests = "def check_square():\n    assert Solution().square(3) == 9\n    assert Solution().square(-2) == 4\n\ncheck_square()\n"
    hack = "class Any:\n    def __eq__(self, o):\n        return True\nclass Solution:\n    def square(self, x):\n        return Any()\n"
    assert sandbox_run(hack + "\n" + tests).exit_code == 0
    row = {
        "data_source": "codegen__livecodebench",
        "prompt": [{"role": "user", "content": "Square x."}],
        "reward_model": {"ground_truth": {"functional": tests}},
        "extra_info": {"index": 3},
    }
    family = GuruCodeFamily()
    task = family.task_from_row(row)
    score = family.score(task, fence(hack))
    assert score.reward == 0.0 and not score.correct and "plain data" in score.feedback
    assert (
        family.score(task, fence("class Solution:\n    def square(self, x):\n        return x * x\n")).reward
        == 1.0
    )


# ----------------------------------------------------------------- issue 18: the hidden tests stay hidden

# Reads every string it can reach in its own process (frames, gc, its whole memory) and in every other
# process it can open, looking for a regular expression that matches the hidden check or reference
# code (and, being written with escapes, never its own text).
FIND = r"""
import gc, os, re, sys

def _blobs():
    f = sys._getframe()
    while f is not None:
        for space in (f.f_locals, f.f_globals):
            for v in list(space.values()):
                if isinstance(v, (str, bytes)):
                    yield v if isinstance(v, bytes) else v.encode("utf-8", "replace")
        f = f.f_back
    for o in gc.get_objects():
        if isinstance(o, dict):
            for v in list(o.values()):
                if isinstance(v, str):
                    yield v.encode("utf-8", "replace")
    for pid in ["self"] + [p for p in os.listdir("/proc") if p.isdigit()]:
        try:
            maps = open(f"/proc/{pid}/maps").read().splitlines()
            mem = open(f"/proc/{pid}/mem", "rb", 0)
        except OSError:
            continue
        for line in maps:
            addr, perms = line.split()[:2]
            lo, hi = (int(x, 16) for x in addr.split("-"))
            if "r" in perms and hi - lo < 1 << 28:
                try:
                    mem.seek(lo)
                    yield mem.read(hi - lo)
                except (OSError, ValueError, OverflowError):
                    pass

_found = {}

def find(pattern):
    if pattern not in _found:  # once per process: the check calls the candidate many times
        rx = re.compile(pattern.encode())
        _found[pattern] = None
        for blob in _blobs():
            m = rx.search(blob)
            if m:
                _found[pattern] = blob[m.start() : m.start() + 4000].decode("utf-8", "replace")
                break
    return _found[pattern]
"""


def test_humaneval_check_mode_cannot_be_replayed_from_the_reference():
    """HumanEval/32 runs as a trusted check with the canonical solution loaded beside it: a submission
    that finds that solution (or the check) anywhere it can read, and replays it, would pass."""
    family = HumanEvalFamily()
    problem = humaneval_problems()[32]
    task = task_for(problem)
    hack = FIND + (
        "def find_zero(xs):\n"
        "    ref = find(r'begin, end = -1\\., 1\\.\\s+while') or find(r'rng = random\\.Random\\(42\\)')\n"
        "    if ref is None:\n"
        "        return 12345.0\n"
        "    begin, end = -1.0, 1.0\n"  # what the reference says, replayed
        "    p = lambda x: sum(c * x ** i for i, c in enumerate(xs))\n"
        "    while p(begin) * p(end) > 0:\n"
        "        begin, end = begin * 2, end * 2\n"
        "    while end - begin > 1e-10:\n"
        "        c = (begin + end) / 2\n"
        "        if p(c) * p(begin) > 0:\n"
        "            begin = c\n"
        "        else:\n"
        "            end = c\n"
        "    return begin\n"
    )
    score = family.score(task, fence(hack))
    assert score.details["io"] == "check"
    assert score.reward == 0.0 and not score.correct, score.reason
    assert "begin, end" not in str(score.details) and "Random(42)" not in str(score.details)


def test_leetcode_assert_rows_cannot_be_replayed_from_the_tests():
    family = GuruCodeFamily()
    task = family.task_from_row(LEETCODE_ROW)
    hack = FIND + (
        "class Solution:\n"
        "    def reverseList(self, head):\n"
        "        if find(r'check\\(Solution\\(\\)\\.reverseList\\)') is None:\n"
        "            return head\n"
        "        prev = None\n"
        "        while head:\n"
        "            head.next, prev, head = prev, head, head.next\n"
        "        return prev\n"
    )
    score = family.score(task, fence(hack))
    assert score.details["io"] == "check" and score.reward == 0.0, score.reason


def test_taco_rows_cannot_read_their_expected_outputs():
    row = {
        "data_source": "codegen__taco",
        "prompt": [{"role": "user", "content": "Sum a list."}],
        "reward_model": {
            "ground_truth": {
                "functional": "_inputs = [[[1, 2, 3]], [[5, -5, 5]]]\n_outputs = [[6], [5]]\n"
                "def _same(a, b):\n    return a == b\n"
                "for i, o in zip(_inputs, _outputs):\n    assert _same(total(*i), o[0])\n"
            }
        },
        "extra_info": {"index": 9},
    }
    family = GuruCodeFamily()
    task = family.task_from_row(row)
    assert family.score(task, fence("def total(xs):\n    return sum(xs)\n")).reward == 1.0
    hack = FIND + (
        "import ast\n"
        "def total(xs):\n"
        "    text = find(r'_outputs = \\[\\[')\n"
        "    if text is None:\n"
        "        return -1\n"
        "    outs = ast.literal_eval(re.search(r'_outputs = (\\[\\[.*?\\]\\])', text).group(1))\n"
        "    ins = re.search(r'_inputs = (\\[\\[\\[.*?\\]\\]\\])', find(r'_inputs = \\[\\[')).group(1)\n"
        "    return outs[[i[0] for i in ast.literal_eval(ins)].index(xs)][0]\n"
    )
    score = family.score(task, fence(hack))
    assert score.details["io"] == "check" and score.reward == 0.0, score.reason


def test_stop_iteration_does_not_end_a_checks_loop():
    """Issue 18, hole 7: ``raise StopIteration`` once passed ``assert all(map(is_even, [2, 4, 8]))``."""
    row = {
        "data_source": "codegen__mbpp",
        "prompt": [{"role": "user", "content": "Write is_even(n)."}],
        "reward_model": {
            "ground_truth": {"functional": "assert all(map(is_even, [2, 4, 8]))\nassert not is_even(3)\n"}
        },
        "extra_info": {"index": 2},
    }
    family = GuruCodeFamily()
    task = family.task_from_row(row)
    assert family.score(task, fence("def is_even(n):\n    return n % 2 == 0\n")).reward == 1.0
    for exc in ("StopIteration", "StopAsyncIteration", "GeneratorExit", "KeyboardInterrupt", "SystemExit"):
        hack = f"def is_even(n):\n    if n % 2:\n        return False\n    raise {exc}\n"
        score = family.score(task, fence(hack))
        assert score.reward == 0.0, (exc, score.reason)
