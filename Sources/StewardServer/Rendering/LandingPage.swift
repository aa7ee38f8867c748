/// The page at `/`: what the server is and where to go. The mlflow client prints each run's address as
/// `<server>/#/experiments/<id>/runs/<id>`, and a browser asks the server only for `/`, so that link lands here
/// instead of on a 404. Static (the version is Steward's own), with no scripts and nothing loaded from elsewhere.
enum LandingPage {
    static func html(version: String) -> String {
        """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta http-equiv="Content-Security-Policy" content="\(ModelCardRenderer.contentSecurityPolicy)">
        <title>Steward</title>
        <style>
        body { font: 16px/1.5 system-ui, sans-serif; max-width: 44rem; margin: 3rem auto; padding: 0 1rem; color: #1d232b; }
        code { background: #eef1f4; padding: 0 .25rem; border-radius: 3px; }
        li { margin: .3rem 0; }
        </style>
        </head>
        <body>
        <h1>Steward</h1>
        <p>An MLOps and AI-governance server (version \(ModelCardRenderer.escape(version))): MLflow-compatible tracking and
        registry, evaluations with gates, monitoring, and an AI Register whose controls are enforced at promotion.</p>
        <p>This server has no web pages for runs yet. A run link printed by the mlflow client
        (<code>#/experiments/…/runs/…</code>) ends here; read the run with the client or the API instead.</p>
        <ul>
        <li>MLflow clients: <code>export MLFLOW_TRACKING_URI=</code> this address; the MLflow REST API is under
        <code>/api/2.0/mlflow</code>.</li>
        <li>Steward's own API: <a href="/api/v1/openapi.json"><code>/api/v1/openapi.json</code></a> (OpenAPI 3.1).</li>
        <li>The command line: <code>steward --help</code>; the README of the Steward repository walks through both.</li>
        <li>Probes: <a href="/health"><code>/health</code></a>, <a href="/version"><code>/version</code></a>, and
        <code>/metrics</code> for Prometheus.</li>
        </ul>
        </body>
        </html>

        """
    }
}
