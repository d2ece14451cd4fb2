using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Mesh.Protocol.Admin;

namespace Mesh.Cli.Tests.Support;

/// <summary>A real Kestrel server on 127.0.0.1:0 standing in for a member's command endpoint; records every request line.</summary>
public sealed class FakeCommandEndpoint : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeCommandEndpoint(WebApplication app, string hostPort)
    {
        _app = app;
        HostPort = hostPort;
    }

    /// <summary>"127.0.0.1:PORT" as meshctl takes it.</summary>
    public string HostPort { get; }

    /// <summary>"METHOD /path?query" per request, in arrival order.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    public static async Task<FakeCommandEndpoint> StartAsync(Action<WebApplication> map)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();

        FakeCommandEndpoint? endpoint = null;
        app.Use(async (context, next) =>
        {
            endpoint!.Requests.Enqueue($"{context.Request.Method} {context.Request.Path}{context.Request.QueryString}");
            await next(context);
        });
        map(app);
        await app.StartAsync();

        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        endpoint = new FakeCommandEndpoint(app, $"127.0.0.1:{address.Port}");
        return endpoint;
    }

    /// <summary>Serves one GET route with a fixed DTO.</summary>
    public static Task<FakeCommandEndpoint> ServingAsync<T>(string route, T dto) =>
        StartAsync(app => app.MapGet(route, () => Json(dto)));

    public static IResult Json<T>(T dto) => Results.Json(dto, AdminJson.Options);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
