public import Prometheus

/// How hushboxd's swift-metrics reach Prometheus: one registry, and histogram
/// buckets that fit Hushbox's own timers (delivery latency spans seconds to days,
/// far beyond the factory's sub-second defaults).
public enum HushboxMetrics {
    public static func prometheusFactory(registry: PrometheusCollectorRegistry) -> PrometheusMetricsFactory {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets[UplinkMetrics.latencyLabel] = UplinkMetrics.latencyBuckets
        return factory
    }
}
