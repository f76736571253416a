import SCALE

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

    public init(
        index: Int, phase: Phase, pallet: String, palletIndex: UInt8, name: String, eventIndex: UInt8,
        fields: [Value.NamedValue], topics: [[UInt8]] = []
    ) {
        self.index = index
        self.phase = phase
        self.pallet = pallet
        self.palletIndex = palletIndex
        self.name = name
        self.eventIndex = eventIndex
        self.fields = fields
        self.topics = topics
    }

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
        recordFields = try Self.recordFieldTypes(metadata)
    }

    /// The types of `EventRecord`'s `phase`, `event` and `topics` fields.
    static func recordFieldTypes(_ metadata: RuntimeMetadata) throws(MetadataError) -> (phase: UInt32, event: UInt32, topics: UInt32) {
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
        return (phase.typeID, event.typeID, topics.typeID)
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

    /// Phase, pallet and event name of every record, with the fields left as bytes: every byte
    /// is still walked, so a malformed record is an error here too.
    public func summarize(_ bytes: [UInt8]) throws(ChainDecodingError) -> [EventSummary] {
        var decoder = SCALEDecoder(bytes)
        let count: Int
        do { count = try decoder.decodeLength(minimumElementSize: 3) } catch { throw ChainDecodingError("System.Events length", error) }
        var summaries = [EventSummary]()
        summaries.reserveCapacity(count)
        for index in 0..<count {
            do throws(SCALEError) {
                let phase = try decodePhase(from: &decoder)
                let eventStart = decoder.position
                guard eventStart + 2 <= bytes.count else {
                    throw SCALEError(.unexpectedEnd(needed: 2, available: bytes.count - eventStart), at: eventStart)
                }
                let names = try eventNames(palletIndex: bytes[eventStart], eventIndex: bytes[eventStart + 1], at: eventStart)
                try values.skip(recordFields.event, in: &decoder)
                let fieldsRange = (eventStart + 2)..<decoder.position
                try values.skip(recordFields.topics, in: &decoder)
                summaries.append(EventSummary(
                    index: index, phase: phase, pallet: names.pallet, palletIndex: bytes[eventStart],
                    name: names.event, eventIndex: bytes[eventStart + 1], fieldsRange: fieldsRange
                ))
            } catch {
                throw ChainDecodingError("System.Events record \(index)", error)
            }
        }
        do { try decoder.expectEnd() } catch { throw ChainDecodingError("System.Events", error) }
        return summaries
    }

    /// Decodes the fields of one summarised event from the same `System.Events` bytes.
    public func fields(of summary: EventSummary, in bytes: [UInt8]) throws(ChainDecodingError) -> [Value.NamedValue] {
        let registry = metadata.types
        guard let pallet = registry.variant(of: recordFields.event, index: summary.palletIndex), pallet.fields.count == 1,
              let event = registry.variant(of: pallet.fields[0].typeID, index: summary.eventIndex),
              summary.fieldsRange.upperBound <= bytes.count
        else {
            throw ChainDecodingError("event \(summary.index)", SCALEError(.invalid("the summary does not fit these bytes"), at: 0))
        }
        var decoder = SCALEDecoder(bytes)
        do throws(SCALEError) {
            try decoder.skip(summary.fieldsRange.lowerBound)
            var fields = [Value.NamedValue]()
            for field in event.fields {
                fields.append(.init(name: field.name, value: try values.decode(field.typeID, from: &decoder)))
            }
            guard decoder.position == summary.fieldsRange.upperBound else {
                throw decoder.error(.invalid("the fields end at \(decoder.position), not \(summary.fieldsRange.upperBound)"))
            }
            return fields
        } catch {
            throw ChainDecodingError("\(summary.pallet).\(summary.name) event \(summary.index)", error)
        }
    }

    private func eventNames(palletIndex: UInt8, eventIndex: UInt8, at offset: Int) throws(SCALEError) -> (pallet: String, event: String) {
        let registry = metadata.types
        guard let pallet = registry.variant(of: recordFields.event, index: palletIndex), pallet.fields.count == 1 else {
            throw SCALEError(.invalid("no pallet with event index \(palletIndex)"), at: offset)
        }
        guard let event = registry.variant(of: pallet.fields[0].typeID, index: eventIndex) else {
            throw SCALEError(.invalid("no event \(eventIndex) in pallet \(pallet.name)"), at: offset + 1)
        }
        return (pallet.name, event.name)
    }

    private func decodePhase(from decoder: inout SCALEDecoder) throws(SCALEError) -> EventRecord.Phase {
        let phaseStart = decoder.position
        let phaseValue = try values.decode(recordFields.phase, from: &decoder)
        switch phaseValue.kind {
        case let .variant(variant) where variant.name == "ApplyExtrinsic":
            guard let extrinsicIndex = variant.fields.first?.value.uint128.flatMap({ UInt32(exactly: $0) }) else {
                throw decoder.error(.invalid("ApplyExtrinsic phase without an index"), at: phaseStart)
            }
            return .applyExtrinsic(extrinsicIndex)
        case let .variant(variant) where variant.name == "Finalization": return .finalization
        case let .variant(variant) where variant.name == "Initialization": return .initialization
        default: throw decoder.error(.invalid("unknown event phase"), at: phaseStart)
        }
    }

    private func decodeRecord(index: Int, from decoder: inout SCALEDecoder) throws(SCALEError) -> EventRecord {
        let phase = try decodePhase(from: &decoder)
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

/// What metrics need of an event, with its fields left as bytes (`EventDecoder.fields(of:in:)`
/// decodes them on demand).
public struct EventSummary: Sendable, Hashable {
    public let index: Int
    public let phase: EventRecord.Phase
    public let pallet: String
    public let palletIndex: UInt8
    public let name: String
    public let eventIndex: UInt8
    /// Where the event's fields lie in the `System.Events` bytes.
    public let fieldsRange: Range<Int>
}
