"""What an actor may do to one complaint now, asked of the rules themselves (so that no page keeps
a copy of the state machine)."""
from services.complaints.domain.statuses import MOVES, SETTLED
from services.complaints.domain.visibility import pending_forward, require_handler
from shared.errors import Forbidden
from shared.rules import is_coordinator


def allowed_actions(session, actor, complaint):
    """What ``actor`` may do to ``complaint`` now: the statuses it may move it to, answering,
    forwarding, answering a forward proposed to it, deciding a forward (the coordinator)."""
    try:
        require_handler(actor, complaint)
        handles = True
    except Forbidden:
        handles = False
    proposal = pending_forward(session, complaint)
    moves = sorted(MOVES[complaint.status]) if handles else []
    return {
        "moves": moves,
        "answer": handles and complaint.status not in ("rejected", "closed"),
        "forward": handles and complaint.agency_id is not None and complaint.status not in SETTLED
        and proposal is None,
        "answer_forward": proposal is not None and proposal.to_agency_id == actor["agency_id"],
        "decide": is_coordinator(actor) and complaint.status not in SETTLED,
    }
