"""Long lists a person reads, a page at a time: which page was asked for (``?halaman=``) and the
links to the pages beside it, keeping the list's other parameters (``templates/_pager.html`` draws
them, linked ``rel="prev"`` and ``rel="next"``). No list stops silently at a fixed number."""
from dataclasses import dataclass, field
from urllib.parse import urlencode

PAGE_PARAMETER = "halaman"


def asked_page(args, parameter=PAGE_PARAMETER):
    """The page number asked for: 1 when none, or none that reads as a page."""
    try:
        return max(1, int(args.get(parameter, "1")))
    except ValueError:
        return 1


@dataclass(frozen=True)
class Paging:
    number: int
    size: int
    total: int = 0
    query: dict = field(default_factory=dict)  # the list's other parameters, kept in the links
    parameter: str = PAGE_PARAMETER  # another, for a second list on one page

    @classmethod
    def of(cls, args, size, keep=(), parameter=PAGE_PARAMETER):
        """The page ``args`` ask for, keeping the parameters named in ``keep`` that were given."""
        return cls(asked_page(args, parameter), size, query={name: args[name] for name in keep if args.get(name)},
                   parameter=parameter)

    @property
    def offset(self):
        return (self.number - 1) * self.size

    def counted(self, total):
        return Paging(self.number, self.size, total, self.query, self.parameter)

    def asked(self, query=None):
        """The list RPC's query for this page (its numbers as strings, as a query string has them)."""
        return {**(query or {}), "limit": str(self.size), "offset": str(self.offset)}

    @property
    def pages(self):
        return max(1, -(-self.total // self.size))

    def link(self, number):
        return "?" + urlencode({**self.query, self.parameter: number})
