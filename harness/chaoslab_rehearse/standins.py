"""The stand-ins for AWS (moto) and Aurora (PostgreSQL), seeded from the tree's own HCL."""

import os
import re
import shutil
import subprocess
import time
from pathlib import Path

from .base import ADDRESSES, MOTO_PORT, NAMES, USERNS, VENV_PY, Failure, run
from .fis import stop_alarms
from .tree import hcl_string


# The stand-ins run ahead of the app and the load in the CPU queue: Aurora and the AWS APIs
# have hosts of their own, so on a busy machine it is the app that must wait, not them. A
# PostgreSQL left waiting for a second or more fills a worker's catalog slots (the app's
# bulkhead, 4 calls per worker) with 12 load clients, and the shop sheds catalog calls with
# JSON 503s for a fault that is only the test machine's.
# Without root (a user namespace) no process may raise its priority: they run as they are.
STAND_IN_PRIORITY = [] if USERNS else ["nice", "-n", "-5"]
# PostgreSQL refuses to run as root: as its own user, or, in a user namespace where no other
# user exists, in a nested one where this root is uid 1000 (files keep their owner).
AS_POSTGRES = (["unshare", "--user", "--map-user=1000", "--map-group=1000", "--"] if USERNS
               else ["runuser", "-u", "postgres", "--"])


def to_postgres(path):
    """Gives `path` to PostgreSQL's user (in a user namespace it already is its owner)."""
    if not USERNS:
        shutil.chown(path, "postgres", "postgres")


class StandIns:
    """Part of the Rehearsal: needs self.work, self.procs and self.tree."""

    # services
    def start_moto(self):
        logf = open(self.work / "moto.log", "w")
        p = subprocess.Popen(
            STAND_IN_PRIORITY + [str(VENV_PY), "-m", "moto.server", "-H", "0.0.0.0",
                                 "-p", str(MOTO_PORT)],
            stdout=logf, stderr=subprocess.STDOUT, start_new_session=True,
            # The stand-in S3 name is an endpoint, not a bucket's virtual host.
            env={**os.environ, "MOTO_S3_CUSTOM_ENDPOINTS": f"http://{NAMES['s3']}:{MOTO_PORT}"},
        )
        self.procs.append(p)
        self.wait_port("127.0.10.1", MOTO_PORT, "moto")

    def start_postgres(self, user, password, database):
        pg = self.pg_bin()
        data = self.work / "pg"
        data.mkdir()
        to_postgres(data)
        pw = self.work / "pgpass"
        pw.write_text(password + "\n")
        to_postgres(pw)
        run(AS_POSTGRES + [f"{pg}/initdb", "-D", str(data), "-U", user, f"--pwfile={pw}",
                     "--auth-host=scram-sha-256", "--auth-local=trust", "-E", "UTF8"])
        # Any address of the namespace's loopback: the delay proxy connects from its own.
        with open(data / "pg_hba.conf", "a", encoding="utf-8") as hba:
            hba.write("host all all 127.0.0.0/8 scram-sha-256\n")
        logf = open(self.work / "postgres.log", "w")
        to_postgres(self.work / "postgres.log")
        logf.close()
        self.launch_postgres()
        run(AS_POSTGRES + [f"{pg}/createdb", "-h", str(data), "-U", user, database])

    def launch_postgres(self):
        """Starts the initialised server and waits until it accepts connections."""
        pg, data = self.pg_bin(), self.work / "pg"
        logf = open(self.work / "postgres.log", "a")
        p = subprocess.Popen(
            STAND_IN_PRIORITY + AS_POSTGRES + [f"{pg}/postgres", "-D", str(data),
                                 "-k", str(data),
             "-c", f"listen_addresses={ADDRESSES['aurora'][0]}", "-c", "fsync=off"],
            stdout=logf, stderr=subprocess.STDOUT, start_new_session=True,
        )
        self.procs.append(p)
        self.wait_port(ADDRESSES["aurora"][0], 5432, "postgres")
        # Listening is not ready: until its startup recovery ends, the server answers "the
        # database system is starting up" (a loaded machine shows it).
        end = time.monotonic() + 30
        while subprocess.run([f"{pg}/pg_isready", "-q", "-h", str(data)]).returncode != 0:
            if time.monotonic() > end:
                raise Failure("postgres did not accept connections within 30 s")
            time.sleep(0.1)

    def restart_postgres(self, down):
        """The database rebooted, as the app sees an Aurora reboot or failover: a fast
        shutdown (open connections dropped, new ones refused), `down` seconds without it,
        then the server again."""
        pg, data = self.pg_bin(), self.work / "pg"
        run(AS_POSTGRES + [f"{pg}/pg_ctl", "stop", "-D", str(data),
             "-m", "fast", "-w", "-t", "30"])
        time.sleep(down)
        self.launch_postgres()

    @staticmethod
    def pg_bin():
        found = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"))
        if not found:
            raise Failure("PostgreSQL is not installed (scripts/install-rehearsal installs it)")
        return str(found[-1].parent)

    def wait_port(self, host, port, what, seconds=30):
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            try:
                import socket

                socket.create_connection((host, port), 0.5).close()
                return
            except OSError:
                time.sleep(0.1)
        raise Failure(f"{what} did not listen on {host}:{port} within {seconds} s")

    # the lab's data, into the stand-ins
    def seed(self):
        import boto3

        t = self.tree
        env = {"endpoint_url": f"http://127.0.10.1:{MOTO_PORT}", "region_name": "us-east-1",
               "aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
        ddb = boto3.client("dynamodb", **env)
        for name, body in t.of_type("aws_dynamodb_table").items():
            table = t.value(body["name"])
            keys = [{"AttributeName": t.value(body["hash_key"]), "KeyType": "HASH"}]
            if "range_key" in body:
                keys.append({"AttributeName": t.value(body["range_key"]), "KeyType": "RANGE"})
            attrs = [{"AttributeName": t.value(a["name"]), "AttributeType": t.value(a["type"])}
                     for a in body["attribute"]]
            ddb.create_table(TableName=table, KeySchema=keys, AttributeDefinitions=attrs,
                             BillingMode="PAY_PER_REQUEST")
            for item_res in t.of_type("aws_dynamodb_table_item").values():
                if item_res["table_name"] != f"${{aws_dynamodb_table.{name}.name}}":
                    continue
                for item in t.value(item_res["for_each"]).values():
                    ddb.put_item(TableName=table, Item=item)
        sqs = boto3.client("sqs", **env)
        for body in t.of_type("aws_sqs_queue").values():
            url = sqs.create_queue(QueueName=t.value(body["name"]),
                                   Attributes={"VisibilityTimeout": str(body["visibility_timeout_seconds"])})["QueueUrl"]
            t.standins["aws_sqs_queue.url"] = url
        s3 = boto3.client("s3", **env)
        for name, body in t.of_type("aws_s3_bucket").items():
            bucket = t.value(body["bucket"])
            s3.create_bucket(Bucket=bucket)
            for obj in t.of_type("aws_s3_object").values():
                if obj["bucket"] != f"${{aws_s3_bucket.{name}.id}}":
                    continue
                for key, o in t.value(obj["for_each"]).items():
                    s3.put_object(Bucket=bucket, Key=key, Body=o["content"].encode(),
                                  ContentType=o.get("content_type", "binary/octet-stream"))
        # The templates' stop-condition alarms, for verify's pre-flight to read: a stand-in
        # alarm has the tree's name and moto's first state, OK (its metric is not modelled).
        cw = boto3.client("cloudwatch", **env)
        for alarm in sorted({a for names in stop_alarms(t).values() for a in names}):
            cw.put_metric_alarm(AlarmName=alarm, Namespace="chaoslab/rehearse",
                                MetricName="stand-in", Statistic="Sum", Period=60,
                                EvaluationPeriods=1, Threshold=1,
                                ComparisonOperator="GreaterThanThreshold")

    def secret(self):
        """The database secret as the tree makes it: its ARN expression and its keys."""
        t = self.tree
        arn_expr = re.sub(r"^one\((.*)\)$", r"\1", t.locals["app_config"]["db_secret_arn"].strip("${}"))
        cluster = t.resource("aws_rds_cluster", "main")
        user = t.value(cluster["master_username"])
        if arn_expr.startswith("aws_rds_cluster."):
            # RDS-managed master secret: RDS writes {"username", "password"} (RDS user guide,
            # "Password management with Amazon RDS and AWS Secrets Manager").
            keys = {"username": user, "password": None}
        else:
            sname = arn_expr.split(".")[1]
            version = next(v for v in t.of_type("aws_secretsmanager_secret_version").values()
                           if v["secret_id"] == f"${{aws_secretsmanager_secret.{sname}.id}}")
            m = re.fullmatch(r"\$\{jsonencode\(\{(.*)\}\)\}", version["secret_string"], re.S)
            if not m:
                raise Failure("cannot read the secret's shape from secret_string")
            keys = {}
            for k, v in re.findall(r"(\w+)\s*=\s*([^,]+)", m.group(1)):
                v = v.strip()
                keys[k] = hcl_string(v) if v.startswith('"') else None
        return arn_expr, keys, user
