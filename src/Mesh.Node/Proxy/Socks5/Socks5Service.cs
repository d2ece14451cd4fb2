using System.Net;
using System.Net.Sockets;
using Akka.Hosting;
using Mesh.Node.Dns;
using Mesh.Node.Hosting;
using Mesh.Node.State;

namespace Mesh.Node.Proxy.Socks5;

/// <summary>
/// The ztunnel's SOCKS5 front door (Istio's 15080, loopback, opt-in with <c>Mesh:Node:Socks5Port</c>; local mode
/// turns it on without root, where nothing is captured). Targets go through the same resolution as captured traffic:
/// a mesh name (<c>svc.ns</c>, <c>svc.ns.svc.cluster.local</c>) or a service VIP picks a healthy endpoint and maps the
/// port; a workload IP goes there; anything else resolves and connects as asked.
/// </summary>
public sealed class Socks5Service(NodeOptions options, NodeViewStore store, IRequiredActor<AddressCache> cache, ILogger<Socks5Server> log)
    : IHostedService, IAsyncDisposable
{
    private Socks5Server? _server;
    private DestinationResolver? _destinations;
    private MeshNameResolver? _names;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Socks5Port <= 0) return;
        var addressCache = await cache.GetAsync(cancellationToken);
        _destinations = new DestinationResolver(store, addressCache, options.LookupTimeout);
        _names = new MeshNameResolver(store, addressCache, options.LookupTimeout);
        _server = new Socks5Server(ResolveAsync, Socks5Server.DirectConnectAsync,
            new Socks5ServerOptions { Endpoint = new IPEndPoint(IPAddress.Parse(options.Socks5Bind), options.Socks5Port), ConnectTimeout = options.ConnectTimeout },
            log);
        _server.Start();
        log.LogInformation("SOCKS5 listening on {Endpoint}", _server.LocalEndPoint);
    }

    private async Task<IPEndPoint?> ResolveAsync(Socks5Request request, CancellationToken ct)
    {
        var target = request.Target;
        if (target is null && request.Hostname is { } host)
        {
            foreach (var name in MeshNameCandidates(host))
            {
                var vips = await _names!.ResolveAsync(name, ct);
                if (vips is { Count: > 0 }) { target = new IPEndPoint(vips[0], request.Port); break; }
            }
            if (target is null)
            {
                IPAddress[] found;
                try { found = await System.Net.Dns.GetHostAddressesAsync(host, AddressFamily.InterNetwork, ct); }
                catch (SocketException) { return null; }
                if (found.Length == 0) return null;
                target = new IPEndPoint(found[0], request.Port);
            }
        }
        var destination = await _destinations!.ResolveAsync(target!, ct);
        return destination.Target;
    }

    /// <summary>"echo.demo" → "echo.demo.svc.cluster.local"; a full service name as is; other names are not mesh names.</summary>
    internal static IEnumerable<string> MeshNameCandidates(string host)
    {
        var name = host.TrimEnd('.').ToLowerInvariant();
        if (name.EndsWith(".svc.cluster.local", StringComparison.Ordinal)) yield return name;
        else if (name.EndsWith(".svc", StringComparison.Ordinal)) yield return name + ".cluster.local";
        else if (name.Count(c => c == '.') == 1) yield return name + ".svc.cluster.local";
    }

    public async Task StopAsync(CancellationToken cancellationToken) => await DisposeAsync();

    public async ValueTask DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
        _server = null;
    }
}
