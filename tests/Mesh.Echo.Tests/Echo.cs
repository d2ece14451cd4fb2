using System.Net;
using System.Text.Json;

namespace Mesh.Echo.Tests;

/// <summary>Starts echo servers on 127.0.0.1 with OS-chosen ports and parses echo bodies.</summary>
public static class Echo
{
    public static Task<EchoServer> StartAsync(EchoOptions? options = null) =>
        EchoServer.StartAsync((options ?? new EchoOptions()) with
        {
            BindAddress = IPAddress.Loopback,
            HttpPort = 0,
            Log = options?.Log ?? TextWriter.Null,
        });

    public static Uri Url(this EchoServer server, string pathAndQuery) => new($"http://{server.HttpEndPoint}{pathAndQuery}");

    public static JsonElement Parse(string body) => JsonDocument.Parse(body).RootElement.Clone();

    public static string[] Header(this JsonElement echo, string name) =>
        echo.GetProperty("headers").TryGetProperty(name, out var values)
            ? values.EnumerateArray().Select(v => v.GetString()!).ToArray()
            : [];
}
