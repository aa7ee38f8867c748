import Foundation
import Testing

@testable import StewardCore
@testable import StewardServer

/// The model card as Markdown and as an HTML page, which the server renders from the card Core assembles.
@Suite("Model card rendering")
struct ModelCardRenderingTests {
    static func card(purpose: String = "Scores <script>alert(1)</script> & more") -> ModelCard {
        ModelCard(
            details: ModelCard.Details(
                name: "fraud <b>", version: 3, purpose: purpose, versionDescription: "", owners: ["ana", "li"], createdAt: 0, updatedAt: 86_400_000,
                source: "models:/m-1", storageLocation: "mlflow-artifacts:/1/models/m-1/artifacts", tags: [Tag("team", "risk")]),
            parameters: ModelCard.Parameters(
                modelType: "sklearn", hyperparameters: [Param("C", "0.5")],
                datasets: [
                    ModelCard.DatasetUse(name: "train", digest: "d1g3st", sourceType: "s3", source: "s3://b/k|x", context: "training", profile: nil)
                ]),
            metrics: [ModelCard.PerformanceMetric(name: "auc", value: 0.912345678, step: 2, dataset: "holdout (ab12)", origin: "evaluation")],
            considerations: ModelCard.Considerations(
                intendedUse: "Flag transactions", outOfScopeUses: nil, limitations: "Trained on 2025 data", ethicalConsiderations: nil),
            deployment: ModelCard.Deployment(
                stage: .production, aliases: ["champion"],
                history: [RegistryEvent(name: "fraud <b>", kind: .aliasSet, version: 3, alias: "champion", fromVersion: 2, actor: "ana", time: 1000)]),
            lineage: ModelCard.Lineage(
                experimentID: "1", runID: "r1", runName: "quiet-owl", runUser: "ana", loggedModelID: "m-1", loggedModelName: "model"))
    }

    @Test("Markdown cards carry every group, with user text escaped")
    func markdownCard() {
        let text = ModelCardRenderer.markdown(Self.card())
        for expected in [
            "# Model card: fraud \\<b> version 3", "## Model details", "## Model parameters", "| C | 0.5 |",
            "| train | d1g3st | training | s3: s3://b/k\\|x |",
            "## Quantitative analysis", "| auc | 0.912346 | 2 | holdout (ab12) | evaluation |", "**Known limitations:** Trained on 2025 data",
            "**Out-of-scope uses:** _not stated_", "**Aliases:** champion", "alias 'champion' set to version 3 (moved from version 2)",
            "**Training run:** r1 (quiet-owl)", "**Owners:** ana, li",
        ] {
            #expect(text.contains(expected), "\(expected)")
        }
    }

    @Test("HTML, links and images in user text stay text in a Markdown card; code spans cannot be closed early")
    func markdownEscapesWhatARendererWouldRun() {
        let hostile = "<img src=x onerror=alert(1)> [click](javascript:alert(1)) ![x](http://evil/x.png) `code` *bold*\n# heading"
        let text = ModelCardRenderer.markdown(Self.card(purpose: hostile))
        #expect(!text.contains("[click]("))
        #expect(!text.contains("!["))
        #expect(!text.contains("\n# heading"))
        #expect(text.contains("**Purpose:** \\<img src=x onerror=alert(1)> \\[click\\](javascript:alert(1)) !\\[x\\](http://evil/x.png) \\`code\\`"))
        #expect(ModelCardRenderer.inline("roc_auc <= 0.9 & R&D _x_ &amp; </b>") == "roc_auc <= 0.9 & R\\&D \\_x\\_ \\&amp; \\</b>")
        // Every '<' in the card comes escaped.
        #expect(!text.replacingOccurrences(of: "\\<", with: "").contains("<"))
        #expect(ModelCardRenderer.code("a``b") == "``` a``b ```")
        #expect(ModelCardRenderer.code("plain") == "` plain `")
    }

    @Test("HTML cards escape every value and load nothing")
    func htmlCard() {
        let page = ModelCardRenderer.html(Self.card())
        #expect(!page.contains("<script>"))
        #expect(page.contains("Scores &lt;script&gt;alert(1)&lt;/script&gt; &amp; more"))
        #expect(page.contains("fraud &lt;b&gt;"))
        #expect(page.contains("Content-Security-Policy"))
        #expect(!page.contains("src=") && !page.contains("href="))
        for section in ["model-details", "model-parameters", "quantitative-analysis", "considerations", "deployment", "lineage"] {
            #expect(page.contains("<section id=\"\(section)\">"), "\(section)")
        }
    }
}
