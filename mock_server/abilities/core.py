"""What WordPress 6.9 core does around an ability: read its input from the request, guess types the
way the run route's sanitizer does, normalize, validate against the input schema and word the
error as rest_validate_value_from_schema would.
"""
from __future__ import annotations

import copy
import re
from functools import cache

from membermock import contracts

_PHP_NUMERIC = re.compile(r"\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*")


def input_from_request(call):
    """get_input_from_request: GET/DELETE read ``input`` from the query, POST from a JSON body only."""
    if call.request.method in ("GET", "DELETE"):
        return guess_type(call.raw_query.get("input"))
    if call.request.is_json and isinstance(call.body, dict):
        return call.body.get("input")
    return None


def guess_type(value):
    """The run route declares ``input`` with every JSON type; core's sanitizer picks the first that
    fits a query value (integer, number, boolean, string) and leaves arrays' and objects' values as
    the strings they arrived as."""
    if not isinstance(value, str):
        return value
    if _PHP_NUMERIC.fullmatch(value):
        number = float(value)
        return int(number) if number.is_integer() else number
    if value.lower() in ("true", "false"):
        return value.lower() == "true"
    return value


def normalize(input_name: str, value):
    """WP_Ability::normalize_input: a missing input takes the schema's top-level default."""
    if value is None:
        schema = contracts.schema(input_name)
        if "default" in schema:
            return _copy(schema["default"])
    return value


def _copy(value):
    return copy.deepcopy(value)


@cache
def _validator(name: str):
    return contracts.validator(name)


def validate(input_name: str, value):
    """(value, reason, rule_errors): the value with WordPress-acceptable strings turned into the types
    the schema asks for, the reason core refuses it (None when it passes), and the errors that only
    the plugin's own business rules (the contract's if/then) would raise."""
    validator = _validator(input_name)
    if validator.is_valid(value):
        return value, None, []
    value = _coerce(validator, value)
    core, rules = [], []
    for error in validator.iter_errors(value):
        (rules if _is_rule(error) else core).append(error)
    if core:
        first = min(core, key=lambda e: (len(e.absolute_path), [str(p) for p in e.absolute_path]))
        return value, reason(first), rules
    return value, None, rules


def _is_rule(error) -> bool:
    return any(part in ("if", "then", "else") for part in error.absolute_schema_path)


def _coerce(validator, value, rounds: int = 50):
    """rest_validate_value_from_schema accepts "40" for an integer and "true" for a boolean; make the
    value say what WordPress would have understood, so the contract validator agrees with it."""
    for _ in range(rounds):
        changed = False
        for error in validator.iter_errors(value):
            if error.validator != "type" or not isinstance(error.instance, str):
                continue
            wanted = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
            fixed = _as(wanted, error.instance)
            if fixed is _NO:
                continue
            path = list(error.absolute_path)
            changed = True
            if not path:
                value = fixed
                break
            node = value
            for part in path[:-1]:
                node = node[part]
            node[path[-1]] = fixed
            break
        if not changed:
            return value
    return value


_NO = object()


def _as(types: list, text: str):
    numeric = _PHP_NUMERIC.fullmatch(text)
    if "integer" in types and numeric and float(text).is_integer():
        return int(float(text))
    if "number" in types and numeric:
        number = float(text)
        return int(number) if number.is_integer() else number
    if "boolean" in types and text.lower() in ("true", "false", "1", "0"):
        return text.lower() in ("true", "1")
    return _NO


# -- messages as rest_validate_value_from_schema words them --------------------------------

def param_name(path) -> str:
    return "input" + "".join(f"[{p}]" for p in path)


def reason(error) -> str:
    name = param_name(error.absolute_path)
    kind, expected = error.validator, error.validator_value
    if kind == "type":
        types = expected if isinstance(expected, list) else [expected]
        return f"{name} is not of type {','.join(types)}."
    if kind == "required":
        missing = next((p for p in expected if isinstance(error.instance, dict) and p not in error.instance), expected[0])
        return f"{missing} is a required property of {name}."
    if kind == "enum":
        return f"{name} is not one of {_php_list([str(v) for v in expected])}."
    if kind == "minimum":
        return f"{name} must be greater than or equal to {expected}"
    if kind == "maximum":
        return f"{name} must be less than or equal to {expected}"
    if kind == "format" and expected in ("date", "date-time"):
        return f"{name} is not a valid date."
    return f"{name} {error.message}"


def _php_list(items: list[str]) -> str:
    """wp_sprintf's %l: "a", "a and b", "a, b, and c"."""
    if len(items) <= 1:
        return "".join(items)
    if len(items) == 2:
        return f"{items[0]} and {items[1]}"
    return ", ".join(items[:-1]) + ", and " + items[-1]


def rule_message(error) -> str:
    return f"{param_name(error.absolute_path)}: {error.message}."
