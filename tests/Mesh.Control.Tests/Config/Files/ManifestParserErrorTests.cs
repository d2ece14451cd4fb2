using Mesh.Control.Config.Files;

namespace Mesh.Control.Tests.Config.Files;

/// <summary>Every error must say where: file, document, object, field and line in the file.</summary>
public class ManifestParserErrorTests
{
    private const string Sa = """
        apiVersion: v1
        kind: ServiceAccount
        metadata: {name: ok}

        """;

    private static ManifestError SingleError(string yaml, string file = "quickstart/echo.yaml")
    {
        var result = ManifestParser.Parse(file, yaml);
        Assert.False(result.IsValid);
        return Assert.Single(result.Errors);
    }

    [Fact]
    public void Service_port_out_of_range_names_file_document_object_field_and_line()
    {
        var error = SingleError(Sa + "---\n" + Sa.Replace("ok", "other") + """
            ---
            apiVersion: v1
            kind: Service
            metadata:
              name: echo
              namespace: demo
            spec:
              ports:
              - name: http
                port: 70000
            """);

        Assert.Equal("quickstart/echo.yaml", error.File);
        Assert.Equal(2, error.Document);
        Assert.Equal(17, error.Line);
        Assert.StartsWith("quickstart/echo.yaml document 2 (Service demo/echo): spec.ports[0].port: Invalid value: 70000", error.Message);
        Assert.EndsWith("(line 17)", error.Message);
    }

    [Fact]
    public void Unknown_field_is_rejected_in_strict_mode_with_its_path()
    {
        var error = SingleError(Sa + """
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: echo}
            spec:
              ports:
              - port: 80
                targetPrt: 8080
            """);

        Assert.Equal(1, error.Document);
        Assert.Equal(11, error.Line);
        Assert.Contains("document 1 (Service default/echo): spec.ports[0].targetPrt: unknown field \"targetPrt\"", error.Message);
    }

    [Fact]
    public void Wrong_type_names_the_field()
    {
        var error = SingleError("""
            apiVersion: v1
            kind: Service
            metadata: {name: echo}
            spec:
              ports:
              - port: eighty
            """);

        Assert.Contains("document 0 (Service default/echo): spec.ports[0].port: ", error.Message);
        Assert.Equal(6, error.Line);
    }

    [Fact]
    public void Duplicate_key_is_an_error()
    {
        var error = SingleError("""
            apiVersion: v1
            kind: ServiceAccount
            metadata:
              name: a
              name: b
            """);
        Assert.Contains("document 0", error.Message);
        Assert.Contains("uplicate", error.Message);
    }

    [Fact]
    public void Yaml_syntax_error_reports_its_line()
    {
        var error = SingleError(Sa + """
            ---
            apiVersion: v1
            kind: ServiceAccount
            metadata: [unclosed
            """);
        Assert.Equal(1, error.Document);
        Assert.StartsWith("quickstart/echo.yaml document 1", error.Message);
        Assert.NotNull(error.Line);
        Assert.InRange(error.Line!.Value, 8, 9);
    }

    [Theory]
    [InlineData("kind: ServiceAccount\nmetadata: {name: a}\n", "apiVersion: Required value")]
    [InlineData("apiVersion: v1\nmetadata: {name: a}\n", "kind: Required value")]
    [InlineData("apiVersion: v1\nkind: ServiceAccount\nmetadata: {namespace: demo}\n", "(ServiceAccount): metadata.name: Required value")]
    [InlineData("apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: Bad_Name}\n", "metadata.name: Invalid value: \"Bad_Name\"")]
    [InlineData("apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: a, namespace: Demo}\n", "metadata.namespace: Invalid value: \"Demo\"")]
    [InlineData("apiVersion: v1\nkind: Namespace\nmetadata: {name: a.b}\n", "(Namespace a.b): metadata.name: Invalid value")]
    [InlineData("apiVersion: v1\nkind: Service\nmetadata: {name: 9lives}\n", "(Service default/9lives): metadata.name: Invalid value")]
    [InlineData("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: []}\n", "(Pod default/p): spec.containers: Required value")]
    [InlineData("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n", "(Pod default/p): spec.containers: Required value")]
    [InlineData("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c}]}\n", "spec.containers[0].image: Required value")]
    [InlineData("apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: 0}]}\n", "spec.ports[0].port: Invalid value: 0")]
    [InlineData("apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: 80, targetPort: 65536}]}\n", "spec.ports[0].targetPort: Invalid value: 65536")]
    [InlineData("apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: p}\nspec: {action: ALLOWED}\n", "(AuthorizationPolicy default/p): spec.action: Unsupported value: \"ALLOWED\"")]
    [InlineData("apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: p}\nspec: {action: allow}\n", "spec.action: Unsupported value: \"allow\"")]
    [InlineData("apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: p}\nspec: {mtls: {mode: STRICTER}}\n", "(PeerAuthentication default/p): spec.mtls.mode: Unsupported value: \"STRICTER\"")]
    [InlineData("apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: p}\nspec: {selector: {matchLabels: {a: b}}, portLevelMtls: {http: {mode: STRICT}}}\n", "spec.portLevelMtls[http]: Invalid value: \"http\": must be a port number")]
    [InlineData("apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: p}\nspec: {selector: {matchLabels: {a: b}}, portLevelMtls: {\"70000\": {mode: STRICT}}}\n", "spec.portLevelMtls[70000]: Invalid value")]
    [InlineData("apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: p}\nspec: {selector: {matchLabels: {a: b}}, portLevelMtls: {\"80\": {mode: Strict}}}\n", "spec.portLevelMtls[80].mode: Unsupported value: \"Strict\"")]
    public void Admission_checks(string yaml, string expected)
    {
        var error = SingleError(yaml, "x.yaml");
        Assert.StartsWith("x.yaml document 0", error.Message);
        Assert.Contains(expected, error.Message);
        Assert.Equal(0, error.Document);
    }

    private const string DeploymentHead = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: echo, namespace: demo}
        spec:

        """;

    [Theory]
    [InlineData("  template: {metadata: {labels: {app: echo}}, spec: {containers: [{name: c, image: i}]}}\n", "spec.selector: Required value")]
    [InlineData("  selector: {}\n  template: {metadata: {labels: {app: echo}}, spec: {containers: [{name: c, image: i}]}}\n", "spec.selector: Required value")]
    [InlineData("  selector: {matchLabels: {app: other}}\n  template: {metadata: {labels: {app: echo}}, spec: {containers: [{name: c, image: i}]}}\n", "spec.template.metadata.labels: Invalid value: `selector` does not match template `labels`")]
    [InlineData("  selector: {matchExpressions: [{key: app, operator: In, values: [x]}]}\n  template: {metadata: {labels: {app: echo}}, spec: {containers: [{name: c, image: i}]}}\n", "spec.template.metadata.labels: Invalid value")]
    [InlineData("  replicas: -1\n  selector: {matchLabels: {app: echo}}\n  template: {metadata: {labels: {app: echo}}, spec: {containers: [{name: c, image: i}]}}\n", "spec.replicas: Invalid value: -1")]
    [InlineData("  selector: {matchLabels: {app: echo}}\n  template: {metadata: {labels: {app: echo}}, spec: {containers: []}}\n", "spec.template.spec.containers: Required value")]
    public void Deployment_checks(string spec, string expected)
    {
        var error = SingleError(DeploymentHead + spec, "d.yaml");
        Assert.Contains($"d.yaml document 0 (Deployment demo/echo): {expected}", error.Message);
    }

    [Fact]
    public void Selector_mismatch_points_at_the_template_labels_line()
    {
        var error = SingleError(DeploymentHead + """
              selector:
                matchLabels: {app: other}
              template:
                metadata:
                  labels:
                    app: echo
                spec:
                  containers: [{name: c, image: i}]
            """, "d.yaml");
        Assert.Equal(9, error.Line); // the labels key
    }

    [Fact]
    public void Several_errors_in_one_file_are_all_reported_and_reject_the_file()
    {
        var result = ManifestParser.Parse("a.yaml", Sa + """
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: s}
            spec: {ports: [{port: 0}]}
            ---
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: p}
            spec: {action: NOPE}
            """);

        Assert.Equal([1, 2], result.Errors.Select(e => e.Document!.Value));
        Assert.False(result.IsValid);
    }

    [Fact]
    public void Same_object_twice_in_one_file_is_an_error()
    {
        var result = ManifestParser.Parse("a.yaml", Sa + "---\n" + Sa);
        var error = Assert.Single(result.Errors);
        Assert.Equal("a.yaml document 1 (ServiceAccount default/ok): duplicate of document 0 (line 4)", error.Message);
    }
}
