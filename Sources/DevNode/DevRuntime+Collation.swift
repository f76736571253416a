import ExactJSON
import SCALE
import Substrate

/// A parachain's collation: each block builds on the relay chain block of its own number
/// (`ParachainSystem.ValidationData`), as a relay devnode started with it numbers them, one
/// relay block per parachain block as with asynchronous backing; two invulnerable collators and one to
/// three bonded candidates (`CollatorSelection`), whose number and bonds change every fifteen
/// blocks; the session's validators (`Session.Validators`) are those collators, not staking's.
extension DevRuntime {
    static let desiredCandidates = 5

    /// The relay chain block parachain block `number` builds on.
    static func relayParent(of number: UInt64) -> UInt64 { number }

    var invulnerables: [[UInt8]] { [accounts[2], accounts[4]] }

    /// The bonded candidates at block `number`, with their deposits.
    func collatorCandidates(at number: UInt64) -> [(account: [UInt8], deposit: UInt128)] {
        let period = number / 15
        return [accounts[0], accounts[1], accounts[3]].prefix(Int(1 + period % 3)).enumerated().map { position, account in
            (account, UInt128(10 + position) * 10_000_000_000 * UInt128(1 + period % 2))
        }
    }

    func writeCollationStorage(number: UInt64, to storage: inout StorageWriter) throws {
        guard isParachain else { return }
        if storage.has("ParachainSystem", "ValidationData") {
            try storage.put("ParachainSystem", "ValidationData", keys: [], setting: ["relay_parent_number": .primitive(.u32(UInt32(Self.relayParent(of: number))))])
        }
        let candidates = collatorCandidates(at: number)
        if storage.has("CollatorSelection", "Invulnerables") {
            try storage.put("CollatorSelection", "Invulnerables", json: .array(invulnerables.map { .string(Hex.encode($0)) }))
            try storage.put("CollatorSelection", "CandidateList", json: .array(candidates.map {
                .object(["who": .string(Hex.encode($0.account)), "deposit": .string(String($0.deposit))])
            }))
            try storage.put("CollatorSelection", "DesiredCandidates", json: .number(Self.desiredCandidates))
        }
        if storage.has("Session", "Validators") {
            try storage.put("Session", "Validators", json: .array((invulnerables + candidates.map(\.account)).map { .string(Hex.encode($0)) }))
        }
    }
}
