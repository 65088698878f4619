public import Foundation

/// An organisation's retention periods: the defaults until it sets others,
/// and only periods the product allows.
public struct RetentionPolicy: Sendable, Hashable {
    public internal(set) var days: [RetentionCategory: Int]

    /// Every category at its default.
    public init() {
        days = Dictionary(uniqueKeysWithValues: RetentionCategory.allCases.map { ($0, $0.defaultDays) })
    }

    public subscript(category: RetentionCategory) -> Int { days[category] ?? category.defaultDays }

    /// Sets one period; a period the category does not allow changes nothing.
    public mutating func set(_ category: RetentionCategory, to newDays: Int) throws(RetentionError) {
        guard category.allowedDays.allows(newDays) else {
            throw RetentionError(category: category, days: newDays)
        }
        days[category] = newDays
    }

    /// Whether something of `category` created at `createdAt` is due for
    /// removal at `now`: once it is the whole period old. Kept on day 89 of a
    /// 90-day period, removed from the moment it is 90 days old.
    public func isExpired(_ category: RetentionCategory, createdAt: Date, at now: Date) -> Bool {
        createdAt <= cutoff(category, at: now)
    }

    /// Anything of `category` created at or before this instant is expired at `now`.
    public func cutoff(_ category: RetentionCategory, at now: Date) -> Date {
        now.addingTimeInterval(-TimeInterval(self[category]) * 86_400)
    }
}

/// A retention period the product does not allow, with the ones it does.
public struct RetentionError: Error, Hashable, CustomStringConvertible {
    public let category: RetentionCategory
    public let days: Int

    public var description: String {
        switch category.allowedDays {
        case .fixed(let only):
            "\(category.rawValue) is kept \(only) days on every box; it cannot be set to \(days)"
        case let allowed:
            "\(category.rawValue) cannot be kept \(days) days; choose \(allowed.description) days"
        }
    }
}
