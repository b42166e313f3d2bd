"""When a phase has shown what it is there to show. Each phase runs until its rule is met or
its cap (today's fixed length: --baseline, --fault, --recovery, --counterfactual-fault) is
reached, whichever comes first; the report and the table say which ended it. The rules count
completed requests that began inside the phase, as the summary does.

* baseline: at least BASELINE_MIN s, every endpoint answered ok at least BASELINE_OK times by
  the 1 Hz probe, and no request failed (a failing baseline runs to its cap and is judged).
* fault, guarded app: at least --fault-min s, and every endpoint has at least
  --fault-samples answers that began once the fault had settled: with load clients, one call
  deadline (the guard's connect + read timeouts) after the fault went on, so the samples are
  taken with the blocked dependency's bulkhead already filled by the load.
* fault, unguarded app (the counterfactual): the breakage is seen: every endpoint the faulted
  dependencies do not serve, /health aside, has failed at least BROKEN_FAILURES times. It keeps
  its cap, long enough for hung calls to take every worker thread.
* recovery: at least RECOVERY_WINDOW s, and every endpoint has answered ok at least
  RECOVERY_OK times in a row, the last RECOVERY_WINDOW s without a failure.
"""

from .base import ENDPOINTS, SERVED_BY

BASELINE_MIN = 3.0
BASELINE_OK = 3
RECOVERY_WINDOW = 3.0
RECOVERY_OK = 3
BROKEN_FAILURES = 3


def _ok(x):
    return x["status"] is not None and 200 <= x["status"] < 300


def _in(samples, start, now):
    return [x for x in samples if x["t0"] >= start and x["t"] <= now]


def baseline_done(samples, start, now):
    if now - start < BASELINE_MIN:
        return None
    s = _in(samples, start, now)
    if any(not _ok(x) for x in s):
        return None
    for ep in ENDPOINTS:
        if sum(1 for x in s if x["endpoint"] == ep and x["source"] == "probe") < BASELINE_OK:
            return None
    return f"every endpoint ok >= {BASELINE_OK} times (probe), none failed"


def fault_done(samples, start, now, minimum, wanted, settle):
    if now - start < minimum:
        return None
    s = _in(samples, start + settle, now)
    for ep in ENDPOINTS:
        if sum(1 for x in s if x["endpoint"] == ep) < wanted:
            return None
    after = f" begun {settle:g} s into the fault" if settle else ""
    return f"every endpoint answered >= {wanted} times{after}"


def broken_done(samples, start, now, dependencies):
    served = {ep for ep, dep in SERVED_BY.items() if dep in dependencies}
    others = [ep for ep in ENDPOINTS if ep not in served and ep != "health"]
    s = _in(samples, start, now)
    for ep in others:
        if sum(1 for x in s if x["endpoint"] == ep and not _ok(x)) < BROKEN_FAILURES:
            return None
    return f"{', '.join(others)} each failed >= {BROKEN_FAILURES} times"


def recovery_done(samples, start, now):
    if now - start < RECOVERY_WINDOW:
        return None
    s = _in(samples, start, now)
    for ep in ENDPOINTS:
        mine = sorted((x for x in s if x["endpoint"] == ep), key=lambda x: x["t"])
        last_bad = max((x["t"] for x in mine if not _ok(x)), default=None)
        if last_bad is not None and last_bad > now - RECOVERY_WINDOW:
            return None
        since = [x for x in mine if last_bad is None or x["t0"] > last_bad]
        if len(since) < RECOVERY_OK:
            return None
    return f"every endpoint ok >= {RECOVERY_OK} times in a row, none failed for {RECOVERY_WINDOW:g} s"
