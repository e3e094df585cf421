"""The call router for Belgian helplines. The app Twilio talks to is `ivr.app:create_app`; the
operators' commands are `ivr` on the command line (`ivr.cli`)."""
