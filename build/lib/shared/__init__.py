"""Code and contracts that every Bakohumas Hub service and the gateway share."""
