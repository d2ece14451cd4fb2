namespace Mesh.Cli.Tests.Commands.Authz;

/// <summary>
/// A manifest directory for <c>x authz check</c>: app/web (10.244.0.10, sa web, service web.app:80 → http 8080),
/// app/db, client/curl (sa curl), legacy/old (not enrolled); app is STRICT; web admits only client/curl on 8080;
/// db's only ALLOW uses HTTP fields (dropped at L4, so db admits nothing).
/// </summary>
public sealed class AuthzManifests : IDisposable
{
    public const string Yaml = """
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
        spec: {serviceAccountName: web, containers: [{name: web, image: mesh/echo, ports: [{name: http, containerPort: 8080}]}]}
        status: {podIP: 10.244.0.10}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: db, namespace: app, labels: {app: db}}
        spec: {serviceAccountName: db, containers: [{name: db, image: mesh/echo}]}
        status: {podIP: 10.244.0.11}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: curl, namespace: client}
        spec: {serviceAccountName: curl, containers: [{name: curl, image: mesh/curl}]}
        status: {podIP: 10.244.0.20}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: old, namespace: legacy}
        spec: {containers: [{name: old, image: mesh/curl}]}
        status: {podIP: 10.244.0.30}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: web, namespace: app}
        spec: {clusterIP: 10.96.0.10, selector: {app: web}, ports: [{name: http, port: 80, targetPort: http}]}
        ---
        apiVersion: security.istio.io/v1
        kind: PeerAuthentication
        metadata: {name: default, namespace: app}
        spec: {mtls: {mode: STRICT}}
        ---
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: web-allow, namespace: app}
        spec:
          selector: {matchLabels: {app: web}}
          rules:
          - from: [{source: {principals: [cluster.local/ns/client/sa/curl]}}]
            to: [{operation: {ports: ["8080"]}}]
        ---
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: db-get-only, namespace: app}
        spec:
          selector: {matchLabels: {app: db}}
          rules:
          - to: [{operation: {methods: [GET]}}]
        """;

    public string Path { get; } = Directory.CreateTempSubdirectory("meshctl-authz-").FullName;

    public AuthzManifests() => File.WriteAllText(System.IO.Path.Combine(Path, "mesh.yaml"), Yaml);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { /* best effort */ }
    }
}
