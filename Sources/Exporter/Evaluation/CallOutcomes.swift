public import Substrate

/// The calls an extrinsic dispatched, nested ones included, each with its own outcome, read
/// from the events that report them:
/// - the extrinsic's call: its `System.ExtrinsicSuccess`/`ExtrinsicFailed`;
/// - `Proxy.proxy`/`proxy_announced`: the inner call's `Proxy.ProxyExecuted { result }`;
/// - `Multisig.as_multi`: the inner call only when `Multisig.MultisigExecuted { result }` says
///   it ran (an approval that only records itself dispatches nothing); `as_multi_threshold_1`
///   and `Utility.as_derivative` pass the inner call's result on as their own;
/// - `Sudo.sudo`/`sudo_unchecked_weight`: `Sudo.Sudid`; `Sudo.sudo_as`: `Sudo.SudoAsDone`;
///   `Utility.dispatch_as`: `Utility.DispatchedAs`;
/// - `Utility.batch`: `BatchInterrupted` names the item that failed (the items after it never
///   ran); `force_batch`: `ItemCompleted`/`ItemFailed` per item; `batch_all`: all or nothing;
/// - calls only scheduled or announced (`Scheduler.schedule…`, `Proxy.announce`) are not
///   dispatched in this block and are not counted.
/// A wrapper reports when its inner call ends, so reports pair with wrappers in post-order
/// (inner first). Under a call that failed every nested call failed with it (its effects and
/// events were rolled back); where the events do not say, the outcome is unknown (nil). Batches
/// holding batches take their own outcome for their items: their per-item events cannot be
/// told apart.
public struct DispatchedCall: Sendable {
    public let call: Call
    /// nil when the block does not say (no `ExtrinsicSuccess`/`Failed` event).
    public let succeeded: Bool?

    /// Every call of extrinsic `index` of the block that was dispatched.
    public static func calls(ofExtrinsic index: Int, in block: BlockContext, nested: Bool = true) -> [DispatchedCall] {
        let extrinsic = block.extrinsics[index]
        let outcome = block.succeeded(index)
        guard nested else { return [DispatchedCall(call: extrinsic.call, succeeded: outcome)] }
        var walk = OutcomeWalk(callType: block.metadata.outerEnums.callType, events: block.events(ofExtrinsic: index))
        return walk.dispatched(extrinsic.call, outcome: outcome)
    }
}

/// The walk over one extrinsic's call tree, taking the reports of its wrappers in event order.
private struct OutcomeWalk {
    let callType: UInt32
    let events: [EventRecord]
    private var taken: Set<Int> = []

    init(callType: UInt32, events: [EventRecord]) {
        self.callType = callType
        self.events = events
    }

    /// The first report not yet taken among `names` (`Pallet.Event`), with its position.
    private mutating func take(_ names: Set<String>) -> (position: Int, event: EventRecord)? {
        guard let position = peekPosition(names) else { return nil }
        taken.insert(position)
        return (position, events[position])
    }

    private func peekPosition(_ names: Set<String>) -> Int? {
        events.indices.first { !taken.contains($0) && names.contains("\(events[$0].pallet).\(events[$0].name)") }
    }

    /// Whether a report's `result` (or `sudo_result`) is `Ok`; nil without one.
    private static func succeeded(_ report: EventRecord?) -> Bool? {
        guard let report, let result = report.field("result") ?? report.field("sudo_result") else { return nil }
        return result.variantName == "Ok"
    }

    /// `call` with the outcome it had, and the calls it dispatched.
    mutating func dispatched(_ call: Call, outcome: Bool?) -> [DispatchedCall] {
        let inner = call.nestedCalls(callType: callType)
        let own = DispatchedCall(call: call, succeeded: outcome)
        if Self.schedulesOnly(call) { return [own] }
        guard outcome == true, !inner.isEmpty else {
            // Failed (rolled back with its inner calls) or unknown: they share its outcome.
            return [own] + inner.flatMap { dispatchedWithout(reports: $0, outcome: outcome) }
        }
        switch (call.pallet, call.name) {
        case ("Proxy", "proxy"), ("Proxy", "proxy_announced"):
            return [own] + reported(inner, by: ["Proxy.ProxyExecuted"])
        case ("Sudo", "sudo"), ("Sudo", "sudo_unchecked_weight"):
            return [own] + reported(inner, by: ["Sudo.Sudid"])
        case ("Sudo", "sudo_as"):
            return [own] + reported(inner, by: ["Sudo.SudoAsDone"])
        case ("Utility", "dispatch_as"):
            return [own] + reported(inner, by: ["Utility.DispatchedAs"])
        case ("Multisig", "as_multi"):
            // Approvals record themselves and dispatch nothing; the last one executes the call.
            let reports: Set<String> = ["Multisig.NewMultisig", "Multisig.MultisigApproval", "Multisig.MultisigExecuted"]
            if let next = peekPosition(reports), events[next].name != "MultisigExecuted" {
                taken.insert(next)
                return [own]
            }
            return [own] + reported(inner, by: ["Multisig.MultisigExecuted"])
        case ("Utility", "batch"), ("Utility", "force_batch"), ("Utility", "batch_all"):
            return [own] + batchItems(call, items: inner)
        default:
            // as_derivative, as_multi_threshold_1 and other wrappers pass their inner result on.
            return [own] + inner.flatMap { dispatched($0, outcome: true) }
        }
    }

    /// Inner calls whose outcome one report gives, once they ended (post-order): walked as
    /// succeeded, then taken back as failed (with everything in them) if the report says so.
    private mutating func reported(_ inner: [Call], by report: Set<String>) -> [DispatchedCall] {
        let before = taken
        let walked = inner.flatMap { dispatched($0, outcome: true) }
        guard let (position, event) = take(report) else { return [] }  // the inner call never ran
        switch Self.succeeded(event) {
        case true?: return walked
        case false?:
            // Its effects and events were rolled back: none of the reports walked were its.
            taken = before
            taken.insert(position)
            return inner.flatMap { dispatchedWithout(reports: $0, outcome: false) }
        case nil:
            return inner.flatMap { dispatchedWithout(reports: $0, outcome: nil) }
        }
    }

    /// A batch's items with their outcomes.
    private mutating func batchItems(_ batch: Call, items: [Call]) -> [DispatchedCall] {
        let holdsBatches = items.contains { item in
            item.flattened(callType: callType).contains { $0.pallet == "Utility" && ["batch", "batch_all", "force_batch"].contains($0.name) }
        }
        if batch.name == "batch_all" || holdsBatches {
            return items.flatMap { dispatched($0, outcome: true) }
        }
        if batch.name == "batch" {
            let end = take(["Utility.BatchInterrupted", "Utility.BatchCompleted"])?.event
            let failedAt = end?.name == "BatchInterrupted" ? end?.field("index")?.uint64.map(Int.init) : nil
            var result = [DispatchedCall]()
            for (position, item) in items.enumerated() {
                if let failedAt, position > failedAt { break }  // never ran
                if position == failedAt {
                    result += dispatchedWithout(reports: item, outcome: false)
                } else {
                    result += dispatched(item, outcome: true)
                    _ = take(["Utility.ItemCompleted"])
                }
            }
            return result
        }
        // force_batch: one report per item, in order.
        var result = [DispatchedCall]()
        for item in items {
            let before = taken
            let walked = dispatched(item, outcome: true)
            let report = take(["Utility.ItemCompleted", "Utility.ItemFailed"])
            if let report, report.event.name == "ItemFailed" {
                taken = before
                taken.insert(report.position)
                result += dispatchedWithout(reports: item, outcome: false)
            } else {
                result += report == nil ? dispatchedWithout(reports: item, outcome: nil) : walked
            }
        }
        _ = take(["Utility.BatchCompleted", "Utility.BatchCompletedWithErrors"])
        return result
    }

    /// A call and those in it, all with one outcome, taking no reports.
    private func dispatchedWithout(reports call: Call, outcome: Bool?) -> [DispatchedCall] {
        if Self.schedulesOnly(call) { return [DispatchedCall(call: call, succeeded: outcome)] }
        return [DispatchedCall(call: call, succeeded: outcome)] + call.nestedCalls(callType: callType).flatMap { dispatchedWithout(reports: $0, outcome: outcome) }
    }

    /// Calls that only schedule or announce the calls they hold: those run in another block, if ever.
    private static func schedulesOnly(_ call: Call) -> Bool {
        (call.pallet == "Scheduler" && call.name.hasPrefix("schedule")) || (call.pallet == "Proxy" && call.name == "announce")
            || (call.pallet == "Multisig" && call.name == "approve_as_multi")
    }
}
