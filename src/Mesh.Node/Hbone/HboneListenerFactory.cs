using System.Net.Sockets;
using Mesh.Node.Identity;

namespace Mesh.Node.Hbone;

/// <summary>Serves a pod's 15008 with one <see cref="HboneServer"/> per listener.</summary>
public sealed class HboneListenerFactory(HboneOptions options, ILogger<HboneServer> log) : IHboneListenerFactory
{
    public async Task RunAsync(Socket listener, Func<CancellationToken, ValueTask<WorkloadCertificate>> serverCertificate,
        IHboneInboundHandler handler, CancellationToken cancellationToken)
    {
        await using var server = new HboneServer(options, serverCertificate, handler, log);
        await server.RunAsync(listener, cancellationToken);
    }
}
