public import BigInt
public import SCALE

/// A SCALE value decoded without static types, shaped by its type in the registry
/// (like subxt's `scale_value::Value`). `typeID` says which registry type it was read as.
///
/// Decoded newtypes (structs with a single unnamed field) carry their content's kind directly,
/// tagged with the newtype's `typeID`: an `AccountId32` is `.bytes`, a `Perbill` a `.primitive`.
public struct Value: Sendable, Hashable {
    public var kind: Kind
    public var typeID: UInt32?

    public init(_ kind: Kind, typeID: UInt32? = nil) {
        self.kind = kind
        self.typeID = typeID
    }

    public enum Kind: Sendable, Hashable {
        /// A struct: named fields, or unnamed ones for tuple structs.
        case composite([NamedValue])
        case variant(Variant)
        case sequence([Value])
        case array([Value])
        case tuple([Value])
        /// `Vec<u8>` and `[u8; N]`, kept as bytes rather than one value per byte.
        case bytes([UInt8])
        case primitive(Primitive)
        /// A `Compact<T>`; the payload is the integer, whatever newtype `T` wraps it in.
        case compact(Primitive)
        case bitSequence(BitSequence)
    }

    public struct Variant: Sendable, Hashable {
        public var name: String
        public var fields: [NamedValue]
        public var index: UInt8

        public init(name: String, index: UInt8, fields: [NamedValue]) {
            self.name = name
            self.index = index
            self.fields = fields
        }
    }

    public struct NamedValue: Sendable, Hashable {
        public var name: String?
        public var value: Value

        public init(name: String?, value: Value) {
            self.name = name
            self.value = value
        }
    }

    public enum Primitive: Sendable, Hashable {
        case bool(Bool)
        case char(Unicode.Scalar)
        case string(String)
        case u8(UInt8), u16(UInt16), u32(UInt32), u64(UInt64), u128(UInt128)
        case i8(Int8), i16(Int16), i32(Int32), i64(Int64), i128(Int128)
        // Boxed: rare, and unboxed they would double the size of every value.
        indirect case u256(BigUInt), i256(BigInt)
    }
}

extension Value {
    public static func composite(_ fields: [NamedValue], typeID: UInt32? = nil) -> Value {
        Value(.composite(fields), typeID: typeID)
    }

    public static func variant(_ name: String, index: UInt8, _ fields: [NamedValue] = [], typeID: UInt32? = nil) -> Value {
        Value(.variant(Variant(name: name, index: index, fields: fields)), typeID: typeID)
    }

    public static func primitive(_ primitive: Primitive, typeID: UInt32? = nil) -> Value {
        Value(.primitive(primitive), typeID: typeID)
    }

    public static func bytes(_ bytes: [UInt8], typeID: UInt32? = nil) -> Value {
        Value(.bytes(bytes), typeID: typeID)
    }
}
