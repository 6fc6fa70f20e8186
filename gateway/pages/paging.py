"""Long lists a person reads, a page at a time: which page was asked for (``?halaman=``) and the
links to the pages beside it, keeping the list's other parameters (``templates/_pager.html`` draws
them, linked ``rel="prev"`` and ``rel="next"``). No list stops silently at a fixed number."""
from dataclasses import dataclass, field
from urllib.parse import urlencode

PAGE_PARAMETER = "halaman"


def asked_page(args):
    """The page number asked for: 1 when none, or none that reads as a page."""
    try:
        return max(1, int(args.get(PAGE_PARAMETER, "1")))
    except ValueError:
        return 1


@dataclass(frozen=True)
class Paging:
    number: int
    size: int
    total: int = 0
    query: dict = field(default_factory=dict)  # the list's other parameters, kept in the links

    @classmethod
    def of(cls, args, size, keep=()):
        """The page ``args`` ask for, keeping the parameters named in ``keep`` that were given."""
        return cls(asked_page(args), size, query={name: args[name] for name in keep if args.get(name)})

    @property
    def offset(self):
        return (self.number - 1) * self.size

    def counted(self, total):
        return Paging(self.number, self.size, total, self.query)

    @property
    def pages(self):
        return max(1, -(-self.total // self.size))

    def link(self, number):
        return "?" + urlencode({**self.query, PAGE_PARAMETER: number})
