using System.Net;
using System.Net.Sockets;
using Akka.Hosting;
using Mesh.Node.Dns;
using Mesh.Node.Hbone;
using Mesh.Node.Hosting;
using Mesh.Node.Proxy.Outbound;
using Mesh.Node.State;
using Mesh.Node.Telemetry;

namespace Mesh.Node.Proxy.Socks5;

/// <summary>
/// The ztunnel's SOCKS5 front door (Istio's 15080, loopback, opt-in with <c>Mesh:Node:Socks5Port</c>; local mode
/// turns it on without root, where nothing is captured). A mesh name (<c>svc.ns</c>, <c>svc.ns.svc.cluster.local</c>)
/// resolves to its VIP, other names through DNS; then the target takes the same outbound planner and connector as
/// captured traffic (a service VIP picks a healthy endpoint and maps the port; a workload IP goes there; anything else
/// passes through). The source is the workload at the SOCKS client's address, if this node serves one: then an HBONE
/// destination is reached over HBONE with that workload's identity (the listener is loopback-only, so only processes in
/// the ztunnel's own netns can claim an address). Otherwise — e.g. local mode without root, where apps connect from
/// 127.0.0.1 and no pod has a netns — the source is unknown and mesh destinations get plain TCP.
/// </summary>
public sealed class Socks5Service(
    NodeOptions options, NodeViewStore store, IRequiredActor<AddressCache> cache, ILogger<Socks5Server> log, IHboneConnector? hbone = null,
    IConnectionTelemetry? telemetry = null)
    : IHostedService, IAsyncDisposable
{
    private Socks5Server? _server;
    private DestinationResolver? _destinations;
    private MeshNameResolver? _names;
    private OutboundConnector? _connector;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Socks5Port <= 0) return;
        var addressCache = await cache.GetAsync(cancellationToken);
        _destinations = new DestinationResolver(store, addressCache, options.LookupTimeout,
            new OutboundPlanner(store.Node, hbonePort: options.InboundHbonePort));
        _names = new MeshNameResolver(store, addressCache, options.LookupTimeout);
        _connector = new OutboundConnector(hbone, Socks5Server.DirectConnectAsync, log, telemetry);
        _server = new Socks5Server(ResolveAsync, ConnectAsync,
            new Socks5ServerOptions { Endpoint = new IPEndPoint(IPAddress.Parse(options.Socks5Bind), options.Socks5Port), ConnectTimeout = options.ConnectTimeout },
            log);
        _server.Start();
        log.LogInformation("SOCKS5 listening on {Endpoint}", _server.LocalEndPoint);
    }

    /// <summary>The address the client means: a mesh name's VIP, a DNS answer, or the literal address.</summary>
    private async Task<IPEndPoint?> ResolveAsync(Socks5Request request, CancellationToken ct)
    {
        if (request.Target is { } literal) return literal;
        if (request.Hostname is not { } host) return null;
        foreach (var name in MeshNameCandidates(host))
        {
            var vips = await _names!.ResolveAsync(name, ct);
            if (vips is { Count: > 0 }) return new IPEndPoint(vips[0], request.Port);
        }
        IPAddress[] found;
        try { found = await System.Net.Dns.GetHostAddressesAsync(host, AddressFamily.InterNetwork, ct); }
        catch (SocketException) { return null; }
        return found.Length == 0 ? null : new IPEndPoint(found[0], request.Port);
    }

    /// <summary>Plans the route from the client's workload (if known) and opens it.</summary>
    private async Task<OutboundUpstream> ConnectAsync(IPEndPoint target, IPEndPoint? client, CancellationToken ct)
    {
        var from = client is null ? null : _destinations!.LocalWorkload(client.Address);
        var route = await _destinations!.ResolveAsync(from, target, ct);
        var source = new OutboundSource(from, client?.Address ?? IPAddress.Any);
        return await _connector!.ConnectAsync(route, source, client ?? new IPEndPoint(IPAddress.Any, 0), ct, original: target);
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
