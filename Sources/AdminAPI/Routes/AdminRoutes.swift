public import Hummingbird

/// The admin API's router: every route under `/api/v1`, behind
/// ``AdminAuthenticator``, answering errors as problem+json, and the web
/// console under `/console`, with the security headers every response carries.
public enum AdminRoutes {
    public static func router(backend: AdminBackend) -> Router<AdminRequestContext> {
        let router = Router(context: AdminRequestContext.self)
        router.add(middleware: SecurityHeaders())
        addAPI(to: router, backend: backend)
        // The console's own copy of the API's routes, called in-process: the same handlers, without the HTTP round trip.
        let console = Router(context: AdminRequestContext.self)
        addAPI(to: console, backend: backend)
        ConsoleRoutes(backend: backend, api: InProcessAPI(responder: console.buildResponder())).add(to: router)
        return router
    }

    static func addAPI(to router: Router<AdminRequestContext>, backend: AdminBackend) {
        let api = router.group("api/v1").add(middleware: AdminAuthenticator(backend: backend))
        SessionRoutes(backend: backend).add(to: api)
        MessageRoutes(backend: backend).add(to: api)
        GreetingRoutes(backend: backend).add(to: api)
        AuditRoutes(backend: backend).add(to: api)
        APIKeyRoutes(backend: backend).add(to: api)
        UserRoutes(backend: backend).add(to: api)
        PrivacyRoutes(backend: backend).add(to: api)
        PurgePreviewRoutes(backend: backend).add(to: api)
        ComplianceRoutes(backend: backend).add(to: api)
        UplinkRoutes(backend: backend).add(to: api)
    }
}
