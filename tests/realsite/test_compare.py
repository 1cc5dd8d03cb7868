"""The differential's comparison: what counts as the same answer, and what docs/realsite.md explains."""
from realsite import compare, differential
from realsite.compare import Answer
from realsite.requests import all_requests

JSON = "application/json; charset=utf-8"


def ans(body, status=200, kind=JSON, headers=None):
    return Answer(status, kind, body, body != "", headers or {})


def test_identical_answers_have_no_difference():
    body = {"id": "2", "levels": [{"a": 1}], "ok": True}
    assert compare.differences(ans(body), ans(dict(body))) == {}


def test_each_aspect_is_named():
    assert set(compare.differences(ans(True, 200), ans({"code": "x"}, 401))) == {"status", "shape"}
    assert set(compare.differences(ans(True), ans(True, kind="application/json"))) == {"content-type"}
    assert "only in the mock" in compare.differences(ans({"a": 1}), ans({"a": 1, "b": 2}))["shape"]
    assert compare.differences(ans({"a": 1}), ans({"a": 1.5}))["shape"].startswith("/a")
    assert compare.differences(ans({"price": "20.00000000"}), ans({"price": "20.00"}))["values"].startswith("/price")
    assert compare.differences(ans([], headers={"X-WP-Total": "4"}), ans([], headers={"X-WP-Total": "2"}))["values"]


def test_an_empty_body_is_not_null():
    assert compare.differences(ans(""), ans(None))["shape"] == "/: 'empty' vs 'null'"


def test_times_and_generated_values_are_compared_by_type_only():
    a = {"startdate": "1796100704", "rules": [{"id": "rule_5f1a2b3c4d5e6"}], "export_id": "a", "name": "x"}
    b = {"startdate": "1796100999", "rules": [{"id": "rule_0123456789abc"}], "export_id": "b", "name": "x"}
    assert compare.differences(ans(a), ans(b)) == {}
    assert set(compare.differences(ans(a), ans({**b, "startdate": 5}))) == {"shape"}
    assert set(compare.differences(ans(a), ans({**b, "name": "y"}))) == {"values"}


def test_the_site_s_own_urls_compare_relative_to_it():
    class R:
        status_code, headers = 200, {"Content-Type": "application/json; charset=UTF-8"}
        text = '{"href": "http:\\/\\/127.0.0.1:8081\\/wp-json\\/x", "other": "https://example.org/"}'
    got = compare.answer_of(R(), "http://127.0.0.1:8081")
    assert got.body == {"href": "<site>/wp-json/x", "other": "https://example.org/"}


def test_docs_explain_only_requests_the_list_sends():
    explained = differential.known()
    names = {r.name for r in all_requests()}
    assert explained, "docs/realsite.md lists no difference"
    assert set(explained) <= names, sorted(set(explained) - names)
    for aspects, reason in explained.values():
        assert set(aspects) <= set(compare.ASPECTS) and len(reason) > 20


def test_a_difference_is_explained_only_for_the_aspects_listed(monkeypatch):
    req = all_requests()[0]

    class Fixed:
        def __init__(self, a): self.a = a
        def answer(self, _req): return self.a

    explained = {req.name: (("values",), "because the fixture says so")}
    row, = differential.run(Fixed(ans({"a": 1})), Fixed(ans({"a": 2})), [req], explained)
    assert row.verdict == "explained"
    row, = differential.run(Fixed(ans({"a": 1})), Fixed(ans({"a": 2}, 404)), [req], explained)
    assert row.verdict == "UNEXPLAINED"
    assert differential.summary([row]) == {"requests": 1, "identical": 0, "differing": 1, "explained": 0,
                                          "unexplained": 1}
