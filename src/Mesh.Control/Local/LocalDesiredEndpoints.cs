using System.Text.Json;
using System.Threading.Channels;
using Mesh.Protocol.Admin;
using Mesh.Protocol.Local;

namespace Mesh.Control.Local;

/// <summary>HTTP side of <see cref="LocalDesiredFeed"/>: the current state, and an NDJSON watch of it.</summary>
public static class LocalDesiredEndpoints
{
    /// <summary>Proxies and idle timeouts drop silent connections; a bare newline keeps the watch alive.</summary>
    public static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    /// <summary>Writes the current state, then one line per change (newline keep-alives in between) until the client leaves.</summary>
    public static async Task WatchAsync(HttpContext context, LocalDesiredFeed feed)
    {
        var ct = context.RequestAborted;
        // Only the newest state matters to a watcher, so a slow one skips intermediate generations.
        var channel = Channel.CreateBounded<LocalDesiredState>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest });
        void OnChanged(LocalDesiredState state) => channel.Writer.TryWrite(state);
        feed.Changed += OnChanged; // subscribe before reading Current so no change falls in between
        context.Response.ContentType = "application/x-ndjson";
        try
        {
            var sent = await WriteAsync(context, feed.Current, -1, ct);
            Task<bool>? waiting = null;
            while (!ct.IsCancellationRequested)
            {
                waiting ??= channel.Reader.WaitToReadAsync(ct).AsTask();
                var finished = await Task.WhenAny(waiting, Task.Delay(KeepAlive, ct));
                if (finished != waiting)
                {
                    await context.Response.WriteAsync("\n", ct);
                    await context.Response.Body.FlushAsync(ct);
                    continue;
                }
                if (!await waiting) break;
                waiting = null;
                while (channel.Reader.TryRead(out var state)) sent = await WriteAsync(context, state, sent, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The supervisor went away: normal end of a watch.
        }
        finally
        {
            feed.Changed -= OnChanged;
        }
    }

    private static async Task<long> WriteAsync(HttpContext context, LocalDesiredState state, long sent, CancellationToken ct)
    {
        if (state.Generation <= sent) return sent;
        await context.Response.WriteAsync(JsonSerializer.Serialize(state, AdminJson.Options) + "\n", ct);
        await context.Response.Body.FlushAsync(ct);
        return state.Generation;
    }
}
