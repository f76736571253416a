import Substrate

/// The runtime each block executes: an info value (1, with the spec name and version as labels)
/// and the upgrades, counted at the first block of each new runtime.
struct RuntimeVersionCollector: Collector {
    static let spec = CollectorSpec(
        name: "runtime_version", values: ["info": ["spec_name", "spec_version"], "upgrades": []], defaultValue: "info"
    ) { metadata throws(CollectorError) in
        guard let version = metadata.runtimeVersion else { return .missing("runtime_version: the runtime has no System.Version constant") }
        return .bound(RuntimeVersionCollector(specName: version.specName, specVersion: version.specVersion))
    }.reading(["System"])

    let specName: String
    let specVersion: UInt32

    func collect(_ block: BlockContext) throws(CollectorError) -> [Sample] {
        let labels = [Sample.Label("spec_name", specName), Sample.Label("spec_version", String(specVersion))]
        return [
            Sample(metric: "info", labels: labels, value: SampleValue(1)),
            Sample(metric: "upgrades", value: SampleValue(block.runtimeUpgraded ? 1 : 0)),
        ]
    }
}
