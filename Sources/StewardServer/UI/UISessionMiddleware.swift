import Foundation
import HTTPTypes
import Hummingbird
import StewardCore

/// Who a UI request acts for: the user of the session its cookie names (`UIController` opens it at sign-in).
/// With authentication required, a page asked for without a session sends the browser to the sign-in page.
/// Every POST must come from the server's own pages: one whose `Origin` is another site is refused, and one
/// made in a session must carry the session's form token, which another site can neither read nor forge.
struct UISessionMiddleware: RouterMiddleware {
    typealias Context = StewardRequestContext
    let identity: IdentityService
    let required: Bool

    static let cookieName = "steward_session"
    /// A short-lived cookie that carries what a form changed to the page it goes back to, so that no link can make
    /// a page say something the server did not.
    static let noticeCookie = "steward_notice"
    /// The largest form the UI posts.
    static let largestForm = 64 * 1024

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        var request = request
        context.identity = identity
        if let secret = Self.cookie(named: Self.cookieName, in: request), let session = try await identity.session(secret: secret) {
            context.principal = session.principal
            context.signIn = session
        }
        let path = request.uri.path
        let open = path == "/ui/sign-in" || path.hasPrefix("/ui/assets/")
        if required, context.signIn == nil, !open {
            // Nothing is shown or changed without a session; the browser is sent to sign in and brought back.
            let back = request.method == .get ? path + (request.uri.query.map { "?" + $0 } ?? "") : "/ui/"
            return PageRenderer.redirect(to: "/ui/sign-in?next=" + (back.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/ui/"))
        }
        if request.method == .post {
            let authorities = [request.head.authority, request.headers[.init("X-Forwarded-Host")!]].compactMap { $0 }
            if let site = request.headers[.init("Sec-Fetch-Site")!], !["same-origin", "none"].contains(site) {
                return Self.refusal("This form was sent from another site; nothing was changed.")
            }
            if let origin = request.headers[.origin] ?? request.headers[.referer] {
                guard Self.sameOrigin(origin, authorities: authorities) else {
                    return Self.refusal("This form was sent from another site (\(origin)); nothing was changed.")
                }
            } else if context.signIn == nil {
                // Without a session there is no form token to check: the browser must say where the form came from
                // (every browser sends Origin with a form's POST).
                return Self.refusal("This form did not say which site it came from (no Origin or Referer); nothing was changed.")
            }
            if let session = context.signIn {
                let form = UIForm(try await request.collectBody(upTo: Self.largestForm))
                guard Self.constantTimeEqual(form.value("form_token") ?? "", session.formToken) else {
                    return Self.refusal("The form is out of date (it came from an earlier sign-in); reload the page and try again.")
                }
            }
        }
        var response = try await next(request, context)
        if Self.cookie(named: Self.noticeCookie, in: request) != nil, response.status != .seeOther {
            response.headers.append(HTTPField(name: .setCookie, value: "\(Self.noticeCookie)=; Path=/ui; Max-Age=0; HttpOnly; SameSite=Strict"))
        }
        return response
    }

    /// A redirect after a form that changed something, with what it changed.
    static func redirect(to location: String, notice: String) -> Response {
        var response = PageRenderer.redirect(to: location)
        let value = String(notice.prefix(500)).addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        response.headers.append(HTTPField(name: .setCookie, value: "\(noticeCookie)=\(value); Path=/ui; Max-Age=60; HttpOnly; SameSite=Strict"))
        return response
    }

    /// The notice the last form left, if any.
    static func notice(in request: Request) -> String? {
        guard let value = cookie(named: noticeCookie, in: request), !value.isEmpty else { return nil }
        return value.removingPercentEncoding
    }

    static func refusal(_ message: String) -> Response {
        PageRenderer.html(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Refused · Steward</title></head><body><main><h1>Refused</h1><p>"
                + ModelCardRenderer.escape(message) + "</p><p><a href=\"/ui/\">Back to the register</a></p></main></body></html>",
            status: .forbidden)
    }

    /// Whether an `Origin` (or `Referer`) names this server, as the request's authority or the host a proxy in
    /// front of it forwarded (scheme aside: TLS may end at that proxy).
    static func sameOrigin(_ origin: String, authorities: [String]) -> Bool {
        guard let components = URLComponents(string: origin), let host = components.host else { return false }
        let named = (components.port.map { "\(host):\($0)" } ?? host).lowercased()
        return authorities.contains { $0.lowercased() == named }
    }

    /// String equality whose time does not tell how much of a guess was right.
    static func constantTimeEqual(_ left: String, _ right: String) -> Bool {
        let a = Array(left.utf8)
        let b = Array(right.utf8)
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }

    static func cookie(named name: String, in request: Request) -> String? {
        for header in request.headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                if parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces) == name {
                    return parts[1].trimmingCharacters(in: .whitespaces)
                }
            }
        }
        return nil
    }
}
