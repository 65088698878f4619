public import Hummingbird

/// One page of a list: at most `limit` items and, when more follow, the cursor
/// that asks for them (`?cursor=`). Cursors are opaque to clients.
public struct Page<Item: Encodable & Sendable>: Encodable, Sendable {
    public let items: [Item]
    public let nextCursor: String?
}

/// `?limit=` and `?cursor=` read and bounded: limit 1…200 (default 50).
struct PageRequest: Sendable {
    static let maximumLimit = 200
    let offset: Int
    let limit: Int

    /// The request's `?limit=` and `?cursor=`.
    init(_ request: Request) throws(Problem) {
        try self.init(limit: request.uri.queryParameters["limit"].map(String.init), cursor: request.uri.queryParameters["cursor"].map(String.init))
    }

    init(limit: String?, cursor: String?) throws(Problem) {
        let limit = limit ?? "50"
        guard let value = Int(limit), (1...Self.maximumLimit).contains(value) else {
            throw Problem.invalid("limit must be a whole number from 1 to \(Self.maximumLimit)")
        }
        self.limit = value
        guard let cursor else {
            offset = 0
            return
        }
        let digits = cursor.dropFirst()
        guard cursor.hasPrefix("o"), (1...9).contains(digits.count), digits.allSatisfy({ $0.isASCII && $0.isNumber }), let offset = Int(digits) else {
            throw Problem.invalid("cursor is not one this API gave out; start again without it")
        }
        self.offset = offset
    }

    /// A page read `limit + 1` at a time from the store: the extra one only says that more follow.
    func page<Source, Item>(fetched: [Source], _ transform: (Source) throws -> Item) rethrows -> Page<Item> {
        let slice = fetched.prefix(limit)
        return Page(items: try slice.map(transform), nextCursor: fetched.count > limit ? "o\(offset + limit)" : nil)
    }

    /// The page of `all` this request asks for.
    func page<Source, Item>(of all: [Source], _ transform: (Source) throws -> Item) rethrows -> Page<Item> {
        let slice = all.dropFirst(offset).prefix(limit)
        let next = offset + slice.count < all.count ? "o\(offset + slice.count)" : nil
        return Page(items: try slice.map(transform), nextCursor: next)
    }
}

extension Page: ResponseEncodable {}
