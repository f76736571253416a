/// Appends SCALE encodings of values to a byte buffer.
public struct SCALEEncoder: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    public mutating func append(_ byte: UInt8) { bytes.append(byte) }

    public mutating func append<Bytes: Sequence>(contentsOf raw: Bytes) where Bytes.Element == UInt8 {
        bytes.append(contentsOf: raw)
    }

    /// Fixed-width integers, little endian.
    public mutating func encode<T: FixedWidthInteger>(_ value: T) {
        for index in 0..<(T.bitWidth / 8) {
            bytes.append(UInt8(truncatingIfNeeded: value >> (8 * index)))
        }
    }

    public mutating func encode(_ value: Bool) { bytes.append(value ? 1 : 0) }

    public mutating func encodeLength(_ count: Int) { encodeCompact(UInt64(count)) }

    /// `Vec<u8>`: compact length, then the bytes.
    public mutating func encodeByteVector<Bytes: Collection>(_ raw: Bytes) where Bytes.Element == UInt8 {
        encodeLength(raw.count)
        bytes.append(contentsOf: raw)
    }

    public mutating func encode(_ text: String) { encodeByteVector(Array(text.utf8)) }

    public mutating func encodeOption<T>(_ value: T?, _ encodeSome: (inout SCALEEncoder, T) -> Void) {
        if let value {
            bytes.append(1)
            encodeSome(&self, value)
        } else {
            bytes.append(0)
        }
    }

    public mutating func encodeResult<T, E>(
        _ value: Result<T, SCALEResultError<E>>,
        ok: (inout SCALEEncoder, T) -> Void,
        err: (inout SCALEEncoder, E) -> Void
    ) {
        switch value {
        case let .success(payload):
            bytes.append(0)
            ok(&self, payload)
        case let .failure(failure):
            bytes.append(1)
            err(&self, failure.value)
        }
    }

    public mutating func encodeVector<T>(_ values: [T], _ encodeElement: (inout SCALEEncoder, T) -> Void) {
        encodeLength(values.count)
        for value in values { encodeElement(&self, value) }
    }
}
