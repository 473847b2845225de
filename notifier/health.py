"""What each job of `notifier run` last did, for /readyz and /metrics.

The service records every run of a job: a success, or a failure with its reason. While a core
job (a source's polls, the digests, the sender) has failed and not yet succeeded since, the
process is not ready; other jobs (the operator-alert check) are reported without affecting
readiness. Kept in memory: each process reports its own jobs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

CORE_PREFIXES = ("poll:", "digest:", "send")


@dataclass
class JobState:
    last_success: datetime | None = None
    last_failure: datetime | None = None
    failures: int = 0  # in a row; 0 once a run succeeds
    reason: str = ""  # of the last failure


def is_core(job: str) -> bool:
    return job.startswith(CORE_PREFIXES)


class JobHealth:
    def __init__(self) -> None:
        self._jobs: dict[str, JobState] = {}

    def succeeded(self, job: str, *, now: datetime) -> int:
        """Record a successful run; returns the failures in a row it ended."""
        state = self._jobs.setdefault(job, JobState())
        ended, state.failures, state.last_success = state.failures, 0, now
        return ended

    def failed(self, job: str, *, now: datetime, reason: str) -> int:
        """Record a failed run; returns the failures in a row so far."""
        state = self._jobs.setdefault(job, JobState())
        state.failures += 1
        state.last_failure, state.reason = now, reason
        return state.failures

    def jobs(self) -> dict[str, JobState]:
        return dict(self._jobs)

    def problems(self) -> list[dict[str, str]]:
        """The core jobs that cannot run now, for /readyz."""
        return [
            {
                "check": f"job:{job}",
                "problem": f"failed {state.failures} times in a row (last success: "
                f"{_iso(state.last_success)}): {state.reason}",
            }
            for job, state in sorted(self._jobs.items())
            if state.failures and is_core(job)
        ]


def _iso(moment: datetime | None) -> str:
    return moment.isoformat(timespec="seconds") if moment else "none in this process"
