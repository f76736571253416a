public import ExactJSON
import SCALE

/// A block with its extrinsics and (optionally) its `System.Events`, decoded with the metadata of
/// the runtime it was produced under.
public struct DecodedBlock: Sendable {
    public let header: BlockHeader?
    public let extrinsics: [Extrinsic]?
    public let events: [EventRecord]?

    public var hash: [UInt8]? { header?.hash }

    /// `now` of the `Timestamp.set` inherent, in milliseconds.
    public var timestampMilliseconds: UInt64? {
        extrinsics?.first { $0.call.pallet == "Timestamp" && $0.call.name == "set" }?.call.argument("now")?.uint64
    }

    public struct DecodingError: Error, Sendable, CustomStringConvertible {
        /// Which input the problem is in.
        public enum Source: Sendable { case block, events }
        public let source: Source
        public let description: String

        init(_ source: Source, _ description: String) {
            self.source = source
            self.description = description
        }
    }

    public init(header: BlockHeader?, extrinsics: [Extrinsic]?, events: [EventRecord]?) {
        self.header = header
        self.extrinsics = extrinsics
        self.events = events
    }

    /// Decodes a block in `chain_getBlock` form (`{"block": {"header", "extrinsics"}}`, or the
    /// inner object alone) and, if given, the raw `System.Events` value of that block.
    public static func decode(
        blockJSON: JSON?, eventsBytes: [UInt8]?, metadata: RuntimeMetadata
    ) throws(DecodingError) -> DecodedBlock {
        var header: BlockHeader? = nil
        var extrinsics: [Extrinsic]? = nil
        if let blockJSON {
            let block = blockJSON["block"] ?? blockJSON
            guard let headerJSON = block["header"] else { throw DecodingError(.block, "no header in the block") }
            do { header = try BlockHeader(json: headerJSON) } catch { throw DecodingError(.block, error.description) }
            guard let list = block["extrinsics"]?.arrayValue else {
                throw DecodingError(.block, "no extrinsics list in the block")
            }
            let decoder = ExtrinsicDecoder(metadata: metadata)
            var decoded = [Extrinsic]()
            for (index, item) in list.enumerated() {
                guard let text = item.stringValue, let bytes = Hex.decode(text) else {
                    throw DecodingError(.block, "extrinsic \(index): not a 0x hex string")
                }
                do { decoded.append(try decoder.decode(bytes)) } catch {
                    throw DecodingError(.block, "extrinsic \(index): \(error)")
                }
            }
            extrinsics = decoded
        }
        var events: [EventRecord]? = nil
        if let eventsBytes {
            do {
                events = try EventDecoder(metadata: metadata).decode(eventsBytes)
            } catch let error as ChainDecodingError {
                throw DecodingError(.events, error.description)
            } catch {
                throw DecodingError(.events, "\(error)")
            }
        }
        return DecodedBlock(header: header, extrinsics: extrinsics, events: events)
    }

    /// The block as JSON: `chain`, `spec_version`, `metadata_file`, `number`, `hash`,
    /// `parent_hash`, `timestamp_ms`, `extrinsics[]`, `events[]` (null where not known).
    public func json(metadata: RuntimeMetadata, metadataFile: String?, ss58Prefix: UInt16) -> JSON {
        let renderer = ValueJSONRenderer(registry: metadata.types)
        let version = metadata.runtimeVersion
        func optional(_ text: String?) -> JSON { text.map(JSON.string) ?? .null }
        func optionalNumber<T: BinaryInteger>(_ value: T?) -> JSON { value.map { JSON.number($0) } ?? .null }

        let extrinsicsJSON: JSON = extrinsics.map { list in
            .array(list.enumerated().map { index, extrinsic in
                .object([
                    "index": .number(index),
                    "hash": .string(Hex.encode(extrinsic.hash)),
                    "pallet": .string(extrinsic.call.pallet),
                    "call": .string(extrinsic.call.name),
                    "signed": .bool(extrinsic.isSigned),
                    "signer": optional(extrinsic.signer(ss58Prefix: ss58Prefix)),
                    "nonce": optionalNumber(extrinsic.nonce),
                    "tip": extrinsic.isSigned ? optional(extrinsic.tip.map { String($0) } ?? "0") : .null,
                    "args": renderer.renderFields(extrinsic.call.arguments),
                ])
            })
        } ?? .null

        let eventsJSON: JSON = events.map { list in
            .array(list.map { event in
                .object([
                    "index": .number(event.index),
                    "phase": .string(event.phase.description),
                    "pallet": .string(event.pallet),
                    "event": .string(event.name),
                    "fields": renderer.renderFields(event.fields),
                ])
            })
        } ?? .null

        return .object([
            "chain": optional(version?.specName),
            "spec_version": optionalNumber(version?.specVersion),
            "metadata_file": optional(metadataFile),
            "number": optionalNumber(header?.number),
            "hash": optional(hash.map { Hex.encode($0) }),
            "parent_hash": optional(header.map { Hex.encode($0.parentHash) }),
            "timestamp_ms": optionalNumber(timestampMilliseconds),
            "extrinsics": extrinsicsJSON,
            "events": eventsJSON,
        ])
    }
}
