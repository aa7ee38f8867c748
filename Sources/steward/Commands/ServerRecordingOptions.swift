import ArgumentParser

/// The options of CI commands that record their result in a Steward server instead of only printing it.
struct ServerRecordingOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp("A Steward server to record the result in; it checks the system's gate (exit 1 if it fails).", valueName: "url"))
    var server: String?

    @Option(name: .long, help: "With --server: the AI system's id.")
    var system: String?

    @Option(name: .long, help: "With --server: the registered model.")
    var model: String?

    /// `--model-version`, since `--version` prints the program's version.
    @Option(name: .customLong("model-version"), help: ArgumentHelp("With --server: the model version.", valueName: "n"))
    var version: String?

    @Option(name: .long, help: ArgumentHelp("With --server: the API token (default: $STEWARD_TOKEN).", valueName: "token"))
    var token: String?

    /// With --server, the system, model and version it records for.
    func validate() throws {
        if server != nil, system == nil || model == nil || version == nil {
            throw ValidationError("--server needs --system, --model and --model-version.")
        }
    }
}
