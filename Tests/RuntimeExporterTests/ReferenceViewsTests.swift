import ChainFixtures
import ExactJSON
import Foundation
import Testing

/// polkadot-runtime-prom-exporter's tables as views over a store `backfill` filled from a
/// devnode, read with each database's own client: the reference's columns and units hold the
/// stored samples, and on PostgreSQL the SQL panels of its "All time data" dashboard run.
@Suite(.timeLimit(.minutes(3))) struct ReferenceViewsTests {
    static let views = [
        "pallets_methods_calls", "runtime_extrinsics_count", "runtime_total_issuance", "runtime_timestamp_seconds",
        "runtime_weight_to_fee_multiplier", "runtime_xcm_transfers", "chain_finalized_number", "runtime_weight",
        "runtime_block_length_bytes", "runtime_spec_version", "runtime_nominator_count", "runtime_validator_count",
        "runtime_nom_pools_members", "runtime_nom_pools_total_points", "runtime_nom_pools_total_balance",
        "runtime_nom_pools_unbonding_balance", "runtime_nom_pools_pending_rewards", "runtime_nom_pools_count", "runtime_nom_pools_members_count",
    ]

    @Test(arguments: StoreUnderTest.Backend.allCases)
    func theReferenceTablesReadOurSamples(_ backend: StoreUnderTest.Backend) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("views-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let node = try await DevnodeProcess.launch(["--history", "40", "--block-time", "0"])
        defer { node.stop() }
        let store = try await StoreUnderTest.make(backend, in: directory, name: "views")
        let loaded = try await Executable.run("runtime-exporter", ["backfill", "--rpc", node.httpURL, "--from", "1", "--to", "40", "--store", store.argument])
        #expect(loaded.status == 0, "\(loaded.stderr)")
        let samples = (try await store.dump()["samples"]?.arrayValue ?? []).compactMap(\.arrayValue)
        let values = { (metric: String) in
            samples.filter { $0.first?.stringValue == metric }.map { row in
                (labels: try? JSON.parse(row[1].stringValue ?? "{}"), block: row[2].uint64Value ?? 0, value: Double(row[4].stringValue ?? "") ?? .nan)
            }
        }

        // Every view answers, and holds rows where the store has its metric's samples.
        for view in Self.views {
            let count = try await store.query("SELECT count(*) FROM \(view)")
            #expect(count.first.flatMap { $0.first.flatMap { Int($0) } } ?? 0 > 0, "\(view): \(count)")
        }

        // Whole tokens, one row per block; picoseconds; the multiplier times 100.
        let issuance = try await store.query("SELECT issuance FROM runtime_total_issuance ORDER BY time").map { Int($0[0]) }
        #expect(issuance == values("balances_total_issuance_tokens").map { Int($0.value.rounded(.down)) })
        let weights = try await store.query("SELECT weight FROM runtime_weight WHERE weightclass = 'normal' ORDER BY time").map { Int($0[0]) }
        let normal = values("system_block_weight_seconds").filter { $0.labels?["class"]?.stringValue == "normal" }
        #expect(weights == normal.map { Int(($0.value * 1e12).rounded(.down)) })
        let multiplier = try await store.query("SELECT weightmultiplier FROM runtime_weight_to_fee_multiplier ORDER BY time").map { Int($0[0]) }
        #expect(multiplier == values("transaction_payment_next_fee_multiplier_ratio").map { Int(($0.value * 100).rounded(.down)) })

        // Calls per block under the reference's lowerCamel names, adding up to the stored counts.
        let calls = try await store.query("SELECT section, method, sum(calls) FROM pallets_methods_calls GROUP BY section, method ORDER BY 1, 2")
        var stored = [String: Int]()
        for sample in values("extrinsics_total") {
            stored["\(sample.labels?["pallet"]?.stringValue ?? "")/\(sample.labels?["call"]?.stringValue ?? "")", default: 0] += Int(sample.value)
        }
        #expect(calls.map { Int($0[2]) ?? 0 }.reduce(0, +) == stored.values.reduce(0, +))
        #expect(calls.contains { $0[0] == "balances" && $0[1] == "transferKeepAlive" }, "\(calls)")
        #expect(calls.contains { $0[0] == "xcmPallet" && $0[1] == "limitedReserveTransferAssets" }, "\(calls)")
        #expect(calls.count == stored.count)

        guard backend == .postgres else { return }
        // The "All time data" dashboard's SQL, as Grafana sends it: its variables from their own
        // queries, the time filter over the loaded blocks; TimescaleDB's time_bucket_gapfill
        // becomes plain PostgreSQL's date_bin (the one change a store without TimescaleDB needs).
        let file = ChainData.root.deletingLastPathComponent().appendingPathComponent("reference/dashboard-queries.json")
        let dashboard = try #require(try JSON.parse(String(contentsOf: file, encoding: .utf8))["dashboards"]?.arrayValue?.first { $0["title"]?.stringValue == "All time data" })
        var variables = ["bucket_interval": "'1h'"]
        for variable in dashboard["variables"]?.arrayValue ?? [] where variable["datasource_type"]?.stringValue == "postgres" {
            let name = try #require(variable["name"]?.stringValue)
            let rows = try await store.query(try #require(variable["query"]?.stringValue))
            variables[name] = rows.map { "'\($0[0])'" }.joined(separator: ",")
        }
        let queries = (dashboard["queries"]?.arrayValue ?? []).filter { $0["kind"]?.stringValue == "sql" }
        #expect(queries.count == 10)
        for query in queries {
            var sql = try #require(query["query"]?.stringValue)
            sql = sql.replacingOccurrences(of: "$__timeFilter(\"time\")", with: "\"time\" BETWEEN now() - interval '1 day' AND now() + interval '1 day'")
            sql = sql.replacingOccurrences(of: "'$bucket_interval'", with: "$bucket_interval")
            for (name, value) in variables { sql = sql.replacingOccurrences(of: "$\(name)", with: value) }
            sql = sql.replacingOccurrences(of: #"time_bucket_gapfill\(([^,]+), ([^)]+)\)"#, with: "date_bin($1, $2, timestamptz '2000-01-01')", options: .regularExpression)
            let rows = try await store.query(sql.trimmingCharacters(in: .whitespacesAndNewlines).trimmingCharacters(in: CharacterSet(charactersIn: ";")))
            #expect(!rows.isEmpty, "\(query["panel"]?.stringValue ?? ""): no rows from \(sql)")
        }
    }
}
