import ChainFixtures
import ExactJSON
import Foundation
@testable import Exporter
import SCALE
import Substrate
import Testing

/// One metric's failure costs that metric's sample at that block, never the block's other
/// metrics: evaluated on real Polkadot blocks with their own runtime, without I/O.
@Suite struct IsolationTests {
    static func shipped() throws -> [MetricDefinition] {
        try DefinitionLoader.load(directories: [try #require(DefinitionLoader.shippedDirectory)])
    }

    /// Block 18468942 of Polkadot (runtime 1000001) as following reads it: the block, its
    /// events, and every storage key the runtime reads, absent but for `values`.
    static func context(_ runtime: ChainRuntime, values: [String: [UInt8]] = [:], events: [UInt8]? = nil) throws -> BlockContext {
        let folder = "blocks/polkadot/18468942"
        let blockJSON = try JSON.parse(try ChainData.text("\(folder)/block.json"))
        var storage = [String: [UInt8]?]()
        for key in runtime.storageKeys { storage[key] = .some(nil) }
        let corpusEvents = Hex.decode(try ChainData.text("\(folder)/events.hex"))
        storage[runtime.eventsKey] = .some(events ?? corpusEvents)
        for (key, value) in values { storage[key] = value }
        return try runtime.context(
            number: 18_468_942, blockJSON: blockJSON, storage: storage, tokenDecimals: 10, parentTimestampMilliseconds: nil, previousSpecVersion: nil
        ).context
    }

    static func key(_ metadata: RuntimeMetadata, _ pallet: String, _ item: String) throws -> String {
        Hex.encode(try StorageKeyBuilder(metadata: metadata).key(pallet: pallet, item: item))
    }

    @Test func aValueThatDoesNotDecodeCostsOnlyItsOwnMetric() throws {
        let metadata = try ChainData.metadata("metadata/polkadot_1000001_v14.scale")
        let runtime = try ChainRuntime(specVersion: 1_000_001, metadata: metadata, definitions: try Self.shipped(), strict: true)
        let multiplierKey = try Self.key(metadata, "TransactionPayment", "NextFeeMultiplier")
        let intact = runtime.evaluate(try Self.context(runtime, values: [multiplierKey: Array(repeating: 0, count: 15) + [1]]))
        #expect(intact.failures.isEmpty, "\(intact.failures)")
        #expect(intact.samples.contains { $0.metric == "transaction_payment_next_fee_multiplier_ratio" })

        // Three bytes where a u128 is stored.
        let damaged = runtime.evaluate(try Self.context(runtime, values: [multiplierKey: [1, 2, 3]]))
        #expect(damaged.failures.map(\.metric) == ["transaction_payment_next_fee_multiplier_ratio"])
        #expect(damaged.failures.first?.reason == .undecodable)
        #expect(damaged.failures.first?.message.contains("block 18468942") == true)
        let others = intact.samples.filter { $0.metric != "transaction_payment_next_fee_multiplier_ratio" }
        #expect(damaged.samples == others)
        #expect(others.contains { $0.metric == "events_total" } && others.contains { $0.metric == "balances_total_issuance_tokens" })
    }

    /// Events that do not decode fail the metrics reading events and calls, with their reason;
    /// the storage metrics and the header's are evaluated.
    @Test func undecodableEventsFailTheirReadersOnly() throws {
        let metadata = try ChainData.metadata("metadata/polkadot_1000001_v14.scale")
        let runtime = try ChainRuntime(specVersion: 1_000_001, metadata: metadata, definitions: try Self.shipped(), strict: false)
        let events = try #require(Hex.decode(try ChainData.text("blocks/polkadot/18468942/events.hex")))
        let context = try Self.context(runtime, events: Array(events.prefix(events.count / 2)))
        #expect(context.undecoded.events != nil && context.undecoded.extrinsics == nil)
        let evaluation = runtime.evaluate(context)
        let failed = Set(evaluation.failures.map(\.metric))
        #expect(failed.isSuperset(of: ["events_total", "extrinsics_total", "transaction_payment_fees_tokens_total", "xcm_transfers_total"]))
        #expect(evaluation.failures.allSatisfy { $0.reason == .blockUndecodable })
        #expect(evaluation.samples.contains { $0.metric == "balances_total_issuance_tokens" })
        #expect(evaluation.samples.contains { $0.metric == "system_block_length_bytes" })
        #expect(Set(evaluation.samples.map(\.metric)).isDisjoint(with: failed))
    }

    /// Polkadot 1000001 (December 2023) lacks `NominationPools.TotalValueLocked`: the shipped
    /// definition reading it is skipped for that runtime, even at the start of following; a
    /// definition that asks for strictness stops following with the reason.
    @Test func aShippedDefinitionTheRuntimeLacksIsSkippedAStrictOneStops() throws {
        let metadata = try ChainData.metadata("metadata/polkadot_1000001_v14.scale")
        let shipped = try Self.shipped()
        let runtime = try ChainRuntime(specVersion: 1_000_001, metadata: metadata, definitions: shipped, strict: true)
        #expect(!runtime.definitions.contains { $0.name == "nomination_pools_value_locked_tokens" })
        #expect(runtime.skipped.contains { $0.contains("nomination_pools_value_locked_tokens") && $0.contains("TotalValueLocked") })
        #expect(runtime.definitions.count == shipped.count - runtime.skipped.count - runtime.lackingPallets.values.joined().count)
        // What only staking-async runtimes hold is one line, by pallet.
        #expect(runtime.lackingPallets["MultiBlockElection"]?.contains("staking_sessions_rotated_total") == true)
        #expect(runtime.skippedForPallets?.contains("MultiBlockElectionSigned (election_signed_submission_events_total") == true, "\(runtime.skippedForPallets ?? "")")

        var strict = try #require(shipped.first { $0.name == "nomination_pools_value_locked_tokens" })
        strict.strict = true
        #expect(throws: DefinitionError.self) { try ChainRuntime(specVersion: 1_000_001, metadata: metadata, definitions: [strict], strict: true) }
        // After an upgrade (not the runtime following started with), a strict one is skipped too.
        #expect(try ChainRuntime(specVersion: 1_000_001, metadata: metadata, definitions: [strict], strict: false).definitions.isEmpty)
    }

    @Test func strictIsReadFromADefinitionFile() throws {
        let text = """
            - name: pools_locked_tokens
              help: Locked in pools.
              type: gauge
              unit: tokens
              strict: true
              source: { storage: NominationPools.TotalValueLocked }
            """
        let parsed = try DefinitionLoader.parse(text, origin: "mine.yaml")
        #expect(parsed.first?.strict == true)
        #expect(throws: DefinitionError.self) { try DefinitionLoader.parse(text.replacingOccurrences(of: "strict: true", with: "strict: yes please"), origin: "mine.yaml") }
    }

    /// The failure log says the first failure of each runtime version, metric and reason, and
    /// sums up every block.
    @Test func failuresAreLoggedOncePerRuntimeMetricAndReason() {
        var log = MetricFailureLog()
        let failure = MetricFailure(metric: "fee", reason: .undecodable, message: "block 5: bad")
        #expect(log.record([failure], block: 5, specVersion: 1).count == 1)
        #expect(log.record([failure], block: 6, specVersion: 1).isEmpty)
        #expect(log.record([MetricFailure(metric: "fee", reason: .missing, message: "block 7: gone")], block: 7, specVersion: 1).count == 1)
        #expect(log.record([failure], block: 9, specVersion: 2).count == 1)
        let summary = log.summary
        #expect(summary.map(\.reason) == [.missing, .undecodable])
        #expect(summary.last?.blocks == 3 && summary.last?.firstBlock == 5 && summary.last?.lastBlock == 9)
    }
}
