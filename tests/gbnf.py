"""A matcher for the GBNF the pipeline writes (non-recursive: literals, classes, rule references,
groups, `|`, `?`, `*`, `+`, `{m,n}`), by translating it to a Python regex. An independent reading
of the grammar text, so tests can check that a spec's GBNF and its JSON schema accept the same."""

from __future__ import annotations

import json
import re

TOKEN = re.compile(
    r'\s*(?:(?P<lit>"(?:[^"\\]|\\.)*")|(?P<cls>\[(?:[^\]\\]|\\.)*\])|(?P<rep>\{\d+,\d*\}|[?*+])'
    r"|(?P<op>[()|])|(?P<ref>[A-Za-z][A-Za-z0-9-]*))"
)


def rules(grammar: str) -> dict[str, str]:
    out = {}
    for line in grammar.splitlines():
        if line.strip():
            name, body = line.split(" ::= ", 1)
            out[name.strip()] = body
    return out


def to_regex(grammar: str, rule: str = "root", depth: int = 0) -> str:
    if depth > 20:
        raise ValueError("recursive grammar: not supported here")
    table = rules(grammar)
    body, pos, out = table[rule], 0, []
    while pos < len(body):
        m = TOKEN.match(body, pos)
        if m is None:
            if body[pos:].strip():
                raise ValueError(f"cannot read {body[pos:]!r}")
            break
        pos = m.end()
        if m["lit"]:
            out.append(re.escape(json.loads(m["lit"])))
        elif m["cls"]:
            out.append(m["cls"])  # GBNF classes use the regex class syntax (\uXXXX escapes included)
        elif m["rep"]:
            out.append(m["rep"])
        elif m["op"]:
            out.append("(?:" if m["op"] == "(" else m["op"])
        else:
            out.append("(?:" + to_regex(grammar, m["ref"], depth + 1) + ")")
    return "".join(out)


def matches(grammar: str, text: str) -> bool:
    return re.fullmatch(to_regex(grammar), text, re.S) is not None
