"""The statuses of a complaint and the moves between them, after SP4N-LAPOR!."""

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
# A hold, a rejection and a response say why (the reporter reads it).
NEEDS_REASON = {"held", "rejected", "responded"}
SETTLED = {"responded", "closed", "rejected"}
STAGES = ("verify", "follow_up", "settle")
