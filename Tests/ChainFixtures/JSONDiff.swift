public import ExactJSON
import Substrate

/// Compares two JSON documents field by field (object key order ignored) and names the first
/// place they differ, so a failing fixture test says where, not just that.
public enum JSONDiff {
    public static func firstDifference(_ actual: JSON, _ expected: JSON, path: String = "$") -> String? {
        switch (actual, expected) {
        case let (.object(a), .object(e)):
            let aKeys = a.map(\.key), eKeys = e.map(\.key)
            if Set(aKeys) != Set(eKeys) {
                return "\(path): keys \(aKeys.sorted()) != expected \(eKeys.sorted())"
            }
            for member in e {
                let mine = a.first { $0.key == member.key }!.value
                if let difference = firstDifference(mine, member.value, path: "\(path).\(member.key)") { return difference }
            }
            return nil
        case let (.array(a), .array(e)):
            if a.count != e.count { return "\(path): \(a.count) items != expected \(e.count)" }
            for (index, pair) in zip(a, e).enumerated() {
                if let difference = firstDifference(pair.0, pair.1, path: "\(path)[\(index)]") { return difference }
            }
            return nil
        default:
            return actual == expected ? nil : "\(path): \(actual.serialized().prefix(200)) != expected \(expected.serialized().prefix(200))"
        }
    }
}
