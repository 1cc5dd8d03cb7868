"""One self-contained copy of an OpenAPI document, for peers that cannot follow its file $refs.

The contracts' schemas reference each other by relative path under their ``$id`` base
(``https://membermock.example/schemas/...``), which this machine cannot fetch; Prism tries to.
Every schema a document reaches is copied under ``components/schemas/<contract name>`` and each
``$ref`` is rewritten to point there, so the copy says exactly what the original says.
"""
from __future__ import annotations

import copy
import json
import sys
from pathlib import Path
from urllib.parse import urldefrag, urljoin

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from membermock import contracts  # noqa: E402


def _name(uri: str) -> str:
    return ".".join(Path(uri[len(contracts.BASE_URI):]).with_suffix("").parts)


def bundle(api: str) -> dict:
    doc = copy.deepcopy(contracts.openapi(api))
    doc_uri = f"{contracts.BASE_URI}openapi/{api}.yaml"
    store = doc.setdefault("components", {}).setdefault("schemas", {})
    todo: list[str] = []

    def target(ref: str, base: str) -> str:
        uri, fragment = urldefrag(urljoin(base, ref))
        if uri == doc_uri:
            return "#" + fragment
        name = _name(uri)
        if name not in store and name not in todo:
            todo.append(name)
        return f"#/components/schemas/{name}" + fragment

    def rewrite(node, base: str):
        if isinstance(node, dict):
            out = {}
            for key, value in node.items():
                if key == "$ref" and isinstance(value, str):
                    out[key] = target(value, base)
                elif key in ("$id", "$schema"):
                    continue
                else:
                    out[key] = rewrite(value, base)
            return out
        if isinstance(node, list):
            return [rewrite(v, base) for v in node]
        return node

    for key in list(doc):
        if key != "components":
            doc[key] = rewrite(doc[key], doc_uri)
    for key in list(doc["components"]):
        if key != "schemas":
            doc["components"][key] = rewrite(doc["components"][key], doc_uri)
    store.update({k: rewrite(v, doc_uri) for k, v in list(store.items())})
    while todo:
        name = todo.pop()
        schema = contracts.schema(name)
        store[name] = rewrite(schema, schema["$id"])  # its "#/$defs/x" becomes its component's
    return doc


def write(api: str, path: Path) -> Path:
    path.write_text(json.dumps(bundle(api), indent=1), encoding="utf-8")
    return path


if __name__ == "__main__":
    print(json.dumps(bundle(sys.argv[1]), indent=1))
