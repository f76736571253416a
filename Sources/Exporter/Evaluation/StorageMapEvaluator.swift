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
                    guard let numbers = Self.numbers(value, path: field ?? "") else { throw fail("entry \(key) has no number at \(field ?? "the value")") }
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

    /// The integers at `path` (first alternative of `a|b` that resolves); `*` takes every
    /// element of a list. Nil when the path does not lead to integers.
    static func numbers(_ value: Value, path: String) -> [UInt128]? {
        for alternative in path.split(separator: "|", omittingEmptySubsequences: false) {
            if let found = numbers(value, components: alternative.split(separator: ".").map(String.init)[...]) { return found }
        }
        return nil
    }

    private static func numbers(_ value: Value, components: ArraySlice<String>) -> [UInt128]? {
        guard let first = components.first else {
            var current = value
            for _ in 0..<8 {
                if let number = current.uint128 { return [number] }
                if current.variantName == "None" { return [] }
                guard let inner = current.unwrappedNewtype else { return nil }
                current = inner
            }
            return nil
        }
        if first == "*" {
            var list = value
            while let inner = list.unwrappedNewtype, inner != list { list = inner }
            guard case let .sequence(items) = list.kind else { return nil }
            var all = [UInt128]()
            for item in items {
                guard let found = numbers(item, components: components.dropFirst()) else { return nil }
                all += found
            }
            return all
        }
        guard let child = value.value(at: first) else { return nil }
        return numbers(child, components: components.dropFirst())
    }
}
