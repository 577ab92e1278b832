"""Scale out: one Airflow task per stream, for two portals, sharing each portal's rate budget (docs/airflow.md).

For each portal, a `plan` task asks the CLI which streams its config has

    java -jar hubspot-sync-cli.jar plan --config /opt/hubspot-sync/portal-eu.yaml
    {"config":"…","streams":["contacts","companies","deals","tickets","contacts->companies","deals->contacts"],"tasks":[…]}

and the `sync` task is mapped over them (Airflow's dynamic task mapping), one task instance per
stream, each running

    java -jar hubspot-sync-cli.jar sync --config /opt/hubspot-sync/portal-eu.yaml --only contacts

on whatever worker is free. The tasks of one portal share its HubSpot limits through a table in
the warehouse (budget.shared: sink in the config): each process leases a slice of the app's
10-second burst and claims calls of the day's ceiling, so together they draw no 429 and stop
exactly at the ceiling (exit 75, then the operator waits until the reset). A task killed on its
worker frees its slice within about 25 s. Two tasks never sync one stream at once: the second
exits 69 (retry soon). The operator is the one of hubspot_sync_dag.py, with `only`.

Secrets: each portal's private app token is the password of connection hubspot_eu / hubspot_us,
the warehouse password that of hubspot_sync_warehouse.
"""
from __future__ import annotations

import json
import subprocess
from datetime import timedelta

import pendulum
from airflow import DAG
from airflow.decorators import task

from hubspot_sync_dag import CLI_JAR, HubSpotSyncOperator

# portal name -> (config file, Airflow connection holding its token)
PORTALS = {
    "eu": ("/opt/hubspot-sync/portal-eu.yaml", "hubspot_eu"),
    "us": ("/opt/hubspot-sync/portal-us.yaml", "hubspot_us"),
}
# Streams of one portal syncing at once. More tasks than this wait; the budget divides the portal's
# burst among those running, so more of them do not make a portal faster once its burst is used.
STREAMS_AT_ONCE = 4

with DAG(
    dag_id="hubspot_sync_mapped",
    description="HubSpot CRM into the warehouse, one task per stream and portal",
    schedule="@hourly",
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,    # a stream's next run waits for this one (the stream lock would refuse it anyway)
    default_args={
        "retries": 6,                          # for exit 69 (also: the stream is still being synced)
        "retry_delay": timedelta(minutes=2),
        "retry_exponential_backoff": True,
        "max_retry_delay": timedelta(hours=1),
    },
    tags=["hubspot", "hubspot-sync"],
) as dag:
    for portal, (config, connection) in PORTALS.items():

        @task(task_id=f"plan_{portal}")
        def plan(config_file: str) -> list[str]:
            """The config's streams, from `plan` (asks HubSpot nothing unless objects: all)."""
            done = subprocess.run(["java", "-jar", CLI_JAR, "plan", "--config", config_file],
                                  capture_output=True, text=True, check=True)
            return json.loads(done.stdout.strip().splitlines()[-1])["streams"]

        HubSpotSyncOperator.partial(
            task_id=f"sync_{portal}",
            config=config,
            hubspot_conn_id=connection,
            max_active_tis_per_dagrun=STREAMS_AT_ONCE,
        ).expand(only=plan(config))
