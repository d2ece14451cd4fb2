using System.Net;
using Mesh.Control.Ambient;
using Mesh.Control.Config.Files;
using Mesh.Protocol.Authz;
using Mesh.Protocol.Model;

namespace Mesh.Control.Tests.Ambient.Authz;

/// <summary>
/// Runs real manifests through the parser and <see cref="MeshStateComputer"/>, then evaluates a connection with the
/// Protocol evaluator — conversion and decision tested together. The base mesh: namespaces app and client (ambient)
/// and legacy (not enrolled); pods app/web (app=web, sa web), app/db (app=db, sa db), client/curl (sa curl), legacy/old.
/// </summary>
internal static class YamlAuthz
{
    public const string Base = """
        apiVersion: v1
        kind: Namespace
        metadata: {name: app, labels: {istio.io/dataplane-mode: ambient}}
        ---
        apiVersion: v1
        kind: Namespace
        metadata: {name: client, labels: {istio.io/dataplane-mode: ambient}}
        ---
        apiVersion: v1
        kind: Namespace
        metadata: {name: legacy}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: web, namespace: app, labels: {app: web}}
        spec: {serviceAccountName: web, containers: [{name: web, image: mesh/echo}]}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: db, namespace: app, labels: {app: db}}
        spec: {serviceAccountName: db, containers: [{name: db, image: mesh/echo}]}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: curl, namespace: client}
        spec: {serviceAccountName: curl, containers: [{name: curl, image: mesh/curl}]}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: old, namespace: legacy}
        spec: {containers: [{name: old, image: mesh/curl}]}
        """;

    public static MeshState State(string policies)
    {
        var parsed = ManifestParser.Parse("test.yaml", Base + "\n---\n" + policies);
        Assert.True(parsed.Errors.IsEmpty, string.Join("\n", parsed.Errors.Select(e => e.Message)));
        var built = ManifestSetBuilder.Build([parsed]);
        Assert.Empty(built.Errors);
        return MeshStateComputer.Compute(built.Set, new AmbientOptions());
    }

    /// <summary>From pod "ns/name" to pod "ns/name":port; the source carries its identity only when it is enrolled and <paramref name="mtls"/>.</summary>
    public static AuthorizationDecision Check(MeshState state, string from, string to, int port, bool mtls = true)
    {
        var source = Find(state, from);
        var destination = Find(state, to);
        var request = new AuthorizationRequest(
            mtls && source.TunnelProtocol == TunnelProtocol.Hbone ? source.Identity : null,
            IPAddress.Parse(source.Addresses[0]), IPAddress.Parse(destination.Addresses[0]), port);
        return AuthorizationEvaluator.Evaluate(request, destination, new PolicyIndex(state.Policies));
    }

    private static Workload Find(MeshState state, string nsName)
    {
        var parts = nsName.Split('/');
        return state.Workloads.Single(w => w.Namespace == parts[0] && w.Name == parts[1]);
    }
}
