import Crypto
import Foundation
import HTTPTypes
import Vault

/// The console's defences against other sites, as pure functions of a
/// request's headers: which cookie carries the session, the CSRF token a
/// session's forms carry, and whether a form post came from the console's own
/// pages. A browser sends `Origin` and `Sec-Fetch-Site` with every post; a
/// post that names another site is refused even with a valid token.
enum ConsoleGuard {
    /// `__Host-`: the browser keeps it only if it is `Secure`, for `/`, and set
    /// by this very host (no `Domain`), so no other name on the LAN can plant one.
    static let sessionCookie = "__Host-hushbox-session"
    /// Before sign-in there is no session to bind a token to: the sign-in form
    /// carries a random value that must match this cookie (double submit).
    static let signInCookie = "__Host-hushbox-sign-in"

    /// The token every form of a session carries: a hash of the session token,
    /// so it is known only to pages served to that session, and it changes with
    /// every sign-in.
    static func csrfToken(forSession sessionToken: String) -> String {
        TenantVault.base64URL(Array(SHA256.hash(data: Data("hushbox console csrf\u{0}\(sessionToken)".utf8))))
    }

    /// Compares in time that does not depend on where the strings differ.
    static func same(_ a: String, _ b: String) -> Bool {
        Vault.constantTimeEqual(a, b)
    }

    /// Why a state-changing request is refused as coming from another site, or nil.
    ///
    /// `Sec-Fetch-Site` must say `same-origin`; `Origin`, when sent, must be this
    /// host over HTTPS. A client that sends neither (a script, an old browser)
    /// still needs the CSRF token, which only the console's own pages hold.
    /// - Parameter authority: the host the browser addressed (HTTP/1.1's `Host`).
    static func crossSiteRefusal(_ headers: HTTPFields, authority: String?) -> String? {
        if let site = headers[HTTPField.Name("Sec-Fetch-Site")!], site != "same-origin" {
            return "the browser says this form was sent from \(site == "none" ? "outside any page" : "another site") (Sec-Fetch-Site: \(site.prefix(20)))"
        }
        if let origin = headers[.origin] {
            guard let authority, origin == "https://\(authority)" else {
                return "the form was sent from another origin than this console's"
            }
        }
        return nil
    }

    /// Whether a request may act with the session cookie: a page of the
    /// console itself, a navigation the user made, or a client that sends no
    /// fetch metadata. Not another site's subresource (`<img>`, `<audio>`, `fetch`).
    static func mayUseSession(_ headers: HTTPFields) -> Bool {
        guard let site = headers[HTTPField.Name("Sec-Fetch-Site")!], site != "same-origin", site != "none" else { return true }
        return headers[HTTPField.Name("Sec-Fetch-Mode")!] == "navigate"
    }
}
