"""Strings a regex match cannot do without, read from the pattern text.

The cleaner tries ~60 patterns on every line, and most of a failed search's
cost is the call into the regex engine itself, so skipping a pattern needs a
test far cheaper than any call: "the line contains none of the strings every
match contains". `required_literals` reads those strings off a pattern once.

The reader knows the subset of `regex` syntax the data files use (literals,
escapes, classes, groups, lookarounds, alternation, quantifiers) and gives up
on anything else (inline flags, backreferences, fuzzy matching, nested sets):
the answer is then the empty string, which every line contains, so an
unknown construct costs speed, never a match.
"""
from __future__ import annotations

import regex

# {m}, {m,}, {m,n}, {,n}: anything else after `{` (fuzzy `{e<=1}`) is not read.
_BOUNDS = regex.compile(r"\{(?:(\d+)(?:,\d*)?|,\d+)\}")
# Escapes that stand for a set of characters, not for one.
_CLASS_ESCAPES = frozenset("dDsSwW")

Needs = frozenset[str] | None  # one of these strings is in every match; None: nothing known


class _Unsupported(Exception):
    """Syntax the reader does not know."""


def required_literals(pattern: str) -> tuple[str, ...]:
    """Strings one of which every match of `pattern` contains (`("",)` when
    none is known)."""
    reader = _Reader(pattern)
    try:
        needs = reader.alternation()
        if reader.i != len(pattern):  # an unbalanced `)`
            raise _Unsupported
    except _Unsupported:
        needs = None
    return tuple(sorted(needs)) if needs else ("",)


def _selectivity(needs: frozenset[str]) -> tuple[int, int]:
    """Longer strings, then fewer of them, rule out more lines."""
    return min(map(len, needs)), -len(needs)


def _any_of(needs: frozenset[str]) -> frozenset[str]:
    """Drops strings that contain another one: that one is in the match anyway."""
    return frozenset(s for s in needs if not any(other != s and other in s for other in needs))


class _Reader:
    def __init__(self, pattern: str):
        self.p = pattern
        self.i = 0

    def next_is(self, text: str) -> bool:
        return self.p.startswith(text, self.i)

    def take(self) -> str:
        if self.i >= len(self.p):
            raise _Unsupported
        self.i += 1
        return self.p[self.i - 1]

    def alternation(self) -> Needs:
        branches = [self.sequence()]
        while self.next_is("|"):
            self.i += 1
            branches.append(self.sequence())
        if any(branch is None for branch in branches):
            return None
        return _any_of(frozenset().union(*branches))

    def sequence(self) -> Needs:
        """The most selective of the sequence's required pieces; runs of
        plain literal characters count as one string."""
        options: list[frozenset[str]] = []
        run = ""
        while self.i < len(self.p) and not self.next_is("|") and not self.next_is(")"):
            needs, char = self.atom()
            least = self.quantifier()
            if char is not None and least is None:
                run += char
                continue
            if run:
                options.append(frozenset([run]))
                run = ""
            if needs and (least is None or least >= 1):
                options.append(needs)
        if run:
            options.append(frozenset([run]))
        return max(options, key=_selectivity, default=None)

    def atom(self) -> tuple[Needs, str | None]:
        """(what the atom requires, the character when it is a plain literal)."""
        c = self.take()
        if c == "(":
            return self.group(), None
        if c == "[":
            return self.char_class(), None
        if c == "\\":
            return self.escape()
        if c in "^$.":
            return None, None
        if c in "*+?{":  # a quantifier with nothing to repeat
            raise _Unsupported
        return frozenset(c), c

    def escape(self) -> tuple[Needs, str | None]:
        c = self.take()
        if c in "pP":
            self.property_name()
            return None, None
        if c in _CLASS_ESCAPES:
            return None, None
        if not c.isalnum() and c != "_":  # escaped punctuation stands for itself
            return frozenset(c), c
        raise _Unsupported  # \b, \1, \n, \uXXXX, …

    def property_name(self) -> None:
        """Skips `{Han}` after `\\p`."""
        end = self.p.find("}", self.i)
        if not self.next_is("{") or end < 0:
            raise _Unsupported
        self.i = end + 1

    def char_class(self) -> Needs:
        """The class's characters when it lists them one by one (no negation,
        ranges or escaped sets), else None."""
        exact = not self.next_is("^")
        if not exact:
            self.i += 1
        chars: set[str] = set()
        first = True
        while (c := self.take()) != "]" or first:
            if c in "[]":  # nested sets, POSIX classes, a leading `]`
                raise _Unsupported
            if c == "\\":
                e = self.take()
                if e in "pP":
                    self.property_name()
                    exact = False
                elif e in _CLASS_ESCAPES:
                    exact = False
                elif not e.isalnum() and e != "_":
                    chars.add(e)
                else:
                    raise _Unsupported
            elif c == "-" and not first and not self.next_is("]"):
                exact = False  # a range
            else:
                chars.add(c)
            first = False
        return frozenset(chars) if exact and chars else None

    def group(self) -> Needs:
        lookaround = False
        if self.next_is("?:") or self.next_is("?>"):
            self.i += 2
        elif self.next_is("?P<"):
            end = self.p.find(">", self.i)
            if end < 0:
                raise _Unsupported
            self.i = end + 1
        elif self.next_is("?=") or self.next_is("?!"):
            self.i += 2
            lookaround = True
        elif self.next_is("?<=") or self.next_is("?<!"):
            self.i += 3
            lookaround = True
        elif self.next_is("?"):  # inline flags, conditionals, recursion, …
            raise _Unsupported
        needs = self.alternation()
        if self.take() != ")":
            raise _Unsupported
        return None if lookaround else needs

    def quantifier(self) -> int | None:
        """The least repeat count of a quantifier at the reader, None without one."""
        if self.next_is("*") or self.next_is("?"):
            least, self.i = 0, self.i + 1
        elif self.next_is("+"):
            least, self.i = 1, self.i + 1
        elif self.next_is("{"):
            bounds = _BOUNDS.match(self.p, self.i)
            if not bounds:
                raise _Unsupported
            least, self.i = int(bounds.group(1) or 0), bounds.end()
        else:
            return None
        if self.next_is("?") or self.next_is("+"):  # lazy or possessive
            self.i += 1
        return least
