import Foundation
internal import Prometheus

/// The process figures an operator watches on a small box (resident memory,
/// open descriptors), read from /proc when Prometheus scrapes.
struct ProcessMetrics: Sendable {
    private let residentMemory: Gauge
    private let openDescriptors: Gauge
    private let pageSize = Double(sysconf(Int32(_SC_PAGESIZE)))

    init(registry: PrometheusCollectorRegistry, version: String, startTime: Date) {
        residentMemory = registry.makeGauge(
            descriptor: .init(namespace: "process", metricName: "resident_memory", unitName: "bytes", helpText: "Resident memory size in bytes.")
        )
        openDescriptors = registry.makeGauge(
            descriptor: .init(namespace: "process", metricName: "open_fds", unitName: "", helpText: "Number of open file descriptors.")
        )
        registry.makeGauge(
            descriptor: .init(namespace: "process", metricName: "start_time", unitName: "seconds", helpText: "Start time of the process since the Unix epoch in seconds.")
        ).set(to: startTime.timeIntervalSince1970)
        registry.makeGauge(
            descriptor: .init(namespace: "hushbox", metricName: "build_info", unitName: "", helpText: "The running Hushbox version; always 1."),
            labels: [("version", version)]
        ).set(to: 1)
    }

    /// Reads the current figures into the gauges.
    func refresh() {
        // /proc/self/statm: size resident shared text lib data dt, in pages.
        if let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) {
            let fields = statm.split(separator: " ")
            if fields.count > 1, let pages = Double(fields[1]) {
                residentMemory.set(to: pages * pageSize)
            }
        }
        if let descriptors = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") {
            openDescriptors.set(to: Double(descriptors.count))
        }
    }
}
