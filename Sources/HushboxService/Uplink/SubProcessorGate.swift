import Foundation
internal import Uplink
internal import Vault

/// Whether an organisation's messages may go to a destination now: to the
/// customer's own receiver at once; otherwise only to a sub-processor on its register, live (its customers' 30-day notice is
/// over), and registered for the region the configuration names. Anything
/// else leaves the messages queued, with the reason for a person.
enum SubProcessorGate {
    static func refusal(of destination: HushboxConfiguration.Destination, registered: SubProcessor?, at now: Date) -> String? {
        // The customer's own receiver is not a sub-processor: the residency rule, checked when the configuration loaded, is all.
        if destination.operatedByCustomer { return nil }
        guard let registered else {
            return "\(destination.name) is not on the organisation's sub-processor register: its messages wait; "
                + "register it with `hushbox subprocessor add \(destination.name) --purpose … --region \(destination.region)` (customers get 30 days' notice)"
        }
        guard registered.isLive(at: now) else {
            return "\(destination.name) may receive data from \(ISO8601DateFormatter().string(from: registered.goLiveAt)) (30 days after the customer notice): its messages wait until then"
        }
        let configured = try? DataRegion(destination.region)
        guard let configured, configured == (try? DataRegion(registered.region)) else {
            return "\(destination.name) is configured in \(destination.region) but registered as processing in \(registered.region): its messages wait until they agree"
        }
        return nil
    }
}
