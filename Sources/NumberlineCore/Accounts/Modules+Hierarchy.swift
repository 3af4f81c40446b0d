extension Modules {
    /// Wire names of the modules in the order the reference lists them under `modulesAccess`.
    public static let wireNames = ["did", "msteam", "ucaas", "enhancedServices", "stats"]

    /// The enabled modules as wire names, in reference order.
    public var enabledWireNames: [String] {
        let flags = [did, msteam, ucaas, enhancedServices, stats]
        return zip(Modules.wireNames, flags).compactMap { name, isEnabled in isEnabled ? name : nil }
    }

    /// Whether every module enabled here is also enabled in `parent`.
    public func isSubset(of parent: Modules) -> Bool {
        missing(from: parent).isEmpty
    }

    /// Wire names of the modules enabled here but not in `parent`, in reference order.
    public func missing(from parent: Modules) -> [String] {
        let parentNames = Set(parent.enabledWireNames)
        return enabledWireNames.filter { !parentNames.contains($0) }
    }
}
