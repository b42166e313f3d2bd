"""The faults, as the kernel and a proxy inject them: packets dropped (all, or a random
share), or what the app sends delayed; and a scenario's fault spec parsed."""

import re
import subprocess
import threading
import time

from .base import ADDRESSES, MOTO_PORT, Failure, run

def drop(dependency, on):
    """Silently drop every packet to the dependency (inside the namespace), or stop dropping.
    In the raw table, which sees the destination before a delay proxy's DNAT rewrites it."""
    for addr in ADDRESSES[dependency]:
        run(["iptables", "-w", "-t", "raw", "-I" if on else "-D", "OUTPUT", "-d", addr, "-j", "DROP"])


def lose(dependencies, percent, on):
    """Drop a random `percent` of the packets to the dependencies, as FIS's packet-loss faults
    do with tc: the kernel loses them, and TCP retransmits."""
    for dep in dependencies:
        for addr in ADDRESSES[dep]:
            run(["iptables", "-w", "-t", "raw", "-I" if on else "-D", "OUTPUT", "-d", addr,
                 "-m", "statistic", "--mode", "random", "--probability", str(percent / 100),
                 "-j", "DROP"])


# Where the delay proxy listens.
PROXY_ADDR = "127.0.60.1"


class DelayProxy:
    """Network latency without netem (this kernel has no sch_netem): every TCP connection
    opened to a dependency's address is sent, by a DNAT rule in the namespace, through this
    proxy (but its own upstream connections, made from its own address), which
    forwards what the app sends after `delay` seconds, as egress latency on the instance's
    interface delays it; the answers come back at once. The rules and listeners are in place
    before the app starts, so pooled connections go through it too; `delay` is 0 outside a
    fault. Unlike netem, the TCP handshake with the proxy is not delayed: a delayed call
    fails on its read timeout instead of its connect budget, after the same 2 s."""

    def __init__(self, dependencies, first_port=4700):
        import socket

        # Seconds each dependency's traffic is held back: one value per dependency, so a fault
        # on one never delays another the same proxy carries.
        self.delays = {dep: 0.0 for dep in dependencies}
        self.stop = threading.Event()
        self.sockets = []
        port = first_port
        for dep in dependencies:
            for addr in ADDRESSES[dep]:
                upstream = (addr, 5432 if dep == "aurora" else MOTO_PORT)
                srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                srv.bind((PROXY_ADDR, port))
                srv.listen(64)
                srv.settimeout(0.5)
                self.sockets.append(srv)
                run(["iptables", "-w", "-t", "nat", "-A", "OUTPUT", "-p", "tcp", "-d", upstream[0],
                     "--dport", str(upstream[1]), "!", "-s", PROXY_ADDR,
                     "-j", "DNAT",
                     "--to-destination", f"{PROXY_ADDR}:{port}"])
                threading.Thread(target=self.accept, args=(srv, upstream, dep), daemon=True).start()
                port += 1

    def delay(self, dependencies, seconds):
        """Holds back what the app sends to each of `dependencies` by `seconds` (0: none)."""
        for dep in dependencies:
            if dep not in self.delays:
                raise Failure(f"the delay proxy does not cover {dep}")
            self.delays[dep] = seconds

    def accept(self, srv, upstream, dep):
        import socket

        while not self.stop.is_set():
            try:
                conn, _ = srv.accept()
            except (socket.timeout, OSError):
                continue
            try:
                # From the proxy's own address, which the DNAT rules leave alone.
                up = socket.create_connection(upstream, timeout=5, source_address=(PROXY_ADDR, 0))
            except OSError:
                conn.close()
                continue
            up.settimeout(None)
            conn.settimeout(None)
            self.sockets += [conn, up]
            self.pump(conn, up, dep)
            self.pump(up, conn, None)

    def pump(self, src, dst, dep):
        """Copies src to dst; what the app sends to `dep` leaves its delay after it came,
        in order (a chunk read during a fault keeps its due time after the fault ends)."""
        import queue
        import socket

        chunks = queue.Queue()

        def read():
            while True:
                try:
                    data = src.recv(65536)
                except OSError:
                    data = b""
                chunks.put((time.monotonic() + (self.delays[dep] if dep else 0.0), data))
                if not data:
                    return

        def write():
            while True:
                due, data = chunks.get()
                wait = due - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
                try:
                    if not data:
                        dst.shutdown(socket.SHUT_WR)
                        return
                    dst.sendall(data)
                except OSError:
                    return

        threading.Thread(target=read, daemon=True).start()
        threading.Thread(target=write, daemon=True).start()

    def close(self):
        self.stop.set()
        for sock in self.sockets:
            try:
                sock.close()
            except OSError:
                pass
        subprocess.run(["iptables", "-w", "-t", "nat", "-F", "OUTPUT"], capture_output=True)


def parse_fault(dependency):
    """`dynamodb` (drop), `dynamodb+latency2500` (ms) or `all+loss7` (percent): the fault of
    a scenario and the dependencies it hits (`all`: every one the app calls)."""
    dep, _, kind = dependency.partition("+")
    deps = list(ADDRESSES) if dep == "all" else [dep]
    for d in deps:
        if d not in ADDRESSES:
            raise Failure(f"unknown dependency {d}")
    m = re.fullmatch(r"(latency|loss)(\d+)", kind) if kind else None
    if kind and not m:
        raise Failure(f"unknown fault {kind} (latencyMS or lossPERCENT)")
    if not m and dep == "all":
        raise Failure("`all` takes a latency or loss fault, not a cut")
    return dep, deps, (m.group(1), int(m.group(2))) if m else ("drop", None)


def drop_all_quietly():
    subprocess.run(["iptables", "-w", "-t", "raw", "-F", "OUTPUT"], capture_output=True)
