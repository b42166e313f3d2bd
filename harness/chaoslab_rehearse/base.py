"""What every part of the rehearsal shares: where things live on the namespace's loopback,
the tools directory, and how a failure of the environment is reported."""

import os
import subprocess
import sys
from pathlib import Path

# The rehearsal's tools (the venv with moto, hcl2 and boto3; the wheel mirror): passed in by
# whoever runs the package (scripts/rehearse: <repo>/.tools/rehearse), so the package does not
# depend on where it is kept.
TOOLS = Path(os.environ.get("CHAOSLAB_REHEARSE_TOOLS") or "/nonexistent/CHAOSLAB_REHEARSE_TOOLS")
VENV_PY = TOOLS / "venv" / "bin" / "python"
WHEELS = TOOLS / "wheels"
# The directory that holds this package: what `python -m chaoslab_rehearse` needs on its path.
PACKAGE_PARENT = Path(__file__).resolve().parent.parent
ACCOUNT = "123456789012"  # moto's default account


# An unprivileged rehearsal (namespace.outside_unprivileged sets it for the inner run): root in
# namespaces of its own, where no other user exists (PostgreSQL, which refuses to run as root,
# gets a nested namespace; the app runs as this root).
USERNS = os.environ.get("CHAOSLAB_REHEARSE_USERNS") == "1"
MOTO_PORT = 4566
APP = ("127.0.0.1", None)  # port comes from the unit
# Where each dependency lives on the namespace's loopback.
ADDRESSES = {
    "dynamodb": ["127.0.10.1"],
    "s3": [f"127.0.20.{i}" for i in range(1, 9)],
    "secretsmanager": ["127.0.30.1"],
    "aurora": ["127.0.40.1"],
    "sqs": ["127.0.50.1"],
}
NAMES = {
    "dynamodb": "dynamodb.rehearsal.test",
    "s3": "s3.rehearsal.test",
    "secretsmanager": "secretsmanager.rehearsal.test",
    "aurora": "aurora.rehearsal.test",
    "sqs": "sqs.rehearsal.test",
}
ENDPOINTS = ["products", "reviews", "promo", "health"]
# Which dependency serves which endpoint (the lab's own mapping; see app.py).
SERVED_BY = {"products": "aurora", "reviews": "dynamodb", "promo": "s3", "health": None}


class Failure(Exception):
    """An environment or input problem: printed, exit 2."""


def log(msg):
    print(f"rehearse: {msg}", file=sys.stderr, flush=True)


def run(cmd, **kw):
    kw.setdefault("check", True)
    kw.setdefault("capture_output", True)
    kw.setdefault("text", True)
    try:
        return subprocess.run(cmd, **kw)
    except subprocess.CalledProcessError as e:
        raise Failure(f"{' '.join(map(str, cmd))} failed: {e.stderr or e.stdout}") from None


def python_m(python, argv):
    """The command and environment that run this package under `python`."""
    path = os.environ.get("PYTHONPATH")
    env = {**os.environ,
           "PYTHONPATH": str(PACKAGE_PARENT) + (os.pathsep + path if path else "")}
    return [str(python), "-m", "chaoslab_rehearse"] + list(argv), env
