"""One way for the helpers' views to show themselves: HTML in a notebook, plain text everywhere else."""

from __future__ import annotations

from typing import Any


class Displayable:
    """A view with `text()` and `html()`: Jupyter picks the HTML, a terminal or `print` the text.

    Subclasses that are dataclasses must say `repr=False`, or the generated repr hides the text form.
    """

    def text(self) -> str:
        raise NotImplementedError

    def html(self) -> str:
        raise NotImplementedError

    def __repr__(self) -> str:
        return self.text()

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(self.text())

    def _repr_html_(self) -> str:
        return self.html()
