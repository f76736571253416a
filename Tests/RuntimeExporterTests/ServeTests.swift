import AsyncHTTPClient
import ChainFixtures
import ExactJSON
import Foundation
import NIOCore
import NIOHTTP1
import SCALE
import Substrate
import SubstrateRPC
import Testing

/// `runtime-exporter serve` following a real devnode, scraped over HTTP like Prometheus does, and
/// compared with the devnode's own truth at the same finalized block: gauges exactly, counters
/// by their increase between two scrapes, with finality jumping three blocks at a time.
@Suite(.timeLimit(.minutes(3))) struct ServeTests {
    @Test func metricsEqualTheChainAtTheSameBlock() async throws {
        let node = try await DevnodeProcess.launch(["--history", "12", "--block-time", "0.25", "--finality-lag", "1", "--finality-step", "3"])
        defer { node.stop() }
        let exporter = try await ExporterProcess.launch(["--rpc", node.webSocketURL])
        defer { exporter.stop() }
        let client = SubstrateRPCClient(transport: HTTPTransport(endpoint: node.httpURL), timeout: .seconds(20))

        let first = try await scrape(exporter, atLeast: 16)
        let second = try await scrape(exporter, atLeast: first.block + 8)
        for snapshot in [first, second] {
            let hash = try #require(try await client.chainGetBlockHash(snapshot.block))
            let metadata = try RuntimeMetadata.decode(hex: try await client.stateGetMetadata(at: hash))
            for (metric, pallet, item, decimals) in [
                ("runtime_balances_total_issuance_tokens", "Balances", "TotalIssuance", 10),
                ("runtime_nomination_pools_value_locked_tokens", "NominationPools", "TotalValueLocked", 10),
                ("runtime_staking_nominator_intentions", "Staking", "CounterForNominators", 0),
                ("runtime_nomination_pools_members", "NominationPools", "CounterForPoolMembers", 0),
            ] {
                let key = Hex.encode(try StorageKeyBuilder(metadata: metadata).key(pallet: pallet, item: item))
                let raw = try #require(try await client.stateGetStorage(key, at: hash).flatMap { Hex.decode($0) })
                let value = try ValueDecoder(registry: metadata.types).decode(try #require(metadata.storageEntry(pallet: pallet, item: item)).valueType, bytes: raw)
                let truth = try #require(value.uint128)
                #expect(snapshot.values[metric] == TokenAmount(planck: truth, decimals: decimals).description, "\(metric) at block \(snapshot.block)")
            }
        }

        // Counters grow by exactly what the blocks between the two scrapes hold: every block once.
        var fees: UInt128 = 0
        var calls: UInt128 = 0
        for number in (first.block + 1)...second.block {
            let hash = try #require(try await client.chainGetBlockHash(number))
            let parent = try #require(try await client.chainGetBlockHash(number - 1))
            let metadata = try RuntimeMetadata.decode(hex: try await client.stateGetMetadata(at: parent))
            let eventsKey = Hex.encode(try StorageKeyBuilder(metadata: metadata).key(pallet: "System", item: "Events"))
            let block = try DecodedBlock.decode(
                blockJSON: try await client.chainGetBlock(hash),
                eventsBytes: try await client.stateGetStorage(eventsKey, at: hash).flatMap { Hex.decode($0) }, metadata: metadata)
            for event in block.events ?? [] where event.name == "TransactionFeePaid" { fees += event.field("actual_fee")?.uint128 ?? 0 }
            for extrinsic in block.extrinsics ?? [] { calls += UInt128(extrinsic.call.flattened(callType: metadata.outerEnums.callType).count) }
        }
        let feesBefore = try #require(first.values["runtime_transaction_payment_fees_tokens_total"].flatMap { Self.planck($0, decimals: 10) })
        let feesAfter = try #require(second.values["runtime_transaction_payment_fees_tokens_total"].flatMap { Self.planck($0, decimals: 10) })
        #expect(feesAfter - feesBefore == fees)
        #expect(second.callTotal - first.callTotal == calls)

        // The exporter's own metrics: the endpoint is up, every block counted once, RPC latency
        // per method, no lag left at a scrape that waited for the head.
        let endpoint = node.webSocketURL
        #expect(second.series["runtime_exporter_up{chain=\"polkadot\",endpoint=\"\(endpoint)\"}"].flatMap(Double.init) == 1)
        let processed = { (snapshot: Snapshot) in snapshot.series["runtime_exporter_blocks_processed_total{chain=\"polkadot\"}"].flatMap(Double.init) ?? -1 }
        // (Its own registry is read a moment after the chain's, so it may be one block ahead.)
        #expect(abs(processed(second) - processed(first) - Double(second.block - first.block)) <= 1)
        let getBlocks = second.series["runtime_exporter_rpc_request_duration_seconds_count{chain=\"polkadot\",endpoint=\"\(endpoint)\",method=\"chain_getBlock\"}"].flatMap(Double.init) ?? 0
        #expect(getBlocks >= processed(second))

        let lint = try await ChildProcess.run("promtool", ["check", "metrics"], input: Data(second.text.utf8))
        #expect(lint.status == 0 && lint.stdout.isEmpty && lint.stderr.isEmpty, "\(lint.stdout)\(lint.stderr)")
    }

    struct ScrapeTimeout: Error, CustomStringConvertible {
        let block: UInt64
        var description: String { "the exporter did not reach block \(block) within 60 s" }
    }

    struct Snapshot {
        let block: UInt64
        let values: [String: String]
        /// Every series line: full name with labels → value.
        let series: [String: String]
        let callTotal: UInt128
        let text: String
    }

    /// Scrapes /metrics until the processed block reaches `atLeast`.
    private func scrape(_ exporter: ExporterProcess, atLeast: UInt64) async throws -> Snapshot {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: exporter.metricsURL), timeout: .seconds(10))
            #expect(response.headers["content-type"].first == "text/plain; version=0.0.4; charset=utf-8")
            let text = String(buffer: try await response.body.collect(upTo: 16 << 20))
            var values = [String: String]()
            var series = [String: String]()
            var calls: UInt128 = 0
            for line in text.split(separator: "\n") where !line.hasPrefix("#") {
                let parts = line.split(separator: " ")
                guard parts.count == 2 else { continue }
                let name = String(parts[0])
                series[name] = String(parts[1])
                if name.hasPrefix("runtime_extrinsics_total{") { calls += UInt128(parts[1]) ?? 0 }
                if let brace = name.firstIndex(of: "{"), name[brace...] == "{chain=\"polkadot\"}" { values[String(name[..<brace])] = String(parts[1]) }
            }
            if let block = values["runtime_system_block_number"].flatMap({ UInt64($0) }), block >= atLeast {
                return Snapshot(block: block, values: values, series: series, callTotal: calls, text: text)
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw ScrapeTimeout(block: atLeast)
    }

    static func planck(_ text: String, decimals: Int) -> UInt128? {
        let parts = text.split(separator: ".", maxSplits: 1)
        let fraction = parts.count == 2 ? String(parts[1]) : ""
        guard fraction.count <= decimals else { return nil }
        return UInt128(String(parts[0]) + fraction + String(repeating: "0", count: decimals - fraction.count))
    }
}
