/// The UI's Mustache templates. `{{name}}` escapes what it writes; `{{{name}}}` (raw) is used only for HTML the
/// server made itself: a page's body in the layout and a chart's SVG, both escaped where they were made.
enum PageTemplates {
    static let all: [String: String] = [
        "layout": layout, "sign-in": signIn, "register": register, "system": system, "model-version": modelVersion,
        "approvals": approvals, "audit": audit, "experiments": experiments, "experiment": experiment, "run": run, "incidents": incidents,
        "problem": problem, "model": model,
    ]

    static let layout = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}} · Steward</title>
        <link rel="stylesheet" href="/ui/assets/steward.css">
        <link rel="icon" href="/ui/assets/icon.svg" type="image/svg+xml">
        {{#script}}<script src="/ui/assets/steward.js" defer></script>{{/script}}
        </head>
        <body>
        <header class="bar">
        <a class="brand" href="/ui/">Steward</a>
        <nav aria-label="Sections">
        {{#nav}}<a href="{{href}}"{{#current}} aria-current="page"{{/current}}>{{label}}</a> {{/nav}}
        </nav>
        <div class="who">
        {{#signedIn}}<span>{{user}} ({{role}})</span>
        <form method="post" action="/ui/sign-out"><input type="hidden" name="form_token" value="{{formToken}}"><button type="submit">Sign out</button></form>{{/signedIn}}
        {{^signedIn}}<a href="/ui/sign-in">Sign in</a>{{/signedIn}}
        </div>
        </header>
        <main{{#narrow}} class="narrow"{{/narrow}}>
        {{#notice}}<p class="notice" role="status">{{notice}}</p>{{/notice}}
        {{#error}}<div class="error" role="alert"><strong>{{message}}</strong>{{#hasMissing}}<ul>{{#missing}}<li>{{.}}</li>{{/missing}}</ul>{{/hasMissing}}</div>{{/error}}
        {{{body}}}
        </main>
        <footer><p class="muted">MLflow clients: set <code>MLFLOW_TRACKING_URI</code> to this server's address. Steward's API:
        <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>. Probes: <a href="/health">/health</a>, <a href="/version">/version</a>.</p></footer>
        </body>
        </html>

        """

    static let signIn = """
        <h1>Sign in</h1>
        <p>Paste an API token (<code>stw_…</code>). An admin makes one with <code>steward users create</code> or
        <code>steward tokens create</code>; the first admin's token is in the data folder's <code>admin-token</code> file.</p>
        <form method="post" action="/ui/sign-in">
        <input type="hidden" name="form_token" value="{{formToken}}"><input type="hidden" name="next" value="{{next}}">
        <label>API token <input type="password" name="token" autocomplete="current-password" required></label>
        <p><button type="submit">Sign in</button></p>
        </form>
        """

    static let register = """
        <h1>AI Register</h1>
        <form class="filters" method="get" action="/ui/">
        <label>Tier <select name="tier"><option value="">any</option>{{#tiers}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{value}}</option>{{/tiers}}</select></label>
        <label>Status <select name="status"><option value="">any</option>{{#statuses}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{value}}</option>{{/statuses}}</select></label>
        <label>Owner <input name="owner" value="{{owner}}"></label>
        <button type="submit">Filter</button>
        <a href="/ui/register.csv">Download the portfolio (CSV)</a>
        </form>
        <p class="muted">{{matching}} of {{total}} systems match; page {{page}} of {{pages}}.</p>
        <table>
        <thead><tr><th scope="col">System</th><th scope="col">Tier</th><th scope="col">Status</th><th scope="col">Owner</th><th scope="col">Maturity</th>
        <th scope="col">Controls met</th><th scope="col">Controls missing</th><th scope="col" class="number">Open incidents</th><th scope="col">Last evaluation</th></tr></thead>
        <tbody>
        {{#systems}}<tr><td><a href="/ui/systems/{{id}}">{{name}}</a></td><td><span class="tier">{{tier}}</span></td><td>{{status}}</td><td>{{owner}}</td>
        <td>{{maturity}}</td><td class="met">{{met}}</td><td class="missing">{{missing}}</td><td class="number">{{incidents}}</td><td>{{evaluation}}</td></tr>
        {{/systems}}
        {{^systems}}<tr><td colspan="9">No system matches.</td></tr>{{/systems}}
        </tbody>
        </table>
        <nav aria-label="Pages of the register">{{#previous}}<a href="{{previous}}" rel="prev">Previous page</a> {{/previous}}{{#next}}<a href="{{next}}" rel="next">Next page</a>{{/next}}</nav>
        """

    static let system = """
        <h1>{{name}} <span class="tier">{{tier}}</span></h1>
        <dl class="facts">
        <dt>Purpose</dt><dd>{{purpose}}</dd>
        <dt>Status</dt><dd>{{status}}</dd>
        <dt>Business owner</dt><dd>{{businessOwner}}</dd>
        <dt>Technical owner</dt><dd>{{technicalOwner}}</dd>
        <dt>Maturity</dt><dd>{{maturity}}</dd>
        <dt>Technical documentation</dt><dd><a href="/ui/systems/{{id}}/documentation">Annex IV document (HTML)</a></dd>
        </dl>
        <h2>Risk tier: {{tier}}</h2>
        <p>{{tierSource}}{{#overrideRationale}}: {{overrideRationale}}{{/overrideRationale}}</p>
        <ul>{{#reasons}}<li>{{.}}</li>{{/reasons}}</ul>
        <h2>Models and prompts</h2>
        <ul>{{#components}}<li>{{kind}} <a href="{{href}}">{{name}}</a></li>{{/components}}{{^components}}<li>None linked yet.</li>{{/components}}</ul>
        <h2>Controls</h2>
        {{#controls}}
        <details{{#open}} open{{/open}}><summary><strong>{{model}} version {{version}} → {{target}}</strong>: {{summary}}</summary>
        <table>
        <thead><tr><th scope="col">Control</th><th scope="col">Status</th><th scope="col">What it rests on</th><th scope="col">What it needs</th></tr></thead>
        <tbody>
        {{#rows}}<tr><td>{{name}}</td><td class="{{css}}">{{state}}</td><td>{{detail}}</td><td>{{remedy}}</td></tr>{{/rows}}
        </tbody>
        </table>
        </details>
        {{/controls}}
        {{^controls}}<p>No registered version of a linked model yet.</p>{{/controls}}
        <h2>Monitoring, last {{windowLabel}}</h2>
        <form class="filters" method="get" action="/ui/systems/{{id}}">
        <label>Window <select name="window">{{#windows}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/windows}}</select></label>
        <button type="submit">Show</button>
        </form>
        <div class="charts">
        {{#charts}}<figure><figcaption>{{title}}</figcaption>{{{svg}}}</figure>{{/charts}}
        </div>
        {{#drift}}
        <h2>Data drift</h2>
        {{^hasReference}}<p>No reference profile yet: set one (PUT /api/v1/systems/{{id}}/reference) to watch drift.</p>{{/hasReference}}
        {{#chart}}<div class="charts"><figure><figcaption>PSI by day, per feature</figcaption>{{{chart}}}</figure></div>{{/chart}}
        {{#share}}<p>Over the window, {{share}} of the features drifted.</p>{{/share}}
        {{#hasFeatures}}<table><thead><tr><th scope="col">Feature</th><th scope="col" class="number">PSI</th><th scope="col" class="number">Threshold</th>
        <th scope="col">State</th><th scope="col">Reference and current</th></tr></thead>
        <tbody>{{#features}}<tr><td>{{name}}</td><td class="number">{{statistic}}</td><td class="number">{{threshold}}</td><td class="{{css}}">{{state}}</td>
        <td>{{{histogram}}}</td></tr>{{/features}}</tbody></table>{{/hasFeatures}}
        {{/drift}}
        <h2>Alerts</h2>
        <table><thead><tr><th scope="col">Rule</th><th scope="col">Category</th><th scope="col">Status</th><th scope="col" class="number">Value</th>
        <th scope="col">Fired</th><th scope="col">Resolved</th></tr></thead>
        <tbody>{{#alerts}}<tr><td><code>{{rule}}</code></td><td>{{category}}</td><td class="{{css}}">{{status}}</td><td class="number">{{value}}</td>
        <td>{{fired}}</td><td>{{resolved}}</td></tr>{{/alerts}}{{^alerts}}<tr><td colspan="6">No alert has fired.</td></tr>{{/alerts}}</tbody></table>
        <h2>Deployments</h2>
        <div id="deployments"{{#liveDeployment}} data-refresh="10"{{/liveDeployment}}>
        {{#deployments}}
        <h3>{{mode}} deployment {{id}}: {{state}}</h3>
        <p class="muted">Created {{created}}{{#pValue}}; sequential p-value {{pValue}}{{/pValue}}{{#won}}; won by {{won}}{{/won}}. {{reason}}</p>
        {{#live}}<p><strong>Decision:</strong> {{decision}}</p>
        <table><thead><tr><th scope="col">Arm</th><th scope="col">Version</th><th scope="col" class="number">Split</th><th scope="col" class="number">Requests</th>
        <th scope="col" class="number">Units</th><th scope="col" class="number">Error %</th><th scope="col" class="number">p95 ms</th><th scope="col" class="number">Accuracy</th></tr></thead>
        <tbody>{{#arms}}<tr><td>{{name}}</td><td>{{version}}</td><td class="number">{{weight}}</td><td class="number">{{requests}}</td><td class="number">{{units}}</td>
        <td class="number">{{errorRate}}</td><td class="number">{{p95}}</td><td class="number">{{accuracy}}</td></tr>{{/arms}}</tbody></table>{{/live}}
        {{#pValueChart}}<div class="charts"><figure><figcaption>The sequential test's p-value over time</figcaption>{{{pValueChart}}}</figure></div>{{/pValueChart}}
        {{/deployments}}
        {{^deployments}}<p>No deployment: the system's model servers are called directly.</p>{{/deployments}}
        </div>
        <h2>Open incidents</h2>
        <ul>{{#incidents}}<li><a href="/ui/incidents#{{id}}">{{title}}</a> ({{severity}}, {{status}})</li>{{/incidents}}{{^incidents}}<li>None.</li>{{/incidents}}</ul>
        """

    static let modelVersion = """
        <h1>{{name}} version {{version}}</h1>
        <dl class="facts">
        <dt>Registered</dt><dd>{{created}} by {{user}}</dd>
        <dt>Stage</dt><dd>{{stage}}</dd>
        <dt>Aliases</dt><dd>{{aliases}}</dd>
        <dt>Description</dt><dd>{{description}}</dd>
        <dt>Lineage</dt><dd>{{#experimentHref}}<a href="{{experimentHref}}">experiment</a> → {{/experimentHref}}{{#runHref}}<a href="{{runHref}}">run {{runID}}</a> → {{/runHref}}{{#modelID}}logged model {{modelID}} → {{/modelID}}version {{version}}</dd>
        <dt>Source</dt><dd><code>{{source}}</code></dd>
        <dt>Model card</dt><dd><a href="{{cardHref}}">model card</a></dd>
        </dl>
        {{#systems}}
        <h2>In {{systemName}} (<a href="/ui/systems/{{systemID}}">{{tier}} risk</a>)</h2>
        <table>
        <thead><tr><th scope="col">Control for {{target}}</th><th scope="col">Status</th><th scope="col">What it rests on</th><th scope="col">What it needs</th></tr></thead>
        <tbody>{{#rows}}<tr><td>{{name}}</td><td class="{{css}}">{{state}}</td><td>{{detail}}</td><td>{{remedy}}</td></tr>{{/rows}}</tbody>
        </table>
        <form class="inline" method="post" action="/ui/systems/{{systemID}}/promote">
        <input type="hidden" name="form_token" value="{{formToken}}"><input type="hidden" name="model" value="{{name}}"><input type="hidden" name="version" value="{{version}}">
        <label>Alias <input name="alias" value="{{target}}" size="12"></label>
        <button type="submit">Promote</button>
        </form>
        <form class="inline" method="post" action="/ui/systems/{{systemID}}/approvals">
        <input type="hidden" name="form_token" value="{{formToken}}"><input type="hidden" name="model" value="{{name}}"><input type="hidden" name="version" value="{{version}}">
        <input type="hidden" name="alias" value="{{target}}">
        <button type="submit" class="secondary">Request approval for {{target}}</button>
        </form>
        <form class="inline" method="post" action="/ui/systems/{{systemID}}/rollback">
        <input type="hidden" name="form_token" value="{{formToken}}"><input type="hidden" name="model" value="{{name}}"><input type="hidden" name="alias" value="{{target}}">
        <input type="hidden" name="version" value="{{version}}">
        <button type="submit" class="secondary">Roll {{target}} back</button>
        </form>
        {{/systems}}
        {{^systems}}<p>This model is linked to no AI system: promotion to a protected alias needs one.</p>{{/systems}}
        <h2>Evaluations</h2>
        {{#evaluations}}
        <h3>{{created}} by {{by}} on {{dataset}} ({{rows}} rows): <span class="{{css}}">{{gate}}</span></h3>
        {{#hasConditions}}<table><thead><tr><th scope="col">Gate condition</th><th scope="col" class="number">Value</th><th scope="col" class="number">Threshold</th>
        <th scope="col">Verdict</th></tr></thead>
        <tbody>{{#conditions}}<tr><td><code>{{condition}}</code></td><td class="number">{{value}}</td><td class="number">{{threshold}}</td><td class="{{css}}">{{outcome}}</td></tr>{{/conditions}}</tbody></table>{{/hasConditions}}
        {{/evaluations}}
        {{^evaluations}}<p>No evaluation of this version yet.</p>{{/evaluations}}
        <h2>Approvals</h2>
        <table>
        <thead><tr><th scope="col">Requested</th><th scope="col">For</th><th scope="col">Status</th><th scope="col">Decisions</th><th scope="col">Your part</th></tr></thead>
        <tbody>
        {{#approvals}}<tr><td>{{created}} by {{requestedBy}}</td><td>{{alias}}</td><td>{{status}}</td><td>{{#decisions}}{{.}}<br>{{/decisions}}</td>
        <td>{{#canDecide}}<form class="inline" method="post" action="/ui/approvals/{{id}}">
        <input type="hidden" name="form_token" value="{{formToken}}"><input type="hidden" name="back" value="{{back}}">
        <label>Comment <input name="comment" size="18"></label>
        <button type="submit" name="decision" value="approve">Approve</button><button type="submit" name="decision" value="reject" class="secondary">Reject</button>
        </form>{{/canDecide}}{{#why}}<span class="muted">{{why}}</span>{{/why}}</td></tr>{{/approvals}}
        {{^approvals}}<tr><td colspan="5">No approval has been requested for this version.</td></tr>{{/approvals}}
        </tbody>
        </table>
        """

    static let model = """
        <h1>{{name}}{{#prompt}} <span class="tier">prompt</span>{{/prompt}}</h1>
        <p>{{description}}</p>
        <table>
        <thead><tr><th scope="col">Version</th><th scope="col">Aliases</th><th scope="col">Stage</th><th scope="col">Registered</th><th scope="col">Status</th></tr></thead>
        <tbody>
        {{#versions}}<tr><td><a href="{{href}}">version {{version}}</a></td><td>{{aliases}}</td><td>{{stage}}</td><td>{{created}} by {{user}}</td><td>{{status}}</td></tr>{{/versions}}
        {{^versions}}<tr><td colspan="5">No version yet.</td></tr>{{/versions}}
        </tbody>
        </table>
        {{#prompt}}
        <h2>Compare two versions</h2>
        <form class="filters" method="get" action="{{path}}">
        <label>From <select name="from">{{#fromChoices}}<option value="{{value}}"{{#selected}} selected{{/selected}}>version {{value}}</option>{{/fromChoices}}</select></label>
        <label>To <select name="to">{{#toChoices}}<option value="{{value}}"{{#selected}} selected{{/selected}}>version {{value}}</option>{{/toChoices}}</select></label>
        <button type="submit">Compare</button>
        </form>
        {{#compared}}<table class="diff"><caption>Version {{from}} → version {{to}}</caption>
        <thead><tr><th scope="col">Change</th><th scope="col">Line</th></tr></thead>
        <tbody>{{#diff}}<tr class="{{css}}"><td>{{mark}}</td><td><code>{{text}}</code></td></tr>{{/diff}}</tbody></table>{{/compared}}
        {{/prompt}}
        """

    static let approvals = """
        <h1>Approvals</h1>
        <p class="muted">Requests that wait on you, and those you asked for.</p>
        <table>
        <thead><tr><th scope="col">Version</th><th scope="col">For</th><th scope="col">Requested</th><th scope="col">Status</th><th scope="col">Your part</th></tr></thead>
        <tbody>
        {{#requests}}<tr><td><a href="{{href}}">{{model}} version {{version}}</a></td><td>{{alias}}</td><td>{{created}} by {{requestedBy}}</td><td>{{status}}</td>
        <td>{{#awaitsYou}}<form class="inline" method="post" action="/ui/approvals/{{id}}">
        <input type="hidden" name="form_token" value="{{formToken}}"><input type="hidden" name="back" value="/ui/approvals">
        <label>Comment <input name="comment" size="18"></label>
        <button type="submit" name="decision" value="approve">Approve</button><button type="submit" name="decision" value="reject" class="secondary">Reject</button>
        </form>{{/awaitsYou}}{{^awaitsYou}}<span class="muted">yours</span>{{/awaitsYou}}</td></tr>{{/requests}}
        {{^requests}}<tr><td colspan="5">Nothing waits on you.</td></tr>{{/requests}}
        </tbody>
        </table>
        """

    static let audit = """
        <h1>Audit log</h1>
        <p class="{{chainCSS}}">{{chain}}</p>
        <form class="filters" method="get" action="/ui/audit">
        <label>System <input name="system" value="{{system}}"></label>
        <label>Actor <input name="actor" value="{{actor}}"></label>
        <button type="submit">Filter</button>
        </form>
        <table>
        <thead><tr><th scope="col" class="number">#</th><th scope="col">Time</th><th scope="col">Actor</th><th scope="col">Action</th><th scope="col">Outcome</th><th scope="col">Target</th><th scope="col">Details</th></tr></thead>
        <tbody>
        {{#events}}<tr><td class="number">{{sequence}}</td><td>{{time}}</td><td>{{actor}}</td><td>{{action}}</td><td class="{{css}}">{{outcome}}</td><td>{{target}}</td><td>{{details}}</td></tr>{{/events}}
        {{^events}}<tr><td colspan="7">No event matches.</td></tr>{{/events}}
        </tbody>
        </table>
        {{#earlier}}<p><a href="{{earlier}}">Earlier events</a></p>{{/earlier}}
        """

    static let experiments = """
        <h1>Experiments</h1>
        <table>
        <thead><tr><th scope="col">Experiment</th><th scope="col" class="number">ID</th><th scope="col">Created</th><th scope="col">Last update</th></tr></thead>
        <tbody>
        {{#experiments}}<tr><td><a href="/ui/experiments/{{id}}">{{name}}</a></td><td class="number">{{id}}</td><td>{{created}}</td><td>{{updated}}</td></tr>{{/experiments}}
        {{^experiments}}<tr><td colspan="4">No experiment yet: log a run with the mlflow client.</td></tr>{{/experiments}}
        </tbody>
        </table>
        {{#next}}<p><a href="{{next}}">More experiments</a></p>{{/next}}
        """

    static let experiment = """
        <h1>{{name}}</h1>
        <p class="muted">Newest runs first, {{count}} on this page.</p>
        <table>
        <thead><tr><th scope="col">Run</th><th scope="col">Status</th><th scope="col">Started</th><th scope="col">User</th>
        {{#paramNames}}<th scope="col">{{.}}</th>{{/paramNames}}{{#metricNames}}<th scope="col" class="number">{{.}}</th>{{/metricNames}}</tr></thead>
        <tbody>
        {{#runs}}<tr><td><a href="/ui/experiments/{{experimentID}}/runs/{{id}}">{{name}}</a></td><td>{{status}}</td><td>{{started}}</td><td>{{user}}</td>
        {{#params}}<td>{{.}}</td>{{/params}}{{#metrics}}<td class="number">{{.}}</td>{{/metrics}}</tr>{{/runs}}
        {{^runs}}<tr><td colspan="4">No run in this experiment.</td></tr>{{/runs}}
        </tbody>
        </table>
        {{#next}}<p><a href="{{next}}">More runs</a></p>{{/next}}
        """

    static let run = """
        <h1>{{name}}</h1>
        <dl class="facts">
        <dt>Run ID</dt><dd><code>{{id}}</code></dd>
        <dt>Experiment</dt><dd><a href="/ui/experiments/{{experimentID}}">{{experimentName}}</a></dd>
        <dt>Status</dt><dd>{{status}}</dd>
        <dt>Started</dt><dd>{{started}}</dd>
        <dt>Ended</dt><dd>{{ended}}</dd>
        <dt>User</dt><dd>{{user}}</dd>
        </dl>
        <h2>Parameters</h2>
        <table><thead><tr><th scope="col">Name</th><th scope="col">Value</th></tr></thead>
        <tbody>{{#params}}<tr><td>{{key}}</td><td>{{value}}</td></tr>{{/params}}{{^params}}<tr><td colspan="2">None.</td></tr>{{/params}}</tbody></table>
        <h2>Metrics</h2>
        <table><thead><tr><th scope="col">Name</th><th scope="col" class="number">Last value</th><th scope="col" class="number">Step</th></tr></thead>
        <tbody>{{#metrics}}<tr><td>{{key}}</td><td class="number">{{value}}</td><td class="number">{{step}}</td></tr>{{/metrics}}{{^metrics}}<tr><td colspan="3">None.</td></tr>{{/metrics}}</tbody></table>
        <div class="charts">{{#charts}}<figure><figcaption>{{title}}</figcaption>{{{svg}}}</figure>{{/charts}}</div>
        <h2>Tags</h2>
        <table><thead><tr><th scope="col">Name</th><th scope="col">Value</th></tr></thead>
        <tbody>{{#tags}}<tr><td>{{key}}</td><td>{{value}}</td></tr>{{/tags}}{{^tags}}<tr><td colspan="2">None.</td></tr>{{/tags}}</tbody></table>
        """

    static let incidents = """
        <h1>Incidents</h1>
        <table>
        <thead><tr><th scope="col">Opened</th><th scope="col">System</th><th scope="col">Title</th><th scope="col">Severity</th><th scope="col">Status</th></tr></thead>
        <tbody>
        {{#incidents}}<tr id="{{id}}"><td>{{opened}}</td><td><a href="/ui/systems/{{systemID}}">{{systemName}}</a></td>
        <td><details><summary>{{title}}</summary><p>{{description}}</p>
        <p>Playbook: {{#steps}}<span class="{{#done}}met{{/done}}{{^done}}muted{{/done}}">{{step}}{{#done}} ✓{{/done}}</span> {{/steps}}</p>
        <ol>{{#timeline}}<li>{{time}} {{actor}} ({{kind}}): {{text}}</li>{{/timeline}}</ol></details></td>
        <td>{{severity}}</td><td>{{status}}</td></tr>{{/incidents}}
        {{^incidents}}<tr><td colspan="5">No incident.</td></tr>{{/incidents}}
        </tbody>
        </table>
        """

    static let problem = """
        <h1>{{heading}}</h1>
        <p>{{message}}</p>
        <p><a href="/ui/">Back to the register</a></p>
        """
}
