"""The TwiML of a counsellor's leg of an offer (issue 21): which line and language, a key to
take the call (a personal voicemail never presses one, so never takes a caller), then
`<Dial><Queue>`, which joins them to the first caller waiting in the line-language queue;
and what they hear when nobody waits any more. https://www.twilio.com/docs/voice/twiml/queue
"""

from __future__ import annotations

from twilio.twiml.voice_response import Dial, VoiceResponse

from ivr.domain import speech
from ivr.twilio import twiml

KEY_SECONDS = 8  # to press a key that takes the call
# How long `<Dial><Queue>` waits on an empty queue (the caller hung up meanwhile): Twilio's
# Dial then waits for the next caller, at most its timeout.
JOIN_SECONDS = 5


def split_queue(name: str, config) -> tuple[str, str] | None:
    """The line and language of a queue's name (`<line>-<language>`)."""
    line_id, _, lang = name.rpartition("-")
    line = config.lines.get(line_id)
    if line is None or lang not in line.languages:
        return None
    return line_id, lang


def _say(response, config, line, key: str, /, **values) -> None:
    lang = line.default_language
    prompt = config.prompt(lang, line.id, key)
    if prompt is None:
        return
    voice = config.voices.get(lang) or twiml.default_voice(lang)
    kwargs = {"language": voice.language}
    if voice.voice:
        kwargs["voice"] = voice.voice
    text = prompt.text.format_map(_Or({k: str(v) for k, v in values.items()}))
    response.say(twiml.xml_text(text), **kwargs)


class _Or(dict):
    def __missing__(self, key: str) -> str:
        return ""


def offer(config, line, lang: str, take_url: str) -> str:
    """Heard by the counsellor who answers an offer, in the line's own language."""
    response = VoiceResponse()
    gather = response.gather(
        action=take_url, method="POST", num_digits=1, timeout=KEY_SECONDS, input="dtmf"
    )
    values = {"line": line.name, "language": speech.language_name(lang, line.default_language)}
    _say(gather, config, line, "whisper", **values)
    _say(gather, config, line, "screen", **values)
    response.hangup()
    return str(response)


def join(queue: str, joined_url: str) -> str:
    """The counsellor took it: joined to the first caller waiting."""
    response = VoiceResponse()
    dial = Dial(action=joined_url, method="POST", timeout=JOIN_SECONDS)
    dial.queue(queue)
    response.append(dial)
    return str(response)


def gone(config, line) -> str:
    """Nobody waits any more (the caller hung up, or was taken by another): released."""
    response = VoiceResponse()
    if line is not None:
        _say(response, config, line, "queue_gone")
    response.hangup()
    return str(response)
