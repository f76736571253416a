import Substrate

/// An XCM location as label text, one canonical form whatever the XCM version: the number of
/// parents, then each junction of the interior, joined by `/`: `1/Here` (the relay chain's
/// token, seen from a parachain), `0/PalletInstance(50)/GeneralIndex(1984)` (USDT on Asset Hub),
/// `2/GlobalConsensus(Kusama)`, `2/GlobalConsensus(Ethereum(1))/AccountKey20(0x7fc6…)`. It is the
/// text `only:` lists and labels of foreign assets and swap paths use.
enum LocationText {
    /// The text of a location (a struct of `parents` and `interior`), or nil for other values;
    /// `junction` renders each junction.
    static func text(_ value: Value, junction: (Value) -> String) -> String? {
        guard case let .composite(fields) = value.kind, fields.count == 2,
              let parents = value[field: "parents"]?.uint128, let interior = value[field: "interior"],
              case let .variant(shape) = interior.kind
        else { return nil }
        // `Here`, or `X1`…`X8` holding the junctions: an array of them (XCM v4 on) or one field each (v3).
        var junctions = [Value]()
        if shape.name != "Here" {
            if shape.fields.count == 1, case let .array(items) = shape.fields[0].value.kind {
                junctions = items
            } else {
                junctions = shape.fields.map(\.value)
            }
        }
        return ([String(parents)] + (junctions.isEmpty ? ["Here"] : junctions.map(junction))).joined(separator: "/")
    }
}
