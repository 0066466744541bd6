"""Reading stored events faster during a catch-up: the state JSON is parsed with orjson and
the library transcoder's custom types (`{"_type_": ..., "_data_": ...}`) are then decoded
bottom-up, as `json.JSONDecoder(object_hook=...)` would, so the events are the same objects.

Only the projection runner reads through this; events are still written by the library's
own transcoder (their stored bytes, which the hash chain covers, do not change). A state
orjson refuses (an int beyond 64 bits, NaN, a lone surrogate) is decoded by the library's
transcoder as before.
"""

from __future__ import annotations

import copy
from typing import Any

import orjson
from eventsourcing.persistence import JSONTranscoder, Mapper


class ReadingTranscoder:
    """Decodes like `transcoder` (with its registered transcodings), encodes with it."""

    def __init__(self, transcoder: JSONTranscoder) -> None:
        self.transcoder = transcoder
        self._decode_obj = transcoder._decode_obj

    def encode(self, obj: Any) -> bytes:
        return self.transcoder.encode(obj)

    def decode(self, data: bytes) -> Any:
        try:
            value = orjson.loads(data)
        except orjson.JSONDecodeError:
            return self.transcoder.decode(data)
        return self._walk(value)

    def _walk(self, value: Any) -> Any:
        kind = type(value)
        if kind is dict:
            walk = self._walk
            for key, item in value.items():
                inner = type(item)
                if inner is dict or inner is list:
                    value[key] = walk(item)
            # The library's object hook: a two-key {"_type_", "_data_"} becomes its value.
            return self._decode_obj(value) if len(value) == 2 else value
        if kind is list:
            walk = self._walk
            for index, item in enumerate(value):
                inner = type(item)
                if inner is dict or inner is list:
                    value[index] = walk(item)
        return value


def reading_mapper(mapper: Mapper) -> Mapper:
    """A copy of `mapper` that decodes stored events with `ReadingTranscoder` (same cipher
    and compressor); use it only to read."""
    if not isinstance(mapper.transcoder, JSONTranscoder):
        return mapper
    reader = copy.copy(mapper)
    reader.transcoder = ReadingTranscoder(mapper.transcoder)  # type: ignore[assignment]
    return reader


__all__ = ["ReadingTranscoder", "reading_mapper"]
