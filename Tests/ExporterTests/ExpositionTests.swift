import ChainFixtures
import ExactJSON
import Exporter
import Foundation
import Substrate
import Testing

/// The exposition of real blocks' samples, read back by independent parsers: Prometheus'
/// `promtool check metrics` finds nothing to say, and Python's prometheus-client reads the
/// values we meant, counters adding up across blocks exactly.
@Suite struct ExpositionTests {
    static func exposition() throws -> (String, [String: UInt128], UInt128) {
        let definitions = try DefinitionTests.shipped()
        let registry = ChainMetricsRegistry(definitions: definitions)
        var events = [String: UInt128]()
        var fees: UInt128 = 0
        for folder in EvaluationTests.folders {
            let (block, expected) = try EvaluationTests.context(folder)
            let evaluator = DefinitionEvaluator(metadata: block.metadata)
            // The corpus has blocks and events, not storage: definitions that read storage wait
            // for the devnode tests.
            let check = ChainCheck(metadata: block.metadata)
            for definition in definitions where check.historicalOutcome(definition) == .applies {
                guard try evaluator.storageKeys(for: definition).isEmpty else { continue }
                registry.record(try evaluator.evaluate(definition, in: block), chain: "polkadot")
            }
            for event in try #require(expected["events"]?.arrayValue) {
                events["\(event["pallet"]?.stringValue ?? "")/\(event["event"]?.stringValue ?? "")", default: 0] += 1
                if event["event"]?.stringValue == "TransactionFeePaid", let fee = event["fields"]?["actual_fee"] {
                    fees += UInt128(fee.stringValue ?? fee.uint64Value.map { String($0) } ?? "0") ?? 0
                }
            }
        }
        registry.record([Sample(metric: "system_block_time_seconds", value: SampleValue(6_000, decimals: 3)),
                         Sample(metric: "system_block_time_seconds", value: SampleValue(12_500, decimals: 3))], chain: "polkadot")
        // A label value that needs escaping.
        registry.record([Sample(metric: "events_total", labels: [.init("pallet", "Odd\"Pallet\\"), .init("event", "Line\nBreak")], value: SampleValue(1))], chain: "polkadot")
        return (registry.exposition(), events, fees)
    }

    @Test func promtoolFindsNothingToSay() async throws {
        let (text, _, _) = try Self.exposition()
        let result = try await ChildProcess.run("promtool", ["check", "metrics"], input: Data(text.utf8))
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.isEmpty && result.stderr.isEmpty, "\(result.stdout)\(result.stderr)")
    }

    @Test func prometheusClientReadsTheValuesWeMeant() async throws {
        let (text, events, fees) = try Self.exposition()
        let script = """
            import json, sys
            from prometheus_client.parser import text_string_to_metric_families
            out = []
            for family in text_string_to_metric_families(sys.stdin.read()):
                for s in family.samples:
                    out.append({"family": family.name, "type": family.type, "name": s.name, "labels": s.labels, "value": repr(float(s.value))})
            print(json.dumps(out))
            """
        let samples = try #require(try JSON.parse(try await PythonReferee.run(script, input: text)).arrayValue)
        // Compared as numbers: client versions print 7 or 7.0 for the same value.
        func value(_ name: String, _ labels: [String: String]) -> Double? {
            samples.first { sample in
                sample["name"]?.stringValue == name && labels.allSatisfy { sample["labels"]?[$0.key]?.stringValue == $0.value }
            }?["value"]?.stringValue.flatMap(Double.init)
        }
        for (key, count) in events {
            let parts = key.split(separator: "/").map(String.init)
            #expect(value("runtime_events_total", ["chain": "polkadot", "pallet": parts[0], "event": parts[1]]) == Double(count), "\(key)")
        }
        let exactFees = Double(SampleValue(fees, decimals: 10).description)!
        #expect(value("runtime_transaction_payment_fees_tokens_total", ["chain": "polkadot"]) == exactFees)
        #expect(value("runtime_system_block_time_seconds_count", ["chain": "polkadot"]) == 2)
        #expect(value("runtime_system_block_time_seconds_sum", ["chain": "polkadot"]) == 18.5)
        #expect(value("runtime_system_block_time_seconds_bucket", ["chain": "polkadot", "le": "6"]) == 1)
        #expect(value("runtime_events_total", ["pallet": "Odd\"Pallet\\", "event": "Line\nBreak"]) == 1)
        let types = Dictionary(samples.map { ($0["family"]?.stringValue ?? "", $0["type"]?.stringValue ?? "") }, uniquingKeysWith: { first, _ in first })
        #expect(types["runtime_events"] == "counter" && types["runtime_system_block_time_seconds"] == "histogram" && types["runtime_balances_existential_deposit_tokens"] == "gauge")
    }
}
