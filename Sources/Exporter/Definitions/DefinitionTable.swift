import Foundation

extension MetricDefinition {
    /// `metrics list`: one line per definition, its Prometheus name, kind, sources and labels
    /// in aligned columns.
    public static func table(_ definitions: [MetricDefinition]) -> [String] {
        let nameWidth = definitions.map(\.prometheusName.count).max() ?? 0
        return definitions.map { definition in
            let labels = definition.labels.isEmpty ? "" : " {" + definition.labels.joined(separator: ",") + "}"
            let name = definition.prometheusName.padding(toLength: nameWidth, withPad: " ", startingAt: 0)
            return "\(name)  \(definition.kind.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0))  \(definition.sourcesSummary)\(labels)"
        }
    }
}
