import ArgumentParser

/// One arm of a deployment on the command line: `MODEL:VERSION=ENDPOINT@WEIGHT`, such as
/// `churn:2=http://127.0.0.1:5002/invocations@5` (the weight after the last `@`).
struct DeploymentArm: ExpressibleByArgument, Sendable {
    let model: String
    let version: String
    let endpoint: String
    let weight: Double

    init?(argument: String) {
        guard let equals = argument.firstIndex(of: "="), let at = argument.lastIndex(of: "@"), equals < at else { return nil }
        let head = argument[..<equals]
        guard let colon = head.lastIndex(of: ":"), let weight = Double(argument[argument.index(after: at)...]) else { return nil }
        model = String(head[..<colon])
        version = String(head[head.index(after: colon)...])
        endpoint = String(argument[argument.index(after: equals)..<at])
        self.weight = weight
        guard !model.isEmpty, !version.isEmpty, !endpoint.isEmpty else { return nil }
    }

    static var defaultCompletionKind: CompletionKind { .default }

    var json: [String: Any] { ["model": model, "version": version, "endpoint": endpoint, "weight": weight] }
}
