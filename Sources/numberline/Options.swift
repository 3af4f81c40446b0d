#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A command-line option: `--name VALUE`, or `--name` alone for a flag.
struct OptionSpec {
    var name: String
    var valueName: String?
    var help: String
    /// Environment variable read when the option is not given, e.g. `NUMBERLINE_PORT`.
    var environment: String?

    var isFlag: Bool { valueName == nil }
}

/// A usage error: printed as one line, exit status 2.
struct UsageError: Error {
    var message: String
}

/// Parsed options of one command.
struct ParsedOptions {
    private var values: [String: String] = [:]
    private(set) var positionals: [String] = []
    private(set) var wantsHelp = false

    /// Parses `arguments`; unknown options, missing values and repeated options are usage errors.
    init(_ arguments: [String], specs: [OptionSpec], command: String, environment: [String: String] = processEnvironment())
        throws
    {
        let byName = Dictionary(uniqueKeysWithValues: specs.map { ($0.name, $0) })
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if argument == "--help" || argument == "-h" {
                wantsHelp = true
                continue
            }
            guard argument.hasPrefix("--") else {
                positionals.append(argument)
                continue
            }
            var name = String(argument.dropFirst(2))
            var inlineValue: String?
            if let equals = name.firstIndex(of: "=") {
                inlineValue = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }
            guard let spec = byName[name] else {
                throw UsageError(message: "\(command): unknown option --\(name); see '\(command) --help'")
            }
            guard values[name] == nil else {
                throw UsageError(message: "\(command): option --\(name) is given twice; give it once")
            }
            if spec.isFlag {
                guard inlineValue == nil else {
                    throw UsageError(message: "\(command): option --\(name) takes no value")
                }
                values[name] = "true"
            } else if let inlineValue {
                values[name] = inlineValue
            } else {
                guard index < arguments.count, !arguments[index].hasPrefix("--") else {
                    throw UsageError(message: "\(command): option --\(name) needs a value (\(spec.valueName!))")
                }
                values[name] = arguments[index]
                index += 1
            }
        }
        for spec in specs where values[spec.name] == nil {
            if let variable = spec.environment, let value = environment[variable], !value.isEmpty {
                values[spec.name] = spec.isFlag ? (["1", "true", "yes", "on"].contains(value.lowercased()) ? "true" : nil) : value
            }
        }
    }

    func string(_ name: String) -> String? { values[name] }

    func flag(_ name: String) -> Bool { values[name] == "true" }

    /// Reads an integer option within `range`.
    func integer(_ name: String, in range: ClosedRange<Int>, command: String) throws -> Int? {
        guard let text = values[name] else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw UsageError(
                message: "\(command): --\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound), not \"\(text)\"")
        }
        return value
    }

    /// Requires exactly `count` positional arguments.
    func requirePositionals(_ names: [String], command: String) throws -> [String] {
        guard positionals.count == names.count else {
            let expected = names.map { $0.uppercased() }.joined(separator: " ")
            throw UsageError(
                message:
                    "\(command): expected \(expected.isEmpty ? "no arguments" : expected), got \(positionals.count) argument(s); see '\(command) --help'"
            )
        }
        return positionals
    }
}

/// Renders the help text of a command.
func helpText(usage: String, summary: String, specs: [OptionSpec]) -> String {
    var lines = ["Usage: \(usage)", "", summary, "", "Options:"]
    let width = specs.map { "--\($0.name)\($0.valueName.map { " \($0)" } ?? "")".count }.max() ?? 0
    for spec in specs {
        let left = "--\(spec.name)\(spec.valueName.map { " \($0)" } ?? "")"
        var line = "  " + left + String(repeating: " ", count: width - left.count + 2) + spec.help
        if let variable = spec.environment {
            line += " [env \(variable)]"
        }
        lines.append(line)
    }
    lines.append("  --help" + String(repeating: " ", count: max(2, width - 6 + 2)) + "Show this help.")
    return lines.joined(separator: "\n") + "\n"
}

let databaseOption = OptionSpec(
    name: "database", valueName: "PATH|URL",
    help: "SQLite database file (default ./numberline.db), or a postgres://user@host/db URL for PostgreSQL.",
    environment: "NUMBERLINE_DATABASE")
