import ChainFixtures
import ExactJSON
import Exporter
import Testing

/// Parachain inclusion counted on real relay-chain blocks: per parachain, the candidates the
/// corpus' own answer (`expected.json`) lists as backed and included, read from the receipt's
/// `descriptor.para_id`.
@Suite struct ParachainInclusionTests {
    @Test(arguments: EvaluationTests.folders)
    func candidatesPerParachainMatchTheCorpus(folder: String) throws {
        let (block, expected) = try EvaluationTests.context(folder)
        let events = try #require(expected["events"]?.arrayValue)
        for (metric, event) in [
            ("parachain_candidates_backed_total", "CandidateBacked"), ("parachain_candidates_included_total", "CandidateIncluded"),
            ("parachain_candidates_timed_out_total", "CandidateTimedOut"),
        ] {
            var counts = [String: UInt128]()
            for record in events where record["pallet"]?.stringValue == "ParaInclusion" && record["event"]?.stringValue == event {
                let paraID = try #require(record["fields"]?.arrayValue?.first?["descriptor"]?["para_id"]?.uint64Value)
                counts[String(paraID), default: 0] += 1
            }
            let samples = try DefinitionEvaluator(metadata: block.metadata).evaluate(try EvaluationTests.definition(metric), in: block)
            let ours = Dictionary(uniqueKeysWithValues: samples.map { sample in
                (sample.labels.first { $0.name == "para_id" }?.value ?? "", sample.value.integer)
            })
            #expect(ours == counts, "\(metric) in \(folder)")
            if event != "CandidateTimedOut" { #expect(counts.count >= 7, "\(event) in \(folder): \(counts.count) parachains") }
        }
    }
}
