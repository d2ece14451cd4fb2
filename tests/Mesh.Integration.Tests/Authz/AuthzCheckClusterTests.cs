using Mesh.Integration.Tests.Harness;

namespace Mesh.Integration.Tests.Authz;

/// <summary>The real meshctl binary against a running control member's <c>/v1/config/state</c>.</summary>
public class AuthzCheckClusterTests
{
    private static readonly TimeSpan Startup = TimeSpan.FromSeconds(90);

    private const string Client = """
        apiVersion: v1
        kind: Pod
        metadata: {name: client, namespace: demo}
        spec: {nodeName: node-a, serviceAccountName: client, containers: [{name: main, image: meshactors/echo}]}
        """;

    private const string AllowClient = """
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: a1-allow-client, namespace: demo}
        spec:
          selector: {matchLabels: {app: a1}}
          rules:
          - from: [{source: {principals: [cluster.local/ns/demo/sa/client]}}]
        """;

    private const string DenyPort9090 = """
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: deny-9090, namespace: demo}
        spec: {action: DENY, rules: [{to: [{operation: {ports: ["9090"]}}]}]}
        """;

    private static Task<(int Exit, string Out, string Err)> Check(string endpoint, params string[] args) =>
        MeshctlBinary.RunAsync(["x", "authz", "check", .. args, endpoint]);

    [Fact]
    public async Task Decisions_come_from_the_running_control_and_follow_manifest_edits()
    {
        await using var mesh = new MeshCluster("node-a");
        mesh.WriteManifest("demo.yaml", Manifests.Documents(Manifests.AmbientNamespace, Manifests.Pod("a1", "node-a"), Manifests.Pod("a2", "node-a"), Client, AllowClient));
        var control = mesh.StartControl("control-1");
        await mesh.WaitForUpAsync(control, [control], Startup);

        var allowed = await Eventually.Until(() => Check(control.AdminEndpoint, "--from", "demo/client", "--to", "demo/a1", "--port", "8080"),
            r => r.Exit == 0, TimeSpan.FromSeconds(30), () => "x authz check answering from the control member");
        Assert.Contains($"State:        control member {control.AdminEndpoint}", allowed.Out);
        Assert.Contains("Decision:     ALLOW: allowed by demo/a1-allow-client rule 0", allowed.Out);

        var denied = await Check(control.AdminEndpoint, "--from", "demo/a2", "--to", "demo/a1:8080", "-o", "json");
        Assert.True(denied.Exit == 0, denied.Err);
        Assert.Contains("\"decision\": \"DENY\"", denied.Out);
        Assert.Contains("\"reason\": \"noAllowPolicyMatched\"", denied.Out);

        var unknown = await Check(control.AdminEndpoint, "--from", "demo/ghost", "--to", "demo/a1:8080");
        Assert.Equal(1, unknown.Exit);
        Assert.Contains("--from: no pod 'demo/ghost' in the mesh state (pods in demo: a1, a2, client)", unknown.Err);

        // A DENY added to the manifests shows up in the next check.
        mesh.WriteManifest("demo.yaml", Manifests.Documents(Manifests.AmbientNamespace, Manifests.Pod("a1", "node-a"), Manifests.Pod("a2", "node-a"), Client, AllowClient, DenyPort9090));
        var afterEdit = await Eventually.Until(() => Check(control.AdminEndpoint, "--from", "demo/client", "--to", "demo/a1:9090"),
            r => r.Out.Contains("Decision:     DENY"), TimeSpan.FromSeconds(30), () => "the new DENY policy deciding");
        Assert.Contains("Decision:     DENY: denied by demo/deny-9090 rule 0", afterEdit.Out);
    }

    [Fact]
    public async Task A_node_member_is_not_a_state_source()
    {
        await using var mesh = new MeshCluster("node-a");
        mesh.WriteManifest("demo.yaml", Manifests.Documents(Manifests.AmbientNamespace, Manifests.Pod("a1", "node-a")));
        var control = mesh.StartControl("control-1");
        var node = mesh.StartNode("node-a");
        await mesh.WaitForUpAsync(control, [control, node], Startup);

        var result = await Check(node.AdminEndpoint, "--from", "demo/a1", "--to", "demo/a1:8080");

        Assert.Equal(1, result.Exit);
        Assert.Contains("serves no mesh state (is it a control member?)", result.Err);
    }
}
