using System.Net.Sockets;
using Mesh.Node.Identity;

namespace Mesh.Node.Hbone;

/// <summary>
/// Starts the HBONE server on a listener the ztunnel opened (a pod's podIP:15008, bound and listening inside the pod's
/// netns). Implemented over <c>HboneServer</c>: <c>new HboneServer(options, serverCertificate, handler, log).RunAsync(listener, ct)</c>.
/// </summary>
public interface IHboneListenerFactory
{
    /// <summary>
    /// Accepts and serves HBONE on <paramref name="listener"/> until <paramref name="cancellationToken"/> fires, presenting
    /// <paramref name="serverCertificate"/> (the pod's SVID, fetched per handshake so rotation applies) and handing each
    /// CONNECT to <paramref name="handler"/>. The returned task ends after the accept loop and its connections stop.
    /// </summary>
    Task RunAsync(Socket listener, Func<CancellationToken, ValueTask<WorkloadCertificate>> serverCertificate,
        IHboneInboundHandler handler, CancellationToken cancellationToken);
}
