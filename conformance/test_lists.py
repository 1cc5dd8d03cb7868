"""What a list schema cannot say: paging adds up and filters filter.

The list operations are found in the contracts (a GET with ``page`` and ``per_page`` and an
``X-WP-Total`` header), the filters are their query parameters named like a field of the items
(``member``, ``status``, ``group``...), and the values to filter by are read from the server's
own first page, so nothing here knows the data.
"""
from __future__ import annotations

import math

import pytest

from conformance import contract

PAGING = ("page", "per_page")
TOTALS = ("X-WP-Total", "X-WP-TotalPages")


def _params(op: contract.Operation) -> list[str]:
    return [contract._resolve(op.api, p)["name"] for p in op.raw.get("parameters", [])]


def _headers(op: contract.Operation) -> list[str]:
    ok = contract._resolve(op.api, op.raw["responses"].get("200", {}))
    return list((ok.get("headers") or {}))


def _lists():
    return [op for api in contract.API_NAMES for op in contract.operations(api)
            if op.method == "GET" and set(PAGING) <= set(_params(op)) and set(TOTALS) <= set(_headers(op))]


def _marked(op, *values, name=None):
    return pytest.param(op, *values, id=name or op.op_id,
                        marks=[pytest.mark.api(op.api), pytest.mark.covers(op.op_id)])


def _key(value):
    return str(value["id"]) if isinstance(value, dict) and "id" in value else str(value)


def _get(target, op, **params):
    response = target.call(op.api, "GET", op.path, params=params)
    assert response.status_code == 200, f"{op.op_id}: rule 'list answers 200' broken: {response.status_code} {response.text[:200]}"
    return response


def _needs_credentials(target, op):
    if not op.public and target.credentials(op.api) is None:
        pytest.skip(f"no credentials for {op.api}")


@pytest.mark.parametrize("op", [_marked(op) for op in _lists()])
def test_pages_add_up_without_overlap(op, target):
    _needs_credentials(target, op)
    first = _get(target, op, page=1, per_page=2)
    for header in TOTALS:
        assert header in first.headers, f"{op.op_id}: rule 'pagination headers' broken: no {header} header"
    total, pages = int(first.headers["X-WP-Total"]), int(first.headers["X-WP-TotalPages"])
    assert pages == math.ceil(total / 2), \
        f"{op.op_id}: rule 'pagination headers' broken: X-WP-TotalPages {pages} for X-WP-Total {total} at per_page=2"
    if total < 3:
        pytest.skip(f"{op.op_id}: only {total} item(s), nothing to page through")
    second = _get(target, op, page=2, per_page=2)
    a, b = [_key(i) for i in first.json()], [_key(i) for i in second.json()]
    assert len(a) == 2 and 1 <= len(b) <= 2, f"{op.op_id}: rule 'page size' broken: pages of {len(a)} and {len(b)} at per_page=2"
    assert not set(a) & set(b), f"{op.op_id}: rule 'pages do not overlap' broken: {sorted(set(a) & set(b))} on pages 1 and 2"
    assert int(second.headers.get("X-WP-Total", -1)) == total, f"{op.op_id}: rule 'pagination headers' broken: total changed between pages"


def _filters():
    out = []
    for op in _lists():
        for name in _params(op):
            if name not in PAGING and "[" not in name and name not in ("search", "order", "order_dir", "orderby", "context"):
                out.append(_marked(op, name, name=f"{op.op_id}-{name}"))
    return out


@pytest.mark.parametrize("op, name", _filters())
def test_filter_really_filters(op, name, target):
    _needs_credentials(target, op)
    items = _get(target, op, per_page=50).json()
    values = [_key(i[name]) for i in items if isinstance(i, dict) and i.get(name) not in (None, "", 0, "0", False)]
    if not values:
        pytest.skip(f"{op.op_id}: no item on the first page has a {name} to filter by")
    wanted = max(set(values), key=values.count) if len(set(values)) > 1 else values[0]
    if len(set(values)) == 1 and len(values) == len(items):
        others = None  # every item shares it: the filter cannot be seen excluding anything here
    else:
        others = [i for i in items if _key(i.get(name)) != wanted]
    found = _get(target, op, per_page=50, **{name: wanted}).json()
    assert found, f"{op.op_id}: rule 'filter {name}' broken: {name}={wanted} found nothing, though listed items have it"
    wrong = [_key(i.get("id")) for i in found if _key(i.get(name)) != wanted]
    assert not wrong, f"{op.op_id}: rule 'filter {name}' broken: {name}={wanted} also returned items {wrong[:5]}"
    if others is None:
        pytest.skip(f"{op.op_id}: every listed item has {name}={wanted}; the filter could not be seen excluding")


@pytest.mark.parametrize("op", [_marked(o) for o in _lists() if "search[id]" in _params(o)])
def test_search_by_id(op, target):
    _needs_credentials(target, op)
    items = _get(target, op, per_page=5).json()
    if not items:
        pytest.skip(f"{op.op_id}: empty list")
    wanted = _key(items[-1]["id"])
    found = _get(target, op, **{"search[id]": wanted}).json()
    assert [_key(i["id"]) for i in found] == [wanted], \
        f"{op.op_id}: rule 'search[id]' broken: search[id]={wanted} returned {[_key(i['id']) for i in found][:5]}"
