"""Boots one Chaos Shop task on Fargate: the same app as on an instance, with no image build.

The task runs the public python:3.12-slim image. Terraform hands this program the app
(gzipped, base64), its locked requirements and its config in environment variables of the
task definition; it writes them where the app expects them, installs the requirements
(pinned and hash-checked, wheels only), seeds the catalog in the background (30 attempts 10 s
apart, as the instance bootstrap does) and then becomes Gunicorn. Nothing of the
lab spec is in this file: every value arrives through the environment.
"""
import base64
import gzip
import os
import subprocess
import sys

APP_DIR = "/opt/chaos-shop"
CONFIG_DIR = "/etc/chaos-shop"


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def main():
    env = os.environ
    os.makedirs(APP_DIR, exist_ok=True)
    os.makedirs(CONFIG_DIR, exist_ok=True)
    write(f"{CONFIG_DIR}/config.json", env["CHAOS_SHOP_CONFIG"].encode())
    write(f"{APP_DIR}/app.py", gzip.decompress(base64.b64decode(env["CHAOS_SHOP_APP"])))
    write(f"{APP_DIR}/requirements.txt", env["CHAOS_SHOP_REQUIREMENTS"].encode())
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-cache-dir",
         "--root-user-action=ignore", "--require-hashes", "--only-binary", ":all:",
         "-r", f"{APP_DIR}/requirements.txt"],
        check=True,
    )
    # Serve first (/health needs nothing); the seed retries while the writer starts.
    seed = (
        "for attempt in $(seq 1 30); do "
        f"{sys.executable} app.py init-db && exit 0; "
        "if [ $attempt -lt 30 ]; then "
        "echo \"init-db attempt $attempt of 30 failed; retrying in 10 s\" >&2; sleep 10; "
        "else echo \"init-db attempt $attempt of 30 failed\" >&2; fi; "
        "done; echo 'init-db: the catalog database never answered' >&2; exit 1"
    )
    subprocess.Popen(["sh", "-c", seed], cwd=APP_DIR)
    os.chdir(APP_DIR)
    os.execv(sys.executable, [
        sys.executable, "-m", "gunicorn", "--worker-class", "gthread",
        "--workers", env["CHAOS_SHOP_WORKERS"], "--threads", env["CHAOS_SHOP_THREADS"],
        "--timeout", "30", "--no-control-socket", "--user", "nobody", "--group", "nogroup",
        "--bind", f"0.0.0.0:{env['CHAOS_SHOP_PORT']}", "app:app",
    ])


if __name__ == "__main__":
    main()
