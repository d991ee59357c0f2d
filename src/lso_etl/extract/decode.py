"""Bytes to text: the HTTP charset, then the page's own `<meta>`, else UTF-8 (never raises)."""

from __future__ import annotations

import codecs
from collections.abc import Mapping

from selectolax.lexbor import LexborHTMLParser

_SNIFF_BYTES = 4096  # browsers look for <meta charset> in the first 1024; be generous
# WHATWG: these labels mean windows-1252 in a browser; Python would read them as strict Latin-1.
_ALIASES = {"iso-8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252", "ascii": "cp1252"}
_ALIASES |= {"us-ascii": "cp1252", "l1": "cp1252", "windows-1258": "cp1258"}
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def charset_param(content_type: str) -> str | None:
    """The charset parameter of a Content-Type value: 'text/html; charset="UTF-8"' → 'UTF-8'."""
    for param in content_type.split(";")[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset" and value.strip(" \"'"):
            return value.strip(" \"'")
    return None


def codec_for(label: str | None) -> str | None:
    """A Python codec name for a charset label, or None when Python knows no such codec."""
    if not label:
        return None
    name = label.strip().lower()
    try:
        codec = codecs.lookup(_ALIASES.get(name, name)).name
    except LookupError:
        return None
    # A page that calls itself UTF-16 in ASCII bytes is not UTF-16 (WHATWG rule).
    return "utf-8" if codec.startswith(("utf-16", "utf-32")) else codec


def header(headers: Mapping[str, str], name: str) -> str:
    """A response header by case-insensitive name ('' when absent)."""
    wanted = name.lower()
    return next((v for k, v in headers.items() if k.lower() == wanted), "")


def _meta_charset(content: bytes) -> str | None:
    # Latin-1 maps every byte to one character, so the ASCII markup of <meta> survives
    # whatever the real encoding is; the HTML parser then reads the attributes for us.
    head = LexborHTMLParser(content[:_SNIFF_BYTES].decode("latin-1"))
    for node in head.css("meta"):
        attrs = {k.lower(): v or "" for k, v in node.attributes.items()}
        if attrs.get("charset"):
            return attrs["charset"]
        if attrs.get("http-equiv", "").lower() == "content-type":
            found = charset_param(attrs.get("content", ""))
            if found:
                return found
    return None


def choose_codec(content: bytes, headers: Mapping[str, str]) -> tuple[str, str]:
    """The codec a page is to be decoded with, and where that came from ("header", "meta",
    "bom", "default"), without decoding it."""
    for bom, codec in _BOMS:
        if content.startswith(bom):
            return codec, "bom"
    from_header = codec_for(charset_param(header(headers, "content-type")))
    if from_header:
        return from_header, "header"
    from_meta = codec_for(_meta_charset(content))
    if from_meta:
        return from_meta, "meta"
    return "utf-8", "default"


def decode_page(content: bytes, headers: Mapping[str, str]) -> tuple[str, str]:
    """The page text and how its encoding was chosen ("header:utf-8", "meta:cp1258", ...)."""
    codec, origin = choose_codec(content, headers)
    if origin != "default":
        return content.decode(codec, errors="replace"), f"{origin}:{codec}"
    try:
        return content.decode("utf-8"), "default:utf-8"
    except UnicodeDecodeError:
        return content.decode("utf-8", errors="replace"), "default:utf-8-replace"


def parser_input(content: bytes, headers: Mapping[str, str]) -> tuple[str | bytes, str]:
    """What to hand the HTML parser, and how the encoding was chosen. Declared UTF-8 goes as
    the raw bytes: Lexbor reads bytes as UTF-8 (invalid sequences become U+FFFD, as Python's
    errors="replace" does) twice as fast as it re-encodes a decoded str."""
    codec, origin = choose_codec(content, headers)
    if codec == "utf-8" and origin in ("header", "meta"):
        return content, f"{origin}:utf-8"
    return decode_page(content, headers)
