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

    @Test(arguments: XCMQueueTests.folders)
    func listedAssetsMatchTheCorpus(folder: String) throws {
        let (block, expected) = try EvaluationTests.context(folder)
        let events = try #require(expected["events"]?.arrayValue)
        for (metric, event, field) in [
            ("assets_transfers_total", "Transferred", nil), ("assets_transferred_total", "Transferred", "amount"),
            ("assets_issued_total", "Issued", "amount"), ("assets_burned_total", "Burned", "balance"),
        ] as [(String, String, String?)] {
            var totals = [String: UInt128]()
            for record in events where record["pallet"]?.stringValue == "Assets" && record["event"]?.stringValue == event {
                let id = try #require(record["fields"]?["asset_id"]?.uint64Value)
                guard Self.listed.contains(String(id)) else { continue }
                totals[String(id), default: 0] += try field.map { field in try #require(Self.integer(record["fields"]?[field])) } ?? 1
            }
            let samples = try DefinitionEvaluator(metadata: block.metadata).evaluate(try EvaluationTests.definition(metric), in: block)
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
