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
        return outside_unprivileged(argv)
    ns = f"chaoslab-rh-{os.getpid()}"
    if subprocess.run(["ip", "netns", "add", ns], capture_output=True).returncode != 0:
        print("rehearse: this machine cannot create a network namespace", file=sys.stderr)
        return 3

    def gone():
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

    return run_inner(["ip", "netns", "exec", ns], argv, gone,
                     before=lambda: run(["ip", "-n", ns, "link", "set", "lo", "up"]))


# A user namespace where this user is root, with network, mount and PID namespaces of its own:
# what an unprivileged user may create where the kernel allows it. The PID namespace ends
# everything started inside when its first process ends (--kill-child ends that one with
# unshare).
USERNS = ["unshare", "--user", "--map-root-user", "--net", "--mount", "--pid", "--fork",
          "--kill-child"]


def outside_unprivileged(argv):
    """The rehearsal without root: in namespaces this user may create, if the kernel lets it."""
    tried = subprocess.run(USERNS + ["true"], capture_output=True, text=True)
    if tried.returncode != 0:
        print("rehearse: not root, and this machine does not let an unprivileged user create user "
              f"and network namespaces ({tried.stderr.strip() or tried.returncode}): run it as root, "
              "or allow them (sysctl kernel.unprivileged_userns_clone=1; on Ubuntu also "
              "kernel.apparmor_restrict_unprivileged_userns=0)", file=sys.stderr)
        return 3
    # Ending unshare ends its PID namespace, and everything in it. The shell stays its first
    # process (no exec): it reaps what is orphaned in there, as an init does, while it waits.
    return run_inner(USERNS + ["env", "CHAOSLAB_REHEARSE_USERNS=1", "sh", "-c",
                               'ip link set lo up && "$@"', "sh"], argv, lambda: None)


def run_inner(enter, argv, cleanup, before=lambda: None):
    """The inner run in a fresh work folder, through `enter` (the command that puts it in its
    namespaces); Ctrl-C or SIGTERM end it; then `cleanup`, and the folder is removed."""
    work = tempfile.mkdtemp(prefix="chaoslab-rehearse-")
    os.chmod(work, 0o755)
    child = None

    def stop(signum, _frame):
        raise KeyboardInterrupt(signum)

    signal.signal(signal.SIGTERM, stop)
    try:
        before()
        cmd, env = python_m(sys.executable, ["--inside", work] + argv)
        child = subprocess.Popen(enter + cmd, env=env, start_new_session=True)
        return child.wait()
    except KeyboardInterrupt:
        print("rehearse: interrupted; cleaning up", file=sys.stderr)
        return 130
    finally:
        end_child(child)
        cleanup()
        remove(work)


def end_child(child):
    """Asks the inner run to end (it stops what it started), then ends its process group."""
    if child and child.poll() is None:
        os.killpg(child.pid, signal.SIGTERM)
        try:
            child.wait(20)
        except subprocess.TimeoutExpired:
            # Still there after 20 s: its group is ended (its pid not yet reaped, so not reused).
            try:
                os.killpg(child.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            child.wait()


def remove(work):
    if os.environ.get("REHEARSE_KEEP"):
        log(f"kept {work}")
        return
    # overlayfs leaves its work folders mode 000: without root they must be opened first.
    for parent, dirs, _ in os.walk(work):
        for d in dirs:
            path = os.path.join(parent, d)
            if not os.path.islink(path):
                try:
                    os.chmod(path, 0o700)
                except OSError:
                    pass
    shutil.rmtree(work, ignore_errors=True)


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
