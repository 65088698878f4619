import Foundation
import Logging
internal import Metrics
internal import Privacy
import ServiceLifecycle
internal import Uplink
internal import Vault

/// hushboxd's reminders of incidents not yet notified to the supervisory
/// authority: it looks at the register every minute and, as
/// ``IncidentAlertSchedule`` decides, logs an error (critical when less than
/// 12 hours remain), counts the alert and POSTs the signed webhook. The gauges
/// say at every check how many incidents wait and the earliest deadline.
struct IncidentAlertService<SleepClock: Clock>: Service, CustomStringConvertible where SleepClock.Duration == Duration {
    let vault: Vault
    let webhook: IncidentWebhookSetup?
    let clock: SleepClock
    /// Wall time: deadlines are calendar times.
    let now: @Sendable () -> Date
    var checkInterval: Duration = .seconds(60)
    /// How long one POST may take; an unreachable receiver costs this much of a check.
    var webhookTimeout: Duration = .seconds(10)
    let logger: Logger
    var metricsFactory: any MetricsFactory = MetricsSystem.factory

    static var unnotifiedLabel: String { "hushbox_incidents_unnotified" }
    static var nextDeadlineLabel: String { "hushbox_incidents_next_deadline_timestamp_seconds" }
    static var alertsLabel: String { "hushbox_incident_alerts_total" }
    static var webhookFailuresLabel: String { "hushbox_incident_webhook_failures_total" }
    static var checkFailuresLabel: String { "hushbox_incident_check_failures_total" }

    var description: String { "IncidentAlertService" }

    /// The metric handles, made once for the service's life.
    private struct Instruments: Sendable {
        let unnotified: Gauge
        let nextDeadline: Gauge
        let alerts: [IncidentAlert.Urgency: Counter]
        let webhookFailures: Counter
        let checkFailures: Counter

        init(_ factory: any MetricsFactory) {
            unnotified = Gauge(label: IncidentAlertService.unnotifiedLabel, factory: factory)
            nextDeadline = Gauge(label: IncidentAlertService.nextDeadlineLabel, factory: factory)
            var alerts: [IncidentAlert.Urgency: Counter] = [:]
            for urgency in [IncidentAlert.Urgency.pending, .urgent, .overdue] {
                alerts[urgency] = Counter(label: IncidentAlertService.alertsLabel, dimensions: [("urgency", urgency.name)], factory: factory)
            }
            self.alerts = alerts
            webhookFailures = Counter(label: IncidentAlertService.webhookFailuresLabel, factory: factory)
            checkFailures = Counter(label: IncidentAlertService.checkFailuresLabel, factory: factory)
        }
    }

    func run() async throws {
        let poster = webhook.map { WebhookPoster(url: $0.url, signature: $0.signature, tls: $0.tls, timeout: webhookTimeout) }
        let instruments = Instruments(metricsFactory)
        await cancelWhenGracefulShutdown {
            var schedule = IncidentAlertSchedule()
            while !Task.isCancelled {
                await check(&schedule, poster: poster, instruments: instruments)
                do { try await clock.sleep(for: checkInterval) } catch { break }
            }
        }
        try? await poster?.shutdown()
    }

    private func check(_ schedule: inout IncidentAlertSchedule, poster: WebhookPoster?, instruments: Instruments) async {
        var awaiting: [(tenantID: String, incident: AwaitingIncident)] = []
        do {
            // Each organisation's register on its own: one that cannot be read must not silence the others.
            for tenantID in try vault.tenantIDs() {
                do {
                    awaiting += try vault.tenant(tenantID).incidentsAwaitingNotification().map { (tenantID, $0) }
                } catch {
                    instruments.checkFailures.increment()
                    logger.error("an organisation's incident register could not be read; tried again in a minute", metadata: ["tenant": "\(tenantID)", "error": "\(error)"])
                }
            }
        } catch {
            instruments.checkFailures.increment()
            logger.error("the incident register could not be read; tried again in a minute", metadata: ["error": "\(error)"])
            return
        }
        instruments.unnotified.record(awaiting.count)
        let earliest = awaiting.map(\.incident.notificationDeadline).min()
        instruments.nextDeadline.record(earliest?.timeIntervalSince1970 ?? 0)
        let instant = now()
        for alert in schedule.alerts(for: awaiting, at: instant) {
            instruments.alerts[alert.urgency]?.increment()
            announce(alert)
            guard let poster else { continue }
            // Stamped as it leaves: a slow receiver must not make the next POSTs look stale to the one after.
            let sent = now()
            let outcome = await poster.post(alert.webhookBody(), id: alert.webhookID(at: instant), timestamp: Int64(sent.timeIntervalSince1970))
            guard !Task.isCancelled else { return }
            switch outcome {
            case .accepted:
                break
            case .refused(let status):
                webhookFailed(alert, reason: "the receiver answered \(status)", instruments)
            case .unreachable(let reason):
                webhookFailed(alert, reason: reason, instruments)
            }
        }
    }

    private func announce(_ alert: IncidentAlert) {
        let hours = Int((abs(alert.secondsRemaining) / 3600).rounded(.down))
        let minutes = Int((abs(alert.secondsRemaining).truncatingRemainder(dividingBy: 3600) / 60).rounded(.down))
        let metadata: Logger.Metadata = [
            "tenant": "\(alert.tenantID)", "incident": "\(alert.incidentID)", "severity": "\(alert.severity.rawValue)",
            "deadline": "\(ISO8601DateFormatter().string(from: alert.deadline))", "urgency": "\(alert.urgency.name)",
        ]
        switch alert.urgency {
        case .pending:
            logger.error("incident not yet notified to the supervisory authority: \(hours) h \(minutes) min left of 72; record the notification with `hushbox incident notify`", metadata: metadata)
        case .urgent:
            logger.critical("incident not yet notified to the supervisory authority: only \(hours) h \(minutes) min left of 72; notify now and record it with `hushbox incident notify`", metadata: metadata)
        case .overdue:
            logger.critical("incident not notified to the supervisory authority within 72 hours: \(hours) h \(minutes) min late; notify now, with the reasons for the delay (Art. 33(1))", metadata: metadata)
        }
    }

    private func webhookFailed(_ alert: IncidentAlert, reason: String, _ instruments: Instruments) {
        instruments.webhookFailures.increment()
        logger.error("the incident webhook was not delivered; it is sent again with the next alert", metadata: ["incident": "\(alert.incidentID)", "reason": "\(reason)"])
    }
}
