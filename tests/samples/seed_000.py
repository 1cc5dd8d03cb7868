"""Samples of seed 000 (Paid Memberships Pro REST API).

The page has no JSON bodies. Its concrete samples are:
- example URLs ``https://example.com/wp-json/pmpro/v1/<route>?a=1&b=2``: each becomes the dict of
  its query parameters, checked against the request schema of that route;
- the PHP line listing the default REST methods, checked against ``pmpro.rest-methods``;
- the quoted export error text, which the plugin really sends as ``{"error": "..."}``.
"""
import re
from urllib.parse import parse_qsl, urlsplit

from .corpus import Sample

URL = re.compile(r"https://example\.com/wp-json/pmpro/v1/(?P<route>[a-z_]+(?:/[a-z_]+)?)/?(?P<query>\?\S*)?")

# route -> (request schema, note). Query strings of the example URLs are what the schema checks.
ROUTES = {
    "has_membership_access": ("pmpro.requests.has-membership-access", ""),
    "get_membership_level_for_user": ("pmpro.requests.get-membership-level-for-user", ""),
    "get_membership_levels_for_user": ("pmpro.requests.get-membership-levels-for-user", ""),
    "change_membership_level": (
        "pmpro.requests.change-membership-level",
        "The page shows a URL to 'hit', but the route is registered for POST/PUT/PATCH only (GET gives rest_no_route); "
        "WordPress still reads these query parameters on a POST.",
    ),
    "cancel_membership_level": (
        "pmpro.requests.cancel-membership-level",
        "Same as change_membership_level: POST/PUT/PATCH only; the query string is read on a POST.",
    ),
    "membership_level": (
        "pmpro.requests.membership-level-get",
        "The prose calls the parameter level_id; the URL (and the code) use id.",
    ),
    "membership_levels": ("pmpro.requests.membership-levels", ""),
    "discount_code": ("pmpro.requests.discount-code-get", ""),
    "order": ("pmpro.requests.order", ""),
    "checkout_level": ("pmpro.requests.checkout-level", ""),
    "post_restrictions": ("pmpro.requests.post-restrictions-get", "GET form of the route."),
    "export/start": (
        "pmpro.requests.empty-query",
        "POST route: the URL carries no query; type, l, s and force_async travel in the body (pmpro.requests.export-start).",
    ),
    "export/status": (
        "pmpro.requests.export-status",
        "abc123 is a placeholder; real export ids are UUIDs (pmpro.export rejects it in a response).",
    ),
}

METHODS_LINE = re.compile(r"\$methods\s*=\s*array\((?P<items>[^)]*)\)")
EXPORT_ERROR = re.compile(r'error string describing the problem \(e\.g\., "(?P<text>[^"]+)"\)')


def _url_samples(lines):
    seen = {}
    for index, line in enumerate(lines):
        for match in URL.finditer(line):
            route = match.group("route")
            schema, note = ROUTES[route]
            query = (match.group("query") or "").rstrip(".,;)")
            payload = dict(parse_qsl(urlsplit(query).query, keep_blank_values=True))
            transforms = ["find-example-url", "strip-trailing-punctuation", "query-string-to-dict"]
            name = "url-" + route.replace("/", "-").replace("_", "-")
            seen[name] = seen.get(name, 0) + 1
            if seen[name] > 1:
                name += f"-{seen[name]}"
            yield Sample(name, schema, index + 1, index + 1, payload, transforms, note)


def _methods_sample(lines):
    for index, line in enumerate(lines):
        match = METHODS_LINE.search(line)
        if match:
            payload = re.findall(r"'([^']*)'", match.group("items"))
            yield Sample(
                "default-rest-methods", "pmpro.rest-methods", index + 1, index + 1, payload,
                ["find-php-array-literal", "php-string-list-to-json-array"],
                "Default of the pmpro_rest_api_methods filter (includes/rest-api.php, pmpro_get_rest_api_methods).",
            )


def _export_error_sample(lines):
    for index, line in enumerate(lines):
        match = EXPORT_ERROR.search(line)
        if match:
            yield Sample(
                "export-start-missing-type", "pmpro.export-error", index + 1, index + 1,
                {"error": match.group("text")},
                ["take-quoted-error-text", "wrap-in-error-field"],
                "The page speaks of an error string; the export/start callback sends it as {\"error\": ...} with "
                "status 400 (includes/rest-api.php).",
            )


def extract(lines):
    yield from _url_samples(lines)
    yield from _methods_sample(lines)
    yield from _export_error_sample(lines)
