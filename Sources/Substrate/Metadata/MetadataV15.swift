import SCALE

// RuntimeMetadataV15 (frame-metadata): pallets gain docs; the extrinsic names its address, call,
// signature and extra types; runtime APIs, outer enums and custom values are new.

extension RuntimeMetadata {
    static func decodeV15(_ decoder: inout SCALEDecoder) throws(MetadataError) -> RuntimeMetadata {
        try translatingErrors {
            let registry = try TypeRegistry(types: try decoder.decodeTypeRegistry())
            let pallets = try decoder.decodeVector(minimumElementSize: 7) { (d: inout SCALEDecoder) throws(SCALEError) in
                try d.decodePalletV14Layout(withDocs: true)
            }
            let version = try decoder.readByte()
            let address = try decoder.decodeTypeID()
            let call = try decoder.decodeTypeID()
            let signature = try decoder.decodeTypeID()
            _ = try decoder.decodeTypeID()  // extra: the tuple of extension types
            let extensions = try decoder.decodeTransactionExtensions()
            _ = try decoder.decodeTypeID()  // the runtime type itself
            let tail = try decoder.decodeMetadataTail(v16: false)
            return RuntimeMetadata(
                version: 15, types: registry, pallets: pallets,
                extrinsic: ExtrinsicMetadata(
                    versions: [version & 0x7F], addressType: address, callType: call, signatureType: signature,
                    transactionExtensions: extensions, extensionsByVersion: [:]
                ),
                outerEnums: tail.outerEnums, apis: tail.apis, custom: tail.custom
            )
        }
    }
}
