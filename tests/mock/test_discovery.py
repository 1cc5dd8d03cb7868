"""WordPress's REST discovery on the mock: the site index and the namespace indexes, built from the
OpenAPI documents, compared with what a real WordPress + PMPro + Abilities API site answers."""
import os

import pytest
import requests

from membermock import wordpress
from mock_server import discovery, operations

REAL = os.environ.get("MEMBERMOCK_REALPEER_URL", "http://127.0.0.1:8081")
NAMESPACES = {"memberpress": "mp/v1", "pmpro": "pmpro/v1", "wc-memberships": "wp-abilities/v1"}


def test_site_index_lists_every_namespace_and_route(mock):
    r = mock.get("/wp-json/")
    body = r.json
    assert {"mp/v1", "pmpro/v1", "wp-abilities/v1", "wp/v2", "oembed/1.0"} <= set(body["namespaces"])
    assert r.headers["Link"] == '<http://localhost/wp-json/>; rel="https://api.w.org/"'
    for api, namespace in NAMESPACES.items():
        assert f"/{namespace}" in body["routes"]
        assert set(discovery.routes(api)) <= set(body["routes"])
    assert body["routes"]["/"]["_links"]["self"][0]["href"] == "http://localhost/wp-json/"
    assert mock.get("/?rest_route=/").json == body, "the ?rest_route= form reaches the same index"


@pytest.mark.parametrize("api", sorted(NAMESPACES))
def test_namespace_index_covers_every_operation(mock, api):
    namespace = NAMESPACES[api]
    index = mock.get(f"/wp-json/{namespace}").json
    assert index["namespace"] == namespace and index["_links"]["up"][0]["href"] == "http://localhost/wp-json/"
    routes = index["routes"]
    doc = operations.documents()[api]
    for path, item in doc["paths"].items():
        key = item.get("x-wp-route") or wordpress.route_key(doc, path, item)
        if not key.startswith(f"/{namespace}"):
            continue
        assert key in routes, (path, key)
        for method in ("get", "post", "put", "patch", "delete"):
            if method in item:
                assert method.upper() in routes[key]["methods"], (path, method)
    for key, route in routes.items():
        assert route["namespace"] == namespace
        assert ("_links" in route) == ("(?P<" not in key), key


def test_memberpress_routes_are_described_as_the_add_on_registers_them(mock):
    routes = mock.get("/wp-json/mp/v1").json["routes"]
    member = routes[r"/mp/v1/members/(?P<id>[\d]+)"]
    assert member["methods"] == ["GET", "POST", "PUT", "PATCH", "DELETE"]
    assert [e["methods"] for e in member["endpoints"]] == [["GET"], ["POST", "PUT", "PATCH"], ["DELETE"]]
    listing = routes["/mp/v1/groups"]["endpoints"][0]["args"]
    assert listing["per_page"]["required"] is False and "search" in listing
    create = routes["/mp/v1/members"]["endpoints"][1]["args"]
    assert create["email"]["required"] is True and create["username"]["type"] == "string"
    assert routes["/mp/v1/me"]["endpoints"][0]["args"] == []


def test_namespace_index_needs_no_credentials_and_wrong_ones_read_as_anonymous(mock):
    assert mock.get("/wp-json/mp/v1").status_code == 200
    # WordPress 6.1 (the real site) goes on anonymously after a wrong application password
    wrong = mock.get("/wp-json/pmpro/v1", headers={"Authorization": "Basic YWRtaW46d3Jvbmc="})
    assert wrong.status_code == 200 and wrong.json["namespace"] == "pmpro/v1"
    assert mock.get("/wp-json/wp/v2", check=False).status_code == 404, "WordPress's own routes are not served"


# -- the real site ----------------------------------------------------------------------------------

def _real(path):
    try:
        r = requests.get(REAL + path, timeout=5)
    except requests.RequestException:
        pytest.skip(f"no real WordPress site at {REAL} (../shared/realpeer/setup.sh starts one)")
    if r.status_code != 200 or "routes" not in r.text:
        pytest.skip(f"{REAL} is not a WordPress site with the REST API on")
    return r.json()


def _shape(routes):
    """What must agree: route keys, methods, endpoint methods, and per arg what WordPress checks."""
    keep = ("required", "type", "default", "enum", "minimum", "maximum", "pattern")
    out = {}
    for key, route in routes.items():
        out[key] = (tuple(route["methods"]),
                    tuple((tuple(e["methods"]), tuple(sorted(
                        (name, tuple((k, str(arg.get(k))) for k in keep if k in arg))
                        for name, arg in (e["args"] or {}).items()))) for e in route["endpoints"]))
    return out


@pytest.mark.parametrize("namespace", ["pmpro/v1", "wp-abilities/v1"])
def test_namespace_index_matches_the_real_site(mock, namespace):
    real = _real(f"/wp-json/{namespace}")
    ours = mock.get(f"/wp-json/{namespace}").json
    real_routes = {k: v for k, v in real["routes"].items()}
    assert _shape(ours["routes"]) == _shape(real_routes)
    assert set(ours) == set(real) and set(ours["_links"]) == set(real["_links"])


def test_site_index_matches_the_real_site(mock):
    real = _real("/wp-json/")
    ours = mock.get("/wp-json/").json
    assert set(real) == set(ours), "same top-level keys"
    assert set(real["namespaces"]) <= set(ours["namespaces"]) | {"mp/v1"}
    assert set(ours["namespaces"]) - set(real["namespaces"]) == {"mp/v1"}, "only MemberPress is missing there"
    assert ours["routes"]["/"] == {**real["routes"]["/"], "_links": ours["routes"]["/"]["_links"]}
