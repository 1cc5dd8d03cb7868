"""Placeholder: being written."""
from mock_server import operations, wp

API = "memberpress"
VALIDATE_ARGS = True
HANDLERS = {op.op_id: (lambda call: wp.error("mock_not_implemented", "Not implemented yet.", 501))
            for op in operations.load(API)}


def authorize(call):
    return None


def seed(site, db, fake):
    pass
