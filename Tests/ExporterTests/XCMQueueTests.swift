import ChainFixtures
import ExactJSON
import Exporter
import Testing

/// XCM messages received, processed and sent, counted on real Asset Hub blocks as the corpus'
/// own answers (`expected.json`) list their events. The answer's origin (`"Parent"`,
/// `{"Sibling": 2034}`) is written as the label text (`Parent`, `Sibling(2034)`).
@Suite struct XCMQueueTests {
    static let folders = [
        "blocks/asset-hub-kusama/11058340", "blocks/asset-hub-polkadot/9153185", "blocks/asset-hub-polkadot/9153311",
        "blocks/asset-hub-polkadot/9162346", "blocks/asset-hub-polkadot/9276283", "blocks/asset-hub-polkadot/9276853",
        "blocks/asset-hub-polkadot/9390789", "blocks/asset-hub-polkadot/9782605",
    ]

    /// An answer's value as label text, written here from the answer's JSON: `{"Name": payload}`
    /// as `Name(payload)`, a struct's fields' texts joined by commas, nulls left out.
    static func labelText(_ json: JSON?) -> String {
        switch json {
        case let .string(text)?: return text
        case let .number(text)?: return text
        case let .object(members)? where members.count == 1 && members[0].key.first?.isUppercase == true:
            // A variant: its payload another variant, a struct's fields, or one value.
            let inner = members[0].value
            if case let .object(fields) = inner, !(fields.count == 1 && fields[0].key.first?.isUppercase == true) {
                let texts = fields.filter { $0.value != .null }.map { labelText($0.value) }
                return texts.isEmpty ? members[0].key : "\(members[0].key)(\(texts.joined(separator: ",")))"
            }
            return "\(members[0].key)(\(labelText(inner)))"
        case let .object(fields)?: return fields.filter { $0.value != .null }.map { labelText($0.value) }.joined(separator: ",")
        default: return "?"
        }
    }

    @Test(arguments: folders)
    func messagesProcessedAndSentMatchTheCorpus(folder: String) throws {
        let (block, expected) = try EvaluationTests.context(folder)
        let events = try #require(expected["events"]?.arrayValue)
        func named(_ pallet: String, _ event: String) -> [JSON] {
            events.filter { $0["pallet"]?.stringValue == pallet && $0["event"]?.stringValue == event }
        }
        func evaluate(_ metric: String) throws -> [String: UInt128] {
            let samples = try DefinitionEvaluator(metadata: block.metadata).evaluate(try EvaluationTests.definition(metric), in: block)
            return Dictionary(uniqueKeysWithValues: samples.map { sample in
                (sample.labels.map { "\($0.name)=\($0.value)" }.joined(separator: ","), sample.value.integer)
            })
        }
        var processed = [String: UInt128]()
        for event in named("MessageQueue", "Processed") {
            let success = event["fields"]?["success"] == .bool(true) ? "true" : "false"
            processed["origin=\(Self.labelText(event["fields"]?["origin"])),success=\(success)", default: 0] += 1
        }
        #expect(try evaluate("xcm_messages_processed_total") == processed, "\(folder)")
        let sent = UInt128(named("XcmpQueue", "XcmpMessageSent").count)
        #expect(try evaluate("xcmp_messages_sent_total") == (sent > 0 ? ["": sent] : [:]), "\(folder)")
        let downward = try named("ParachainSystem", "DownwardMessagesReceived").reduce(UInt128(0)) { $0 + UInt128(try #require($1["fields"]?["count"]?.uint64Value)) }
        #expect(try evaluate("xcm_downward_messages_received_total") == (named("ParachainSystem", "DownwardMessagesReceived").isEmpty ? [:] : ["": downward]), "\(folder)")
    }

    /// Both kinds of origin occur in the corpus, so the label text of each is checked.
    @Test func theCorpusHoldsMessagesFromTheRelayChainAndASibling() throws {
        var origins = Set<String>()
        for folder in Self.folders {
            let expected = try JSON.parse(try ChainData.text("\(folder)/expected.json"))
            for event in expected["events"]?.arrayValue ?? [] where event["event"]?.stringValue == "Processed" {
                origins.insert(Self.labelText(event["fields"]?["origin"]))
            }
        }
        #expect(origins.contains("Parent") && origins.contains("Sibling(2034)"), "\(origins)")
    }
}
