using System.Text.Json;
using Mesh.Cli.Commands.Authz;
using Mesh.Cli.Tests.Support;
using Mesh.Protocol.Admin;
using Mesh.Protocol.Authz;

namespace Mesh.Cli.Tests.Commands.Authz;

public sealed class AuthzCheckOfflineTests(AuthzManifests manifests) : IClassFixture<AuthzManifests>
{
    private Task<CliResult> Check(params string[] args) =>
        Meshctl.RunAsync(["x", "authz", "check", "-f", manifests.Path, .. args]);

    private async Task<AuthzCheckView> Json(params string[] args)
    {
        var result = await Check([.. args, "-o", "json"]);
        Assert.True(result.ExitCode == 0, result.Err);
        return JsonSerializer.Deserialize<AuthzCheckView>(result.Out, AdminJson.Options)!;
    }

    [Fact]
    public async Task Enrolled_pod_allowed_by_principal_and_port()
    {
        var result = await Check("--from", "client/curl", "--to", "app/web", "--port", "8080");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Source:       client/curl (spiffe://cluster.local/ns/client/sa/curl @ 10.244.0.20)", result.Out);
        Assert.Contains("Destination:  app/web 10.244.0.10:8080 (via pod app/web)", result.Out);
        Assert.Contains("Decision:     ALLOW: allowed by app/web-allow rule 0", result.Out);
        Assert.Matches(@"istio-system/istio_converted_static_strict\s+DENY \(PeerAuthentication\)\s+WorkloadSelector\s+no\s+no match: rule 0: clause 0: principal spiffe://cluster.local/ns/client/sa/curl matches notPrincipals \[\*\]", result.Out);
        Assert.Matches(@"app/web-allow\s+ALLOW\s+WorkloadSelector\s+rule 0\s+matched rule 0", result.Out);
    }

    [Fact]
    public async Task Service_port_maps_to_the_target_port()
    {
        var view = await Json("--from", "client/curl", "--to", "web.app:80");

        var result = Assert.Single(view.Results);
        Assert.Equal("10.244.0.10:8080", result.Address);
        Assert.Equal("service web.app.svc.cluster.local:80 -> pod app/web:8080", result.Via);
        Assert.Equal(("ALLOW", DecisionReason.AllowPolicyMatched, "app/web-allow", 0), (result.Decision, result.Reason, result.Policy, result.Rule));
    }

    [Fact]
    public async Task Service_vip_and_full_hostname_resolve_like_the_short_name()
    {
        var byVip = await Json("--from", "client/curl", "--to", "10.96.0.10:80");
        var byHost = await Json("--from", "client/curl", "--to", "web.app.svc.cluster.local", "--port", "80");

        Assert.Equal("10.244.0.10:8080", Assert.Single(byVip.Results).Address);
        Assert.Equal("10.244.0.10:8080", Assert.Single(byHost.Results).Address);
    }

    [Fact]
    public async Task Pod_outside_the_mesh_is_plaintext_and_refused_by_strict()
    {
        var result = await Check("--from", "legacy/old", "--to", "10.244.0.10:8080");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Source:       legacy/old (plaintext @ 10.244.0.30)", result.Out);
        Assert.Contains("Note:         the source pod is not in the ambient mesh, so its connections arrive as plaintext", result.Out);
        Assert.Contains("Decision:     DENY: denied: PeerAuthentication STRICT refuses plaintext (istio-system/istio_converted_static_strict)", result.Out);
    }

    [Fact]
    public async Task Spiffe_id_at_ip_that_no_allow_matches()
    {
        var view = await Json("--from", "spiffe://cluster.local/ns/client/sa/other@10.244.0.99", "--to", "app/web", "--port", "8080");

        var result = Assert.Single(view.Results);
        Assert.Equal(("DENY", DecisionReason.NoAllowPolicyMatched, (string?)null), (result.Decision, result.Reason, result.Policy));
        var allow = result.Policies.Single(p => p.Key == "app/web-allow");
        Assert.False(allow.Matched);
        Assert.Equal(MatchField.Principals, allow.Rules[0].Clauses[1].Alternatives[0].FailedField);
    }

    [Fact]
    public async Task Http_only_allow_is_reported_with_its_warning()
    {
        var result = await Check("--from", "client/curl", "--to", "app/db", "--port", "5432");

        Assert.Contains("Decision:     DENY: denied: ALLOW policies apply and none matched", result.Out);
        Assert.Matches(@"app/db-get-only\s+ALLOW\s+WorkloadSelector\s+no\s+no rules: matches nothing, so this ALLOW allows nothing", result.Out);
        Assert.Contains("Warning:      AuthorizationPolicy app/db-get-only partially applied", result.Out);
    }

    [Theory]
    [InlineData("--from|client/nope|--to|app/web:8080", "--from: no pod 'client/nope' in the mesh state (pods in client: curl)")]
    [InlineData("--from|ghost/x|--to|app/web:8080", "--from: no pod 'ghost/x' in the mesh state (namespace 'ghost' has no pods)")]
    [InlineData("--from|spiffe://cluster.local/ns/client/curl@10.0.0.1|--to|app/web:8080", "--from 'spiffe://cluster.local/ns/client/curl@10.0.0.1': SPIFFE id 'spiffe://cluster.local/ns/client/curl' path must be /ns/<namespace>/sa/<service-account>")]
    [InlineData("--from|spiffe://cluster.local/ns/client/sa/curl@nowhere|--to|app/web:8080", "--from 'spiffe://cluster.local/ns/client/sa/curl@nowhere': 'nowhere' is not an IP address")]
    [InlineData("--from|spiffe://cluster.local/ns/client/sa/curl|--to|app/web:8080", "a SPIFFE id needs the source address too")]
    [InlineData("--from|curl|--to|app/web:8080", "--from 'curl': expected ns/pod, SPIFFE-ID@IP")]
    [InlineData("--from|client/curl|--to|app/web", "--to 'app/web': destination port missing; add :PORT or --port N")]
    [InlineData("--from|client/curl|--to|app/web:http", "--to 'app/web:http': 'http' is not a port (1-65535)")]
    [InlineData("--from|client/curl|--to|app/web:8080|--port|9090", "--to 'app/web:8080' says port 8080 but --port says 9090; give one")]
    [InlineData("--from|client/curl|--to|web.app:8080", "--to: service app/web has no port 8080 (ports: 80)")]
    [InlineData("--from|client/curl|--to|nope.app:80", "--to: no service 'nope.app' in the mesh state")]
    [InlineData("--from|client/curl|--to|10.9.9.9:80", "--to '10.9.9.9:80': no pod or service in the mesh state has address 10.9.9.9")]
    public async Task Bad_input_names_what_is_wrong(string args, string message)
    {
        var result = await Check(args.Split('|'));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(message, result.Err);
        Assert.Equal("", result.Out);
    }

    [Fact]
    public async Task Missing_manifest_directory_is_an_error()
    {
        var result = await Meshctl.RunAsync("x", "authz", "check", "-f", "/nonexistent/dir", "--from", "a/b", "--to", "c/d:1");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("-f: manifest directory '/nonexistent/dir' does not exist", result.Err);
    }

    [Fact]
    public async Task From_and_to_are_required()
    {
        var result = await Meshctl.RunAsync("x", "authz", "check", "-f", manifests.Path, "--to", "app/web:8080");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("--from", result.Err);
    }
}
