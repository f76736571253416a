public import SCALE

/// One entry of `System.Events`: when it happened, which pallet emitted which event, and its fields.
public struct EventRecord: Sendable {
    public enum Phase: Sendable, Hashable, CustomStringConvertible {
        /// During the extrinsic with this index.
        case applyExtrinsic(UInt32)
        case finalization
        case initialization

        /// `ApplyExtrinsic:3`, `Finalization`, `Initialization`.
        public var description: String {
            switch self {
            case let .applyExtrinsic(index): "ApplyExtrinsic:\(index)"
            case .finalization: "Finalization"
            case .initialization: "Initialization"
            }
        }
    }

    public let index: Int
    public let phase: Phase
    public let pallet: String
    public let palletIndex: UInt8
    public let name: String
    public let eventIndex: UInt8
    public let fields: [Value.NamedValue]
    public let topics: [[UInt8]]

    public func field(_ name: String) -> Value? {
        fields.first { $0.name == name }?.value
    }
}

/// Decodes the `System.Events` storage value (`Vec<EventRecord>`) with one runtime's metadata.
public struct EventDecoder: Sendable {
    public let metadata: RuntimeMetadata
    private let values: ValueDecoder
    private let recordFields: (phase: UInt32, event: UInt32, topics: UInt32)

    public init(metadata: RuntimeMetadata) throws(MetadataError) {
        self.metadata = metadata
        values = ValueDecoder(registry: metadata.types)
        let registry = metadata.types
        guard let entry = metadata.storageEntry(pallet: "System", item: "Events"),
              case let .sequence(recordType)? = registry[entry.valueType]?.definition,
              case let .composite(fields)? = registry[recordType]?.definition,
              let phase = fields.first(where: { $0.name == "phase" }),
              let event = fields.first(where: { $0.name == "event" }),
              let topics = fields.first(where: { $0.name == "topics" })
        else {
            throw MetadataError.incomplete("System.Events is not a Vec<EventRecord { phase, event, topics }>")
        }
        recordFields = (phase.typeID, event.typeID, topics.typeID)
    }

    public func decode(_ bytes: [UInt8]) throws(ChainDecodingError) -> [EventRecord] {
        var decoder = SCALEDecoder(bytes)
        let count: Int
        do { count = try decoder.decodeLength(minimumElementSize: 3) } catch { throw ChainDecodingError("System.Events length", error) }
        var records = [EventRecord]()
        records.reserveCapacity(count)
        for index in 0..<count {
            do {
                records.append(try decodeRecord(index: index, from: &decoder))
            } catch {
                throw ChainDecodingError("System.Events record \(index)", error)
            }
        }
        do { try decoder.expectEnd() } catch { throw ChainDecodingError("System.Events", error) }
        return records
    }

    private func decodeRecord(index: Int, from decoder: inout SCALEDecoder) throws(SCALEError) -> EventRecord {
        let phaseStart = decoder.position
        let phaseValue = try values.decode(recordFields.phase, from: &decoder)
        let phase: EventRecord.Phase
        switch phaseValue.kind {
        case let .variant(variant) where variant.name == "ApplyExtrinsic":
            guard let extrinsicIndex = variant.fields.first?.value.uint128.flatMap({ UInt32(exactly: $0) }) else {
                throw decoder.error(.invalid("ApplyExtrinsic phase without an index"), at: phaseStart)
            }
            phase = .applyExtrinsic(extrinsicIndex)
        case let .variant(variant) where variant.name == "Finalization": phase = .finalization
        case let .variant(variant) where variant.name == "Initialization": phase = .initialization
        default: throw decoder.error(.invalid("unknown event phase"), at: phaseStart)
        }

        let eventStart = decoder.position
        let eventValue = try values.decode(recordFields.event, from: &decoder)
        guard case let .variant(palletVariant) = eventValue.kind, palletVariant.fields.count == 1,
              case let .variant(eventVariant) = palletVariant.fields[0].value.kind
        else {
            throw decoder.error(.invalid("the event is not a pallet/event variant pair"), at: eventStart)
        }
        let topicsValue = try values.decode(recordFields.topics, from: &decoder)
        var topics = [[UInt8]]()
        if case let .sequence(items) = topicsValue.kind { topics = items.compactMap(\.bytes) }
        return EventRecord(
            index: index, phase: phase, pallet: palletVariant.name, palletIndex: palletVariant.index,
            name: eventVariant.name, eventIndex: eventVariant.index, fields: eventVariant.fields, topics: topics
        )
    }
}
