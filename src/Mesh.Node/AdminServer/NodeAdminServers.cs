using System.Net;
using Mesh.Hosting;
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

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _bound = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private Task _starting = Task.CompletedTask;

    /// <summary>The port each running server ("admin", "stats", "readiness") listens on.</summary>
    public IReadOnlyDictionary<string, int> BoundPorts => _bound;

    /// <summary>Completes when the three servers are up (or failed, logged).</summary>
    public Task Started => _starting;

    /// <summary>
    /// Starts the servers in the background: hosted services start one after another and the node's command endpoint
    /// only listens after all of them, so three web hosts booting on a loaded box must not hold it back (seen in CI).
    /// </summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _starting = Task.Run(StartAllAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task StartAllAsync()
    {
        try
        {
            await Task.WhenAll(
                StartAsync("admin", ports.AdminBind, ports.Admin, ZtunnelPortEndpoints.MapAdmin, _stopping.Token),
                StartAsync("stats", ports.StatsBind, ports.Stats, ZtunnelPortEndpoints.MapStats, _stopping.Token),
                StartAsync("readiness", ports.ReadinessBind, ports.Readiness, ZtunnelPortEndpoints.MapReadiness, _stopping.Token));
            log.LogInformation("ztunnel ports: admin {Admin}, stats {Stats}, readiness {Readiness}",
                Describe("admin"), Describe("stats"), Describe("readiness"));
        }
        catch (Exception e) when (!_stopping.IsCancellationRequested)
        {
            log.LogError(e, "ztunnel admin/stats/readiness ports did not start (admin {Admin}, stats {Stats}, readiness {Readiness})",
                Describe("admin"), Describe("stats"), Describe("readiness"));
        }
        catch (OperationCanceledException) { }
    }

    private string Describe(string name) => _bound.TryGetValue(name, out var port) ? port.ToString(System.Globalization.CultureInfo.InvariantCulture) : "off";

    private async Task StartAsync(string name, string bind, int port, Action<WebApplication, IServiceProvider> map, CancellationToken ct)
    {
        if (port <= 0) return; // 0: off
        var builder = WebApplication.CreateSlimBuilder(MeshHost.WebOptions([]));
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Parse(bind), port));
        var app = builder.Build();
        map(app, node);
        await app.StartAsync(ct);
        lock (_servers) _servers.Add(app);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        _bound[name] = address is null ? port : new Uri(address).Port;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _starting.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        foreach (var server in _servers) await server.StopAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var server in _servers) await server.DisposeAsync();
        _servers.Clear();
    }
}
