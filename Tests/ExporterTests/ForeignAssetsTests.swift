import ChainFixtures
import ExactJSON
import Exporter
import Testing

/// Foreign assets and swaps on real Asset Hub blocks, keyed by XCM location: the label text of
/// every location in the corpus' answers (`expected.json`), written here from the answer's own
/// JSON, and the listed assets' amounts and swaps per pair as the answers list them.
@Suite struct ForeignAssetsTests {
    /// A location as label text: parents, then each junction (`2/GlobalConsensus(Kusama)`), each
    /// as the answers' other values are written (`XCMQueueTests.labelText`).
    static func locationText(_ json: JSON?) -> String {
        let parents = json?["parents"]?.uint64Value.map { String($0) } ?? "?"
        guard case let .object(shape)? = json?["interior"] else { return json?["interior"]?.stringValue == "Here" ? "\(parents)/Here" : "?" }
        let junctions = shape.first?.value.arrayValue ?? []
        return ([parents] + junctions.map { XCMQueueTests.labelText($0) }).joined(separator: "/")
    }

    static let listedSwapAssets: Set<String> = [
        "1/Here", "0/PalletInstance(50)/GeneralIndex(1984)", "0/PalletInstance(50)/GeneralIndex(1337)", "2/GlobalConsensus(Kusama)", "2/GlobalConsensus(Polkadot)",
    ]

    static func evaluate(_ definition: MetricDefinition, _ block: BlockContext) throws -> [String: UInt128] {
        let samples = try DefinitionEvaluator(metadata: block.metadata).evaluate(definition, in: block)
        return Dictionary(uniqueKeysWithValues: samples.map { sample in
            (sample.labels.map { "\($0.name)=\($0.value)" }.joined(separator: ","), sample.value.integer)
        })
    }

    @Test(arguments: XCMQueueTests.folders)
    func foreignAssetsAndSwapsMatchTheCorpus(folder: String) throws {
        let (block, expected) = try EvaluationTests.context(folder)
        let events = try #require(expected["events"]?.arrayValue)
        // Every foreign asset's location reads as the answer's JSON renders, listed or not.
        let anyAsset = try #require(try DefinitionLoader.parse("""
        - name: foreign_asset_events_total
          help: h
          type: counter
          labels: [asset]
          source: { events: ForeignAssets.*, aggregate: count, labels: { asset: asset_id } }
        """, origin: "t.yaml").first)
        var byLocation = [String: UInt128]()
        for record in events where record["pallet"]?.stringValue == "ForeignAssets" && record["fields"]?["asset_id"] != nil {
            byLocation["asset=\(Self.locationText(record["fields"]?["asset_id"]))", default: 0] += 1
        }
        #expect(try Self.evaluate(anyAsset, block) == byLocation, "\(folder)")

        for (metric, event, field) in AssetsTests.fungibleEvents {
            let totals = try AssetsTests.totals(events, pallet: "ForeignAssets", event: event, field: field) { id in
                let location = Self.locationText(id)
                return location == "2/GlobalConsensus(Kusama)" ? "asset=\(location)" : nil
            }
            #expect(try Self.evaluate(try EvaluationTests.definition("foreign_assets_\(metric)"), block) == totals, "\(metric) in \(folder)")
        }

        for (metric, field) in [("asset_conversion_swaps_total", nil), ("asset_conversion_amount_in_total", "amount_in"), ("asset_conversion_amount_out_total", "amount_out")] as [(String, String?)] {
            var totals = [String: UInt128]()
            for record in events where record["pallet"]?.stringValue == "AssetConversion" && ["SwapExecuted", "SwapCreditExecuted"].contains(record["event"]?.stringValue) {
                let path = try #require(record["fields"]?["path"]?.arrayValue)
                let (from, to) = (Self.locationText(path.first?.arrayValue?.first), Self.locationText(path.last?.arrayValue?.first))
                guard Self.listedSwapAssets.contains(from), Self.listedSwapAssets.contains(to) else { continue }
                totals["asset_in=\(from),asset_out=\(to)", default: 0] += try field.map { try #require(AssetsTests.integer(record["fields"]?[$0])) } ?? 1
            }
            #expect(try Self.evaluate(try EvaluationTests.definition(metric), block) == totals, "\(metric) in \(folder)")
        }
    }

    /// The corpus holds what the comparison needs: KSM issued and burned, swaps of listed pairs
    /// both ways, and locations of several shapes (other consensus systems, Ethereum tokens).
    @Test func theCorpusHoldsListedForeignAssetsAndSwaps() throws {
        var locations = Set<String>()
        var swaps = Set<String>()
        for folder in XCMQueueTests.folders {
            let expected = try JSON.parse(try ChainData.text("\(folder)/expected.json"))
            for record in expected["events"]?.arrayValue ?? [] {
                if let location = record["fields"]?["asset_id"], record["pallet"]?.stringValue == "ForeignAssets" { locations.insert(Self.locationText(location)) }
                if let path = record["fields"]?["path"]?.arrayValue {
                    swaps.insert("\(Self.locationText(path.first?.arrayValue?.first))→\(Self.locationText(path.last?.arrayValue?.first))")
                }
            }
        }
        #expect(locations.contains("2/GlobalConsensus(Kusama)"))
        #expect(locations.contains { $0.hasPrefix("2/GlobalConsensus(Ethereum(1))/AccountKey20(0x") }, "\(locations)")
        #expect(swaps.isSuperset(of: ["0/PalletInstance(50)/GeneralIndex(1984)→1/Here", "1/Here→0/PalletInstance(50)/GeneralIndex(1984)", "2/GlobalConsensus(Kusama)→1/Here"]), "\(swaps)")
    }
}
