"""The call router for Belgian helplines: `create_app` builds the Flask app Twilio talks to
(`ivr.app`); `ivr` on the command line runs the operators' commands (`ivr.cli`)."""

from ivr.app import InsecureStartRefused, create_app

__all__ = ["InsecureStartRefused", "create_app"]
