import Logging
import Substrate

/// Scheduled reads while following: storage maps, voter bags and storage sizes are read from
/// the state of the block at which they fall due, in the background, by tasks the follower
/// owns and ends (`stopScheduledWork`).
extension ChainFollower {
    /// Starts what is due at this block among the scheduled work, in the background so blocks
    /// keep flowing while a large map is paged through. Each task runs once at a time; one that
    /// fails is logged, counted and tried again a few blocks later.
    func startScheduledWork(_ runtime: ChainRuntime, context: BlockContext, hash: String) {
        let now = ScheduleClock.Moment(block: context.number, timestampMilliseconds: context.timestampMilliseconds, era: runtime.activeEra(in: context.storage))
        for task in runtime.scheduled where !scheduledInFlight.contains(task.name) {
            let retrying = scheduledRetry[task.name].map { context.number >= $0 } ?? false
            guard retrying || ScheduleClock.isDue(task.sampling, last: scheduledRuns[task.name], now: now) else { continue }
            scheduledRetry[task.name] = nil
            scheduledInFlight.insert(task.name)
            scheduledRuns[task.name] = now
            let (chain, client, registry, metrics, logger, sink) = (chain, client, registry, metrics, logger, sink)
            scheduledTasks[task.name] = Task {
                let started = ContinuousClock.now
                do {
                    let samples = try await task.run(StateReader(client: client, hash: hash), context)
                    try await sink?.write(chain: chain, block: context.number, timeMilliseconds: context.timestampMilliseconds, samples: samples, failures: [])
                    // The block first: a scrape between the two sees the block of values about to show.
                    metrics?.scheduledRead(chain: chain, task: task.name, block: context.number)
                    registry.record(samples, chain: chain, replacing: Set(task.definitions.map(\.name)))
                    metrics?.collectorFinished(chain: chain, collector: task.name, duration: .now - started)
                    self.scheduledFinished(task.name, failed: false, at: context.number)
                } catch where Task.isCancelled {
                    // Stopped (`stopScheduledWork`): tried again when following resumes.
                    self.scheduledFinished(task.name, failed: true, at: context.number)
                } catch {
                    metrics?.error(chain: chain, stage: "scheduled")
                    logger.error("\(chain) block \(context.number): \(task.name): \(error); trying again in \(Self.scheduledRetryBlocks) blocks")
                    self.scheduledFinished(task.name, failed: true, at: context.number)
                }
            }
        }
    }

    /// A failed scheduled read is tried again this many blocks later (a node that refuses it
    /// would otherwise be asked at every block).
    static let scheduledRetryBlocks: UInt64 = 10

    /// Cancels the scheduled reads in flight and waits for them to end: once it returns, this
    /// follower writes nothing more to the store or the registry.
    public func stopScheduledWork() async {
        let running = Array(scheduledTasks.values)
        for task in running { task.cancel() }
        for task in running { await task.value }
    }

    private func scheduledFinished(_ name: String, failed: Bool, at block: UInt64) {
        scheduledTasks[name] = nil
        scheduledInFlight.remove(name)
        if failed { scheduledRetry[name] = block + Self.scheduledRetryBlocks }
    }
}
