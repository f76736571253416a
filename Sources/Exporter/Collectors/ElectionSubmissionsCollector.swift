import Substrate

/// Solutions submitted to the election (`ElectionProviderMultiPhase.submit`, signed, and
/// `submit_unsigned`, by validators): how many, and the last one of each kind's encoded length
/// in bytes and weight (`ref_time` from its `ExtrinsicSuccess`). The last-submission values hold
/// until the next submission of that kind.
struct ElectionSubmissionsCollector: Collector {
    static let pallet = "ElectionProviderMultiPhase"
    static let byKind: Set<String> = ["kind"]
    static let spec = CollectorSpec(
        name: "election_submissions", values: ["submissions": byKind, "length": byKind, "weight": byKind], defaultValue: "submissions",
        stickyValues: ["length", "weight"]
    ) { metadata throws(CollectorError) in
        guard metadata.pallet(named: pallet)?.callType != nil else { return .missing("election_submissions: the runtime has no \(pallet) calls") }
        return .bound(ElectionSubmissionsCollector())
    }

    var blockParts: BlockParts { [.extrinsics, .events] }

    func collect(_ block: BlockContext) throws(CollectorError) -> [Sample] {
        var samples = [Sample]()
        var counts = ["signed": UInt128(0), "unsigned": 0]
        for (index, extrinsic) in block.extrinsics.enumerated() where extrinsic.call.pallet == Self.pallet && block.succeeded(index) == true {
            let kind: String
            switch extrinsic.call.name {
            case "submit": kind = "signed"
            case "submit_unsigned": kind = "unsigned"
            default: continue
            }
            counts[kind, default: 0] += 1
            let labels = [Sample.Label("kind", kind)]
            samples.append(Sample(metric: "length", labels: labels, value: SampleValue(UInt128(extrinsic.bytes.count))))
            if let success = block.events(ofExtrinsic: index).first(where: { $0.pallet == "System" && $0.name == "ExtrinsicSuccess" }),
               let weight = success.field("dispatch_info")?.value(at: "weight.ref_time")?.uint128 ?? success.field("dispatch_info")?.value(at: "weight")?.uint128 {
                samples.append(Sample(metric: "weight", labels: labels, value: SampleValue(weight)))
            }
        }
        for (kind, count) in counts { samples.append(Sample(metric: "submissions", labels: [Sample.Label("kind", kind)], value: SampleValue(count))) }
        return samples
    }
}
