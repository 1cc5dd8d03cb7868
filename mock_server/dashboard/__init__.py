"""The dashboard at ``/__mock__/``: the mock site in a browser, served by the mock itself.

Jinja templates and one stylesheet, no JavaScript and no build step. ``views`` holds the pages,
``data`` what each plugin's routes show, ``rest`` asks those routes in-process.
"""
from mock_server.dashboard.views import dashboard

__all__ = ["dashboard"]
