using k8s.Models;
using Mesh.Control.Config.Crds;
using Mesh.Control.Config.Files;

namespace Mesh.Control.Tests.Config.Files;

public class ManifestParserTests
{
    private const string AllKinds = """
        apiVersion: v1
        kind: Namespace
        metadata:
          name: demo
          labels:
            istio.io/dataplane-mode: ambient
        ---
        apiVersion: v1
        kind: ServiceAccount
        metadata:
          name: echo
          namespace: demo
        ---
        apiVersion: v1
        kind: Pod
        metadata:
          name: client
          namespace: demo
        spec:
          serviceAccountName: echo
          containers:
          - name: curl
            image: mesh/curl
            command: ["sleep", "infinity"]
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: echo
          namespace: demo
        spec:
          replicas: 2
          selector:
            matchLabels: {app: echo}
          template:
            metadata:
              labels: {app: echo, version: v1}
            spec:
              containers:
              - name: echo
                image: mesh/echo
                ports:
                - containerPort: 8080
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: echo
          namespace: demo
        spec:
          selector: {app: echo}
          ports:
          - name: http
            port: 80
            targetPort: 8080
        ---
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata:
          name: allow-client
          namespace: demo
        spec:
          selector:
            matchLabels: {app: echo}
          action: ALLOW
          rules:
          - from:
            - source:
                principals: ["cluster.local/ns/demo/sa/echo"]
            to:
            - operation:
                ports: ["8080"]
        ---
        apiVersion: security.istio.io/v1beta1
        kind: PeerAuthentication
        metadata:
          name: strict
          namespace: demo
        spec:
          selector:
            matchLabels: {app: echo}
          mtls: {mode: STRICT}
          portLevelMtls:
            "8080": {mode: PERMISSIVE}
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata:
          name: waypoint
          namespace: demo
          labels: {istio.io/waypoint-for: service}
        spec:
          gatewayClassName: istio-waypoint
          listeners:
          - name: mesh
            port: 15008
            protocol: HBONE
        ---
        apiVersion: gateway.networking.k8s.io/v1beta1
        kind: HTTPRoute
        metadata:
          name: echo
          namespace: demo
        spec:
          parentRefs:
          - group: ""
            kind: Service
            name: echo
          rules:
          - matches:
            - path: {type: PathPrefix, value: /}
            backendRefs:
            - name: echo
              port: 80
        """;

    [Fact]
    public void Parses_every_supported_kind_from_one_multi_document_file()
    {
        var result = ManifestParser.Parse("all.yaml", AllKinds);

        Assert.Empty(result.Errors);
        Assert.Empty(result.Warnings);
        Assert.Collection(result.Objects,
            o => Assert.Equal("ambient", Assert.IsType<V1Namespace>(o.Value).Metadata.Labels["istio.io/dataplane-mode"]),
            o => Assert.IsType<V1ServiceAccount>(o.Value),
            o => Assert.Equal("mesh/curl", Assert.IsType<V1Pod>(o.Value).Spec.Containers[0].Image),
            o => Assert.Equal(2, Assert.IsType<V1Deployment>(o.Value).Spec.Replicas),
            o => Assert.Equal("8080", Assert.IsType<V1Service>(o.Value).Spec.Ports[0].TargetPort.Value),
            o => Assert.Equal("cluster.local/ns/demo/sa/echo", Assert.IsType<AuthorizationPolicy>(o.Value).Spec!.Rules![0].From![0].Source!.Principals![0]),
            o => Assert.Equal("PERMISSIVE", Assert.IsType<PeerAuthentication>(o.Value).Spec!.PortLevelMtls!["8080"].Mode),
            o => Assert.Equal(15008, Assert.IsType<Gateway>(o.Value).Spec!.Listeners![0].Port),
            o => Assert.Equal(80, Assert.IsType<HttpRoute>(o.Value).Spec!.Rules![0].BackendRefs![0].Port));
        Assert.Equal(Enumerable.Range(0, 9), result.Objects.Select(o => o.Document));
        Assert.Equal("", result.Objects[0].Namespace);
        Assert.Equal("security.istio.io/v1beta1", result.Objects[6].Value.ApiVersion);
    }

    [Fact]
    public void Objects_without_namespace_are_put_in_default_except_cluster_scoped_kinds()
    {
        var result = ManifestParser.Parse("a.yaml", """
            apiVersion: v1
            kind: Namespace
            metadata: {name: demo}
            ---
            apiVersion: v1
            kind: ServiceAccount
            metadata: {name: sa}
            ---
            apiVersion: gateway.networking.k8s.io/v1
            kind: GatewayClass
            metadata:
              name: istio-waypoint
              labels: {istio.io/waypoint-for: workload}
            spec:
              controllerName: istio.io/mesh-controller
            """);

        Assert.Empty(result.Errors);
        Assert.Null(result.Objects[0].Value.Metadata.NamespaceProperty);
        Assert.Equal("default", result.Objects[1].Value.Metadata.NamespaceProperty);
        var gatewayClass = Assert.IsType<GatewayClass>(result.Objects[2].Value);
        Assert.Null(gatewayClass.Metadata.NamespaceProperty);
        Assert.Equal("workload", gatewayClass.Metadata.Labels["istio.io/waypoint-for"]);
    }

    [Fact]
    public void Empty_documents_and_comments_are_skipped()
    {
        var result = ManifestParser.Parse("a.yaml", """
            # leading comment
            ---
            ---
            # only a comment
            ---
            apiVersion: v1
            kind: ServiceAccount
            metadata: {name: sa}
            ---
            """);

        Assert.Empty(result.Errors);
        var obj = Assert.Single(result.Objects);
        Assert.Equal(5, obj.Line); // the document's "---" line
    }

    [Fact]
    public void Unknown_kinds_are_skipped_with_a_warning()
    {
        var result = ManifestParser.Parse("cfg.yaml", """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: settings, namespace: demo}
            data: {a: b}
            ---
            apiVersion: v1
            kind: ServiceAccount
            metadata: {name: sa}
            """);

        Assert.True(result.IsValid);
        Assert.Single(result.Objects);
        var warning = Assert.Single(result.Warnings);
        Assert.StartsWith("cfg.yaml document 0 (ConfigMap demo/settings): v1 ConfigMap is not supported", warning);
    }

    [Fact]
    public void A_triple_dash_inside_a_block_scalar_is_not_a_document_boundary()
    {
        var result = ManifestParser.Parse("a.yaml", """
            apiVersion: v1
            kind: Pod
            metadata:
              name: p
              annotations:
                note: |
                  ---
                  not a document
            spec:
              containers: [{name: c, image: i}]
            """);

        Assert.Empty(result.Errors);
        Assert.Contains("---", Assert.Single(result.Objects).Value.Metadata.Annotations["note"]);
    }
}
