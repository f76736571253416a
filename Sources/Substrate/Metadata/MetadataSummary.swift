public import ExactJSON
/// The headline facts of a runtime's metadata, as `runtime-exporter decode metadata` prints them.
public struct MetadataSummary: Sendable {
    public struct Pallet: Sendable {
        public let name: String
        public let index: UInt8
        public let storage: Int
        public let calls: Int
        public let events: Int
        public let constants: Int
        public let errors: Int
    }

    public let metadataVersion: UInt8
    public let specName: String?
    public let specVersion: UInt32?
    public let typeCount: Int
    public let extrinsicVersions: [UInt8]
    public let pallets: [Pallet]

    public init(_ metadata: RuntimeMetadata) {
        func variantCount(_ typeID: UInt32?) -> Int {
            guard let typeID, case let .variant(variants)? = metadata.types[typeID]?.definition else { return 0 }
            return variants.count
        }
        let version = metadata.runtimeVersion
        metadataVersion = metadata.version
        specName = version?.specName
        specVersion = version?.specVersion
        typeCount = metadata.types.count
        extrinsicVersions = metadata.extrinsic.versions
        pallets = metadata.pallets.map { pallet in
            Pallet(
                name: pallet.name, index: pallet.index, storage: pallet.storage?.entries.count ?? 0,
                calls: variantCount(pallet.callType), events: variantCount(pallet.eventType),
                constants: pallet.constants.count, errors: variantCount(pallet.errorType)
            )
        }
    }

    public var json: JSON {
        .object([
            "metadata_version": .number(metadataVersion),
            "spec_name": specName.map(JSON.string) ?? .null,
            "spec_version": specVersion.map { JSON.number($0) } ?? .null,
            "pallet_count": .number(pallets.count),
            "type_count": .number(typeCount),
            "extrinsic_versions": .array(extrinsicVersions.map { .number($0) }),
            "pallets": .array(pallets.map { pallet in
                .object([
                    "name": .string(pallet.name),
                    "index": .number(pallet.index),
                    "storage": .number(pallet.storage),
                    "calls": .number(pallet.calls),
                    "events": .number(pallet.events),
                    "constants": .number(pallet.constants),
                    "errors": .number(pallet.errors),
                ])
            }),
        ])
    }

    /// A plain-text table for terminals.
    public var text: String {
        var lines = [
            "metadata version  V\(metadataVersion)",
            "spec              \(specName ?? "?") \(specVersion.map(String.init) ?? "?")",
            "pallets           \(pallets.count)",
            "types             \(typeCount)",
            "extrinsic formats \(extrinsicVersions.map { "v\($0)" }.joined(separator: ", "))",
            "",
            pad("pallet", 28) + pad("index", 7) + pad("storage", 9) + pad("calls", 7) + pad("events", 8) + pad("constants", 11) + "errors",
        ]
        for pallet in pallets {
            lines.append(
                pad(pallet.name, 28) + pad("\(pallet.index)", 7) + pad("\(pallet.storage)", 9) + pad("\(pallet.calls)", 7)
                    + pad("\(pallet.events)", 8) + pad("\(pallet.constants)", 11) + "\(pallet.errors)"
            )
        }
        return lines.joined(separator: "\n")
    }

    private func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }
}
