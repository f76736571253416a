import ChainFixtures
import ExactJSON
@testable import Exporter
import SCALE
import Substrate
import Testing

/// OpenGov's and the treasury's readings on real runtimes and blocks: track names from the
/// `Tracks` constant, the treasury's account from its pallet id, votes' convictions, referenda
/// events whose track is read at the parent block, and treasury deposits on real blocks.
@Suite struct GovernanceTests {
    static let withReferenda = ChainData.metadataFiles.filter { path in
        (try? ChainData.metadata(path).pallet(named: "Referenda")) != nil
    }

    /// Polkadot's tracks (0 root … 34 big_spender), as its runtimes and Asset Hub's name them.
    @Test(arguments: withReferenda.filter { $0.contains("polkadot_") || $0.contains("statemint_") })
    func polkadotTracksAreNamedAsTheRuntimeNamesThem(path: String) throws {
        let metadata = try ChainData.metadata(path)
        let tracks = try ReferendumTracks(CollectorStorage(collector: "test", metadata: metadata))
        for (id, name) in [(0, "root"), (1, "whitelisted_caller"), (10, "staking_admin"), (11, "treasurer"), (20, "referendum_canceller"),
                           (30, "small_tipper"), (32, "small_spender"), (33, "medium_spender"), (34, "big_spender")] {
            #expect(tracks.name(UInt16(id)) == name, "track \(id) in \(path)")
        }
        #expect(Set(tracks.ids).count == tracks.ids.count)
        #expect(tracks.ids.allSatisfy { !tracks.name($0).contains("\0") && tracks.name($0) != String($0) }, "\(path)")
        // A track the runtime does not declare is named by its id.
        #expect(tracks.name(999) == "999")
    }

    /// The treasury's account, from `Treasury.PalletId`, is Polkadot's well-known treasury address.
    @Test func theTreasuryAccountComesFromItsPalletID() throws {
        for path in ["metadata/polkadot_1000001_v14.scale", "metadata/polkadot_2003000_v16.scale", "metadata/statemint_2003001_v16.scale"] {
            let metadata = try ChainData.metadata(path)
            let key = try PalletAccount.resolve(try JSON.parse(#"{"account_of": "Treasury.PalletId"}"#), metadata: metadata)
            let account = try #require(key.stringValue.flatMap { Hex.decode($0) })
            #expect(SS58.encode(account, prefix: 0) == "13UVJyLnbVp9RBZYFwFGyDvVd1y27Tt8tkntv6Q7JVPhFsTB", "\(path)")
        }
        let metadata = try ChainData.metadata("metadata/polkadot_2003000_v16.scale")
        // Other keys pass through; a constant the runtime lacks is an error naming it.
        #expect(try PalletAccount.resolve(.number(7), metadata: metadata) == .number(7))
        #expect(throws: PalletAccount.ResolveError.self) { try PalletAccount.resolve(try JSON.parse(#"{"account_of": "Treasury.NoSuch"}"#), metadata: metadata) }
    }

    /// A standard vote's byte gives its conviction; split and abstaining votes count at None.
    @Test func votesCountAtTheirConviction() throws {
        let metadata = try ChainData.metadata("metadata/statemint_2003001_v16.scale")
        let storage = CollectorStorage(collector: "conviction_voting", metadata: metadata)
        let voteType = try Self.accountVoteType(metadata)
        let reader = ValueJSONReader(registry: metadata.types)
        for (json, conviction, capital) in [
            (#"{"Standard": {"vote": 131, "balance": "5000"}}"#, "Locked3x", UInt128(5000)),  // aye, 3x
            (#"{"Standard": {"vote": 6, "balance": "70"}}"#, "Locked6x", 70),  // nay, 6x
            (#"{"Standard": {"vote": 128, "balance": "1"}}"#, "None", 1),
            (#"{"Split": {"aye": "10", "nay": "15"}}"#, "None", 25),
            (#"{"SplitAbstain": {"aye": "1", "nay": "2", "abstain": "4"}}"#, "None", 7),
        ] {
            let vote = try reader.read(try JSON.parse(json), as: voteType)
            let counted = try ConvictionVotingCollector.capital(of: vote, storage: storage)
            #expect(counted.0 == conviction && counted.1 == capital, "\(json)")
        }
    }

    /// `AccountVote`, the type of `ConvictionVoting.vote`'s `vote` argument.
    static func accountVoteType(_ metadata: RuntimeMetadata) throws -> UInt32 {
        let callType = try #require(metadata.pallet(named: "ConvictionVoting")?.callType)
        guard case let .variant(calls)? = metadata.types[callType]?.definition else { throw CollectorError(collector: "test", message: "no calls") }
        return try #require(calls.first { $0.name == "vote" }?.fields.first { $0.name == "vote" }?.typeID)
    }

    /// Referenda events by track: `Submitted` names its track, an ending names none and takes
    /// the track of the record at the parent block; an ending whose record the parent block
    /// lacks fails the block instead of counting under a guessed track.
    @Test func referendaEventsTakeTheirTrackFromTheParentBlock() throws {
        let metadata = try ChainData.metadata("metadata/statemint_2003001_v16.scale")
        let storage = CollectorStorage(collector: "referenda", metadata: metadata)
        guard case let .bound(bound) = try ReferendaCollector.spec.bind(metadata), let collector = bound as? ReferendaCollector else {
            Issue.record("the referenda collector does not bind to Asset Hub"); return
        }
        func record(_ name: String, _ fields: [String: Value]) throws -> EventRecord {
            let pallet = try #require(metadata.pallet(named: "Referenda"))
            guard case let .variant(variants)? = metadata.types[try #require(pallet.eventType)]?.definition, let variant = variants.first(where: { $0.name == name }) else {
                throw CollectorError(collector: "test", message: "no event \(name)")
            }
            let values = try variant.fields.map { field in Value.NamedValue(name: field.name, value: try fields[field.name ?? ""] ?? metadata.types.defaultValue(of: field.typeID)) }
            return EventRecord(index: 0, phase: .initialization, pallet: "Referenda", palletIndex: pallet.index, name: name, eventIndex: variant.index, fields: values)
        }
        let submitted = try record("Submitted", ["index": .primitive(.u32(7)), "track": .primitive(.u16(32))])
        let approved = try record("Approved", ["index": .primitive(.u32(3))])
        let rejectedNew = try record("Rejected", ["index": .primitive(.u32(7))])
        var block = BlockContext(
            number: 100, metadata: metadata, tokenDecimals: 10, timestampMilliseconds: nil, parentTimestampMilliseconds: nil,
            extrinsics: [], events: [submitted, approved, rejectedNew], storage: [:])
        // Only the referendum not submitted in this block is read at the parent.
        let infoKey = try storage.key("Referenda", "ReferendumInfoFor", [.primitive(.u32(3))])
        #expect(try collector.parentKeys(block) == [infoKey])
        #expect(throws: CollectorError.self) { try collector.collect(block) }

        let infoType = try #require(metadata.storageEntry(pallet: "Referenda", item: "ReferendumInfoFor")?.valueType)
        guard case var .variant(ongoing) = try metadata.types.defaultValue(of: infoType).kind else { Issue.record("ReferendumInfo is no enum"); return }
        ongoing.fields[0].value = try #require(ongoing.fields[0].value.replacing("track", with: .primitive(.u16(0))))
        block.parentStorage[infoKey] = try ValueEncoder(registry: metadata.types).encode(Value(.variant(ongoing)), as: infoType)
        let counted = Dictionary(uniqueKeysWithValues: try collector.collect(block).map { sample in
            (sample.labels.map { "\($0.name)=\($0.value)" }.sorted().joined(separator: ","), sample.value.integer)
        })
        #expect(counted == ["event=Submitted,track=small_spender": 1, "event=Approved,track=root": 1, "event=Rejected,track=small_spender": 1])
    }

    /// Treasury deposits on real Polkadot blocks: the sum of their `Treasury.Deposit` values.
    @Test(arguments: EvaluationTests.folders)
    func treasuryDepositsMatchTheCorpus(folder: String) throws {
        let (block, expected) = try EvaluationTests.context(folder)
        var deposited: UInt128 = 0
        for record in try #require(expected["events"]?.arrayValue) where record["pallet"]?.stringValue == "Treasury" && record["event"]?.stringValue == "Deposit" {
            deposited += try #require(record["fields"]?["value"]?.stringValue.flatMap { UInt128($0) })
        }
        #expect(deposited > 0)
        let samples = try DefinitionEvaluator(metadata: block.metadata).evaluate(try EvaluationTests.definition("treasury_deposits_tokens_total"), in: block)
        #expect(samples.map(\.value.integer) == [deposited], "\(folder)")
        #expect(samples.first?.value.decimals == 10)
    }
}
