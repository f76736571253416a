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

    /// The task's samples from one block's state, and its definitions that gave none (a value
    /// that does not decode, a sum past 128 bits: the data's failures, the same at every try).
    /// A failure of the node (after each request's retries) is thrown: the read may be tried again.
    func evaluate(_ state: StateReader, _ block: BlockContext) async throws -> BlockEvaluation {
        switch work {
        case let .storageMap(evaluator):
            var evaluation = BlockEvaluation()
            for definition in definitions {
                do {
                    evaluation.samples += try await evaluator.evaluate(definition, state: state, tokenDecimals: block.tokenDecimals)
                } catch let error as DefinitionEvaluator.EvaluationError {
                    evaluation.failures.append(error.failure)
                }
            }
            return evaluation
        case let .collector(collector):
            let values: [Sample]
            do {
                values = try await collector.collect(state, block)
            } catch let error as CollectorError {
                return BlockEvaluation(failures: definitions.map { MetricFailure(metric: $0.name, reason: error.reason, message: error.description) })
            }
            var evaluation = BlockEvaluation()
            for definition in definitions {
                do {
                    evaluation.samples += try BoundCollector.samples(values, for: [definition], tokenDecimals: block.tokenDecimals)
                } catch {
                    evaluation.failures.append(MetricFailure(metric: definition.name, reason: error.reason, message: error.description))
                }
            }
            return evaluation
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
