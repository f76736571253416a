/// The shared schema in each store's SQL, and the statements that bring a store from the
/// versions it has to the latest.
extension SQLDialect {
    /// Statements per version, in order, for a store that has `applied`. A new store (nothing
    /// applied) is created at the latest version at once: the first entry creates every table,
    /// the others only record their version.
    func migrations(applied: Set<Int>) -> [(version: Int, statements: [String])] {
        guard !applied.isEmpty else {
            let everything = StoreSchema.tables.flatMap { create($0, ifMissing: false) } + referenceViews
            return [(1, everything)] + StoreSchema.upgrades.map { ($0.version, []) }
        }
        return StoreSchema.upgrades.filter { !applied.contains($0.version) }.map { upgrade in
            (upgrade.version, upgrade.steps.filter { $0.only == nil || $0.only == self }.flatMap { statements($0.change) })
        }
    }

    /// The table of applied versions, created before it is read.
    var migrationsTable: String { create(StoreSchema.migrationsTable, ifMissing: true)[0] }

    func statements(_ change: StoreSchema.Step.Change) -> [String] {
        switch change {
        case let .create(table):
            return create(table, ifMissing: true)
        case let .addColumn(table, column):
            return ["ALTER TABLE \(table) ADD COLUMN \(definition(column))"]
        case let .rebuild(table):
            let rebuilt = "\(table.name)_rebuilt"
            let columns = table.columns.map(\.name).joined(separator: ", ")
            return [
                "DROP TABLE IF EXISTS \(rebuilt)",
                createTable(table, named: rebuilt, ifMissing: false),
                "INSERT INTO \(rebuilt) (\(columns)) SELECT \(columns) FROM \(table.name)",
                // The old table's indexes go with it.
                "DROP TABLE \(table.name)",
                "ALTER TABLE \(rebuilt) RENAME TO \(table.name)",
            ] + table.indexes.map { createIndex($0, on: table.name, ifMissing: false) }
        case let .statement(sql):
            return [sql]
        case .referenceViews:
            return referenceViews
        }
    }

    func create(_ table: StoreSchema.Table, ifMissing: Bool) -> [String] {
        [createTable(table, named: table.name, ifMissing: ifMissing)] + table.indexes.map { createIndex($0, on: table.name, ifMissing: ifMissing) }
    }

    private func createTable(_ table: StoreSchema.Table, named name: String, ifMissing: Bool) -> String {
        var parts = table.columns.map(definition)
        parts.append("PRIMARY KEY (\(table.primaryKey.joined(separator: ", ")))")
        if let unique = table.unique { parts.append("UNIQUE (\(unique.joined(separator: ", ")))") }
        let storage = switch self {
        case .sqlite: table.clustered ? " WITHOUT ROWID" : ""
        case .postgres: table.updatedInPlace ? " WITH (fillfactor = 70)" : ""
        }
        return "CREATE TABLE \(ifMissing ? "IF NOT EXISTS " : "")\(name) (\(parts.joined(separator: ", ")))\(storage)"
    }

    private func createIndex(_ index: StoreSchema.Index, on table: String, ifMissing: Bool) -> String {
        let method = index.summary && self == .postgres ? " USING brin" : ""
        return "CREATE INDEX \(ifMissing ? "IF NOT EXISTS " : "")\(index.name) ON \(table)\(method) (\(index.columns.joined(separator: ", ")))"
    }

    private func definition(_ column: StoreSchema.Column) -> String {
        var text = "\(column.name) \(type(column.type))"
        if !column.nullable { text += " NOT NULL" }
        if let allowed = column.oneOf {
            text += " CHECK (\(column.name) IN (\(allowed.map { "'\($0)'" }.joined(separator: ", "))))"
        }
        return text
    }

    func type(_ type: StoreSchema.ColumnType) -> String {
        switch (self, type) {
        // INTEGER exactly, so that a key of this one column is SQLite's rowid.
        case (.sqlite, .serial), (.sqlite, .integer), (.sqlite, .sampleTime): "INTEGER"
        case (.sqlite, .real): "REAL"
        case (.sqlite, .exact), (.sqlite, .text), (.sqlite, .json), (.sqlite, .wallClock): "TEXT"
        case (.postgres, .serial): "bigserial"
        case (.postgres, .integer): "bigint"
        case (.postgres, .real): "double precision"
        case (.postgres, .exact): "numeric"
        case (.postgres, .text): "text"
        case (.postgres, .json): "jsonb"
        case (.postgres, .sampleTime), (.postgres, .wallClock): "timestamptz"
        }
    }
}
