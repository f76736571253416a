/// The common schema in PostgreSQL: times are `timestamptz` (for `time_bucket`/`date_bin`),
/// labels `jsonb` (queryable as `labels->>'pallet'`), exact values `numeric` (u128 sums stay
/// exact in SQL). Versions match the SQLite store's, table for table.
enum PostgresSchema {
    static let migrations: [(version: Int, statements: [String])] = [
        (1, [
            """
            CREATE TABLE series (
                id bigserial PRIMARY KEY, metric text NOT NULL, chain text NOT NULL, labels jsonb NOT NULL,
                UNIQUE (metric, chain, labels))
            """,
            // One B-tree: the key serves queries by series and time, and finds a sample written
            // again (a block has one time); a TimescaleDB hypertable's unique keys must hold
            // `time` anyway. Chunks are found by block through a BRIN index, which costs writes
            // next to nothing. No foreign key: its check per row would halve the write rate.
            """
            CREATE TABLE samples (
                series_id bigint NOT NULL, time timestamptz NOT NULL, block bigint NOT NULL,
                value double precision NOT NULL, exact numeric NOT NULL, PRIMARY KEY (series_id, time, block))
            """,
            "CREATE INDEX samples_by_block ON samples USING brin (block)",
            "CREATE TABLE metric_metadata (metric text PRIMARY KEY, version text NOT NULL, definition jsonb NOT NULL)",
            """
            CREATE TABLE backfill_ranges (
                chain text NOT NULL, metric text NOT NULL, version text NOT NULL, first_block bigint NOT NULL,
                last_block bigint NOT NULL, status text NOT NULL CHECK (status IN ('loaded', 'failed')), error text,
                updated_at timestamptz NOT NULL, PRIMARY KEY (chain, metric, version, first_block))
            """,
        ]),
        (2, [
            // Which process loaded a chunk, and the chunks processes claim (`FOR UPDATE SKIP LOCKED`).
            "ALTER TABLE backfill_ranges ADD COLUMN loaded_by text",
            """
            CREATE TABLE backfill_chunks (
                chain text NOT NULL, first_block bigint NOT NULL, last_block bigint NOT NULL, PRIMARY KEY (chain, first_block))
            """,
        ]),
        // The blocks at which a metric gave no sample, as runs of consecutive blocks.
        (3, [
            """
            CREATE TABLE metric_failures (
                chain text NOT NULL, metric text NOT NULL, reason text NOT NULL, first_block bigint NOT NULL,
                last_block bigint NOT NULL, message text NOT NULL, updated_at timestamptz NOT NULL,
                PRIMARY KEY (chain, metric, reason, first_block))
            """,
        ]),
    ]

    /// With TimescaleDB: `samples` becomes a hypertable of 7-day chunks, compressed per series
    /// once 30 days old (compressed chunks still take the upserts of a reload).
    static let timescale = [
        "SELECT create_hypertable('samples', 'time', chunk_time_interval => INTERVAL '7 days', migrate_data => true)",
        "ALTER TABLE samples SET (timescaledb.compress, timescaledb.compress_segmentby = 'series_id', timescaledb.compress_orderby = 'time, block')",
        "SELECT add_compression_policy('samples', INTERVAL '30 days')",
    ]

    /// Any number that serializes migrations across processes (`pg_advisory_xact_lock`).
    static let migrationLock: Int64 = 0x7275_6e74_696d_65
}
