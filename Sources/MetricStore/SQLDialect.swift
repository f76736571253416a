/// The SQL a store speaks: the schema (`StoreSchema`) and the queries are written in each.
enum SQLDialect: Sendable {
    case sqlite, postgres
}
