import SCALE

// RuntimeMetadataV15 (frame-metadata): pallets gain docs; the extrinsic names its address, call,
// signature and extra types; runtime APIs, outer enums and custom values are new.

extension RuntimeMetadata {
    static func decodeV15(_ decoder: inout SCALEDecoder) throws(MetadataError) -> RuntimeMetadata {
        do {
            let registry = try TypeRegistry(types: try decoder.decodeTypeRegistry())
            let pallets = try decoder.decodeVector(minimumElementSize: 7) { (d: inout SCALEDecoder) throws(SCALEError) in
                let name = try d.decodeString()
                let storage = try d.decodePalletStorage(deprecationInfo: false)
                let calls = try d.decodeOptionalTypeID()
                let event = try d.decodeOptionalTypeID()
                let constants = try d.decodeConstants(deprecationInfo: false)
                let error = try d.decodeOptionalTypeID()
                let index = try d.readByte()
                let docs = try d.decodeStrings()
                return PalletMetadata(
                    name: name, index: index, storage: storage, callType: calls, eventType: event, errorType: error,
                    constants: constants, docs: docs, associatedTypes: [], viewFunctions: []
                )
            }
            let version = try decoder.readByte()
            let address = try decoder.decodeTypeID()
            let call = try decoder.decodeTypeID()
            let signature = try decoder.decodeTypeID()
            _ = try decoder.decodeTypeID()  // extra: the tuple of extension types
            let extensions = try decoder.decodeVector(minimumElementSize: 3) { (d: inout SCALEDecoder) throws(SCALEError) in
                TransactionExtensionMetadata(
                    identifier: try d.decodeString(), typeID: try d.decodeTypeID(), implicitTypeID: try d.decodeTypeID()
                )
            }
            _ = try decoder.decodeTypeID()  // the runtime type itself
            let apis = try decoder.decodeRuntimeAPIs(v16: false)
            let outerEnums = try decoder.decodeOuterEnums()
            let custom = try decoder.decodeCustomValues()
            return RuntimeMetadata(
                version: 15, types: registry, pallets: pallets,
                extrinsic: ExtrinsicMetadata(
                    versions: [version & 0x7F], addressType: address, callType: call, signatureType: signature,
                    transactionExtensions: extensions, extensionsByVersion: [:]
                ),
                outerEnums: outerEnums, apis: apis, custom: custom
            )
        } catch let error as SCALEError {
            throw .malformed(error)
        } catch let error as MetadataError {
            throw error
        } catch {
            throw .incomplete("\(error)")
        }
    }
}
