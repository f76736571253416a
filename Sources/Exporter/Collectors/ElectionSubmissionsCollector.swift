import Substrate

/// Solutions submitted to the election: signed (`ElectionProviderMultiPhase.submit`; each page
/// of a multi-block election's `MultiBlockElectionSigned.submit_page`) and unsigned
/// (`submit_unsigned` of either, by validators): how many, and the last one of each kind's
/// encoded length in bytes and weight (`ref_time` from its `ExtrinsicSuccess`). The
/// last-submission values hold until the next submission of that kind.
struct ElectionSubmissionsCollector: Collector {
    /// The kind of each submitting call, by pallet and call.
    static let kinds: [String: [String: String]] = [
        "ElectionProviderMultiPhase": ["submit": "signed", "submit_unsigned": "unsigned"],
        "MultiBlockElectionSigned": ["submit_page": "signed"],
        "MultiBlockElectionUnsigned": ["submit_unsigned": "unsigned"],
    ]
    static let byKind: Set<String> = ["kind"]
    static let spec = CollectorSpec(
        name: "election_submissions", values: ["submissions": byKind, "length": byKind, "weight": byKind], defaultValue: "submissions",
        stickyValues: ["length", "weight"]
    ) { metadata throws(CollectorError) in
        guard kinds.keys.contains(where: { metadata.pallet(named: $0)?.callType != nil }) else {
            return .missing("election_submissions: the runtime has no calls of \(kinds.keys.sorted().joined(separator: " or "))")
        }
        return .bound(ElectionSubmissionsCollector())
    }.reading(kinds.keys.sorted())

    var blockParts: BlockParts { [.extrinsics, .events] }

    func collect(_ block: BlockContext) throws(CollectorError) -> [Sample] {
        var samples = [Sample]()
        var counts = ["signed": UInt128(0), "unsigned": 0]
        for (index, extrinsic) in block.extrinsics.enumerated() {
            guard let kind = Self.kinds[extrinsic.call.pallet]?[extrinsic.call.name], block.succeeded(index) == true else { continue }
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
