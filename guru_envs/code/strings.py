"""String problems: write a function (or a stdin/stdout program) over strings and words.

Description:
    Six templates, each a parameterised problem with a reference solution and generated tests:

    - ``longest_unique_substring``: length of the longest substring without a repeated character;
    - ``caesar_shift``: shift letters by ``k`` with wrap-around, keeping case and other characters;
    - ``count_anagram_classes``: how many groups of mutual anagrams a word list forms;
    - ``is_balanced``: whether the brackets ``()[]{}`` of a string nest properly;
    - ``top_k_words``: the ``k`` most frequent words, ties alphabetical;
    - ``run_length_encode``: each maximal run as its character and its length.

    Every test set includes the edge cases of its problem (empty input, one character, the case a
    common bug gets wrong, such as ``"abba"`` for a sliding window that forgets to keep its left edge).

Prompt:
    Call-based: the signature, statement, constraints and two examples as ``>>>`` calls. Stdin/stdout:
    statement, input and output format, constraints and two examples (see :mod:`.templates`).

Answer format:
    The complete function or program in the last ```python fenced block.

Scoring:
    Every test must pass (:mod:`.verifier`): return values compared structurally, printed output line by
    line and token by token; option ``partial_credit`` pays the fraction passed.

Difficulty:
    Levels 1-5 grow the strings (6 to 1000 characters), the alphabet and the number of tests
    (:data:`LEVELS`); level 1 is a handful of tiny inputs.

Version History:
    v0: initial release.
    v0 (unreleased): returned values are compared as a judge does (a set is not a list, no tolerance between
        integers, a bool is not an int) (issue 17); each test runs in a fresh process that sees only its own
        input, the CPU of forked children counts, and hidden tests are named, not shown, in feedback (issue
        18, see docs/code.md).
"""

from __future__ import annotations

import random
import string

from guru_envs.code.templates import Arg, Cases, CodeLevel, Template, TemplateFamily

LEVELS: dict[int, CodeLevel] = {
    1: CodeLevel(size=6, value=3, tests=3),
    2: CodeLevel(size=12, value=5, tests=4),
    3: CodeLevel(size=40, value=10, tests=6),
    4: CodeLevel(size=200, value=26, tests=8),
    5: CodeLevel(size=1000, value=26, tests=10),
}


def _word(rng: random.Random, length: int, alphabet: int) -> str:
    return "".join(rng.choice(string.ascii_lowercase[:alphabet]) for _ in range(length))


# --------------------------------------------------------------------------- longest unique substring


def longest_unique_substring(s: str) -> int:
    """Sliding window over the last position of each character."""
    last: dict[str, int] = {}
    best = left = 0
    for i, ch in enumerate(s):
        if ch in last and last[ch] >= left:
            left = last[ch] + 1
        last[ch] = i
        best = max(best, i - left + 1)
    return best


def _longest_unique_substring_bug(s: str) -> int:
    last: dict[str, int] = {}
    best = left = 0
    for i, ch in enumerate(s):
        if ch in last:
            left = last[ch] + 1
        last[ch] = i
        best = max(best, i - left + 1)
    return best


def _unique_cases(rng: random.Random, level: int, cfg: CodeLevel) -> Cases:
    edge = [[""], ["a"], ["bbbb"], ["abba"], [string.ascii_lowercase[: min(26, cfg.size)]]]
    rand = [
        [_word(rng, rng.randint(1, cfg.size), rng.randint(2, max(2, cfg.value)))] for _ in range(cfg.tests)
    ]
    return Cases(edge, rand)


LONGEST_UNIQUE = Template(
    solution=longest_unique_substring,
    buggy=_longest_unique_substring_bug,
    args=(Arg("s", "str"),),
    returns="int",
    statement="A substring is a contiguous, possibly empty, part of a string. Consider the string `s`.",
    result="the length of the longest substring of `s` in which no character appears twice",
    cases=_unique_cases,
    notes=("`s` consists of lowercase English letters",),
    approach="Slide a window whose left edge jumps past the previous occurrence of the current character.",
)


# ------------------------------------------------------------------------------------- caesar shift


def caesar_shift(s: str, k: int) -> str:
    """Rotate each letter within its own case; leave everything else alone."""
    out = []
    for ch in s:
        if "a" <= ch <= "z":
            out.append(chr((ord(ch) - ord("a") + k) % 26 + ord("a")))
        elif "A" <= ch <= "Z":
            out.append(chr((ord(ch) - ord("A") + k) % 26 + ord("A")))
        else:
            out.append(ch)
    return "".join(out)


def _caesar_shift_bug(s: str, k: int) -> str:
    out = []
    for ch in s:
        if ch.isalpha():
            out.append(chr((ord(ch.lower()) - ord("a") + k) % 26 + ord("a")))
        else:
            out.append(ch)
    return "".join(out)


def _caesar_text(rng: random.Random, length: int) -> str:
    pool = string.ascii_letters + "     ,.!?-0123456789"
    text = "".join(rng.choice(pool) for _ in range(length))
    text = " ".join(text.split())  # no leading, trailing or repeated spaces
    return text or rng.choice(string.ascii_letters)


def _caesar_cases(rng: random.Random, level: int, cfg: CodeLevel) -> Cases:
    edge = [["", 3], ["Zz", 1], ["abc", -1], ["Hello, World!", 26], ["xyz", 55]]
    span = 10 ** min(level, 4)
    rand = [[_caesar_text(rng, rng.randint(1, cfg.size)), rng.randint(-span, span)] for _ in range(cfg.tests)]
    return Cases(edge, rand)


CAESAR = Template(
    solution=caesar_shift,
    buggy=_caesar_shift_bug,
    args=(Arg("s", "str"), Arg("k", "int")),
    returns="str",
    statement=(
        "Shift every English letter of `s` by `k` positions in the alphabet, wrapping around from `z` to "
        "`a` (a negative `k` shifts backwards). Uppercase letters stay uppercase and lowercase stay "
        "lowercase; every other character is unchanged."
    ),
    result="the shifted string",
    cases=_caesar_cases,
    notes=("`s` contains no leading or trailing spaces",),
    approach="Rotate each letter modulo 26 within its own case range.",
)


# ---------------------------------------------------------------------------------- anagram classes


def count_anagram_classes(words: list[str]) -> int:
    """Two words are anagrams exactly when their sorted letters agree."""
    return len({"".join(sorted(w)) for w in words})


def _count_anagram_classes_bug(words: list[str]) -> int:
    return len({frozenset(w) for w in words})


def _anagram_cases(rng: random.Random, level: int, cfg: CodeLevel) -> Cases:
    edge = [[[]], [["a"]], [["ab", "ba", "abc"]], [["aab", "abb", "bab"]], [["x", "x", "x"]]]
    rand = []
    for _ in range(cfg.tests):
        bases = [
            _word(rng, rng.randint(1, min(8, cfg.size)), 4)
            for _ in range(rng.randint(1, max(1, cfg.size // 2)))
        ]
        words = []
        for _ in range(rng.randint(1, cfg.size)):
            letters = list(rng.choice(bases))
            rng.shuffle(letters)
            words.append("".join(letters))
        rand.append([words])
    return Cases(edge, rand)


ANAGRAMS = Template(
    solution=count_anagram_classes,
    buggy=_count_anagram_classes_bug,
    args=(Arg("words", "strs"),),
    returns="int",
    statement=(
        "Two words are anagrams if one is a rearrangement of the letters of the other (each letter used "
        "as many times as it occurs). Group the words of `words` so that each group holds words that are "
        "all anagrams of each other, and no two groups could be joined."
    ),
    result="the number of groups",
    cases=_anagram_cases,
    notes=("each word is a non-empty string of lowercase letters",),
    approach="Use each word's sorted letters as its class key and count the distinct keys.",
)


# -------------------------------------------------------------------------------------- is balanced


def is_balanced(s: str) -> bool:
    """A stack of open brackets; a closer must match the top."""
    pairs = {")": "(", "]": "[", "}": "{"}
    stack: list[str] = []
    for ch in s:
        if ch in "([{":
            stack.append(ch)
        elif ch in pairs:
            if not stack or stack.pop() != pairs[ch]:
                return False
    return not stack


def _is_balanced_bug(s: str) -> bool:
    return all(s.count(a) == s.count(b) for a, b in ("()", "[]", "{}"))


def _bracket_text(rng: random.Random, length: int, balanced: bool) -> str:
    out: list[str] = []
    stack: list[str] = []
    closer = {"(": ")", "[": "]", "{": "}"}
    while len(out) < length:
        roll = rng.random()
        if roll < 0.2:
            out.append(rng.choice("abxy+-"))
        elif roll < 0.6 or not stack:
            ch = rng.choice("([{")
            stack.append(ch)
            out.append(ch)
        else:
            out.append(closer[stack.pop()])
    out.extend(closer[ch] for ch in reversed(stack))
    if not balanced and out:
        i = rng.randrange(len(out))
        out[i] = rng.choice(")]}([{")
    return "".join(out)


def _balanced_cases(rng: random.Random, level: int, cfg: CodeLevel) -> Cases:
    edge = [[""], ["("], [")("], ["([)]"], ["a(b)c"], ["{[()()]}"]]
    rand = [[_bracket_text(rng, rng.randint(1, cfg.size), rng.random() < 0.5)] for _ in range(cfg.tests)]
    return Cases(edge, rand)


BALANCED = Template(
    solution=is_balanced,
    buggy=_is_balanced_bug,
    args=(Arg("s", "str"),),
    returns="bool",
    statement=(
        "The string `s` contains brackets `()`, `[]`, `{}` and other characters, which are ignored. The "
        "brackets are balanced when every opening bracket is closed by a bracket of the same type, "
        "brackets close in the reverse order of opening, and no closing bracket comes without an open one."
    ),
    result="whether the brackets of `s` are balanced (a bool)",
    cases=_balanced_cases,
    approach="Push opening brackets on a stack; each closing bracket must pop its partner.",
)


# --------------------------------------------------------------------------------------- top k words


def top_k_words(text: str, k: int) -> list[str]:
    """Count, then sort by (-count, word)."""
    counts: dict[str, int] = {}
    for word in text.split():
        counts[word] = counts.get(word, 0) + 1
    return sorted(counts, key=lambda w: (-counts[w], w))[:k]


def _top_k_words_bug(text: str, k: int) -> list[str]:
    counts: dict[str, int] = {}
    for word in text.split():
        counts[word] = counts.get(word, 0) + 1
    return sorted(counts, key=lambda w: -counts[w])[:k]


def _top_words_cases(rng: random.Random, level: int, cfg: CodeLevel) -> Cases:
    edge = [["", 2], ["x", 5], ["b a b a c", 2], ["the cat the dog the end", 1], ["d c b a", 3]]
    rand = []
    for _ in range(cfg.tests):
        vocab = [_word(rng, rng.randint(1, 5), 6) for _ in range(rng.randint(1, max(2, cfg.size // 3)))]
        words = [rng.choice(vocab) for _ in range(rng.randint(1, cfg.size))]
        rand.append([" ".join(words), rng.randint(1, len(set(words)) + 1)])
    return Cases(edge, rand)


TOP_WORDS = Template(
    solution=top_k_words,
    buggy=_top_k_words_bug,
    args=(Arg("text", "str"), Arg("k", "int")),
    returns="strs",
    statement=(
        "`text` is a sequence of lowercase words separated by single spaces. Rank its distinct words by "
        "how often they occur, most frequent first; words that occur equally often are ranked "
        "alphabetically."
    ),
    result="the first `k` words of this ranking (all of them if there are fewer than `k`)",
    cases=_top_words_cases,
    approach="Count the words, then sort by descending count and then alphabetically.",
)


# -------------------------------------------------------------------------------- run length encode


def run_length_encode(s: str) -> str:
    """Walk the runs, writing each as character + length."""
    out = []
    i = 0
    while i < len(s):
        j = i
        while j < len(s) and s[j] == s[i]:
            j += 1
        out.append(f"{s[i]}{j - i}")
        i = j
    return "".join(out)


def _run_length_encode_bug(s: str) -> str:
    out = []
    count = 1
    for i in range(1, len(s)):
        if s[i] == s[i - 1]:
            count += 1
        else:
            out.append(f"{s[i - 1]}{count}")
            count = 1
    return "".join(out)


def _rle_cases(rng: random.Random, level: int, cfg: CodeLevel) -> Cases:
    edge = [[""], ["a"], ["aaaaaaaaaaaa"], ["abc"], ["aabbbc"]]
    rand = []
    for _ in range(cfg.tests):
        runs: list[str] = []
        target = rng.randint(1, cfg.size)
        while sum(map(len, runs)) < target:
            runs.append(rng.choice("abcde") * rng.choice([1, 1, 2, 3, rng.randint(1, 15)]))
        rand.append(["".join(runs)])
    return Cases(edge, rand)


RUN_LENGTH = Template(
    solution=run_length_encode,
    buggy=_run_length_encode_bug,
    args=(Arg("s", "str"),),
    returns="str",
    statement=(
        "Split `s` into maximal runs of equal characters and write each run as its character followed "
        "by the run's length in decimal; for example `aaabcc` becomes `a3b1c2` and `aaaaaaaaaaaa` "
        "becomes `a12`."
    ),
    result="the encoded string (empty for an empty `s`)",
    cases=_rle_cases,
    notes=("`s` consists of lowercase letters",),
    approach="Scan maximal runs of equal characters and write each one's character and length.",
)


class StringsFamily(TemplateFamily):
    """String problems as functions or stdin/stdout programs (see the module docstring)."""

    name = "strings"
    templates = (LONGEST_UNIQUE, CAESAR, ANAGRAMS, BALANCED, TOP_WORDS, RUN_LENGTH)
    LEVELS = LEVELS
