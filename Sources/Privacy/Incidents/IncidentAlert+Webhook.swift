public import Foundation
import Vault

extension IncidentAlert {
    /// The webhook body (docs/configuration.md, Incident alerts): ids, severity,
    /// urgency and times, never the summary.
    public func webhookBody() -> Data {
        let iso = ISO8601DateFormatter()
        let body: [String: any Sendable] = [
            "type": "incident.alert", "tenant_id": tenantID, "incident_id": incidentID, "severity": severity.rawValue, "urgency": urgency.name,
            "aware_since": iso.string(from: awareSince), "deadline": iso.string(from: deadline), "seconds_remaining": Int(secondsRemaining.rounded()),
        ]
        return (try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])) ?? Data()
    }

    /// The webhook message id: one per alert, so a receiver can drop a redelivery.
    public func webhookID(at now: Date) -> String {
        "incident-\(incidentID)-\(Int64(now.timeIntervalSince1970))"
    }
}
