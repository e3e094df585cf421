"""Turns the router's instructions into TwiML, with twilio-python."""

from __future__ import annotations

import re
from typing import Protocol

from twilio.twiml.voice_response import VoiceResponse

from ivr import flow
from ivr.domain import languages, model

RECORDING_FINISH_KEYS = "#*0123456789"


class Links(Protocol):
    """The absolute URLs handed to Twilio (built by the web layer, which signs the state)."""

    def state(self, state: flow.CallState) -> str: ...
    def recording(self, state: flow.CallState) -> str: ...
    def whisper(self, state: flow.CallState) -> str: ...
    def audio(self, path: str) -> str: ...


# What XML 1.0 allows in text: a prompt with anything else (a vertical tab pasted from a word
# processor) would make Twilio play its own error message instead of ours.
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    return NOT_XML.sub(" ", text)


class UnknownInstruction(TypeError):
    """An instruction no renderer knows: a document without it would leave the caller in
    silence, so the webhook gives the safe answer instead."""


def render(
    instructions: list[flow.Instruction],
    links: Links,
    voices: dict[str, model.Voice],
    trunk_credentials: dict[str, tuple[str, str]] | None = None,
) -> str:
    """`trunk_credentials`: the username and password of each SIP trunk that has them, by the
    trunk's name (from the environment, never from the YAML)."""
    document = Document(VoiceResponse(), links, voices, trunk_credentials or {})
    for item in instructions:
        verb = VERBS.get(type(item))
        if verb is None:
            raise UnknownInstruction(f"no TwiML for {type(item).__name__}")
        verb(document, item)
    return str(document.response)


class Document:
    """The TwiML being written, and what its verbs need: our links, the voices, the trunks'
    credentials."""

    def __init__(self, response, links: Links, voices, credentials):
        self.response, self.links = response, links
        self.voices, self.credentials = voices, credentials

    def say(self, target, item: flow.Speak) -> None:
        if item.audio:
            target.play(xml_text(self.links.audio(item.audio)))
            return
        voice = self.voices.get(item.lang) or default_voice(item.lang)
        kwargs = {"language": voice.language}
        if voice.voice:
            kwargs["voice"] = voice.voice
        target.say(xml_text(item.text), **kwargs)


def default_voice(lang: str) -> model.Voice:
    """The voice of a language voices.yaml names none for: its registry's, a pair Twilio
    documents (tests hold the registry to ivr/twilio/voices.py)."""
    entry = languages.get(lang)
    return model.Voice(entry.say_language, entry.voices[0] if entry.voices else None)


def _speak(doc: Document, item: flow.Speak) -> None:
    doc.say(doc.response, item)


def _gather(doc: Document, item: flow.Gather) -> None:
    kwargs = {"action": doc.links.state(item.next), "method": "POST", "timeout": item.timeout}
    kwargs["input"] = "dtmf"
    if item.num_digits:
        kwargs["num_digits"] = item.num_digits
    else:
        kwargs["finish_on_key"] = "#"
    gather = doc.response.gather(**kwargs)
    for spoken in item.speech:
        doc.say(gather, spoken)


def _dial(doc: Document, item: flow.Dial) -> None:
    kwargs = {"caller_id": item.caller_id, "timeout": item.timeout}
    if item.next is not None:
        kwargs["action"] = doc.links.state(item.next)
        kwargs["method"] = "POST"
    dial = doc.response.dial(**kwargs)
    screen = {}
    if item.whisper is not None:
        screen = {"url": doc.links.whisper(item.whisper), "method": "POST"}
    for target in item.targets:
        dial_target(dial, target, doc.credentials, screen)


def _record(doc: Document, item: flow.Record) -> None:
    doc.response.record(
        action=doc.links.state(item.next),
        method="POST",
        max_length=item.max_length,
        timeout=5,
        finish_on_key=RECORDING_FINISH_KEYS,
        play_beep=True,
        trim="trim-silence",
        recording_status_callback=doc.links.recording(item.next),
        recording_status_callback_method="POST",
        recording_status_callback_event="completed",
    )


def _enqueue(doc: Document, item: flow.Enqueue) -> None:
    # https://www.twilio.com/docs/voice/twiml/enqueue (docs/twilio.md, "Queues")
    doc.response.enqueue(
        item.queue,
        action=doc.links.state(item.next),
        method="POST",
        wait_url=doc.links.state(item.wait),
        wait_url_method="POST",
    )


# The TwiML verb of each instruction of `ivr.flow`: a new instruction is a row here.
VERBS = {
    flow.Speak: _speak,
    flow.Gather: _gather,
    flow.Dial: _dial,
    flow.Record: _record,
    flow.Redirect: lambda doc, item: doc.response.redirect(
        doc.links.state(item.next), method="POST"
    ),
    flow.Hangup: lambda doc, item: doc.response.hangup(),
    flow.Enqueue: _enqueue,
    flow.Leave: lambda doc, item: doc.response.leave(),
    flow.Pause: lambda doc, item: doc.response.pause(length=item.seconds),
}


def dial_target(dial, route: model.Route, credentials: dict, screen: dict) -> None:
    """One phone of a `<Dial>`, the way Twilio can reach it: an E.164 `<Number>`, a number
    through a Twilio BYOC trunk (`<Number byoc>`), or through a carrier's SIP trunk (`<Sip>`)."""
    trunk = route.trunk
    if trunk is None:
        dial.number(route.number, **screen)
    elif trunk.byoc:
        dial.number(route.number, byoc=trunk.byoc, **screen)
    else:
        username, password = credentials.get(trunk.name, (None, None))
        dial.sip(sip_uri(route.number, trunk), username=username, password=password, **screen)


def sip_uri(number: str, trunk: model.Trunk) -> str:
    uri = f"sip:{number}@{trunk.sip_host}"
    if trunk.transport:
        uri += f";transport={trunk.transport}"
    if trunk.region:
        uri += f";region={trunk.region}"
    return uri
