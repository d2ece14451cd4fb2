using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Mesh.Echo;

/// <summary>
/// Routes like echo-basic's mux: <c>/health</c> → "OK", <c>/status/NNN</c> → that status, everything else → JSON echo.
/// Each request ends with one access-log line.
/// </summary>
internal sealed partial class EchoHandler(EchoOptions options, LineLog log, CancellationToken stopping)
{
    public async Task HandleAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        // The request target exactly as sent (path + query, undecoded), like Go's r.RequestURI.
        var rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path + context.Request.QueryString;
        try
        {
            await DispatchAsync(context, rawTarget);
        }
        finally
        {
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            log.Write(string.Create(CultureInfo.InvariantCulture,
                $"http {context.Connection.RemoteIpAddress}:{context.Connection.RemotePort} \"{context.Request.Method} {rawTarget} {EchoResponse.GoProto(context.Request.Protocol)}\" {(context.RequestAborted.IsCancellationRequested ? "aborted" : context.Response.StatusCode)} {elapsed:0.0}ms"));
        }
    }

    private Task DispatchAsync(HttpContext context, string rawTarget)
    {
        // echo-basic collapses "//" before routing (its preserveSlashes wrapper).
        var path = (context.Request.Path.Value ?? "/").Replace("//", "/", StringComparison.Ordinal);
        if (path == "/health")
        {
            context.Response.ContentType = "text/plain; charset=utf-8";
            return context.Response.WriteAsync("OK");
        }

        if (path.StartsWith("/status/", StringComparison.Ordinal))
        {
            Status(context, rawTarget);
            return Task.CompletedTask;
        }

        return EchoAsync(context, rawTarget);
    }

    /// <summary>The status comes from the raw target, so "/status/404?x=1" is a 400 just like upstream.</summary>
    private static void Status(HttpContext context, string rawTarget)
    {
        var match = StatusPattern().Match(rawTarget);
        var code = match.Success ? int.Parse(match.Groups[1].ValueSpan, CultureInfo.InvariantCulture) : StatusCodes.Status400BadRequest;
        // Go sends a 1xx as an interim response and then completes with 200; we skip the interim part.
        context.Response.StatusCode = code < 200 ? StatusCodes.Status200OK : code;
        context.Response.ContentLength = 0;
    }

    private async Task EchoAsync(HttpContext context, string rawTarget)
    {
        var delayText = context.Request.Query["delay"].FirstOrDefault();
        if (!string.IsNullOrEmpty(delayText))
        {
            if (!GoDuration.TryParse(delayText, out var delay, out var error))
            {
                // Upstream answers 500 here; a malformed query is the client's fault, so we say 400.
                await WriteJsonAsync(context, StatusCodes.Status400BadRequest, EchoResponse.Error($"invalid delay query parameter: {error}"));
                return;
            }

            if (!await DelayAsync(delay, context.RequestAborted))
            {
                return;
            }
        }

        var body = EchoResponse.Build(context, rawTarget, options);
        EchoSetHeader.Apply(context.Request.Headers, context.Response.Headers);
        await WriteJsonAsync(context, StatusCodes.Status200OK, body);
    }

    /// <summary>Sleeps for the delay; on shutdown answers right away instead. False when the client went away.</summary>
    private async Task<bool> DelayAsync(TimeSpan delay, CancellationToken aborted)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(aborted, stopping);
        try
        {
            // Task.Delay caps at ~49 days; Go accepts up to ~292 years, so sleep in chunks.
            var chunk = TimeSpan.FromMilliseconds(uint.MaxValue - 1);
            for (var left = delay; left > TimeSpan.Zero; left -= chunk)
            {
                await Task.Delay(left < chunk ? left : chunk, linked.Token);
            }
        }
        catch (OperationCanceledException) when (linked.IsCancellationRequested)
        {
            return !aborted.IsCancellationRequested;
        }

        return true;
    }

    private static Task WriteJsonAsync(HttpContext context, int status, byte[] body)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "application/json";
        response.Headers.XContentTypeOptions = "nosniff";
        response.ContentLength = body.Length;
        return response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }

    [GeneratedRegex(@"^/status/([0-9]{3})$", RegexOptions.CultureInvariant)]
    private static partial Regex StatusPattern();
}
