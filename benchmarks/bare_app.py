"""The yardstick: a bare Flask app answering every POST with a fixed TwiML document of the
router's size. Served by the same gunicorn, loaded by the same client."""

import os

from flask import Flask, Response

SIZE = int(os.environ.get("BARE_BODY_SIZE", "800"))
HEAD = '<?xml version="1.0" encoding="UTF-8"?><Response><Say>'
TAIL = "</Say></Response>"
BODY = HEAD + "x" * max(0, SIZE - len(HEAD) - len(TAIL)) + TAIL

app = Flask(__name__)


@app.post("/<path:anything>")
def answer(anything):
    return Response(BODY, mimetype="text/xml")
