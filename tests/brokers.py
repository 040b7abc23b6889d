"""Broker servers of a test's own, so that it can stop and start them (the shared ones
in ``scripts/servers.sh`` serve every other test meanwhile)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

from tests.template import ROOT, free_port

RABBIT_BIN = Path("/usr/lib/rabbitmq/bin")


def _wait_for_port(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on port {port} after {seconds} s")


class DedicatedBroker:
    """One ``kind`` of broker (``rabbitmq``, ``kafka`` or ``redis``) on its own ports and
    data folder; ``stop()`` and ``start()`` keep the data, as a restarted server does."""

    def __init__(self, kind: str, folder: Path) -> None:
        self.kind = kind
        self.folder = folder
        self.port = free_port()
        self._process: subprocess.Popen[bytes] | None = None
        self._epmd_port = free_port()
        folder.mkdir(parents=True, exist_ok=True)

    @property
    def variable(self) -> str:
        return {"rabbitmq": "RABBITMQ_URL", "kafka": "KAFKA_BOOTSTRAP_SERVERS"}.get(
            self.kind, "REDIS_URL"
        )

    @property
    def url(self) -> str:
        return {
            "rabbitmq": f"amqp://guest:guest@127.0.0.1:{self.port}/",
            "kafka": f"127.0.0.1:{self.port}",
            "redis": f"redis://127.0.0.1:{self.port}/0",
        }[self.kind]

    def _rabbit_env(self) -> dict[str, str]:
        return {
            **os.environ,
            "RABBITMQ_NODENAME": f"outage-{self.port}@localhost",
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(free_port()),
            "ERL_EPMD_PORT": str(self._epmd_port),
            "RABBITMQ_MNESIA_BASE": str(self.folder / "mnesia"),
            "RABBITMQ_LOG_BASE": str(self.folder / "log"),
            "RABBITMQ_PID_FILE": str(self.folder / "rabbit.pid"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.folder / "enabled_plugins"),
            "RABBITMQ_CONFIG_FILE": str(self.folder / "rabbitmq"),
            "RABBITMQ_ADVANCED_CONFIG_FILE": str(self.folder / "advanced.config"),
            "HOME": str(self.folder),
        }

    def start(self) -> None:
        if self.kind == "rabbitmq":
            env = self._rabbit_env()
            (self.folder / "enabled_plugins").write_text("[].")
            subprocess.run([str(RABBIT_BIN / "rabbitmq-server"), "-detached"], env=env, check=True)
            subprocess.run(
                [
                    str(RABBIT_BIN / "rabbitmqctl"),
                    "wait",
                    "--timeout",
                    "60",
                    env["RABBITMQ_PID_FILE"],
                ],
                env=env,
                check=True,
                capture_output=True,
            )
        elif self.kind == "kafka":
            noida = ROOT / ".venv/bin/noida-db"
            binary = subprocess.run(
                [
                    str(noida.with_name("python")),
                    "-c",
                    "import noida_db, pathlib; "
                    "print(pathlib.Path(noida_db.__file__).with_name('noida-db'))",
                ],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
            self._process = subprocess.Popen(
                [
                    binary,
                    "start",
                    "--only",
                    "kafka",
                    "--data-dir",
                    str(self.folder),
                    "--host",
                    "127.0.0.1",
                    "--kafka-port",
                    str(self.port),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        else:
            self._process = subprocess.Popen(
                [
                    shutil.which("redis-server") or "redis-server",
                    "--port",
                    str(self.port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                ],
                stdout=subprocess.DEVNULL,
            )
        _wait_for_port(self.port)

    def stop(self) -> None:
        if self.kind == "rabbitmq":
            env = self._rabbit_env()
            subprocess.run(
                [str(RABBIT_BIN / "rabbitmqctl"), "stop", env["RABBITMQ_PID_FILE"]],
                env=env,
                capture_output=True,
                check=False,
            )
        elif self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=30)
            self._process = None

    def close(self) -> None:
        self.stop()
        if self.kind == "rabbitmq":
            env = self._rabbit_env()
            subprocess.run(["epmd", "-kill"], env=env, capture_output=True, check=False)
