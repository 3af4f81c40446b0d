import NumberlineAPI
import NumberlineCore
import NumberlineStore

/// `carrier create`, `carrier list` and `instance set`: operator commands for the number inventory.
enum InventoryCommands {
    static func run(group: String, subcommand: String, _ arguments: [String]) async throws {
        switch (group, subcommand) {
        case ("carrier", "create"): try await createCarrier(arguments)
        case ("carrier", "list"): try await listCarriers(arguments)
        case ("instance", "set"): try await setInstance(arguments)
        default:
            throw UsageError(message: "numberline \(group): unknown subcommand \(subcommand); see 'numberline --help'")
        }
    }

    private static let instanceOption = OptionSpec(name: "instance", valueName: "NAME", help: "Instance the carrier belongs to.")

    // MARK: - Carriers

    private static func createCarrier(_ arguments: [String]) async throws {
        let command = "numberline carrier create"
        let specs = [databaseOption, instanceOption]
        let options = try ParsedOptions(arguments, specs: specs, command: command)
        if options.wantsHelp {
            print(
                helpText(
                    usage: "\(command) --instance NAME CARRIER-NAME",
                    summary: "Defines a carrier that numbers can be uploaded to; prints its id.", specs: specs), terminator: "")
            return
        }
        let name = try options.requirePositionals(["carrier-name"], command: command)[0]
        if name.isEmpty {
            throw UsageError(message: "\(command): the carrier name is empty; give a name such as \"Carrier A\"")
        }
        if let problem = FieldRules.validateFreeText(name, field: "name").first {
            throw UsageError(message: "\(command): \(problem.message)")
        }
        let store = try await openStore(options)
        do {
            let instance = try await requireInstance(options, store, command: command)
            let carrier = try await store.createCarrier(instanceID: instance.id, name: name)
            await store.close()
            print("created carrier \(carrier.name) (id \(carrier.id)) in instance \(instance.name)")
        } catch StoreError.duplicate {
            await store.close()
            throw CommandError(message: "\(command): carrier \(name) already exists in instance \(options.string("instance") ?? "")")
        } catch {
            await store.close()
            throw error
        }
    }

    private static func listCarriers(_ arguments: [String]) async throws {
        let command = "numberline carrier list"
        let specs = [databaseOption, instanceOption]
        let options = try ParsedOptions(arguments, specs: specs, command: command)
        if options.wantsHelp {
            print(
                helpText(
                    usage: "\(command) --instance NAME", summary: "Lists the instance's carriers, one per line: id and name.", specs: specs),
                terminator: "")
            return
        }
        _ = try options.requirePositionals([], command: command)
        let store = try await openStore(options)
        let instance = try await requireInstance(options, store, command: command)
        for carrier in try await store.carriers(instanceID: instance.id) {
            print("\(carrier.id)\t\(carrier.name)")
        }
        await store.close()
    }

    // MARK: - Instance settings

    private static func setInstance(_ arguments: [String]) async throws {
        let command = "numberline instance set"
        let specs = [
            databaseOption,
            OptionSpec(
                name: "number-validation", valueName: "MODE",
                help: "possible: the length fits the country's numbering plan (default). strict: the number also lies in an assigned range."
            ),
        ]
        let options = try ParsedOptions(arguments, specs: specs, command: command)
        if options.wantsHelp {
            print(
                helpText(
                    usage: "\(command) NAME --number-validation possible|strict", summary: "Changes an instance's settings.", specs: specs),
                terminator: "")
            return
        }
        let name = try options.requirePositionals(["name"], command: command)[0]
        guard let text = options.string("number-validation") else {
            throw UsageError(message: "\(command): nothing to set; give --number-validation possible|strict")
        }
        guard let mode = NumberValidation(rawValue: text) else {
            throw UsageError(message: "\(command): --number-validation must be possible or strict, not \"\(text)\"")
        }
        let store = try await openStore(options)
        guard let instance = try await store.instance(named: name) else {
            await store.close()
            throw CommandError(message: "\(command): instance \(name) does not exist; create it with 'numberline instance create \(name)'")
        }
        try await store.setNumberValidation(mode, instanceID: instance.id)
        await store.close()
        print("instance \(instance.name) now checks uploaded numbers in \(mode.rawValue) mode")
    }

    private static func requireInstance(_ options: ParsedOptions, _ store: SQLStore, command: String) async throws -> Instance {
        guard let name = options.string("instance") else {
            throw UsageError(message: "\(command): --instance NAME is required")
        }
        guard let instance = try await store.instance(named: name) else {
            throw CommandError(message: "\(command): instance \(name) does not exist; create it with 'numberline instance create \(name)'")
        }
        return instance
    }
}
