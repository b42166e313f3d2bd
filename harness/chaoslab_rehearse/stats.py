"""The samples, summarized per phase and endpoint."""

from .base import ENDPOINTS

def pct(values, q):
    if not values:
        return None
    values = sorted(values)
    return round(values[min(len(values) - 1, int(q * len(values)))], 3)


def summarize(samples, start, end, lifted=None):
    """Per endpoint, the requests that began and ended inside [start, end): one in flight
    when the fault was put on or lifted belongs to neither phase."""
    out = {}
    for ep in ENDPOINTS:
        s = [x for x in samples if x["endpoint"] == ep and x["t0"] >= start and x["t"] <= end]
        ok = [x for x in s if x["status"] is not None and 200 <= x["status"] < 300]
        bad = [x for x in s if x not in ok]
        lat = [x["latency"] for x in s]
        probe = [x for x in s if x["source"] == "probe"]
        out[ep] = {
            "requests": len(s),
            "ok": len(ok),
            "failed": len(bad),
            "probe_ok": sum(1 for x in probe if x in ok),
            "probe_failed": sum(1 for x in probe if x not in ok),
            "json_503": sum(1 for x in bad if x["status"] == 503 and x["json"]),
            "statuses": sorted({str(x["status"] or x["error"]) for x in s}),
            "p50": pct(lat, 0.5),
            "p99": pct(lat, 0.99),
            "max": round(max(lat), 3) if lat else None,
            "served_from": {k: sum(1 for x in ok if (x.get("served_from") or "-") == k)
                            for k in sorted({x.get("served_from") or "-" for x in ok})},
            "failed_p50": pct([x["latency"] for x in bad], 0.5),
            "failed_p99": pct([x["latency"] for x in bad], 0.99),
        }
        if lifted is not None:
            # Seconds from lifting the fault until this endpoint failed no more.
            last_bad = max((x["t"] for x in bad), default=None)
            out[ep]["recovered_after"] = 0.0 if last_bad is None else round(last_bad - lifted, 2)
    return out
