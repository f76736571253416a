/// Input a command cannot use (a file, an option, a store it cannot open): printed as one line
/// naming the input and what is wrong with it, exit code 2.
public struct InputFailure: Error, CustomStringConvertible {
    /// The file or option at fault.
    public let input: String
    public let message: String

    public init(file: String, message: String) {
        (input, self.message) = (file, message)
    }

    public var description: String { "\(input): \(message)" }
}
