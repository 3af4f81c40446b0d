/// Renders the HTML reference page served at `/docs` from an OpenAPI 3.1 document.
///
/// The page is self-contained: inline CSS, no scripts, no external links or fonts.
/// It parses the whole document on every call, so the server should call it once at start-up
/// and keep the result.
/// - Returns: the page, or a short page that reports why the document could not be read.
public func renderDocsPage(openAPIDocument: [UInt8]) -> String {
    switch DocsDocument.parse(openAPIDocument) {
    case .success(let document):
        return document.page()
    case .failure(let error):
        let body = "<h1>API reference unavailable</h1>\n<p>\(HTMLText.escape(error.message))</p>\n"
        return DocsDocument.pageShell(title: "API reference unavailable", body: body)
    }
}

/// An operation with the path item it belongs to.
private struct Operation {
    let path: String
    let method: String
    let pathItem: DocsDocument.Node
    let node: DocsDocument.Node

    var operationID: String {
        node.object?["operationId"] as? String ?? method + " " + path
    }
}

extension DocsDocument {
    /// HTTP methods that OpenAPI 3.1 allows as members of a path item.
    private static let methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]

    func page() -> String {
        let title = child(root, "info", "title")?.string ?? "API reference"
        let operations = allOperations()
        let tagged = operationsByTag(operations)

        var body = header()
        body += securitySection()
        body += contents(tagged)
        for (tag, description, list) in tagged {
            body += "<section class=\"tag\" id=\"tag-\(HTMLText.anchor(tag))\">\n<h2>\(HTMLText.escape(tag))</h2>\n"
            body += HTMLText.paragraphs(description ?? "")
            for operation in list {
                body += operationSection(operation)
            }
            body += "</section>\n"
        }
        return Self.pageShell(title: title, body: body)
    }

    // MARK: - Sections

    private func header() -> String {
        let title = child(root, "info", "title")?.string ?? "API reference"
        var html = "<header>\n<h1>\(HTMLText.escape(title))</h1>\n"
        if let version = child(root, "info", "version")?.string {
            html += "<p class=\"meta\">Version \(HTMLText.escape(version))"
            if let openAPI = child(root, "openapi")?.string {
                html += " · OpenAPI \(HTMLText.escape(openAPI))"
            }
            html += "</p>\n"
        }
        if let summary = child(root, "info", "summary")?.string {
            html += "<p class=\"lead\">\(HTMLText.inline(summary))</p>\n"
        }
        html += HTMLText.paragraphs(child(root, "info", "description")?.string ?? "")

        let servers = elements(child(root, "servers") ?? Node(value: [Any](), pointer: ""))
        if !servers.isEmpty {
            html += "<p>Servers: "
            html += servers.compactMap { child($0, "url")?.string }.map { "<code>\(HTMLText.escape($0))</code>" }.joined(separator: ", ")
            html += "</p>\n"
        }
        return html + "</header>\n"
    }

    private func securitySection() -> String {
        guard let schemes = child(root, "components", "securitySchemes"), !members(schemes).isEmpty else {
            return ""
        }
        var html = "<section id=\"security\">\n<h2>Security schemes</h2>\n<table class=\"fields\">\n"
        html += "<thead><tr><th>Scheme</th><th>Type</th><th>Sent in</th><th>Description</th></tr></thead>\n<tbody>\n"
        for (name, scheme) in members(schemes) {
            let object = resolve(scheme).node.object ?? [:]
            let type = object["type"] as? String ?? ""
            var location = ""
            if let place = object["in"] as? String, let header = object["name"] as? String {
                location = "\(HTMLText.escape(place)) <code>\(HTMLText.escape(header))</code>"
            } else if let httpScheme = object["scheme"] as? String {
                location = "Authorization: \(HTMLText.escape(httpScheme))"
            }
            html += "<tr><td><code>\(HTMLText.escape(name))</code></td><td>\(HTMLText.escape(type))</td>"
            html += "<td>\(location)</td><td>\(HTMLText.inline(object["description"] as? String ?? ""))</td></tr>\n"
        }
        return html + "</tbody>\n</table>\n</section>\n"
    }

    private func contents(_ tagged: [(String, String?, [Operation])]) -> String {
        var html = "<nav>\n<h2>Contents</h2>\n<ul>\n<li><a href=\"#security\">Security schemes</a></li>\n"
        for (tag, _, list) in tagged {
            html += "<li><a href=\"#tag-\(HTMLText.anchor(tag))\">\(HTMLText.escape(tag))</a>\n<ul>\n"
            for operation in list {
                html += "<li><a href=\"#op-\(HTMLText.anchor(operation.operationID))\">"
                html +=
                    "<span class=\"method small \(HTMLText.anchor(operation.method))\">\(HTMLText.escape(operation.method.uppercased()))</span> "
                html += "<code>\(HTMLText.escape(operation.path))</code></a></li>\n"
            }
            html += "</ul></li>\n"
        }
        return html + "</ul>\n</nav>\n"
    }

    private func operationSection(_ operation: Operation) -> String {
        let object = operation.node.object ?? [:]
        var html = "<article class=\"operation\" id=\"op-\(HTMLText.anchor(operation.operationID))\">\n"
        html += "<h3><span class=\"method \(HTMLText.anchor(operation.method))\">\(HTMLText.escape(operation.method.uppercased()))</span> "
        html += "<code class=\"path\">\(HTMLText.escape(operation.path))</code></h3>\n"
        if let summary = object["summary"] as? String {
            html += "<p class=\"summary\">\(HTMLText.inline(summary))</p>\n"
        }
        html += HTMLText.paragraphs(object["description"] as? String ?? "")
        html += "<p class=\"security\"><strong>Authentication:</strong> \(securityText(operation))</p>\n"
        html += parametersTable(operation)
        html += requestBody(operation)
        html += responses(operation)
        return html + "</article>\n"
    }

    // MARK: - Operation parts

    private func securityText(_ operation: Operation) -> String {
        let requirements = child(operation.node, "security") ?? child(root, "security")
        let alternatives = elements(requirements ?? Node(value: [Any](), pointer: "")).map { requirement in
            members(requirement).map { name, _ -> String in
                let scheme = child(root, "components", "securitySchemes", name).map { resolve($0).node.object ?? [:] } ?? [:]
                if let header = scheme["name"] as? String {
                    return "<code>\(HTMLText.escape(header))</code> \(HTMLText.escape(scheme["in"] as? String ?? ""))"
                }
                return "<code>\(HTMLText.escape(name))</code>"
            }
        }

        // An empty requirement object means that the operation also accepts anonymous calls.
        let nonEmpty = alternatives.filter { !$0.isEmpty }
        if nonEmpty.isEmpty {
            return "none"
        }
        let text = nonEmpty.map { $0.joined(separator: " and ") }.joined(separator: ", or ")
        return nonEmpty.count < alternatives.count ? text + ", or none" : text
    }

    private func parametersTable(_ operation: Operation) -> String {
        // Operation-level parameters override path-level ones with the same name and location.
        var parameters: [(key: String, node: Node)] = []
        for source in [child(operation.pathItem, "parameters"), child(operation.node, "parameters")] {
            for parameter in elements(source ?? Node(value: [Any](), pointer: "")) {
                let resolved = resolve(parameter).node
                let key = (resolved.object?["in"] as? String ?? "") + ":" + (resolved.object?["name"] as? String ?? "")
                parameters.removeAll { $0.key == key }
                parameters.append((key, resolved))
            }
        }
        guard !parameters.isEmpty else {
            return ""
        }

        var html = "<h4>Parameters</h4>\n<table class=\"fields\">\n"
        html += "<thead><tr><th>Name</th><th>In</th><th>Type</th><th>Rules</th><th>Description</th></tr></thead>\n<tbody>\n"
        for (_, parameter) in parameters {
            let object = parameter.object ?? [:]
            var rules = child(parameter, "schema").map { ruleList(resolve($0).node) } ?? []
            if object["required"] as? Bool == true {
                rules.insert("<span class=\"required\">required</span>", at: 0)
            }
            let type = child(parameter, "schema").map { typeText($0) } ?? ""
            html += "<tr><td><code>\(HTMLText.escape(object["name"] as? String ?? ""))</code></td>"
            html += "<td>\(HTMLText.escape(object["in"] as? String ?? ""))</td><td>\(HTMLText.escape(type))</td>"
            html +=
                "<td class=\"rules-cell\">\(rules.joined(separator: "<br>"))</td><td>\(HTMLText.inline(object["description"] as? String ?? ""))</td></tr>\n"
        }
        return html + "</tbody>\n</table>\n"
    }

    private func requestBody(_ operation: Operation) -> String {
        guard let body = child(operation.node, "requestBody").map({ resolve($0).node }) else {
            return ""
        }
        let required = body.object?["required"] as? Bool == true
        var html = "<h4>Request body\(required ? " <span class=\"required\">required</span>" : "")</h4>\n"
        html += HTMLText.paragraphs(body.object?["description"] as? String ?? "")
        for (mediaType, media) in members(child(body, "content") ?? Node(value: [String: Any](), pointer: "")) {
            html += "<p class=\"media\">Content type <code>\(HTMLText.escape(mediaType))</code></p>\n"
            if let schema = child(media, "schema") {
                html += schemaHTML(schema)
            }
            html += examples(media)
        }
        return html
    }

    private func responses(_ operation: Operation) -> String {
        guard let responses = child(operation.node, "responses") else {
            return ""
        }
        var html = "<h4>Responses</h4>\n"
        let sorted = members(responses).sorted { $0.key < $1.key }

        for (status, reference) in sorted {
            let response = resolve(reference).node
            let description = response.object?["description"] as? String ?? ""
            html +=
                "<div class=\"response\">\n<p class=\"status-line\"><span class=\"status s\(status.prefix(1))\">\(HTMLText.escape(status))</span> "
            html += HTMLText.inline(description) + "</p>\n"
            html += headers(response)

            for (mediaType, media) in members(child(response, "content") ?? Node(value: [String: Any](), pointer: "")) {
                let schemaName = child(media, "schema").map { typeText($0) } ?? "any"
                // Success bodies start unfolded. Error bodies share one schema, so they start folded.
                let open = status.hasPrefix("2") ? " open" : ""
                html += "<details\(open)><summary><code>\(HTMLText.escape(mediaType))</code> · \(HTMLText.escape(schemaName))</summary>\n"
                if let schema = child(media, "schema") {
                    html += schemaHTML(schema)
                }
                html += examples(media)
                html += "</details>\n"
            }
            html += "</div>\n"
        }
        return html
    }

    private func headers(_ response: Node) -> String {
        guard let headers = child(response, "headers"), !members(headers).isEmpty else {
            return ""
        }
        let items = members(headers).map { name, header -> String in
            let object = resolve(header).node.object ?? [:]
            let required = object["required"] as? Bool == true ? " (always sent)" : ""
            return "<code>\(HTMLText.escape(name))</code>\(required): " + HTMLText.inline(object["description"] as? String ?? "")
        }
        return "<ul class=\"headers\">\n" + items.map { "<li>" + $0 + "</li>\n" }.joined() + "</ul>\n"
    }

    private func examples(_ media: Node) -> String {
        var html = ""
        if let example = child(media, "example") {
            html += "<details class=\"example\"><summary>Example</summary>\n<pre>\(HTMLText.escape(jsonText(example)))</pre>\n</details>\n"
        }
        for (name, example) in members(child(media, "examples") ?? Node(value: [String: Any](), pointer: "")) {
            let resolved = resolve(example).node
            let label = resolved.object?["summary"] as? String ?? name
            if let value = child(resolved, "value") {
                html +=
                    "<details class=\"example\"><summary>Example: \(HTMLText.escape(label))</summary>\n<pre>\(HTMLText.escape(jsonText(value)))</pre>\n</details>\n"
            }
        }
        return html
    }

    // MARK: - Operation lists

    private func allOperations() -> [Operation] {
        guard let paths = child(root, "paths") else {
            return []
        }
        var operations: [Operation] = []
        for (path, pathItem) in members(paths) {
            let item = resolve(pathItem).node
            for (key, node) in members(item) where Self.methods.contains(key) {
                operations.append(Operation(path: path, method: key, pathItem: item, node: node))
            }
        }
        return operations
    }

    /// Groups operations by their first tag, in the order of the document's `tags` list. Tags missing from that list come last.
    private func operationsByTag(_ operations: [Operation]) -> [(String, String?, [Operation])] {
        var declared: [(String, String?)] = elements(child(root, "tags") ?? Node(value: [Any](), pointer: "")).compactMap { tag in
            guard let name = child(tag, "name")?.string else {
                return nil
            }
            return (name, child(tag, "description")?.string)
        }

        func firstTag(_ operation: Operation) -> String {
            (operation.node.object?["tags"] as? [Any])?.first as? String ?? "Other"
        }

        for operation in operations where !declared.contains(where: { $0.0 == firstTag(operation) }) {
            declared.append((firstTag(operation), nil))
        }
        return declared.compactMap { name, description in
            let list = operations.filter { firstTag($0) == name }
            return list.isEmpty ? nil : (name, description, list)
        }
    }
}
