/// What PostgreSQL adds to the shared schema (`StoreSchema`): TimescaleDB's hypertable, and the
/// lock that serializes migrations.
enum PostgresSchema {
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
