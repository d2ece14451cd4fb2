namespace Mesh.Integration.Tests.Harness;

/// <summary>YAML snippets for integration tests (real manifests, parsed by the real config source).</summary>
public static class Manifests
{
    public const string AmbientNamespace = """
        apiVersion: v1
        kind: Namespace
        metadata:
          name: demo
          labels:
            istio.io/dataplane-mode: ambient
        """;

    public static string Pod(string name, string node, string ns = "demo") => $"""
        apiVersion: v1
        kind: Pod
        metadata:
          name: {name}
          namespace: {ns}
          labels:
            app: {name}
        spec:
          nodeName: {node}
          containers:
          - name: main
            image: meshactors/echo
            ports:
            - containerPort: 8080
        """;

    public static string Documents(params string[] documents) => string.Join("\n---\n", documents) + "\n";
}
