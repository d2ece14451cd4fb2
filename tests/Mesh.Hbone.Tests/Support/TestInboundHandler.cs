using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Mesh.Hbone.Relay;
using Mesh.Hbone.Server;

namespace Mesh.Hbone.Tests;

/// <summary>
/// Serves accepted CONNECTs by relaying to <see cref="App"/> (an echo server unless replaced); <see cref="Reject"/> can
/// answer a status instead. Records how every stream ended.
/// </summary>
internal sealed class TestInboundHandler(IPEndPoint app) : IHboneStreamHandler
{
    public IPEndPoint App { get; set; } = app;

    /// <summary>Return a status to reject with, null to connect to the app.</summary>
    public Func<HboneInboundStream, int?>? Reject { get; set; }

    /// <summary>Every stream: the status it was answered with and, when relayed, the relay's result.</summary>
    public ConcurrentQueue<(HboneInboundStream Stream, int Status, RelayResult? Result)> Completions { get; } = new();

    public ConcurrentQueue<HboneInboundStream> Admitted { get; } = new();

    public async Task ServeAsync(HboneInboundStream stream)
    {
        Admitted.Enqueue(stream);
        if (Reject?.Invoke(stream) is { } status)
        {
            await stream.RejectAsync(status);
            Completions.Enqueue((stream, status, null));
            return;
        }
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(App, stream.Aborted);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            socket.Dispose();
            await stream.RejectAsync(503);
            Completions.Enqueue((stream, 503, null));
            return;
        }
        RelayEnd tunnel;
        try
        {
            tunnel = await stream.AcceptAsync();
        }
        catch (IOException)
        {
            socket.Dispose();
            Completions.Enqueue((stream, 200, null));
            return;
        }
        // The tunnel opened the connection: it is downstream (BytesUp = what the client sent).
        var result = await RelayPump.RunAsync(tunnel, RelayEnd.Of(socket));
        Completions.Enqueue((stream, 200, result));
    }
}
