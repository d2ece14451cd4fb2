using System.Net.Sockets;
using System.Runtime.InteropServices;
using Mesh.Echo;

// meshactors/echo: configured from the environment like a Kubernetes container; exits 0 on SIGTERM/SIGINT.
EchoOptions options;
try
{
    options = EchoOptions.FromEnvironment(args, Environment.GetEnvironmentVariable);
}
catch (FormatException e)
{
    Console.Error.WriteLine($"mesh-echo: {e.Message}");
    return 2;
}

using var stop = new CancellationTokenSource();
void OnSignal(PosixSignalContext context)
{
    context.Cancel = true; // we shut down ourselves, gracefully
    stop.Cancel();
}

using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);

EchoServer server;
try
{
    server = await EchoServer.StartAsync(options, stop.Token);
}
catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
{
    Console.Error.WriteLine($"mesh-echo: cannot start: {e.Message}");
    return 1;
}

await using (server)
{
    try
    {
        await Task.Delay(Timeout.Infinite, stop.Token);
    }
    catch (OperationCanceledException)
    {
        // signalled
    }
}

return 0;
