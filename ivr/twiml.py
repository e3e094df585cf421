"""Turns the router's instructions into TwiML, with twilio-python."""

from __future__ import annotations

from collections.abc import Callable

from twilio.twiml.voice_response import VoiceResponse

from ivr import flow, model

RECORDING_FINISH_KEYS = "#*0123456789"


def render(
    instructions: list[flow.Instruction],
    url_for: Callable[[flow.CallState], str],
    voices: dict[str, model.Voice],
    recording_callback: Callable[[flow.CallState], str] | None = None,
) -> str:
    response = VoiceResponse()

    def say(target, item: flow.Speak) -> None:
        voice = voices.get(item.lang) or model.Voice(DEFAULT_SAY_LANGUAGE.get(item.lang, "fr-BE"))
        kwargs = {"language": voice.language}
        if voice.voice:
            kwargs["voice"] = voice.voice
        target.say(item.text, **kwargs)

    for item in instructions:
        if isinstance(item, flow.Speak):
            say(response, item)
        elif isinstance(item, flow.Gather):
            kwargs = {"action": url_for(item.next), "method": "POST", "timeout": item.timeout}
            kwargs["input"] = "dtmf"
            if item.num_digits:
                kwargs["num_digits"] = item.num_digits
            else:
                kwargs["finish_on_key"] = "#"
            gather = response.gather(**kwargs)
            for spoken in item.speech:
                say(gather, spoken)
        elif isinstance(item, flow.Dial):
            kwargs = {"caller_id": item.caller_id, "timeout": item.timeout}
            if item.next is not None:
                kwargs["action"] = url_for(item.next)
                kwargs["method"] = "POST"
            dial = response.dial(**kwargs)
            dial.number(item.number)
        elif isinstance(item, flow.Record):
            kwargs = {
                "action": url_for(item.next),
                "method": "POST",
                "max_length": item.max_length,
                "timeout": 5,
                "finish_on_key": RECORDING_FINISH_KEYS,
                "play_beep": True,
                "trim": "trim-silence",
            }
            if recording_callback is not None:
                kwargs["recording_status_callback"] = recording_callback(item.next)
                kwargs["recording_status_callback_method"] = "POST"
                kwargs["recording_status_callback_event"] = "completed"
            response.record(**kwargs)
        elif isinstance(item, flow.Redirect):
            response.redirect(url_for(item.next), method="POST")
        elif isinstance(item, flow.Hangup):
            response.hangup()
    return str(response)


DEFAULT_SAY_LANGUAGE = {"fr": "fr-BE", "nl": "nl-BE", "de": "de-DE", "en": "en-GB"}
