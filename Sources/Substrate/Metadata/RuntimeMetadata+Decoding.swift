import SCALE

extension RuntimeMetadata {
    /// The `meta` magic that starts every `RuntimeMetadataPrefixed`.
    public static let magic: [UInt8] = Array("meta".utf8)

    /// Reads metadata in any of the forms nodes and tools hand it out:
    /// - `RuntimeMetadataPrefixed` as `state_getMetadata` returns it (`meta`, version byte, body);
    /// - the same inside `Vec<u8>` (the `Metadata_metadata` runtime API's `OpaqueMetadata`);
    /// - inside `Option<Vec<u8>>` (`Metadata_metadata_at_version`).
    /// Every byte must be consumed; error offsets count from the start of `bytes`.
    public static func decode(_ bytes: [UInt8]) throws(MetadataError) -> RuntimeMetadata {
        var decoder = SCALEDecoder(bytes)
        try skipWrapper(&decoder)
        let magicStart = decoder.position
        guard decoder.remaining >= 5, Array(bytes[magicStart..<magicStart + 4]) == magic else {
            throw .missingMagic(found: Array(bytes[magicStart..<min(magicStart + 4, bytes.count)]))
        }
        do { try decoder.skip(4) } catch { throw .malformed(error) }
        let version: UInt8
        do { version = try decoder.readByte() } catch { throw .malformed(error) }

        let metadata: RuntimeMetadata
        switch version {
        case 14: metadata = try decodeV14(&decoder)
        case 15: metadata = try decodeV15(&decoder)
        case 16: metadata = try decodeV16(&decoder)
        default: throw .unsupportedVersion(version)
        }
        do { try decoder.expectEnd() } catch { throw .malformed(error) }
        return metadata
    }

    /// Reads hex text (`0x…`, as JSON-RPC returns it) in any of the forms `decode(_:)` accepts.
    public static func decode(hex: some StringProtocol) throws(MetadataError) -> RuntimeMetadata {
        guard let bytes = Hex.decode(hex) else { throw .notHex }
        return try decode(bytes)
    }

    /// The metadata version byte, read without decoding the rest (nil if the bytes are not metadata).
    public static func peekVersion(_ bytes: [UInt8]) -> UInt8? {
        var decoder = SCALEDecoder(bytes)
        guard (try? skipWrapper(&decoder)) != nil, decoder.remaining >= 5 else { return nil }
        let start = decoder.position
        guard Array(bytes[start..<start + 4]) == magic else { return nil }
        return bytes[start + 4]
    }

    /// Moves past an `Option<Vec<u8>>` or `Vec<u8>` wrapper when the bytes after it are
    /// exactly the prefixed metadata; leaves the decoder alone otherwise.
    static func skipWrapper(_ decoder: inout SCALEDecoder) throws(MetadataError) {
        let bytes = decoder.bytes
        if bytes.starts(with: magic) { return }
        if bytes == [0] { throw .incomplete("the node returned None: no metadata at that version") }
        // Option<Vec<u8>> (tag 1, length) first, then Vec<u8> (length only).
        for tagBytes in [1, 0] where tagBytes == 0 || bytes.first == 1 {
            var probe = decoder
            guard (try? probe.skip(tagBytes)) != nil, let length = try? probe.decodeCompact(UInt64.self) else { continue }
            if length == UInt64(probe.remaining), probe.remaining >= 4,
               Array(bytes[probe.position..<probe.position + 4]) == magic
            {
                decoder = probe
                return
            }
        }
    }
}
