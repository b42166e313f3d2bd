"""The rehearsal inside the namespace: the stand-ins and the app started, then each scenario's
phases of traffic with its fault put on and lifted, measured into the report."""

import base64
import gzip
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from . import evidence
from .app import AppHost
from .base import ACCOUNT, MOTO_PORT, NAMES, Failure, log, run
from .faults import DelayProxy, drop, drop_all_quietly, lose, parse_fault
from .fis import CLOUDWATCH_ADDR, FIS_ADDR, FisStandIn
from .standins import StandIns
from .stats import summarize
from .traffic import Load, Orders, orders_in_db, request
from .tree import Tree

# Seconds the stand-in database stays down in a rehearsed reboot or failover: long enough for
# the probe (a round every 250 ms) to see it while the experiment runs; how long Aurora takes
# is not modelled.
DB_DOWN = 4.0

SUITE = [
    "dynamodb:dynamodb:0",
    "s3:s3:0",
    "dynamodb-load:dynamodb:12",
    "s3-load:s3:12",
    "counterfactual-dynamodb-load:dynamodb:12:none",
]


class Rehearsal(StandIns, AppHost):
    def __init__(self, args, work, on_scenario=None):
        self.args, self.work = args, Path(work)
        self.procs = []
        self.app_pid_file = self.work / "app.pid"
        self.proxy, self.proxied = None, set()
        self.tree = None
        self.app_guard = None
        # Called with each scenario's result as it is measured (the CLI prints its table).
        self.on_scenario = on_scenario or (lambda result: None)

    # one phase of traffic
    def traffic(self, port, paths, phases, clients):
        """Runs the phases under one load: each (name, cap, action, rule) starts with its
        action and ends when its rule (evidence.py) names a reason, or at its cap."""
        load = Load(port, paths, self.args.probe_timeout, clients, self.args.think)
        bounds, ended = {}, {}
        load.start()
        try:
            previous = None
            for name, cap, action, rule in phases:
                before = time.monotonic()
                if action:
                    action()
                if previous:
                    bounds[previous][1] = before
                start = time.monotonic()
                bounds[name] = [start, None]
                previous = name
                ended[name] = "cap"
                while time.monotonic() - start < cap:
                    time.sleep(min(0.25, max(0.0, cap - (time.monotonic() - start))))
                    if rule:
                        with load.rec.lock:
                            samples = list(load.rec.samples)
                        why = rule(samples, start, time.monotonic())
                        if why:
                            ended[name] = why
                            break
            bounds[previous][1] = time.monotonic()
        finally:
            load.finish()
        return load.rec.samples, bounds, ended

    def scenario(self, name, fault_spec, clients, port, paths, guard):
        a = self.args
        dependency, deps, (kind, amount) = parse_fault(fault_spec)
        if kind == "drop":
            on, off = (lambda: drop(dependency, True)), (lambda: drop(dependency, False))
        elif kind == "loss":
            on, off = (lambda: lose(deps, amount, True)), (lambda: lose(deps, amount, False))
        else:
            if not self.proxy or not set(deps) <= self.proxied:
                raise Failure(f"{fault_spec}: the delay proxy does not cover {deps}")

            def on():
                self.proxy.delay(deps, amount / 1000)

            def off():
                self.proxy.delay(deps, 0.0)
        phases = self.phases(guard, deps, clients, on, off)
        log(f"scenario {name}: {fault_spec}, {clients} load clients")
        # With the write-behind queue in the tree, orders are placed throughout.
        orders = None
        if self.tree.of_type("aws_sqs_queue"):
            before = orders_in_db(port, a.probe_timeout) or 0
            orders = Orders(port, a.probe_timeout)
            orders.thread.start()
        try:
            samples, bounds, ended = self.traffic(port, paths, phases, clients)
        finally:
            if orders:
                orders.stop.set()
                orders.thread.join(a.probe_timeout + 2)
        result = {"name": name, "dependency": dependency,
                  "fault": {"kind": kind, "amount": amount, "dependencies": deps},
                  "clients": clients,
                  "s3_addresses": a.s3_addresses, "guard": guard, "phases": {}}
        for ph, cap, _, _ in phases:
            start, end = bounds[ph]
            lifted = start if ph == "recovery" else None
            result["phases"][ph] = {"seconds": round(end - start, 1), "cap": cap,
                                    "ended": ended[ph],
                                    "endpoints": summarize(samples, start, end, lifted)}
            if orders:
                result["phases"][ph]["orders"] = orders.phase(start, end)
        if orders and "recovery" in bounds:
            # Every accepted order must reach the database: wait (bounded) for the drain.
            want, waited = orders.accepted(), time.monotonic()
            stored = None
            while time.monotonic() - waited < a.drain_wait:
                stored = orders_in_db(port, a.probe_timeout)
                if stored is not None and stored - before >= want:
                    break
                time.sleep(0.5)
            result["orders"] = {"accepted": want,
                                "in_database": None if stored is None else stored - before,
                                "drained_after": round(time.monotonic() - waited, 1)}
        self.failure_log(result)
        self.on_scenario(result)
        return result

    def phases(self, guard, deps, clients, on, off):
        """The scenario's phases: (name, cap, action, rule); rules from evidence.py, none
        with --fixed-phases (each phase then lasts its cap, as it used to)."""
        a = self.args
        fixed = a.fixed_phases
        phases = [("baseline", a.baseline, None, None if fixed else evidence.baseline_done)]
        if guard in ("spec", "plain"):
            g = self.app_config(guard).get("guard") or {}
            # Under load, judge the calls begun once the first ones have hit their deadline.
            settle = g.get("connect_timeout", 0) + g.get("read_timeout", 0) if clients else 0

            def fault_rule(samples, start, now):
                return evidence.fault_done(samples, start, now, a.fault_min, a.fault_samples, settle)

            phases += [("fault", a.fault, on, None if fixed else fault_rule),
                       ("recovery", a.recovery, off, None if fixed else evidence.recovery_done)]
        else:
            # Without its guard the app's hung calls last minutes: no recovery to measure, and
            # a longer fault, long enough for the hung requests to take every thread.
            def broken(samples, start, now):
                return evidence.broken_done(samples, start, now, deps)

            phases += [("fault", a.counterfactual_fault, on, None if fixed else broken)]
        return phases

    def failure_log(self, result):
        """Counts the app's one-line dependency-failure logs per dependency."""
        text = (self.current_inst / "app.log").read_text(errors="replace")
        counts, errors = {}, {}
        for dep, err in re.findall(r"dependency=(\w+) error=(\w+) elapsed=", text):
            counts[dep] = counts.get(dep, 0) + 1
            errors.setdefault(dep, {})
            errors[dep][err] = errors[dep].get(err, 0) + 1
        result["failure_log_lines"] = counts
        result["failure_log_errors"] = errors

    def main(self):
        a = self.args
        self.tree = Tree(a.lab, {})
        arn_expr, keys, user = self.secret()
        password = base64.b16encode(os.urandom(12)).decode().lower()
        db_name = self.tree.value(self.tree.resource("aws_rds_cluster", "main")["database_name"])
        self.start_moto()
        self.start_postgres(user, password, db_name)
        import boto3

        sm = boto3.client("secretsmanager", endpoint_url=f"http://127.0.10.1:{MOTO_PORT}",
                          region_name="us-east-1", aws_access_key_id="testing",
                          aws_secret_access_key="testing")
        secret_value = {k: (password if v is None else v) for k, v in keys.items()}
        arn = sm.create_secret(Name="rehearsal-db", SecretString=json.dumps(secret_value))["ARN"]
        standins = {
            "aws_caller_identity.current.account_id": ACCOUNT,
            "aws_partition.current.partition": "aws",
            "aws_rds_cluster.endpoint": NAMES["aurora"],
            "aws_db_proxy.endpoint": NAMES["aurora"],
            # One PostgreSQL stands in for the writer and the readers alike.
            "aws_db_proxy_endpoint.endpoint": NAMES["aurora"],
            "aws_rds_cluster.reader_endpoint": NAMES["aurora"],
            "aws_secretsmanager_secret.arn": arn,
            "aws_rds_cluster.master_user_secret[0].secret_arn": arn,
            "aws_rds_cluster.master_user_secret[*].secret_arn": arn,
        }
        self.tree.standins = standins
        self.buckets = [self.tree.value(b["bucket"]) for b in self.tree.of_type("aws_s3_bucket").values()]
        self.seed()
        self.plan = json.loads(Path(a.fis_plan).read_text()) if a.fis_plan else None
        if self.plan is not None:
            delayed = sorted({f["dependency"] for p in self.plan["experiments"]
                              for f in p["faults"] if f["kind"] == "latency"})
        else:
            scenarios = [s["scenario"] for s in self.steps() if "scenario" in s]
            delayed = sorted({d for sc in scenarios
                              for d in parse_fault(sc.split(":")[1])[1]
                              if "+latency" in sc.split(":")[1]})
        if delayed:
            # Before the app starts, so its pooled connections go through the proxy too.
            self.proxy, self.proxied = DelayProxy(delayed), set(delayed)

        report = {"lab": str(a.lab), "python": run([sys._base_executable, "--version"]).stdout.strip(),
                  "scenarios": []}
        cfg = self.app_config("spec")
        probe_id = self.probe_id()
        paths = {"products": "/products", "reviews": f"/products/{probe_id}/reviews",
                 "promo": "/promo", "health": "/health"}
        if (self.tree.dir / "ecs.tf").exists():
            return self.main_task(report, cfg, paths)
        script = self.render_bootstrap(cfg)
        # What EC2 counts against its 16 KiB: the launch template sends base64gzip(...), and
        # cloud-init unzips it. Go's default gzip level is 6.
        report["user_data_bytes"] = len(gzip.compress(script.encode(), compresslevel=6, mtime=0))
        report["user_data_plain_bytes"] = len(script.encode())
        unit = re.search(r"^ExecStart=(.*)$", script, re.M).group(1)
        port = int(re.search(r"--bind \S+:(\d+)", unit).group(1))
        report["exec_start"] = unit

        booted = time.monotonic()
        proc, inst = self.boot(script, self.app_env(), "instance-1")
        self.current_inst = inst
        rc = proc.wait(timeout=a.boot_timeout)
        report["boot"] = {"exit": rc, "seconds": round(time.monotonic() - booted, 1),
                          "log_tail": (inst / "boot.log").read_text(errors="replace")[-1500:]}
        if rc != 0:
            print((inst / "boot.log").read_text(errors="replace"), file=sys.stderr)
            raise Failure(f"the bootstrap exited {rc}")
        self.wait_http(port)
        log(f"booted in {report['boot']['seconds']} s: {unit}")

        self.port = port
        self.app_guard = "spec"
        if a.exec:
            step = {"exec": a.exec, "fault_at": a.fault_at, "fis_seconds": a.fis_seconds,
                    "exec_signal": a.exec_signal, "exec_guard": a.exec_guard}
            report["exec"] = self.exec(inst, script, paths, step)
            return report
        for step in self.steps():
            if "exec" in step:
                report.setdefault("execs", {})[step["name"]] = self.exec(inst, script, paths, step)
                continue
            name, dep, clients, *rest = step["scenario"].split(":")
            guard = rest[0] if rest else "spec"
            self.use_guard(inst, script, guard)
            try:
                report["scenarios"].append(self.scenario(name, dep, int(clients), port, paths, guard))
            finally:
                drop_all_quietly()
                self.after_step(guard)

        if a.seed_failure:
            report["seed_failure"] = self.seed_failure(script)
        return report

    def steps(self):
        """The plan (--plan), else the scenarios (--scenario, the suite by default)."""
        a = self.args
        if not a.plan:
            return [{"scenario": sc} for sc in a.scenario]
        try:
            steps = json.loads(Path(a.plan).read_text())
        except (OSError, ValueError) as e:
            raise Failure(f"--plan {a.plan}: {e}") from None
        for i, step in enumerate(steps if isinstance(steps, list) else [None]):
            if not isinstance(step, dict) or not (
                    isinstance(step.get("scenario"), str)
                    or (isinstance(step.get("exec"), list) and isinstance(step.get("name"), str))):
                raise Failure(f"--plan {a.plan}: step {i} is neither {{\"scenario\": ...}} "
                              "nor {\"name\": ..., \"exec\": [...]}")
        return steps

    def main_task(self, report, cfg, paths):
        """The ECS task: booted from the task definition, then the same scenarios (the guard
        as the spec has it; the task is not restarted with another)."""
        a = self.args
        container = self.task_container(cfg)
        port = next(int(e["value"]) for e in container["environment"] if e["name"] == "CHAOS_SHOP_PORT")
        mapped = [m["containerPort"] for m in container.get("portMappings", [])]
        if mapped != [port]:
            raise Failure(f"the container maps {mapped}, and the app serves on {port}")
        report["task"] = {"image": container["image"], "command": container["command"][:2],
                          "environment": sorted(e["name"] for e in container["environment"])}
        booted = time.monotonic()
        proc, inst = self.boot_task(container, self.app_env(), "task-1")
        # Serving, then seeded: the catalog answers once the background seed has run.
        end = time.monotonic() + a.boot_timeout
        while time.monotonic() < end:
            if proc.poll() is not None:
                print((inst / "boot.log").read_text(errors="replace"), file=sys.stderr)
                raise Failure(f"the task's command exited {proc.returncode}")
            if request(port, "/products", 2)[0] == 200:
                break
            time.sleep(0.5)
        else:
            raise Failure(f"the task did not serve /products within {a.boot_timeout} s")
        report["boot"] = {"exit": 0, "seconds": round(time.monotonic() - booted, 1),
                          "log_tail": (inst / "boot.log").read_text(errors="replace")[-1500:]}
        log(f"task serving in {report['boot']['seconds']} s: {' '.join(container['command'][:2])} …")
        self.port = port
        if a.exec:
            if a.exec_guard != "spec":
                raise Failure("an ECS task is rehearsed with the spec's guard only")
            step = {"exec": a.exec, "fault_at": a.fault_at, "fis_seconds": a.fis_seconds,
                    "exec_signal": a.exec_signal, "exec_guard": "spec"}
            report["exec"] = self.exec(None, None, paths, step)
            return report
        for step in self.steps():
            if "exec" in step:
                raise Failure("an ECS task is rehearsed with scenarios or one --exec, not a plan's")
            name, dep, clients, *rest = step["scenario"].split(":")
            guard = rest[0] if rest else "spec"
            if guard != "spec":
                raise Failure("an ECS task is rehearsed with the spec's guard only")
            try:
                report["scenarios"].append(self.scenario(name, dep, int(clients), port, paths, guard))
            finally:
                drop_all_quietly()
        return report

    def inject(self, fault, on):
        """One of `chaoslab rehearse`'s local faults (src/catalog/rehearsal.rs names them), put
        on or taken off as the stand-in FIS starts and ends an experiment."""
        kind = fault["kind"]
        if kind == "nothing":
            return
        if kind == "drop":
            drop(fault["dependency"], on)
        elif kind == "loss":
            lose([fault["dependency"]], fault["percent"], on)
        elif kind == "latency":
            if not self.proxy:
                raise Failure(f"the delay proxy does not cover {fault['dependency']}")
            self.proxy.delay([fault["dependency"]], fault["millis"] / 1000 if on else 0.0)
        elif kind == "restart-database":
            # A reboot is an event: the database goes down as the experiment starts and comes
            # back DB_DOWN seconds later, in the background (FIS's calls are answered
            # meanwhile, its lock is not held); nothing to lift at the end.
            if on:
                self.db_restart = threading.Thread(target=self.restart_postgres, args=(DB_DOWN,),
                                                   daemon=True)
                self.db_restart.start()
        else:
            raise Failure(f"no local fault `{kind}`")
        log(f"fault {'on' if on else 'off'}: {fault}")

    def exec(self, inst, script, paths, step):
        """Runs a command in the namespace beside the app (e.g. `chaoslab probe` or
        `chaoslab verify`), with the scheduled faults, the FIS stand-in and signals; the
        step's keys are the --exec options'. Afterwards the faults are lifted, FIS is gone and
        the app runs with the spec's guard again, ready for the next step."""
        a = self.args
        guard = step.get("exec_guard", "spec")
        if inst is not None:
            self.use_guard(inst, script, guard)
        fis = FisStandIn(self.tree, step.get("fis_seconds", a.fis_seconds), self.plan, self.inject)
        try:
            return self.run_exec(step, fis)
        finally:
            fis.close()
            drop_all_quietly()
            if self.proxy:
                self.proxy.delay(list(self.proxy.delays), 0.0)
            if getattr(self, "db_restart", None):
                self.db_restart.join(90)
            self.after_step(guard)

    def run_exec(self, step, fis):
        a = self.args
        command = step["exec"]
        env = {**os.environ, "AWS_ENDPOINT_URL_FIS": f"http://{FIS_ADDR}:4567",
               "AWS_ENDPOINT_URL_CLOUDWATCH": f"http://{CLOUDWATCH_ADDR}:{MOTO_PORT}",
               "AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "testing",
               "AWS_SECRET_ACCESS_KEY": "testing", "AWS_EC2_METADATA_DISABLED": "true",
               "REHEARSE_APP_URL": f"http://127.0.0.1:{self.port}"}
        mine = ("AWS_ENDPOINT_URL_FIS", "AWS_ENDPOINT_URL_CLOUDWATCH")
        for k in [k for k in env if k.startswith("AWS_ENDPOINT_URL_") and k not in mine]:
            env.pop(k)
        timers = []
        for spec in step.get("fault_at", []):
            dep, start, seconds = spec.split(":")
            timers.append(threading.Timer(float(start), drop, (dep, True)))
            timers.append(threading.Timer(float(start) + float(seconds), drop, (dep, False)))
        log(f"exec: {' '.join(command)}")
        started = time.monotonic()
        # Passed through, the command's output reaches the user as it goes (`chaoslab
        # rehearse` prints each verify table as it ends); else it is kept for the report.
        pipe = None if a.exec_passthrough else subprocess.PIPE
        proc = subprocess.Popen(command, env=env, stdout=pipe, stderr=pipe,
                                text=True, start_new_session=True)
        self.procs.append(proc)
        for t in timers:
            t.start()
        if step.get("exec_signal"):
            sig, after = step["exec_signal"].split(":")
            timers.append(threading.Timer(float(after), os.kill, (proc.pid, getattr(signal, "SIG" + sig))))
            timers[-1].start()
        try:
            out, err = proc.communicate(timeout=step.get("exec_timeout", a.exec_timeout))
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, err = proc.communicate()
        for t in timers:
            t.cancel()
        if not a.exec_passthrough:
            print(out, end="")
            print(err, end="", file=sys.stderr)
        return {"exit": proc.returncode, "seconds": round(time.monotonic() - started, 1),
                "stdout": out, "stderr": err, "fis_calls": fis.calls,
                "experiments": {k: {"status": v["status"], "template": v["template"]}
                                for k, v in fis.experiments.items()}}
