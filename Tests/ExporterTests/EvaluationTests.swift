import ChainFixtures
import ExactJSON
import Exporter
import Foundation
import SCALE
import Substrate
import Testing

/// Declarative definitions evaluated on real Polkadot blocks give what the corpus' own answers
/// (`expected.json`) say: events by pallet and event, calls and their results, fees, time.
@Suite struct EvaluationTests {
    static let folders = ["blocks/polkadot/18468942", "blocks/polkadot/19772575"]

    static func context(_ folder: String) throws -> (BlockContext, JSON) {
        let block = try DecoderEntryPoints.block(folder)
        let expected = try JSON.parse(try ChainData.text("\(folder)/expected.json"))
        let extrinsics = try block.extrinsics.map { try ExtrinsicDecoder(metadata: block.metadata).decode($0) }
        let events = try EventDecoder(metadata: block.metadata).decode(try #require(block.events))
        let context = BlockContext(
            number: try #require(expected["number"]?.uint64Value), metadata: block.metadata, tokenDecimals: 10,
            timestampMilliseconds: expected["timestamp_ms"]?.uint64Value, parentTimestampMilliseconds: nil,
            extrinsics: extrinsics, events: events, storage: [:]
        )
        return (context, expected)
    }

    static func definition(_ name: String) throws -> MetricDefinition {
        try #require(try DefinitionTests.shipped().first { $0.name == name })
    }

    @Test(arguments: folders)
    func eventsByPalletAndEventMatchTheCorpus(folder: String) throws {
        let (block, expected) = try Self.context(folder)
        let samples = try DefinitionEvaluator(metadata: block.metadata).evaluate(try Self.definition("events_total"), in: block)
        var counts = [String: UInt128]()
        for event in try #require(expected["events"]?.arrayValue) {
            counts["\(event["pallet"]?.stringValue ?? "").\(event["event"]?.stringValue ?? "")", default: 0] += 1
        }
        let ours = Dictionary(uniqueKeysWithValues: samples.map { sample in
            ("\(sample.labels.first { $0.name == "pallet" }?.value ?? "").\(sample.labels.first { $0.name == "event" }?.value ?? "")", sample.value.integer)
        })
        #expect(ours == counts)
        #expect(counts.values.reduce(0, +) > 20)
    }

    @Test(arguments: folders)
    func callsByPalletSignedAndResultMatchTheCorpus(folder: String) throws {
        let (block, expected) = try Self.context(folder)
        let definition = try Self.definition("extrinsics_total")
        var topLevel = definition
        topLevel.source = .extrinsics(filter: [], nested: false)
        let samples = try DefinitionEvaluator(metadata: block.metadata).evaluate(topLevel, in: block)
        // The corpus' answer: each extrinsic's pallet, call and signedness; its result from the
        // System.ExtrinsicSuccess/Failed event of its phase.
        var counts = [String: UInt128]()
        let events = try #require(expected["events"]?.arrayValue)
        for extrinsic in try #require(expected["extrinsics"]?.arrayValue) {
            let index = try #require(extrinsic["index"]?.uint64Value)
            let outcomes = events.filter { $0["phase"]?.stringValue == "ApplyExtrinsic:\(index)" && $0["pallet"]?.stringValue == "System" }
            let names = outcomes.compactMap { $0["event"]?.stringValue }
            let result = names.contains("ExtrinsicSuccess") ? "success" : names.contains("ExtrinsicFailed") ? "failed" : "unknown"
            let signed = extrinsic["signed"] == .bool(true) ? "true" : "false"
            counts["\(extrinsic["pallet"]?.stringValue ?? "").\(extrinsic["call"]?.stringValue ?? "") \(signed) \(result)", default: 0] += 1
        }
        var ours = [String: UInt128]()
        for sample in samples {
            let label = { (name: String) in sample.labels.first { $0.name == name }?.value ?? "" }
            ours["\(label("pallet")).\(label("call")) \(label("signed")) \(label("result"))"] = sample.value.integer
        }
        #expect(ours == counts)
        // Nested calls add to the count, never remove from it.
        let nested = try DefinitionEvaluator(metadata: block.metadata).evaluate(definition, in: block)
        #expect(nested.reduce(0) { $0 + $1.value.integer } >= samples.reduce(0) { $0 + $1.value.integer })
    }

    @Test(arguments: folders)
    func feesAddUpExactlyInTokens(folder: String) throws {
        let (block, expected) = try Self.context(folder)
        var planck: UInt128 = 0
        for event in try #require(expected["events"]?.arrayValue) where event["event"]?.stringValue == "TransactionFeePaid" {
            let fee = try #require(event["fields"]?["actual_fee"])
            let text: String? = fee.stringValue ?? fee.uint64Value.map { String($0) }
            let amount: UInt128? = text.flatMap { UInt128($0) }
            planck += try #require(amount)
        }
        let samples = try DefinitionEvaluator(metadata: block.metadata).evaluate(try Self.definition("transaction_payment_fees_tokens_total"), in: block)
        if planck == 0 {
            #expect(samples.isEmpty)
        } else {
            #expect(samples == [Sample(metric: "transaction_payment_fees_tokens_total", value: SampleValue(planck, decimals: 10))])
        }
        let time = try DefinitionEvaluator(metadata: block.metadata).evaluate(try Self.definition("timestamp_seconds"), in: block)
        #expect(time.first?.value == SampleValue(UInt128(try #require(expected["timestamp_ms"]?.uint64Value)), decimals: 3))
    }

    /// Storage definitions build their keys (an SS58 account included), read the value at the
    /// block, follow the field path and scale exactly; an absent `Option` gives no sample.
    @Test func storageValuesAreReadByKeyAndField() throws {
        let metadata = try ChainData.metadata("metadata/polkadot_2000000_v15.scale")
        let evaluator = DefinitionEvaluator(metadata: metadata)
        let treasury = Array("modlpy/trsry".utf8) + [UInt8](repeating: 0, count: 20)
        let text = """
            - name: treasury_free_tokens
              help: h
              type: gauge
              unit: tokens
              scale: token_decimals
              source: { storage: System.Account, keys: ["\(SS58.encode(treasury, prefix: 0))"], field: data.free }
            """
        let treasuryFree = try #require(try DefinitionLoader.parse(text, origin: "t.yaml").first)
        let issuance = try Self.definition("balances_total_issuance_tokens")
        let era = try Self.definition("staking_current_era")

        let keys = StorageKeyBuilder(metadata: metadata)
        let encoder = ValueEncoder(registry: metadata.types)
        let accountType = try #require(metadata.storageEntry(pallet: "System", item: "Account")).valueType
        let account = try #require(try metadata.types.defaultValue(of: accountType).replacing("data.free", with: .primitive(.u128(12_345_678_901_234_567))))
        let issuanceType = try #require(metadata.storageEntry(pallet: "Balances", item: "TotalIssuance")).valueType
        let storage: [String: [UInt8]?] = [
            Hex.encode(try keys.key(pallet: "System", item: "Account", keys: [.bytes(treasury)])): try encoder.encode(account, as: accountType),
            Hex.encode(try keys.key(pallet: "Balances", item: "TotalIssuance")): try encoder.encode(.primitive(.u128(UInt128.max)), as: issuanceType),
            Hex.encode(try keys.key(pallet: "Staking", item: "CurrentEra")): nil,
        ]
        #expect(try evaluator.storageKeys(for: treasuryFree).map(\.key) == [Hex.encode(try keys.key(pallet: "System", item: "Account", keys: [.bytes(treasury)]))])
        let block = BlockContext(
            number: 7, metadata: metadata, tokenDecimals: 10, timestampMilliseconds: nil, parentTimestampMilliseconds: nil,
            extrinsics: [], events: [], storage: storage
        )
        #expect(try evaluator.evaluate(treasuryFree, in: block).map(\.value.description) == ["1234567.8901234567"])
        // u128::MAX stays exact in tokens of 10 decimals.
        #expect(try evaluator.evaluate(issuance, in: block).map(\.value.description) == ["34028236692093846346337460743.1768211455"])
        #expect(try evaluator.evaluate(era, in: block).isEmpty)
    }

    /// A storage value's integers counted or added up through its lists: the parachains of
    /// `Paras.Parachains`, the validators of the backing groups, their indices' sum; a value
    /// without integers there is a failure of its metric.
    @Test func storageValuesAreCountedOrAddedUpThroughLists() throws {
        let metadata = try ChainData.metadata("metadata/polkadot_2003000_v16.scale")
        let evaluator = DefinitionEvaluator(metadata: metadata)
        func definition(_ source: String) throws -> MetricDefinition {
            try #require(try DefinitionLoader.parse("- name: m\n  help: h\n  type: gauge\n  source: \(source)\n", origin: "t.yaml").first)
        }
        let keys = StorageKeyBuilder(metadata: metadata)
        let reader = ValueJSONReader(registry: metadata.types)
        let encoder = ValueEncoder(registry: metadata.types)
        func stored(_ pallet: String, _ item: String, _ json: JSON) throws -> (String, [UInt8]?) {
            let type = try #require(metadata.storageEntry(pallet: pallet, item: item)).valueType
            return (Hex.encode(try keys.key(pallet: pallet, item: item)), try encoder.encode(try reader.read(json, as: type), as: type))
        }
        let storage = Dictionary(uniqueKeysWithValues: [
            try stored("Paras", "Parachains", .array([1000, 1002, 2004, 2034, 3388].map { .number($0) })),
            try stored("ParaScheduler", "ValidatorGroups", .array([.array([0, 1, 2].map { .number($0) }), .array([3, 4].map { .number($0) }), .array([])])),
        ])
        let block = BlockContext(
            number: 7, metadata: metadata, tokenDecimals: 10, timestampMilliseconds: nil, parentTimestampMilliseconds: nil,
            extrinsics: [], events: [], storage: storage
        )
        #expect(try evaluator.evaluate(try definition("{ storage: Paras.Parachains, aggregate: count, field: \"*\" }"), in: block).map(\.value.description) == ["5"])
        #expect(try evaluator.evaluate(try definition("{ storage: ParaScheduler.ValidatorGroups, aggregate: count, field: \"*.*\" }"), in: block).map(\.value.description) == ["5"])
        #expect(try evaluator.evaluate(try definition("{ storage: ParaScheduler.ValidatorGroups, aggregate: sum, field: \"*.*\" }"), in: block).map(\.value.description) == ["10"])
        #expect(try evaluator.evaluate(try Self.definition("parachains_active"), in: block).map(\.value.description) == ["5"])
        #expect(try evaluator.evaluate(try Self.definition("parachain_backing_validators"), in: block).map(\.value.description) == ["5"])
        #expect(throws: DefinitionEvaluator.EvaluationError.self) {
            try evaluator.evaluate(try definition("{ storage: ParaScheduler.ValidatorGroups, aggregate: count, field: \"*.nothing\" }"), in: block)
        }
    }
}
