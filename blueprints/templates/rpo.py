#!/usr/bin/env python3
"""Measures what Article 9 measures on a DynamoDB global table: while replication is paused,
how many records written in the primary Region the replica Region cannot see (the RPO, in
records and in seconds of writes), and, once it resumes, how long until every one appears.

It is the lab's two-Region workload: a writer in the primary Region and a reader in the
replica Region, both in this one process, so one clock times both sides (no skew between two
machines to subtract). Start it, start the replication-pause experiment, and stop it with
Ctrl-C once it has printed "caught up" after the experiment's end, or give --seconds.

  python3 rpo.py --table NAME --primary us-east-1 --replica us-west-2 \
      --hash-key KEY --hash-type S [--range-key KEY --range-type S]

Every record it writes carries the attribute `rpo_probe` and is deleted at the end. Needs
boto3 and credentials allowed dynamodb:PutItem/DeleteItem in the primary and
dynamodb:GetItem in the replica Region. Output: one line per second, then a summary; with
--json the summary is also printed as one JSON object (what the tests read).
"""
import argparse
import json
import signal
import sys
import time
import uuid

import boto3
from botocore.config import Config

# Short timeouts and no retries: a slow Region must show as lag, not stall the writer.
# Replica reads per tick: enough to catch up hundreds of records a minute after a pause.
LOOKS_PER_TICK = 50
CLIENT = Config(connect_timeout=2, read_timeout=2, retries={"max_attempts": 0})


def key_value(kind, text):
    return {"N": text} if kind == "N" else {"S": text}


class Probe:
    def __init__(self, args):
        self.args = args
        self.primary = boto3.client("dynamodb", region_name=args.primary, config=CLIENT)
        self.replica = boto3.client("dynamodb", region_name=args.replica, config=CLIENT)
        self.run = uuid.uuid4().hex[:8]
        # seq -> (key, written_at, seen_at or None)
        self.records = {}
        # Written sequence numbers in order, and how many of them the replica has shown.
        self.order = []
        self.cursor = 0
        self.max_missing = 0
        self.max_missing_span = 0.0
        self.longest_lag = 0.0
        self.write_errors = 0
        self.peak_at = None

    def key(self, seq):
        a = self.args
        # Numeric keys: the run as a number, then the sequence, so two runs never collide.
        hash_text = str(int(self.run, 16) * 1_000_000 + seq) if a.hash_type == "N" else f"rpo-{self.run}-{seq}"
        key = {a.hash_key: key_value(a.hash_type, hash_text)}
        if a.range_key:
            key[a.range_key] = key_value(a.range_type, "0" if a.range_type == "N" else "rpo")
        return key

    def write(self, seq, now):
        key = self.key(seq)
        item = dict(key)
        item["rpo_probe"] = {"S": self.run}
        try:
            self.primary.put_item(TableName=self.args.table, Item=item)
        except Exception as e:  # noqa: BLE001 - any failure is a failed write, counted
            self.write_errors += 1
            print(f"write {seq} failed: {e}", file=sys.stderr)
            return
        self.records[seq] = [key, now, None]
        self.order.append(seq)

    def look(self, now):
        """Checks the oldest records the replica has not shown yet, in write order, stopping
        at the first one still missing: replication runs roughly in write order, so this
        costs a few reads per tick however long the pause (at most LOOKS_PER_TICK)."""
        for _ in range(LOOKS_PER_TICK):
            if self.cursor == len(self.order):
                break
            rec = self.records[self.order[self.cursor]]
            try:
                found = self.replica.get_item(TableName=self.args.table, Key=rec[0]).get("Item")
            except Exception:  # noqa: BLE001 - an unreachable replica sees nothing
                found = None
            if found is None:
                break
            rec[2] = now
            self.longest_lag = max(self.longest_lag, now - rec[1])
            self.cursor += 1
        missing = len(self.order) - self.cursor
        if missing > self.max_missing:
            self.max_missing = missing
            self.max_missing_span = now - self.records[self.order[self.cursor]][1]
            self.peak_at = now
        return missing

    def late(self, now):
        """Records the replica has not shown although written more than --grace ago."""
        return sum(1 for seq in self.order[self.cursor:] if now - self.records[seq][1] > self.args.grace)

    def clean(self):
        for rec in self.records.values():
            try:
                self.primary.delete_item(TableName=self.args.table, Key=rec[0])
            except Exception:  # noqa: BLE001 - best effort; the items are marked rpo_probe
                pass


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--table", required=True)
    p.add_argument("--primary", required=True)
    p.add_argument("--replica", required=True)
    p.add_argument("--hash-key", required=True)
    p.add_argument("--hash-type", choices=["S", "N"], default="S")
    p.add_argument("--range-key")
    p.add_argument("--range-type", choices=["S", "N"], default="S")
    p.add_argument("--interval", type=float, default=1.0, help="seconds between writes")
    p.add_argument("--seconds", type=float, default=1800, help="stop writing after this long")
    p.add_argument("--settle", type=float, default=600,
                   help="after writing stops, wait at most this long for the replica")
    p.add_argument("--grace", type=float, default=2.0,
                   help="a record unseen in the replica for longer than this is late")
    p.add_argument("--json", action="store_true")
    args = p.parse_args()

    probe = Probe(args)
    stop = {"now": False}
    signal.signal(signal.SIGINT, lambda *_: stop.update(now=True))
    signal.signal(signal.SIGTERM, lambda *_: stop.update(now=True))
    start = time.monotonic()
    seq = 0
    late_since = None
    late_for = catch_up = None

    def tick(now):
        nonlocal late_since, late_for, catch_up
        missing = probe.look(now)
        late = probe.late(now)
        if late and late_since is None:
            late_since = now
        elif not late and late_since is not None:
            late_for = now - late_since
            catch_up = now - (probe.peak_at or now)
            print(f"caught up: no record late in {args.replica} after {late_for:.1f} s", flush=True)
            late_since = None
        return missing, late

    try:
        while not stop["now"] and time.monotonic() - start < args.seconds:
            now = time.monotonic()
            probe.write(seq, now)
            seq += 1
            missing, late = tick(time.monotonic())
            print(f"t={now - start:7.1f}s written={len(probe.records)} "
                  f"missing_in_{args.replica}={missing} late={late}", flush=True)
            time.sleep(max(0.0, args.interval - (time.monotonic() - now)))
        # Writing has stopped: wait (bounded) for the replica to show every record.
        settle_end = time.monotonic() + args.settle
        while tick(time.monotonic())[0] and time.monotonic() < settle_end:
            time.sleep(min(args.interval, 1.0))
        still_missing = tick(time.monotonic())[0]
    finally:
        probe.clean()
    summary = {
        "written": len(probe.records),
        "write_errors": probe.write_errors,
        "max_missing": probe.max_missing,
        "max_missing_seconds": round(probe.max_missing_span, 1),
        "longest_lag_seconds": round(probe.longest_lag, 1),
        "late_for_seconds": None if late_for is None else round(late_for, 1),
        "catch_up_seconds": None if catch_up is None else round(catch_up, 1),
        "still_missing": still_missing,
    }
    caught = "never" if still_missing else "yes"
    if catch_up is not None:
        caught += f", {catch_up:.1f} s after the worst moment (records late for {late_for:.1f} s)"
    print(f"RPO: at most {summary['max_missing']} records "
          f"({summary['max_missing_seconds']} s of writes) missing in {args.replica}; "
          f"longest lag {summary['longest_lag_seconds']} s; caught up: {caught}")
    if args.json:
        print(json.dumps(summary))
    return 1 if still_missing else 0


if __name__ == "__main__":
    sys.exit(main())
