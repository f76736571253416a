import ExactJSON
import SCALE
import Substrate

/// A storage key written as the account of a pallet, `{account_of: Treasury.PalletId}`: the
/// bytes `modl`, the pallet's id from that constant, then zeros to 32 bytes, as the runtime
/// derives it (`PalletId::into_account_truncating`). A definition thus reads the treasury's
/// balance on any chain from the chain's own metadata, with no address written down.
enum PalletAccount {
    static let member = "account_of"

    /// The `Pallet.Constant` a key names, when it is written this way.
    static func constantName(_ key: JSON) -> (pallet: String, constant: String)? {
        guard case let .object(members) = key, members.count == 1, members[0].key == member, let text = members[0].value.stringValue else { return nil }
        let parts = text.split(separator: ".", maxSplits: 1).map(String.init)
        return parts.count == 2 ? (parts[0], parts[1]) : nil
    }

    /// The key as the account's `0x` hex, or the key itself when it is not written this way.
    static func resolve(_ key: JSON, metadata: RuntimeMetadata) throws(ResolveError) -> JSON {
        guard let (pallet, name) = constantName(key) else { return key }
        guard let constant = metadata.pallet(named: pallet)?.constants.first(where: { $0.name == name }) else {
            throw ResolveError(description: "no constant \(pallet).\(name) for \(member)")
        }
        let id: [UInt8]
        do {
            id = try ValueDecoder(registry: metadata.types).decode(constant.typeID, bytes: constant.value).bytes ?? []
        } catch {
            throw ResolveError(description: "\(pallet).\(name): \(error)")
        }
        guard !id.isEmpty, id.count <= 28 else { throw ResolveError(description: "\(pallet).\(name) is not a pallet id of up to 28 bytes") }
        let account = Array("modl".utf8) + id + [UInt8](repeating: 0, count: 28 - id.count)
        return .string(Hex.encode(account))
    }

    struct ResolveError: Error, CustomStringConvertible {
        let description: String
    }
}
