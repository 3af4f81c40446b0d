/// One line of a schema table: a field, found by its dotted path from the top of the schema.
struct SchemaRow {
    /// Dotted path such as `customerAccount.loginInformation[].userName`.
    var field: String
    var type: String
    var isRequired: Bool
    /// Constraints as HTML fragments: enums, patterns, lengths, item counts.
    var rules: [String]
    var description: String?
}

extension DocsDocument {
    /// Renders a schema as HTML: a table of its fields, or one section per variant of a `oneOf`.
    func schemaHTML(_ schemaNode: Node, expanding: Set<String> = []) -> String {
        let (node, name) = resolve(schemaNode)
        var expanding = expanding
        if let name {
            expanding.insert(name)
        }

        if let variants = child(node, "oneOf") ?? child(node, "anyOf") {
            var html = "<p class=\"schema-line\">One of:</p>\n"
            if let discriminator = child(node, "discriminator", "propertyName")?.string {
                html = "<p class=\"schema-line\">One of the following, chosen by <code>\(HTMLText.escape(discriminator))</code>:</p>\n"
            }
            for variant in elements(variants) {
                // The variant's own summary line names it, so no separate heading is needed.
                html += "<div class=\"variant\">\n"
                html += schemaHTML(variant, expanding: expanding)
                html += "</div>\n"
            }
            return html
        }

        if let items = child(node, "items"), resolve(items).node.object?["oneOf"] != nil {
            return "<p class=\"schema-line\">An array. Each item:</p>\n" + schemaHTML(items, expanding: expanding)
        }

        var rows: [SchemaRow] = []
        appendChildRows(of: node, prefix: "", expanding: expanding, into: &rows)
        let summary =
            "<p class=\"schema-line\"><span class=\"type\">\(HTMLText.escape(typeText(schemaNode)))</span>"
            + rulesText(ruleList(node)) + "</p>\n"
        if rows.isEmpty {
            return summary
        }
        return summary + rowsTable(rows)
    }

    /// Describes a schema's type in a few words, such as `string or null (email)` or `array of LoginInformation`.
    func typeText(_ schemaNode: Node) -> String {
        let (node, name) = resolve(schemaNode)

        if let variants = child(node, "oneOf") ?? child(node, "anyOf") {
            let names = elements(variants).map { resolve($0).name ?? typeText($0) }
            return "one of " + names.joined(separator: ", ")
        }

        var words: String
        switch node.object?["type"] {
        case let single as String:
            words = single
        case let several as [Any]:
            words = several.compactMap { $0 as? String }.joined(separator: " or ")
        default:
            words = node.object?["properties"] != nil ? "object" : "any"
        }

        if words.hasPrefix("array"), let items = child(node, "items") {
            words = words.replacing("array", with: "array of " + typeText(items))
        }
        if let format = node.object?["format"] as? String {
            words += " (\(format))"
        }
        if let name, words.hasPrefix("object") {
            words = name
        }
        return words
    }

    // MARK: - Rows

    /// Appends a row per property of an object schema, and per property of the items of an array schema, recursively.
    private func appendChildRows(of schemaNode: Node, prefix: String, expanding: Set<String>, into rows: inout [SchemaRow]) {
        let (node, _) = resolve(schemaNode)

        if let items = child(node, "items") {
            let (itemsNode, itemsName) = resolve(items)
            if let itemsName, expanding.contains(itemsName) {
                return
            }
            let deeper = expanding.union(itemsName.map { [$0] } ?? [])
            appendChildRows(of: itemsNode, prefix: prefix + "[]", expanding: deeper, into: &rows)
            return
        }

        guard let properties = child(node, "properties") else {
            return
        }
        let required = Set((node.object?["required"] as? [Any] ?? []).compactMap { $0 as? String })

        for (name, property) in members(properties) {
            let field = prefix.isEmpty ? name : prefix + "." + name
            let (resolved, referenceName) = resolve(property)
            rows.append(
                SchemaRow(
                    field: field,
                    type: typeText(property),
                    isRequired: required.contains(name),
                    rules: ruleList(resolved),
                    description: resolved.object?["description"] as? String ?? property.object?["description"] as? String
                )
            )

            // A schema that contains itself is expanded once, and the inner use is only named.
            if let referenceName, expanding.contains(referenceName) {
                continue
            }
            let deeper = expanding.union(referenceName.map { [$0] } ?? [])
            appendChildRows(of: resolved, prefix: field, expanding: deeper, into: &rows)
        }
    }

    /// Lists the constraints of one schema as HTML fragments.
    func ruleList(_ node: Node) -> [String] {
        guard let schema = node.object else {
            return []
        }
        var rules: [String] = []

        if let values = schema["enum"] as? [Any] {
            let texts = values.map { "<code>" + HTMLText.escape(Self.scalarText($0)) + "</code>" }
            rules.append((values.count == 1 ? "always " : "one of ") + texts.joined(separator: ", "))
        }
        if let value = schema["const"] {
            rules.append("always <code>" + HTMLText.escape(Self.scalarText(value)) + "</code>")
        }
        if let pattern = schema["pattern"] as? String {
            rules.append("pattern <code>" + HTMLText.escape(pattern) + "</code>")
        }
        if let range = rangeText(minimum: schema["minLength"], maximum: schema["maxLength"], unit: "characters") {
            rules.append(range)
        }
        if let range = rangeText(minimum: schema["minItems"], maximum: schema["maxItems"], unit: "items") {
            rules.append(range)
        }
        if let range = rangeText(minimum: schema["minimum"], maximum: schema["maximum"], unit: "") {
            rules.append(range)
        }
        if let additional = schema["additionalProperties"] as? Bool, !additional {
            rules.append("no other fields")
        }
        if let value = schema["default"] {
            rules.append("default <code>" + HTMLText.escape(Self.scalarText(value)) + "</code>")
        }
        return rules
    }

    private func rangeText(minimum: Any?, maximum: Any?, unit: String) -> String? {
        let low = minimum as? Int
        let high = maximum as? Int
        let suffix = unit.isEmpty ? "" : " " + unit

        switch (low, high) {
        case let (low?, high?) where low == high:
            return "exactly \(low)\(suffix)"
        case let (low?, high?):
            return "\(low)–\(high)\(suffix)"
        case let (low?, nil):
            return "at least \(low)\(suffix)"
        case let (nil, high?):
            return "at most \(high)\(suffix)"
        case (nil, nil):
            return nil
        }
    }

    private func rulesText(_ rules: [String]) -> String {
        rules.isEmpty ? "" : " <span class=\"rules\">" + rules.joined(separator: "; ") + "</span>"
    }

    private func rowsTable(_ rows: [SchemaRow]) -> String {
        var html =
            "<table class=\"fields\">\n<thead><tr><th>Field</th><th>Type</th><th>Rules</th><th>Description</th></tr></thead>\n<tbody>\n"
        for row in rows {
            let depth = row.field.filter { $0 == "." }.count
            var rules = row.rules
            if row.isRequired {
                rules.insert("<span class=\"required\">required</span>", at: 0)
            }
            html += "<tr><td class=\"field depth-\(min(depth, 4))\"><code>\(HTMLText.escape(row.field))</code></td>"
            html += "<td>\(HTMLText.escape(row.type))</td>"
            html += "<td class=\"rules-cell\">\(rules.joined(separator: "<br>"))</td>"
            html += "<td>\(HTMLText.inline(row.description ?? ""))</td></tr>\n"
        }
        return html + "</tbody>\n</table>\n"
    }
}
