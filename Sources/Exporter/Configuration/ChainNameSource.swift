/// Where the chain label of a chain the configuration does not name comes from.
public enum ChainNameSource: String, Sendable, Equatable, CaseIterable {
    /// The runtime's spec name (`polkadot`, `statemint`): stable across nodes and releases.
    case spec
    /// The chain's name as its nodes give it (`system_chain`: `Polkadot`, `Polkadot Asset Hub`),
    /// as polkadot-runtime-prom-exporter labelled its series.
    case node
}
