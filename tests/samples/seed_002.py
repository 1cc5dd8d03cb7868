"""Samples of seed 002: WooCommerce Memberships abilities (WordPress 6.9 Abilities API).

The seed holds three kinds of payload:

* two serialized objects (a plan, a user membership), clean JSON at column 0;
* one WordPress-dialect input schema per ability, clean JSON at column 0 after the
  ability's heading; each is a sample of ``wordpress.rest-schema`` and its note names the
  standard-JSON-Schema conversion (``converted: wc.abilities.<ability>-input``), which
  ``tests/test_wc_conversion.py`` checks against it;
* PHP examples ``$ability->execute(...)`` whose argument is the ability input: a bare id
  (step ``php-scalar-to-json``) or a PHP short-array literal (step ``php-array-literal-to-json``
  reads strings, numbers, booleans, ``[...]`` lists and ``[k => v]`` maps into JSON); a call
  with no argument stands for the schema default (step ``absent-input-becomes-schema-default``).
"""
import json
import re

from .corpus import Sample, block_end

ABILITY = re.compile(r"^woocommerce-memberships/([a-z-]+)$")
SECTIONS = {"Plans": "wc.plan", "User Memberships": "wc.user-membership"}
OBJECT_NAMES = {"wc.plan": "plan", "wc.user-membership": "user-membership"}
EXECUTE = re.compile(r"\$ability->execute\((.*)$")


def extract(lines):
    section_schema = None   # schema of the serialized object shown in the current section intro
    ability = None          # short name of the ability whose part of the seed we are in
    examples = {}           # ability -> number of execute() examples seen
    i = 0
    while i < len(lines):
        line = lines[i].strip()
        if line in SECTIONS:
            section_schema, ability = SECTIONS[line], None
        elif ABILITY.match(line):
            ability = ABILITY.match(line).group(1)
        elif lines[i].startswith("{"):
            end = block_end(lines, i)
            payload = json.loads("\n".join(lines[i:end + 1]))
            if ability is None:
                yield Sample(OBJECT_NAMES[section_schema], section_schema, i + 1, end + 1, payload,
                             [], "serialized form shown in the section introduction")
            else:
                yield Sample(f"{ability}-input-schema", "wordpress.rest-schema", i + 1, end + 1, payload,
                             [], f"WordPress-dialect input schema; converted: wc.abilities.{ability}-input")
            i = end + 1
            continue
        elif ability and EXECUTE.search(line):
            end, payload, transforms, note = _execute_argument(lines, i)
            examples[ability] = examples.get(ability, 0) + 1
            yield Sample(f"{ability}-example-{examples[ability]}", f"wc.abilities.{ability}-input",
                         i + 1, end + 1, payload, transforms, note)
            i = end + 1
            continue
        i += 1


def _execute_argument(lines, start):
    """The input passed in ``$ability->execute(...)`` opening on ``lines[start]``."""
    rest = EXECUTE.search(lines[start]).group(1).strip()
    if rest == ");":
        return start, {}, ["absent-input-becomes-schema-default"], (
            "execute() without input: WordPress normalizes the missing input to the schema default "
            "({} once the REST listing turns PHP's empty array into an object)")
    if not rest.startswith("["):
        return start, _php_value(rest.removesuffix(");")), ["php-scalar-to-json"], "input passed as a bare id"
    end = start
    text = rest
    while _depth(text) > 0:
        end += 1
        text += "\n" + lines[end]
    literal = text[: text.rindex("]") + 1]
    return end, _php_value(literal), ["php-array-literal-to-json"], "input of a PHP execute() example"


def _depth(text):
    depth = 0
    for token in _tokens(text):
        depth += {"[": 1, "]": -1}.get(token, 0)
    return depth


TOKEN = re.compile(r"\s*(=>|\[|\]|,|'(?:[^'\\]|\\.)*'|-?\d+(?:\.\d+)?|true|false|null)")


def _tokens(text):
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        m = TOKEN.match(text, pos)
        if not m:
            if text[pos:].strip() in ("", ");"):
                return
            raise ValueError(f"unexpected PHP near {text[pos:pos + 20]!r}")
        yield m.group(1)
        pos = m.end()


def _php_value(text):
    tokens = list(_tokens(text))
    value, pos = _parse(tokens, 0)
    if pos != len(tokens):
        raise ValueError(f"trailing PHP tokens: {tokens[pos:]}")
    return value


def _parse(tokens, pos):
    token = tokens[pos]
    if token == "[":
        return _parse_array(tokens, pos + 1)
    if token.startswith("'"):
        return token[1:-1].replace("\\'", "'"), pos + 1
    if token in ("true", "false", "null"):
        return {"true": True, "false": False, "null": None}[token], pos + 1
    return (float(token) if "." in token else int(token)), pos + 1


def _parse_array(tokens, pos):
    items, keyed = [], False
    while tokens[pos] != "]":
        value, pos = _parse(tokens, pos)
        if tokens[pos] == "=>":
            keyed = True
            key = value
            value, pos = _parse(tokens, pos + 1)
            items.append((key, value))
        else:
            items.append((None, value))
        if tokens[pos] == ",":
            pos += 1
    if keyed:
        return {str(k): v for k, v in items}, pos + 1
    return [v for _, v in items], pos + 1
