import ExactJSON
import Logging
import Substrate
import SubstrateRPC

/// A chain's runtimes by spec version, each fetched once, for following and history alike: the
/// runtime in a block's state executes its child, so a block's runtime is asked for at its parent.
struct RuntimeCache: Sendable {
    /// Following checks its first runtime strictly (a definition for an item the chain runs
    /// without is an error) and asks once, failing over to its plan; history takes every
    /// runtime as past and retries each request.
    enum Use: Sendable {
        case following, history
    }

    let chain: String
    let client: SubstrateRPCClient
    let definitions: [MetricDefinition]
    let use: Use
    let logger: Logger
    private var bySpec: [UInt32: ChainRuntime] = [:]

    init(chain: String, client: SubstrateRPCClient, definitions: [MetricDefinition], use: Use, logger: Logger) {
        (self.chain, self.client, self.definitions, self.use, self.logger) = (chain, client, definitions, use, logger)
    }

    /// The runtime in the state of the block `parentHash` names, which executes `block` (its child).
    mutating func runtime(atParent parentHash: String, block: UInt64? = nil) async throws -> ChainRuntime {
        let client = client
        let version = try await ask { try await client.stateGetRuntimeVersion(at: parentHash) }
        guard let spec = version["specVersion"]?.uint64Value.flatMap({ UInt32(exactly: $0) }) else {
            throw NodeAnswerError.noSpecVersion(block: block, parentHash: parentHash)
        }
        if let known = bySpec[spec] { return known }
        let metadata = try RuntimeMetadata.decode(hex: try await ask { try await client.newestMetadata(at: parentHash) })
        let runtime = try ChainRuntime(specVersion: spec, metadata: metadata, definitions: definitions, strict: use == .following && bySpec.isEmpty)
        let named = use == .following ? "skipped for runtime \(spec)" : "history of runtime \(spec): skipped"
        if let pallets = runtime.skippedForPallets { logger.info("\(chain): \(named): \(pallets)") }
        for reason in runtime.skipped { logger.warning("\(chain): \(named): \(reason)") }
        if use == .following {
            let from = block.map { " from block \($0)" } ?? ""
            logger.info("\(chain): runtime \(metadata.runtimeVersion?.specName ?? "?") \(spec)\(from), \(runtime.definitions.count) of \(definitions.count) definitions apply")
        }
        bySpec[spec] = runtime
        return runtime
    }

    private func ask<T>(_ request: () async throws -> T) async throws -> T {
        use == .history ? try await Retry.step(request) : try await request()
    }
}
