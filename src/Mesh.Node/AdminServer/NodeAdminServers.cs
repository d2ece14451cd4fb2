using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Mesh.Node.AdminServer;

/// <summary>
/// Runs the ztunnel's admin (15000), stats (15020) and readiness (15021) ports as three small Kestrel servers next to
/// the node's main host. Separate servers rather than extra listeners on the command endpoint's WebApplication:
/// each port then serves exactly its own routes by construction — the cluster verbs of the command endpoint (down,
/// leave) can never be reached through the stats port, which listens on all interfaces — and none of them depends
/// on the shared <c>MeshHost</c> pipeline. Routes read the node's singletons from the main container.
/// </summary>
public sealed class NodeAdminServers(IServiceProvider node, NodePortsOptions ports, ILogger<NodeAdminServers> log) : IHostedService, IAsyncDisposable
{
    private readonly List<WebApplication> _servers = [];

    private readonly Dictionary<string, int> _bound = new(StringComparer.Ordinal);

    /// <summary>The port each running server ("admin", "stats", "readiness") listens on.</summary>
    public IReadOnlyDictionary<string, int> BoundPorts => _bound;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await StartAsync("admin", ports.AdminBind, ports.Admin, ZtunnelPortEndpoints.MapAdmin, cancellationToken);
        await StartAsync("stats", ports.StatsBind, ports.Stats, ZtunnelPortEndpoints.MapStats, cancellationToken);
        await StartAsync("readiness", ports.ReadinessBind, ports.Readiness, ZtunnelPortEndpoints.MapReadiness, cancellationToken);
        log.LogInformation("ztunnel ports: admin {Admin}, stats {Stats}, readiness {Readiness}",
            Describe("admin"), Describe("stats"), Describe("readiness"));
    }

    private string Describe(string name) => _bound.TryGetValue(name, out var port) ? port.ToString(System.Globalization.CultureInfo.InvariantCulture) : "off";

    private async Task StartAsync(string name, string bind, int port, Action<WebApplication, IServiceProvider> map, CancellationToken ct)
    {
        if (port <= 0) return; // 0: off
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Parse(bind), port));
        var app = builder.Build();
        map(app, node);
        await app.StartAsync(ct);
        _servers.Add(app);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        _bound[name] = address is null ? port : new Uri(address).Port;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var server in _servers) await server.StopAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var server in _servers) await server.DisposeAsync();
        _servers.Clear();
    }
}
