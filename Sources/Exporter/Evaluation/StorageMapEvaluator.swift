import Substrate

/// `storage_map` definitions: every entry of a map, counted, or a field added up over them
/// (`total`, `data.free`; `*` adds up every element of a list: `unlocking.*.value`). Entries
/// are read page by page at the block's state, so they are evaluated on a schedule.
struct StorageMapEvaluator: Sendable {
    let metadata: RuntimeMetadata
    private let decoder: ValueDecoder

    init(metadata: RuntimeMetadata) {
        self.metadata = metadata
        decoder = ValueDecoder(registry: metadata.types)
    }

    func evaluate(_ definition: MetricDefinition, state: StateReader, tokenDecimals: Int) async throws -> [Sample] {
        guard case let .storageMap(pallet, item, aggregate, field) = definition.source else { return [] }
        func fail(_ message: String) -> DefinitionEvaluator.EvaluationError {
            DefinitionEvaluator.EvaluationError(metric: definition.name, message: "\(pallet).\(item): \(message)")
        }
        guard let entry = metadata.storageEntry(pallet: pallet, item: item) else { throw fail("no such storage item") }
        let prefix: [UInt8]
        do { prefix = try StorageKeyBuilder(metadata: metadata).key(pallet: pallet, item: item) } catch { throw fail("\(error)") }
        var total: UInt128 = 0
        switch aggregate {
        case .count:
            try await state.forEachPage(prefix: prefix) { keys in total += UInt128(keys.count) }
        case .sum:
            try await state.forEachEntries(prefix: prefix) { entries in
                for (key, bytes) in entries {
                    let value: Value
                    do { value = try decoder.decode(entry.valueType, bytes: bytes) } catch { throw fail("entry \(key): \(error)") }
                    guard let numbers = value.integers(at: field) else { throw fail("entry \(key) has no number at \(field ?? "the value")") }
                    for number in numbers {
                        let (sum, overflow) = total.addingReportingOverflow(number)
                        guard !overflow else { throw fail("the sum overflows u128") }
                        total = sum
                    }
                }
            }
        }
        let decimals = aggregate == .sum ? definition.scale.decimals(tokenDecimals: tokenDecimals) : 0
        return [Sample(metric: definition.name, value: SampleValue(total, decimals: decimals))]
    }
}
