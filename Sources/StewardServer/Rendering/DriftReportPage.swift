import Foundation
import StewardCore
import StewardStatistics

/// A drift report as one self-contained HTML page: a summary, then per feature (drifted first) its method,
/// value and threshold and an SVG histogram of reference against current over the same bins. No scripts, no
/// external resources; every name is escaped.
public enum DriftReportPage {
    public static func html(_ drift: DatasetDrift, reference: String, current: String) -> String {
        var page = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta http-equiv="Content-Security-Policy" content="\(ModelCardRenderer.contentSecurityPolicy)">
            <title>Drift report</title>
            <style>
            body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:1100px;color:#1d2430}
            table{border-collapse:collapse;width:100%;margin:1rem 0}td,th{padding:.3rem .6rem;border-bottom:1px solid #dde2ea;text-align:left}
            .drifted{color:#b3261e;font-weight:600}.stable{color:#1b6e3a}.feature{margin:2rem 0;border-top:2px solid #dde2ea;padding-top:1rem}
            .legend span{display:inline-block;width:.8rem;height:.8rem;margin:0 .3rem 0 1rem;vertical-align:middle}
            code{background:#f3f5f8;padding:0 .2rem}
            </style></head><body>
            <h1>Drift report</h1>
            <p>Reference <code>\(escape(reference))</code> against current <code>\(escape(current))</code>.</p>
            <p class="\(drift.drifted ? "drifted" : "stable")">\(drift.driftedFeatures.count) of \(drift.features.count) features drifted \
            (share \(number(drift.driftShare)), dataset \(drift.drifted ? "DRIFTED" : "stable") at share ≥ \(number(drift.shareThreshold))).</p>
            <table><tr><th>feature</th><th>type</th><th>method</th><th>value</th><th>threshold</th><th>result</th><th>missing (ref / cur)</th></tr>

            """
        for feature in drift.features {
            page +=
                "<tr><td><a href=\"#\(anchor(feature.feature))\">\(escape(feature.feature))</a></td><td>\(feature.numeric ? "numeric" : "categorical")</td>"
            page += "<td>\(feature.method.rawValue)</td><td>\(number(feature.score))</td><td>\(number(feature.threshold))</td>"
            page += "<td class=\"\(feature.drifted ? "drifted" : "stable")\">\(feature.drifted ? "drift" : "no drift")</td>"
            page += "<td>\(feature.referenceMissing) / \(feature.currentMissing)</td></tr>\n"
        }
        for (name, reason) in drift.undefined.sorted(by: { $0.key < $1.key }) {
            page += "<tr><td>\(escape(name))</td><td colspan=\"6\">not compared: \(escape(reason))</td></tr>\n"
        }
        page += "</table>\n"
        for feature in drift.features {
            page += "<section class=\"feature\" id=\"\(anchor(feature.feature))\"><h2>\(escape(feature.feature)) "
            page += "<span class=\"\(feature.drifted ? "drifted" : "stable")\">\(feature.drifted ? "drift" : "no drift")</span></h2>\n"
            var facts = "\(feature.method.rawValue) = \(number(feature.statistic))"
            if let pValue = feature.pValue { facts += ", p = \(number(pValue))" }
            facts += "; threshold \(number(feature.threshold)); \(feature.referenceCount) reference and \(feature.currentCount) current values"
            page += "<p>\(escape(facts))</p>\n"
            if !feature.newCategories.isEmpty {
                page += "<p class=\"drifted\">New categories: \(escape(feature.newCategories.prefix(20).joined(separator: ", ")))</p>\n"
            }
            if !feature.vanishedCategories.isEmpty {
                page += "<p>Vanished categories: \(escape(feature.vanishedCategories.prefix(20).joined(separator: ", ")))</p>\n"
            }
            page += histogram(feature) + "</section>\n"
        }
        return page + "</body></html>\n"
    }

    /// Paired bars per bin (at most 40 bins shown), reference grey-blue, current orange.
    static func histogram(_ feature: FeatureDrift) -> String {
        let shown = min(feature.bins.count, 40)
        guard shown > 0 else { return "" }
        let width = 1000.0
        let height = 220.0
        let bottom = 170.0
        let top = max((feature.referenceShares.prefix(shown) + feature.currentShares.prefix(shown)).max() ?? 0, 1e-12)
        let slot = width / Double(shown)
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"100%\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" "
        svg += "aria-label=\"Histogram of \(escape(feature.feature))\">\n"
        for index in 0..<shown {
            let x = Double(index) * slot
            for (offset, (share, colour)) in [(feature.referenceShares[index], "#5b7db1"), (feature.currentShares[index], "#e8893a")].enumerated() {
                let barHeight = share / top * (bottom - 10)
                let barX = x + slot * (0.1 + 0.4 * Double(offset))
                svg +=
                    "<rect x=\"\(format(barX))\" y=\"\(format(bottom - barHeight))\" width=\"\(format(slot * 0.38))\" height=\"\(format(barHeight))\" fill=\"\(colour)\">"
                svg += "<title>\(escape(feature.bins[index])): \(offset == 0 ? "reference" : "current") \(number(share * 100))%</title></rect>\n"
            }
            if shown <= 12 || index % max(shown / 10, 1) == 0 {
                svg += "<text x=\"\(format(x + slot / 2))\" y=\"\(Int(bottom + 16))\" font-size=\"11\" text-anchor=\"middle\">"
                svg += "\(escape(String(feature.bins[index].prefix(18))))</text>\n"
            }
        }
        svg += "<line x1=\"0\" y1=\"\(Int(bottom))\" x2=\"\(Int(width))\" y2=\"\(Int(bottom))\" stroke=\"#8a94a6\"/>\n</svg>\n"
        svg += "<p class=\"legend\"><span style=\"background:#5b7db1\"></span>reference<span style=\"background:#e8893a\"></span>current"
        if feature.bins.count > shown { svg += " (first \(shown) of \(feature.bins.count) bins)" }
        return svg + "</p>\n"
    }

    static func anchor(_ name: String) -> String {
        "f-" + name.unicodeScalars.map { CharacterSet.alphanumerics.contains($0) ? String($0) : String(format: "_%X", $0.value) }.joined()
    }

    static func escape(_ text: String) -> String { ModelCardRenderer.escape(text) }

    static func number(_ value: Double) -> String { ModelCardRenderer.number(value) }

    static func format(_ value: Double) -> String { String(format: "%.1f", value) }
}
