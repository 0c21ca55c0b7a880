"""Errors the atlas raises for bad input.

A user mistake is an :class:`AtlasError`: the CLI prints its one-line message(s)
and exits with status 2, without a traceback. Anything else is a bug (status 1).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

__all__ = ["PROBLEM_LIMIT", "AtlasError", "Once", "Problem", "Problems", "closest", "unknown"]

#: Problems kept and shown of one run; the rest are counted. One systematic
#: mistake in two million rows must not print 187 MB of lines.
PROBLEM_LIMIT = 50


@dataclass(frozen=True)
class Problem:
    """One problem in one place of the user's input.

    Parameters
    ----------
    where : str
        The file, with ``:row`` or ``:feature`` where known (``data/facts.csv:12``).
    message : str
        What is wrong, quoting the bad value.
    fix : str
        What the user should do about it.
    """

    where: str
    message: str
    fix: str = ""

    def __str__(self) -> str:
        text = f"{self.where}: {self.message}"
        return f"{text}; {self.fix}" if self.fix else text


@dataclass(frozen=True)
class MoreProblems(Problem):
    """The line that stands for the problems past :data:`PROBLEM_LIMIT`."""

    count: int = 0

    def __str__(self) -> str:
        return (
            f"... and {self.count} more problems of the same kinds; "
            "fix the ones above, then run `tongliao-maps validate` again"
        )


class Problems:
    """A list of problems in bounded memory: the first `limit` kept, the rest counted.

    Readers append to it row by row; ``len()`` is the number of problems found,
    iteration yields the kept ones and, when some were dropped, one
    :class:`MoreProblems` line.
    """

    def __init__(self, items: Iterable[Problem] = (), limit: int = PROBLEM_LIMIT) -> None:
        self._kept: list[Problem] = []
        self._count = 0
        self._limit = limit
        self.extend(items)

    def append(self, problem: Problem) -> None:
        if isinstance(problem, MoreProblems):  # merging another capped list
            self._count += problem.count
            return
        self._count += 1
        if len(self._kept) < self._limit:
            self._kept.append(problem)

    def extend(self, problems: Iterable[Problem]) -> None:
        for problem in problems:
            self.append(problem)

    def __iadd__(self, problems: Iterable[Problem]) -> Problems:
        self.extend(problems)
        return self

    def __add__(self, problems: Iterable[Problem]) -> Problems:
        return Problems([*self, *problems], self._limit)

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index: int) -> Problem:
        return self._kept[index]

    def __iter__(self) -> Iterator[Problem]:
        yield from self._kept
        if self._count > len(self._kept):
            yield MoreProblems("", "", "", count=self._count - len(self._kept))

    def __eq__(self, other: object) -> bool:
        return list(self) == list(other) if isinstance(other, Iterable) else NotImplemented

    def __repr__(self) -> str:
        return f"Problems({list(self)!r})"


@dataclass
class AtlasError(Exception):
    """A user mistake: bad input, unknown name, unwritable folder.

    Holds one or more :class:`Problem` so that ``validate`` can report every
    problem of a run at once.
    """

    problems: list[Problem] = field(default_factory=list)

    def __init__(self, *problems: Problem | str) -> None:
        # Capped like a reader's list, so that an error raised with many problems stays readable.
        self.problems = list(
            Problems(p if isinstance(p, Problem) else Problem("tongliao-maps", p) for p in problems)
        )
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


def closest(value: str, known: Iterable[str], n: int = 1, cutoff: float = 0.6) -> list[str]:
    """The names of `known` closest to `value` (a typo's likely meaning), best first."""
    return difflib.get_close_matches(value, list(known), n=n, cutoff=cutoff)


def unknown(where: str, kind: str, value: str, known: list[str], registry: str) -> Problem:
    """The problem of a name that is not in its registry: the closest name, or the choices.

    Parameters
    ----------
    where : str
        File and row, e.g. ``data/facts.csv:12``.
    kind : str
        What the name is of (``metric``, ``source id``).
    value : str
        The name as typed.
    known : list of str
        The names the registry has.
    registry : str
        Where a new name is added (``metrics.csv``).
    """
    close = closest(value, known)
    if close:
        fix = f"did you mean {close[0]!r}?"
    else:
        fix = f"use one of {', '.join(known[:8])}{' ...' if len(known) > 8 else ''} or add it to {registry}"
    return Problem(where, f"unknown {kind} {value!r}", fix)


class Once:
    """Names that must be unique in one file: the problem of a name given twice.

    Parameters
    ----------
    what : str
        What the name is (``theme``, ``source id``, ``column``).
    fix : str
        What to do about a repeat.
    show : callable, optional
        How a name reads in the message (default: quoted).

    Examples
    --------
    >>> once = Once("theme", "give each theme its own row")
    >>> problems = []
    >>> once("basic", "themes.csv:2", problems), once("basic", "themes.csv:5", problems)
    (True, False)
    >>> print(problems[0].message)
    theme 'basic' appears twice: at themes.csv:2 and at themes.csv:5
    """

    def __init__(self, what: str, fix: str, show: Callable[[str], str] = repr) -> None:
        self._seen: dict[str, str] = {}
        self._what, self._fix, self._show = what, fix, show

    def __call__(self, name: str, where: str, problems: list[Problem] | Problems, at: str = "") -> bool:
        """Whether `name` is new; if not, a problem at `where`.

        `at` is how this place reads in the message (default: `where`).
        """
        here = at or where
        first = self._seen.setdefault(name, here)
        if first == here:
            return True
        message = f"{self._what} {self._show(name)} appears twice: at {first} and at {here}"
        problems.append(Problem(where, message, self._fix))
        return False
