import ExactJSON
import SCALE
import Substrate
import SubstrateRPC

/// What one runtime makes of one block, wherever the block comes from (followed live now,
/// loaded from history later): its context from what was fetched, the keys collectors choose
/// from its values, and the samples of every definition and collector, each evaluated on its
/// own, so that one that fails costs its own sample only.
extension ChainRuntime {
    /// The block decoded with this runtime, and its context for the definitions. Extrinsics or
    /// events that do not decode leave the context without them (`undecoded` says why): the
    /// metrics reading them fail for this block, the others are evaluated. A block without a
    /// readable header is not a block: that throws, as an answer of the node to ask again.
    func context(
        number: UInt64, blockJSON: JSON, storage: [String: [UInt8]?], tokenDecimals: Int, parentTimestampMilliseconds: UInt64?,
        previousSpecVersion: UInt32?
    ) throws -> (context: BlockContext, header: BlockHeader?) {
        var undecoded = UndecodedParts()
        let body: DecodedBlock
        do {
            body = try DecodedBlock.decode(blockJSON: blockJSON, eventsBytes: nil, metadata: metadata)
        } catch {
            let headerJSON = (blockJSON["block"] ?? blockJSON)["header"]
            guard let headerJSON, let header = try? BlockHeader(json: headerJSON) else { throw error }
            undecoded.extrinsics = error.description
            body = DecodedBlock(header: header, extrinsics: nil, events: nil)
        }
        var events = [EventRecord]()
        if let bytes = storage[eventsKey] ?? nil {
            do {
                events = try DecodedBlock.decode(blockJSON: nil, eventsBytes: bytes, metadata: metadata).events ?? []
            } catch {
                undecoded.events = error.description
            }
        }
        let context = BlockContext(
            number: number, metadata: metadata, tokenDecimals: tokenDecimals, timestampMilliseconds: body.timestampMilliseconds,
            parentTimestampMilliseconds: parentTimestampMilliseconds, extrinsics: body.extrinsics ?? [], events: events,
            storage: storage, runtimeUpgraded: previousSpecVersion.map { $0 != specVersion } ?? false, undecoded: undecoded
        )
        return (context, body.header)
    }

    /// Keys the collectors read next, chosen from the block's values (each pool's entries…).
    /// A collector that cannot choose them fails when it collects, with the same error.
    func followUpKeys(_ context: BlockContext) -> [String] {
        var keys = [String]()
        for bound in collectors { keys += (try? bound.collector.followUpKeys(context)) ?? [] }
        return keys
    }

    /// Keys to read along with later blocks' first query (`Collector.predictedKeys`).
    func predictedKeys(_ context: BlockContext) -> [String] {
        var keys = [String]()
        for bound in collectors { keys += (try? bound.collector.predictedKeys(context)) ?? [] }
        return keys
    }

    /// The samples of every definition and per-block collector, and the failures of those that
    /// gave none; `timing` hears how long each took (`definitions` for all declarative ones together).
    func evaluate(_ context: BlockContext, timing: (String, Duration) -> Void = { _, _ in }) -> BlockEvaluation {
        var evaluation = BlockEvaluation()
        let started = ContinuousClock.now
        // By index: a for-in over the array copies each definition (a dozen references) per block.
        for index in definitions.indices { evaluate(definitions[index], in: context, into: &evaluation) }
        timing("definitions", .now - started)
        for bound in collectors {
            let started = ContinuousClock.now
            let collected = bound.evaluate(context)
            evaluation.samples += collected.samples
            evaluation.failures += collected.failures
            timing(bound.name, .now - started)
        }
        return evaluation
    }

    /// The samples that need the parent block's timestamp (block time). `evaluate(_:)` of a
    /// context without that timestamp leaves them out, so history evaluates blocks out of order,
    /// in parallel, and adds these once the blocks are in order.
    func parentTimedEvaluation(_ context: BlockContext) -> BlockEvaluation {
        var evaluation = BlockEvaluation()
        for index in definitions.indices where definitions[index].needsParentTimestamp { evaluate(definitions[index], in: context, into: &evaluation) }
        return evaluation
    }

    private func evaluate(_ definition: MetricDefinition, in context: BlockContext, into evaluation: inout BlockEvaluation) {
        do {
            evaluation.samples += try evaluator.evaluate(definition, in: context)
        } catch {
            evaluation.failures.append(error.failure)
        }
    }
}

extension MetricDefinition {
    /// Whether its samples need the parent block's timestamp as well as the block's own.
    var needsParentTimestamp: Bool {
        if case .header(.blockTime) = source { true } else { false }
    }
}

extension ChainRuntime {
    /// A block as following and history both read it: its body and the values answered for its
    /// keys, decoded with this runtime, then the keys its collectors choose from those values
    /// (listed and read in one more query). A header that does not read is a damaged answer.
    /// Returns the block's context, its header and the keys chosen (following reads them along
    /// with the next block's).
    func read(
        _ number: UInt64, hash: String, blockJSON: JSON, values: [String: String?], tokenDecimals: Int, parentTimestampMilliseconds: UInt64?,
        previousSpecVersion: UInt32?, client: SubstrateRPCClient
    ) async throws -> (context: BlockContext, header: BlockHeader?, chosenKeys: [String]) {
        var storage = [String: [UInt8]?]()
        for (key, value) in values { storage[key] = value.flatMap { Hex.decode($0) } }
        var (context, header): (BlockContext, BlockHeader?)
        do {
            (context, header) = try self.context(
                number: number, blockJSON: blockJSON, storage: storage, tokenDecimals: tokenDecimals,
                parentTimestampMilliseconds: parentTimestampMilliseconds, previousSpecVersion: previousSpecVersion)
        } catch {
            throw NodeAnswerError.unreadableHeader(block: number, hash: hash, reason: "\(error)")
        }
        let chosen = try await readChosenKeys(&context, client: client, hash: hash, parentHash: header.map { Hex.encode($0.parentHash) })
        return (context, header, chosen)
    }
}
