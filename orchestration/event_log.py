"""Dagster's SQLite event log, keeping each database file's engine and connection open.

Dagster's SqliteEventLogStorage (dagster 1.13) builds a new engine for every connection it
opens and disposes of it after: for each event written, and several times for an asset
check's. A build writes about 1,300 events (the 56 models, the 285 dbt tests as asset checks,
and the steps).

- Each engine starts with an empty statement cache and sets up its SQLite dialect again, so
  every event's SQL was compiled again. This class keeps one engine per database file, and
  remembers the tables it has found (Dagster looks one up before each asset check result).
- Each connection closed was the file's last, and SQLite checkpoints a WAL database when its
  last connection closes: every event copied the log into the database file and synced it to
  disk. This class keeps the connection open in a small pool and syncs at checkpoints only
  (`synchronous=NORMAL`, SQLite's advice for WAL): a committed event survives a crash of the
  process; one committed in the last moments before the machine itself loses power may not.
  Writing a tiny build's 1,265 events took 3.6 s instead of 20 s (docs/benchmarks-history.md).

The Dagster UI learns of a running run's new events when the run's database file changes (it
watches `<run_id>.db`, not the WAL beside it), so a run's file is checkpointed at most
CHECKPOINT_SECONDS after a write, and when the storage is disposed of. Engines of the
RUN_ENGINES runs written last are kept; older ones are disposed of, closing their files.
settings.DAGSTER_YAML names this class as the instance's event log storage.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    INDEX_SHARD_NAME,
    SQLITE_BUSY_TIMEOUT_SECONDS,
    SqliteEventLogStorage,
)
from dagster._core.storage.sql import create_engine
from dagster._serdes import ConfigurableClassData
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import QueuePool

CHECKPOINT_SECONDS = 1.0
RUN_ENGINES = 4


def _sync_at_checkpoints(dbapi_connection, _record) -> None:
    dbapi_connection.execute("PRAGMA synchronous=NORMAL")


class SqliteEventLogStorageKeepingEngines(SqliteEventLogStorage):
    """SqliteEventLogStorage with one engine, and an open connection, per database file."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None):
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        self._checkpointed_at: dict[str, float] = {}
        self._tables_found: set[str] = set()
        super().__init__(base_dir, inst_data)

    @classmethod
    def from_config_value(
        cls, inst_data: ConfigurableClassData | None, config_value: Mapping[str, Any]
    ) -> SqliteEventLogStorageKeepingEngines:
        return cls(inst_data=inst_data, **config_value)

    def _engine(self, shard: str) -> Engine:
        engine = self._engines.get(shard)
        if engine is None:
            engine = create_engine(
                self.conn_string_for_shard(shard),
                poolclass=QueuePool,
                pool_size=1,
                max_overflow=2,  # has_table opens one while an index transaction is open
                connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
            )
            event.listen(engine, "connect", _sync_at_checkpoints)
            self._engines[shard] = engine
            self._close_old_runs()
        self._engines.move_to_end(shard)
        return engine

    def _close_old_runs(self) -> None:
        runs = [shard for shard in self._engines if shard != INDEX_SHARD_NAME]
        for shard in runs[:-RUN_ENGINES]:
            self._engines.pop(shard).dispose()  # closing its last connection checkpoints it
            self._checkpointed_at.pop(shard, None)

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        # as SqliteEventLogStorage._connect, less the engine built and disposed of each time
        with self._db_lock:
            engine = self._engine(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn:
                with conn.begin():
                    yield conn
                if shard != INDEX_SHARD_NAME:
                    self._checkpoint_when_due(conn, shard)

    def _checkpoint_when_due(self, conn: Connection, shard: str) -> None:
        now = time.monotonic()
        if now - self._checkpointed_at.get(shard, 0.0) >= CHECKPOINT_SECONDS:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
            self._checkpointed_at[shard] = now

    def has_table(self, table_name: str) -> bool:
        # Asked before storing each asset check result and each event's tags. Tables are only
        # ever added (by Dagster's migrations), so one found is not looked up again. Called
        # with _db_lock held, so it opens its own connection, as SqliteEventLogStorage's does.
        if table_name not in self._tables_found:
            engine = self._engine(INDEX_SHARD_NAME)
            with engine.connect() as conn:
                if engine.dialect.has_table(conn, table_name):
                    self._tables_found.add(table_name)
        return table_name in self._tables_found

    def _close_all(self) -> None:
        for engine in self._engines.values():
            engine.dispose()
        self._engines.clear()
        self._checkpointed_at.clear()
        self._tables_found.clear()

    def wipe(self) -> None:
        self._close_all()  # before the files are deleted under the open connections
        super().wipe()

    def dispose(self) -> None:
        super().dispose()
        self._close_all()
