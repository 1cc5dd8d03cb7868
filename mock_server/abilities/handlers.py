"""The Abilities REST controllers of WordPress 6.9 (list, categories, run) over the plugin's abilities.

Every operation of the OpenAPI document lands here by the shape of its path, so the generic
``/abilities/{namespace}/{ability}[/run]`` operations and the concrete per-ability ones share one
code path. ``authorize`` is the routes' permission callbacks (the run route's does the 404, 405
and input checks too, as core's ``check_ability_permissions`` does); the handlers are their
callbacks.
"""
from __future__ import annotations

import re
from urllib.parse import urlencode

from flask import Response

from mock_server import operations, wp
from mock_server.abilities import core, domain, registry

BASE = "/wp-json/" + registry.NAMESPACE

EXECUTORS = {
    "woocommerce-memberships/plans-create": domain.create_plan,
    "woocommerce-memberships/plans-get": domain.get_plan,
    "woocommerce-memberships/plans-list": domain.list_plans,
    "woocommerce-memberships/plans-delete": domain.delete_plan,
    "woocommerce-memberships/user-memberships-create": domain.create_membership,
    "woocommerce-memberships/user-memberships-get": domain.get_membership,
    "woocommerce-memberships/user-memberships-list": domain.list_memberships,
    "woocommerce-memberships/user-memberships-delete": domain.delete_membership,
}


def kind(op) -> str:
    """Which controller route an operation belongs to, from its path."""
    rest = op.path[len(BASE):]
    if rest.startswith("/abilities"):
        if rest == "/abilities":
            return "list_abilities"
        return "run" if rest.endswith("/run") else "get_ability"
    return "list_categories" if rest == "/categories" else "get_category"


def ability_name(call) -> str:
    if "namespace" in call.path:
        return f"{call.path['namespace']}/{call.path['ability']}"
    return re.search(r"/abilities/(.+?)(?:/run)?$", call.op.path).group(1)


def required_code(call) -> int:
    """rest_authorization_required_code()."""
    return 403 if call.user else 401


# -- permission callbacks -------------------------------------------------------------------

# The patterns core registers its routes with: a name or slug outside them matches no route.
ROUTE_PATTERNS = {"run": r"[a-zA-Z0-9\-/]+?", "get_ability": r"[a-zA-Z0-9\-/]+",
                  "get_category": r"[a-z0-9]+(?:-[a-z0-9]+)*"}


def authorize(call):
    pattern = ROUTE_PATTERNS.get(kind(call.op))
    if pattern:
        value = call.path.get("slug", "") if kind(call.op) == "get_category" else ability_name(call)
        if not re.fullmatch(pattern, value):
            if kind(call.op) == "get_category" and re.fullmatch(pattern, value, re.IGNORECASE):
                # WordPress matches routes ignoring case; the slug argument's own pattern does not.
                return wp.invalid_params({"slug": ("rest_invalid_pattern", f"slug does not match pattern ^{pattern}$.")})
            return wp.no_route()
    if kind(call.op) == "run":
        return check_ability_permissions(call)
    refused = check_args(call)
    if refused:
        return refused
    if not call.site.can(call.user, "read"):
        return wp.error("rest_forbidden", "Sorry, you are not allowed to do that.", required_code(call))
    return None


def check_args(call):
    """has_valid_params for the discovery routes' query args, defaults from the contract."""
    problems = {}
    for param in call.op.params:
        if param.where != "query":
            continue
        if param.name in call.raw_query:
            value, problem = operations.coerce(param.validator, call.raw_query[param.name])
            if problem:
                schema = call.op.spec_param_schema(param.name)
                problems[param.name] = (wp.param_problem(param.name, schema, call.raw_query[param.name])
                                        or f"{param.name} {problem}")
            else:
                call.query[param.name] = value
        elif "default" in call.op.spec_param_schema(param.name):
            call.query[param.name] = call.op.spec_param_schema(param.name)["default"]
    return wp.invalid_params(problems) if problems else None


def check_ability_permissions(call):
    ability = registry.abilities().get(ability_name(call))
    if ability is None:
        return wp.error("rest_ability_not_found", "Ability not found.", 404)
    if call.request.method != ability.method:
        message = {"GET": "Read-only abilities require GET method.",
                   "DELETE": "Abilities that perform destructive actions require DELETE method."}.get(
            ability.method, "Abilities that perform updates require POST method.")
        return wp.error("rest_ability_invalid_method", message, 405)
    value = core.normalize(ability.input_name, core.input_from_request(call))
    value, reason, rule_errors = core.validate(ability.input_name, value)
    if reason:
        return wp.error("ability_invalid_input",
                        f'Ability "{ability.name}" has invalid input. Reason: {reason}', 400)
    if not call.site.can(call.user, "manage_woocommerce"):
        return wp.error("rest_ability_cannot_execute", "Sorry, you are not allowed to execute this ability.",
                        required_code(call))
    call.ability, call.ability_input, call.rule_errors = ability, value, rule_errors
    return None


# -- callbacks ------------------------------------------------------------------------------

def run(call) -> Response:
    """execute_ability: the ability's output is the whole body."""
    if call.rule_errors:
        return wp.error("invalid_input", core.rule_message(call.rule_errors[0]), 422)
    try:
        result = EXECUTORS[call.ability.name](call.site, call.ability_input)
    except domain.PluginError as exc:
        return wp.error(exc.code, exc.message, exc.status)
    if isinstance(result, list):
        return wp.reply([domain.public(item) for item in result])
    return wp.reply(domain.public(result))


def list_abilities(call) -> Response:
    items = list(registry.abilities().values())
    category = _sanitize_key(call.query.get("category"))
    if category:
        items = [a for a in items if a.category == category]
    return _page(call, items, ability_item, "abilities")


def get_ability(call) -> Response:
    ability = registry.abilities().get(ability_name(call))
    if ability is None:
        return wp.error("rest_ability_not_found", "Ability not found.", 404)
    return wp.reply(ability_item(call, ability))


def list_categories(call) -> Response:
    return _page(call, list(registry.categories().values()), category_item, "categories")


def get_category(call) -> Response:
    category = registry.categories().get(call.path.get("slug"))
    if category is None:
        return wp.error("rest_ability_category_not_found", "Ability category not found.", 404)
    return wp.reply(category_item(call, category))


# -- items as the controllers prepare them --------------------------------------------------

def _rest_url(call, route: str) -> str:
    return call.request.host_url.rstrip("/") + BASE + route


def ability_item(call, ability: registry.Ability) -> dict:
    data = {"name": ability.name, "label": ability.label, "category": ability.category}
    if call.query.get("context", "view") != "embed":
        data = {"name": ability.name, "label": ability.label, "description": ability.description,
                "category": ability.category, "input_schema": ability.input_schema,
                "output_schema": ability.output_schema,
                "meta": {"annotations": dict(ability.annotations), "show_in_rest": True}}
    data["_links"] = {
        "self": [{"href": _rest_url(call, f"/abilities/{ability.name}")}],
        "collection": [{"href": _rest_url(call, "/abilities")}],
        "wp:action-run": [{"href": _rest_url(call, f"/abilities/{ability.name}/run")}],
    }
    return data


def category_item(call, category: registry.Category) -> dict:
    data = {"slug": category.slug, "label": category.label}
    if call.query.get("context", "view") != "embed":
        data.update(description=category.description, meta=category.meta)
    data["_links"] = {
        "self": [{"href": _rest_url(call, f"/categories/{category.slug}")}],
        "collection": [{"href": _rest_url(call, "/categories")}],
        "abilities": [{"href": _rest_url(call, f"/abilities?category={category.slug}")}],
    }
    return data


def _page(call, items: list, render, route: str) -> Response:
    page, per_page = call.query["page"], call.query["per_page"]
    chunk, headers = wp.page_of(items, page, per_page)
    response = wp.reply([render(call, item) for item in chunk], headers=headers)
    pages = int(headers["X-WP-TotalPages"])
    params = {k: v for k, v in call.request.args.items(multi=True) if k != "page"}
    base = _rest_url(call, f"/{route}")
    if page > 1:
        response.headers.add("Link", f'<{base}?{urlencode({**params, "page": page - 1})}>; rel="prev"')
    if page < pages:
        response.headers.add("Link", f'<{base}?{urlencode({**params, "page": page + 1})}>; rel="next"')
    return response


def _sanitize_key(value) -> str:
    return re.sub(r"[^a-z0-9_\-]", "", str(value or "").lower())


HANDLERS_BY_KIND = {"run": run, "list_abilities": list_abilities, "get_ability": get_ability,
                    "list_categories": list_categories, "get_category": get_category}
