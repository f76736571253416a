import ExactJSON
import Substrate

/// XCM messages the chain receives and processes (`MessageQueue`), at the end of the block as
/// the queue services them. On a parachain: downward messages from the relay chain every
/// fourth block (`ParachainSystem.DownwardMessagesReceived`, then one `Processed` each, origin
/// `Parent`); a message from sibling 2034 every third block, one in ten failing to execute
/// (`success: false`), the others bringing asset 1984 in (`Assets.Issued`) and answered
/// (`XcmpQueue.XcmpMessageSent`); now and then a message from sibling 2004 that cannot be
/// processed (`ProcessingFailed`) or is too heavy (`OverweightEnqueued`). On a relay chain: the
/// upward messages of included candidates, origin `Ump(Para(id))`, the first of a batch failing
/// to execute at fixed turns per parachain.
struct MessageQueueState: Sendable {
    /// By origin (as a label reads it: `Parent`, `Sibling(2034)`, `Ump(Para(1000))`), then `true`/`false`.
    var processed: [String: [String: UInt64]] = [:]
    var failed: [String: UInt64] = [:]
    var overweight: [String: UInt64] = [:]
    var xcmpSent: UInt64 = 0
    var downwardReceived: UInt64 = 0
}

extension DevRuntime {
    static let messagingSibling: UInt32 = 2034
    static let failingSibling: UInt32 = 2004

    var processesMessages: Bool { has("MessageQueue", event: "Processed") }

    /// A parachain's messages of the block.
    func parachainMessages(_ block: inout BlockBuilder) throws {
        guard isParachain, processesMessages else { return }
        let number = block.number
        if number % 4 == 0, has("ParachainSystem", event: "DownwardMessagesReceived") {
            let count = 1 + number % 3
            block.finalization.append(try event("ParachainSystem", "DownwardMessagesReceived", json: ["count": [.number(count)]], phase: .finalization))
            block.state.messageQueue.downwardReceived += count
            for _ in 0..<count { try processed(origin: .string("Parent"), label: "Parent", success: true, in: &block) }
        }
        if number % 3 == 1 {
            let sibling = Self.messagingSibling
            let success = number % 10 != 1
            try processed(origin: .object(["Sibling": .number(sibling)]), label: "Sibling(\(sibling))", success: success, in: &block)
            if success {
                try issueAsset(&block)
                if has("XcmpQueue", event: "XcmpMessageSent") {
                    block.finalization.append(try event("XcmpQueue", "XcmpMessageSent", [:], phase: .finalization))
                    block.state.messageQueue.xcmpSent += 1
                }
            }
        }
        let failing = JSON.object(["Sibling": .number(Self.failingSibling)]), failingLabel = "Sibling(\(Self.failingSibling))"
        if number % 25 == 7, has("MessageQueue", event: "ProcessingFailed") {
            block.finalization.append(try event("MessageQueue", "ProcessingFailed", json: ["origin": [failing]], phase: .finalization))
            block.state.messageQueue.failed[failingLabel, default: 0] += 1
        }
        if number % 40 == 11, has("MessageQueue", event: "OverweightEnqueued") {
            block.finalization.append(try event("MessageQueue", "OverweightEnqueued", json: ["origin": [failing]], phase: .finalization))
            block.state.messageQueue.overweight[failingLabel, default: 0] += 1
        }
    }

    /// A relay chain's processing of upward messages from a parachain.
    func processUpwardMessages(from para: UInt32, count: UInt64, in block: inout BlockBuilder) throws {
        guard processesMessages else { return }
        for index in 0..<count {
            let success = index > 0 || (block.number + UInt64(para)) % 5 != 0
            try processed(origin: .object(["Ump": .object(["Para": .number(para)])]), label: "Ump(Para(\(para)))", success: success, in: &block)
        }
    }

    private func processed(origin: JSON, label: String, success: Bool, in block: inout BlockBuilder) throws {
        block.finalization.append(try event("MessageQueue", "Processed", json: ["origin": [origin], "success": [.bool(success)]], phase: .finalization))
        block.state.messageQueue.processed[label, default: [:]][success ? "true" : "false", default: 0] += 1
    }
}
