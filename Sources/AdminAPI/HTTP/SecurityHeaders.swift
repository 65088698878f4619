import HTTPTypes
import Logging
import Hummingbird

/// Headers on every response, errors included: HTTPS only from now on, no
/// framing, no sniffing, no referrer to other sites, no script but the box's own, and a
/// problem+json 404 for paths that do not exist.
struct SecurityHeaders: RouterMiddleware {
    typealias Context = AdminRequestContext

    static let headers: HTTPFields = [
        .strictTransportSecurity: "max-age=31536000",
        HTTPField.Name("X-Frame-Options")!: "DENY",
        .xContentTypeOptions: "nosniff",
        // Never a referrer to another site. Not "no-referrer": under it a browser sends `Origin: null`
        // with the console's own form posts, and the console could not tell them from another site's.
        HTTPField.Name("Referrer-Policy")!: "same-origin",
        .contentSecurityPolicy: "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
        HTTPField.Name("Cross-Origin-Opener-Policy")!: "same-origin",
        .crossOriginResourcePolicy: "same-origin",
        // Nothing the box answers is for a cache: lists name callers and staff.
        .cacheControl: "no-store",
    ]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let problem as Problem {
            response = try problem.response(from: request, context: context)
        } catch let error as HTTPError where error.status == .notFound {
            response = try Problem(.notFound, "no-such-route", "No such route", "see docs/admin-api.yaml for this API's routes").response(from: request, context: context)
        } catch let error as HTTPError {
            response = try Problem(error.status, "http-error", error.status.reasonPhrase, "the request could not be read as HTTP; see docs/admin-api.yaml")
                .response(from: request, context: context)
        } catch {
            // Anything else is the box's fault: named to the client, told in full to the log.
            context.logger.error("admin API: \(request.method) \(context.endpointPath ?? "?"): \(error)")
            response = try Problem(.internalServerError, "internal", "The box could not do this", "an unexpected error; the box's log says what")
                .response(from: request, context: context)
        }
        for field in Self.headers where response.headers[field.name] == nil { response.headers.append(field) }
        return response
    }
}
