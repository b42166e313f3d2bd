"""Chaos Shop API: a catalog on Aurora, reviews in DynamoDB, a promo banner in S3.

Each dependency sits behind its own endpoint and its own guard, so losing one degrades one
feature (a fast JSON 503) instead of the whole shop. The guard's numbers come from the lab
spec through /etc/chaos-shop/config.json (`guard`):

* connect and read timeouts, and no retries unless the spec asks, on every client;
* a connect budget that holds for the whole name: urllib3 gives each resolved address the
  full connect timeout in turn, and S3 answers DNS with several addresses, so "2 s" would
  be 2 s x N against a blackholed endpoint;
* a wall-clock deadline per call (connect + read), whatever the client does inside;
* a bulkhead: at most `bulkhead` calls in flight per dependency and worker process; past
  that, calls fail at once, so one dead dependency cannot hold every worker thread. A call
  past its deadline is abandoned by its request but keeps its slot until it really ends: a
  dependency that answers slowly or trickles (each read within the read timeout) holds the
  slots as long as its calls last, also after it recovers, and its endpoint fails at once
  meanwhile. The trade-off is chosen: freeing the slot at the deadline would queue new calls
  behind the stuck ones, each holding a request thread for the whole deadline;
* optionally a circuit breaker: after `failures` failures in a row, calls fail at once for
  `reset_seconds`, then one trial call decides whether it closes again.

Two degradations of Article 4, each on when the lab spec asks for it:

* `cache_table`: every successful catalog read refreshes a copy in DynamoDB (at most every
  CACHE_REFRESH seconds per worker); while Aurora fails, `/products` answers that copy
  (`"source": "cache"`) instead of a 503;
* `orders_queue_url`: `POST /orders` stores the order in Aurora, or, while Aurora fails, puts
  it on an SQS queue and answers 202; a drainer thread per worker moves queued orders into
  Aurora once it answers again (at least once, made idempotent by the order id).

A `guard` of null is the app the series warns about (botocore's defaults, no deadline, no
bulkhead); the rehearsal runs it to show that its own assertions can fail. /health calls no
dependency. Every dependency failure is logged on one line: dependency, error, elapsed.
"""
import json
import logging
import socket
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as DeadlineExceeded
from contextlib import closing
from decimal import Decimal

import boto3
import psycopg2
import urllib3.util.connection
from boto3.dynamodb.types import TypeDeserializer
from botocore.config import Config
from flask import Flask, jsonify, request

with open("/etc/chaos-shop/config.json", encoding="utf-8") as f:
    CONFIG = json.load(f)
REGION = CONFIG["region"]
GUARD = CONFIG.get("guard")

logging.basicConfig(
    stream=sys.stderr,
    level=logging.WARNING,
    format="%(asctime)s chaos-shop %(levelname)s %(message)s",
)
log = logging.getLogger("chaos-shop")

_connect_each = urllib3.util.connection.create_connection


def _connect_within_budget(address, timeout=None, source_address=None, socket_options=None):
    """urllib3's create_connection, with `timeout` spent over all of the name's addresses."""
    if not isinstance(timeout, (int, float)):
        return _connect_each(address, timeout, source_address, socket_options)
    host, port = address
    deadline = time.monotonic() + timeout
    error = None
    for *_, sockaddr in socket.getaddrinfo(host.strip("[]"), port, 0, socket.SOCK_STREAM):
        left = deadline - time.monotonic()
        if left <= 0:
            break
        try:
            return _connect_each((sockaddr[0], port), left, source_address, socket_options)
        except OSError as e:
            error = e
    if error is None or deadline - time.monotonic() <= 0:
        raise socket.timeout(f"no connection to {host}:{port} within {timeout} s")
    raise error


if GUARD is not None:
    urllib3.util.connection.create_connection = _connect_within_budget
    _boto_cfg = Config(
        connect_timeout=GUARD["connect_timeout"],
        read_timeout=GUARD["read_timeout"],
        retries={"max_attempts": GUARD["retries"]},
    )
else:
    _boto_cfg = Config()
_ddb = boto3.client("dynamodb", region_name=REGION, config=_boto_cfg)
_s3 = boto3.client("s3", region_name=REGION, config=_boto_cfg)
_secrets = boto3.client("secretsmanager", region_name=REGION, config=_boto_cfg)
_sqs = boto3.client("sqs", region_name=REGION, config=_boto_cfg)
_item = TypeDeserializer()

PRODUCTS = [
    (1, "Chaos Monkey plush", 1999),
    (2, "Circuit Breaker mug", 1299),
    (3, "Blast Radius poster", 899),
    (4, "Game Day hoodie", 4599),
    (5, "Steady State socks", 799),
]


class Unavailable(Exception):
    """A dependency call that failed, ran out of time or was refused by its guard."""


class Breaker:
    """Closed, open for `reset_seconds` after `failures` failures in a row, then half-open."""

    def __init__(self, failures, reset_seconds):
        self.threshold = failures
        self.reset = reset_seconds
        self.lock = threading.Lock()
        self.failures = 0
        self.opened_at = None
        self.trial = False

    def allow(self):
        with self.lock:
            if self.opened_at is None:
                return True
            if not self.trial and time.monotonic() - self.opened_at >= self.reset:
                self.trial = True
                return True
            return False

    def record(self, ok):
        with self.lock:
            if ok:
                self.failures, self.opened_at, self.trial = 0, None, False
                return
            self.failures += 1
            if self.trial or self.failures >= self.threshold:
                self.opened_at, self.trial = time.monotonic(), False


class Dependency:
    """One dependency's guard: deadline, bulkhead and breaker, per worker process."""

    def __init__(self, name):
        self.name = name
        self.pool = None
        self.breaker = None
        if GUARD is None:
            return
        self.deadline = GUARD["connect_timeout"] + GUARD["read_timeout"]
        self.slots = threading.BoundedSemaphore(GUARD["bulkhead"])
        self.pool = ThreadPoolExecutor(GUARD["bulkhead"], thread_name_prefix=name)
        breaker = GUARD.get("circuit_breaker")
        if breaker:
            self.breaker = Breaker(breaker["failures"], breaker["reset_seconds"])

    def call(self, fn, *args, **kwargs):
        start = time.monotonic()
        try:
            result = self._guarded(fn, args, kwargs)
        except Unavailable as e:
            self._failed(str(e), start)
            raise
        except Exception as e:
            self._failed(type(e).__name__, start)
            raise Unavailable(type(e).__name__) from e
        if self.breaker:
            self.breaker.record(True)
        return result

    def _guarded(self, fn, args, kwargs):
        if self.pool is None:
            return fn(*args, **kwargs)
        if self.breaker and not self.breaker.allow():
            raise Unavailable("CircuitOpen")
        if not self.slots.acquire(blocking=False):
            raise Unavailable("BulkheadFull")
        try:
            future = self.pool.submit(fn, *args, **kwargs)
        except BaseException:
            self.slots.release()
            raise
        # The slot stays taken until the call really ends, past its deadline if need be:
        # that is what bounds the threads a dead dependency can hold.
        future.add_done_callback(lambda _: self.slots.release())
        try:
            return future.result(timeout=self.deadline)
        except DeadlineExceeded:
            raise Unavailable("DeadlineExceeded") from None

    def _failed(self, error, start):
        if self.breaker and error not in ("CircuitOpen", "BulkheadFull"):
            self.breaker.record(False)
        log.warning(
            "dependency=%s error=%s elapsed=%.3fs", self.name, error, time.monotonic() - start
        )


CATALOG = Dependency("aurora")
REVIEWS = Dependency("dynamodb")
PROMO = Dependency("s3")
CACHE = Dependency("cache")
QUEUE = Dependency("sqs")
# Seconds between two refreshes of the catalog's cached copy, per worker.
CACHE_REFRESH = 30
# Seconds between two drains of the order queue, per worker.
DRAIN_EVERY = 2

app = Flask(__name__)

_credentials_lock = threading.Lock()
_credentials_cache = []


def _credentials():
    with _credentials_lock:
        if not _credentials_cache:
            value = _secrets.get_secret_value(SecretId=CONFIG["db_secret_arn"])
            _credentials_cache.append(json.loads(value["SecretString"]))
        return _credentials_cache[0]


def _db(host_key="db_host"):
    creds = _credentials()
    options = {}
    if GUARD is not None:
        options = {
            "connect_timeout": GUARD["connect_timeout"],
            "options": f"-c statement_timeout={GUARD['read_timeout'] * 1000}",
        }
    return psycopg2.connect(
        host=CONFIG.get(host_key) or CONFIG["db_host"],
        dbname=CONFIG["db_name"],
        user=creds["username"],
        password=creds["password"],
        **options,
    )


def _plain(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, set)):
        return [_plain(v) for v in value]
    return value


def init_db():
    """Creates and seeds the catalog; safe to run on every instance at every boot."""
    with closing(_db()) as conn, conn, conn.cursor() as cur:
        cur.execute(
            "CREATE TABLE IF NOT EXISTS products ("
            "id INTEGER PRIMARY KEY, name TEXT NOT NULL, price_cents INTEGER NOT NULL)"
        )
        cur.executemany(
            "INSERT INTO products (id, name, price_cents) VALUES (%s, %s, %s) "
            "ON CONFLICT (id) DO NOTHING",
            PRODUCTS,
        )
        cur.execute(
            "CREATE TABLE IF NOT EXISTS orders (id TEXT PRIMARY KEY, "
            "product_id INTEGER NOT NULL, quantity INTEGER NOT NULL, "
            "created_at TIMESTAMPTZ NOT NULL DEFAULT now())"
        )


def _unavailable(feature, dependency):
    body = {"error": f"{feature} temporarily unavailable", "dependency": dependency.name}
    return jsonify(body), 503


@app.route("/health")
def health():
    # No dependency calls: a failing dependency must not take instances out of service.
    return jsonify({"status": "ok"})


def _list_products():
    # Reads go to the readers when the lab says so (db_reader_host); the seed writes to the writer.
    with closing(_db("db_reader_host")) as conn, conn.cursor() as cur:
        cur.execute("SELECT id, name, price_cents FROM products ORDER BY id")
        return cur.fetchall()


_cached_at = [0.0]


def _cache_key():
    return {"key": {"S": "catalog"}}


def _refresh_cache(items):
    """Best effort: a failing cache must not fail a catalog read that worked."""
    now = time.monotonic()
    if not CONFIG.get("cache_table") or now - _cached_at[0] < CACHE_REFRESH:
        return
    _cached_at[0] = now
    item = dict(_cache_key(), products={"S": json.dumps(items)}, cached_at={"N": str(int(time.time()))})
    try:
        CACHE.call(_ddb.put_item, TableName=CONFIG["cache_table"], Item=item)
    except Unavailable:
        _cached_at[0] = 0.0


def _cached_products():
    item = CACHE.call(_ddb.get_item, TableName=CONFIG["cache_table"], Key=_cache_key()).get("Item")
    if item is None:
        raise Unavailable("CacheEmpty")
    return json.loads(item["products"]["S"]), int(item["cached_at"]["N"])


@app.route("/products")
def products():
    try:
        rows = CATALOG.call(_list_products)
    except Unavailable:
        if not CONFIG.get("cache_table"):
            return _unavailable("catalog", CATALOG)
        try:
            items, cached_at = _cached_products()
        except Unavailable:
            return _unavailable("catalog", CATALOG)
        return jsonify({"products": items, "source": "cache", "cached_at": cached_at})
    items = [{"id": i, "name": n, "price": p / 100} for i, n, p in rows]
    _refresh_cache(items)
    return jsonify({"products": items, "source": "aurora"})


def _store_order(order):
    with closing(_db()) as conn, conn, conn.cursor() as cur:
        cur.execute(
            "INSERT INTO orders (id, product_id, quantity) VALUES (%s, %s, %s) "
            "ON CONFLICT (id) DO NOTHING",
            (order["id"], order["product_id"], order["quantity"]),
        )


def _count_orders():
    with closing(_db()) as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM orders")
        return cur.fetchone()[0]


@app.route("/orders", methods=["POST"])
def place_order():
    body = request.get_json(silent=True) or {}
    try:
        order = {"id": uuid.uuid4().hex, "product_id": int(body["product_id"]),
                 "quantity": int(body.get("quantity", 1))}
    except (KeyError, TypeError, ValueError):
        return jsonify({"error": "send {\"product_id\": <number>, \"quantity\": <number>}"}), 400
    try:
        CATALOG.call(_store_order, order)
        return jsonify({"order": order["id"], "stored": "aurora"}), 201
    except Unavailable:
        if not CONFIG.get("orders_queue_url"):
            return _unavailable("orders", CATALOG)
    try:
        QUEUE.call(_sqs.send_message, QueueUrl=CONFIG["orders_queue_url"],
                   MessageBody=json.dumps(order))
    except Unavailable:
        return _unavailable("orders", QUEUE)
    return jsonify({"order": order["id"], "queued": True}), 202


@app.route("/orders")
def orders():
    try:
        return jsonify({"orders": CATALOG.call(_count_orders), "source": "aurora"})
    except Unavailable:
        return _unavailable("orders", CATALOG)


def _drain_once():
    """Moves queued orders into Aurora; a message is deleted only once its order is stored,
    so an order is never lost (SQS delivers it again after the visibility timeout)."""
    got = QUEUE.call(_sqs.receive_message, QueueUrl=CONFIG["orders_queue_url"],
                     MaxNumberOfMessages=10, WaitTimeSeconds=1)
    for message in got.get("Messages", []):
        CATALOG.call(_store_order, json.loads(message["Body"]))
        QUEUE.call(_sqs.delete_message, QueueUrl=CONFIG["orders_queue_url"],
                   ReceiptHandle=message["ReceiptHandle"])


def _drain_forever():
    while True:
        time.sleep(DRAIN_EVERY)
        try:
            _drain_once()
        except Unavailable:
            pass  # logged by the guard; the next round tries again
        except Exception:  # noqa: BLE001 - the drainer must outlive any one bad round
            log.exception("drain round failed")


if CONFIG.get("orders_queue_url") and sys.argv[1:] != ["init-db"]:
    threading.Thread(target=_drain_forever, name="order-drainer", daemon=True).start()


@app.route("/products/<product_id>/reviews")
def product_reviews(product_id):
    kind = CONFIG["reviews_key_type"]
    if kind == "N" and not product_id.isdigit():
        return jsonify({"error": "product ids are numbers"}), 400
    try:
        resp = REVIEWS.call(
            _ddb.query,
            TableName=CONFIG["reviews_table"],
            KeyConditionExpression="#k = :v",
            ExpressionAttributeNames={"#k": CONFIG["reviews_key"]},
            ExpressionAttributeValues={":v": {kind: product_id}},
        )
    except Unavailable:
        return _unavailable("reviews", REVIEWS)
    items = [{k: _item.deserialize(v) for k, v in i.items()} for i in resp.get("Items", [])]
    return jsonify({"reviews": _plain(items), "source": "dynamodb"})


def _read_promo():
    obj = _s3.get_object(Bucket=CONFIG["promo_bucket"], Key=CONFIG["promo_key"])
    return obj["Body"].read().decode("utf-8")


@app.route("/promo")
def promo():
    try:
        body = PROMO.call(_read_promo)
    except Unavailable:
        return _unavailable("promo", PROMO)
    try:
        return jsonify({"promo": json.loads(body), "source": "s3"})
    except ValueError:
        return jsonify({"promo": body, "source": "s3"})


if __name__ == "__main__" and sys.argv[1:] == ["init-db"]:
    init_db()
