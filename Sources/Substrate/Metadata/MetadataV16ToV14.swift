import SCALE

// A node serves V14 through `state_getMetadata` (the runtime's `Metadata_metadata`) whatever
// newer versions its runtime offers through `Metadata_metadata_at_version`. From V16, V14 is the
// same type registry (its bytes copied), the pallets without their deprecation records,
// associated types, view functions and docs, the V14 extrinsic record (the `UncheckedExtrinsic`
// type, version 4, and every transaction extension as a signed extension), and the `Runtime`
// type, which V16 no longer names (found by its path).

extension RuntimeMetadata {
    /// The V14 metadata of the runtime that `v16` (metadata V16, bare or wrapped) describes.
    public static func v14Bytes(fromV16 v16: [UInt8]) throws(MetadataError) -> [UInt8] {
        let metadata = try decode(v16)
        guard metadata.version == 16 else { throw .unsupportedVersion(metadata.version) }
        var decoder = SCALEDecoder(v16)
        try skipWrapper(&decoder)
        return try translatingErrors {
            var out = SCALEEncoder()
            out.append(contentsOf: magic)
            out.append(14)
            try decoder.skip(5)
            let typesStart = decoder.position
            let types = try decoder.decodeTypeRegistry()
            out.append(contentsOf: v16[typesStart..<decoder.position])
            out.encodeVector(metadata.pallets) { out, pallet in out.encodeV14(pallet) }

            // V14 names the `Runtime` type; a registry without it (nothing refers to it) is named
            // by its `RuntimeCall`, which no reader decodes the runtime type with anyway.
            let runtime = types.first { $0.path.last == "Runtime" && $0.path.count >= 2 }?.id ?? metadata.extrinsic.callType
            out.encodeCompact(try uncheckedExtrinsicType(in: types))
            out.append(metadata.extrinsic.versions.filter { $0 <= 4 }.max() ?? 4)
            out.encodeVector(metadata.extrinsic.transactionExtensions) { out, extensionMetadata in
                out.encode(extensionMetadata.identifier)
                out.encodeCompact(extensionMetadata.typeID)
                out.encodeCompact(extensionMetadata.implicitTypeID)
            }
            out.encodeCompact(runtime)
            return out.bytes
        }
    }
}

extension SCALEEncoder {
    /// A pallet in V14's layout: name, storage, calls, event, constants, error, index.
    fileprivate mutating func encodeV14(_ pallet: PalletMetadata) {
        encode(pallet.name)
        encodeOption(pallet.storage) { out, storage in
            out.encode(storage.prefix)
            out.encodeVector(storage.entries) { out, entry in
                out.encode(entry.name)
                out.append(entry.modifier.rawValue)
                switch entry.kind {
                case let .plain(value):
                    out.append(0)
                    out.encodeCompact(value)
                case let .map(hashers, key, value):
                    out.append(1)
                    out.encodeVector(hashers) { out, hasher in out.append(hasher.rawValue) }
                    out.encodeCompact(key)
                    out.encodeCompact(value)
                }
                out.encodeByteVector(entry.defaultValue)
                out.encodeVector(entry.docs) { out, line in out.encode(line) }
            }
        }
        encodeOption(pallet.callType) { out, type in out.encodeCompact(type) }
        encodeOption(pallet.eventType) { out, type in out.encodeCompact(type) }
        encodeVector(pallet.constants) { out, constant in
            out.encode(constant.name)
            out.encodeCompact(constant.typeID)
            out.encodeByteVector(constant.value)
            out.encodeVector(constant.docs) { out, line in out.encode(line) }
        }
        encodeOption(pallet.errorType) { out, type in out.encodeCompact(type) }
        append(pallet.index)
    }
}
