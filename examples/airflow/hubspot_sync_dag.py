"""Runs hubspot-sync's CLI jar every hour from Airflow 2.7 or later (docs/airflow.md).

The task runs

    java -jar /opt/hubspot-sync/hubspot-sync-cli.jar sync --config /opt/hubspot-sync/sync.yaml

and turns the CLI's exit code into what Airflow should do next:

    exit  meaning                                   here
    0     done                                      success; the report goes to XCom
    1     failed; running it again fails again      fail at once, no retry (AirflowFailException)
    2     bad command line or config                fail at once, no retry
    3     authentication or missing scopes          fail at once, no retry
    69    temporary failure (HubSpot down,          retry soon: Airflow's retries, with
          throttling, a transient warehouse error)  exponential backoff (AirflowException)
    75    today's HubSpot budget is spent           wait until the report's resumeAt (deferral),
                                                    then sync again; no retry is used up
    else  killed (137: out of memory, 143: SIGTERM) retry soon, as 69

Why a small operator instead of BashOperator: BashOperator can skip on an exit code but cannot
tell "fail now" from "retry" from "wait until midnight". Raising AirflowFailException stops the
task without retries; AirflowException uses the task's retries (retry_exponential_backoff). For 75
the task defers itself with a DateTimeTrigger until resumeAt: it frees its worker slot, does not
count as a retry, and needs Airflow's triggerer process (`airflow triggerer`). Sensors' reschedule
mode is the other way to wait, but AirflowRescheduleException is honoured only for sensors.

Every run continues from the checkpoints the previous run stored in the warehouse, so retrying or
re-running a task never duplicates or loses rows. Two runs must never write at once:
max_active_runs=1.

Secrets come from Airflow connections, not from this file: the HubSpot private app token is the
password of connection `hubspot_default`, the warehouse password the password of connection
`hubspot_sync_warehouse`. They reach the CLI as the environment variables HUBSPOT_ACCESS_TOKEN and
PGPASSWORD (sync.yaml reads ${PGPASSWORD}).
"""
from __future__ import annotations

import json
import os
import subprocess
import threading
from datetime import timedelta
from typing import Any

import pendulum
from airflow import DAG
from airflow.exceptions import AirflowException, AirflowFailException
from airflow.hooks.base import BaseHook
from airflow.models.baseoperator import BaseOperator
from airflow.triggers.temporal import DateTimeTrigger
from airflow.utils.log.secrets_masker import mask_secret

CLI_JAR = "/opt/hubspot-sync/hubspot-sync-cli.jar"
CONFIG = "/opt/hubspot-sync/sync.yaml"

# Exit codes of the CLI (docs/cli.md). They never change meaning.
DONE = 0
FAILED = 1
BAD_CONFIGURATION = 2
AUTHENTICATION = 3
TEMPORARY_FAILURE = 69
BUDGET_EXHAUSTED = 75
NO_RETRY = {FAILED: "failed", BAD_CONFIGURATION: "bad command line or config",
            AUTHENTICATION: "authentication or missing scopes"}


class HubSpotSyncOperator(BaseOperator):
    """Runs `hubspot-sync-cli.jar sync` and maps its exit code to fail / retry / wait (see above).

    The last line the CLI prints on stdout is one JSON document: the run's SyncReport plus
    `exitCode`, `resumeAt` (when the daily budget stopped it) and `error` (when it failed). On
    success it is the task's return value, so it lands in XCom as `return_value`; on failure it is
    pushed as XCom `report` before the task fails, for alerts and dashboards.
    """

    template_fields = ("config", "only")

    def __init__(self, *, config: str = CONFIG, only: str | None = None, jar: str = CLI_JAR, java: str = "java",
                 hubspot_conn_id: str = "hubspot_default",
                 warehouse_conn_id: str | None = "hubspot_sync_warehouse",
                 resume_margin: timedelta = timedelta(minutes=5), **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.config = config
        self.only = only  # some of the config's streams (sync --only), e.g. one per mapped task
        self.jar = jar
        self.java = java
        self.hubspot_conn_id = hubspot_conn_id
        self.warehouse_conn_id = warehouse_conn_id
        self.resume_margin = resume_margin
        self._process: subprocess.Popen[str] | None = None

    def execute(self, context: Any) -> dict[str, Any] | None:
        return self._sync(context)

    def execute_after_reset(self, context: Any, event: Any = None) -> dict[str, Any] | None:
        """Called by Airflow when the DateTimeTrigger fires: the daily budget has reset."""
        self.log.info("HubSpot's daily budget has reset (%s); syncing again", event)
        return self._sync(context)

    def _sync(self, context: Any) -> dict[str, Any] | None:
        code, report = self._run_cli()
        if code == DONE:
            return report  # pushed to XCom as return_value (do_xcom_push)
        if report is not None:
            context["ti"].xcom_push(key="report", value=report)
        error = (report or {}).get("error") or {}
        detail = f"{error.get('code', 'no error code')}: {error.get('message', 'see the task log')}"
        if code in NO_RETRY:
            # Running it again unchanged would fail again: fix the config, the token or the data first.
            raise AirflowFailException(f"hubspot-sync {NO_RETRY[code]} (exit {code}) - {detail}")
        if code == BUDGET_EXHAUSTED:
            resume_at = self._resume_at(report)
            self.log.warning("HubSpot's daily budget is spent; every stream stopped at a checkpoint. "
                             "Waiting until %s", resume_at)
            # Raises TaskDeferred: the task leaves its worker slot and comes back in execute_after_reset.
            # Mind execution_timeout: it also bounds the time spent deferred (up to a day here).
            self.defer(trigger=DateTimeTrigger(moment=resume_at), method_name="execute_after_reset")
        # 69, or the process was killed: a retry soon continues from the stored checkpoints.
        raise AirflowException(f"hubspot-sync temporary failure (exit {code}) - {detail}; retrying")

    def _resume_at(self, report: dict[str, Any] | None) -> pendulum.DateTime:
        """The report's resumeAt (else the budget's reset time, else in an hour), plus a margin."""
        text = (report or {}).get("resumeAt") or (report or {}).get("budgetResetsAt")
        moment = pendulum.parse(text) if text else pendulum.now("UTC").add(hours=1)
        return moment + self.resume_margin

    def _run_cli(self) -> tuple[int, dict[str, Any] | None]:
        """Runs the jar; logs stderr (progress, warnings) and stdout live; returns the exit code and the JSON."""
        env = dict(os.environ)
        token = BaseHook.get_connection(self.hubspot_conn_id).password
        if not token:
            raise AirflowFailException(f"Connection {self.hubspot_conn_id} has no password: "
                                       "set it to the HubSpot private app's access token")
        mask_secret(token)
        env["HUBSPOT_ACCESS_TOKEN"] = token
        if self.warehouse_conn_id:
            password = BaseHook.get_connection(self.warehouse_conn_id).password
            if password:
                mask_secret(password)
                env["PGPASSWORD"] = password
        command = [self.java, "-jar", self.jar, "sync", "--config", self.config]
        if self.only:
            command += ["--only", self.only]
        self.log.info("Running %s", " ".join(command))
        self._process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                         text=True, env=env)
        stderr = threading.Thread(target=self._log_lines, args=(self._process.stderr,), daemon=True)
        stderr.start()
        last = None
        for line in self._process.stdout:  # only the result goes to stdout; logs go to stderr
            if line.strip():
                last = line.strip()
                self.log.info("%s", last)
        code = self._process.wait()
        stderr.join()
        return code, self._parse(last)

    def _log_lines(self, stream: Any) -> None:
        for line in stream:
            self.log.info("%s", line.rstrip())

    def _parse(self, line: str | None) -> dict[str, Any] | None:
        if not line or not line.startswith("{"):
            return None
        try:
            return json.loads(line)
        except ValueError:
            self.log.warning("The CLI's last stdout line is not JSON: %s", line)
            return None

    def on_kill(self) -> None:
        """The task was stopped (timeout, marked failed): stop the sync; its checkpoints stay consistent."""
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self._process.kill()


with DAG(
    dag_id="hubspot_sync",
    description="HubSpot CRM into the warehouse with hubspot-sync",
    schedule="@hourly",
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,        # each run syncs everything changed since the last one; old intervals add nothing
    max_active_runs=1,    # never two syncs of one portal into one warehouse at once
    default_args={
        "retries": 6,                          # for exit 69 only; 1, 2 and 3 fail at once
        "retry_delay": timedelta(minutes=2),
        "retry_exponential_backoff": True,     # 2, 4, 8, … minutes
        "max_retry_delay": timedelta(hours=1),
    },
    tags=["hubspot", "hubspot-sync"],
) as dag:
    HubSpotSyncOperator(task_id="sync", do_xcom_push=True)
