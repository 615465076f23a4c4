"""GURU/verl code rows: every ground-truth format and data source, scored by its own tests in the sandbox.

The rows below follow the shapes GURU's preprocessing scripts write (LLM360/Reasoning360,
data_preprocess/codegen/*.py), with our own small problems.
"""

import json

import pytest

import guru_envs
from guru_envs.code.guru import GuruCodeFamily, parse_tests
from guru_envs.core.task import Task

CATALOG = guru_envs.catalog()
FAMILY = GuruCodeFamily()


def fence(code):
    return f"```python\n{code}\n```"


def row(data_source, ground_truth, prompt="Solve the task.", **extra):
    return {
        "data_source": data_source,
        "prompt": [{"role": "user", "content": prompt}],
        "ability": "codegen",
        "reward_model": {"style": "rule", "ground_truth": json.dumps(ground_truth)},
        "extra_info": {"split": "train", "index": 0, **extra},
    }


LEETCODE_PREFIX = (
    "from typing import *\nfrom collections import *\nimport math\n\ninf = float('inf')\n\n"
    "class TreeNode:\n"
    "    def __init__(self, val=0, left=None, right=None):\n"
    "        self.val = val\n        self.left = left\n        self.right = right\n\n"
    "def tree_node(values: list):\n"
    "    if not values:\n        return None\n"
    "    root = TreeNode(values[0])\n    queue = deque([root])\n    i = 1\n"
    "    while queue and i < len(values):\n"
    "        node = queue.popleft()\n"
    "        if i < len(values) and values[i] is not None:\n"
    "            node.left = TreeNode(values[i])\n            queue.append(node.left)\n"
    "        i += 1\n"
    "        if i < len(values) and values[i] is not None:\n"
    "            node.right = TreeNode(values[i])\n            queue.append(node.right)\n"
    "        i += 1\n"
    "    return root\n\n"
    "def is_same_tree(p, q):\n"
    "    if not p and not q:\n        return True\n"
    "    if not p or not q or p.val != q.val:\n        return False\n"
    "    return is_same_tree(p.left, q.left) and is_same_tree(p.right, q.right)\n"
)

# (label, row, right solution, wrong solution)
CASES = [
    (
        "leetcode2k: check(Solution().method) with trees and the row's prefix",
        row(
            "codegen__leetcode2k",
            {
                "functional": "def check(candidate):\n    assert is_same_tree(candidate(root = tree_node([4,2,7,1,3])), tree_node([4,7,2,None,None,3,1]))\n    assert candidate(root = tree_node([])) is None\n    assert is_same_tree(candidate(root = tree_node([1, None, 2])), tree_node([1, 2]))\n\n\ncheck(Solution().invertTree)"
            },
            prefix=LEETCODE_PREFIX,
            reference="class Solution:\n    def invertTree(self, root: Optional[TreeNode]) -> Optional[TreeNode]:\n        if root:\n            root.left, root.right = self.invertTree(root.right), self.invertTree(root.left)\n        return root\n",
        ),
        "class Solution:\n    def invertTree(self, root: Optional[TreeNode]) -> Optional[TreeNode]:\n        if root is None:\n            return None\n        left = self.invertTree(root.left)\n        root.left = self.invertTree(root.right)\n        root.right = left\n        return root\n",
        "class Solution:\n    def invertTree(self, root: Optional[TreeNode]) -> Optional[TreeNode]:\n        return root\n",
    ),
    (
        "leetcode2k: list arguments changed in place are seen by the tests",
        row(
            "codegen__leetcode2k",
            {
                "functional": "def check(candidate):\n    nums = [2, 0, 2, 1, 1, 0]\n    candidate(nums)\n    assert nums == [0, 0, 1, 1, 2, 2]\n\ncheck(Solution().sortColors)"
            },
            prefix=LEETCODE_PREFIX,
        ),
        "class Solution:\n    def sortColors(self, nums: List[int]) -> None:\n        nums.sort()\n",
        "class Solution:\n    def sortColors(self, nums: List[int]) -> None:\n        nums = sorted(nums)\n",
    ),
    (
        "livecodebench functional: assert Solution().f(...) == ...",
        row(
            "codegen__livecodebench",
            {
                "functional": "def check_minOperations():\n    assert Solution().minOperations([2, 11, 10, 1, 3], 10) == 3\n    assert Solution().minOperations([1, 1, 2, 4, 9], 1) == 0\n    assert Solution().minOperations([1, 1, 2, 4, 9], 9) == 4\n\ncheck_minOperations()\n"
            },
        ),
        "class Solution:\n    def minOperations(self, nums, k):\n        return sum(1 for x in nums if x < k)\n",
        "class Solution:\n    def minOperations(self, nums, k):\n        return sum(1 for x in nums if x <= k)\n",
    ),
    (
        "livecodebench stdin",
        row("codegen__livecodebench", {"inputs": ["3\n1 2 3\n", "1\n-5\n"], "outputs": ["6\n", "-5\n"]}),
        "input()\nprint(sum(map(int, input().split())))\n",
        "input()\nprint(max(map(int, input().split())))\n",
    ),
    (
        "primeintellect function call",
        row(
            "codegen__primeintellect",
            {
                "functional": "def check_count_vowels():\n    assert count_vowels('hello') == 2\n    assert count_vowels('') == 0\n    assert count_vowels('AEIOU') == 5\n\ncheck_count_vowels()\n"
            },
            function_name="count_vowels",
        ),
        "def count_vowels(s):\n    return sum(ch in 'aeiouAEIOU' for ch in s)\n",
        "def count_vowels(s):\n    return sum(ch in 'aeiou' for ch in s)\n",
    ),
    (
        "primeintellect stdin/stdout with yes/no and float tolerance",
        row(
            "codegen__primeintellect",
            {"inputs": ["4\n", "7\n"], "outputs": ["YES\n2.0000000\n", "NO\n3.5\n"]},
        ),
        "n = int(input())\nprint('yes' if n % 2 == 0 else 'no')\nprint(n / 2)\n",
        "n = int(input())\nprint('yes')\nprint(n / 2)\n",
    ),
    (
        "taco call-based (functional loop over _inputs/_outputs)",
        row(
            "codegen__taco",
            {
                "functional": "_inputs = [[[1, 2, 3]], [[]], [[5, -5, 5]]]\n_outputs = [[6], [0], [5]]\nimport math\ndef _deep_eq(a, b, tol=1e-5):\n    if isinstance(a, float) or isinstance(b, float):\n        return math.isclose(a, b, rel_tol=tol, abs_tol=tol)\n    if isinstance(a, (list, tuple)):\n        if len(a) != len(b): return False\n        return all(_deep_eq(x, y, tol) for x, y in zip(a, b))\n    return a == b\n\nfor i, o in zip(_inputs, _outputs):\n    assert _deep_eq(total(*i), o[0])"
            },
            source="codewars",
        ),
        "def total(xs):\n    return sum(xs)\n",
        "def total(xs):\n    return sum(xs) if xs else None\n",
    ),
    (
        "taco stdin/stdout (lines given as lists)",
        row("codegen__taco", {"inputs": [["2", "3 4"], ["1", "9"]], "outputs": [["7"], ["9"]]}),
        "input()\nprint(sum(map(int, input().split())))\n",
        "print(7)\n",
    ),
    (
        "mbpp bare asserts (single-underscore source name too)",
        row(
            "codegen_mbpp",
            {
                "functional": "assert similar_elements((3, 4, 5, 6),(5, 7, 4, 10)) == (4, 5)\nassert similar_elements((1, 2, 3, 4),(5, 4, 3, 7)) == (3, 4)\n"
            },
        ),
        "def similar_elements(a, b):\n    return tuple(sorted(set(a) & set(b)))\n",
        "def similar_elements(a, b):\n    return sorted(set(a) & set(b))\n",
    ),
    (
        "apps/verl fn_name form, results wrapped in a list",
        {
            "data_source": "apps",
            "prompt": [{"role": "user", "content": "Add two numbers."}],
            "reward_model": {
                "ground_truth": json.dumps(
                    {"fn_name": "add", "inputs": [[1, 2], [5, 5]], "outputs": [[3], [10]]}
                )
            },
            "extra_info": {"index": 4},
        },
        "def add(a, b):\n    return a + b\n",
        "def add(a, b):\n    return a * b\n",
    ),
    (
        "design class: state across calls",
        row(
            "codegen__leetcode2k",
            {
                "functional": "obj = MinStack()\nobj.push(3)\nobj.push(1)\nassert obj.getMin() == 1\nobj.pop()\nassert obj.getMin() == 3\nassert obj.size == 1\n"
            },
        ),
        "class MinStack:\n    def __init__(self):\n        self.items = []\n        self.size = 0\n    def push(self, x):\n        self.items.append((x, min(x, self.items[-1][1]) if self.items else x))\n        self.size += 1\n    def pop(self):\n        self.items.pop()\n        self.size -= 1\n    def getMin(self):\n        return self.items[-1][1]\n",
        "class MinStack:\n    def __init__(self):\n        self.items = []\n        self.size = 0\n    def push(self, x):\n        self.items.append(x)\n        self.size += 1\n    def pop(self):\n        self.items.pop()\n        self.size -= 1\n    def getMin(self):\n        return self.items[0]\n",
    ),
]


@pytest.mark.parametrize("label, data, right, wrong", CASES, ids=[c[0] for c in CASES])
def test_rows(label, data, right, wrong):
    task = Task.from_record(data)
    assert task.domain == "code" and task.family == "guru" and task.meta["data_source"] == data["data_source"]
    good = FAMILY.score(task, fence(right))
    assert good.reward == 1.0 and good.correct, good.feedback
    bad = FAMILY.score(task, fence(wrong))
    assert bad.reward == 0.0 and not bad.correct and bad.feedback
    if task.reference_response:
        assert FAMILY.score(task, task.reference_response).reward == 1.0
    assert Task.from_record(task.to_record()) == task


def test_wrong_functional_answers_name_the_failing_test_only():
    # Literal asserts run as call-based tests, one verdict each.
    task = Task.from_record(CASES[2][1])
    score = FAMILY.score(task, fence(CASES[2][3]))
    assert score.details["io"] == "call" and score.details["verdicts"][0] == "wrong_answer"
    assert "hidden test 1 of" in score.feedback and "Got: 4" in score.feedback
    assert "minOperations([2, 11" not in score.feedback and "Expected" not in score.feedback
    # Other test code runs in the trusted checker; a failed assert is named, never quoted.
    task = Task.from_record(CASES[6][1])
    score = FAMILY.score(task, fence("def total(xs):\n    return sum(xs) + 1\n"))
    assert score.details["io"] == "check"
    assert "hidden assertion failed" in score.feedback and "_deep_eq" not in str(score.details)


LITERAL_TABLE = [
    ("assert f(1) == 2\n", [("f", (1,), (), "eq", 2)]),
    (
        "def check(candidate):\n    assert candidate([1, 2]) == (1, 2)\n    assert True\n\ncheck(g)\n",
        [("g", ([1, 2],), (), "eq", (1, 2))],
    ),
    (
        "def check(candidate):\n    assert candidate(nums = [3]) is None\n\ncheck(Solution().run)",
        [("Solution.run", (), (("nums", [3]),), "is", None)],
    ),
    (
        "METADATA = {'a': 1}\nimport math\ndef check_h():\n    assert not h('x')\n    assert h('')\ncheck_h()\n",
        [("h", ("x",), (), "falsy", None), ("h", ("",), (), "truthy", None)],
    ),
    ("assert f(x) == 2\n", None),  # a name, not a literal
    ("assert abs(f(1) - 2) < 1e-6\n", None),  # not a comparison of a call
    ("assert len([1]) == 1\n", None),  # builtins stay builtins
    ("def helper(x):\n    return x\nassert helper(1) == 1\n", None),  # the tests' own helper
    ("for i in range(3):\n    assert f(i) == i\n", None),  # loops need the checker
    ("def check_f():\n    assert f(1) == 1\n", None),  # never called: nothing to run
]


@pytest.mark.parametrize("tests, expected", LITERAL_TABLE)
def test_literal_asserts_become_calls(tests, expected):
    from guru_envs.code.functional import literal_calls

    found = literal_calls(tests)
    if expected is None:
        assert found is None
    else:
        assert [(t, a, k, e.kind, e.value) for t, a, k, e in found] == expected


def test_names_of_the_trusted_prelude_are_never_the_submission_s():
    from guru_envs.code.functional import functional_suite

    tests = (
        "def check(candidate):\n    assert poly([1, 2], 3) == 7\n    assert candidate([1]) == 1\n\ncheck(f)\n"
    )
    assert functional_suite(tests).io == "call"
    assert functional_suite(tests, prelude="def poly(xs, x):\n    return 7\n").io == "check"
    assert functional_suite(tests, prelude="def f(x):\n    return 1\n", forced=["f"]).io == "call"


def test_load_errors_are_reported():
    task = Task.from_record(CASES[2][1])
    score = FAMILY.score(task, fence("class Solution\n    pass"))
    assert score.reward == 0.0 and "SyntaxError" in score.feedback


def test_partial_credit_on_separable_tests():
    task = Task.from_record(
        row(
            "codegen__taco",
            {"inputs": ["1\n", "2\n", "3\n", "4\n"], "outputs": ["1\n", "4\n", "9\n", "16\n"]},
        )
    )
    family = CATALOG.family("code", "guru", partial_credit=True)
    score = family.score(task, fence("n = int(input())\nprint(n * n if n < 3 else n)"))
    assert score.reward == pytest.approx(0.5) and not score.correct
    assert score.details["verdicts"] == ["ok", "ok", "wrong_answer", "wrong_answer"]


def test_rows_with_empty_prompt_lists_use_extra_info():
    data = row("codegen__mbpp", {"functional": "assert f(1) == 2\n"}, prompt="x")
    data["prompt"] = []
    data["extra_info"]["prompt"] = "Write f(x) = x + 1."
    task = Task.from_record(data)
    assert task.prompt == "Write f(x) = x + 1."


@pytest.mark.parametrize(
    "truth",
    [
        '{"pytest": "def test_x(): pass"}',
        '{"inputs": ["1"], "outputs": []}',
        '{"inputs": [], "outputs": []}',
        "not json",
        "[1, 2]",
        '{"functional": ""}',
    ],
)
def test_unsupported_ground_truth_is_refused_at_load(truth):
    with pytest.raises(ValueError):
        parse_tests(truth)


def test_batch_scoring_of_rows():
    from guru_envs.core.scoring import score_batch

    tasks = [Task.from_record(c[1]) for c in CASES[:6]]
    responses = [fence(c[2]) for c in CASES[:6]]
    scores = score_batch(tasks, responses, workers=2)
    assert [s.reward for s in scores] == [1.0] * 6


def test_leetcode_literal_checks_run_as_calls_with_the_prefix():
    tests = (
        "def check(candidate):\n"
        "    assert candidate(nums = [2,7,11,15], target = 9) == [0,1]\n"
        "    assert candidate(nums = [3,3], target = 6) == [0,1]\n\n"
        "check(Solution().twoSum)"
    )
    task = Task.from_record(row("codegen__leetcode2k", {"functional": tests}, prefix=LEETCODE_PREFIX))
    solution = (
        "class Solution:\n"
        "    def twoSum(self, nums: List[int], target: int) -> List[int]:\n"  # List comes from the prefix
        "        seen = {}\n"
        "        for i, x in enumerate(nums):\n"
        "            if target - x in seen:\n"
        "                return [seen[target - x], i]\n"
        "            seen[x] = i\n"
    )
    score = FAMILY.score(task, fence(solution))
    assert score.reward == 1.0 and score.details["io"] == "call" and score.details["tests"] == 2


def test_json_literals_left_in_python_tests_are_read_as_python():
    tests = "def check_neg():\n    assert Solution().neg(true) == false\n    assert Solution().pick([1, null]) == null\n\ncheck_neg()\n"
    task = Task.from_record(row("codegen__livecodebench", {"functional": tests}))
    solution = "class Solution:\n    def neg(self, b):\n        return not b\n    def pick(self, xs):\n        return xs[-1]\n"
    score = FAMILY.score(task, fence(solution))
    assert score.reward == 1.0 and score.details["io"] == "check"


# A last block of only asserts (the response's own tests) runs after the solution; one of only comments
# is skipped. Neither can make a wrong solution pass: the row's own tests still judge the program.
MBPP = row(
    "codegen__mbpp", {"functional": "assert add(1, 2) == 3\nassert add(-1, 1) == 0"}, "Write add(a, b)."
)
STDIO = row("codegen__primeintellect", {"inputs": ["1 2\n", "5 7\n"], "outputs": ["3\n", "12\n"]})
ADD = "def add(a, b):\n    return a + b"
SUM = "a, b = map(int, input().split())\nprint(a + b)"


@pytest.mark.parametrize(
    ("task_row", "response", "reward"),
    [
        (MBPP, fence(ADD) + "\nTests:\n" + fence("assert add(1, 2) == 3\nassert add(2, 2) == 4"), 1.0),
        (MBPP, fence(ADD) + "\n" + fence("assert add(1, 2) == 4"), 0.0),  # its own test is false
        (
            MBPP,
            fence("def add(a, b):\n    return a - b") + "\n" + fence("assert True"),
            0.0,
        ),  # wrong solution
        (MBPP, fence(ADD) + "\n" + fence("# add(1, 2) -> 3"), 1.0),
        (MBPP, fence(ADD) + "\n" + fence("print(add(1, 2))"), 0.0),  # a usage example is the last block
        (STDIO, fence(SUM) + "\nExample:\n" + fence("# input: 1 2 -> output: 3"), 1.0),
        (STDIO, f"```py\n{SUM}\n```", 1.0),
        (STDIO, f"```Python3\n{SUM}\n```", 1.0),
        (
            STDIO,
            "draft:\n" + fence(SUM) + "\nfinal:\n" + "```py\nprint(3)\n```",
            0.0,
        ),  # the last block answers
    ],
)
def test_blocks_after_the_solution(task_row, response, reward):
    assert guru_envs.score(Task.from_record(task_row), response).reward == reward


_DEEP_EQ = (
    "import math\ndef _deep_eq(a, b, tol=1e-5):\n    if isinstance(a, float) or isinstance(b, float):\n"
    "        return math.isclose(a, b, rel_tol=tol, abs_tol=tol)\n    if isinstance(a, (list, tuple)):\n"
    "        if len(a) != len(b): return False\n        return all(_deep_eq(x, y, tol) for x, y in zip(a, b))\n"
    "    return a == b\n"
)
# Functions under test named like a builtin or a standard module: the submission's definition is what GURU's
# one-file run calls, so Python's own function must never answer for it (a red team got 1.0 for
# print('hello') on a TACO row testing ``max``), and a module's name must not stand in for it either.
SHADOWING_ROWS = [
    (
        "taco-max",
        row(
            "codegen__taco",
            {
                "functional": "_inputs = [[[1, 5, 3]], [[-2, -9]]]\n_outputs = [[9], [-11]]\n"
                + _DEEP_EQ
                + "for i, o in zip(_inputs, _outputs):\n    assert _deep_eq(max(*i), o[0])\n"
            },
        ),
        "def max(xs):\n    return sum(xs)",
        ["print('hello')", "def max(xs):\n    return 0"],
    ),
    (
        "mbpp-abs",
        row("codegen__mbpp", {"functional": "assert abs(-5) == 10\nassert abs(3) == 6\n"}),
        "def abs(x):\n    return 2 * (x if x > 0 else -x)",
        ["print('hello')", "import builtins\nabs = builtins.abs"],
    ),
    (
        "mbpp-module-name",
        row("codegen__mbpp", {"functional": "assert array('1,2,3,4') == '2 3'\nassert array('1') == None\n"}),
        "def array(s):\n    s = s.split(',')\n    return ' '.join(s[1:-1]) or None",
        ["def array(s):\n    return s"],
    ),
    (
        "builtin-helpers-stay-python-s",
        row(
            "codegen__mbpp",
            {
                "functional": "res = pairs([3, 1, 2])\nassert len(res) == 3\n"
                "assert sorted(pairs([2, 1])) == [1, 2]\nassert all(x in res for x in [1, 2, 3])\n"
            },
        ),
        "def pairs(xs):\n    return list(xs)",
        [
            "def pairs(xs):\n    return []",
            "def pairs(xs):\n    return [0]\nlen = lambda v: 3\nall = lambda v: True",
        ],
    ),
]


@pytest.mark.parametrize("label, data, right, wrongs", SHADOWING_ROWS, ids=[c[0] for c in SHADOWING_ROWS])
def test_functions_named_like_builtins_are_the_submission_s(label, data, right, wrongs):
    task = Task.from_record(data)
    good = FAMILY.score(task, fence(right))
    assert good.reward == 1.0 and good.correct, good.feedback
    for wrong in wrongs:
        bad = FAMILY.score(task, fence(wrong))
        assert bad.reward == 0.0 and not bad.correct, (wrong, bad.feedback)


@pytest.mark.parametrize(
    "tests, prelude, names",
    [
        ("assert abs(-5) == 5", "", ("abs",)),
        (_DEEP_EQ + "for i, o in zip(_inputs, _outputs):\n    assert _deep_eq(max(*i), o[0])", "", ("max",)),
        ("assert is_palindrome(str(121))", "", ()),  # the tested function is is_palindrome, str a helper
        (
            "res = f(1)\nassert len(res) == 3\nassert sorted(f(2)) == [1, 2]\nassert all(x for x in res)",
            "",
            (),
        ),
        ("assert array('1,2') == '2'", "", ("array",)),  # a module is not callable: the submission's
        ("assert datetime(2020, 1, 1) == d", "from datetime import datetime", ()),  # the prelude's own
        ("assert is_same_list(max([1]), 1)", "def is_same_list(a, b):\n    return a == b", ("max",)),
    ],
)
def test_which_builtin_named_functions_are_under_test(tests, prelude, names):
    from guru_envs.code.functional import tested_shadowing_names

    assert tested_shadowing_names(tests, prelude) == names
