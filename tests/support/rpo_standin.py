#!/usr/bin/env python3
"""Runs the lab's rpo.py against the closest local stand-in of a two-Region global table:
one moto server (its DynamoDB keeps each Region apart), the table in both Regions, and a
replicator thread that copies new items from the primary to the replica every 0.2 s, except
during the pause window, as DynamoDB does not while FIS pauses replication.

  rpo_standin.py RPO_PY --pause START:LENGTH --seconds N   (prints rpo.py's JSON summary)

Every wait is bounded; the moto server is stopped by PID whatever happens.
"""
import argparse
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request

import boto3

TABLE = "chaos-mr-reviews"
PRIMARY, REPLICA = "us-east-1", "us-west-2"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("rpo")
    p.add_argument("--pause", default="", help="START:LENGTH seconds after the writes begin")
    p.add_argument("--seconds", type=float, default=12)
    a = p.parse_args()
    pause = tuple(float(x) for x in a.pause.split(":")) if a.pause else None

    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    env = dict(os.environ, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
               AWS_ENDPOINT_URL_DYNAMODB=endpoint, AWS_EC2_METADATA_DISABLED="true")
    moto = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1)
                break
            except Exception:  # noqa: BLE001 - not up yet
                if time.monotonic() > deadline or moto.poll() is not None:
                    raise SystemExit("moto server did not start")
                time.sleep(0.2)
        os.environ.update(env)
        clients = {r: boto3.client("dynamodb", region_name=r, endpoint_url=endpoint) for r in (PRIMARY, REPLICA)}
        for c in clients.values():
            c.create_table(TableName=TABLE, BillingMode="PAY_PER_REQUEST",
                           AttributeDefinitions=[{"AttributeName": "product_id", "AttributeType": "S"},
                                                 {"AttributeName": "review_id", "AttributeType": "S"}],
                           KeySchema=[{"AttributeName": "product_id", "KeyType": "HASH"},
                                      {"AttributeName": "review_id", "KeyType": "RANGE"}])
        t0 = time.monotonic()
        done = threading.Event()

        def replicate():
            while not done.wait(0.2):
                t = time.monotonic() - t0
                if pause and pause[0] <= t < pause[0] + pause[1]:
                    continue
                for item in clients[PRIMARY].scan(TableName=TABLE)["Items"]:
                    clients[REPLICA].put_item(TableName=TABLE, Item=item)

        threading.Thread(target=replicate, daemon=True).start()
        run = subprocess.run(
            [sys.executable, a.rpo, "--table", TABLE, "--primary", PRIMARY, "--replica", REPLICA,
             "--hash-key", "product_id", "--range-key", "review_id", "--interval", "0.5",
             "--seconds", str(a.seconds), "--settle", "15", "--json"],
            env=env, capture_output=True, text=True, timeout=a.seconds + 60)
        done.set()
        sys.stderr.write(run.stdout + run.stderr)
        summary = json.loads(run.stdout.strip().splitlines()[-1])
        summary["exit"] = run.returncode
        left = clients[PRIMARY].scan(TableName=TABLE)["Items"]
        summary["left_in_primary"] = len(left)
        print(json.dumps(summary))
    finally:
        moto.terminate()
        try:
            moto.wait(timeout=10)
        except subprocess.TimeoutExpired:
            moto.kill()


if __name__ == "__main__":
    main()
