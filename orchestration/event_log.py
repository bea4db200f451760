"""Dagster's SQLite event log, with one SQLAlchemy engine per database file.

Dagster's SqliteEventLogStorage (dagster 1.13) builds a new engine for every connection it
opens and disposes of it after: for each event written, and several times for an asset
check's. Each engine starts with an empty statement cache and sets up its SQLite dialect
again, so every event's SQL is compiled again. A build writes about 1,300 events (the 56
models, the 285 dbt tests as asset checks, and the steps): in a profile of a build at 300
customers the Dagster process spent 29 of its 47 CPU seconds in the event log, 7.8 of them
compiling SQL and 2.8 creating engines, on the two cores the dbt steps run on
(docs/benchmarks.md).

This class keeps each database file's engine for the life of the storage, and remembers the
tables it has found (Dagster looks one up before each asset check result). The engine still
has no pool (NullPool): every connection is opened and closed around its transaction, as
before, so other processes (the Dagster UI, the daemon) see the files as they did.
settings.DAGSTER_YAML names it as the instance's event log storage.
"""

from __future__ import annotations

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
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool


class SqliteEventLogStorageKeepingEngines(SqliteEventLogStorage):
    """SqliteEventLogStorage that builds one engine per shard (run or index database)."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None):
        self._engines: dict[str, Engine] = {}
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
                poolclass=NullPool,
                connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS},
            )
            self._engines[shard] = engine
        return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        # as SqliteEventLogStorage._connect, less the engine built and disposed of each time
        with self._db_lock:
            engine = self._engine(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

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

    def dispose(self) -> None:
        super().dispose()
        for engine in self._engines.values():
            engine.dispose()
        self._engines.clear()
        self._tables_found.clear()
