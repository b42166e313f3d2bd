"""The app, booted as the tree boots it: the EC2 bootstrap (user data rendered by Terraform's
templatefile, run as cloud-init would) or the ECS task's container command."""

import base64
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .base import ADDRESSES, MOTO_PORT, NAMES, USERNS, WHEELS, Failure, log, run
from .traffic import request
from .tree import hcl_call_after, terraform

# systemctl as far as the bootstrap uses it (run by the instance's Python, beside this file).
SYSTEMCTL = Path(__file__).resolve().parent / "systemctl.py"


class AppHost:
    """Part of the Rehearsal: needs self.args, self.work, self.procs, self.tree, self.buckets,
    self.app_pid_file and self.proxy."""

    def app_config(self, guard_override):
        cfg = self.tree.value(self.tree.locals["app_config"])
        if guard_override == "none":
            cfg["guard"] = None
        if guard_override == "plain":
            # The same guarded app without Article 4's fallbacks: the counterfactual they
            # are judged against.
            cfg.pop("cache_table", None)
            cfg.pop("orders_queue_url", None)
        return cfg

    # the instance
    def render_bootstrap(self, cfg):
        tf = terraform()
        d = Path(tempfile.mkdtemp(dir=self.work, prefix="render-"))
        shutil.copy(self.tree.dir / "templates" / "user_data.sh.tftpl", d / "t.tftpl")
        (d / "config.json").write_text(json.dumps(cfg))
        expr = 'base64encode(templatefile("t.tftpl", { config = jsonencode(jsondecode(file("config.json"))) }))'
        out = run([tf, "console"], input=expr + "\n", cwd=d,
                  env={**os.environ, "TF_CLI_CONFIG_FILE": "/dev/null"}).stdout.strip()
        script = base64.b64decode(json.loads(out)).decode("utf-8")
        return script

    def task_container(self, cfg):
        """The app container of the task definition: its `container_definitions`, evaluated
        by the real Terraform binary beside the tree's app/ files. References to what only
        apply knows (the log group, the agent role) become stand-in strings."""
        text = (self.tree.dir / "ecs.tf").read_text(encoding="utf-8")
        expr = hcl_call_after(text, "container_definitions = ")
        expr = expr.replace("var.aws_region", '"us-east-1"')
        expr = re.sub(r"\baws_[a-z0-9_]+\.[a-z0-9_]+\.[a-z_]+\b", lambda m: f'"stand-in:{m.group(0)}"', expr)
        d = Path(tempfile.mkdtemp(dir=self.work, prefix="task-"))
        shutil.copytree(self.tree.dir / "app", d / "app")
        (d / "config.json").write_text(json.dumps(cfg))
        # A module of locals only, which console evaluates without providers or init.
        (d / "main.tf").write_text(
            f'locals {{\n  app_config = jsondecode(file("config.json"))\n  defs = {expr}\n}}\n')
        out = run([terraform(), "console"], input="base64encode(local.defs)\n", cwd=d,
                  env={**os.environ, "TF_CLI_CONFIG_FILE": "/dev/null"}).stdout.strip()
        containers = json.loads(base64.b64decode(json.loads(out)))
        app = next((c for c in containers if c.get("essential")), None)
        if not app:
            raise Failure("the task definition has no essential container")
        return app

    def boot_task(self, container, env, name):
        """Lays out a task like an instance (overlays, /etc/hosts) and runs the app
        container's command as root with its environment; it serves until stopped."""
        inst = self.work / name
        for d in ("etc-up", "etc-work", "opt-up", "opt-work", "shims"):
            (inst / d).mkdir(parents=True)
        self.write_hosts(inst)
        shims = inst / "shims"
        # The image's python, writable as the image's is: a virtualenv made on first use, of
        # the stand-ins' own CPython (the Python the wheel mirror was filled for).
        (shims / "python").write_text(
            f"#!/bin/sh\n[ -x /opt/python-image/bin/python ] || {shlex.quote(sys._base_executable)} -m venv /opt/python-image\n"
            'exec /opt/python-image/bin/python "$@"\n')
        (shims / "sleep").write_text("#!/bin/sh\nexec /bin/sleep 0.2\n")
        for f in shims.iterdir():
            f.chmod(0o755)
        (inst / "app.log").symlink_to(inst / "boot.log")
        task_env = {e["name"]: e["value"] for e in container.get("environment", [])}
        self.current_inst = inst
        proc = self.in_instance(inst, container["command"], {**task_env, **env})
        self.app_pid_file.write_text(str(proc.pid))
        return proc, inst

    def write_hosts(self, inst):
        hosts = ["127.0.0.1 localhost"]
        for dep, addrs in ADDRESSES.items():
            n = self.args.s3_addresses if dep == "s3" else len(addrs)
            names = [NAMES[dep]]
            if dep == "s3":
                names += [f"{b}.{NAMES['s3']}" for b in self.buckets]
            hosts += [f"{a} {' '.join(names)}" for a in addrs[:n]]
        (inst / "etc-up" / "hosts").write_text("\n".join(hosts) + "\n")
        if USERNS:
            self.writable_etc(inst / "etc-up")

    @staticmethod
    def writable_etc(up):
        """In a user namespace the machine's root is no user, and overlayfs cannot copy up what
        it owns: what the bootstrap changes in /etc (useradd's files, their backups and lock,
        systemd's unit folder) starts in the upper layer, as this user's. The user files are
        the machine's copies, the shadow files empty (this user may not read the machine's)."""
        for name in ("passwd", "group"):
            for copy in (name, name + "-"):
                shutil.copyfile(f"/etc/{name}", up / copy)
        for name in ("shadow", "shadow-", "gshadow", "gshadow-", ".pwd.lock"):
            (up / name).write_text("")
            (up / name).chmod(0o600)
        (up / "systemd" / "system").mkdir(parents=True)

    def boot(self, script, env, name):
        """Lays out an instance: /etc and /opt overlays over the machine's own (so they stay
        untouched), the name-to-address map in its /etc/hosts, and the stubs for dnf and
        systemctl; then runs the bootstrap as cloud-init would, as root."""
        inst = self.work / name
        for d in ("etc-up", "etc-work", "opt-up", "opt-work", "shims"):
            (inst / d).mkdir(parents=True)
        self.write_hosts(inst)
        (inst / "user_data.sh").write_text(script)
        shims = inst / "shims"
        (shims / "dnf").write_text('#!/bin/sh\necho "dnf (stubbed): $*"\n')
        # AL2023's python3.12 may not be on this machine: the stand-ins' own CPython (3.11 to
        # 3.13, the base of their venv) stands in, the Python the wheel mirror was filled for.
        (shims / "python3.12").write_text(f'#!/bin/sh\nexec {shlex.quote(sys._base_executable)} "$@"\n')
        # The seed loop's 10 s pauses, shortened.
        (shims / "sleep").write_text("#!/bin/sh\nexec /bin/sleep 0.2\n")
        userns = "CHAOSLAB_REHEARSE_USERNS=1 " if USERNS else ""
        (shims / "systemctl").write_text(
            f"#!/bin/sh\n{userns}exec /usr/bin/python3 {SYSTEMCTL} "
            f'{self.app_pid_file} {inst / "app.log"} "$@"\n'
        )
        for f in shims.iterdir():
            f.chmod(0o755)
        self.current_inst = inst
        return self.in_instance(inst, ["/bin/bash", str(inst / "user_data.sh")], env), inst

    def in_instance(self, inst, cmd, env):
        """Runs cmd in a private mount namespace with the instance's overlays mounted."""
        mounts = " && ".join(
            f"mount -t overlay overlay -o lowerdir=/{d},upperdir={inst}/{d}-up,"
            f"workdir={inst}/{d}-work /{d}"
            for d in ("etc", "opt")
        )
        full_env = {"PATH": f"{inst / 'shims'}:/usr/sbin:/usr/bin:/sbin:/bin",
                    "HOME": "/root", "LANG": "C.UTF-8", **env}
        logf = open(inst / "boot.log", "a")
        p = subprocess.Popen(
            ["unshare", "-m", "--propagation", "private", "/bin/sh", "-c",
             f'{mounts} && exec "$@"', "sh"] + cmd,
            env=full_env, stdout=logf, stderr=subprocess.STDOUT, start_new_session=True,
        )
        self.procs.append(p)
        return p

    def app_env(self):
        return {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_ENDPOINT_URL_DYNAMODB": f"http://{NAMES['dynamodb']}:{MOTO_PORT}",
            "AWS_ENDPOINT_URL_S3": f"http://{NAMES['s3']}:{MOTO_PORT}",
            "AWS_ENDPOINT_URL_SECRETS_MANAGER": f"http://{NAMES['secretsmanager']}:{MOTO_PORT}",
            "AWS_ENDPOINT_URL_SQS": f"http://{NAMES['sqs']}:{MOTO_PORT}",
            "PIP_NO_INDEX": "1",
            "PIP_FIND_LINKS": str(WHEELS),
        }

    def stop_app(self):
        """Kills the app's process group at once: nothing in a stand-in instance is worth a
        graceful stop (Gunicorn's waits for hung calls, up to its 30 s graceful timeout)."""
        if not self.app_pid_file.exists():
            return
        pid = int(self.app_pid_file.read_text())
        try:
            os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        end = time.monotonic() + 5
        while time.monotonic() < end:
            try:
                os.killpg(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)
        self.app_pid_file.unlink()

    def restart(self, inst, script, guard):
        """The same app with another config.json: the unit's command started again."""
        self.stop_app()
        cfg = re.search(r"<<'JSON'\n(.*?)\nJSON\n", script, re.S).group(1)
        # No instance process is running, so the overlay is not mounted: edit its upper layer.
        (inst / "etc-up" / "chaos-shop" / "config.json").write_text(cfg + "\n")
        p = self.in_instance(inst, ["systemctl", "start", "chaos-shop"], self.app_env())
        if p.wait(30) != 0:
            raise Failure("could not restart the app")
        self.wait_http(self.port)
        log(f"app restarted with guard={guard}")

    def use_guard(self, inst, script, guard):
        """The app running with `guard` (spec, none or plain) for the next step: restarted
        only when it runs with another, or was left as a step without the spec's guard ended
        (its hung calls may hold every thread)."""
        if self.app_guard == guard:
            return
        if guard != "spec":
            script = self.render_bootstrap(self.app_config(guard))
        self.restart(inst, script, guard)
        self.app_guard = guard

    def after_step(self, guard):
        if guard != "spec":
            self.app_guard = None

    def seed_failure(self, script):
        """The same bootstrap with the catalog database gone: it must fail the boot."""
        self.stop_app()
        for p in self.procs:
            if "postgres" in " ".join(map(str, p.args)):
                os.killpg(p.pid, signal.SIGKILL)
                p.wait(10)
        start = time.monotonic()
        proc, inst = self.boot(script, self.app_env(), "instance-no-db")
        rc = proc.wait(timeout=self.args.boot_timeout)
        self.stop_app()
        text = (inst / "boot.log").read_text(errors="replace")
        return {"exit": rc, "seconds": round(time.monotonic() - start, 1),
                "attempts_failed": len(re.findall(r"init-db attempt \d+ of \d+ failed", text)),
                "retries_announced": len(re.findall(r"retrying in \d+ s", text)),
                "log_tail": text[-400:]}

    def probe_id(self):
        for item_res in self.tree.of_type("aws_dynamodb_table_item").values():
            for key in self.tree.value(item_res["for_each"]):
                return key.split("#")[0]
        return "1"

    def wait_http(self, port, seconds=60):
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            status, *_ = request(port, "/health", 2)
            if status == 200:
                return
            time.sleep(0.2)
        raise Failure(f"the app did not answer /health on port {port} within {seconds} s")

    def cleanup(self):
        """Ends everything this run started, at once: the work directory goes with it, so no
        stand-in needs a clean shutdown (PostgreSQL's would checkpoint, for seconds)."""
        self.stop_app()
        if self.proxy:
            self.proxy.close()
        for p in reversed(self.procs):
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                continue
        for p in reversed(self.procs):
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                pass
