import ArgumentParser

/// A model version of an AI system, as the commands that act on one name it:
/// `sys-1a2b3c4d --model churn --model-version 1`.
struct ModelVersionOfSystem: ParsableArguments {
    @Argument(help: "System id (sys-…).")
    var system: String

    @Option(name: .long, help: "Registered model name.")
    var model: String

    /// `--model-version`, since `--version` prints the program's version.
    @Option(name: .customLong("model-version"), help: ArgumentHelp("Version number.", valueName: "n"))
    var version: String
}
