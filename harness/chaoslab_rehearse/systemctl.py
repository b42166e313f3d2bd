#!/usr/bin/env python3
"""systemctl, as far as the Chaos Shop bootstrap uses it, for scripts/rehearse.

    rehearse-systemctl PIDFILE LOGFILE daemon-reload
    rehearse-systemctl PIDFILE LOGFILE enable --now UNIT | start UNIT

Starts the unit's ExecStart= exactly as written, as its User= in its WorkingDirectory=, with
the environment systemd would give it (PATH and LANG) plus the instance's AWS settings (the
rehearsal's stand-ins for the instance role and the endpoints), in its own session so the
rehearsal can stop it by its PID. Restart= is not modelled, nor User= in an unprivileged
rehearsal (a user namespace where no other user exists: the unit runs as its root).
"""
import os
import shlex
import subprocess
import sys

pidfile, logfile, *args = sys.argv[1:]
verbs = [a for a in args if not a.startswith("-")]
if not verbs or verbs[0] == "daemon-reload":
    sys.exit(0)
if verbs[0] not in ("enable", "start") or len(verbs) != 2:
    sys.exit(f"rehearse-systemctl: unsupported: systemctl {' '.join(args)}")
if verbs[0] == "enable" and "--now" not in args:
    sys.exit(0)
unit = verbs[1] if verbs[1].endswith(".service") else verbs[1] + ".service"
service = {}
with open(f"/etc/systemd/system/{unit}", encoding="utf-8") as f:
    section = None
    for line in f:
        line = line.strip()
        if line.startswith("["):
            section = line
        elif section == "[Service]" and "=" in line:
            key, value = line.split("=", 1)
            service[key] = value
# In an unprivileged rehearsal (the harness's shim says so) only the namespace's root exists.
own_namespace = os.environ.get("CHAOSLAB_REHEARSE_USERNS") == "1"
env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8"}
env.update({k: v for k, v in os.environ.items() if k.startswith("AWS_")})
log = open(logfile, "a")
proc = subprocess.Popen(
    shlex.split(service["ExecStart"]),
    cwd=service.get("WorkingDirectory", "/"),
    user=None if own_namespace else service.get("User"),
    env=env,
    stdin=subprocess.DEVNULL,
    stdout=log,
    stderr=log,
    start_new_session=True,
)
with open(pidfile, "w") as f:
    f.write(str(proc.pid))
