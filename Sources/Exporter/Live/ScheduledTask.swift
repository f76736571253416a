import Substrate

/// What is read with calls of its own at the blocks its schedule picks, not at every block: a
/// `storage_map` definition (every entry of a map) or a scheduled collector with the
/// definitions taking its values.
struct ScheduledTask: Sendable {
    enum Work: Sendable {
        case storageMap(StorageMapEvaluator)
        case collector(any ScheduledCollector)
    }

    /// The definition's name, or the collector's.
    let name: String
    let sampling: MetricDefinition.Sampling
    let definitions: [MetricDefinition]
    let work: Work

    func run(_ state: StateReader, _ block: BlockContext) async throws -> [Sample] {
        switch work {
        case let .storageMap(evaluator):
            var samples = [Sample]()
            for definition in definitions { samples += try await evaluator.evaluate(definition, state: state, tokenDecimals: block.tokenDecimals) }
            return samples
        case let .collector(collector):
            return try BoundCollector.samples(try await collector.collect(state, block), for: definitions, tokenDecimals: block.tokenDecimals)
        }
    }

    /// The scheduled work among definitions that apply to a runtime.
    static func tasks(_ definitions: [MetricDefinition], metadata: RuntimeMetadata) throws(CollectorError) -> [ScheduledTask] {
        var tasks = [ScheduledTask]()
        let maps = StorageMapEvaluator(metadata: metadata)
        for definition in definitions {
            switch definition.source {
            case .storageMap:
                tasks.append(ScheduledTask(name: definition.name, sampling: definition.sampling, definitions: [definition], work: .storageMap(maps)))
            case let .collector(name, _, options):
                if let index = tasks.firstIndex(where: { $0.name == name }) {
                    tasks[index] = ScheduledTask(name: name, sampling: tasks[index].sampling, definitions: tasks[index].definitions + [definition], work: tasks[index].work)
                } else if let spec = CollectorCatalog.spec(named: name), case let .scheduled(collector) = try spec.bind(metadata, options: options) {
                    tasks.append(ScheduledTask(name: name, sampling: definition.sampling, definitions: [definition], work: .collector(collector)))
                }
            default:
                continue
            }
        }
        return tasks
    }
}

/// When scheduled work is due: every N blocks, at the first block of each hour or day (by the
/// blocks' own timestamps), or of each era.
struct ScheduleClock {
    struct Moment: Sendable {
        let block: UInt64
        let timestampMilliseconds: UInt64?
        let era: UInt32?
    }

    static func isDue(_ sampling: MetricDefinition.Sampling, last: Moment?, now: Moment) -> Bool {
        guard let last else { return true }
        func period(_ milliseconds: UInt64, blocksWithoutTime: UInt64) -> Bool {
            guard let then = last.timestampMilliseconds, let time = now.timestampMilliseconds else { return now.block >= last.block + blocksWithoutTime }
            return time / milliseconds != then / milliseconds
        }
        switch sampling {
        case let .everyBlocks(blocks): return now.block >= last.block + UInt64(max(blocks, 1))
        case .schedule(.hourly): return period(3_600_000, blocksWithoutTime: 600)
        case .schedule(.daily): return period(86_400_000, blocksWithoutTime: 14_400)
        case .schedule(.era):
            guard let era = now.era, let then = last.era else { return period(86_400_000, blocksWithoutTime: 14_400) }
            return era != then
        }
    }
}
