import ChainFixtures
import ExactJSON
@testable import Exporter
import SCALE
import Substrate
import Testing

/// Collectors' reading of values a data definition cannot express, on the types of real runtimes.
@Suite struct CollectorTests {
    /// The `dest` argument type of `XcmPallet.limited_reserve_transfer_assets` (a versioned location).
    static func destType(_ metadata: RuntimeMetadata) throws -> UInt32 {
        let callType = try #require(metadata.pallet(named: "XcmPallet")?.callType)
        guard case let .variant(calls)? = metadata.types[callType]?.definition else { throw CollectorError(collector: "test", message: "no calls") }
        let call = try #require(calls.first { $0.name == "limited_reserve_transfer_assets" })
        return try #require(call.fields.first { $0.name == "dest" }?.typeID)
    }

    @Test(arguments: [
        // Relay chain to a parachain, in each version's shape.
        (#"{"V3": {"parents": 0, "interior": {"X1": {"Parachain": 2000}}}}"#, "2000"),
        (#"{"V4": {"parents": 0, "interior": {"X1": [{"Parachain": 2034}]}}}"#, "2034"),
        (#"{"V5": {"parents": 0, "interior": {"X1": [{"Parachain": 1000}]}}}"#, "1000"),
        // A parachain to a sibling with the beneficiary inside (XTokens' style), and to the relay chain.
        (#"{"V4": {"parents": 1, "interior": {"X2": [{"Parachain": 2004}, {"AccountId32": {"network": null, "id": "0x0101010101010101010101010101010101010101010101010101010101010101"}}]}}}"#, "2004"),
        (#"{"V4": {"parents": 1, "interior": "Here"}}"#, "relay"),
        // Across consensus systems: the network names the destination.
        (#"{"V4": {"parents": 2, "interior": {"X2": [{"GlobalConsensus": "Kusama"}, {"Parachain": 1000}]}}}"#, "Kusama/1000"),
        (#"{"V4": {"parents": 2, "interior": {"X1": [{"GlobalConsensus": "Kusama"}]}}}"#, "Kusama"),
    ])
    func xcmDestinationsInEveryVersion(location: String, expected: String) throws {
        let metadata = try ChainData.metadata("metadata/polkadot_2003000_v16.scale")
        let value = try ValueJSONReader(registry: metadata.types).read(try JSON.parse(location), as: try Self.destType(metadata))
        #expect(XCMTransfersCollector.destination(of: value) == expected)
    }

    /// Only the native token (`Here` as the sender sees it) counts as tokens sent.
    @Test func xcmAmountsCountTheNativeAssetOnly() throws {
        let metadata = try ChainData.metadata("metadata/polkadot_2003000_v16.scale")
        let callType = try #require(metadata.pallet(named: "XcmPallet")?.callType)
        guard case let .variant(calls)? = metadata.types[callType]?.definition,
              let assetsType = calls.first(where: { $0.name == "limited_reserve_transfer_assets" })?.fields.first(where: { $0.name == "assets" })?.typeID
        else { Issue.record("no assets argument"); return }
        let assets = #"{"V4": [{"id": {"parents": 0, "interior": "Here"}, "fun": {"Fungible": "12345678901234567890"}}, {"id": {"parents": 0, "interior": {"X2": [{"PalletInstance": 50}, {"GeneralIndex": 1984}]}}, "fun": {"Fungible": "999"}}]}"#
        let value = try ValueJSONReader(registry: metadata.types).read(try JSON.parse(assets), as: assetsType)
        #expect(XCMTransfersCollector.nativeAmount(in: value) == 12_345_678_901_234_567_890)
    }

    /// Each collector binds to the corpus runtimes that have what it reads, and says why not otherwise.
    @Test(arguments: ChainData.metadataFiles)
    func collectorsBindOrSayWhatIsMissing(path: String) throws {
        let metadata = try ChainData.metadata(path)
        for spec in CollectorCatalog.all {
            switch try spec.bind(metadata) {
            case .bound, .scheduled: break
            case let .missing(reason): #expect(reason.hasPrefix("\(spec.name): the runtime has no"), "\(path): \(reason)")
            }
        }
        // Polkadot 9110 came before XcmPallet; every later relay runtime has it, every Asset Hub PolkadotXcm.
        let xcmPallet = metadata.pallet(named: "XcmPallet") ?? metadata.pallet(named: "PolkadotXcm")
        if xcmPallet != nil, case .missing = try XCMTransfersCollector.spec.bind(metadata) {
            Issue.record("\(path): xcm_transfers does not bind")
        }
        #expect((xcmPallet == nil) == path.contains("9110"))
        if case .missing = try RuntimeVersionCollector.spec.bind(metadata) { Issue.record("\(path): runtime_version does not bind") }
    }
}

/// Staking on Asset Hub reads the era's own entries, never `Session` (there, its collators).
@Suite struct StakingAsyncCollectorTests {
    @Test(arguments: ["metadata/statemint_2003001_v16.scale", "metadata/statemine_2003000_v16.scale"])
    func theRuntimeOfAnAssetHubReadsNoSessionItem(path: String) throws {
        let metadata = try ChainData.metadata(path)
        // All but the one definition that reads the session's validators to count the collators.
        let definitions = try DefinitionLoader.load(directories: [try #require(DefinitionLoader.shippedDirectory)]).filter { $0.name != "session_validators" }
        let runtime = try ChainRuntime(specVersion: metadata.runtimeVersion?.specVersion ?? 0, metadata: metadata, definitions: definitions, strict: false)
        let session = Hex.encode(StorageKeyBuilder.prefix(pallet: "Session", item: "Validators"))
        #expect(!runtime.storageKeys.contains(session))
        #expect(runtime.collectors.contains { $0.name == "staking_exposure" } && runtime.collectors.contains { $0.name == "multi_block_election" })
    }
}

/// The single-block election's phase (`ElectionProviderMultiPhase.CurrentPhase`) under the same
/// `election_phase` as the multi-block one's, on a relay runtime before the migration.
@Suite struct ElectionPhaseCollectorTests {
    @Test(arguments: [
        ([UInt8]?.none, "Off"), ([0x01], "Signed"), ([0x02, 0x01, 42, 0, 0, 0], "Unsigned"), ([0x03], "Emergency"),
    ] as [([UInt8]?, String)])
    func thePhaseIsTheVariantStored(stored: [UInt8]?, phase: String) throws {
        let metadata = try ChainData.metadata("metadata/polkadot_1000001_v14.scale")
        let runtime = try ChainRuntime(specVersion: 1_000_001, metadata: metadata, definitions: try IsolationTests.shipped(), strict: true)
        #expect(runtime.collectors.contains { $0.name == "election_provider_phase" } && !runtime.collectors.contains { $0.name == "multi_block_election" })
        let key = try IsolationTests.key(metadata, "ElectionProviderMultiPhase", "CurrentPhase")
        let evaluation = runtime.evaluate(try IsolationTests.context(runtime, values: stored.map { [key: $0] } ?? [:]))
        let samples = evaluation.samples.filter { $0.metric == "election_phase" }
        #expect(samples.map { $0.labels.map(\.value) } == [[phase]])
        #expect(evaluation.failures.isEmpty, "\(evaluation.failures)")
    }
}
