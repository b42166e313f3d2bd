"""The network namespace's lifetime: outside it, the wheel mirror, the namespace made, the
inner run started in it and everything removed at the end (also on Ctrl-C or SIGTERM);
inside it, the rehearsal run and its report written."""

import fcntl
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .base import VENV_PY, WHEELS, Failure, log, python_m, run
from .scenarios import Rehearsal

def mirror_wheels(lab):
    """The bootstrap's own requirement lines, downloaded (hash-checked) before the namespace
    cuts the network, for pip's --find-links: the instance installs the very same files."""
    task_requirements = Path(lab) / "app" / "requirements.txt"
    if task_requirements.exists():
        lines = task_requirements.read_text(encoding="utf-8")
    else:
        text = (Path(lab) / "templates" / "user_data.sh.tftpl").read_text(encoding="utf-8")
        m = re.search(r"<<'REQ'\n(.*?)\nREQ\n", text, re.S)
        if not m:
            raise Failure("the bootstrap has no requirements heredoc")
        lines = m.group(1) + "\n"
    WHEELS.mkdir(parents=True, exist_ok=True)
    # Rehearsals may run side by side: one fills the mirror at a time (released on exit).
    lock = open(WHEELS / ".lock", "w")
    fcntl.flock(lock, fcntl.LOCK_EX)
    req = Path(tempfile.mkstemp(dir=WHEELS, prefix="requirements-", suffix=".txt")[1])
    req.write_text(lines)
    # For the stand-ins' own interpreter and machine: the app runs on it (app.py's python3.12).
    pip = [str(VENV_PY), "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
           "--require-hashes", "--only-binary", ":all:",
           "-d", str(WHEELS), "-r", str(req)]
    # Mirrored by an earlier run (the usual case): the files checked against the hashes
    # without asking the index; anything missing is downloaded.
    offline = pip + ["--no-index", "--find-links", str(WHEELS)]
    try:
        if subprocess.run(offline, capture_output=True).returncode != 0:
            run(pip)
    finally:
        req.unlink()
        lock.close()


def outside(argv, args):
    try:
        mirror_wheels(args.lab)
    except Failure as e:
        print(f"rehearse: {e}", file=sys.stderr)
        return 2
    if os.geteuid() != 0:
        print("rehearse: needs root (network namespace, iptables, overlay mounts)", file=sys.stderr)
        return 3
    ns = f"chaoslab-rh-{os.getpid()}"
    if subprocess.run(["ip", "netns", "add", ns], capture_output=True).returncode != 0:
        print("rehearse: this machine cannot create a network namespace", file=sys.stderr)
        return 3
    work = tempfile.mkdtemp(prefix="chaoslab-rehearse-")
    os.chmod(work, 0o755)
    child = None

    def stop(signum, _frame):
        raise KeyboardInterrupt(signum)

    signal.signal(signal.SIGTERM, stop)
    try:
        run(["ip", "-n", ns, "link", "set", "lo", "up"])
        cmd, env = python_m(sys.executable, ["--inside", work] + argv)
        child = subprocess.Popen(["ip", "netns", "exec", ns] + cmd, env=env, start_new_session=True)
        return child.wait()
    except KeyboardInterrupt:
        print("rehearse: interrupted; cleaning up", file=sys.stderr)
        return 130
    finally:
        if child and child.poll() is None:
            os.killpg(child.pid, signal.SIGTERM)
            try:
                child.wait(20)
            except subprocess.TimeoutExpired:
                pass
        # Whatever is still in the namespace was started by this run: end it.
        for _ in range(3):
            pids = subprocess.run(["ip", "netns", "pids", ns], capture_output=True, text=True).stdout.split()
            if not pids:
                break
            for pid in pids:
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.5)
        subprocess.run(["ip", "netns", "del", ns], capture_output=True)
        if not os.environ.get("REHEARSE_KEEP"):
            shutil.rmtree(work, ignore_errors=True)
        else:
            log(f"kept {work}")


def inside(args, on_scenario=None):
    r = Rehearsal(args, args.inside, on_scenario)

    def stop(signum, _frame):
        raise KeyboardInterrupt(signum)

    signal.signal(signal.SIGTERM, stop)
    try:
        report = r.main()
    except Failure as e:
        print(f"rehearse: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    finally:
        r.cleanup()
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2) + "\n")
    return 0
