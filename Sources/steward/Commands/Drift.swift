import ArgumentParser
import Foundation
import StewardCore
import StewardJSON
import StewardServer
import StewardStatistics
import StewardStore
import StewardTables

/// `steward drift`: compares a current dataset with a reference offline, feature by feature.
struct Drift: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare a current dataset with a reference, feature by feature, without a server.",
        discussion: """
            Examples:
              steward drift --reference train.csv --current last_week.csv
              steward drift --reference train.csv --current today.csv --method psi \\
                --html drift.html
              steward drift --reference ref.csv --current cur.csv --json --fail-on-drift
            Columns where every cell is a number are numeric, others (and those named with --categorical)
            categorical; empty cells are missing and counted apart. With --method auto (the default) the method
            follows Evidently's rule: up to 1,000 reference rows, KS for numeric features with more than 5 values,
            else chi-square or the z-test; above that, normed Wasserstein, else Jensen-Shannon.
            Numeric bins for psi, kl, jensen_shannon and hellinger are the reference's deciles with open outer bins
            (--binning reference), or Evidently's Sturges bins over both samples (--binning evidently).
            """
    )

    @Option(name: .long, help: ArgumentHelp("The reference data (CSV with a header row, or JSON Lines).", valueName: "file"))
    var reference: String

    @Option(name: .long, help: ArgumentHelp("The current data, with the same columns.", valueName: "file"))
    var current: String

    @Option(name: .long, help: ArgumentHelp("auto, or one of: \(DriftMethod.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "method"))
    var method = DriftMethodChoice.auto

    @Option(name: .long, help: "Drift threshold (a p-value for ks, chi_square and z_test; a distance otherwise). Default per method.")
    var threshold: Double?

    @Option(name: .long, help: ArgumentHelp("How numeric features are binned: reference or evidently.", valueName: "binning"))
    var binning = DriftBinning.reference

    @Option(name: .long, parsing: .upToNextOption, help: ArgumentHelp("Only these columns.", valueName: "column"))
    var columns: [String] = []

    @Option(name: .long, help: ArgumentHelp("A column to treat as categorical even if it holds numbers; repeatable.", valueName: "column"))
    var categorical: [String] = []

    @Option(name: .long, help: "Share of drifted features at which the dataset counts as drifted.")
    var share = 0.5

    @Flag(name: .long, help: "Print the result as JSON.")
    var json = false

    @Option(name: .long, help: ArgumentHelp("Also write a self-contained HTML report.", valueName: "file"))
    var html: String?

    @Flag(name: .long, help: "Exit 1 when the dataset drifted.")
    var failOnDrift = false

    func validate() throws {
        if let threshold, !threshold.isFinite || threshold < 0 { throw ValidationError("--threshold must be a non-negative number.") }
        guard share.isFinite, share > 0, share <= 1 else { throw ValidationError("--share is a number in (0, 1].") }
    }

    func run() async throws {
        do {
            let referenceFormat = TableFile.Format(path: reference)
            let names = columns.isEmpty ? try TableFile.columnNames(path: reference, format: referenceFormat) : columns
            let textColumns = Set(categorical)
            let currentNames = Set(try TableFile.columnNames(path: current, format: TableFile.Format(path: current)))
            let tables = try TableFile.read([
                (reference, names, textColumns), (current, names.filter(currentNames.contains), textColumns),
            ])
            let (referenceTable, currentTable) = (tables[0], tables[1])
            let comparison = DriftComparison(
                method: method.fixed, threshold: threshold, binning: binning,
                shareThreshold: share)
            let drift = comparison.compare(reference: referenceTable.columns, current: currentTable.columns, columns: names)
            if let html {
                let page = DriftReportPage.html(drift, reference: reference, current: current)
                guard FileManager.default.createFile(atPath: html, contents: Data(page.utf8)) else {
                    throw StewardError.invalidParameter("Cannot write '\(html)'.")
                }
            }
            print(json ? try Self.json(drift) : Self.text(drift), terminator: "")
            if failOnDrift && drift.drifted { throw ExitCode(1) }
        } catch let error as StewardError {
            throw failing(error)
        }
    }

    static func json(_ drift: DatasetDrift) throws -> String {
        String(decoding: try SnakeCaseJSON.encoder(pretty: true).encode(drift), as: UTF8.self) + "\n"
    }

    static func text(_ drift: DatasetDrift) -> String {
        let rows = drift.features.map { feature in
            [
                feature.feature, feature.method.rawValue, String(format: "%.6g", feature.score), String(format: "%.6g", feature.threshold),
                feature.drifted ? "DRIFT" : "ok",
                feature.newCategories.isEmpty ? "" : "new: " + feature.newCategories.prefix(5).joined(separator: ", "),
            ]
        }
        let header = ["feature", "method", "value", "threshold", "result", ""]
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .trimmingCharacters(in: .whitespaces)
        }
        var lines = [line(header)] + rows.map(line)
        lines += drift.undefined.sorted { $0.key < $1.key }.map { "\($0.key): not compared: \($0.value)" }
        lines.append(
            "\(drift.driftedFeatures.count) of \(drift.features.count) features drifted (share \(String(format: "%.3g", drift.driftShare))): "
                + (drift.drifted ? "dataset DRIFTED" : "dataset stable"))
        return lines.joined(separator: "\n") + "\n"
    }
}
