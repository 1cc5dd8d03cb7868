"""Application factory: ``create_app()`` returns the mock as a Flask app."""
from flask import Flask, jsonify


def create_app() -> Flask:
    app = Flask("membermock")

    @app.get("/__mock__/health")
    def health():
        return jsonify({"status": "ok"})

    return app
