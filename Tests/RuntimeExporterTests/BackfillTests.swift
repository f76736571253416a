import ChainFixtures
import ExactJSON
import Foundation
import SCALE
import Substrate
import SubstrateRPC
import Testing

/// `runtime-exporter backfill` into SQLite and PostgreSQL, read back with other clients: the same
/// rows as following the same blocks live; killed at random moments and run again, the same
/// store as a run never interrupted; two processes sharing a range; a range across a runtime
/// upgrade; a metric's version bumped, only that metric reloaded; pools past their first
/// withdrawals.
@Suite(.serialized, .timeLimit(.minutes(4))) struct BackfillTests {
    static func directory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("backfill-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    @Test(arguments: StoreUnderTest.Backend.allCases) func historyLoadedGivesTheRowsFollowingGave(_ backend: StoreUnderTest.Backend) async throws {
        let node = try await DevnodeProcess.launch(["--history", "12", "--block-time", "0.25", "--finality-lag", "1"])
        defer { node.stop() }
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let live = try await StoreUnderTest.make(backend, in: directory, name: "live")
        let exporter = try await ExporterProcess.launch(["--rpc", node.webSocketURL, "--store", live.argument])
        // 55 blocks at least followed, however late the exporter started: eras of 10 blocks and a
        // read every 50 (referenda) fall due in them. The range ends where every scheduled read
        // due by then is stored (the block before the scrape's: its own may not be queued yet).
        let start = try await MetricsSnapshot.scrape(exporter.metricsURL, atLeast: 1)
        let settled = try await MetricsSnapshot.scrape(exporter.metricsURL, within: .seconds(60)) {
            $0.block >= start.block + 55 && $0.scheduledReadsPending == 0 && $0.text.contains("runtime_exporter_scheduled_reads_pending{")
        }
        await exporter.server.stopAndWait()
        let liveBlocks = try #require(try await live.dump(metrics: ["system_block_number"])["samples"]?.arrayValue?.compactMap { $0.arrayValue?[2].uint64Value })
        // The first block followed has no parent timestamp (no block time) nor parent era: compare from the next.
        let range = try #require(liveBlocks.first.map { $0 + 1 })...(settled.block - 1)

        let loaded = try await StoreUnderTest.make(backend, in: directory, name: "loaded")
        let result = try await Executable.run("runtime-exporter", [
            "backfill", "--rpc", node.httpURL, "--from", String(range.lowerBound), "--to", String(range.upperBound),
            "--store", loaded.argument, "--chunk", "7",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let backfilled = try await loaded.dump()
        let metrics = Set((backfilled["samples"]?.arrayValue ?? []).compactMap { $0.arrayValue?.first?.stringValue })
        #expect(metrics.isSuperset(of: ["balances_total_issuance_tokens", "extrinsics_total", "xcm_transfers_total", "nomination_pool_balance_tokens", "system_block_time_seconds"]))
        // Storage maps and scheduled collectors, at the blocks their schedules name.
        #expect(metrics.isSuperset(of: ["staking_bonded_accounts", "staking_ledger_total_tokens", "voter_list_nodes", "referenda_ongoing"]), "\(metrics.sorted())")
        let followed = try await live.dump(metrics: metrics.sorted(), blocks: range)
        let loadedRows = try await loaded.dump(metrics: metrics.sorted(), blocks: range)
        #expect((followed["samples"]?.arrayValue?.count ?? 0) > 300)
        #expect(loadedRows["samples"] == followed["samples"], "history and following disagree")
        let scheduledBlocks = { (metric: String) in
            Set((followed["samples"]?.arrayValue ?? []).compactMap { row -> UInt64? in
                guard let row = row.arrayValue, row.first?.stringValue == metric else { return nil }
                return row[2].uint64Value
            })
        }
        // An era starts every 10 blocks, a referenda read every 50: both are among the rows compared.
        #expect(scheduledBlocks("staking_ledger_total_tokens").count >= 4 && scheduledBlocks("referenda_ongoing").count >= 1)
        #expect(scheduledBlocks("referenda_ongoing").allSatisfy { $0 % 50 == 0 })
    }

    /// Killed with SIGKILL `RUNTIME_EXPORTER_KILLS` times (2 by default; 10 in the long form,
    /// `Benchmarks/reliability.sh`), each after a chunk was reported loaded and a random moment more.
    @Test(arguments: StoreUnderTest.Backend.allCases) func aKilledLoadResumesToTheStoreAnUninterruptedOneMakes(_ backend: StoreUnderTest.Backend) async throws {
        let kills = ProcessInfo.processInfo.environment["RUNTIME_EXPORTER_KILLS"].flatMap(Int.init) ?? 2
        // Ten-block chunks, enough for every run to find some still to load.
        let blocks = max(160, 40 * kills)
        let node = try await DevnodeProcess.launch(["--history", String(blocks), "--block-time", "0", "--finality-lag", "0"])
        defer { node.stop() }
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let whole = try await StoreUnderTest.make(backend, in: directory, name: "whole")
        let arguments = ["backfill", "--rpc", node.httpURL, "--from", "1", "--to", String(blocks), "--chunk", "10", "--workers", "2"]
        let uninterrupted = try await Executable.run("runtime-exporter", arguments + ["--store", whole.argument])
        #expect(uninterrupted.status == 0, "\(uninterrupted.stderr)")

        let resumed = try await StoreUnderTest.make(backend, in: directory, name: "resumed")
        for _ in 0..<kills {
            let output = try ChildProcess.pipe()
            let child = try ChildProcess(
                Executable.url("runtime-exporter").path, arguments + ["--store", resumed.argument], stdin: .devNull,
                stdout: .descriptor(output.write), stderr: .devNull)
            close(output.write)
            let reported = try await OffPool.run { Self.waitForLine(containing: " loaded (chunk", in: output.read, limit: 60) }
            #expect(reported, "the load reported no chunk within 60 s")
            try await Task.sleep(for: .milliseconds(Int.random(in: 0...300)))
            child.signal(SIGKILL)
            _ = try await OffPool.run { child.wait(upTo: 10) }
            close(output.read)
        }
        let finished = try await Executable.run("runtime-exporter", arguments + ["--store", resumed.argument])
        #expect(finished.status == 0, "\(finished.stderr)")
        #expect(finished.stdout.contains("already loaded"), "the rerun loaded everything again: nothing was kept from the killed runs")
        let expected = try await whole.dump()
        #expect((expected["samples"]?.arrayValue?.count ?? 0) > 1000)
        #expect(try await resumed.dump() == expected)
        print("backfill on \(backend): killed \(kills) times with SIGKILL, resumed to a store equal row for row (\(expected["samples"]?.arrayValue?.count ?? 0) samples, \(blocks) blocks)")
    }

    /// Two processes started at once on one range of one PostgreSQL store split its chunks
    /// (`FOR UPDATE SKIP LOCKED`): each chunk loaded by exactly one of them, both doing some,
    /// and the store equal to one process's load.
    @Test func twoProcessesShareOneRangeWithoutDuplicateWork() async throws {
        // Every answer 10 ms late: the load lasts seconds, so the two overlap on a busy machine too.
        let node = try await DevnodeProcess.launch(["--history", "400", "--block-time", "0", "--finality-lag", "0", "--faults", "delay=1:0.01"])
        defer { node.stop() }
        let directory = try Self.directory()
        let arguments = ["backfill", "--rpc", node.httpURL, "--from", "1", "--to", "400", "--chunk", "10", "--workers", "2"]
        let alone = try await StoreUnderTest.make(.postgres, in: directory, name: "alone")
        let single = try await Executable.run("runtime-exporter", arguments + ["--store", alone.argument])
        #expect(single.status == 0, "\(single.stderr)")

        let shared = try await StoreUnderTest.make(.postgres, in: directory, name: "shared")
        async let first = Executable.run("runtime-exporter", arguments + ["--store", shared.argument])
        async let second = Executable.run("runtime-exporter", arguments + ["--store", shared.argument])
        let results = try await [first, second]
        for result in results { #expect(result.status == 0, "\(result.stderr)") }
        // Chunks each process reports it loaded itself ("blocks 391–400 loaded (chunk …").
        let loadedBy = results.map { result in
            Set(result.stdout.split(separator: "\n").filter { $0.contains(" loaded (chunk") }.compactMap { line in
                line.split(separator: " ").dropFirst(2).first.map(String.init)
            })
        }
        #expect(loadedBy[0].isDisjoint(with: loadedBy[1]), "chunks loaded twice: \(loadedBy[0].intersection(loadedBy[1]).sorted())")
        #expect(loadedBy[0].union(loadedBy[1]).count == 41)  // 400, 390–399, …, 10–19, 1–9
        #expect(!loadedBy[0].isEmpty && !loadedBy[1].isEmpty, "one process did all the work: \(loadedBy.map(\.count))")
        #expect(try await shared.query("SELECT count(DISTINCT loaded_by) FROM backfill_ranges") == [["2"]])

        let expected = try await alone.dump()
        #expect((expected["samples"]?.arrayValue?.count ?? 0) > 5000)
        #expect(try await shared.dump() == expected)
    }

    /// History across a runtime upgrade: each side decoded with its own metadata, the upgrade
    /// counted once at its block, and the runtime info series switching there.
    @Test(arguments: StoreUnderTest.Backend.allCases) func aRangeAcrossARuntimeUpgradeDecodesBothSides(_ backend: StoreUnderTest.Backend) async throws {
        let upgrade = ChainData.url("metadata/polkadot_2003000_v16.scale").path
        let node = try await DevnodeProcess.launch(["--history", "40", "--block-time", "0", "--finality-lag", "0", "--upgrade-at", "20:\(upgrade)"])
        defer { node.stop() }
        let store = try await StoreUnderTest.make(backend, in: try Self.directory(), name: "upgrade")
        // Chunks of 8: the upgrade falls inside the chunk 16–23.
        let result = try await Executable.run("runtime-exporter", [
            "backfill", "--rpc", node.httpURL, "--from", "1", "--to", "40", "--chunk", "8", "--store", store.argument,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let samples = try await store.dump()["samples"]?.arrayValue ?? []
        func rows(_ metric: String) -> [[JSON]] { samples.compactMap(\.arrayValue).filter { $0.first?.stringValue == metric } }
        let upgrades = rows("system_runtime_upgrades_total").filter { $0[4].stringValue != "0" }
        #expect(upgrades.map { $0[2].uint64Value } == [20] && upgrades.first?[4].stringValue == "1", "\(upgrades)")
        let info = rows("system_runtime_info")
        let specAt = Dictionary(info.compactMap { row -> (UInt64, String)? in
            guard let block = row[2].uint64Value, let labels = row[1].stringValue, let spec = try? JSON.parse(labels)["spec_version"]?.stringValue else { return nil }
            return (block, spec)
        }, uniquingKeysWith: { first, _ in first })
        #expect(specAt[19] == "2000000" && specAt[20] == "2003000" && specAt[40] == "2003000", "\(specAt.sorted { $0.key < $1.key })")
        // Extrinsics decoded on both sides: calls counted in blocks of each runtime.
        let calls = Set(rows("extrinsics_total").compactMap { $0[2].uint64Value })
        #expect(calls.contains { $0 < 20 } && calls.contains { $0 > 20 })
        #expect(rows("balances_total_issuance_tokens").count == 40)
    }

    /// `--every 10`: gauges at every tenth block only, counters at every block, and the spacing
    /// recorded with the version, so a load at another spacing is not taken as done.
    @Test func everyTenthBlockForGaugesEveryBlockForCounters() async throws {
        let node = try await DevnodeProcess.launch(["--history", "40", "--block-time", "0", "--finality-lag", "0"])
        defer { node.stop() }
        let store = try await StoreUnderTest.make(.sqlite, in: try Self.directory(), name: "every")
        let arguments = ["backfill", "--rpc", node.httpURL, "--from", "1", "--to", "40", "--chunk", "20", "--store", store.argument,
                         "--metrics", "system_block_number,extrinsics_total"]
        let spaced = try await Executable.run("runtime-exporter", arguments + ["--every", "10"])
        #expect(spaced.status == 0, "\(spaced.stderr)")
        func blocks(_ metric: String) async throws -> [String] {
            try await store.query("SELECT DISTINCT x.block FROM samples x JOIN series s ON s.id = x.series_id WHERE s.metric = '\(metric)' ORDER BY x.block").map { $0[0] }
        }
        #expect(try await blocks("system_block_number") == ["10", "20", "30", "40"])
        #expect(try await blocks("extrinsics_total").count == 40)
        #expect(try await store.query("SELECT DISTINCT metric, version FROM backfill_ranges ORDER BY metric") == [["extrinsics_total", "1"], ["system_block_number", "1@every10"]])
        let dense = try await Executable.run("runtime-exporter", arguments)
        #expect(dense.status == 0, "\(dense.stderr)")
        #expect(try await blocks("system_block_number").count == 40)
    }

    /// `--pallets` and globs in `--metrics` choose what is loaded: the metrics reading a pallet
    /// whose name matches, no other; a name or pallet matching nothing is refused before
    /// anything is loaded, naming it.
    @Test func palletsAndGlobsChooseTheMetricsLoaded() async throws {
        let node = try await DevnodeProcess.launch(["--history", "30", "--block-time", "0", "--finality-lag", "0"])
        defer { node.stop() }
        let store = try await StoreUnderTest.make(.sqlite, in: try Self.directory(), name: "chosen")
        let base = ["backfill", "--rpc", node.httpURL, "--from", "1", "--to", "30", "--chunk", "30", "--store", store.argument]
        let chosen = try await Executable.run("runtime-exporter", base + ["--metrics", "nomination_pool*,staking_*,extrinsics_total", "--pallets", "NominationPools"])
        #expect(chosen.status == 0, "\(chosen.stderr)")
        let metrics = try await store.query("SELECT DISTINCT metric FROM backfill_ranges ORDER BY metric").map { $0[0] }
        #expect(!metrics.isEmpty && metrics.allSatisfy { $0.hasPrefix("nomination_pool") }, "\(metrics)")
        #expect(metrics.contains("nomination_pool_members") && metrics.contains("nomination_pools_pools"))
        for wrong in [["--metrics", "nomination_pol_*"], ["--pallets", "Stakng"]] {
            let refused = try await Executable.run("runtime-exporter", base + wrong)
            #expect(refused.status == 64 && refused.stderr.contains("matches no metric definition"), "\(refused.status): \(refused.stderr)")
        }
    }

    /// Several nodes of a chain share the load: blocks are fetched from each, and the store
    /// equals one loaded from a single node.
    @Test func severalNodesShareTheBlockFetches() async throws {
        let arguments = ["--history", "60", "--block-time", "0", "--finality-lag", "0", "--genesis-time", "1700000000000"]
        let first = try await DevnodeProcess.launch(arguments)
        defer { first.stop() }
        let second = try await DevnodeProcess.launch(arguments)
        defer { second.stop() }
        let directory = try Self.directory()
        var dumps = [JSON]()
        for (name, rpc) in [("one", first.httpURL), ("shared", "\(first.httpURL),\(second.httpURL)")] {
            let store = try await StoreUnderTest.make(.sqlite, in: directory, name: name)
            let result = try await Executable.run("runtime-exporter", [
                "backfill", "--rpc", rpc, "--chain", "polkadot", "--from", "1", "--to", "60", "--chunk", "20", "--store", store.argument,
            ])
            #expect(result.status == 0, "\(name): \(result.stderr)")
            dumps.append(try await store.dump())
        }
        #expect((dumps[0]["samples"]?.arrayValue?.count ?? 0) > 1000)
        #expect(dumps[1] == dumps[0], "the load shared between two nodes differs")
        // Each load asks two block requests (the block, its storage) for each of 60 blocks. The
        // first node served the one-node load whole and part of the shared one; the second, the
        // rest of the shared one: each about half of it.
        func served(_ node: DevnodeProcess) async throws -> UInt64 {
            let counts = try await SubstrateRPCClient(transport: HTTPTransport(endpoint: node.httpURL), timeout: .seconds(20)).call("devnode_requests", [])
            return ["chain_getBlock", "state_queryStorageAt"].reduce(0) { $0 + (counts[$1]?.uint64Value ?? 0) }
        }
        let (byFirst, bySecond) = (try await served(first), try await served(second))
        #expect(bySecond >= 40 && byFirst >= 120 + 40, "block requests served: first \(byFirst), second \(bySecond)")
    }

    /// Each block is read in one storage query: the keys the collectors need next (the next
    /// era's exposures; the devnode's eras last 10 blocks) ride along with the query before.
    /// Only each chunk's first block, whose keys nothing foretold, needs a second, and a block
    /// whose referenda events name no track one at its parent (the referenda's records). Every
    /// shipped definition but those read on a schedule with calls of their own (storage maps,
    /// scheduled collectors), which read whole maps at the blocks they fall due.
    @Test func eachBlockIsReadInOneStorageQuery() async throws {
        let node = try await DevnodeProcess.launch(["--history", "120", "--block-time", "0", "--finality-lag", "0"])
        defer { node.stop() }
        let store = try await StoreUnderTest.make(.sqlite, in: try Self.directory(), name: "queries")
        let listed = try await Executable.run("runtime-exporter", ["metrics", "list", "--json"])
        let scheduledCollectors = ["voter_bags", "storage_size", "referenda_status", "conviction_voting"].map { "collector \($0)." }
        let perBlock = (try JSON.parse(listed.stdout).arrayValue ?? []).compactMap { definition -> String? in
            guard let source = definition["source"]?.stringValue, !source.hasPrefix("storage_map "), !scheduledCollectors.contains(where: source.hasPrefix) else { return nil }
            return definition["name"]?.stringValue
        }
        #expect(perBlock.count > 100)
        let result = try await Executable.run("runtime-exporter", [
            "backfill", "--rpc", node.httpURL, "--from", "21", "--to", "120", "--chunk", "50", "--store", store.argument, "--metrics", perBlock.joined(separator: ","),
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let counts = try await SubstrateRPCClient(transport: HTTPTransport(endpoint: node.httpURL), timeout: .seconds(20)).call("devnode_requests", [])
        let queries = counts["state_queryStorageAt"]?.uint64Value ?? 0
        let blocks = counts["chain_getBlock"]?.uint64Value ?? 0
        // Blocks with referenda events that name no track (all but Submitted and DecisionStarted).
        let client = SubstrateRPCClient(transport: HTTPTransport(endpoint: node.httpURL), timeout: .seconds(20))
        func tracklessEvents(_ block: UInt64) async throws -> UInt64 {
            guard case let .object(tracks)? = try await ServeTests.truth(client, at: block)["governance"]?["events"] else { return 0 }
            return tracks.flatMap { track in
                guard case let .object(events) = track.value else { return [UInt64]() }
                return events.filter { !["Submitted", "DecisionStarted"].contains($0.key) }.compactMap(\.value.uint64Value)
            }.reduce(0, +)
        }
        var parentReads: UInt64 = 0
        var before = try await tracklessEvents(20)
        for block in UInt64(21)...120 {
            let now = try await tracklessEvents(block)
            if now > before { parentReads += 1 }
            before = now
        }
        #expect(parentReads >= 10, "\(parentReads) blocks ending referenda")
        // 100 blocks in 2 chunks; a pool created on the way may cost a block one more query.
        #expect(blocks == 100)
        #expect(queries >= 100 + parentReads && queries <= 100 + 2 + 5 + parentReads, "\(queries) storage queries for 100 blocks, \(parentReads) of them ending referenda")
    }

    /// Pool members withdraw what has unlocked, as on a real chain, so a pool's sub-pools and
    /// its ledger's unlocking chunks span the bonding duration (28 eras of 10 blocks) and no
    /// more; pool values loaded past the first withdrawals still equal what the devnode did.
    @Test func poolUnbondingIsWithdrawnOnceUnlocked() async throws {
        let node = try await DevnodeProcess.launch(["--history", "400", "--block-time", "0", "--finality-lag", "0"])
        defer { node.stop() }
        let store = try await StoreUnderTest.make(.sqlite, in: try Self.directory(), name: "pools")
        let result = try await Executable.run("runtime-exporter", [
            "backfill", "--rpc", node.httpURL, "--from", "301", "--to", "400", "--store", store.argument, "--metrics",
            "events_total,nomination_pool_members,nomination_pool_points,nomination_pool_balance_tokens,nomination_pool_unbonding_tokens,nomination_pool_pending_rewards_tokens",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let withdrawals = try await store.query("""
            SELECT count(*) FROM samples x JOIN series s ON s.id = x.series_id
            WHERE s.metric = 'events_total' AND s.labels = '{"event":"Withdrawn","pallet":"NominationPools"}' AND x.value > 0
            """)
        #expect(Int(withdrawals.first?.first ?? "") ?? 0 >= 5, "blocks with NominationPools.Withdrawn: \(withdrawals)")

        let client = SubstrateRPCClient(transport: HTTPTransport(endpoint: node.httpURL), timeout: .seconds(20))
        for block: UInt64 in [350, 400] {
            guard case let .object(pools)? = try await ServeTests.truth(client, at: block)["pools"] else { Issue.record("devnode_truth has no pools"); return }
            #expect(pools.contains { $0.value["unbonding"]?.stringValue != "0" })
            for pool in pools {
                for (metric, field, decimals) in ServeTests.poolMetrics {
                    let stored = try await store.query("""
                        SELECT x.exact FROM samples x JOIN series s ON s.id = x.series_id
                        WHERE s.metric = 'nomination_pool_\(metric)' AND s.labels = '{"pool":"\(pool.key)"}' AND x.block = \(block)
                        """)
                    let planck = try #require(pool.value[field]?.stringValue.flatMap { UInt128($0) })
                    #expect(stored.first?.first.flatMap { MetricsSnapshot.planck($0, decimals: decimals) } == planck, "pool \(pool.key) \(metric) at block \(block): \(stored)")
                }
            }
        }

        // Pool 1 takes every unbond (40 by block 400, one an era); what unlocked left it.
        let hash = try #require(try await client.chainGetBlockHash(400))
        let metadata = try RuntimeMetadata.decode(hex: try await client.stateGetMetadata(at: hash))
        var account = Array("modlpy/nopls".utf8) + [0, 1, 0, 0, 0]
        account += [UInt8](repeating: 0, count: 32 - account.count)
        for (pallet, item, key, path) in [
            ("NominationPools", "SubPoolsStorage", Value.primitive(.u32(1)), "with_era.*.0"), ("Staking", "Ledger", Value.bytes(account), "unlocking.*.era"),
        ] {
            let storageKey = Hex.encode(try StorageKeyBuilder(metadata: metadata).key(pallet: pallet, item: item, keys: [key]))
            let bytes = try #require(try await client.stateGetStorage(storageKey, at: hash).flatMap { Hex.decode($0) }, "\(pallet).\(item) of pool 1")
            let entry = try #require(metadata.storageEntry(pallet: pallet, item: item))
            let eras = try #require(try ValueDecoder(registry: metadata.types).integers(entry.valueType, bytes: bytes, at: path))
            #expect((20...29).contains(eras.count), "\(pallet).\(item) of pool 1 holds \(eras.count) eras at block 400")
        }
    }

    /// Reads a child's output until a line contains `text`; false at its end or past the limit.
    static func waitForLine(containing text: String, in descriptor: Int32, limit: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(limit)
        var seen = ""
        var buffer = [UInt8](repeating: 0, count: 4096)
        while Date() < deadline {
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 200) >= 0 else { return false }
            guard poller.revents != 0 else { continue }
            let count = read(descriptor, &buffer, buffer.count)
            guard count > 0 else { return false }
            seen += String(decoding: buffer[0..<count], as: UTF8.self)
            if seen.contains(text) { return true }
        }
        return false
    }

    /// A node that now and then answers with an error: every step is tried again, and the
    /// store ends equal to one loaded from a node without faults.
    @Test func failingAnswersAreRetriedNotSkipped() async throws {
        let steady = try await DevnodeProcess.launch(["--history", "60", "--block-time", "0", "--finality-lag", "0", "--genesis-time", "1700000000000"])
        defer { steady.stop() }
        let faulty = try await DevnodeProcess.launch(["--history", "60", "--block-time", "0", "--finality-lag", "0", "--genesis-time", "1700000000000", "--faults", "error=0.03"])
        defer { faulty.stop() }
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var dumps = [JSON]()
        for (node, name) in [(steady, "steady"), (faulty, "faulty")] {
            let store = try await StoreUnderTest.make(.sqlite, in: directory, name: name)
            let result = try await Executable.run("runtime-exporter", [
                "backfill", "--rpc", node.httpURL, "--chain", "polkadot", "--from", "1", "--to", "60", "--chunk", "10", "--store", store.argument,
            ])
            #expect(result.status == 0, "\(name): \(result.stderr)")
            dumps.append(try await store.dump())
        }
        #expect((dumps[0]["samples"]?.arrayValue?.count ?? 0) > 1000)
        #expect(dumps[1] == dumps[0], "the faulty node's history differs")
    }

    @Test(arguments: StoreUnderTest.Backend.allCases) func aVersionBumpReloadsThatMetricOnly(_ backend: StoreUnderTest.Backend) async throws {
        let node = try await DevnodeProcess.launch(["--history", "40", "--block-time", "0", "--finality-lag", "0"])
        defer { node.stop() }
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let definitions = directory.appendingPathComponent("metrics")
        try FileManager.default.createDirectory(at: definitions, withIntermediateDirectories: true)
        func define(issuanceVersion: String, scale: String) throws {
            try """
                - name: test_issuance_tokens
                  help: h
                  type: gauge
                  unit: tokens
                  scale: \(scale)
                  version: "\(issuanceVersion)"
                  source: { storage: Balances.TotalIssuance }
                - name: test_block_number
                  help: h
                  type: gauge
                  source: { header: number }
                """.write(to: definitions.appendingPathComponent("test.yaml"), atomically: true, encoding: .utf8)
        }
        let store = try await StoreUnderTest.make(backend, in: directory, name: "store")
        let arguments = ["backfill", "--rpc", node.httpURL, "--from", "1", "--to", "40", "--chunk", "10", "--store", store.argument,
                         "--no-default-metrics", "--metrics-dir", definitions.path]
        try define(issuanceVersion: "1", scale: "token_decimals")
        let first = try await Executable.run("runtime-exporter", arguments)
        #expect(first.status == 0, "\(first.stderr)")
        let before = try await store.dump()
        try define(issuanceVersion: "2", scale: "none")
        let second = try await Executable.run("runtime-exporter", arguments)
        #expect(second.status == 0 && !second.stdout.contains("already loaded"), "\(second.stdout)")
        let after = try await store.dump()

        func rows(_ dump: JSON, _ metric: String) -> [JSON] { (dump["samples"]?.arrayValue ?? []).filter { $0.arrayValue?.first?.stringValue == metric } }
        #expect(rows(after, "test_block_number") == rows(before, "test_block_number"))
        #expect(rows(after, "test_issuance_tokens").count == 40)
        // Reloaded in planck now: integers, ten digits more than the tokens before.
        let planck = rows(after, "test_issuance_tokens").compactMap { $0.arrayValue?[4].stringValue }
        let tokens = rows(before, "test_issuance_tokens").compactMap { $0.arrayValue?[4].stringValue }
        #expect(planck.allSatisfy { !$0.contains(".") } && planck.count == tokens.count)
        #expect(zip(planck, tokens).allSatisfy { MetricsSnapshot.planck($1, decimals: 10).map(String.init) == $0 })
        let versions = Set((after["ranges"]?.arrayValue ?? []).compactMap { row -> String? in
            guard let row = row.arrayValue, row[1].stringValue == "test_issuance_tokens" else { return nil }
            return row[2].stringValue
        })
        #expect(versions == ["1", "2"])
    }
}
