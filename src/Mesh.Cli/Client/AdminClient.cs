using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Mesh.Protocol.Admin;

namespace Mesh.Cli.Client;

/// <summary>
/// Thin HttpClient wrapper for one member's command endpoint. Every transport or HTTP failure surfaces as an
/// <see cref="AdminClientException"/> so commands never leak a stack trace.
/// </summary>
public sealed class AdminClient : IDisposable
{
    /// <summary>Non-streaming requests are bounded; the tail stream is not (it lives until Ctrl-C).</summary>
    public static readonly TimeSpan DefaultRequestTimeout = TimeSpan.FromSeconds(15);

    private readonly HttpClient _http;
    private readonly TimeSpan _requestTimeout;

    public AdminClient(MeshEndpoint endpoint, HttpMessageHandler? handler = null, TimeSpan? requestTimeout = null)
    {
        Endpoint = endpoint;
        _requestTimeout = requestTimeout ?? DefaultRequestTimeout;
        // Timeouts are applied per call via CancellationTokenSource, so streaming can opt out.
        _http = new HttpClient(handler ?? new SocketsHttpHandler { ConnectTimeout = _requestTimeout }, disposeHandler: handler is null)
        {
            BaseAddress = endpoint.BaseUri,
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    public MeshEndpoint Endpoint { get; }

    public Task<T> GetAsync<T>(string route, CancellationToken ct) =>
        SendAsync<T>(HttpMethod.Get, route, ct);

    public Task<T> PostAsync<T>(string route, CancellationToken ct) =>
        SendAsync<T>(HttpMethod.Post, route, ct);

    /// <summary>Reads an NDJSON stream, yielding one item per non-empty line until the server ends it or <paramref name="ct"/> fires.</summary>
    public async IAsyncEnumerable<T> StreamAsync<T>(string route, [EnumeratorCancellation] CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, route);
        using var response = await SendCoreAsync(request, HttpCompletionOption.ResponseHeadersRead, ct, ct);
        await EnsureSuccessAsync(response, ct);

        await using var body = await response.Content.ReadAsStreamAsync(ct);
        using var reader = new StreamReader(body);
        while (true)
        {
            string? line;
            try
            {
                line = await reader.ReadLineAsync(ct);
            }
            catch (Exception e) when (e is IOException or HttpRequestException && !ct.IsCancellationRequested)
            {
                // The member went away mid-stream (e.g. it left the cluster and shut down).
                throw new EndpointUnreachableException(Endpoint, "connection closed", e);
            }

            if (line is null) yield break;
            if (line.Length == 0) continue;
            yield return Deserialize<T>(line);
        }
    }

    private async Task<T> SendAsync<T>(HttpMethod method, string route, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_requestTimeout);
        using var request = new HttpRequestMessage(method, route);
        using var response = await SendCoreAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token, ct);
        await EnsureSuccessAsync(response, ct);
        return Deserialize<T>(await response.Content.ReadAsStringAsync(ct));
    }

    private async Task<HttpResponseMessage> SendCoreAsync(
        HttpRequestMessage request, HttpCompletionOption completion, CancellationToken token, CancellationToken userToken)
    {
        try
        {
            return await _http.SendAsync(request, completion, token);
        }
        catch (OperationCanceledException) when (!userToken.IsCancellationRequested)
        {
            throw new EndpointUnreachableException(Endpoint, "timed out");
        }
        catch (HttpRequestException e)
        {
            throw new EndpointUnreachableException(Endpoint, Describe(e), e);
        }
    }

    private static string Describe(HttpRequestException e)
    {
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is SocketException socket)
            {
                return socket.SocketErrorCode switch
                {
                    SocketError.ConnectionRefused => "connection refused",
                    SocketError.TimedOut => "timed out",
                    SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => "host not found",
                    SocketError.NetworkUnreachable or SocketError.HostUnreachable => "no route to host",
                    SocketError.ConnectionReset => "connection reset",
                    _ => socket.SocketErrorCode.ToString(),
                };
            }
        }

        return e.HttpRequestError switch
        {
            HttpRequestError.NameResolutionError => "host not found",
            HttpRequestError.ConnectionError => "connection failed",
            HttpRequestError.ResponseEnded => "connection closed",
            HttpRequestError.InvalidResponse => "not an HTTP endpoint",
            _ => e.Message,
        };
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode) return;
        var body = await response.Content.ReadAsStringAsync(ct);
        throw new AdminHttpException((int)response.StatusCode, ServerMessage(body, response.StatusCode, response.ReasonPhrase));
    }

    /// <summary>
    /// The server's own words for an error: a CommandResult's message, a ProblemDetails' detail/title, or plain text;
    /// falling back to the status reason so the line is never empty.
    /// </summary>
    internal static string ServerMessage(string body, HttpStatusCode status, string? reason)
    {
        var text = body.Trim();
        if (text.StartsWith('{'))
        {
            try
            {
                using var doc = JsonDocument.Parse(text);
                foreach (var name in new[] { "message", "detail", "title", "error" })
                {
                    if (doc.RootElement.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
                        && !string.IsNullOrWhiteSpace(value.GetString()))
                        return value.GetString()!.Trim();
                }
            }
            catch (JsonException)
            {
                // Not JSON after all: fall through to the raw text.
            }
        }

        if (text.Length > 0)
            return text.ReplaceLineEndings(" ");
        return string.IsNullOrEmpty(reason) ? status.ToString() : reason;
    }

    private static T Deserialize<T>(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(json, AdminJson.Options)
                ?? throw new AdminProtocolException($"unexpected empty response (expected {typeof(T).Name})");
        }
        catch (JsonException e)
        {
            throw new AdminProtocolException($"unexpected response (expected {typeof(T).Name}): {e.Message}", e);
        }
    }

    public void Dispose() => _http.Dispose();
}
