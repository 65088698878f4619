import Foundation
import Hummingbird
import Uplink
import Vault

/// The incident register with its 72-hour clock, and the sub-processors the
/// uplink may deliver to, with their customer-notice dates.
struct ComplianceRoutes {
    let backend: AdminBackend

    struct IncidentView: ResponseEncodable {
        let id: String
        let severity: String
        let summary: String
        /// When the organisation became aware of it: the 72 hours run from here.
        let awareSince: Date
        /// When the supervisory authority must have been told (Art. 33(1)).
        let notifyBy: Date
        let notifiedAt: Date?
        let closedAt: Date?
        /// Seconds left to notify; negative once overdue; nil once notified or closed.
        let secondsLeft: Int?

        init(_ incident: Incident, now: Date) {
            id = incident.id
            severity = incident.severity.rawValue
            summary = incident.summary
            awareSince = incident.openedAt
            notifyBy = incident.openedAt.addingTimeInterval(Incident.notificationWindow)
            notifiedAt = incident.notifiedAt
            closedAt = incident.closedAt
            secondsLeft = incident.notifiedAt == nil && incident.closedAt == nil ? Int(notifyBy.timeIntervalSince(now).rounded(.down)) : nil
        }
    }

    struct NewIncident: Decodable {
        let severity: String
        let summary: String
        let awareSince: Date?
    }

    struct IncidentChange: Decodable {
        let severity: String?
        let summary: String?
        let awareSince: Date?
    }

    struct Notification: Decodable {
        let at: Date?
        let reason: String?
    }

    struct Closing: Decodable {
        let withoutNotification: Bool?
        let reason: String?
    }

    struct SubProcessorView: ResponseEncodable {
        let name: String
        let purpose: String
        let region: String
        let noticeAt: Date
        let goLiveAt: Date
        let live: Bool
    }

    struct NewSubProcessor: Decodable {
        let name: String
        let purpose: String
        let region: String
        let goLive: Date?
        let noticeGiven: Date?
    }

    static let bodyLimit = 16 * 1024

    func add(to router: RouterGroup<AdminRequestContext>) {
        router.get("incidents") { request, context -> Page<IncidentView> in
            let principal = try context.require(.manageCompliance)
            let page = try PageRequest(request)
            let all = request.uri.queryParameters["all"] == "true"
            let incidents = try await backend.run { try backend.tenant(principal).incidents(includingClosed: all) }
            let now = backend.now()
            return page.page(of: incidents) { IncidentView($0, now: now) }
        }
        router.post("incidents") { request, context -> EditedResponse<IncidentView> in
            let principal = try context.require(.manageCompliance)
            let body = try await Self.decode(NewIncident.self, request, context)
            let severity = try Self.severity(body.severity)
            let incident = try await backend.run {
                try backend.tenant(principal).openIncident(severity: severity, summary: body.summary, awareSince: body.awareSince, actor: principal.actor)
            }
            return EditedResponse(status: .created, response: IncidentView(incident, now: backend.now()))
        }
        router.patch("incidents/:id") { request, context -> IncidentView in
            let principal = try context.require(.manageCompliance)
            let id = try context.parameters.require("id")
            let body = try await Self.decode(IncidentChange.self, request, context)
            let severity = try body.severity.map(Self.severity)
            let incident = try await backend.run {
                try backend.tenant(principal).updateIncident(id, severity: severity, summary: body.summary, awareSince: body.awareSince, actor: principal.actor)
            }
            return IncidentView(incident, now: backend.now())
        }
        router.post("incidents/:id/notification") { request, context -> IncidentView in
            let principal = try context.require(.manageCompliance)
            let id = try context.parameters.require("id")
            let body = try await Self.decode(Notification.self, request, context)
            let incident = try await backend.run {
                try backend.tenant(principal).recordIncidentNotification(id, at: body.at, reason: body.reason, actor: principal.actor)
            }
            return IncidentView(incident, now: backend.now())
        }
        router.post("incidents/:id/closing") { request, context -> IncidentView in
            let principal = try context.require(.manageCompliance)
            let id = try context.parameters.require("id")
            let body = try await Self.decode(Closing.self, request, context)
            let incident = try await backend.run {
                try backend.tenant(principal).closeIncident(id, withoutNotification: body.withoutNotification ?? false, reason: body.reason, actor: principal.actor)
            }
            return IncidentView(incident, now: backend.now())
        }
        router.get("sub-processors") { request, context -> Page<SubProcessorView> in
            let principal = try context.require(.readConfiguration)
            let page = try PageRequest(request)
            let registered = try await backend.run { try backend.tenant(principal).subProcessors() }
            let now = backend.now()
            return page.page(of: registered) {
                SubProcessorView(name: $0.name, purpose: $0.purpose, region: $0.region, noticeAt: $0.noticeAt, goLiveAt: $0.goLiveAt, live: $0.isLive(at: now))
            }
        }
        router.post("sub-processors") { request, context -> EditedResponse<SubProcessorView> in
            let principal = try context.require(.manageCompliance)
            let body = try await Self.decode(NewSubProcessor.self, request, context)
            guard body.purpose.count <= 1000 else { throw Problem.invalid("purpose has at most 1000 characters") }
            let country: DataRegion
            do { country = try DataRegion(body.region) } catch { throw Problem.invalid("region: \(error)") }
            // As `hushbox subprocessor add`: a region the box's residency rule forbids is never registered.
            if let refusal = backend.residency.refusal(of: body.name, in: country) { throw Problem.invalid(refusal) }
            let registered = try await backend.run {
                try backend.tenant(principal).registerSubProcessor(
                    name: body.name, purpose: body.purpose, region: country.countryCode, goLive: body.goLive, noticeGiven: body.noticeGiven, actor: principal.actor
                )
            }
            return EditedResponse(status: .created, response: SubProcessorView(
                name: registered.name, purpose: registered.purpose, region: registered.region, noticeAt: registered.noticeAt, goLiveAt: registered.goLiveAt,
                live: registered.isLive(at: backend.now())
            ))
        }
        router.delete("sub-processors/:name") { _, context -> HTTPResponse.Status in
            let principal = try context.require(.manageCompliance)
            let name = try context.parameters.require("name")
            try await backend.run { try backend.tenant(principal).removeSubProcessor(named: name, actor: principal.actor) }
            return .noContent
        }
    }

    static func decode<T: Decodable>(_ type: T.Type, _ request: Request, _ context: AdminRequestContext) async throws -> T {
        try await JSONBody.decode(type, from: request, context: context, limit: bodyLimit)
    }

    static func severity(_ name: String) throws(Problem) -> Incident.Severity {
        guard let severity = Incident.Severity(rawValue: name) else { throw Problem.invalid("severity must be low, medium, high or critical") }
        return severity
    }
}
