"""The forum's agencies as the console's pages need them: every active one, named, for choosing
one in a form and for drawing the forum's tree."""
AGENCY_PAGE = 200  # the directory list's largest page


def start_agencies(rpc, active=True):
    """Start reading every agency (``active`` only by default; None: all); returns a function that
    waits for the list. A forum of up to 200 agencies is one read; a larger one reads its other
    pages side by side."""
    query = {"limit": AGENCY_PAGE, "offset": 0}
    if active is not None:
        query["active"] = "true" if active else "false"
    first = rpc.start("directory", "list_agencies", query)

    def result():
        found = first()
        rest = [rpc.start("directory", "list_agencies", {**query, "offset": offset})
                for offset in range(AGENCY_PAGE, found["total"], AGENCY_PAGE)]
        return found["items"] + [agency for page in rest for agency in page()["items"]]

    return result
