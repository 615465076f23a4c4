"""Shared answer extraction and comparison: every domain's verifier is built from these pieces."""

from guru_envs.verify.claim import Claim, FinalAnswer, final_answer, read_claim
from guru_envs.verify.extract import (
    all_boxed,
    answer_tag,
    answer_tags,
    code_fences,
    hedged_clauses,
    last_boxed,
    last_code_block,
    last_number,
    later_answers,
    strip_think,
    strip_wrappers,
)
from guru_envs.verify.numeric import close, number_variants, numbers_match, parse_number
from guru_envs.verify.score import Score
from guru_envs.verify.structured import AnswerParseError, parse_structured, same_value, values_equal
from guru_envs.verify.text import normalize_text, split_multi, text_equal

__all__ = [
    "AnswerParseError",
    "Claim",
    "FinalAnswer",
    "Score",
    "all_boxed",
    "answer_tag",
    "answer_tags",
    "close",
    "code_fences",
    "final_answer",
    "last_boxed",
    "last_code_block",
    "hedged_clauses",
    "later_answers",
    "last_number",
    "normalize_text",
    "number_variants",
    "numbers_match",
    "parse_number",
    "parse_structured",
    "read_claim",
    "same_value",
    "split_multi",
    "strip_think",
    "strip_wrappers",
    "text_equal",
    "values_equal",
]
