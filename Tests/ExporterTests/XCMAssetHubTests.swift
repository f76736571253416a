import ChainFixtures
import ExactJSON
@testable import Exporter
import SCALE
import Substrate
import Testing

/// XCM transfers read from real Asset Hub blocks: the native token of a system parachain is
/// the relay chain's (`{parents: 1, Here}`), and programs run by `PolkadotXcm.execute` count by
/// the destinations their instructions send to.
@Suite struct XCMAssetHubTests {
    /// A corpus block with its own runtime, `ParachainInfo.ParachainId` set to `paraID`.
    static func transfers(_ folder: String, paraID: UInt32 = 1000) throws -> (transfers: [String: UInt128], tokens: [String: UInt128]) {
        let block = try DecoderEntryPoints.block(folder)
        let expected = try JSON.parse(try ChainData.text("\(folder)/expected.json"))
        let decoded = try DecodedBlock.decode(
            blockJSON: try JSON.parse(try ChainData.text("\(folder)/block.json")), eventsBytes: block.events, metadata: block.metadata)
        #expect(decoded.extrinsics?.isEmpty == false)
        let spec = try XCMTransfersCollector.spec.bind(block.metadata)
        guard case let .bound(collector) = spec else { throw CollectorError(collector: "test", message: "xcm_transfers does not bind") }
        var storage = [String: [UInt8]?]()
        var id = SCALEEncoder()
        id.encode(paraID)
        for key in collector.storageKeys { storage[key] = id.bytes }
        let context = BlockContext(
            number: try #require(expected["number"]?.uint64Value), metadata: block.metadata, tokenDecimals: 10, timestampMilliseconds: nil,
            parentTimestampMilliseconds: nil, extrinsics: try #require(decoded.extrinsics), events: try #require(decoded.events), storage: storage)
        var transfers = [String: UInt128](), tokens = [String: UInt128]()
        for sample in try collector.collect(context) {
            let destination = sample.labels.first { $0.name == "destination" }?.value ?? ""
            if sample.metric == "transfers" { transfers[destination] = sample.value.integer } else { tokens[destination] = sample.value.integer }
        }
        return (transfers, tokens)
    }

    /// Asset Hub Kusama sends KSM (`{parents: 1, Here}` there) to Asset Hub Polkadot over the bridge.
    @Test func relayTokenIsTheNativeTokenOfASystemParachain() throws {
        let sent = try Self.transfers("blocks/asset-hub-kusama/11058340")
        #expect(sent.transfers == ["Polkadot/1000": 1])
        // The amount of the call's assets argument, as the corpus' own answer gives it.
        #expect(sent.tokens == ["Polkadot/1000": 228_454_739_814_333])
        // Were it a parachain with a token of its own, KSM would not be its native token.
        #expect(try Self.transfers("blocks/asset-hub-kusama/11058340", paraID: 2000).tokens == ["Polkadot/1000": 0])
    }

    /// Asset Hub Polkadot sends bridged KSM back to Kusama: a transfer, but no DOT.
    @Test func aForeignAssetIsNoNativeToken() throws {
        let sent = try Self.transfers("blocks/asset-hub-polkadot/9153185")
        #expect(sent.transfers == ["Kusama/1000": 1])
        #expect(sent.tokens == ["Kusama/1000": 0])
    }

    /// `PolkadotXcm.execute` with `WithdrawAsset` (USDT) and `DepositReserveAsset` to Hydration
    /// (2034): one transfer there; the `InitiateReserveWithdraw` inside the message sent runs on
    /// Hydration, not here.
    @Test func anExecutedProgramCountsItsTransfers() throws {
        let sent = try Self.transfers("blocks/asset-hub-polkadot/9390789")
        #expect(sent.transfers == ["2034": 1])
        #expect(sent.tokens == ["2034": 0])
    }

    /// Programs moving DOT: what `WithdrawAsset` put in the holding goes with a wildcard, a
    /// definite filter moves what it names, and `InitiateTransfer` (XCM V5) adds its filters up.
    @Test(arguments: [
        (#"{"V4": [{"WithdrawAsset": [{"id": {"parents": 1, "interior": "Here"}, "fun": {"Fungible": "5000"}}]}, {"InitiateTeleport": {"assets": {"Wild": "All"}, "dest": {"parents": 1, "interior": "Here"}, "xcm": []}}]}"#, "relay", UInt128(5000)),
        (#"{"V4": [{"WithdrawAsset": [{"id": {"parents": 1, "interior": "Here"}, "fun": {"Fungible": "5000"}}]}, {"DepositReserveAsset": {"assets": {"Definite": [{"id": {"parents": 1, "interior": "Here"}, "fun": {"Fungible": "1200"}}]}, "dest": {"parents": 1, "interior": {"X1": [{"Parachain": 2004}]}}, "xcm": []}}]}"#, "2004", UInt128(1200)),
        (#"{"V5": [{"WithdrawAsset": [{"id": {"parents": 1, "interior": "Here"}, "fun": {"Fungible": "7000"}}]}, {"InitiateTransfer": {"destination": {"parents": 2, "interior": {"X1": [{"GlobalConsensus": {"Ethereum": {"chain_id": 1}}}]}}, "remote_fees": {"ReserveWithdraw": {"Definite": [{"id": {"parents": 1, "interior": "Here"}, "fun": {"Fungible": "1000"}}]}}, "preserve_origin": false, "assets": [{"ReserveDeposit": {"Wild": {"AllOf": {"id": {"parents": 1, "interior": "Here"}, "fun": "Fungible"}}}}], "remote_xcm": []}}]}"#, "Ethereum", UInt128(7000)),
    ])
    func programTransfersFollowTheHolding(program: String, destination: String, amount: UInt128) throws {
        let metadata = try ChainData.metadata("metadata/statemint_2003001_v16.scale")
        let callType = try #require(metadata.pallet(named: "PolkadotXcm")?.callType)
        guard case let .variant(calls)? = metadata.types[callType]?.definition,
              let messageType = calls.first(where: { $0.name == "execute" })?.fields.first(where: { $0.name == "message" })?.typeID
        else { Issue.record("no execute call"); return }
        let message = try ValueJSONReader(registry: metadata.types).read(try JSON.parse(program), as: messageType)
        #expect(XCMTransfersCollector.transfers(inProgram: message, native: .relayToken) == [.init(destination: destination, amount: amount)])
    }
}
