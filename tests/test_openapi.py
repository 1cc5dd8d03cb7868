"""The three OpenAPI documents are valid OpenAPI 3.1 and load in schemathesis."""
import pytest
import schemathesis
from openapi_spec_validator import validate
from openapi_spec_validator.readers import read_from_filename

from membermock import contracts

DOCS = contracts.openapi_documents()


def test_one_document_per_api():
    assert set(DOCS) == {"memberpress", "pmpro", "wc-memberships"}


@pytest.mark.parametrize("api", sorted(DOCS))
def test_document_is_valid_openapi(api):
    spec, base_uri = read_from_filename(str(DOCS[api]))
    assert spec["openapi"].startswith("3.1")
    validate(spec, base_uri=base_uri)


@pytest.mark.parametrize("api", sorted(DOCS))
def test_schemathesis_loads_every_operation(api):
    schema = schemathesis.openapi.from_path(DOCS[api])
    operations = [result.ok() for result in schema.get_all_operations()]
    assert operations
    ids = [op.definition.raw.get("operationId") for op in operations]
    assert all(ids) and len(ids) == len(set(ids)), "every operation needs a unique operationId"


def test_the_control_document_is_valid_openapi():
    spec, base_uri = read_from_filename(str(contracts.CONTROL_DOCUMENT))
    validate(spec, base_uri=base_uri)


def test_every_control_route_is_documented_and_every_documented_one_exists():
    from mock_server.app import create_app
    from mock_server.config import Config

    app = create_app(Config(db=":memory:"))
    served = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/__mock__"):
            path = rule.rule.replace("<int:", "{").replace("<", "{").replace(">", "}")
            served |= {(path, m) for m in rule.methods - {"HEAD", "OPTIONS"}}
    documented = {(path, method.upper()) for path, item in contracts.control()["paths"].items()
                  for method in item if method in ("get", "post", "put", "patch", "delete")}
    assert served == documented
