"""The yardstick: the smallest Flask app that serves one stored JSON object."""
import os

from flask import Flask, Response

app = Flask(__name__)
with open(os.environ["MINIMAL_BODY_FILE"], "rb") as fh:
    BODY = fh.read()


@app.get("/object")
def one_object():
    return Response(BODY, mimetype="application/json")
