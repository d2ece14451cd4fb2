using Mesh.Integration.Tests.Harness;

namespace Mesh.Integration.Tests.Cluster;

/// <summary>
/// Mutual TLS on the cluster transport: members with certificates from the mesh's member CA form a cluster;
/// processes without one (self-signed, another CA's, or no TLS at all) never become members.
/// </summary>
public class MemberTlsTests
{
    private static readonly TimeSpan Startup = TimeSpan.FromSeconds(90);
    // Long enough for several join attempts (retry-unsuccessful-join-after = 1 s, seed-node-timeout = 2 s).
    private static readonly TimeSpan Watch = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Members_of_one_member_ca_form_a_cluster_and_outsiders_with_other_certificates_are_refused()
    {
        using var certificates = new MemberCertificates();
        await using var mesh = new MeshCluster("node-a", certificates);
        mesh.WriteManifest("demo.yaml", Manifests.Documents(Manifests.AmbientNamespace, Manifests.Pod("a1", "node-a")));
        var control = mesh.StartControl("control-1");
        var nodeA = mesh.StartNode("node-a");

        var view = await mesh.WaitForUpAsync(control, [control, nodeA], Startup);
        Assert.All(view.Members, m => Assert.StartsWith("akka.ssl.tcp://", m.Address));
        // Not only up: the state flows over the TLS transport.
        await mesh.WaitForPodsAsync(nodeA, ["a1"], Startup);

        var selfSigned = mesh.StartNode("intruder-self", certificates.SelfSigned("intruder-self"));
        var foreign = mesh.StartNode("intruder-foreign", certificates.FromForeignCa("intruder-foreign"));

        // The control refuses both handshakes, naming why.
        await Eventually.Until(() => Task.FromResult(control.Output),
            o => o.Contains("Member TLS: refused cluster peer") && o.Contains("CN=intruder-self") && o.Contains("CN=intruder-foreign"),
            Startup, () => $"the control logging both refusals\n{mesh.Logs()}");
        Assert.Contains("not issued by the mesh member CA", control.Output);

        await Task.WhenAll(mesh.NeverJoinsAsync(control, selfSigned, Watch), mesh.NeverJoinsAsync(control, foreign, Watch));
        await mesh.WaitForUpAsync(nodeA, [control, nodeA], TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_process_without_tls_cannot_join_a_tls_cluster()
    {
        using var certificates = new MemberCertificates();
        await using var mesh = new MeshCluster("node-a", certificates);
        var control = mesh.StartControl("control-1");
        await mesh.WaitForUpAsync(control, [control], Startup);

        var plaintext = mesh.StartNode("plain", tls: null);

        // The plaintext member warns about itself, and its Akka handshake bytes fail the control's TLS handshake.
        await Eventually.Until(() => Task.FromResult(plaintext.Output), o => o.Contains("Member TLS is OFF"),
            Startup, () => $"the plaintext member warning that it is unauthenticated\n{mesh.Logs()}");
        await Eventually.Until(() => Task.FromResult(control.Output), o => o.Contains("not an SSL/TLS record"),
            Startup, () => $"the control refusing the plaintext handshake\n{mesh.Logs()}");
        await mesh.NeverJoinsAsync(control, plaintext, Watch);
        await mesh.WaitForUpAsync(control, [control], TimeSpan.FromSeconds(5));
    }
}
