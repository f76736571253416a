public import ExactJSON
import SCALE

extension BlockHeader {
    public struct JSONError: Error, Sendable, CustomStringConvertible {
        public let field: String
        public let problem: String
        public var description: String { "header field \(field): \(problem)" }
    }

    /// Reads a header in the shapes it comes in:
    /// - `chain_getHeader`/`chain_getBlock`: `number` as hex string, `digest.logs` as hex-encoded items;
    /// - polkadot-js JSON: `digest.logs` as `{"PreRuntime": [engine, data]}` objects;
    /// - substrate-api-sidecar: `logs` as `{"type": "PreRuntime", "index": "6", "value": [engine, data]}`.
    public init(json: JSON) throws(JSONError) {
        func hash(_ field: String) throws(JSONError) -> [UInt8] {
            guard let text = json[field]?.stringValue, let bytes = Hex.decode(text), bytes.count == 32 else {
                throw JSONError(field: field, problem: "expected a 32-byte 0x hex hash")
            }
            return bytes
        }
        guard let number = json["number"]?.uint64Value else {
            throw JSONError(field: "number", problem: "expected a number or hex string")
        }
        let logs = json["digest"]?["logs"]?.arrayValue ?? json["logs"]?.arrayValue
        guard let logs else { throw JSONError(field: "digest.logs", problem: "missing") }
        var digest = [DigestItem]()
        for (position, log) in logs.enumerated() {
            digest.append(try Self.digestItem(log, field: "digest.logs[\(position)]"))
        }
        self.init(
            parentHash: try hash("parentHash"), number: number, stateRoot: try hash("stateRoot"),
            extrinsicsRoot: try hash("extrinsicsRoot"), digest: digest
        )
    }

    private static func digestItem(_ log: JSON, field: String) throws(JSONError) -> DigestItem {
        if let text = log.stringValue {
            guard let bytes = Hex.decode(text) else { throw JSONError(field: field, problem: "not hex") }
            var decoder = SCALEDecoder(bytes)
            do {
                let item = try DigestItem.decode(from: &decoder)
                try decoder.expectEnd()
                return item
            } catch {
                throw JSONError(field: field, problem: "\(error)")
            }
        }
        let name: String
        let payload: JSON
        if let type = log["type"]?.stringValue, let value = log["value"] {
            name = type
            payload = value
        } else if case let .object(members) = log, members.count == 1 {
            name = members[0].key
            payload = members[0].value
        } else {
            throw JSONError(field: field, problem: "unrecognised digest item shape")
        }
        func bytes(_ item: JSON?) throws(JSONError) -> [UInt8] {
            guard let text = item?.stringValue, let bytes = Hex.decode(text) else {
                throw JSONError(field: field, problem: "expected 0x hex in \(name)")
            }
            return bytes
        }
        let parts = payload.arrayValue ?? []
        switch name.lowercased() {
        case "preruntime", "consensus", "seal":
            guard parts.count == 2 else { throw JSONError(field: field, problem: "\(name) needs [engine, data]") }
            let engine = try bytes(parts[0])
            guard engine.count == 4 else { throw JSONError(field: field, problem: "engine id must be 4 bytes") }
            let data = try bytes(parts[1])
            switch name.lowercased() {
            case "preruntime": return .preRuntime(engine: engine, data: data)
            case "consensus": return .consensus(engine: engine, data: data)
            default: return .seal(engine: engine, data: data)
            }
        case "other":
            return .other(try bytes(payload))
        case "runtimeenvironmentupdated":
            return .runtimeEnvironmentUpdated
        default:
            throw JSONError(field: field, problem: "unknown digest item \(name)")
        }
    }
}
