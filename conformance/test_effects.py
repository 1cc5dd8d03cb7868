"""Every state-changing operation, followed by a read that proves its effect (conformance/effects.yaml).

For each resource: make one, read it, change it with each form of update (POST, PUT, PATCH) and
each action, reading it back after each; delete it and read that it is gone. Rules reported:
``success status reached``, ``sent fields read back``, ``unsent fields unchanged``, ``derived
fields follow the plugin``, ``deleted is gone``. Only objects the run made are written to; the one
exception, a post's restrictions on a site without WordPress's posts route, is put back as it was.
"""
from __future__ import annotations

import pytest

from conformance import contract, effects, found, state
from conformance.effects import fill

TARGET = state.target()


def _params() -> list:
    out = []
    for api in contract.API_NAMES:
        for name, resource in effects.resources(api).items():
            marks = [pytest.mark.api(api), pytest.mark.writes, pytest.mark.covers(*effects.operations_of(resource))]
            out.append(pytest.param(api, name, marks=marks, id=f"{api}-{name}"))
    return out


def call(target, api: str, op_id: str, params: dict | None = None, body=None):
    op = contract.by_id(api)[op_id]
    path, query = op.path, {}
    for key, value in (params or {}).items():
        if "{" + key + "}" in path:
            path = path.replace("{" + key + "}", str(value))
        else:
            query[key] = value
    kw = {"params": query}
    if body is not None:
        kw["json"] = body
    return target.call(api, op.method, path, **kw)


def _json(response):
    if not response.content:
        return None  # WordPress sends a callback's null as no body
    return response.json()


class Made:
    """What the effects tests share: needed resources, made once; the user and post providers."""

    def __init__(self, target):
        self.target = target
        self.cache: dict = {}
        self.undo: list = []       # at the end of the run
        self.undo_now: list = []   # at the end of the test that asked (a post's restrictions)

    def need(self, api: str, name: str, fresh: bool = False) -> dict:
        key = (api, name)
        if fresh or key not in self.cache:
            resource = effects.resources(api)[name]
            made = make(self.target, api, resource["create"], self.scope(api, resource), name)
            if fresh:
                return made
            self.cache[key] = made
        return self.cache[key]

    def scope(self, api: str, resource: dict) -> dict:
        scope = {"tag": effects.new_tag()}
        for need in resource.get("needs", []):
            scope[need] = self.need(api, need)
        for need in resource.get("fresh", []):
            scope[need] = self.need(api, need, fresh=True)
        for provider in resource.get("requires", []):
            if provider == "irreversible":
                if not self.target.options.allow_irreversible:
                    pytest.skip("creates objects no enabled operation deletes; pass --allow-irreversible")
                continue
            scope[provider] = getattr(self, provider)()
        return scope

    # -- providers -----------------------------------------------------------------------------
    def levels(self) -> list:
        if "levels" not in self.cache:
            response = call(self.target, "pmpro", "listMembershipLevels")
            body = _json(response) if response.status_code == 200 else None
            rows = list(body.values()) if isinstance(body, dict) else body or []
            self.cache["levels"] = [int(row["id"]) for row in rows if isinstance(row, dict) and row.get("id")][:2]
        if len(self.cache["levels"]) < 2:
            pytest.skip("the site has fewer than two PMPro levels to change between")
        return self.cache["levels"]

    def _wp(self):
        o = self.target.options
        return None if not (o.wp_user and o.wp_app_password) else __import__(
            "conformance.target", fromlist=["basic"]).basic(o.wp_user, o.wp_app_password)

    def user(self) -> int:
        """A WordPress user the run makes: WordPress's own users route, or else a MemberPress member."""
        if "user" in self.cache:
            return self.cache["user"]
        auth, tag = self._wp(), effects.new_tag()
        if auth:
            response = self.target.http.post(self.target.url("/wp-json/wp/v2/users"), headers=auth, json={
                "username": f"conformance-{tag}", "email": f"conformance-{tag}@example.com",
                "password": f"Cf-{tag}-{tag}"})
            if response.status_code == 201:
                self.cache["user"] = int(response.json()["id"])
                me = self.target.http.get(self.target.url("/wp-json/wp/v2/users/me"), headers=auth).json()
                self.undo.append(lambda uid=self.cache["user"]: self.target.http.delete(
                    self.target.url(f"/wp-json/wp/v2/users/{uid}"), headers=auth,
                    params={"force": "true", "reassign": me["id"]}))
                return self.cache["user"]
        if self.target.credentials("memberpress"):
            response = call(self.target, "memberpress", "createMember",
                            body={"email": f"conformance-{tag}@example.com", "username": f"conformance-{tag}"})
            if response.status_code == 200:
                self.cache["user"] = int(response.json()["id"])
                return self.cache["user"]
        pytest.skip("no way to make a WordPress user (neither /wp/v2/users nor MemberPress's createMember)")

    def post(self) -> int:
        """A post the run makes, or else the first one found, whose restrictions are put back as soon
        as the test ends (other tests read them)."""
        auth = self._wp()
        if auth:
            response = self.target.http.post(self.target.url("/wp-json/wp/v2/posts"), headers=auth,
                                             json={"title": "conformance", "status": "draft"})
            if response.status_code == 201:
                pid = int(response.json()["id"])
                self.undo_now.append(lambda: self.target.http.delete(self.target.url(f"/wp-json/wp/v2/posts/{pid}"),
                                                                     headers=auth, params={"force": "true"}))
                return pid
        posts = found.pmpro_posts()
        if not posts:
            pytest.skip(f"no post to restrict: no /wp/v2/posts, and none among posts 1-{found.PROBE}")
        pid, levels = posts[0]
        self.undo_now.append(lambda: call(self.target, "pmpro", "setPostRestrictions",
                                          body={"post_id": pid, "level_ids": list(levels)}))
        return pid

    def close(self, now: bool = False) -> None:
        undo = self.undo_now if now else self.undo + self.undo_now
        while undo:
            undo.pop()()


def make(target, api: str, create: dict, scope: dict, name: str):
    response = call(target, api, create["op"], fill(create.get("params"), scope), fill(create.get("body"), scope))
    if not 200 <= response.status_code < 300:
        pytest.fail(f"{create['op']}: rule 'success status reached' broken: making a {name} answered "
                    f"{response.status_code}: {response.text[:300]}")
    return _json(response)


def _also(target, api: str, wants: dict, scope: dict, op_id: str) -> list[str]:
    """Other objects of the test, read and checked against what ``op_id`` should have done to them."""
    problems = []
    for other, expect in (wants or {}).items():
        _, seen = _read(target, api, effects.resources(api)[other], {**scope, "self": scope[other]})
        problems += effects.check_read(op_id, None, seen, None, "*", (), fill(expect, scope))
    return problems


@pytest.fixture(scope="session")
def made(target):
    shared = Made(target)
    yield shared
    shared.close()


def _read(target, api: str, resource: dict, scope: dict):
    spec = resource["read"]
    response = call(target, api, spec["op"], fill(spec.get("params"), scope), fill(spec.get("body"), scope))
    return response, (_json(response) if response.status_code == 200 else None)


def _sent(step: dict, body):
    """The fields a step's body sets on the object (``sent: input``: those under that key)."""
    how = step.get("sent", True)
    if how is False or not isinstance(body, dict):
        return None
    return body.get(how) if isinstance(how, str) else body


def _delete_enabled(op_id: str) -> bool:
    return (contract.find(op_id).raw.get("x-pmpro-capabilities") or {}).get("enabled_by_default", True)


@pytest.mark.parametrize("api,name", _params())
def test_effects_read_back(api, name, target, made):
    if target.credentials(api) is None:
        pytest.skip(f"no credentials for {api}")
    try:
        _effects(api, name, target, made)
    finally:
        made.close(now=True)


def _effects(api: str, name: str, target, made) -> None:
    resource = effects.resources(api)[name]
    scope = made.scope(api, resource)
    create = resource["create"]
    body = fill(create.get("body"), scope)
    response = call(target, api, create["op"], fill(create.get("params"), scope), body)
    assert 200 <= response.status_code < 300, (
        f"{create['op']}: rule 'success status reached' broken: answered {response.status_code}: {response.text[:300]}")
    scope["self"] = _json(response)
    problems = []

    got, before = _read(target, api, resource, scope)
    assert got.status_code == 200, (f"{resource['read']['op']}: rule 'created is readable' broken: answered "
                                    f"{got.status_code} after {create['op']}: {got.text[:300]}")
    problems += effects.check_read(create["op"], None, before, _sent(create, body), "*", (),
                                   fill(create.get("expect") or {}, scope))
    for name_, create_ in (resource.get("setup") or {}).items():
        scope[name_] = make(target, api, create_, scope, name_)
    problems += _also(target, api, resource.get("check_setup"), scope, "setup")
    for step in resource.get("steps", []):
        body = fill(step.get("body"), scope)
        answer = call(target, api, step["op"], fill(step.get("params"), scope), body)
        if step.get("refused"):
            if 200 <= answer.status_code < 300:
                problems.append(f"{step['op']}: rule 'refused when the state forbids it' broken: answered "
                                f"{answer.status_code}: {answer.text[:200]}")
            got, after = _read(target, api, resource, scope)
            problems += effects.check_read(step["op"], before, after, None, (), resource.get("volatile", ()), {})
            continue
        if not 200 <= answer.status_code < 300:
            problems.append(f"{step['op']}: rule 'success status reached' broken: answered {answer.status_code}: "
                            f"{answer.text[:200]}")
            continue
        got, after = _read(target, api, resource, scope)
        if got.status_code != 200:
            problems.append(f"{step['op']}: rule 'changed is readable' broken: the read answered {got.status_code}")
            continue
        problems += effects.check_read(step["op"], before, after, _sent(step, body), step.get("moves", ()),
                                       resource.get("volatile", ()), fill(step.get("expect") or {}, scope))
        problems += _also(target, api, step.get("also"), scope, step["op"])
        before = after
    delete = resource.get("delete")
    if delete and _delete_enabled(delete["op"]):
        answer = call(target, api, delete["op"], fill(delete.get("params"), scope), fill(delete.get("body"), scope))
        if not 200 <= answer.status_code < 300:
            problems.append(f"{delete['op']}: rule 'success status reached' broken: answered {answer.status_code}")
        else:
            got, _ = _read(target, api, resource, scope)
            gone = str(resource.get("gone", 404))
            if str(got.status_code) != gone:
                problems.append(f"{delete['op']}: rule 'deleted is gone' broken: {resource['read']['op']} answered "
                                f"{got.status_code} after the delete (expected {gone})")
    assert not problems, "\n".join(problems)
