import Foundation

/// The `from` and `to` of a query: ISO-8601 in UTC or with an offset (`2024-05-01`,
/// `2024-05-01T12:00:00Z`, `2024-05-01T12:00:00.250+02:00`), or relative to now as Sanbase
/// writes it (`utc_now`, `utc_now-7d`, `utc_now-90m`).
public enum QueryTime {
    /// Unix milliseconds; `argument` names the argument in errors.
    public static func parse(_ text: String, argument: String, nowMilliseconds: Int64) throws(QueryError) -> Int64 {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("utc_now") { return try relative(trimmed, argument: argument, now: nowMilliseconds) }
        guard let time = absolute(trimmed) else {
            throw QueryError.badArgument(argument, "\"\(text)\" is not a date: ISO-8601 (2024-05-01, 2024-05-01T12:00:00Z) or utc_now-<n><s|m|h|d|w>")
        }
        return time
    }

    private static func relative(_ text: String, argument: String, now: Int64) throws(QueryError) -> Int64 {
        let offset = text.dropFirst("utc_now".count)
        guard !offset.isEmpty else { return now }
        guard let sign = offset.first, sign == "-" || sign == "+",
              let interval = try? QueryInterval(parsing: String(offset.dropFirst())), case let .fixed(milliseconds) = interval
        else {
            throw QueryError.badArgument(argument, "\"\(text)\" is not a relative date: utc_now, or utc_now-<n><s|m|h|d|w> (utc_now-7d)")
        }
        return sign == "-" ? now - milliseconds : now + milliseconds
    }

    /// `YYYY-MM-DD`, optionally `THH:MM[:SS[.fraction]]` and `Z` or `±HH:MM`; nil otherwise.
    public static func absolute(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        var position = 0
        func number(_ digits: Int) -> Int? {
            guard position + digits <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[position..<position + digits] {
                guard byte >= 0x30, byte <= 0x39 else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            position += digits
            return value
        }
        func expect(_ character: UInt8) -> Bool {
            guard position < bytes.count, bytes[position] == character else { return false }
            position += 1
            return true
        }
        guard let year = number(4), expect(UInt8(ascii: "-")), let month = number(2), expect(UInt8(ascii: "-")), let day = number(2),
              (1...12).contains(month), (1...daysIn(month, year)).contains(day)
        else { return nil }
        var hour = 0, minute = 0, second = 0, milliseconds = 0, offsetMinutes = 0
        if position < bytes.count, bytes[position] == UInt8(ascii: "T") || bytes[position] == UInt8(ascii: " ") {
            position += 1
            guard let h = number(2), expect(UInt8(ascii: ":")), let m = number(2), h < 24, m < 60 else { return nil }
            (hour, minute) = (h, m)
            if expect(UInt8(ascii: ":")) {
                guard let s = number(2), s < 60 else { return nil }
                second = s
                if expect(UInt8(ascii: ".")) {
                    var digits = 0
                    while position < bytes.count, bytes[position] >= 0x30, bytes[position] <= 0x39 {
                        if digits < 3 { milliseconds = milliseconds * 10 + Int(bytes[position] - 0x30) }
                        digits += 1
                        position += 1
                    }
                    guard digits > 0 else { return nil }
                    for _ in digits..<max(digits, 3) { milliseconds *= 10 }
                }
            }
            if expect(UInt8(ascii: "Z")) {
            } else if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
                let negative = bytes[position] == UInt8(ascii: "-")
                position += 1
                guard let h = number(2) else { return nil }
                _ = expect(UInt8(ascii: ":"))
                guard let m = number(2), h < 24, m < 60 else { return nil }
                offsetMinutes = (negative ? -1 : 1) * (h * 60 + m)
            }
        }
        guard position == bytes.count else { return nil }
        let days = daysSinceEpoch(year: year, month: month, day: day)
        let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offsetMinutes * 60)
        return seconds * 1000 + Int64(milliseconds)
    }

    private static func daysIn(_ month: Int, _ year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days from 1970-01-01 to a proleptic Gregorian date (Hinnant's days_from_civil).
    static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The UTC year and month (1–12) of Unix milliseconds.
    static func yearAndMonth(_ milliseconds: Int64) -> (year: Int, month: Int) {
        let (year, month, _, _) = civil(milliseconds)
        return (year, month)
    }

    /// Year, month and day (Hinnant's civil_from_days) of Unix milliseconds, and the second of that day.
    private static func civil(_ milliseconds: Int64) -> (year: Int, month: Int, day: Int, second: Int) {
        let seconds = milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000
        let days = Int(seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400)
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day, Int(seconds - Int64(days) * 86_400))
    }

    /// `2024-05-01T00:00:00Z` for Unix milliseconds (whole seconds; `.250` when there are milliseconds).
    public static func iso8601(_ milliseconds: Int64) -> String {
        let (year, month, day, secondOfDay) = civil(milliseconds)
        let fraction = ((milliseconds % 1000) + 1000) % 1000
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        var text = "\(year)-\(two(month))-\(two(day))T\(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60))"
        if fraction != 0 { text += "." + String(String(fraction + 1000).dropFirst()) }
        return text + "Z"
    }
}
