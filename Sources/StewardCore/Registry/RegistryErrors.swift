/// The errors of the model registry, worded as MLflow words them.
public enum RegistryErrors {
    public static func registeredModelNotFound(_ name: String) -> StewardError {
        .notFound("Registered Model with name=\(name) not found")
    }

    public static func registeredModelExists(_ name: String) -> StewardError {
        .alreadyExists("Registered Model (name=\(name)) already exists.")
    }

    public static func modelVersionNotFound(_ name: String, _ version: Int64) -> StewardError {
        .notFound("Model Version (name=\(name), version=\(version)) not found")
    }

    public static func aliasNotFound(_ name: String, _ alias: String) -> StewardError {
        // MLflow answers INVALID_PARAMETER_VALUE here, and clients match on it.
        .invalidParameter("Registered model alias \(alias) not found.")
    }
}
