"""Array problems: write a function (or a stdin/stdout program) over lists of integers and intervals.

Description:
    Six templates, each a parameterised problem with a reference solution and generated tests:

    - ``max_subarray_sum``: the largest sum of a non-empty contiguous subarray;
    - ``count_pairs_with_sum``: index pairs ``i < j`` whose values add up to ``target``;
    - ``rotate_right``: the list rotated right by ``k`` steps (``k`` may exceed the length);
    - ``merge_intervals``: overlapping (or touching) closed intervals merged, sorted by start;
    - ``product_except_self``: each element's product of all the others, modulo 1_000_000_007;
    - ``leaders``: the elements strictly greater than everything to their right.

    Edge cases are always among the tests (empty lists, one element, all negative, duplicates, nested
    intervals, zeros). Levels 4 and 5 add performance tests with thousands of elements, sized so that
    the quadratic solution of a problem that has a linear or ``n log n`` one runs out of CPU time.

Prompt:
    Call-based or stdin/stdout, as described in :mod:`.templates`.

Answer format:
    The complete function or program in the last ```python fenced block.

Scoring:
    Every test must pass (:mod:`.verifier`), each within 1 s of CPU time; option ``partial_credit``
    pays the fraction passed.

Difficulty:
    :data:`LEVELS`: lists of up to 5 one-digit values at level 1, up to 1000 values of up to 10**9 at
    level 5, plus two performance tests of 10000 elements (20000 for ``count_pairs_with_sum``).

Version History:
    v0: initial release.
    v0 (unreleased): returned values are compared as a judge does (a set is not a list, no tolerance between
        integers, a bool is not an int) (issue 17); each test runs in a fresh process that sees only its own
        input, the CPU of forked children counts, and hidden tests are named, not shown, in feedback (issue
        18, see docs/code.md).
"""

from __future__ import annotations

import random

from guru_envs.code.templates import Arg, Cases, CodeLevel, Template, TemplateFamily

LEVELS: dict[int, CodeLevel] = {
    1: CodeLevel(size=5, value=9, tests=3),
    2: CodeLevel(size=10, value=20, tests=4),
    3: CodeLevel(size=30, value=100, tests=6),
    4: CodeLevel(size=200, value=10**4, tests=8, large=2000, large_tests=1),
    5: CodeLevel(size=1000, value=10**9, tests=10, large=10000, large_tests=2),
}
MOD = 1_000_000_007


def _ints(rng: random.Random, n: int, low: int, high: int) -> list[int]:
    return [rng.randint(low, high) for _ in range(n)]


# ------------------------------------------------------------------------------------ max subarray


def max_subarray_sum(nums: list[int]) -> int:
    """Kadane: the best sum ending here is either this element or it plus the best ending before."""
    best = current = nums[0]
    for x in nums[1:]:
        current = max(x, current + x)
        best = max(best, current)
    return best


def _max_subarray_sum_bug(nums: list[int]) -> int:
    best = current = 0
    for x in nums:
        current = max(0, current + x)
        best = max(best, current)
    return best


def _subarray_cases(rng: random.Random, level: int, cfg: CodeLevel) -> Cases:
    edge = [[[5]], [[-3]], [[-5, -2, -8]], [[2, -1, 2]], [[0, 0]]]
    rand = [[_ints(rng, rng.randint(1, cfg.size), -cfg.value, cfg.value)] for _ in range(cfg.tests)]
    large = [[_ints(rng, cfg.large, -cfg.value, cfg.value)] for _ in range(cfg.large_tests)]
    return Cases(edge, rand, large)


MAX_SUBARRAY = Template(
    solution=max_subarray_sum,
    buggy=_max_subarray_sum_bug,
    args=(Arg("nums", "ints"),),
    returns="int",
    statement="A subarray of `nums` is a non-empty run of consecutive elements.",
    result="the largest sum of a subarray of `nums`",
    cases=_subarray_cases,
    notes=("`nums` is not empty",),
    approach="Kadane's algorithm: track the best sum of a subarray ending at each position.",
)


# -------------------------------------------------------------------------------------- pair count


def count_pairs_with_sum(nums: list[int], target: int) -> int:
    """One pass with a count of the values seen so far."""
    seen: dict[int, int] = {}
    pairs = 0
    for x in nums:
        pairs += seen.get(target - x, 0)
        seen[x] = seen.get(x, 0) + 1
    return pairs


def _count_pairs_with_sum_bug(nums: list[int], target: int) -> int:
    values = set(nums)
    return sum(1 for x in values if target - x in values and x < target - x) + sum(
        1 for x in values if 2 * x == target and nums.count(x) > 1
    )


def _pair_cases(rng: random.Random, level: int, cfg: CodeLevel) -> Cases:
    edge = [[[], 0], [[1], 2], [[2, 2, 2], 4], [[1, -1, 0, 0], 0], [[3, 1, 2, 3], 4]]
    rand = []
    for _ in range(cfg.tests):
        span = max(3, min(cfg.value, 2 * cfg.size))
        nums = _ints(rng, rng.randint(0, cfg.size), -span, span)
        target = (
            rng.choice(nums) + rng.choice(nums) if nums and rng.random() < 0.8 else rng.randint(-span, span)
        )
        rand.append([nums, target])
    large = []
    for _ in range(cfg.large_tests):
        nums = _ints(rng, 2 * cfg.large, -cfg.large, cfg.large)
        large.append([nums, rng.choice(nums) + rng.choice(nums)])
    return Cases(edge, rand, large)


PAIR_COUNT = Template(
    solution=count_pairs_with_sum,
    buggy=_count_pairs_with_sum_bug,
    args=(Arg("nums", "ints"), Arg("target", "int")),
    returns="int",
    statement="Count the pairs of positions `i < j` in `nums` with `nums[i] + nums[j] == target`.",
    result="the number of such pairs",
    cases=_pair_cases,
    approach="Scan once, adding for each value how many earlier values complete it to the target.",
)


# ------------------------------------------------------------------------------------------ rotate


def rotate_right(nums: list[int], k: int) -> list[int]:
    """Rotating by the length is the identity, so only ``k mod n`` matters."""
    if not nums:
        return []
    k %= len(nums)
    return nums[len(nums) - k :] + nums[: len(nums) - k]


def _rotate_right_bug(nums: list[int], k: int) -> list[int]:
    if not nums or k == 0:
        return list(nums)
    return nums[-k:] + nums[:-k]


def _rotate_cases(rng: random.Random, level: int, cfg: CodeLevel) -> Cases:
    edge = [[[], 3], [[1], 0], [[1, 2, 3], 0], [[1, 2, 3], 3], [[1, 2, 3], 4], [[1, 2, 3, 4, 5], 7]]
    rand = []
    for _ in range(cfg.tests):
        nums = _ints(rng, rng.randint(1, cfg.size), -cfg.value, cfg.value)
        rand.append([nums, rng.randint(0, 3 * len(nums)) if rng.random() < 0.7 else rng.randint(0, 10**9)])
    return Cases(edge, rand)


ROTATE = Template(
    solution=rotate_right,
    buggy=_rotate_right_bug,
    args=(Arg("nums", "ints"), Arg("k", "int")),
    returns="ints",
    statement=(
        "Rotating a list right by one step moves its last element to the front. Rotate `nums` right by "
        "`k` steps."
    ),
    result="the rotated list",
    cases=_rotate_cases,
    approach="Only k modulo the length matters; the rotation is a slice of the tail followed by the head.",
)


# --------------------------------------------------------------------------------- merge intervals


def merge_intervals(intervals: list[list[int]]) -> list[list[int]]:
    """Sort by start; extend the last merged interval while the next one starts inside it."""
    merged: list[list[int]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged


def _merge_intervals_bug(intervals: list[list[int]]) -> list[list[int]]:
    merged: list[list[int]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = end
        else:
            merged.append([start, end])
    return merged


def _interval_cases(rng: random.Random, level: int, cfg: CodeLevel) -> Cases:
    edge = [
        [[]],
        [[[1, 3]]],
        [[[1, 3], [2, 6], [8, 10]]],
        [[[1, 4], [4, 5]]],
        [[[1, 10], [2, 3]]],
        [[[5, 6], [1, 2]]],
    ]
    rand = []
    for _ in range(cfg.tests):
        span = max(10, min(cfg.value, 5 * cfg.size))
        intervals = []
        for _ in range(rng.randint(1, cfg.size)):
            start = rng.randint(0, span)
            intervals.append([start, start + rng.randint(0, max(1, span // 8))])
        rand.append([intervals])
    return Cases(edge, rand)


MERGE = Template(
    solution=merge_intervals,
    buggy=_merge_intervals_bug,
    args=(Arg("intervals", "pairs"),),
    returns="pairs",
    statement=(
        "Each element `[a, b]` of `intervals` is the closed interval from `a` to `b` (`a <= b`). Merge "
        "every group of intervals that overlap or touch (`[1, 4]` and `[4, 5]` become `[1, 5]`)."
    ),
    result="the merged intervals as `[start, end]` pairs sorted by start",
    cases=_interval_cases,
    approach="Sort by start and grow the last merged interval while the next one begins inside it.",
)


# ---------------------------------------------------------------------------- product except self


def product_except_self(nums: list[int]) -> list[int]:
    """Prefix products times suffix products, so zeros need no special case."""
    n = len(nums)
    out = [1] * n
    prefix = 1
    for i in range(n):
        out[i] = prefix
        prefix = prefix * nums[i] % 1_000_000_007
    suffix = 1
    for i in range(n - 1, -1, -1):
        out[i] = out[i] * suffix % 1_000_000_007
        suffix = suffix * nums[i] % 1_000_000_007
    return out


def _product_except_self_bug(nums: list[int]) -> list[int]:
    total = 1
    for x in nums:
        total = total * x % 1_000_000_007
    return [total * pow(x, 1_000_000_005, 1_000_000_007) % 1_000_000_007 for x in nums]


def _product_cases(rng: random.Random, level: int, cfg: CodeLevel) -> Cases:
    edge = [[[1, 2, 3, 4]], [[0, 1, 2]], [[0, 0, 3]], [[5]], [[7, 0]]]
    cap = min(cfg.value, 10**9)
    rand = [[_ints(rng, rng.randint(1, cfg.size), 0, cap)] for _ in range(cfg.tests)]
    large = [[_ints(rng, cfg.large, 1, cap)] for _ in range(cfg.large_tests)]
    return Cases(edge, rand, large)


PRODUCT = Template(
    solution=product_except_self,
    buggy=_product_except_self_bug,
    args=(Arg("nums", "ints"),),
    returns="ints",
    statement=(
        "For every position `i` of `nums`, take the product of all elements of `nums` except the one at "
        "position `i` (the product of no elements is 1), modulo 1000000007."
    ),
    result="the list of these products, in the order of `nums`",
    cases=_product_cases,
    notes=("`nums` is not empty and its elements are non-negative",),
    approach="Multiply prefix products by suffix products, reducing modulo 1000000007 as we go.",
)


# ------------------------------------------------------------------------------------------ leaders


def leaders(nums: list[int]) -> list[int]:
    """Scan from the right, keeping the maximum seen so far."""
    out = []
    best = None
    for x in reversed(nums):
        if best is None or x > best:
            out.append(x)
            best = x
    return out[::-1]


def _leaders_bug(nums: list[int]) -> list[int]:
    out = []
    best = None
    for x in reversed(nums):
        if best is None or x >= best:
            out.append(x)
            best = x
    return out[::-1]


def _leader_cases(rng: random.Random, level: int, cfg: CodeLevel) -> Cases:
    edge = [[[]], [[7]], [[1, 2, 3]], [[3, 2, 1]], [[2, 2]], [[5, 5, 4, 5]]]
    rand = [[_ints(rng, rng.randint(1, cfg.size), -cfg.value, cfg.value)] for _ in range(cfg.tests)]
    large = [[_ints(rng, cfg.large, -cfg.value, cfg.value)] for _ in range(cfg.large_tests)]
    return Cases(edge, rand, large)


LEADERS = Template(
    solution=leaders,
    buggy=_leaders_bug,
    args=(Arg("nums", "ints"),),
    returns="ints",
    statement=(
        "An element of `nums` is a leader if it is strictly greater than every element after it (the "
        "last element is always a leader)."
    ),
    result="the leaders in their order in `nums`",
    cases=_leader_cases,
    approach="Walk from the right keeping the running maximum; an element above it is a leader.",
)


class ArraysFamily(TemplateFamily):
    """Array problems as functions or stdin/stdout programs (see the module docstring)."""

    name = "arrays"
    templates = (MAX_SUBARRAY, PAIR_COUNT, ROTATE, MERGE, PRODUCT, LEADERS)
    LEVELS = LEVELS
