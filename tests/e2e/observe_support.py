"""Reading a stack's log written with LOG_FORMAT=json."""
import json

# What `bakohumas run` itself prints to its terminal (plain sentences, not log records).
RUNNER_LINES = ("bakohumas:", "Bakohumas Hub is running at")


def json_log_records(log):
    """Every log record of the stack's processes, parsed; a line that is neither JSON nor the runner's fails."""
    records = []
    for number, line in enumerate(log.splitlines(), 1):
        if not line.strip() or line.startswith(RUNNER_LINES):
            continue
        try:
            record = json.loads(line)
        except ValueError:
            raise AssertionError(f"log line {number} is not JSON: {line[:300]!r}") from None
        assert isinstance(record, dict), f"log line {number} is not a JSON object: {line[:300]!r}"
        records.append(record)
    return records
