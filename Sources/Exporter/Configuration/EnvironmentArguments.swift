import ExactJSON
import Foundation

/// Options from the environment, as containers and units set them: every option of a command
/// is also read from `RUNTIME_EXPORTER_` and its name in capitals, dots and dashes as
/// underscores (`--web.listen-address` from `RUNTIME_EXPORTER_WEB_LISTEN_ADDRESS`). An option on
/// the command line wins over its variable. Options given several times (`--rpc`) take
/// whitespace-separated values; flags take true or false.
public enum EnvironmentArguments {
    public static let prefix = "RUNTIME_EXPORTER_"

    /// An option of a command, as its parser declares it.
    public struct Option: Sendable, Equatable {
        /// The long name, without dashes: `web.listen-address`.
        public let name: String
        /// False for a flag, which takes no value.
        public let takesValue: Bool
        /// Given several times, each time with one value.
        public let repeats: Bool

        public init(name: String, takesValue: Bool, repeats: Bool) {
            self.name = name
            self.takesValue = takesValue
            self.repeats = repeats
        }

        /// The environment variable it is read from.
        public var variable: String {
            EnvironmentArguments.prefix + String(name.uppercased().map { $0 == "." || $0 == "-" ? "_" : $0 })
        }
    }

    /// The options a command declares, from ArgumentParser's description of it
    /// (`Command._dumpHelp()`, the JSON of `--experimental-dump-help`): each long name, whether
    /// it takes a value, whether it repeats. Positionals and `--help` are left out.
    public static func options(describedBy dump: String) throws -> [Option] {
        let declared = try JSON.parse(dump)["command"]?["arguments"]?.arrayValue ?? []
        return declared.compactMap { argument in
            guard let kind = argument["kind"]?.stringValue, kind != "positional",
                  let long = argument["names"]?.arrayValue?.first(where: { $0["kind"]?.stringValue == "long" })?["name"]?.stringValue,
                  long != "help" else { return nil }
            return Option(name: long, takesValue: kind == "option", repeats: argument["isRepeating"] == .bool(true))
        }
    }

    /// A variable whose value the option cannot take.
    public struct Failure: Error, CustomStringConvertible {
        public let variable: String
        public let message: String
        public var description: String { "\(variable): \(message)" }
    }

    /// A command line completed from the environment.
    public struct Resolution: Sendable, Equatable {
        public var arguments: [String]
        /// The variables it took options from, to name when the command line is refused.
        public var variables: [String]

        public init(arguments: [String], variables: [String] = []) {
            self.arguments = arguments
            self.variables = variables
        }
    }

    /// `arguments` (those after the command's name) with every option they do not give taken
    /// from its variable in `environment`, if set and not empty.
    public static func resolve(_ arguments: [String], options: [Option], environment: [String: String]) throws(Failure) -> Resolution {
        var result = Resolution(arguments: arguments)
        // Everything after "--" is positional.
        let given = arguments.prefix { $0 != "--" }
        for option in options {
            let flag = "--" + option.name
            guard !given.contains(where: { $0 == flag || $0.hasPrefix(flag + "=") }) else { continue }
            guard let value = environment[option.variable]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { continue }
            if !option.takesValue {
                switch value.lowercased() {
                case "true", "1", "yes": result.arguments.append(flag)
                case "false", "0", "no": continue
                default: throw Failure(variable: option.variable, message: "expected true or false, not \(value)")
                }
            } else if option.repeats {
                for part in value.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }) { result.arguments += [flag, String(part)] }
            } else {
                result.arguments += [flag, value]
            }
            result.variables.append(option.variable)
        }
        return result
    }
}
