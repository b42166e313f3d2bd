"""The traffic: one request, the 1 Hz probe and the load clients, the orders placed."""

import http.client
import json
import threading
import time

from .base import ENDPOINTS

class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.samples = []

    def add(self, sample):
        with self.lock:
            self.samples.append(sample)


def request(port, path, timeout, method="GET", body=None):
    """One request: (status, its JSON object or None, error, seconds)."""
    start = time.monotonic()
    status, parsed, error = None, None, None
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        headers = {"Connection": "close"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        raw = resp.read()
        status = resp.status
        if resp.getheader("Content-Type", "").startswith("application/json"):
            try:
                parsed = json.loads(raw)
            except ValueError:
                pass
    except Exception as e:  # a timeout or a reset is a failed request, not a crash
        error = type(e).__name__
    finally:
        conn.close()
    return status, parsed if isinstance(parsed, dict) else None, error, time.monotonic() - start


class Load:
    """The 1 Hz probe of the article (all endpoints each round) plus N bounded load clients."""

    def __init__(self, port, paths, timeout, clients, think):
        self.port, self.paths, self.timeout = port, paths, timeout
        self.clients, self.think = clients, think
        self.rec = Recorder()
        self.stop = threading.Event()
        self.threads = []

    def _one(self, source, endpoint):
        t0 = time.monotonic()
        status, js, err, secs = request(self.port, self.paths[endpoint], self.timeout)
        self.rec.add(
            {"source": source, "endpoint": endpoint, "status": status, "json": js is not None,
             "served_from": (js or {}).get("source"),
             "error": err, "latency": round(secs, 4), "t0": t0, "t": time.monotonic()}
        )

    def _probe(self):
        while not self.stop.is_set():
            start = time.monotonic()
            for ep in ENDPOINTS:
                self._one("probe", ep)
            self.stop.wait(max(0.0, 1.0 - (time.monotonic() - start)))

    def _client(self, i):
        eps = ["products", "reviews", "promo", "health"]
        n = i
        while not self.stop.is_set():
            self._one("load", eps[n % len(eps)])
            n += 1
            self.stop.wait(self.think)

    def start(self):
        self.threads = [threading.Thread(target=self._probe, daemon=True)]
        self.threads += [
            threading.Thread(target=self._client, args=(i,), daemon=True) for i in range(self.clients)
        ]
        for t in self.threads:
            t.start()

    def finish(self):
        self.stop.set()
        for t in self.threads:
            t.join(self.timeout + 2)


# POST /orders: 201 stored in the database, 202 queued for the drainer.
ACCEPTED = (201, 202)


class Orders:
    """Places an order every `every` seconds (POST /orders) for as long as it runs: what the
    write-behind queue must keep while the catalog database is gone."""

    def __init__(self, port, timeout, every=0.5):
        self.port, self.timeout, self.every = port, timeout, every
        self.placed = []  # (t0, t, status): 201 stored, 202 queued, anything else failed
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self.stop.is_set():
            t0 = time.monotonic()
            status, _, _, _ = request(self.port, "/orders", self.timeout, "POST",
                                      json.dumps({"product_id": 1, "quantity": 1}))
            self.placed.append((t0, time.monotonic(), status))
            self.stop.wait(self.every)

    def phase(self, start, end):
        s = [p for p in self.placed if p[0] >= start and p[1] <= end]
        return {"placed": len(s),
                "stored": sum(1 for p in s if p[2] == 201),
                "queued": sum(1 for p in s if p[2] == 202),
                "failed": sum(1 for p in s if p[2] not in ACCEPTED)}

    def accepted(self):
        return sum(1 for p in self.placed if p[2] in ACCEPTED)


def orders_in_db(port, timeout):
    status, js, _, _ = request(port, "/orders", timeout)
    return (js or {}).get("orders") if status == 200 else None
