/// The OpenAPI 3.1 document of the served routes, embedded from `Resources/openapi.json` at build time.
public enum OpenAPIDocument {
    /// The document as UTF-8 JSON text.
    public static let bytes: [UInt8] = PackageResources.openapi_json
}
