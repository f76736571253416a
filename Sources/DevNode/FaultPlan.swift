import ExactJSON
import Foundation
import Synchronization

/// Faults the devnode injects, each with a rate (the chance per answer or notification), as
/// `--faults drop=0.05,delay=0.1:2,error=0.05,malformed=0.02,truncate=0.05,stall=0.1`
/// (`delay=RATE:SECONDS`).
struct FaultPlan: Sendable {
    enum Fault: String, CaseIterable, Sendable {
        /// The connection is closed instead of answering (WebSocket), or answered with HTTP 503.
        case drop
        /// The answer is held back (for `delaySeconds`).
        case delay
        /// A JSON-RPC error object instead of the result.
        case error
        /// Text that is not JSON.
        case malformed
        /// SCALE values (hex strings in the result) lose their second half.
        case truncate
        /// A subscription goes silent for good.
        case stall
    }

    var rates: [Fault: Double] = [:]
    var delay: Duration = .seconds(2)
    /// Faults injected so far, by name (`devnode_faults`): what a test's figures report.
    let struck = Struck()

    final class Struck: Sendable {
        let counts = Mutex<[Fault: Int]>([:])

        var json: JSON {
            let counts = self.counts.withLock { $0 }
            return .object(Fault.allCases.map { JSON.Member($0.rawValue, .number(String(counts[$0, default: 0]))) })
        }
    }

    static let none = FaultPlan()

    struct Invalid: Error, CustomStringConvertible {
        let description: String
    }

    init() {}

    init(parsing text: String) throws(Invalid) {
        for item in text.split(separator: ",") where !item.isEmpty {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let fault = Fault(rawValue: parts[0]) else {
                throw Invalid(description: "--faults: '\(item)' is not NAME=RATE (names: \(Fault.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            let numbers = parts[1].split(separator: ":").map(String.init)
            guard let rate = Double(numbers[0]), (0...1).contains(rate) else {
                throw Invalid(description: "--faults: the rate of \(fault.rawValue) must be between 0 and 1")
            }
            rates[fault] = rate
            if fault == .delay, numbers.count == 2 {
                guard let seconds = Double(numbers[1]), seconds >= 0 else { throw Invalid(description: "--faults: delay=RATE:SECONDS needs seconds") }
                delay = .milliseconds(Int64(seconds * 1000))
            }
        }
    }

    /// Whether `fault` strikes this time.
    func strikes(_ fault: Fault) -> Bool {
        guard let rate = rates[fault], rate > 0, Double.random(in: 0..<1) < rate else { return false }
        struck.counts.withLock { $0[fault, default: 0] += 1 }
        return true
    }
}
