using static Mesh.Protocol.Tests.Authz.AuthzTable;

namespace Mesh.Protocol.Tests.Authz;

/// <summary>Every match field, its Not* form and every string-match form, mostly under one ALLOW policy app/p.</summary>
public static class FieldCases
{
    public static IEnumerable<AuthzCase> All() =>
    [
        // principals: exact / prefix / suffix / presence, plaintext never matches a positive form
        new("principals exact matches", [Allow(M with { Principals = Principals("cluster.local/ns/client/sa/curl") })], Mtls(), AllowedBy()),
        new("principals exact other account", [Allow(M with { Principals = Principals("cluster.local/ns/client/sa/other") })], Mtls(), NotAllowed()),
        new("principals exact other trust domain", [Allow(M with { Principals = Principals("other.td/ns/client/sa/curl") })], Mtls(), NotAllowed()),
        new("principals prefix matches", [Allow(M with { Principals = Principals("cluster.local/ns/client/*") })], Mtls(), AllowedBy()),
        new("principals prefix misses", [Allow(M with { Principals = Principals("cluster.local/ns/prod/*") })], Mtls(), NotAllowed()),
        new("principals suffix matches", [Allow(M with { Principals = Principals("*/sa/curl") })], Mtls(), AllowedBy()),
        new("principals suffix matches any trust domain", [Allow(M with { Principals = Principals("*/ns/client/sa/curl") })], Mtls("spiffe://other.td/ns/client/sa/curl"), AllowedBy()),
        new("principals suffix misses", [Allow(M with { Principals = Principals("*/sa/admin") })], Mtls(), NotAllowed()),
        new("principals presence matches mTLS", [Allow(M with { Principals = Principals("*") })], Mtls(), AllowedBy()),
        new("principals presence refuses plaintext", [Allow(M with { Principals = Principals("*") })], Plain(), NotAllowed()),
        new("principals exact refuses plaintext", [Allow(M with { Principals = Principals("cluster.local/ns/client/sa/curl") })], Plain(), NotAllowed()),
        new("principals suffix refuses plaintext", [Allow(M with { Principals = Principals("*/sa/curl") })], Plain(), NotAllowed()),
        new("principals second value matches", [Allow(M with { Principals = Principals("cluster.local/ns/x/sa/y", "cluster.local/ns/client/sa/curl") })], Mtls(), AllowedBy()),
        new("notPrincipals exact excludes", [Allow(M with { NotPrincipals = Principals("cluster.local/ns/client/sa/curl") })], Mtls(), NotAllowed()),
        new("notPrincipals exact lets others", [Allow(M with { NotPrincipals = Principals("cluster.local/ns/client/sa/curl") })], Mtls("client/other"), AllowedBy()),
        new("notPrincipals prefix excludes", [Allow(M with { NotPrincipals = Principals("cluster.local/ns/client/*") })], Mtls(), NotAllowed()),
        new("notPrincipals suffix excludes", [Allow(M with { NotPrincipals = Principals("*/sa/curl") })], Mtls(), NotAllowed()),
        new("notPrincipals satisfied by plaintext", [Allow(M with { NotPrincipals = Principals("cluster.local/ns/client/sa/curl") })], Plain(), AllowedBy()),
        new("notPrincipals presence admits plaintext", [Allow(M with { NotPrincipals = Principals("*") })], Plain(), AllowedBy()),
        new("notPrincipals presence refuses mTLS", [Allow(M with { NotPrincipals = Principals("*") })], Mtls(), NotAllowed()),

        // namespaces (of the peer identity)
        new("namespaces exact matches", [Allow(M with { Namespaces = Strings("client") })], Mtls(), AllowedBy()),
        new("namespaces exact misses", [Allow(M with { Namespaces = Strings("prod") })], Mtls(), NotAllowed()),
        new("namespaces prefix matches", [Allow(M with { Namespaces = Strings("cli*") })], Mtls(), AllowedBy()),
        new("namespaces prefix misses", [Allow(M with { Namespaces = Strings("prod-*") })], Mtls(), NotAllowed()),
        new("namespaces suffix matches", [Allow(M with { Namespaces = Strings("*ent") })], Mtls(), AllowedBy()),
        new("namespaces suffix misses", [Allow(M with { Namespaces = Strings("*-test") })], Mtls(), NotAllowed()),
        new("namespaces presence matches mTLS", [Allow(M with { Namespaces = Strings("*") })], Mtls(), AllowedBy()),
        new("namespaces presence refuses plaintext", [Allow(M with { Namespaces = Strings("*") })], Plain(), NotAllowed()),
        new("namespaces exact refuses plaintext", [Allow(M with { Namespaces = Strings("client") })], Plain(), NotAllowed()),
        new("namespaces is case-sensitive", [Allow(M with { Namespaces = Strings("Client") })], Mtls(), NotAllowed()),
        new("notNamespaces excludes", [Allow(M with { NotNamespaces = Strings("client") })], Mtls(), NotAllowed()),
        new("notNamespaces prefix excludes", [Allow(M with { NotNamespaces = Strings("cl*") })], Mtls(), NotAllowed()),
        new("notNamespaces lets others", [Allow(M with { NotNamespaces = Strings("prod") })], Mtls(), AllowedBy()),
        new("notNamespaces satisfied by plaintext", [Allow(M with { NotNamespaces = Strings("client") })], Plain(), AllowedBy()),

        // serviceAccounts (namespace + name of the peer identity)
        new("serviceAccounts matches", [Allow(M with { ServiceAccounts = Accounts("client/curl") })], Mtls(), AllowedBy()),
        new("serviceAccounts same name other namespace", [Allow(M with { ServiceAccounts = Accounts("prod/curl") })], Mtls(), NotAllowed()),
        new("serviceAccounts other name", [Allow(M with { ServiceAccounts = Accounts("client/admin") })], Mtls(), NotAllowed()),
        new("serviceAccounts ignores trust domain", [Allow(M with { ServiceAccounts = Accounts("client/curl") })], Mtls("spiffe://other.td/ns/client/sa/curl"), AllowedBy()),
        new("serviceAccounts refuses plaintext", [Allow(M with { ServiceAccounts = Accounts("client/curl") })], Plain(), NotAllowed()),
        new("notServiceAccounts excludes", [Allow(M with { NotServiceAccounts = Accounts("client/curl") })], Mtls(), NotAllowed()),
        new("notServiceAccounts lets others", [Allow(M with { NotServiceAccounts = Accounts("client/admin") })], Mtls(), AllowedBy()),
        new("notServiceAccounts satisfied by plaintext", [Allow(M with { NotServiceAccounts = Accounts("client/curl") })], Plain(), AllowedBy()),

        // source IPs (ipBlocks / remoteIpBlocks / when source.ip)
        new("sourceIps single address", [Allow(M with { SourceIps = Ips("10.1.0.5") })], Mtls(), AllowedBy()),
        new("sourceIps /24 contains", [Allow(M with { SourceIps = Ips("10.1.0.0/24") })], Plain(), AllowedBy()),
        new("sourceIps /24 excludes", [Allow(M with { SourceIps = Ips("10.2.0.0/24") })], Plain(), NotAllowed()),
        new("sourceIps /31 boundary", [Allow(M with { SourceIps = Ips("10.1.0.4/31") })], Plain(sourceIp: "10.1.0.6"), NotAllowed()),
        new("sourceIps /0 matches any IPv4", [Allow(M with { SourceIps = Ips("0.0.0.0/0") })], Plain(sourceIp: "203.0.113.9"), AllowedBy()),
        new("sourceIps second block matches", [Allow(M with { SourceIps = Ips("192.168.0.0/16", "10.0.0.0/8") })], Plain(), AllowedBy()),
        new("sourceIps IPv6 /64 contains", [Allow(M with { SourceIps = Ips("fd00:1::/64") })], Plain(sourceIp: "fd00:1::abcd", destinationIp: "fd00:2::2"), AllowedBy()),
        new("sourceIps IPv6 /64 excludes", [Allow(M with { SourceIps = Ips("fd00:1::/64") })], Plain(sourceIp: "fd00:1:0:1::abcd", destinationIp: "fd00:2::2"), NotAllowed()),
        new("sourceIps IPv4 block never holds IPv6", [Allow(M with { SourceIps = Ips("0.0.0.0/0") })], Plain(sourceIp: "fd00:1::1"), NotAllowed()),
        new("sourceIps IPv6 block never holds IPv4", [Allow(M with { SourceIps = Ips("::/0") })], Plain(), NotAllowed()),
        new("sourceIps IPv4-mapped source counts as IPv4", [Allow(M with { SourceIps = Ips("10.1.0.0/16") })], Plain(sourceIp: "::ffff:10.1.0.5"), AllowedBy()),
        new("notSourceIps excludes", [Allow(M with { NotSourceIps = Ips("10.1.0.0/16") })], Mtls(), NotAllowed()),
        new("notSourceIps lets others", [Allow(M with { NotSourceIps = Ips("10.9.0.0/16") })], Mtls(), AllowedBy()),

        // destination IPs (when destination.ip)
        new("destinationIps matches", [Allow(M with { DestinationIps = Ips("10.0.0.2") })], Mtls(), AllowedBy()),
        new("destinationIps misses", [Allow(M with { DestinationIps = Ips("10.0.0.3/32") })], Mtls(), NotAllowed()),
        new("destinationIps IPv6", [Allow(M with { DestinationIps = Ips("fd00:2::/48") })], Mtls(destinationIp: "fd00:2::2", sourceIp: "fd00:1::1"), AllowedBy()),
        new("notDestinationIps excludes", [Allow(M with { NotDestinationIps = Ips("10.0.0.0/24") })], Mtls(), NotAllowed()),
        new("notDestinationIps lets others", [Allow(M with { NotDestinationIps = Ips("10.0.1.0/24") })], Mtls(), AllowedBy()),

        // destination ports (to.operation.ports / when destination.port)
        new("destinationPorts matches", [Allow(M with { DestinationPorts = Ports(8080) })], Mtls(), AllowedBy()),
        new("destinationPorts misses", [Allow(M with { DestinationPorts = Ports(9090) })], Mtls(), NotAllowed()),
        new("destinationPorts second value", [Allow(M with { DestinationPorts = Ports(80, 8080) })], Mtls(), AllowedBy()),
        new("destinationPorts applies to plaintext too", [Allow(M with { DestinationPorts = Ports(8080) })], Plain(), AllowedBy()),
        new("notDestinationPorts excludes", [Allow(M with { NotDestinationPorts = Ports(8080) })], Mtls(), NotAllowed()),
        new("notDestinationPorts lets others", [Allow(M with { NotDestinationPorts = Ports(22) })], Mtls(), AllowedBy()),
    ];
}
