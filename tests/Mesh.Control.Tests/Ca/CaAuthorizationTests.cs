using Mesh.Control.Ca;
using Mesh.Protocol.Contracts;
using Mesh.Protocol.Model;
using static Mesh.Control.Tests.Distribution.TestState;

namespace Mesh.Control.Tests.Ca;

/// <summary>Who may get which identity: only node members, only for service accounts of pods on their node.</summary>
public class CaAuthorizationTests
{
    private static readonly Workload[] Workloads =
    [
        Workload("demo", "echo-1", "node-a", "10.244.0.2") with { ServiceAccount = "echo" },
        Workload("demo", "client", "node-b", "10.244.1.2") with { ServiceAccount = "client" },
    ];

    private static string? Authorize(string node, string identity, bool fromNode = true) =>
        CaActor.Authorize(new CertificateSigningRequest(node, identity, "csr"), fromNode, Workloads, "cluster.local", out _);

    [Fact]
    public void A_node_gets_the_identity_of_a_pod_scheduled_on_it()
    {
        Assert.Null(CaActor.Authorize(new CertificateSigningRequest("node-a", "spiffe://cluster.local/ns/demo/sa/echo", "csr"),
            true, Workloads, "cluster.local", out var id));
        Assert.Equal("spiffe://cluster.local/ns/demo/sa/echo", id!.ToString());
    }

    [Fact]
    public void An_identity_of_a_pod_on_another_node_is_refused() =>
        Assert.Equal("no pod with service account demo/client is scheduled on node node-a",
            Authorize("node-a", "spiffe://cluster.local/ns/demo/sa/client"));

    [Fact]
    public void A_service_account_nobody_uses_is_refused() =>
        Assert.Contains("no pod with service account demo/admin", Authorize("node-a", "spiffe://cluster.local/ns/demo/sa/admin"));

    [Fact]
    public void A_requester_that_is_not_a_node_member_is_refused() =>
        Assert.Equal("the requester is not an authenticated node member of the cluster",
            Authorize("node-a", "spiffe://cluster.local/ns/demo/sa/echo", fromNode: false));

    [Fact]
    public void Another_trust_domain_is_refused() =>
        Assert.Contains("trust domain 'evil.example' is not this CA's", Authorize("node-a", "spiffe://evil.example/ns/demo/sa/echo"));

    [Theory]
    [InlineData("spiffe://cluster.local/ns/demo/sa/echo/")]
    [InlineData("spiffe://Cluster.local/ns/demo/sa/echo")]
    [InlineData("https://cluster.local/ns/demo/sa/echo")]
    [InlineData("spiffe://cluster.local/ns/demo")]
    public void A_malformed_identity_is_refused_with_the_parser_reason(string identity) =>
        Assert.NotNull(Authorize("node-a", identity));
}
