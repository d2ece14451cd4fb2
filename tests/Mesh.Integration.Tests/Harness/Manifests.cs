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

    /// <summary>A namespace outside the mesh (no dataplane-mode label).</summary>
    public static string PlainNamespace(string name) => $"""
        apiVersion: v1
        kind: Namespace
        metadata:
          name: {name}
        """;

    public static string ServiceAccount(string name, string ns = "demo") => $"""
        apiVersion: v1
        kind: ServiceAccount
        metadata:
          name: {name}
          namespace: {ns}
        """;

    /// <summary>A pod that only sleeps (meshactors/sleep): a client whose traffic the test makes with exec or its own sockets.</summary>
    public static string Sleeper(string name, string ns, string node, string? serviceAccount) => $"""
        apiVersion: v1
        kind: Pod
        metadata:
          name: {name}
          namespace: {ns}
          labels:
            app: {name}
        spec:
          nodeName: {node}
        {(serviceAccount is null ? "" : $"  serviceAccountName: {serviceAccount}\n")}  containers:
          - name: main
            image: meshactors/sleep
        """;

    /// <summary>
    /// The meshactors/echo container list (HTTP on the named port "http" = 8080; a raw TCP echo on
    /// <paramref name="tcpPort"/> when given), pod name and namespace from the downward API, indented to sit under a pod
    /// spec at <paramref name="indent"/> spaces.
    /// </summary>
    public static string EchoContainers(int indent, int? tcpPort = null) => string.Join('\n', ($"""
        containers:
        - name: echo
          image: meshactors/echo
          ports:
          - name: http
            containerPort: 8080
          env:
          - name: POD_NAME
            valueFrom:
              fieldRef:
                fieldPath: metadata.name
          - name: NAMESPACE
            valueFrom:
              fieldRef:
                fieldPath: metadata.namespace
        """ + (tcpPort is { } port ? $"""

          - name: TCP_PORT
            value: "{port}"
        """ : "")).Split('\n').Select(line => new string(' ', indent) + line));

    /// <summary>An echo pod on <paramref name="node"/> labelled app=<paramref name="name"/> (policies select it alone).</summary>
    public static string EchoPod(string name, string node, string serviceAccount, int? tcpPort = null, string ns = "demo") => $"""
        apiVersion: v1
        kind: Pod
        metadata:
          name: {name}
          namespace: {ns}
          labels:
            app: {name}
        spec:
          nodeName: {node}
          serviceAccountName: {serviceAccount}
        {EchoContainers(2, tcpPort)}
        """;

    public static string Documents(params string[] documents) => string.Join("\n---\n", documents) + "\n";
}
