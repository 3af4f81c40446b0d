import NumberlineHTTP

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// The numberline command: `serve` runs the server; the other commands administer the database.

let commands: [(name: String, summary: String)] = [
    ("serve", "Run the HTTP server."),
    ("migrate", "Apply pending database migrations."),
    ("instance create NAME", "Create a platform instance."),
    ("instance list", "List instances."),
    ("instance set NAME", "Change an instance's settings (--number-validation)."),
    ("carrier create NAME", "Define a carrier in an instance."),
    ("carrier list", "List an instance's carriers."),
    ("admin create", "Create a platform admin login (password on standard input)."),
    ("apikey create", "Issue an API key for an instance and print it."),
    ("apikey list", "List an instance's API keys (ids and labels, never keys)."),
    ("apikey revoke ID", "Revoke an API key."),
]

func printUsage() {
    var text = "Usage: numberline COMMAND [OPTIONS]\n\nCommands:\n"
    for command in commands {
        text += "  " + command.name + String(repeating: " ", count: max(0, 24 - command.name.count)) + command.summary + "\n"
    }
    text += "\nEvery command takes --database PATH|URL and --help.\n"
    print(text, terminator: "")
}

func fail(_ message: String, status: Int32) -> Never {
    writeStandardError(message + "\n")
    exit(status)
}

let arguments = Array(CommandLine.arguments.dropFirst())
guard let first = arguments.first else {
    printUsage()
    exit(2)
}
if first == "--help" || first == "-h" || first == "help" {
    printUsage()
    exit(0)
}

do {
    switch first {
    case "serve":
        try await ServeCommand.run(Array(arguments.dropFirst()))
    case "migrate":
        try await AdminCommands.migrate(Array(arguments.dropFirst()))
    case "carrier":
        guard arguments.count >= 2 else {
            fail("numberline carrier: missing subcommand; see 'numberline --help'", status: 2)
        }
        if arguments[1] == "--help" || arguments[1] == "-h" {
            printUsage()
            exit(0)
        }
        try await InventoryCommands.run(group: first, subcommand: arguments[1], Array(arguments.dropFirst(2)))
    case "instance" where arguments.count >= 2 && arguments[1] == "set":
        try await InventoryCommands.run(group: first, subcommand: arguments[1], Array(arguments.dropFirst(2)))
    case "instance", "admin", "apikey":
        guard arguments.count >= 2 else {
            fail("numberline \(first): missing subcommand; see 'numberline --help'", status: 2)
        }
        if arguments[1] == "--help" || arguments[1] == "-h" {
            printUsage()
            exit(0)
        }
        try await AdminCommands.run(group: first, subcommand: arguments[1], Array(arguments.dropFirst(2)))
    default:
        fail("numberline: unknown command \(first); see 'numberline --help'", status: 2)
    }
} catch let error as UsageError {
    fail(error.message, status: 2)
} catch let error as CommandError {
    fail(error.message, status: 1)
} catch {
    fail("numberline: \(error)", status: 1)
}
