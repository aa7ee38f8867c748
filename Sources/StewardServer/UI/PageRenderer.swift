import HTTPTypes
import Hummingbird
import Mustache
import StewardCore

/// Renders the UI's pages: a page's template into the layout, with the security headers every page carries
/// (a Content-Security-Policy that allows the server's own style sheet and script and nothing else, no
/// framing, no sniffing, no caching of a signed-in page). The templates are parsed once, when the router is built.
struct PageRenderer: Sendable {
    let library: MustacheLibrary

    static let contentSecurityPolicy =
        "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; "
        + "frame-ancestors 'none'; base-uri 'none'"

    init() {
        var library = MustacheLibrary()
        for (name, text) in PageTemplates.all {
            // The templates are constants of this file's module: one that does not parse fails every test.
            do { try library.register(text, named: name) } catch { preconditionFailure("UI template '\(name)' does not parse: \(error)") }
        }
        self.library = library
    }

    /// What the layout shows around a page.
    struct Chrome: Sendable {
        var title: String
        var section: String
        var principal: Principal
        var session: SignInSession?
        var notice: String?
        var error: PageError?
        var script = false
        var narrow = false
    }

    /// A refusal or failure shown above the page: its message and, for a refused promotion, each missing control.
    struct PageError: Sendable {
        let message: String
        var missing: [String] = []
    }

    static let sections: [(href: String, label: String, section: String)] = [
        ("/ui/", "Register", "register"), ("/ui/approvals", "Approvals", "approvals"), ("/ui/incidents", "Incidents", "incidents"),
        ("/ui/experiments", "Experiments", "experiments"), ("/ui/audit", "Audit", "audit"),
    ]

    /// The body of `template` rendered from `values`, with the form token of the session added.
    func body(_ template: String, _ values: [String: Any], chrome: Chrome) -> String {
        var values = values
        values["formToken"] = chrome.session?.formToken ?? ""
        return library.render(values, withTemplate: template) ?? ""
    }

    func page(_ template: String, _ values: [String: Any], chrome: Chrome, status: HTTPResponse.Status = .ok) -> Response {
        var layout: [String: Any] = [
            "title": chrome.title, "body": body(template, values, chrome: chrome), "signedIn": chrome.session != nil,
            "user": chrome.principal.name, "role": chrome.principal.role?.rawValue ?? "unverified",
            "formToken": chrome.session?.formToken ?? "", "script": chrome.script, "narrow": chrome.narrow,
            "nav": Self.sections.map { ["href": $0.href, "label": $0.label, "current": $0.section == chrome.section] as [String: Any] },
        ]
        if let notice = chrome.notice { layout["notice"] = notice }
        if let error = chrome.error {
            layout["error"] = ["message": error.message, "missing": error.missing, "hasMissing": !error.missing.isEmpty] as [String: Any]
        }
        return Self.html(library.render(layout, withTemplate: "layout") ?? "", status: status)
    }

    static func html(_ text: String, status: HTTPResponse.Status = .ok, policy: String = contentSecurityPolicy) -> Response {
        var response = Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8"], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
        response.headers[.contentSecurityPolicy] = policy
        response.headers[.cacheControl] = "no-store"
        response.headers[.init("X-Content-Type-Options")!] = "nosniff"
        response.headers[.init("X-Frame-Options")!] = "DENY"
        response.headers[.init("Referrer-Policy")!] = "same-origin"
        return response
    }

    /// A redirect after a form (303, so the browser follows with GET).
    static func redirect(to location: String) -> Response {
        var response = Response(status: .seeOther)
        response.headers[.location] = location
        response.headers[.cacheControl] = "no-store"
        return response
    }
}
