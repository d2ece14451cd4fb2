using System.Net;
using Mesh.Hbone.Sockets;
using Mesh.Node.Dns;
using Mesh.Node.Hosting;
using Mesh.Node.Proxy.Outbound;
using Microsoft.Extensions.Options;

namespace Mesh.Node.Proxy.Socks5;

/// <summary>
/// Runs the SOCKS5 front door when <c>Mesh:Node:Socks5Port</c> is set (Istio's 15080; loopback only, since anything that
/// can reach it can claim a local workload's address). Local mode turns it on without root, where nothing is captured.
/// </summary>
public sealed class Socks5Service(
    IOptions<NodeOptions> options,
    IMeshNameResolver names,
    OutboundPipeline outbound,
    DestinationResolver destinations,
    ILogger<Socks5Server> log,
    AcceptFailures acceptFailures) : IHostedService, IAsyncDisposable
{
    private Socks5Server? _server;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var node = options.Value;
        if (node.Socks5Port <= 0) return Task.CompletedTask;
        var serverOptions = new Socks5ServerOptions
        {
            Endpoint = new IPEndPoint(IPAddress.Parse(node.Socks5Bind), node.Socks5Port),
            ResolveTimeout = node.LookupTimeout,
        };
        _server = new Socks5Server(serverOptions, new MeshSocks5Names(names), outbound, destinations, log, acceptFailures);
        _server.Start();
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken) => await DisposeAsync();

    public async ValueTask DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
        _server = null;
    }
}
