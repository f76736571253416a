import ChainFixtures
import ExactJSON
import Exporter
import SCALE
import Substrate
import Testing

/// Nested calls take the outcome the events report for them, with the types of a real runtime
/// (Polkadot 2003000): a proxy whose inner call failed, a multisig that only recorded an
/// approval, sudo, and a batch of proxies.
@Suite struct CallOutcomeTests {
    static let metadata = try! RuntimeMetadata.decode(try! ChainData.bytes("metadata/polkadot_2003000_v16.scale"))
    static let account = "0x" + String(repeating: "11", count: 32)
    static let transfer = #"{"Balances": {"transfer_keep_alive": {"dest": {"Id": "\#(account)"}, "value": "5"}}}"#

    /// A block of one extrinsic holding `call` (JSON), with `events` (`Pallet.Event`, result) in its phase.
    static func dispatched(_ call: String, events: [(String, Bool?)]) throws -> [String] {
        let value = try ValueJSONReader(registry: metadata.types).read(try JSON.parse(call), as: metadata.outerEnums.callType)
        let extrinsic = try ExtrinsicDecoder(metadata: metadata).decode(try ExtrinsicEncoder(metadata: metadata).bare(call: value))
        let records = events.enumerated().map { index, event in
            let parts = event.0.split(separator: ".").map(String.init)
            let fields = event.1.map { ok in [Value.NamedValue(name: parts[1] == "Sudid" ? "sudo_result" : "result", value: .variant(ok ? "Ok" : "Err", index: ok ? 0 : 1, [], typeID: 0))] } ?? []
            return EventRecord(index: index, phase: .applyExtrinsic(0), pallet: parts[0], palletIndex: 0, name: parts[1], eventIndex: 0, fields: fields)
        }
        let block = BlockContext(
            number: 1, metadata: metadata, tokenDecimals: 10, timestampMilliseconds: nil, parentTimestampMilliseconds: nil,
            extrinsics: [extrinsic], events: records, storage: [:])
        return DispatchedCall.calls(ofExtrinsic: 0, in: block).map { "\($0.call.pallet).\($0.call.name) \($0.succeeded.map(String.init) ?? "unknown")" }
    }

    static func proxy(_ inner: String) -> String {
        #"{"Proxy": {"proxy": {"real": {"Id": "\#(account)"}, "force_proxy_type": null, "call": \#(inner)}}}"#
    }

    @Test func aProxyWhoseInnerCallFailedSucceedsAloneAndItsCallFails() throws {
        #expect(try Self.dispatched(Self.proxy(Self.transfer), events: [("Proxy.ProxyExecuted", false), ("System.ExtrinsicSuccess", nil)])
            == ["Proxy.proxy true", "Balances.transfer_keep_alive false"])
        #expect(try Self.dispatched(Self.proxy(Self.transfer), events: [("Balances.Transfer", nil), ("Proxy.ProxyExecuted", true), ("System.ExtrinsicSuccess", nil)])
            == ["Proxy.proxy true", "Balances.transfer_keep_alive true"])
        // A proxy in a proxy: the inner report comes first.
        #expect(try Self.dispatched(Self.proxy(Self.proxy(Self.transfer)), events: [("Proxy.ProxyExecuted", false), ("Proxy.ProxyExecuted", true), ("System.ExtrinsicSuccess", nil)])
            == ["Proxy.proxy true", "Proxy.proxy true", "Balances.transfer_keep_alive false"])
        // The extrinsic failed: nothing in it succeeded.
        #expect(try Self.dispatched(Self.proxy(Self.transfer), events: [("System.ExtrinsicFailed", nil)])
            == ["Proxy.proxy false", "Balances.transfer_keep_alive false"])
    }

    @Test func aMultisigApprovalDispatchesNothing() throws {
        let multisig = #"{"Multisig": {"as_multi": {"threshold": 2, "other_signatories": ["\#(Self.account)"], "maybe_timepoint": null, "call": \#(Self.transfer), "max_weight": {"ref_time": 1, "proof_size": 1}}}}"#
        #expect(try Self.dispatched(multisig, events: [("Multisig.NewMultisig", nil), ("System.ExtrinsicSuccess", nil)]) == ["Multisig.as_multi true"])
        #expect(try Self.dispatched(multisig, events: [("Multisig.MultisigApproval", nil), ("System.ExtrinsicSuccess", nil)]) == ["Multisig.as_multi true"])
        #expect(try Self.dispatched(multisig, events: [("Multisig.MultisigExecuted", false), ("System.ExtrinsicSuccess", nil)])
            == ["Multisig.as_multi true", "Balances.transfer_keep_alive false"])
    }

    @Test func aBatchOfProxiesPairsEachWithItsReport() throws {
        let batch = #"{"Utility": {"batch": {"calls": [\#(Self.proxy(Self.transfer)), \#(Self.proxy(Self.transfer))]}}}"#
        #expect(try Self.dispatched(batch, events: [
            ("Proxy.ProxyExecuted", true), ("Utility.ItemCompleted", nil), ("Proxy.ProxyExecuted", false), ("Utility.ItemCompleted", nil),
            ("Utility.BatchCompleted", nil), ("System.ExtrinsicSuccess", nil),
        ]) == ["Utility.batch true", "Proxy.proxy true", "Balances.transfer_keep_alive true", "Proxy.proxy true", "Balances.transfer_keep_alive false"])
    }
}
