/// Everything the vault refuses, by name. A wrong key, a tampered row, a cut or
/// altered object, a database from a newer Hushbox: each is its own code with a
/// message saying what failed and what to do. The vault never returns data it
/// could not authenticate.
public struct VaultError: Error, Hashable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case invalidDeviceKey, wrongDeviceKey, corruptDatabase, newerSchema, databaseFailure
            case tampered, keyDestroyed, keyMissing, notFound, crossTenant
            case objectTampered, objectTruncated, objectIO, invalidInput
            case invalidPhoneNumber, auditChainBroken, backupFailed, conflict
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The device key is not 32 bytes.
        public static let invalidDeviceKey = Code(.invalidDeviceKey)
        /// The device key does not match the one this database was made with.
        public static let wrongDeviceKey = Code(.wrongDeviceKey)
        /// `PRAGMA integrity_check` found damage; the vault will not run on it.
        public static let corruptDatabase = Code(.corruptDatabase)
        /// The database was migrated by a newer Hushbox than this one.
        public static let newerSchema = Code(.newerSchema)
        /// SQLite failed for a reason that is none of the above.
        public static let databaseFailure = Code(.databaseFailure)
        /// A sealed value or wrapped key failed authentication: altered, or moved
        /// to another row, column or tenant.
        public static let tampered = Code(.tampered)
        /// The key a value was sealed under was destroyed (crypto-shredded).
        public static let keyDestroyed = Code(.keyDestroyed)
        /// A key the data refers to is not in the database.
        public static let keyMissing = Code(.keyMissing)
        public static let notFound = Code(.notFound)
        /// A row or object that belongs to another tenant was addressed.
        public static let crossTenant = Code(.crossTenant)
        /// A chunk of a sealed object failed authentication.
        public static let objectTampered = Code(.objectTampered)
        /// A sealed object ends before its final chunk: its writer was cut off.
        public static let objectTruncated = Code(.objectTruncated)
        public static let objectIO = Code(.objectIO)
        public static let invalidInput = Code(.invalidInput)
        /// The request is well formed but clashes with what is stored (an address in use, the last owner).
        public static let conflict = Code(.conflict)
        public static let invalidPhoneNumber = Code(.invalidPhoneNumber)
        public static let auditChainBroken = Code(.auditChainBroken)
        public static let backupFailed = Code(.backupFailed)

        public var description: String { base.rawValue }
    }

    public let code: Code
    public let description: String

    init(_ code: Code, _ description: String) {
        self.code = code
        self.description = description
    }
}

extension VaultError {
    /// Runs database work, passing VaultErrors through and naming any other
    /// failure (an SQLite error, a constraint) as a database failure.
    static func guarding<T>(_ what: String, _ body: () throws -> T) throws(VaultError) -> T {
        do {
            return try body()
        } catch let error as VaultError {
            throw error
        } catch {
            throw VaultError(.databaseFailure, "\(what): \(error)")
        }
    }
}
