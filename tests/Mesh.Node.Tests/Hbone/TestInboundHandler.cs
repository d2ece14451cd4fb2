using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Mesh.Node.Hbone;
using Mesh.Node.Proxy;

namespace Mesh.Node.Tests.Hbone;

/// <summary>
/// Connects accepted CONNECTs to <see cref="App"/> (an echo server unless replaced); <see cref="Admit"/> can reject.
/// Records every Completed call.
/// </summary>
internal sealed class TestInboundHandler(IPEndPoint app) : IHboneInboundHandler
{
    public IPEndPoint App { get; set; } = app;

    /// <summary>Return a status to reject, null to connect to the app.</summary>
    public Func<HboneInboundRequest, HboneAdmission?>? Admit { get; set; }

    public ConcurrentQueue<(HboneInboundRequest Request, HboneAdmission Admission, RelayResult? Result)> Completions { get; } = new();

    public ConcurrentQueue<HboneInboundRequest> Admitted { get; } = new();

    public async ValueTask<HboneAdmission> AdmitAsync(HboneInboundRequest request, CancellationToken cancellationToken)
    {
        Admitted.Enqueue(request);
        if (Admit?.Invoke(request) is { } rejection)
            return rejection;
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(App, cancellationToken);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            return HboneAdmission.Unavailable(e.Message);
        }
        return HboneAdmission.Accept(socket);
    }

    public void Completed(HboneInboundRequest request, HboneAdmission admission, RelayResult? result) =>
        Completions.Enqueue((request, admission, result));
}
