import SCALE

// RuntimeMetadataV16 (frame-metadata 23): deprecation records on most items, pallet associated
// types and view functions, several extrinsic versions with per-version transaction extensions,
// and versioned runtime APIs.

extension RuntimeMetadata {
    static func decodeV16(_ decoder: inout SCALEDecoder) throws(MetadataError) -> RuntimeMetadata {
        try translatingErrors {
            let registry = try TypeRegistry(types: try decoder.decodeTypeRegistry())
            let pallets = try decoder.decodeVector(minimumElementSize: 10) { (d: inout SCALEDecoder) throws(SCALEError) in
                let name = try d.decodeString()
                let storage = try d.decodePalletStorage(deprecationInfo: true)
                let calls = try d.decodePalletEnumType(deprecationInfo: true)
                let event = try d.decodePalletEnumType(deprecationInfo: true)
                let constants = try d.decodeConstants(deprecationInfo: true)
                let error = try d.decodePalletEnumType(deprecationInfo: true)
                let associatedTypes = try d.decodeVector(minimumElementSize: 3) { (d: inout SCALEDecoder) throws(SCALEError) in
                    let associated = AssociatedTypeMetadata(name: try d.decodeString(), typeID: try d.decodeTypeID())
                    _ = try d.decodeStrings()
                    return associated
                }
                let viewFunctions = try d.decodeVector(minimumElementSize: 36) { (d: inout SCALEDecoder) throws(SCALEError) in
                    let id = try d.readBytes(32)
                    let function = ViewFunctionMetadata(
                        name: try d.decodeString(), id: id, inputs: try d.decodeParameters(), output: try d.decodeTypeID()
                    )
                    _ = try d.decodeStrings()
                    try d.skipItemDeprecationInfo()
                    return function
                }
                let index = try d.readByte()
                let docs = try d.decodeStrings()
                try d.skipItemDeprecationInfo()
                return PalletMetadata(
                    name: name, index: index, storage: storage, callType: calls, eventType: event, errorType: error,
                    constants: constants, docs: docs, associatedTypes: associatedTypes, viewFunctions: viewFunctions
                )
            }
            let versions = try decoder.decodeByteVector()
            let address = try decoder.decodeTypeID()
            let call = try decoder.decodeTypeID()
            let signature = try decoder.decodeTypeID()
            let byVersion = try decoder.decodeVector(minimumElementSize: 2) { (d: inout SCALEDecoder) throws(SCALEError) in
                let version = try d.readByte()
                let positions = try d.decodeVector { (d: inout SCALEDecoder) throws(SCALEError) in
                    Int(try d.decodeCompact(UInt32.self))
                }
                return (version, positions)
            }
            let extensions = try decoder.decodeTransactionExtensions()
            let tail = try decoder.decodeMetadataTail(v16: true)
            return RuntimeMetadata(
                version: 16, types: registry, pallets: pallets,
                extrinsic: ExtrinsicMetadata(
                    versions: versions, addressType: address, callType: call, signatureType: signature,
                    transactionExtensions: extensions,
                    extensionsByVersion: Dictionary(byVersion, uniquingKeysWith: { _, last in last })
                ),
                outerEnums: tail.outerEnums, apis: tail.apis, custom: tail.custom
            )
        }
    }
}
