"""A rough, linear model of the HTML tree builder, fed one tag at a time by `limits`.

It keeps what makes Lexbor slow: the stack of open elements (its depth), the formatting
elements the builder would re-open after they were closed implicitly (each re-opening is a new
node, so a few unclosed `<b id=…>` before many paragraphs multiply), and the stack entries the
builder must visit to find an end tag's element (`work`). Each rule follows the HTML spec's
tree construction where that is cheap and otherwise errs towards keeping elements open and
counting more, never less: a hostile page must not fit under a limit by confusing the model.

Like the spec's "Noah's Ark" clause, at most 3 identical formatting elements stay active since
the last marker: an editor that opens `<strong>` in every paragraph and never closes it costs a
few elements a paragraph, not a growing number. Identical means the same name and the same raw
attribute bytes, stricter than the spec's parsed attributes (`<b id=1>` and `<b id="1">` stay
distinct), so the model never forgets an element the builder keeps re-opening.

Text re-opens the formatting elements too (the spec reconstructs them for any character in
body, whitespace included), so `</p>\n<p>` after an unclosed `<strong>` leaves one more element
open for good: such a page nests a level deeper per paragraph (Lexbor: 5,000 paragraphs, 5,004
deep). Deep trees are slow because the builder walks the stack: an end tag whose element is not
open walks down to a special element, and an "in scope" check down to a scope boundary. `walk`
charges every tag the distance to the nearest table-scope boundary (`html`, `table`,
`template`, or a foreign integration point), as far as any of those walks can go.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field


def _names(text: str) -> frozenset[bytes]:
    return frozenset(text.encode().split())


VOID = _names(
    "area base basefont bgsound br col embed frame hr image img input keygen link meta param"
    " source track wbr"
)
FORMATTING = _names("a b big code em font i nobr s small strike strong tt u")
# End tags never reach above these (the spec's scope boundaries, widened: safe).
SCOPE = _names(
    "applet caption html table td th marquee object template button ol ul select"
    " mi mo mn ms mtext annotation-xml foreignobject desc title"
)
SPECIAL = SCOPE | _names(
    "address area article aside base basefont bgsound blockquote body br center col colgroup"
    " dd details dir div dl dt embed fieldset figcaption figure footer form frame frameset"
    " h1 h2 h3 h4 h5 h6 head header hgroup hr iframe img input keygen li link listing main"
    " menu meta nav noembed noframes noscript p param plaintext pre script search section"
    " source style summary tbody textarea tfoot thead tr track ul wbr xmp"
)
_LIST_ITEM_STOPS = SPECIAL - _names("address div p")
_CLOSES_P = _names(
    "address article aside blockquote center details dialog dir div dl fieldset figcaption"
    " figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr li dd dt listing main menu nav ol"
    " p pre search section summary table ul xmp"
)
_LIST_ITEMS = {b"li": _names("li"), b"dt": _names("dt dd"), b"dd": _names("dt dd")}
# A start tag that closes these elements when one of them is the current node.
_CLOSES_CURRENT = {
    b"option": _names("option"), b"optgroup": _names("option"), b"td": _names("td th"),
    b"th": _names("td th"), b"tr": _names("td th tr"), b"rb": _names("rb rt rp"),
    b"rt": _names("rb rt rp"), b"rp": _names("rb rt rp"), b"thead": _names("tr thead tbody tfoot"),
    b"tbody": _names("tr thead tbody tfoot"), b"tfoot": _names("tr thead tbody tfoot"),
}  # fmt: skip
# Elements after which formatting elements opened inside them are forgotten (spec: markers).
_MARKERS = _names("applet caption marquee object template td th")
FOREIGN_ROOTS = _names("svg math")
_INTEGRATION = _names("foreignobject desc title mi mo mn ms mtext annotation-xml")
# Where every scope walk stops (table scope, the narrowest; foreign ones when foreign).
_TABLE_SCOPE = _names("html table template")
_BREAKOUT = _names(
    "b big blockquote body br center code dd div dl dt em embed h1 h2 h3 h4 h5 h6 head hr i"
    " img li listing menu meta nobr ol p pre ruby s small span strong strike sub sup table tt"
    " u ul var font"
)


@dataclass
class TreeModel:
    """Open elements, formatting elements to re-open, and what building would cost."""

    # (name, is foreign, key): the key (name and raw attributes) while the element is an active
    # formatting element, which the builder re-opens when it is closed implicitly; else None.
    stack: list[tuple[bytes, bool, bytes | None]] = field(default_factory=list)
    open: Counter[bytes] = field(default_factory=Counter)
    active: Counter[bytes] = field(default_factory=Counter)  # keys on the stack, by key
    foreign_open: int = 0  # foreign (SVG, MathML) elements on the stack
    markers: int = 0  # marker elements on the stack
    stray: list[tuple[bytes, bytes, int]] = field(default_factory=list)  # name, key, markers then
    nodes: int = 0  # elements the builder creates, re-opened ones included
    work: int = 0  # stack entries visited
    options: int = 0
    walk: int = 0  # stack entries the builder may visit in its scope walks (see the docstring)
    bounds: list[int] = field(default_factory=list)  # stack indices of table-scope boundaries

    def push(self, name: bytes, foreign: bool, key: bytes | None = None) -> None:
        if name in (_INTEGRATION if foreign else _TABLE_SCOPE):
            self.bounds.append(len(self.stack))
        self.stack.append((name, foreign, key))
        self.open[name] += 1
        if key is not None:
            self.active[key] += 1
        self.foreign_open += foreign
        self.markers += not foreign and name in _MARKERS

    def _remove(self, index: int) -> tuple[bytes, bool, bytes | None]:
        name, foreign, key = self.stack.pop(index)
        # Only the top can be a boundary: an element removed from the middle (adoption agency)
        # was found above the nearest SCOPE element, so no boundary index shifts.
        if self.bounds and self.bounds[-1] == len(self.stack):
            self.bounds.pop()
        self.open[name] -= 1
        if key is not None:
            self.active[key] -= 1
        self.foreign_open -= foreign
        self.markers -= not foreign and name in _MARKERS
        return name, foreign, key

    def foreign(self) -> bool:
        if not self.foreign_open:
            return False  # the common case, without looking at the stack
        name, foreign, _ = self.stack[-1]
        return foreign and name not in _INTEGRATION

    def find(self, names: Collection[bytes], stops: frozenset[bytes]) -> int | None:
        """The index of the nearest open element named in `names`, if no stop is nearer."""
        for index in range(len(self.stack) - 1, -1, -1):
            self.work += 1
            node = self.stack[index][0]
            if node in names:
                return index
            if node in stops:
                return None
        return None

    def pop_to(self, index: int) -> None:
        """Pop down to `index`: formatting elements popped on the way stay active, unless a
        marker element they were opened in is popped too."""
        popped: list[tuple[bytes, bytes]] = []
        marker_popped = False
        while len(self.stack) > index:
            self.work += 1
            name, foreign, key = self._remove(-1)
            if not foreign and name in _MARKERS:
                popped.clear()
                marker_popped = True
            elif key is not None:
                popped.append((name, key))
        if marker_popped:
            self.stray = [entry for entry in self.stray if entry[2] <= self.markers]
        self.stray.extend((name, key, self.markers) for name, key in reversed(popped))

    def charge_walk(self) -> None:
        self.walk += len(self.stack) - (self.bounds[-1] if self.bounds else 0)

    def text(self) -> None:
        """Character data: it re-opens the formatting elements (not inside SVG or MathML)."""
        if self.stray and not self.foreign():
            self.reconstruct()

    def reconstruct(self) -> None:
        if self.stray:
            self.nodes += len(self.stray)
            for name, key, _ in self.stray:
                self.push(name, False, key)
            self.stray.clear()

    def start(self, name: bytes, self_closing: bool, attributes: bytes = b"") -> bool:
        """Model one start tag (`attributes`: its raw bytes after the name); True when it opened
        an HTML element (not a foreign one)."""
        self.nodes += 1
        self.charge_walk()
        self.options += name in (b"option", b"optgroup")
        if self.foreign() and name in _BREAKOUT:
            while self.foreign():
                self._remove(-1)
        if self.foreign():
            if not self_closing:
                self.push(name, True)
            return False
        if name == b"a":
            self.end_formatting(name)  # a new link closes an open one (the adoption agency)
        self._close_implied(name)
        if name not in _CLOSES_P:
            self.reconstruct()  # inline elements go inside the re-opened formatting ones
        if name in FOREIGN_ROOTS:
            if not self_closing:
                self.push(name, True)
            return False
        if name in FORMATTING:
            key = name + b" " + attributes
            self._noahs_ark(key)
            self.push(name, False, key)
        elif name not in VOID:
            self.push(name, False)  # "<div/>" opens a div in HTML: the slash is ignored
        if name in _CLOSES_P:
            self.reconstruct()  # a block's text re-opens them inside it
        return True

    def _noahs_ark(self, key: bytes) -> None:
        """Before a formatting element joins them: with 3 identical ones active since the last
        marker, the earliest stays open but is no longer re-opened. The stray list is empty here
        (it was just reconstructed), so every active element is on the stack."""
        if self.active[key] < 3:
            return  # the common case, without looking at the stack
        earliest, count = None, 0
        for index in range(len(self.stack) - 1, -1, -1):
            self.work += 1
            name, foreign, entry = self.stack[index]
            if not foreign and name in _MARKERS:
                break
            if entry == key:
                earliest, count = index, count + 1
                if count == 3:
                    break  # there are never more: this rule keeps it so
        if earliest is not None and count >= 3:
            self.stack[earliest] = (self.stack[earliest][0], False, None)
            self.active[key] -= 1

    def _close_implied(self, name: bytes) -> None:
        if name in _CLOSES_P and self.open[b"p"]:
            index = self.find((b"p",), SCOPE)
            if index is not None:
                self.pop_to(index)
        if name in _LIST_ITEMS:
            index = self.find(_LIST_ITEMS[name], _LIST_ITEM_STOPS)
            if index is not None:
                self.pop_to(index)
        current = _CLOSES_CURRENT.get(name, frozenset())
        if name == b"optgroup" and self.open[b"select"]:
            current = current | {b"optgroup"}
        while self.stack and self.stack[-1][0] in current:
            self.pop_to(len(self.stack) - 1)

    def end(self, name: bytes) -> None:
        self.nodes += len(self.stray)  # text after this tag may re-open each of them
        self.charge_walk()
        if self.stack and self.stack[-1][:2] == (name, False) and name not in _MARKERS:
            self._remove(-1)  # the usual case, a well-formed end tag: nothing else changes
        elif name in FORMATTING:
            self.end_formatting(name)
        elif self.open[name]:
            index = self.find((name,), SCOPE if name in SPECIAL else SPECIAL)
            if index is not None:
                self.pop_to(index)

    def end_formatting(self, name: bytes) -> None:
        """The adoption agency, roughly: the element leaves the stack and the active list, and
        what it held stays open."""
        if self.open[name]:
            index = self.find((name,), SCOPE)
            if index is not None:
                self._remove(index)
            return  # out of scope: ignored
        for position in range(len(self.stray) - 1, -1, -1):
            if self.stray[position][0] == name:
                del self.stray[position]
                return
