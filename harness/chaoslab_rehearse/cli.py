"""The command line: arguments, the printed table, and which side of the namespace runs."""

import argparse
import os
import sys
from pathlib import Path

from . import __doc__ as package_doc
from .base import ENDPOINTS, VENV_PY, python_m
from .namespace import inside, outside
from .scenarios import SUITE

def print_table(r):
    f = r["fault"]
    what = {"drop": f"{r['dependency']} blocked",
            "latency": f"{r['dependency']} delayed {f['amount']} ms",
            "loss": f"{f['amount']} % of the packets to {r['dependency']} lost"}[f["kind"]]
    print(f"\n{r['name']}: {what}, {r['clients']} load clients, "
          f"guard={r['guard']}, S3 resolves to {r['s3_addresses']} address(es)")
    for ph, v in r["phases"].items():
        e = v["endpoints"]
        line = " ".join(f"{ep} ok={e[ep]['probe_ok']}/{e[ep]['probe_failed']}" for ep in ENDPOINTS[:3])
        why = f", ended: {v['ended']}" if "ended" in v else ""
        print(f"  {ph} ({v['seconds']}s of {v.get('cap', v['seconds'])}s{why}): {line}  [probe]")
        for ep in ENDPOINTS:
            x = e[ep]
            rec = f" recovered_after={x['recovered_after']}s" if "recovered_after" in x else ""
            print(f"    {ep:9} all {x['ok']}/{x['failed']} p50={x['p50']}s p99={x['p99']}s "
                  f"max={x['max']}s json503={x['json_503']} {','.join(x['statuses'])}{rec}")
    sys.stdout.flush()


def parse(argv):
    p = argparse.ArgumentParser(prog="rehearse", description=package_doc.split("\n")[0])
    p.add_argument("lab", help="a generated lab directory, e.g. generated/chaos-shop-dependencies")
    p.add_argument("--scenario", action="append", metavar="NAME:FAULT:CLIENTS[:none|:plain]",
                   help="a scenario (default: the suite). FAULT: a dependency (its packets dropped), "
                        "DEP+latencyMS (what the app sends it delayed, e.g. dynamodb+latency2500) or "
                        "DEP+lossPERCENT (packets lost at random); DEP `all` is every dependency. "
                        "`none` runs it with the guard removed, `plain` without the cache and the order queue")
    p.add_argument("--baseline", type=float, default=8,
                   help="at most this many seconds of baseline per scenario (evidence.py ends it sooner)")
    p.add_argument("--fault", type=float, default=15, help="at most this many seconds of fault")
    p.add_argument("--recovery", type=float, default=18, help="at most this many seconds of recovery")
    p.add_argument("--fault-min", type=float, default=6,
                   help="seconds a guarded scenario's fault lasts at least (claims that need longer "
                        "pass their own)")
    p.add_argument("--fault-samples", type=int, default=4,
                   help="answers per endpoint that end a guarded fault phase early (evidence.py)")
    p.add_argument("--fixed-phases", action="store_true",
                   help="every phase lasts its full length (--baseline, --fault, ...): no early end")
    p.add_argument("--counterfactual-fault", type=float, default=30,
                   help="at most this many seconds of fault for a scenario run without the guard")
    p.add_argument("--s3-addresses", type=int, default=8, choices=range(1, 9),
                   help="addresses the S3 name resolves to (S3 answers with several)")
    p.add_argument("--probe-timeout", type=float, default=5.0,
                   help="per-request limit of the probe and load clients (the lab README's)")
    p.add_argument("--think", type=float, default=0.2, help="pause between a load client's requests")
    p.add_argument("--drain-wait", type=float, default=30,
                   help="after recovery, seconds to wait for queued orders to reach the database")
    p.add_argument("--seed-failure", action="store_true",
                   help="also boot once with the database gone (the boot must fail)")
    p.add_argument("--boot-timeout", type=float, default=300)
    p.add_argument("--json", help="write the report here")
    p.add_argument("--exec", nargs=argparse.REMAINDER,
                   help="instead of the suite: run this command in the namespace beside the app "
                        "(app at $REHEARSE_APP_URL; FIS stood in for at AWS_ENDPOINT_URL_FIS)")
    p.add_argument("--fault-at", action="append", default=[], metavar="DEP:START:SECONDS",
                   help="with --exec: drop DEP's packets from START for SECONDS")
    p.add_argument("--fis-seconds", type=float, default=15,
                   help="with --exec: how long a stood-in FIS experiment injects its fault")
    p.add_argument("--exec-signal", metavar="SIG:AFTER", help="with --exec: e.g. INT:12")
    p.add_argument("--exec-guard", default="spec", choices=["spec", "none"],
                   help="with --exec: the app's guard (none: botocore's defaults)")
    p.add_argument("--exec-timeout", type=float, default=600)
    p.add_argument("--exec-passthrough", action="store_true",
                   help="with --exec: the command's output goes straight to ours (not into the report)")
    p.add_argument("--fis-plan", metavar="FILE",
                   help="with --exec: the experiments the stand-in FIS knows and their local faults "
                        "(JSON, as `chaoslab rehearse` writes it); default: each template's scope dropped")
    p.add_argument("--plan", metavar="FILE",
                   help="instead of --scenario and --exec: a JSON list of steps run in order on one "
                        "boot, each {\"scenario\": \"NAME:FAULT:CLIENTS[:GUARD]\"} or {\"name\": N, "
                        "\"exec\": [CMD...], and optionally fault_at, fis_seconds, exec_signal, "
                        "exec_guard, exec_timeout as the --exec options}; exec results under `execs`")
    p.add_argument("--inside", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.plan and (args.exec or args.scenario):
        p.error("--plan takes the place of --scenario and --exec")
    if not args.scenario:
        args.scenario = list(SUITE)
    return args


def main(argv):
    args = parse(argv)
    if args.inside:
        if not VENV_PY.exists():
            print("rehearse: run scripts/install-rehearsal first", file=sys.stderr)
            return 2
        # moto, hcl2 and boto3 live in the rehearsal venv: re-exec there once.
        if not os.environ.get("REHEARSE_VENV"):
            os.environ["REHEARSE_VENV"] = "1"
            cmd, env = python_m(VENV_PY, argv)
            os.execve(str(VENV_PY), cmd, env)
        return inside(args, print_table)
    # The inner run starts elsewhere: hand it absolute paths.
    inner = [str(Path(args.lab).resolve())]
    it = iter(argv)
    for x in it:
        if x == "--exec":
            inner += [x] + list(it)
            break
        if x == args.lab:
            continue
        if x in ("--json", "--plan"):
            inner += [x, str(Path(next(it)).resolve())]
        elif x.startswith("--json=") or x.startswith("--plan="):
            inner.append(x[:7] + str(Path(x[7:]).resolve()))
        else:
            inner.append(x)
    return outside(inner, args)
