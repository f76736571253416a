public import Substrate

/// The calls an extrinsic dispatched, nested ones included, each with its outcome. The
/// extrinsic's own `ExtrinsicSuccess`/`ExtrinsicFailed` decides for all of them, except inside
/// a `Utility.batch` (which succeeds even when an item fails: `BatchInterrupted` names the item
/// that failed, and the items after it never ran) and a `Utility.force_batch` (`ItemCompleted`
/// or `ItemFailed` for each item, in order). With several such batches in one extrinsic their
/// events cannot be told apart, and the extrinsic's outcome decides.
public struct DispatchedCall: Sendable {
    public let call: Call
    /// nil when the block does not say (no `ExtrinsicSuccess`/`Failed` event).
    public let succeeded: Bool?

    /// Every call of extrinsic `index` of the block that was dispatched.
    public static func calls(ofExtrinsic index: Int, in block: BlockContext, nested: Bool = true) -> [DispatchedCall] {
        let extrinsic = block.extrinsics[index]
        let outcome = block.succeeded(index)
        guard nested else { return [DispatchedCall(call: extrinsic.call, succeeded: outcome)] }
        let callType = block.metadata.outerEnums.callType
        let all = extrinsic.call.flattened(callType: callType)
        let batches = all.filter { $0.pallet == "Utility" && ($0.name == "batch" || $0.name == "force_batch") }
        guard outcome == true, batches.count == 1, let batch = batches.first else { return all.map { DispatchedCall(call: $0, succeeded: outcome) } }

        let events = block.events(ofExtrinsic: index).filter { $0.pallet == "Utility" }
        let items = batch.nestedCalls(callType: callType)
        var itemOutcomes = [Bool?]()
        if batch.name == "batch" {
            let failedAt = events.first { $0.name == "BatchInterrupted" }.flatMap { $0.field("index")?.uint64 }.map(Int.init)
            itemOutcomes = items.indices.map { position in failedAt.map { position < $0 ? true : position == $0 ? false : nil } ?? true }
            // Items after the failed one never ran: they are not dispatched calls.
            if let failedAt { itemOutcomes = Array(itemOutcomes.prefix(failedAt + 1)) }
        } else {
            let perItem = events.filter { $0.name == "ItemCompleted" || $0.name == "ItemFailed" }.map { $0.name == "ItemCompleted" }
            itemOutcomes = items.indices.map { $0 < perItem.count ? perItem[$0] : nil }
        }
        // Depth first, the batch and everything in it are one run of the flattened calls; the
        // calls around it (a proxy, multisig or sudo holding it) take the extrinsic's outcome.
        let subtree = batch.flattened(callType: callType).count
        let start = all.firstIndex(of: batch) ?? 0
        var result = (all[..<start] + all[(start + subtree)...]).map { DispatchedCall(call: $0, succeeded: outcome) }
        result.append(DispatchedCall(call: batch, succeeded: true))
        for (item, itemOutcome) in zip(items, itemOutcomes) {
            for call in item.flattened(callType: callType) { result.append(DispatchedCall(call: call, succeeded: itemOutcome)) }
        }
        return result
    }
}
