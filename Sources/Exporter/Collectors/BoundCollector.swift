import ExactJSON
import Substrate

/// A collector bound to one runtime with the definitions that take its values: turns its
/// named values into those definitions' samples (labels kept or added up, scale applied).
struct BoundCollector: Sendable {
    let name: String
    let collector: any Collector
    let definitions: [MetricDefinition]

    /// Binds every collector the definitions name; each is bound once, whatever the number of
    /// definitions taking its values. Definitions were checked against the runtime before.
    static func bind(_ definitions: [MetricDefinition], metadata: RuntimeMetadata) throws(CollectorError) -> [BoundCollector] {
        var byName = [(String, JSON, [MetricDefinition])]()
        for definition in definitions {
            guard case let .collector(name, _, options) = definition.source else { continue }
            if let index = byName.firstIndex(where: { $0.0 == name }) { byName[index].2.append(definition) } else { byName.append((name, options, [definition])) }
        }
        var bound = [BoundCollector]()
        // Bound with the options of the first definition taking its values.
        for (name, options, users) in byName {
            guard let spec = CollectorCatalog.spec(named: name), case let .bound(collector) = try spec.bind(metadata, options: options) else { continue }
            bound.append(BoundCollector(name: name, collector: collector, definitions: users))
        }
        return bound
    }

    /// The definitions' samples and failures at this block: when the collector fails, or its
    /// values add up past 128 bits, each definition taking them fails with it.
    func evaluate(_ block: BlockContext) -> BlockEvaluation {
        if let undecoded = block.undecoded.reason(reading: collector.blockParts) {
            return BlockEvaluation(failures: definitions.map { MetricFailure(metric: $0.name, reason: .blockUndecodable, message: "block \(block.number): \(undecoded)") })
        }
        do {
            return BlockEvaluation(samples: try Self.samples(try collector.collect(block), for: definitions, tokenDecimals: block.tokenDecimals))
        } catch {
            return BlockEvaluation(failures: definitions.map { MetricFailure(metric: $0.name, reason: error.reason, message: "block \(block.number): \(error)") })
        }
    }

    /// The samples of `definitions` (each taking one value of a collector) from its values.
    static func samples(_ values: [Sample], for definitions: [MetricDefinition], tokenDecimals: Int) throws(CollectorError) -> [Sample] {
        var samples = [Sample]()
        for definition in definitions {
            guard case let .collector(_, value, _) = definition.source else { continue }
            // Labels a definition leaves out are added up over.
            var totals = [[Sample.Label]: UInt128]()
            for sample in values where sample.metric == value {
                let labels = sample.labels.filter { definition.labels.contains($0.name) }
                let (sum, overflow) = totals[labels, default: 0].addingReportingOverflow(sample.value.integer)
                guard !overflow else { throw CollectorError(collector: definition.name, message: "\(value) adds up past 2^128", reason: .overflow) }
                totals[labels] = sum
            }
            let decimals = definition.scale.decimals(tokenDecimals: tokenDecimals)
            for (labels, total) in totals.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
                samples.append(Sample(metric: definition.name, labels: labels, value: SampleValue(total, decimals: decimals)))
            }
        }
        return samples
    }
}
