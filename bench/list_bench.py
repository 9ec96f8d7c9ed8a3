"""The children list over HTTP under gunicorn, with 1 and with 20 clients, beside /healthz/.

    .venv/bin/python bench/load_children.py        # once: 1,000,000 children into dzw_bench
    .venv/bin/python bench/list_bench.py           # about three minutes

Starts gunicorn on 127.0.0.1 with production settings (DEBUG=false, sessions in
Redis, persistent database connections), logs in through /login/ as the
county-wide and the caseworker bench users, then for each scenario sends
--requests sequential requests from one client and, for --duration seconds,
requests from --clients concurrent clients (keep-alive HTTP/1.1 when the
server allows it). Every response must be a 200 with the expected children in
it; anything else counts as an error. /healthz/ touches no database: its
figures are the ceiling of Django plus gunicorn on this machine, in the same run.

gunicorn runs 4 sync workers by default: the page is CPU-bound Python, so about one process
per core, and two per core so that one can run while the other waits on PostgreSQL or Redis.
Threads (gthread) keep HTTP connections alive, which lifts the /healthz/ ceiling, but they
contend for their process's GIL: the list's throughput was the same and its p99 wider
(bench/README.md compares sync x2, x4 and gthread 2x4, 4x2, 3x4).

CPU columns: milliseconds of CPU per request spent by gunicorn, by PostgreSQL
backends, by this client, and by everything else on the machine (other users
of a shared machine show up there).
"""

import argparse
import http.client
import multiprocessing
import os
import re
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from common import (
    BASE_DIR,
    BENCH_PASSWORD,
    DEFAULT_DATABASE_URL,
    DEFAULT_REDIS_URL,
    bench_environment,
    collect_static,
    scenarios,
    setup_django,
)

TARGETS = {1: {"p99": 50.0}, 20: {"p99": 250.0, "rps": 200.0}}
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)  # seconds
    errors: int = 0
    first_error: str = ""
    seconds: float = 0.0
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds by whom

    def add(self, other: "Result") -> None:
        self.latencies.extend(other.latencies)
        self.errors += other.errors
        self.first_error = self.first_error or other.first_error

    @property
    def requests(self) -> int:
        return len(self.latencies)

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] * 1000 if ordered else 0.0

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


# --- the client ---------------------------------------------------------------------------------


def run_client(port: int, cookie: str, scenario, start: float, stop: float, max_requests: int) -> Result:
    """One client: requests one after the other; only those starting in [start, stop) are counted."""
    result = Result()
    headers = {"Cookie": cookie} if cookie else {}
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    sent = 0
    while sent < max_requests:
        began = time.monotonic()
        if began >= stop:
            break
        try:
            connection.request("GET", scenario.url, headers=headers)
            response = connection.getresponse()
            body = response.read()
            problem = scenario.problem(response.status, body)
        except (OSError, http.client.HTTPException) as error:
            problem = f"{type(error).__name__}: {error}"
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        ended = time.monotonic()
        if began >= start:
            sent += 1
            result.latencies.append(ended - began)
            if problem:
                result.errors += 1
                result.first_error = result.first_error or problem
    connection.close()
    return result


def client_process(port, cookie, scenario, start, stop, threads, max_requests, pipe) -> None:
    results = [Result() for _ in range(threads)]

    def work(index):
        results[index] = run_client(port, cookie, scenario, start, stop, max_requests)

    workers = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    total = Result()
    for result in results:
        total.add(result)
    total.cpu["client"] = sum(os.times()[:2])
    pipe.send(total)
    pipe.close()


def concurrent(port, cookie, scenario, clients, procs, warmup, duration) -> Result:
    """`clients` clients over `procs` processes (the GIL would otherwise make the client the bottleneck)."""
    context = multiprocessing.get_context("fork")
    start = time.monotonic() + 0.3 + warmup
    stop = start + duration
    pipes, processes = [], []
    for index in range(procs):
        threads = clients // procs + (1 if index < clients % procs else 0)
        receive, send = context.Pipe(duplex=False)
        process = context.Process(
            target=client_process, args=(port, cookie, scenario, start, stop, threads, 10**9, send), daemon=True
        )
        process.start()
        pipes.append(receive)
        processes.append(process)
    total = Result()
    client_cpu = 0.0
    for receive, process in zip(pipes, processes, strict=True):
        if not receive.poll(duration + warmup + 30):
            process.terminate()
            raise SystemExit("a client process did not report back")
        part = receive.recv()
        total.add(part)
        client_cpu += part.cpu["client"]
        process.join()
    total.seconds = duration
    total.cpu["client"] = client_cpu
    return total


def sequential(port, cookie, scenario, requests, max_seconds) -> Result:
    began = time.monotonic()
    cpu = sum(os.times()[:2])
    result = run_client(port, cookie, scenario, 0, began + max_seconds, requests)
    result.seconds = time.monotonic() - began
    result.cpu["client"] = sum(os.times()[:2]) - cpu
    return result


# --- CPU accounting -----------------------------------------------------------------------------


def process_cpu(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def machine_busy() -> float:
    """CPU seconds spent (all cores) by anything since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return (sum(values[:8]) - idle) / CLOCK_TICKS


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
            except (FileNotFoundError, ProcessLookupError, IndexError):
                continue
    return found


class CpuMeter:
    """CPU used by gunicorn (master and workers) and by the bench database's backends."""

    def __init__(self, gunicorn_pid: int, database: str):
        self.gunicorn_pid = gunicorn_pid
        self.database = database

    def backends(self) -> list[int]:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [self.database]
            )
            return [row[0] for row in cursor.fetchall()]

    def sample(self) -> dict[str, float]:
        gunicorn = [self.gunicorn_pid, *children_of(self.gunicorn_pid)]
        return {
            "gunicorn": sum(process_cpu(pid) for pid in gunicorn),
            "postgres": sum(process_cpu(pid) for pid in self.backends()),
            "machine": machine_busy(),
        }

    @staticmethod
    def spent(before: dict, after: dict, client: float) -> dict[str, float]:
        spent = {key: after[key] - before[key] for key in before}
        spent["client"] = client
        spent["other"] = max(0.0, spent.pop("machine") - spent["gunicorn"] - spent["postgres"] - client)
        return spent


# --- the server ---------------------------------------------------------------------------------


def start_gunicorn(args, env) -> subprocess.Popen:
    command = [
        str(BASE_DIR / ".venv/bin/gunicorn"),
        "dingzhou_welfare.wsgi",
        "--bind",
        f"127.0.0.1:{args.port}",
        "--workers",
        str(args.workers),
        "--worker-class",
        args.worker_class,
        "--backlog",
        "256",
        "--log-level",
        "warning",
        "--graceful-timeout",
        "5",
    ]
    if args.worker_class == "gthread":
        command += ["--threads", str(args.threads), "--keep-alive", "30"]
    server = subprocess.Popen(command, cwd=args.app_dir, env={**os.environ, **env})
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", args.port, timeout=2)
            connection.request("GET", "/healthz/")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not answer /healthz/ within 30 s")


def stop_gunicorn(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def cookies_from(response) -> dict[str, str]:
    jar = {}
    for header in response.msg.get_all("Set-Cookie") or []:
        name, _sep, rest = header.partition("=")
        jar[name.strip()] = rest.split(";", 1)[0]
    return jar


def log_in(port: int, username: str) -> str:
    """The Cookie header of a fresh session, through the real login form and its CSRF token."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", "/login/")
    response = connection.getresponse()
    page = response.read().decode()
    jar = cookies_from(response)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = urlencode({"username": username, "password": BENCH_PASSWORD, "csrfmiddlewaretoken": token})
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request(
        "POST",
        "/login/",
        body=form,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items()),
        },
    )
    response = connection.getresponse()
    response.read()
    jar.update(cookies_from(response))
    if response.status != 302 or "sessionid" not in jar:
        raise SystemExit(f"login as {username} failed: {response.status}")
    return f"sessionid={jar['sessionid']}"


# --- the run ------------------------------------------------------------------------------------


def measure(args, cookies, meter: CpuMeter, scenario, clients: int) -> Result:
    """One scenario at one concurrency; CPU per request from the meter (scaled to the measured window)."""
    cookie = cookies.get(scenario.user, "")
    if clients == 1:
        run_client(args.port, cookie, scenario, 0, time.monotonic() + args.max_seconds, args.warmup_requests)
        before = meter.sample()
        result = sequential(args.port, cookie, scenario, args.requests, args.max_seconds)
        measured_share = 1.0
    else:
        before = meter.sample()
        result = concurrent(args.port, cookie, scenario, clients, args.client_procs, args.warmup, args.duration)
        # The meter also saw the warm-up: count its share of the requests by time.
        measured_share = args.duration / (args.duration + args.warmup + 0.3)
    after = meter.sample()
    spent = CpuMeter.spent(before, after, result.cpu["client"])
    result.cpu = {key: value * measured_share / max(result.requests, 1) for key, value in spent.items()}
    return result


def row(scenario, clients: int, result: Result, ceiling: Result | None) -> str:
    ratio = f"{result.rps / ceiling.rps:6.1%}" if ceiling and ceiling.rps else "     —"
    cpu = result.cpu
    target = TARGETS.get(clients, {})
    ok = result.errors == 0 and result.percentile(99) < target.get("p99", 1e9) and result.rps >= target.get("rps", 0)
    verdict = "" if scenario.user is None else ("ok" if ok else "MISSED")
    return (
        f"| {scenario.label} | {clients} | {result.requests} | {result.errors} | {result.rps:7.1f} | "
        f"{result.percentile(50):6.1f} | {result.percentile(95):6.1f} | {result.percentile(99):6.1f} | {ratio} | "
        f"{cpu['gunicorn'] * 1000:5.1f} | {cpu['postgres'] * 1000:5.1f} | "
        f"{cpu['client'] * 1000:5.1f} | {cpu['other'] * 1000:5.1f} | {verdict} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL))
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL))
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn processes: two per core")
    parser.add_argument("--worker-class", choices=["sync", "gthread"], default="sync")
    parser.add_argument("--threads", type=int, default=4, help="per worker, gthread only")
    parser.add_argument("--requests", type=int, default=300, help="one client: requests measured")
    parser.add_argument("--warmup-requests", type=int, default=20)
    parser.add_argument("--max-seconds", type=float, default=60.0, help="one client: stop measuring after this")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--client-procs", type=int, default=2)
    parser.add_argument("--duration", type=float, default=10.0, help="concurrent clients: seconds measured")
    parser.add_argument("--warmup", type=float, default=2.0, help="concurrent clients: seconds before measuring")
    parser.add_argument("--only", default="", help="comma-separated scenario keys (healthz always runs)")
    parser.add_argument(
        "--app-dir", type=Path, default=BASE_DIR, help="run the app from this source tree (a git archive of a commit)"
    )
    args = parser.parse_args()

    setup_django(args.database_url, args.redis_url, args.app_dir)
    collect_static()
    from django.db import connection

    chosen = [s for s in scenarios() if not args.only or s.key == "healthz" or s.key in args.only.split(",")]
    env = bench_environment(args.database_url, args.redis_url, args.app_dir)
    database = connection.settings_dict["NAME"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM children_child")
        total = cursor.fetchone()[0]
    load_before = os.getloadavg()
    server = start_gunicorn(args, env)
    try:
        meter = CpuMeter(server.pid, database)
        cookies = {user: log_in(args.port, user) for user in {s.user for s in chosen if s.user}}
        print(
            f"{total:,} children in {database}; gunicorn {args.worker_class} x{args.workers}"
            + (f" x{args.threads} threads" if args.worker_class == "gthread" else "")
            + f"; {os.cpu_count()} CPUs; load average before {load_before[0]:.2f}",
            flush=True,
        )
        results: dict[tuple[str, int], Result] = {}
        for clients in (1, args.clients):
            for scenario in chosen:
                results[scenario.key, clients] = measure(args, cookies, meter, scenario, clients)
                result = results[scenario.key, clients]
                print(
                    f"  {scenario.key:<12} {clients:>2} clients: {result.requests:>5} requests, "
                    f"{result.errors} errors, {result.rps:7.1f} req/s, p99 {result.percentile(99):6.1f} ms"
                    + (f"  first error: {result.first_error}" if result.first_error else ""),
                    flush=True,
                )
    finally:
        stop_gunicorn(server)
    load_after = os.getloadavg()

    print()
    print(
        "| scenario | clients | requests | errors | req/s | p50 ms | p95 ms | p99 ms | req/s vs ceiling "
        "| gunicorn CPU ms/req | PostgreSQL CPU ms/req | client CPU ms/req | other CPU ms/req | target |"
    )
    print("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|")
    for clients in (1, args.clients):
        ceiling = results["healthz", clients]
        for scenario in chosen:
            print(row(scenario, clients, results[scenario.key, clients], ceiling if scenario.user else None))
    print(
        f"\nTargets: 1 client p99 < {TARGETS[1]['p99']:.0f} ms; {args.clients} clients >= {TARGETS[20]['rps']:.0f} "
        f"req/s, p99 < {TARGETS[20]['p99']:.0f} ms, no errors. Load average before {load_before[0]:.2f}, "
        f"after {load_after[0]:.2f} (1 min)."
    )
    print("Command: " + " ".join([Path(sys.executable).name, *sys.argv]))
    if any(r.errors for r in results.values()):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
