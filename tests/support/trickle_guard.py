#!/usr/bin/env python3
"""The shipped Chaos Shop app against a DynamoDB that trickles: the written trade-off of its
bulkhead (app.py's docstring), measured on the app's own code.

  trickle_guard.py APP_PY     (prints one JSON line: what each request got, and when)

The app runs unchanged in this process (Flask's test client calls its routes), its boto3
DynamoDB client pointed at a loopback server that answers Query with a valid empty result.
Its config is what /etc/chaos-shop/config.json would hold (that one path is read from a
temporary file instead); psycopg2 is stood in for by an empty module (the catalog is not
called). The server, while trickling, sends each answer's headers at once and its body one
byte every GAP seconds, so the client's read timeout never fires; a connection it began
trickling keeps trickling after the dependency recovers, as calls already stuck in a slow
dependency do. Every wait is bounded.
"""
import builtins
import json
import socket
import sys
import tempfile
import threading
import time
import types

GAP = 0.3
BODY = b'{"Count":0,"Items":[],"ScannedCount":0}'
GUARD = {"connect_timeout": 1, "read_timeout": 2, "retries": 0, "bulkhead": 2}


class Dynamo:
    """A loopback DynamoDB that answers every request with BODY, trickled while `trickling`."""

    def __init__(self):
        self.trickling = True
        # When each trickled answer was sent whole (time.monotonic()).
        self.trickles_ended = []
        self.srv = socket.socket()
        self.srv.bind(("127.0.0.1", 0))
        self.srv.listen(16)
        self.url = "http://127.0.0.1:%d" % self.srv.getsockname()[1]
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            conn, _ = self.srv.accept()
            threading.Thread(target=self.serve, args=(conn, self.trickling), daemon=True).start()

    def serve(self, conn, trickle):
        conn.settimeout(30)
        with conn:
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                data += chunk
            head, body = data.split(b"\r\n\r\n", 1)
            length = next((int(l.split(b":")[1]) for l in head.split(b"\r\n")
                           if l.lower().startswith(b"content-length:")), 0)
            while len(body) < length:
                body += conn.recv(65536)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.0\r\n"
                         b"x-amzn-RequestId: trickle\r\nConnection: close\r\nContent-Length: %d\r\n\r\n" % len(BODY))
            if not trickle:
                conn.sendall(BODY)
                return
            for i in range(len(BODY)):
                if i:
                    time.sleep(GAP)
                conn.sendall(BODY[i:i + 1])
            self.trickles_ended.append(time.monotonic())


def load_app(path, endpoint):
    config = {"region": "us-east-1", "guard": GUARD, "reviews_table": "chaos-lab-reviews",
              "reviews_key": "product_id", "reviews_key_type": "S"}
    cfg = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)
    json.dump(config, cfg)
    cfg.close()
    real_open = builtins.open

    def redirected(file, *a, **k):
        return real_open(cfg.name if file == "/etc/chaos-shop/config.json" else file, *a, **k)

    sys.modules["psycopg2"] = types.ModuleType("psycopg2")
    import os
    os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
                      AWS_ENDPOINT_URL_DYNAMODB=endpoint, AWS_EC2_METADATA_DISABLED="true")
    module = types.ModuleType("app")
    module.__file__ = path
    builtins.open = redirected
    try:
        exec(compile(real_open(path).read(), path, "exec"), module.__dict__)
    finally:
        builtins.open = real_open
    return module


def main():
    dynamo = Dynamo()
    app = load_app(sys.argv[1], dynamo.url).app.test_client()
    t0 = time.monotonic()
    seen = []

    def get(label):
        start = time.monotonic()
        r = app.get("/products/1/reviews")
        seen.append({"label": label, "at": round(start - t0, 2),
                     "seconds": round(time.monotonic() - start, 2), "status": r.status_code,
                     "body": r.get_json()})
        return r.status_code

    # Trickling: two calls fill the bulkhead, each given up at the deadline; the next fails
    # at once.
    threads = [threading.Thread(target=get, args=(f"stuck-{i}",)) for i in range(GUARD["bulkhead"])]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    get("bulkhead-full")
    # The dependency recovers for new connections; the stuck calls keep trickling.
    dynamo.trickling = False
    recovered = time.monotonic() - t0
    get("after-recovery")
    status = None
    while status != 200 and time.monotonic() - t0 < 60:
        time.sleep(0.5)
        status = get("poll")
    ended = [round(t - t0, 2) for t in dynamo.trickles_ended]
    print(json.dumps({"recovered_at": round(recovered, 2),
                      "trickles_ended_at": ended,
                      "deadline": GUARD["connect_timeout"] + GUARD["read_timeout"],
                      "requests": seen}))


main()
