import ArgumentParser
import Foundation
import StewardCore
import StewardJSON
import StewardStore

/// `steward monitor status`: a system's five monitoring categories over a window, from the store.
struct Monitor: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Production monitoring of registered systems.", subcommands: [Status.self])

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Summarise performance, quality, cost, data and safety of a system over a window.",
            discussion: "Example: steward monitor status sys-1a2b3c --window 24h")

        @Argument(help: "The AI system's id.")
        var system: String

        @Option(name: .long, help: ArgumentHelp("How far back: 15m, 24h, 7d…", valueName: "duration"))
        var window = "24h"

        @Flag(name: .long, help: "Print the status as JSON.")
        var json = false

        @OptionGroup var options: StoreOptions

        func validate() throws { try options.requireExistingStore() }

        func run() async throws {
            let system = self.system
            do {
                let milliseconds = try AlertRules.duration(window)
                let status = try await options.withServices { services in
                    try await services.events.status(systemID: system, window: milliseconds)
                }
                if json {
                    print(String(decoding: try SnakeCaseJSON.encoder(pretty: true).encode(status), as: UTF8.self))
                } else {
                    print(Self.text(status, window: window), terminator: "")
                }
            } catch let error as StewardError {
                throw failing(error)
            }
        }

        /// The drift line: each feature's statistic against its threshold, drifted ones marked, and the drifted share.
        static func drift(_ data: MonitorStatus.Data) -> String {
            guard let drift = data.drift else { return "drift        no reference profile: PUT /api/v1/systems/{id}/reference to compare with one" }
            let features = drift.features.map { feature in
                let name = feature.method.isTest ? "p" : feature.method.rawValue
                let value = String(format: "%.4g", feature.pValue ?? feature.statistic)
                return "\(feature.feature) \(name) \(value)\(feature.drifted ? " DRIFTED" : "")"
            }
            let undefined = drift.undefined.sorted { $0.key < $1.key }.map { "\($0.key) undefined (\($0.value))" }
            let share = String(format: "%.0f%% of features drifted", drift.driftShare * 100)
            let verdict = (drift.drifted ? "DRIFTED, at " : "below ") + String(format: "%.0f%%", drift.shareThreshold * 100)
            return "drift        \(share) (\(verdict))"
                + ((features + undefined).isEmpty ? "" : ": " + (features + undefined).joined(separator: ", "))
                + (data.referenceVersion.map { ", reference v\($0)" } ?? "")
        }

        static func text(_ status: MonitorStatus, window: String) -> String {
            func number(_ value: Double?, _ suffix: String = "") -> String { value.map { String(format: "%.4g", $0) + suffix } ?? "-" }
            func percent(_ value: Double?) -> String { value.map { String(format: "%.2f%%", $0 * 100) } ?? "-" }
            let performance = status.performance
            let quality = status.quality
            let cost = status.cost
            let safety = status.safety
            return """
                \(status.systemID), last \(window)
                performance  \(performance.requests) requests, error rate \(percent(performance.errorRate)), latency p50 \(number(performance.latencyP50Ms, " ms")) p95 \(number(performance.latencyP95Ms, " ms")) p99 \(number(performance.latencyP99Ms, " ms"))
                quality      \(quality.labeled) labeled, accuracy \(percent(quality.accuracy)), MAE \(number(quality.meanAbsoluteError)), WAPE \(percent(quality.wape)), negative feedback \(percent(quality.negativeFeedbackRate)) of \(quality.feedbackCount)
                cost         \(cost.tokensIn) tokens in, \(cost.tokensOut) out, $\(String(format: "%.4f", cost.totalUSD)) total, \(number(cost.costPerRequestUSD.map { $0 }, " $/request"))
                data         \(status.data.eventsWithFeatures) events with features: \(status.data.features.joined(separator: ", "))
                \(Self.drift(status.data))
                safety       \(safety.flagged) flagged (\(percent(safety.flaggedRate)))\(safety.byFlag.isEmpty ? "" : ": " + safety.byFlag.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))

                """
        }
    }
}
