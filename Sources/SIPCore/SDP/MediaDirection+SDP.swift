extension MediaDirection {
    static func of(_ attributes: [SDPAttribute]) -> MediaDirection? {
        attributes.lazy.compactMap { MediaDirection(rawValue: $0.name.lowercased()) }.first
    }
}
