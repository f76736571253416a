import ChainFixtures
import ExactJSON
import Exporter
import Testing

/// Listed assets on real Asset Hub blocks: transfers, issued and burned amounts per asset id as
/// the corpus' own answers (`expected.json`) list their events; an asset not listed is never a
/// label value.
@Suite struct AssetsTests {
    static let listed: Set<String> = ["1984", "1337"]

    /// An amount as the answers write it: a number, or decimal text past 2^53.
    static func integer(_ json: JSON?) -> UInt128? {
        json?.stringValue.flatMap { UInt128($0) } ?? json?.uint64Value.map { UInt128($0) }
    }

    /// The events and fields a listed asset's metrics read (`assets_…`, `foreign_assets_…`): a
    /// field's sum, or with none the count.
    static let fungibleEvents: [(metric: String, event: String, field: String?)] = [
        ("transfers_total", "Transferred", nil), ("transferred_total", "Transferred", "amount"),
        ("issued_total", "Issued", "amount"), ("burned_total", "Burned", "balance"),
    ]

    /// Per listed asset, the answer's `pallet.event` records: their count, or the sum of
    /// `field`; `asset` turns the record's `asset_id` into the key, nil for an unlisted asset.
    static func totals(_ events: [JSON], pallet: String, event: String, field: String?, asset: (JSON?) throws -> String?) throws -> [String: UInt128] {
        var totals = [String: UInt128]()
        for record in events where record["pallet"]?.stringValue == pallet && record["event"]?.stringValue == event {
            guard let key = try asset(record["fields"]?["asset_id"]) else { continue }
            totals[key, default: 0] += try field.map { try #require(integer(record["fields"]?[$0])) } ?? 1
        }
        return totals
    }

    @Test(arguments: XCMQueueTests.folders)
    func listedAssetsMatchTheCorpus(folder: String) throws {
        let (block, expected) = try EvaluationTests.context(folder)
        let events = try #require(expected["events"]?.arrayValue)
        for (metric, event, field) in Self.fungibleEvents {
            let totals = try Self.totals(events, pallet: "Assets", event: event, field: field) { id in
                let number = String(try #require(id?.uint64Value))
                return Self.listed.contains(number) ? number : nil
            }
            let samples = try DefinitionEvaluator(metadata: block.metadata).evaluate(try EvaluationTests.definition("assets_\(metric)"), in: block)
            let ours = Dictionary(uniqueKeysWithValues: samples.map { ($0.labels.first { $0.name == "asset_id" }?.value ?? "", $0.value.integer) })
            #expect(ours == totals, "\(metric) in \(folder)")
        }
    }

    /// The corpus' USDT (1984) events count only where 1984 is listed.
    @Test func anUnlistedAssetIsNotCounted() throws {
        let (block, _) = try EvaluationTests.context("blocks/asset-hub-polkadot/9276283")
        let definition = { (listed: String) in
            try #require(try DefinitionLoader.parse("""
                - name: issued_total
                  help: h
                  type: counter
                  labels: [asset_id]
                  source: { events: Assets.Issued, aggregate: sum, field: amount, labels: { asset_id: asset_id }, only: { asset_id: [\(listed)] } }
                """, origin: "t.yaml").first)
        }
        let evaluator = DefinitionEvaluator(metadata: block.metadata)
        #expect(try evaluator.evaluate(try definition("1984"), in: block).map(\.value.integer) == [928_591])
        #expect(try evaluator.evaluate(try definition("1337, 7"), in: block).isEmpty)
    }
}
