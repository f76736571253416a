import ExactJSON
import Substrate

/// What one runtime makes of one block, wherever the block comes from (followed live now,
/// loaded from history later): its context from what was fetched, the keys collectors choose
/// from its values, and the samples of every definition and collector.
extension ChainRuntime {
    /// The block decoded with this runtime, and its context for the definitions.
    func context(
        number: UInt64, blockJSON: JSON, storage: [String: [UInt8]?], tokenDecimals: Int, parentTimestampMilliseconds: UInt64?,
        previousSpecVersion: UInt32?
    ) throws -> (context: BlockContext, header: BlockHeader?) {
        let decoded = try DecodedBlock.decode(blockJSON: blockJSON, eventsBytes: storage[eventsKey] ?? nil, metadata: metadata)
        let context = BlockContext(
            number: number, metadata: metadata, tokenDecimals: tokenDecimals, timestampMilliseconds: decoded.timestampMilliseconds,
            parentTimestampMilliseconds: parentTimestampMilliseconds, extrinsics: decoded.extrinsics ?? [], events: decoded.events ?? [],
            storage: storage, runtimeUpgraded: previousSpecVersion.map { $0 != specVersion } ?? false
        )
        return (context, decoded.header)
    }

    /// Keys the collectors read next, chosen from the block's values (each pool's entries…).
    func followUpKeys(_ context: BlockContext) throws(CollectorError) -> [String] {
        var keys = [String]()
        for bound in collectors { keys += try bound.collector.followUpKeys(context) }
        return keys
    }

    /// Keys to read along with later blocks' first query (`Collector.predictedKeys`).
    func predictedKeys(_ context: BlockContext) throws(CollectorError) -> [String] {
        var keys = [String]()
        for bound in collectors { keys += try bound.collector.predictedKeys(context) }
        return keys
    }

    /// The samples of every definition and per-block collector; `timing` hears how long each
    /// took (`definitions` for all declarative ones together).
    func samples(_ context: BlockContext, timing: (String, Duration) -> Void = { _, _ in }) throws -> [Sample] {
        var samples = [Sample]()
        let started = ContinuousClock.now
        // By index: a for-in over the array copies each definition (a dozen references) per block.
        for index in definitions.indices { samples += try evaluator.evaluate(definitions[index], in: context) }
        timing("definitions", .now - started)
        for bound in collectors {
            let started = ContinuousClock.now
            samples += bound.samples(try bound.collector.collect(context), tokenDecimals: context.tokenDecimals)
            timing(bound.name, .now - started)
        }
        return samples
    }

    /// The samples that need the parent block's timestamp (block time). `samples(_:)` of a
    /// context without that timestamp leaves them out, so history evaluates blocks out of order,
    /// in parallel, and adds these once the blocks are in order.
    func parentTimedSamples(_ context: BlockContext) throws -> [Sample] {
        var samples = [Sample]()
        for index in definitions.indices where definitions[index].needsParentTimestamp { samples += try evaluator.evaluate(definitions[index], in: context) }
        return samples
    }
}

extension MetricDefinition {
    /// Whether its samples need the parent block's timestamp as well as the block's own.
    var needsParentTimestamp: Bool {
        if case .header(.blockTime) = source { true } else { false }
    }
}
