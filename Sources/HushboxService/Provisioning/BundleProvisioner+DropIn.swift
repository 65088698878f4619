import Foundation

/// The drop-in a configuration needs: a credential per secret, the addresses
/// the service may reach (names resolved now), devices closed without a line.
extension BundleProvisioner {
    /// Resolves the receivers', registrars' and webhook's names: call it before writing anything.
    func makeDropIn(configuration: HushboxConfiguration, lan: [String], secretsDirectory: String, deviceKeySealed: Bool, origin: String) throws(BundleError) -> ServiceDropIn {
        let kekPath = secretsDirectory + "/" + SecretSetting.deviceKEK.fileName
        var credentials: [ServiceDropIn.Credential] = [
            deviceKeySealed
                ? .encrypted(name: SecretSetting.deviceKEK.fileName, path: kekPath + ".cred")
                : .file(name: SecretSetting.deviceKEK.fileName, path: kekPath)
        ]
        for name in Self.secretNames(of: configuration).sorted() {
            credentials.append(.file(name: name, path: secretsDirectory + "/" + name))
        }
        var addresses = lan
        for peer in configuration.sip.peers {
            addresses += peer.sources
            if let registrar = peer.registration?.registrar, let host = AddressLookup.host(ofURL: registrar) {
                addresses += try AddressLookup.addresses(of: host)
            }
        }
        for destination in configuration.uplink.destinations {
            guard let host = AddressLookup.host(ofURL: destination.url) else { continue }
            addresses += try AddressLookup.addresses(of: host)
        }
        if let webhook = configuration.incidents.webhookURL, let host = AddressLookup.host(ofURL: webhook) {
            addresses += try AddressLookup.addresses(of: host)
        }
        addresses += configuration.sip.dnsServer.map { [$0.address] } ?? AddressLookup.systemNameServers()
        var groups: [String] = []
        if let line = configuration.line, case .gpio = line.control, getgrnam("gpio") != nil { groups.append("gpio") }
        return ServiceDropIn(credentials: credentials, allowedAddresses: addresses, privateDevices: configuration.line == nil, extraGroups: groups, origin: origin)
    }
}
