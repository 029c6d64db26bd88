"""Read load with wrk (when installed), for the service benches: one run,
its figures parsed from wrk's own report."""

from __future__ import annotations

import re
import subprocess


def run(url: str, seconds: float, connections: int, headers: dict[str, str]) -> dict:
    """wrk against ``url`` for ``seconds`` (at least 1) with ``connections``."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    done = subprocess.run([*command, url], capture_output=True, text=True,
                          timeout=seconds + 60)
    return figures(done.stdout, connections)


def figures(text: str, connections: int) -> dict:
    def ms(label):
        match = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)", text, re.M)
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), "
                        r"timeout (\d+)", text)
    return {"tool": "wrk", "connections": connections, "requests_per_s": rate,
            "p50_ms": ms("50"), "p99_ms": ms("99"),
            "non_2xx": int(errors.group(1)) if errors else 0,
            "socket_errors": sum(map(int, sockets.groups())) if sockets else 0, "raw": text}
