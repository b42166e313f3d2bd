"""FIS, stood in for on the namespace's loopback."""

import json
import re
import threading
import time

from .faults import drop


# Where the stand-in FIS listens: an address of its own, so no fault on a dependency's
# addresses (base.ADDRESSES) can cut verify off from it.
FIS_ADDR = "127.0.70.1"
# Where verify reaches moto's CloudWatch for its pre-flight (moto listens on every address of
# the namespace's loopback): an address no fault drops either.
CLOUDWATCH_ADDR = "127.0.70.2"


def scope_faults(tree):
    """Without a plan: each template's network fault, its `scope` dropped (the suite's own
    use: `chaoslab verify` against the reference lab)."""
    out = {}
    for name, body in tree.of_type("aws_fis_experiment_template").items():
        params = {tree.value(p["key"]): tree.value(p["value"])
                  for a in body["action"] for p in a.get("parameter", [])}
        scope = params.get("scope")
        out[name] = [{"kind": "drop", "dependency": scope}] if scope else []
    return out


def stop_alarms(tree):
    """Each template's stop-condition alarms, by name (the alarm resources its
    `stop_condition` blocks name): the stand-in answers them in GetExperimentTemplate, and
    `Standins.seed` puts them in moto's CloudWatch for the pre-flight to read."""
    out = {}
    for name, body in tree.of_type("aws_fis_experiment_template").items():
        names = []
        for c in body.get("stop_condition", []):
            m = re.fullmatch(r"\$\{(aws_cloudwatch_metric_alarm\.[A-Za-z0-9_-]+)\.arn\}",
                             str(c.get("value", "")))
            if m:
                names.append(tree.ref(f"{m[1]}.alarm_name"))
        out[name] = names
    return out


def drop_only(fault, on):
    if fault["kind"] != "drop":
        raise ValueError(f"no injector for {fault['kind']}")
    drop(fault["dependency"], on)

class FisStandIn:
    """The three FIS calls `chaoslab verify` makes (StartExperiment, GetExperiment,
    StopExperiment, REST-JSON as the AWS API has them), on the namespace's loopback. Starting
    an experiment from one of the tree's templates puts its network fault on (the template's
    `scope`) for `seconds`, unless actionsMode is skip-all; stopping it lifts the fault."""

    def __init__(self, tree, seconds, plan=None, inject=drop_only):
        """`plan`: `chaoslab rehearse`'s, each experiment's template and its local faults
        (`kind` drop, latency, loss, restart-database or nothing), which `inject(fault, on)`
        puts on and takes off; without one, each template's `scope` is dropped."""
        import http.server

        if plan is None:
            self.templates = scope_faults(tree)
        else:
            self.templates = {p["template"]: p["faults"] for p in plan["experiments"]}
        # ListActions: what this stand-in Region offers, the actions of the tree's templates.
        self.offered = sorted({tree.value(a["action_id"])
                               for body in tree.of_type("aws_fis_experiment_template").values()
                               for a in body["action"]})
        self.alarms = stop_alarms(tree)
        self.actions = {name: sorted({tree.value(a["action_id"]) for a in body["action"]})
                        for name, body in tree.of_type("aws_fis_experiment_template").items()}
        self.inject = inject
        self.seconds = seconds
        self.calls, self.experiments, self.lock = [], {}, threading.Lock()
        standin = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def reply(self, code, body, error=None):
                data = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                if error:
                    self.send_header("x-amzn-ErrorType", error)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def answer(self, call):
                # Every request gets an answer, as the API gives one: a stand-in that fails
                # says so with a 500 instead of leaving the caller to its timeout.
                try:
                    code, out, err = call()
                except Exception as error:  # noqa: BLE001
                    code, out, err = 500, {"message": f"stand-in FIS: {error}"}, "InternalError"
                self.reply(code, out, err)

            def do_POST(self):
                def start():
                    size = int(self.headers.get("Content-Length", 0))
                    return standin.start(json.loads(self.rfile.read(size) or b"{}"))
                self.answer(start)

            def do_GET(self):
                if self.path.startswith("/safetyLevers/"):
                    self.answer(standin.safety_lever)
                    return
                if self.path.split("?")[0] == "/actions":
                    self.answer(standin.list_actions)
                    return
                if self.path.startswith("/experimentTemplates/"):
                    self.answer(lambda: standin.get_template(self.path.rsplit("/", 1)[-1]))
                    return
                self.answer(lambda: standin.get(self.path.rsplit("/", 1)[-1]))

            def do_DELETE(self):
                self.answer(lambda: standin.stop(self.path.rsplit("/", 1)[-1]))

        self.server = http.server.ThreadingHTTPServer((FIS_ADDR, 4567), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def list_actions(self):
        with self.lock:
            self.calls.append({"call": "ListActions"})
        return 200, {"actions": [{"id": a, "description": "stand-in"} for a in self.offered]}, None

    def get_template(self, tid):
        """GetExperimentTemplate: the template's actions and its stop-condition alarms (ARNs
        in the stand-in account); its targets are not stood in for (they name resources that
        exist only after apply)."""
        with self.lock:
            self.calls.append({"call": "GetExperimentTemplate", "id": tid})
        if tid not in self.actions:
            return 404, {"message": f"template {tid} not found"}, "ResourceNotFoundException"
        stops = [{"source": "aws:cloudwatch:alarm",
                  "value": f"arn:aws:cloudwatch:us-east-1:123456789012:alarm:{n}"}
                 for n in self.alarms.get(tid, [])] or [{"source": "none"}]
        actions = {f"action-{i}": {"actionId": a} for i, a in enumerate(self.actions[tid])}
        return 200, {"experimentTemplate": {"id": tid, "actions": actions,
                                            "stopConditions": stops, "targets": {}}}, None

    def safety_lever(self):
        """GetSafetyLever: the account's one lever per Region, `default`, disengaged here."""
        with self.lock:
            self.calls.append({"call": "GetSafetyLever"})
        return 200, {"safetyLever": {"id": "default",
                                     "arn": "arn:aws:fis:us-east-1:123456789012:safety-lever/default",
                                     "state": {"status": "disengaged", "reason": "stand-in"}}}, None

    def view(self, e):
        return {"experiment": {"id": e["id"], "experimentTemplateId": e["template"],
                               "state": {"status": e["status"], "reason": e["reason"]}}}

    def start(self, body):
        template = body.get("experimentTemplateId")
        skip = (body.get("experimentOptions") or {}).get("actionsMode") == "skip-all"
        with self.lock:
            self.calls.append({"call": "StartExperiment", "template": template,
                               "client_token": body.get("clientToken"), "skip_all": skip})
            if template not in self.templates:
                return 404, {"message": f"template {template} not found"}, "ResourceNotFoundException"
            eid = f"EXP{len(self.experiments) + 1:04d}"
            e = {"id": eid, "template": template, "status": "initiating", "reason": None,
                 "faults": [] if skip else self.templates[template]}
            self.experiments[eid] = e
        threading.Thread(target=self.lifecycle, args=(e,), daemon=True).start()
        return 200, self.view(e), None

    def lifecycle(self, e):
        time.sleep(0.5)
        with self.lock:
            if e["status"] != "initiating":
                return
            e["status"] = "running"
            if not self.apply(e, True):
                return
        end = time.monotonic() + self.seconds
        while time.monotonic() < end:
            time.sleep(0.1)
            with self.lock:
                if e["status"] != "running":
                    return
        with self.lock:
            if e["status"] == "running" and self.apply(e, False):
                e["status"], e["reason"] = "completed", "Experiment completed."

    def apply(self, e, on):
        """Puts the experiment's faults on, or takes off those it put on (in reverse order).
        A fault that cannot be put on fails the experiment, as FIS fails an action, after
        taking off the others; one that cannot be taken off is named in the reason."""
        e.setdefault("applied", [])
        errors = []
        if on:
            for fault in e["faults"]:
                try:
                    self.inject(fault, True)
                except Exception as error:  # noqa: BLE001 - any failure fails the experiment
                    errors.append(f"{fault['kind']}: {error}")
                    on = False
                    break
                e["applied"].append(fault)
        if not on:
            while e["applied"]:
                fault = e["applied"].pop()
                try:
                    self.inject(fault, False)
                except Exception as error:  # noqa: BLE001
                    errors.append(f"lifting {fault['kind']}: {error}")
        e.setdefault("injected", []).append({"on": on, "at": round(time.monotonic(), 3),
                                             "errors": errors})
        if errors:
            e["status"], e["reason"] = "failed", "; ".join(errors)
        return not errors

    def get(self, eid):
        with self.lock:
            self.calls.append({"call": "GetExperiment", "id": eid})
            e = self.experiments.get(eid)
            if not e:
                return 404, {"message": "not found"}, "ResourceNotFoundException"
            return 200, self.view(e), None

    def stop(self, eid):
        with self.lock:
            self.calls.append({"call": "StopExperiment", "id": eid})
            e = self.experiments.get(eid)
            if not e:
                return 404, {"message": "not found"}, "ResourceNotFoundException"
            if e["status"] in ("initiating", "running"):
                lifted = e["status"] != "running" or self.apply(e, False)
                if lifted:
                    e["status"], e["reason"] = "stopped", "Experiment stopped by user."
            return 200, self.view(e), None

    def close(self):
        """Stops serving (freeing the address for the next step's stand-in) and ends every
        experiment still going, so none puts its fault on or lifts it later; the caller lifts
        the faults (drop_all_quietly)."""
        self.server.shutdown()
        self.server.server_close()
        with self.lock:
            for e in self.experiments.values():
                if e["status"] in ("initiating", "running"):
                    e["status"], e["reason"] = "stopped", "The rehearsal step ended."
