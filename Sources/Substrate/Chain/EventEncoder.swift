import SCALE

/// Encodes `System.Events` values (`Vec<EventRecord>`) for one runtime: the inverse of
/// `EventDecoder.decode`. Pallets and events are found by name.
public struct EventEncoder: Sendable {
    public let metadata: RuntimeMetadata
    private let values: ValueEncoder
    private let recordFields: (phase: UInt32, event: UInt32, topics: UInt32)

    public init(metadata: RuntimeMetadata) throws(MetadataError) {
        self.metadata = metadata
        values = ValueEncoder(registry: metadata.types)
        recordFields = try EventDecoder.recordFieldTypes(metadata)
    }

    public struct EncodingError: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    public func encode(_ records: [EventRecord]) throws(EncodingError) -> [UInt8] {
        var encoder = SCALEEncoder()
        encoder.encodeLength(records.count)
        for (position, record) in records.enumerated() {
            do {
                try values.encode(phaseValue(record.phase), as: recordFields.phase, into: &encoder)
                let event = Value.variant(
                    record.pallet, index: record.palletIndex,
                    [.init(name: nil, value: .variant(record.name, index: record.eventIndex, record.fields))]
                )
                try values.encode(event, as: recordFields.event, into: &encoder)
                try values.encode(Value(.sequence(record.topics.map { .bytes($0) })), as: recordFields.topics, into: &encoder)
            } catch {
                throw EncodingError(description: "event \(position) (\(record.pallet).\(record.name)): \(error)")
            }
        }
        return encoder.bytes
    }

    private func phaseValue(_ phase: EventRecord.Phase) -> Value {
        switch phase {
        case let .applyExtrinsic(index): .variant("ApplyExtrinsic", index: 0, [.init(name: nil, value: .primitive(.u32(index)))])
        case .finalization: .variant("Finalization", index: 1)
        case .initialization: .variant("Initialization", index: 2)
        }
    }
}
