"""Errors the atlas raises for bad input.

A user mistake is an :class:`AtlasError`: the CLI prints its one-line message(s)
and exits with status 2, without a traceback. Anything else is a bug (status 1).
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["AtlasError", "Problem"]


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


@dataclass
class AtlasError(Exception):
    """A user mistake: bad input, unknown name, unwritable folder.

    Holds one or more :class:`Problem` so that ``validate`` can report every
    problem of a run at once.
    """

    problems: list[Problem] = field(default_factory=list)

    def __init__(self, *problems: Problem | str) -> None:
        self.problems = [p if isinstance(p, Problem) else Problem("tongliao-maps", p) for p in problems]
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)
