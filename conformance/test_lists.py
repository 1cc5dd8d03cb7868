"""What a list schema cannot say: paging adds up and filters filter.

The list operations are found in the contracts (a GET with ``page`` and ``per_page`` and an
``X-WP-Total`` header), the filters are their query parameters named like a field of the items
(``member``, ``status``, ``group``...), and the values to filter by are read from the server's
own first page, so nothing here knows the data. Where the site holds too few items to page
through, or none with a value to filter by, the test makes them (a valid body for the list's create
operation, from the fixture generator, with the filter fields of an existing item) and the run
deletes them at the end; with --read-only it skips instead, saying why.
"""
from __future__ import annotations

import math

import pytest

from conformance import contract
from fixtures.generate import one
from membermock import contracts

PAGING = ("page", "per_page")
TOTALS = ("X-WP-Total", "X-WP-TotalPages")
WALK_PAGES = 20     # at most this many pages are read to count a list's items
CREATE_TRIES = 8


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


def _param(op: contract.Operation, name: str) -> dict:
    return next(p for p in (contract._resolve(op.api, p) for p in op.raw.get("parameters", [])) if p["name"] == name)


def _field(op: contract.Operation, name: str) -> str:
    """The item property a filter compares (the contract names it where it is not the parameter's)."""
    return _param(op, name).get("x-filters-field", name)


def _filter_names(op: contract.Operation) -> list[str]:
    return [name for name in _params(op)
            if name not in PAGING and "[" not in name and name not in ("search", "order", "order_dir", "orderby", "context")]


def _creator(op: contract.Operation):
    """(create operation, contract of its body) adding to ``op``'s list, whose objects the run can delete."""
    for other in contract.operations(op.api):
        if other.method != "POST" or other.path != op.path or not contract.deleters(other) or contract.irreversible(other):
            continue
        body = contract._resolve(op.api, other.raw.get("requestBody") or {})
        ref = ((body.get("content") or {}).get("application/json") or {}).get("schema", {}).get("$ref", "")
        if ref.endswith(".json"):
            return other, contracts.name_of((contracts.OPENAPI_DIR / ref).resolve())
    return None


def _ref(value):
    return value["id"] if isinstance(value, dict) and "id" in value else value


def _cannot_create(target, op) -> str | None:
    """Why the run may not add items to ``op``'s list, if it may not."""
    if target.options.read_only:
        return f"{op.op_id}: too few items to check and --read-only forbids making them"
    if _creator(op) is None:
        return f"{op.op_id}: too few items to check and no operation the run can undo creates them"
    return None


def _create(target, op, count: int, like: dict | None = None) -> int:
    """Add ``count`` items to the list: a generated valid body, with the values of ``like`` for the
    list's filter fields that name other objects (so what they point at exists); how many the server
    took. The run deletes them at the end (the create's links name the delete)."""
    create, kind = _creator(op)
    copied = {}
    for name in _filter_names(op):
        field = _field(op, name)
        value = (like or {}).get(field)
        if field == name and value not in (None, "", 0, "0"):
            copied[field] = _ref(value)
    done = 0
    for seed in range(CREATE_TRIES * count):
        if done == count:
            break
        response = target.call(op.api, create.method, create.path, json={**one(kind, seed + 1000), **copied})
        done += 200 <= response.status_code < 300
    return done


WALK_TRIES = 5


def _walk(target, op, size: int):
    """One read of the list's pages at ``size``: (X-WP-Total, X-WP-TotalPages, [(page, item keys)],
    items past the last page), or None when X-WP-Total moved during the read: the list changed
    under it, and its pages then overlap or skip items without the server being wrong."""
    first = _get(target, op, page=1, per_page=size)
    total, pages = int(first.headers["X-WP-Total"]), int(first.headers["X-WP-TotalPages"])
    read = []
    for page in list(range(1, pages + 1)) if pages <= WALK_PAGES else [1, 2, pages]:
        answer = first if page == 1 else _get(target, op, page=page, per_page=size)
        if int(answer.headers.get("X-WP-Total", -1)) != total:
            return None
        read.append((page, [_key(i) for i in answer.json()]))
    beyond = target.call(op.api, "GET", op.path, params={"page": pages + 1, "per_page": size})
    extra = beyond.json() if beyond.status_code == 200 else []
    if beyond.status_code == 200 and int(beyond.headers.get("X-WP-Total", total)) != total:
        return None
    return total, pages, read, extra


@pytest.mark.parametrize("op", [_marked(op) for op in _lists()])
def test_pages_add_up_without_overlap(op, target):
    """X-WP-Total is the number of items the pages hold: every page is read and counted, and the
    page after the last holds nothing; pages of per_page items do not overlap."""
    _needs_credentials(target, op)
    first = _get(target, op, page=1, per_page=2)
    for header in TOTALS:
        assert header in first.headers, f"{op.op_id}: rule 'pagination headers' broken: no {header} header"
    too_few = None
    if int(first.headers["X-WP-Total"]) < 3:
        too_few = _cannot_create(target, op)
        if too_few is None:
            items = first.json()
            _create(target, op, 3 - len(items), like=items[0] if items else None)
            first = _get(target, op, page=1, per_page=2)
    total = int(first.headers["X-WP-Total"])
    size = 2 if total <= 2 * WALK_PAGES else 50
    for _ in range(WALK_TRIES):   # another client (a parallel shard of this run) may write the list meanwhile
        walk = _walk(target, op, size)
        if walk is not None:
            break
    else:
        raise AssertionError(f"{op.op_id}: rule 'pagination headers' broken: X-WP-Total changed between pages "
                             f"in each of {WALK_TRIES} reads of the list")
    total, pages, read, extra = walk
    assert pages == math.ceil(total / size), \
        f"{op.op_id}: rule 'pagination headers' broken: X-WP-TotalPages {pages} for X-WP-Total {total} at per_page={size}"
    seen: list[str] = []
    for page, keys in read:
        want = size if page < pages else total - (pages - 1) * size
        assert len(keys) == want, f"{op.op_id}: rule 'page size' broken: page {page} of {pages} holds {len(keys)} " \
                                  f"item(s) at per_page={size} with X-WP-Total {total}, expected {want}"
        assert not set(keys) & set(seen), \
            f"{op.op_id}: rule 'pages do not overlap' broken: {sorted(set(keys) & set(seen))[:5]} again on page {page}"
        seen += keys
    assert not extra, f"{op.op_id}: rule 'X-WP-Total counts the items' broken: X-WP-Total {total} " \
                      f"({pages} page(s) at per_page={size}), yet page {pages + 1} holds {len(extra)} more"
    if pages <= WALK_PAGES:
        assert len(seen) == total, \
            f"{op.op_id}: rule 'X-WP-Total counts the items' broken: the pages hold {len(seen)} items, X-WP-Total says {total}"
    if total < 3:
        pytest.skip(too_few or f"{op.op_id}: only {total} item(s) after making more, no two pages to compare")


def _filters():
    return [_marked(op, name, name=f"{op.op_id}-{name}") for op in _lists() for name in _filter_names(op)]


def _values(items, field):
    return [_key(i[field]) for i in items if isinstance(i, dict) and i.get(field) not in (None, "", 0, "0", False)]


@pytest.mark.parametrize("op, name", _filters())
def test_filter_really_filters(op, name, target):
    """Filtering by a value some item has returns those items and no others. Where no listed item
    has a value, one is made first (so the check always runs), with the filter field of another
    item where one exists."""
    _needs_credentials(target, op)
    field = _field(op, name)
    items = _get(target, op, per_page=50).json()
    values = _values(items, field)
    if not values:
        if reason := _cannot_create(target, op):
            pytest.skip(reason.replace("too few items to check", f"no item has a {field} to filter by"))
        _create(target, op, 1, like=items[0] if items else None)
        items = _get(target, op, per_page=50).json()
        values = _values(items, field)
        if not values:
            pytest.skip(f"{op.op_id}: no item has a {field} to filter by, and none could be made with one")
    wanted = max(set(values), key=values.count) if len(set(values)) > 1 else values[0]
    have = [_key(i.get("id")) for i in items if _key(i.get(field)) == wanted]
    found = _get(target, op, per_page=50, **{name: wanted}).json()
    assert found, f"{op.op_id}: rule 'filter {name}' broken: {name}={wanted} found nothing, though items {have[:5]} have it"
    wrong = [_key(i.get("id")) for i in found if _key(i.get(field)) != wanted]
    assert not wrong, f"{op.op_id}: rule 'filter {name}' broken: {name}={wanted} also returned items {wrong[:5]}"
    missing = [i for i in have if i not in {_key(f.get("id")) for f in found}]
    assert not missing or len(found) == 50, \
        f"{op.op_id}: rule 'filter {name}' broken: {name}={wanted} left out items {missing[:5]} that have it"
    if len(set(values)) == 1 and len(values) == len(items):
        pytest.skip(f"{op.op_id}: every listed item has {field}={wanted}; the filter could not be seen excluding")


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
