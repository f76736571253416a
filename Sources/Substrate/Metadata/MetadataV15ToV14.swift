import SCALE

// A node asked for `state_getMetadata` serves V14, the version every client reads, even when
// its runtime offers V15 through `Metadata_metadata_at_version`. Both describe the same runtime:
// V14 is V15 with the pallets' docs dropped, the older extrinsic record (which names the
// `UncheckedExtrinsic` type instead of its parts) and no runtime APIs, outer enums or custom
// values. The type registry is the same bytes.

extension RuntimeMetadata {
    /// The V14 metadata of the runtime that `v15` (metadata V15, bare or wrapped) describes;
    /// `droppingPallets` leaves those pallets out, as a runtime built without them would (the
    /// outer enums in the type registry keep their variants).
    public static func v14Bytes(fromV15 v15: [UInt8], droppingPallets dropped: Set<String> = []) throws(MetadataError) -> [UInt8] {
        var decoder = SCALEDecoder(v15)
        try skipWrapper(&decoder)
        let start = decoder.position
        guard decoder.remaining >= 5, Array(v15[start..<start + 4]) == magic else {
            throw .missingMagic(found: Array(v15[start..<min(start + 4, v15.count)]))
        }
        guard v15[start + 4] == 15 else { throw .unsupportedVersion(v15[start + 4]) }
        decoder.seek(to: start + 5)

        return try translatingErrors {
            var out = SCALEEncoder()
            out.append(contentsOf: magic)
            out.append(14)
            let typesStart = decoder.position
            let types = try decoder.decodeTypeRegistry()
            out.append(contentsOf: v15[typesStart..<decoder.position])

            let palletCount = try decoder.decodeLength(minimumElementSize: 7)
            var pallets = [ArraySlice<UInt8>]()
            var found = Set<String>()
            for _ in 0..<palletCount {
                let palletStart = decoder.position
                let pallet = try decoder.decodePalletV14Layout(withDocs: false)
                if dropped.contains(pallet.name) { found.insert(pallet.name) } else { pallets.append(v15[palletStart..<decoder.position]) }
                _ = try decoder.decodeStrings()  // the pallet's docs, which V14 lacks
            }
            if let missing = dropped.subtracting(found).sorted().first { throw MetadataError.incomplete("no pallet \(missing) to leave out") }
            out.encodeLength(pallets.count)
            for pallet in pallets { out.append(contentsOf: pallet) }

            let version = try decoder.readByte()
            for _ in 0..<4 { _ = try decoder.decodeTypeID() }  // address, call, signature, extra
            let extensionsStart = decoder.position
            _ = try decoder.decodeTransactionExtensions()
            let extensions = v15[extensionsStart..<decoder.position]
            let runtimeType = try decoder.decodeTypeID()
            _ = try decoder.decodeMetadataTail(v16: false)
            try decoder.expectEnd()

            out.encodeCompact(try uncheckedExtrinsicType(in: types))
            out.append(version)
            out.append(contentsOf: extensions)
            out.encodeCompact(runtimeType)
            return out.bytes
        }
    }

    /// The `UncheckedExtrinsic` type, which the V14 extrinsic record names instead of its parts.
    static func uncheckedExtrinsicType(in types: [PortableType]) throws(MetadataError) -> UInt32 {
        guard let unchecked = types.first(where: { $0.path.last == "UncheckedExtrinsic" }) else {
            throw .incomplete("no UncheckedExtrinsic type for the V14 extrinsic record")
        }
        return unchecked.id
    }
}
