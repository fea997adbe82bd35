"""Training a model version in the background: ``maritime train --since --until`` in a child process.

The dashboard does not import the model code (``models/``): it runs the same command an analyst would,
against the same database, and shows its output as progress. One training runs at a time per server.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from typing import Optional

OUTPUT_LINES = 200
ESTIMATORS = ("gbm", "iforest")  # `maritime train --estimator`


def train_command_available() -> bool:
    """Whether this installation's ``maritime`` command has ``train``."""
    from maritime.cli import app

    names = {c.name or (c.callback.__name__ if c.callback else "") for c in app.registered_commands}
    names |= {g.name or "" for g in app.registered_groups}
    return "train" in names


@dataclass
class TrainingJob:
    user: str
    since: datetime
    until: datetime
    estimator: str
    started: float = field(default_factory=time.time)
    output: deque = field(default_factory=lambda: deque(maxlen=OUTPUT_LINES))
    returncode: Optional[int] = None
    process: Optional[subprocess.Popen] = None

    @property
    def running(self) -> bool:
        return self.returncode is None

    @property
    def seconds(self) -> float:
        return time.time() - self.started


class TrainingRunner:
    def __init__(self, db_url: str):
        self._db_url = db_url
        self._lock = threading.Lock()
        self.job: Optional[TrainingJob] = None

    def start(self, user: str, since: datetime, until: datetime, estimator: str = "gbm") -> TrainingJob:
        """Start training on [since, until); ValueError if one is running, the window is empty or the
        estimator unknown."""
        if until <= since:
            raise ValueError("the training window must end after it starts")
        if estimator not in ESTIMATORS:
            raise ValueError(f"unknown estimator (choose {' or '.join(ESTIMATORS)})")
        with self._lock:
            if self.job is not None and self.job.running:
                raise ValueError(f"a training started by {self.job.user} is still running")
            job = TrainingJob(user, since, until, estimator)
            env = {**os.environ, "MARITIME_DB_URL": self._db_url}  # not on the command line, where ps shows it
            command = [sys.executable, "-m", "maritime", "train", "--since", f"{since:%Y-%m-%dT%H:%M:%SZ}",
                       "--until", f"{until:%Y-%m-%dT%H:%M:%SZ}", "--estimator", estimator, "--created-by", user]
            job.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                           env=env, stdin=subprocess.DEVNULL, bufsize=1)
            self.job = job
        threading.Thread(target=self._follow, args=(job,), daemon=True, name="training-output").start()
        return job

    @staticmethod
    def _follow(job: TrainingJob) -> None:
        for line in job.process.stdout:
            if line.strip():
                job.output.append(line.rstrip()[:300])
        job.returncode = job.process.wait()
