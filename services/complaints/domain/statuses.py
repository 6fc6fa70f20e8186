"""The statuses of a complaint and the moves between them, after SP4N-LAPOR!."""


# After SP4N-LAPOR!: who may move a complaint from one status to another.
MOVES = {
    "received": {"verified", "held", "rejected"},
    "held": {"rejected"},
    "verified": {"assigned", "rejected"},
    "assigned": {"in_progress", "responded"},
    "in_progress": {"responded"},
    "responded": {"closed"},
    "rejected": set(),
    "closed": set(),
}
NEEDS_REASON = {"held", "rejected", "responded"}
SETTLED = {"responded", "closed", "rejected"}
STAGES = ("verify", "follow_up", "settle")
