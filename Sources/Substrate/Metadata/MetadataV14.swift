import SCALE

// RuntimeMetadataV14 (frame-metadata): types, pallets, extrinsic { ty, version, signed_extensions }, ty.
// V14 names no outer enums: the call type is a type parameter of the extrinsic type, and the event
// type is found through the `System.Events` storage entry.

extension RuntimeMetadata {
    static func decodeV14(_ decoder: inout SCALEDecoder) throws(MetadataError) -> RuntimeMetadata {
        try translatingErrors {
            let registry = try TypeRegistry(types: try decoder.decodeTypeRegistry())
            let pallets = try decoder.decodeVector(minimumElementSize: 6) { (d: inout SCALEDecoder) throws(SCALEError) in
                try d.decodePalletV14Layout(withDocs: false)
            }
            let extrinsicType = try decoder.decodeTypeID()
            let version = try decoder.readByte()
            let extensions = try decoder.decodeTransactionExtensions()
            _ = try decoder.decodeTypeID()  // the runtime type itself

            let parameters = Dictionary(
                (registry[extrinsicType]?.parameters ?? []).compactMap { p in p.typeID.map { (p.name, $0) } },
                uniquingKeysWith: { first, _ in first }
            )
            guard let address = parameters["Address"], let call = parameters["Call"],
                  let signature = parameters["Signature"]
            else {
                throw MetadataError.incomplete("the extrinsic type \(extrinsicType) does not name its Address, Call and Signature types")
            }
            let event = try eventEnumType(pallets: pallets, registry: registry)
            return RuntimeMetadata(
                version: 14, types: registry, pallets: pallets,
                extrinsic: ExtrinsicMetadata(
                    versions: [version & 0x7F], addressType: address, callType: call, signatureType: signature,
                    transactionExtensions: extensions, extensionsByVersion: [:]
                ),
                outerEnums: OuterEnums(callType: call, eventType: event, errorType: nil),
                apis: [], custom: [:]
            )
        }
    }

    /// `System.Events: Vec<EventRecord<RuntimeEvent, Hash>>` → `RuntimeEvent`.
    private static func eventEnumType(pallets: [PalletMetadata], registry: TypeRegistry) throws(MetadataError) -> UInt32 {
        let events = pallets.first { $0.name == "System" }?.storage?.entry(named: "Events")
        guard let events, let vec = registry[events.valueType], case let .sequence(recordType) = vec.definition,
              let record = registry[recordType], case let .composite(fields) = record.definition,
              let eventField = fields.first(where: { $0.name == "event" })
        else {
            throw MetadataError.incomplete("no System.Events storage entry of type Vec<EventRecord>")
        }
        return eventField.typeID
    }
}
