using System.Text.Json;
using Mesh.Integration.Tests.Harness;
using Mesh.Protocol.Admin;

namespace Mesh.Integration.Tests.Identity;

/// <summary>
/// Issue #4 in a running multi-process mesh: each node's ztunnel obtains SVIDs for exactly the service accounts of
/// its pods from the control plane's CA, issuance survives the loss of a control member, and short-lived
/// certificates rotate under the running mesh.
/// </summary>
public class CertificateIssuanceTests
{
    private static readonly TimeSpan Startup = TimeSpan.FromSeconds(90);

    private static string Pod(string name, string node, string serviceAccount) =>
        Manifests.Pod(name, node).Replace("spec:\n", $"spec:\n  serviceAccountName: {serviceAccount}\n");

    private static string Id(string sa) => $"spiffe://cluster.local/ns/demo/sa/{sa}";

    private static Task<List<CertificateView>> LeavesAsync(MeshCluster mesh, MeshProcess node, params string[] serviceAccounts) =>
        Eventually.Until(() => mesh.CertificatesAsync(node),
            certs => certs.Where(c => c.Type == "leaf").Select(c => c.Name).Order().SequenceEqual(serviceAccounts.Select(Id).Order())
                     && certs.Where(c => c.Type == "leaf").All(c => c.Status == "Available" && c.Valid),
            TimeSpan.FromSeconds(60), () => $"{node.Name} holding valid certificates for exactly [{string.Join(", ", serviceAccounts)}]\n{mesh.Logs()}");

    [Fact]
    public async Task Each_node_gets_certificates_for_exactly_the_service_accounts_of_its_pods()
    {
        await using var mesh = new MeshCluster();
        mesh.WriteManifest("demo.yaml", Manifests.Documents(Manifests.AmbientNamespace,
            Pod("a1", "node-a", "alpha"), Pod("a2", "node-a", "beta"), Pod("a3", "node-a", "alpha"), Pod("b1", "node-b", "gamma")));
        var control = mesh.StartControl("control-1");
        var nodeA = mesh.StartNode("node-a");
        var nodeB = mesh.StartNode("node-b");

        var certsA = await LeavesAsync(mesh, nodeA, "alpha", "beta");
        await LeavesAsync(mesh, nodeB, "gamma");
        var root = Assert.Single(certsA, c => c.Type == "root");
        Assert.Equal("O=cluster.local", root.Name);

        // The last pod with a service account leaves: that certificate is dropped, the other stays.
        mesh.WriteManifest("demo.yaml", Manifests.Documents(Manifests.AmbientNamespace,
            Pod("a1", "node-a", "alpha"), Pod("a3", "node-a", "alpha"), Pod("b1", "node-b", "gamma")));
        await LeavesAsync(mesh, nodeA, "alpha");
        Assert.Contains("issued certificate for spiffe://cluster.local/ns/demo/sa/alpha to node node-a", control.Output);
        Assert.DoesNotContain("sa/gamma to node node-a", control.Output);
    }

    [Fact]
    public async Task Killing_one_of_two_control_members_does_not_stop_issuance()
    {
        await using var mesh = new MeshCluster("node-a");
        mesh.WriteManifest("demo.yaml", Manifests.Documents(Manifests.AmbientNamespace, Pod("a1", "node-a", "alpha")));
        mesh.PlanSeeds(2);
        var control1 = mesh.StartControl("control-1");
        var control2 = mesh.StartControl("control-2");
        var nodeA = mesh.StartNode("node-a");
        await mesh.WaitForUpAsync(control2, [control1, control2, nodeA], Startup);
        await LeavesAsync(mesh, nodeA, "alpha");

        control1.Kill();
        mesh.WriteManifest("more.yaml", Manifests.Documents(Pod("a2", "node-a", "delta")));
        await LeavesAsync(mesh, nodeA, "alpha", "delta");
    }

    [Fact]
    public async Task Short_lived_certificates_rotate_and_zc_certs_shows_the_new_serials()
    {
        await using var mesh = new MeshCluster("node-a", null, "--Mesh:Ca:WorkloadTtl=00:01:00");
        mesh.WriteManifest("demo.yaml", Manifests.Documents(Manifests.AmbientNamespace, Pod("a1", "node-a", "alpha")));
        mesh.StartControl("control-1");
        var nodeA = mesh.StartNode("node-a");
        var first = (await LeavesAsync(mesh, nodeA, "alpha")).Single(c => c.Type == "leaf");
        Assert.InRange(first.NotAfter!.Value - DateTimeOffset.UtcNow, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(61));

        // Renewed at half-life (~30 s in): a new serial, still valid.
        var rotated = await Eventually.Until(() => mesh.CertificatesAsync(nodeA),
            certs => certs.Any(c => c.Type == "leaf" && c.SerialNumber != first.SerialNumber && c.Valid),
            TimeSpan.FromSeconds(75), () => "a rotated certificate for alpha\n" + mesh.Logs());
        var second = rotated.Single(c => c.Type == "leaf");
        Assert.True(second.NotAfter > first.NotAfter);

        // The same seen through the real meshctl binary, istioctl's columns, and -o json.
        var (exit, table) = await Meshctl(nodeA.AdminEndpoint, "zc", "certs");
        Assert.Equal(0, exit);
        Assert.StartsWith("CERTIFICATE NAME", table);
        Assert.Contains(Id("alpha"), table);
        Assert.Contains(second.SerialNumber!, table);
        var (_, json) = await Meshctl(nodeA.AdminEndpoint, "zc", "certificates", "-o", "json");
        Assert.Contains(JsonSerializer.Deserialize<List<CertificateView>>(json, AdminJson.Options)!, c => c.SerialNumber == second.SerialNumber);
    }

    private static async Task<(int Exit, string Output)> Meshctl(params string[] args)
    {
        var (exit, output, _) = await MeshctlBinary.RunAsync(args);
        return (exit, output);
    }
}
