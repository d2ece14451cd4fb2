using Akka.Actor;
using Akka.Configuration;
using Mesh.Integration.Tests.Harness;
using Mesh.Protocol.Contracts;
using Mesh.Protocol.Identity;

namespace Mesh.Integration.Tests.Identity;

/// <summary>
/// The CA's node scoping seen from a real cluster member: this test process joins a running mesh as a
/// <c>node</c> member (as a compromised ztunnel would) and asks every question a ztunnel can ask.
/// </summary>
public class NodeScopedIssuanceTests
{
    private static string Pod(string name, string node, string serviceAccount) =>
        Manifests.Pod(name, node).Replace("spec:\n", $"spec:\n  serviceAccountName: {serviceAccount}\n");

    private static Config MemberConfig(MeshProcess seed) => ConfigurationFactory.ParseString($$"""
        akka.actor.provider = cluster
        akka.remote.dot-netty.tcp.hostname = 127.0.0.1
        akka.remote.dot-netty.tcp.port = 0
        akka.cluster.roles = [node]
        akka.cluster.seed-nodes = ["{{seed.Address}}"]
        akka.actor.serializers.mesh = "Mesh.Protocol.Serialization.MeshSerializer, Mesh.Protocol"
        akka.actor.serialization-bindings { "Mesh.Protocol.Contracts.IMeshMessage, Mesh.Protocol" = mesh }
        akka.loglevel = WARNING
        """);

    private static CertificateSigningRequest Csr(string node, string serviceAccount)
    {
        var id = new SpiffeId("cluster.local", "demo", serviceAccount);
        var (key, der) = CsrBuilder.Create(id);
        key.Dispose();
        return new CertificateSigningRequest(node, id.ToString(), System.Security.Cryptography.PemEncoding.WriteString("CERTIFICATE REQUEST", der));
    }

    [Fact]
    public async Task A_node_member_gets_only_identities_of_pods_on_the_node_it_names()
    {
        await using var mesh = new MeshCluster();
        mesh.WriteManifest("demo.yaml", Manifests.Documents(Manifests.AmbientNamespace, Pod("a1", "node-a", "alpha"), Pod("b1", "node-b", "beta")));
        var control = mesh.StartControl("control-1");
        await mesh.WaitForUpAsync(control, [control], TimeSpan.FromSeconds(90));

        using var member = ActorSystem.Create("mesh", MemberConfig(control));
        var cluster = Akka.Cluster.Cluster.Get(member);
        await Eventually.Until(() => Task.FromResult(cluster.SelfMember.Status), s => s == Akka.Cluster.MemberStatus.Up,
            TimeSpan.FromSeconds(60), () => "the test member joining the mesh\n" + mesh.Logs());
        var ca = member.ActorSelection($"{control.Address}/user/ca");

        var allowed = await ca.Ask<IMeshMessage>(Csr("node-a", "alpha"), TimeSpan.FromSeconds(10));
        var issued = Assert.IsType<CertificateIssued>(allowed);
        Assert.Contains("BEGIN CERTIFICATE", issued.CertificateChainPem);

        var foreign = await ca.Ask<IMeshMessage>(Csr("node-a", "beta"), TimeSpan.FromSeconds(10));
        var refused = Assert.IsType<CertificateRefused>(foreign);
        Assert.Equal("no pod with service account demo/beta is scheduled on node node-a", refused.Reason);
        await Eventually.Until(() => Task.FromResult(control.Output), o => o.Contains("refused certificate for spiffe://cluster.local/ns/demo/sa/beta"),
            TimeSpan.FromSeconds(10), () => "the CA logging the refusal");

        await cluster.LeaveAsync();
    }

    [Fact]
    public async Task A_process_that_is_not_a_member_is_refused_even_when_it_can_reach_the_ca()
    {
        await using var mesh = new MeshCluster();
        mesh.WriteManifest("demo.yaml", Manifests.Documents(Manifests.AmbientNamespace, Pod("a1", "node-a", "alpha")));
        var control = mesh.StartControl("control-1");
        await mesh.WaitForUpAsync(control, [control], TimeSpan.FromSeconds(90));

        // Plain remoting, no cluster join (the cluster transport here is plaintext; with member TLS it cannot even connect).
        using var outsider = ActorSystem.Create("mesh", ConfigurationFactory.ParseString("""
            akka.actor.provider = remote
            akka.remote.dot-netty.tcp.hostname = 127.0.0.1
            akka.remote.dot-netty.tcp.port = 0
            akka.loglevel = WARNING
            """).WithFallback(MemberConfig(control)));
        var answer = await outsider.ActorSelection($"{control.Address}/user/ca").Ask<IMeshMessage>(Csr("node-a", "alpha"), TimeSpan.FromSeconds(10));
        Assert.Equal("the requester is not an authenticated node member of the cluster", Assert.IsType<CertificateRefused>(answer).Reason);
    }
}
