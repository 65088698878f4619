internal import Uplink

/// Reads `uplink.residency` and the `uplink.destinations.<name>` settings, and
/// refuses, while the configuration loads, any destination the residency rule
/// forbids: nothing is ever sent to a receiver the owner could not have meant.
enum UplinkConfigurationReader {
    static func read(from settings: inout SettingsReader, destinationNames: [String]) throws(ConfigurationError) -> HushboxConfiguration.Uplink {
        let schema = ConfigurationSchema.self
        let residencyText = try settings.text(schema.uplinkResidency)
        guard let residency = ResidencyPolicy(rawValue: residencyText) else {
            preconditionFailure("uplink.residency choices must all be ResidencyPolicy cases")
        }
        var destinations: [HushboxConfiguration.Destination] = []
        for name in destinationNames {
            guard let url = try settings.optionalText(schema.destinationURL.named(name)) else {
                throw .invalidValue(schema.destinationURL.named(name), value: nil, from: .defaultValue, problem: "is required for every destination")
            }
            let regionSetting = schema.destinationRegion.named(name)
            guard let code = try settings.optionalText(regionSetting) else {
                throw .invalidValue(
                    regionSetting, value: nil, from: .defaultValue,
                    problem: "is required for every destination: name the country that hosts it and keeps the data"
                )
            }
            let region: DataRegion
            do { region = try DataRegion(code) } catch { preconditionFailure("the countryCode kind admitted \(code)") }
            if let refusal = residency.refusal(of: name, in: region) {
                throw .outsideResidency(regionSetting, refusal: refusal, from: settings.source(of: regionSetting))
            }
            destinations.append(HushboxConfiguration.Destination(
                name: name, url: url, region: region.countryCode,
                publicKey: try settings.optionalText(schema.destinationPublicKey.named(name)),
                pinSHA256: try settings.optionalText(schema.destinationPin.named(name)),
                caFile: try settings.optionalText(schema.destinationCAFile.named(name)),
                maxConcurrentUploads: try settings.optionalInteger(schema.destinationConcurrency.named(name)) ?? 2,
                operatedByCustomer: try settings.optionalText(schema.destinationOperator.named(name)) == "customer"
            ))
        }
        return HushboxConfiguration.Uplink(residency: residency.rawValue, destinations: destinations)
    }
}
