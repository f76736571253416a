/// Reads SCALE-encoded values from a byte buffer, front to back.
///
/// Every read checks the remaining length first and throws `SCALEError` with the
/// absolute offset on failure: no read can trap on malformed input.
public struct SCALEDecoder: Sendable {
    public let bytes: [UInt8]
    /// Index of the next byte to read in `bytes`.
    @usableFromInline internal var cursor: Int
    public var position: Int { cursor }
    /// Added to `position` in errors, so that a decoder over a slice of a file reports file offsets.
    public let baseOffset: Int

    public init(_ bytes: [UInt8], baseOffset: Int = 0) {
        self.bytes = bytes
        self.cursor = 0
        self.baseOffset = baseOffset
    }

    /// Offset of the next byte, as reported in errors.
    @inlinable public var offset: Int { baseOffset + cursor }
    @inlinable public var remaining: Int { bytes.count - cursor }
    public var isAtEnd: Bool { position >= bytes.count }

    @inlinable public func error(_ reason: SCALEError.Reason) -> SCALEError {
        SCALEError(reason, at: offset)
    }

    public func error(_ reason: SCALEError.Reason, at position: Int) -> SCALEError {
        SCALEError(reason, at: baseOffset + position)
    }

    @inlinable @inline(__always)
    internal func require(_ count: Int) throws(SCALEError) {
        guard count >= 0, count <= bytes.count - position else {
            throw error(.unexpectedEnd(needed: count, available: remaining))
        }
    }

    @inlinable
    public mutating func readByte() throws(SCALEError) -> UInt8 {
        try require(1)
        defer { cursor += 1 }
        return bytes[position]
    }

    public func peekByte() throws(SCALEError) -> UInt8 {
        try require(1)
        return bytes[position]
    }

    @inlinable
    public mutating func readBytes(_ count: Int) throws(SCALEError) -> [UInt8] {
        try require(count)
        defer { cursor += count }
        return Array(bytes[position..<position + count])
    }

    @inlinable
    public mutating func skip(_ count: Int) throws(SCALEError) {
        try require(count)
        cursor += count
    }

    /// Moves back to an earlier position (used to re-read a value whose start was remembered).
    public mutating func seek(to position: Int) {
        precondition(position >= 0 && position <= bytes.count, "seek outside the buffer")
        self.cursor = position
    }

    /// Throws unless every byte has been read.
    public func expectEnd() throws(SCALEError) {
        if remaining > 0 { throw error(.trailingBytes(remaining)) }
    }

    // MARK: Fixed-width integers (little endian)

    @inlinable
    public mutating func decode<T: FixedWidthInteger>(_: T.Type = T.self) throws(SCALEError) -> T {
        let size = T.bitWidth / 8
        try require(size)
        var value = T.zero
        for index in stride(from: size - 1, through: 0, by: -1) {
            value = value << 8 | T(truncatingIfNeeded: bytes[position + index])
        }
        cursor += size
        return value
    }

    public mutating func decodeBool() throws(SCALEError) -> Bool {
        let byte = try readByte()
        switch byte {
        case 0: return false
        case 1: return true
        default: throw error(.invalidBool(byte), at: position - 1)
        }
    }

    // MARK: Lengths, strings, options, results

    /// Reads a `Compact<u32>` length and checks that at least `length * minimumElementSize`
    /// bytes follow, so a corrupt length can never make a caller allocate or loop for long.
    public mutating func decodeLength(minimumElementSize: Int = 1) throws(SCALEError) -> Int {
        let start = position
        let length = try decodeCompact(UInt64.self)
        let perElement = UInt64(max(minimumElementSize, 0))
        let (needed, overflow) = length.multipliedReportingOverflow(by: perElement)
        if overflow || needed > UInt64(remaining) || length > UInt64(UInt32.max)
            || (perElement == 0 && length > Self.zeroSizedElementLimit)
        {
            throw error(.lengthTooLarge(length), at: start)
        }
        return Int(length)
    }

    /// Most elements of a zero-sized type a sequence may claim to hold (they take no bytes, so
    /// the input length cannot bound them).
    public static let zeroSizedElementLimit: UInt64 = 1 << 16

    /// `Vec<u8>`.
    public mutating func decodeByteVector() throws(SCALEError) -> [UInt8] {
        let count = try decodeLength()
        return try readBytes(count)
    }

    public mutating func decodeString() throws(SCALEError) -> String {
        let start = position
        let count = try decodeLength()
        try require(count)
        let slice = bytes[position..<position + count]
        guard let text = String(validating: slice, as: UTF8.self) else {
            throw error(.invalidUTF8, at: start)
        }
        cursor += count
        return text
    }

    /// `Option<T>`: tag 0 is None, 1 is Some followed by the value.
    public mutating func decodeOption<T>(
        _ decodeSome: (inout SCALEDecoder) throws(SCALEError) -> T
    ) throws(SCALEError) -> T? {
        let tag = try readByte()
        switch tag {
        case 0: return nil
        case 1: return try decodeSome(&self)
        default: throw error(.invalidOptionTag(tag), at: position - 1)
        }
    }

    /// `Result<T, E>`: tag 0 is Ok, 1 is Err.
    public mutating func decodeResult<T, E>(
        ok: (inout SCALEDecoder) throws(SCALEError) -> T,
        err: (inout SCALEDecoder) throws(SCALEError) -> E
    ) throws(SCALEError) -> Result<T, SCALEResultError<E>> {
        let tag = try readByte()
        switch tag {
        case 0: return .success(try ok(&self))
        case 1: return .failure(SCALEResultError(value: try err(&self)))
        default: throw error(.invalidResultTag(tag), at: position - 1)
        }
    }

    /// `Vec<T>`.
    public mutating func decodeVector<T>(
        minimumElementSize: Int = 1,
        _ decodeElement: (inout SCALEDecoder) throws(SCALEError) -> T
    ) throws(SCALEError) -> [T] {
        let count = try decodeLength(minimumElementSize: minimumElementSize)
        var out = [T]()
        out.reserveCapacity(count)
        for _ in 0..<count { out.append(try decodeElement(&self)) }
        return out
    }

    /// `[T; N]`: N elements, no length prefix.
    public mutating func decodeArray<T>(
        count: Int,
        _ decodeElement: (inout SCALEDecoder) throws(SCALEError) -> T
    ) throws(SCALEError) -> [T] {
        var out = [T]()
        out.reserveCapacity(min(count, remaining))
        for _ in 0..<count { out.append(try decodeElement(&self)) }
        return out
    }
}

/// Carries the `Err` payload of a SCALE `Result`, which need not be an `Error` itself.
public struct SCALEResultError<Payload>: Error {
    public var value: Payload

    public init(value: Payload) { self.value = value }
}
extension SCALEResultError: Sendable where Payload: Sendable {}
extension SCALEResultError: Equatable where Payload: Equatable {}
