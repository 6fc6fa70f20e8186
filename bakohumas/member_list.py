"""``bakohumas import-members``: the import's answer as an operator reads it in a terminal."""

ACTIONS = {"create": "new", "change": "changed", "unchanged": "unchanged", "refused": "REFUSED"}


def print_plan(plan, out=print):
    """Every row (its line, short name, result and why), the counts, and the invitations' links."""
    for row in plan["rows"]:
        detail = "; ".join(f"{column}: {message}" for column, messages in row["errors"].items()
                           for message in messages) or ", ".join(row["changed"])
        out(f"row {row['line']:>5}  {ACTIONS[row['action']]:<9}  {row['short_name'] or '-'}"
            + (f"  ({detail})" if detail else ""))
    counts = plan["counts"]
    summary = (f"{counts['create']} new, {counts['change']} changed, {counts['unchanged']} unchanged, "
               f"{counts['refused']} refused")
    if not plan["applied"]:
        out(f"\nPreview only, nothing saved: {summary}. Run again with --apply to save the rows that pass.")
        return
    out(f"\nImported: {summary}.")
    for invited in plan["invitations"]:
        account = invited["account"]
        how = "mailed" if invited["mailed"] else f"send them this one-time link: {invited['invite_link']}"
        out(f"invited {account['name']} <{account['email']}> ({invited['agency_name']}): {how}")
