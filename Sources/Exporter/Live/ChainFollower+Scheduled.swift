import Logging
import Substrate

/// Scheduled reads while following: storage maps, voter bags and storage sizes, read from the
/// state of each block their schedule names (`ScheduledReads` decides which, and when) and
/// stored at that block, in the background, by tasks the follower owns and ends
/// (`stopScheduledWork`).
extension ChainFollower {
    /// What a scheduled read reads: a block's state, and the runtime that describes it.
    struct ScheduledBlock: Sendable {
        let hash: String
        let context: BlockContext
        let runtime: ChainRuntime
    }

    typealias PendingRead = ScheduledReads<ScheduledBlock>.Pending

    /// Starts the reads this block brings, in the background so blocks keep flowing while a
    /// large map is paged through.
    func startScheduledWork(_ runtime: ChainRuntime, context: BlockContext, hash: String) {
        let (start, givenUp) = scheduledReads.block(
            runtime.scheduleMoment(context), tasks: runtime.scheduled.map { ($0.name, $0.sampling) }, read: ScheduledBlock(hash: hash, context: context, runtime: runtime))
        for pending in givenUp { giveUp(pending, because: "\(ScheduledReads<ScheduledBlock>.waitingLimit) later reads of it were waiting") }
        for pending in start { run(pending) }
        for task in runtime.scheduled { metrics?.scheduledPending(chain: chain, task: task.name, reads: scheduledReads.pending(task.name)) }
    }

    private func run(_ pending: PendingRead) {
        guard let task = pending.read.runtime.scheduled.first(where: { $0.name == pending.task }) else { return }
        let (chain, client, registry, metrics, logger, sink) = (chain, client, registry, metrics, logger, sink)
        let (block, runtime) = (pending.read.context, pending.read.runtime)
        scheduledTasks[task.name] = Task {
            let started = ContinuousClock.now
            do {
                let evaluation = try await task.evaluate(StateReader(client: client, hash: pending.read.hash), block)
                if pending.stored {
                    try await sink?.write(
                        chain: chain, block: block.number, timeMilliseconds: block.timestampMilliseconds, samples: evaluation.samples, failures: evaluation.failures)
                }
                self.recordFailures(evaluation.failures, block: block.number, runtime: runtime)
                // The block first: a scrape between the two sees the block of values about to show.
                metrics?.scheduledRead(chain: chain, task: task.name, block: block.number)
                registry.record(evaluation.samples, chain: chain, replacing: Set(task.definitions.map(\.name)))
                metrics?.collectorFinished(chain: chain, collector: task.name, duration: .now - started)
                self.scheduledFinished(pending, nodeFailed: false)
            } catch where Task.isCancelled {
                // Stopped (`stopScheduledWork`): nothing more is written.
                self.scheduledFinished(pending, nodeFailed: true)
            } catch {
                metrics?.error(chain: chain, stage: "scheduled")
                logger.error("""
                    \(chain) block \(block.number): \(task.name): \(error); read again in \(ScheduledReads<ScheduledBlock>.retryBlocks) blocks \
                    (attempt \(pending.attempts + 1) of \(ScheduledReads<ScheduledBlock>.attempts))
                    """)
                self.scheduledFinished(pending, nodeFailed: true)
            }
        }
    }

    /// Cancels the scheduled reads in flight and waits for them to end: once it returns, this
    /// follower writes nothing more to the store or the registry.
    public func stopScheduledWork() async {
        let running = Array(scheduledTasks.values)
        for task in running { task.cancel() }
        for task in running { await task.value }
    }

    private func scheduledFinished(_ pending: PendingRead, nodeFailed: Bool) {
        scheduledTasks[pending.task] = nil
        if scheduledReads.finished(pending, nodeFailed: nodeFailed, at: processedHead ?? pending.block) {
            giveUp(pending, because: "the node failed it \(ScheduledReads<ScheduledBlock>.attempts) times")
        }
        metrics?.scheduledPending(chain: chain, task: pending.task, reads: scheduledReads.pending(pending.task))
    }

    /// A due read that will not be made: said and counted, so the gap it leaves in the store is known.
    private func giveUp(_ pending: PendingRead, because reason: String) {
        guard pending.stored else { return }
        metrics?.error(chain: chain, stage: "scheduled")
        logger.error("\(chain) block \(pending.block): \(pending.task) is not read at this block: \(reason); its values there are missing from the store")
    }
}
